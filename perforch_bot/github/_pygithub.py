"""``GitHubClient`` over PyGithub: the only module of PerfOrch that imports ``github``.

PyGithub's own retrying (``GithubRetry``) is switched off (``retry=None``) so that what is
retried, how often and how long it waits is decided in one place (``_retry``) and tested. The
client is lazy: it builds PyGithub objects from URLs and sends exactly one request per call
(one per page for lists), never a fetch of the repository first.
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Callable, Sequence
from email.utils import parsedate_to_datetime
from types import TracebackType
from typing import Any, TypeVar

from github import Auth, Github, GithubException
from github.IssueComment import IssueComment
from github.PullRequest import ReviewComment as PyGithubReviewComment
from github.PullRequestComment import PullRequestComment
from github.Repository import Repository

from perforch_bot.github._model import (
    ChangedFile,
    Comment,
    GivenReaction,
    Issue,
    Permission,
    PostedReviewComment,
    PullRequest,
    Reaction,
    Review,
    ReviewComment,
)
from perforch_bot.github._retry import ClientSettings, Failure, call_with_retries

T = TypeVar("T")

DEFAULT_API_URL = "https://api.github.com"
_REPO = re.compile(r"^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$")
_SECONDARY_LIMIT = ("secondary rate limit", "abuse detection", "retry your request again later")


class PyGithubClient:
    """Talks to the GitHub REST API at ``base_url`` (``https://api.github.com``, a GitHub
    Enterprise Server's ``https://HOST/api/v3``, or a test server) with ``token``."""

    def __init__(
        self,
        token: str,
        base_url: str = DEFAULT_API_URL,
        *,
        settings: ClientSettings | None = None,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._settings = settings or ClientSettings()
        self._sleep = sleep
        self._github = Github(
            auth=Auth.Token(token),
            base_url=base_url.rstrip("/"),
            timeout=self._settings.timeout_seconds,
            user_agent=self._settings.user_agent,
            per_page=self._settings.per_page,
            retry=None,
            seconds_between_requests=self._settings.seconds_between_requests or None,
            seconds_between_writes=self._settings.seconds_between_writes or None,
            lazy=True,
        )

    def close(self) -> None:
        self._github.close()

    def __enter__(self) -> PyGithubClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    # -- the interface -------------------------------------------------------------------------

    def pull_request(self, repo: str, number: int) -> PullRequest:
        def fetch() -> PullRequest:
            pull = self._repo(repo).get_pull(number)
            return PullRequest(
                number=pull.number,
                title=pull.title or "",
                author=pull.user.login,
                head_sha=pull.head.sha,
                base_sha=pull.base.sha,
                head_ref=pull.head.ref,
                base_ref=pull.base.ref,
                draft=bool(pull.draft),
                state=pull.state,
            )

        return self._call(f"get pull request {repo}#{number}", fetch)

    def pull_request_files(self, repo: str, number: int) -> tuple[ChangedFile, ...]:
        def fetch() -> tuple[ChangedFile, ...]:
            return tuple(
                ChangedFile(f.filename, f.status, f.previous_filename, f.patch)
                for f in self._repo(repo).get_pull(number).get_files()
            )

        return self._call(f"list the files of pull request {repo}#{number}", fetch)

    def issue(self, repo: str, number: int) -> Issue:
        def fetch() -> Issue:
            issue = self._repo(repo).get_issue(number)
            return Issue(
                number=issue.number,
                title=issue.title or "",
                body=issue.body or "",
                author=issue.user.login,
                state=issue.state,
                labels=tuple(label.name for label in issue.labels),
                is_pull_request=issue.pull_request is not None,
            )

        return self._call(f"get issue {repo}#{number}", fetch)

    def permission(self, repo: str, user: str) -> Permission:
        url = f"{self._repo(repo).url}/collaborators/{urllib.parse.quote(user, safe='')}/permission"

        def fetch() -> Permission:
            _, data = self._github.requester.requestJsonAndCheck("GET", url)
            level = str(data.get("permission") or "none")
            return Permission(user, level, str(data.get("role_name") or level))

        return self._call(f"get {user}'s permission on {repo}", fetch)

    def find_comments(self, repo: str, number: int, marker: str) -> tuple[Comment, ...]:
        def fetch() -> tuple[Comment, ...]:
            comments = self._repo(repo).get_issue(number).get_comments()
            return tuple(_comment(c) for c in comments if marker in (c.body or ""))

        return self._call(f"list the comments of {repo}#{number}", fetch)

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        def create() -> Comment:
            return _comment(self._repo(repo).get_issue(number).create_comment(body))

        return self._call(f"comment on {repo}#{number}", create)

    def update_comment(self, repo: str, comment_id: int, body: str) -> Comment:
        def update() -> Comment:
            comment = self._comment_object(repo, comment_id)
            comment.edit(body)
            return _comment(comment)

        return self._call(f"update comment {comment_id} on {repo}", update)

    def create_review(
        self,
        repo: str,
        number: int,
        *,
        commit_sha: str,
        body: str,
        comments: Sequence[ReviewComment],
    ) -> Review:
        repository = self._repo(repo)
        items: list[PyGithubReviewComment] = [_review_item(c) for c in comments]

        def create() -> Review:
            review = repository.get_pull(number).create_review(
                commit=repository.get_commit(commit_sha),
                body=body,
                event="COMMENT",
                comments=items,
            )
            return Review(review.id, review.html_url or "")

        return self._call(f"create a review on {repo}#{number}", create)

    def review_comments(self, repo: str, number: int) -> tuple[PostedReviewComment, ...]:
        def fetch() -> tuple[PostedReviewComment, ...]:
            comments = self._repo(repo).get_pull(number).get_review_comments()
            return tuple(_posted_review_comment(c) for c in comments)

        return self._call(f"list the review comments of pull request {repo}#{number}", fetch)

    def review_comment_reactions(self, repo: str, comment_id: int) -> tuple[GivenReaction, ...]:
        url = f"{self._repo(repo).url}/pulls/comments/{comment_id}"

        def fetch() -> tuple[GivenReaction, ...]:
            # A comment object made from its URL sends no request of its own (lazy).
            comment = PullRequestComment(self._github.requester, url=url)
            return tuple(
                GivenReaction(
                    r.user.login if r.user is not None else "ghost",
                    r.user is not None and r.user.type == "Bot",
                    r.content,
                )
                for r in comment.get_reactions()
            )

        return self._call(f"list the reactions to review comment {comment_id} on {repo}", fetch)

    def add_reaction(self, repo: str, comment_id: int, reaction: Reaction) -> None:
        def react() -> None:
            self._comment_object(repo, comment_id).create_reaction(reaction)

        self._call(f"react {reaction} to comment {comment_id} on {repo}", react)

    # -- plumbing ------------------------------------------------------------------------------

    def _repo(self, repo: str) -> Repository:
        if not _REPO.match(repo):
            raise ValueError(f"{repo!r} is not a repository name; write it as OWNER/NAME")
        return self._github.get_repo(repo)  # lazy, as the client is: no request

    def _comment_object(self, repo: str, comment_id: int) -> IssueComment:
        url = f"{self._repo(repo).url}/issues/comments/{comment_id}"
        return IssueComment(self._github.requester, url=url)

    def _call(self, operation: str, call: Callable[[], T]) -> T:
        return call_with_retries(
            operation, call, read_failure=read_failure, settings=self._settings, sleep=self._sleep
        )


def _comment(comment: IssueComment) -> Comment:
    user = comment.user
    return Comment(comment.id, comment.body or "", user.login, user.type == "Bot", comment.html_url)


def _posted_review_comment(comment: PullRequestComment) -> PostedReviewComment:
    user = comment.user  # None for a deleted account
    # ``reactions`` is GitHub's summary object ({"url", "total_count", "+1", "-1", ...}) that
    # the list answer carries for every comment, so reading it sends no request.
    reactions = comment.reactions or {}
    return PostedReviewComment(
        comment.id,
        comment.body or "",
        user.login if user is not None else "ghost",
        user is not None and user.type == "Bot",
        int(reactions.get("-1") or 0),
    )


def _review_item(comment: ReviewComment) -> PyGithubReviewComment:
    item: PyGithubReviewComment = {
        "path": comment.path,
        "body": comment.body,
        "line": comment.line,
        "side": "RIGHT",
    }
    if comment.start_line is not None and comment.start_line != comment.line:
        item["start_line"] = comment.start_line
        item["start_side"] = "RIGHT"
    return item


def read_failure(exc: Exception) -> Failure | None:
    """A PyGithub error (or a failed connection) as a ``Failure``; None for anything else."""
    if isinstance(exc, GithubException):
        headers = {k.lower(): v for k, v in (exc.headers or {}).items()}
        data: Any = exc.data if isinstance(exc.data, dict) else {}
        message = str(data.get("message") or exc.message or "no message")
        errors = tuple(_error_text(e) for e in data.get("errors") or ())
        return Failure(
            exc.status,
            message,
            rate_limited=_rate_limited(exc.status, headers, message),
            retry_after=_retry_after(headers),
            errors=errors,
        )
    if isinstance(exc, OSError):  # requests' ConnectionError and Timeout are OSErrors
        return Failure(0, f"{type(exc).__name__}: {exc}")
    return None


def _rate_limited(status: int, headers: dict[str, str], message: str) -> bool:
    if status == 429:
        return True
    if status != 403:
        return False
    lowered = message.lower()
    return (
        "retry-after" in headers
        or headers.get("x-ratelimit-remaining") == "0"
        or lowered.startswith("api rate limit exceeded")
        or any(phrase in lowered for phrase in _SECONDARY_LIMIT)
    )


def _retry_after(headers: dict[str, str]) -> float | None:
    """Seconds to wait: ``Retry-After`` (seconds or an HTTP date), else the rate limit's reset
    time when it is used up."""
    value = headers.get("retry-after")
    if value is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
            except (TypeError, ValueError):
                return None
    if headers.get("x-ratelimit-remaining") == "0" and "x-ratelimit-reset" in headers:
        try:
            return max(0.0, float(headers["x-ratelimit-reset"]) - time.time())
        except ValueError:
            return None
    return None


def _error_text(error: Any) -> str:
    if isinstance(error, dict):
        if error.get("message"):
            return str(error["message"])
        where = ".".join(str(error[k]) for k in ("resource", "field") if error.get(k))
        return f"{where}: {error.get('code', 'invalid')}" if where else str(error)
    return str(error)
