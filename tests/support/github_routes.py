"""What the loopback GitHub server answers: on each endpoint, when no fault is scripted, the
example bodies with the server's state laid over them, and GitHub's checks (a review comment
must lie in a hunk of its file, a comment body must fit in 65,536 characters, a reaction must
be one of GitHub's eight); and the scripted faults, with GitHub's error bodies."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from tests.support import github_bodies as bodies

if TYPE_CHECKING:
    from tests.support.github_server import GitHubServer

APP_LOGIN = "github-actions[bot]"  # who the server says wrote what the client posts
BODY_LIMIT = 65_536
REACTIONS = ("+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes")
OUTSIDE_DIFF = (
    "Pull request review thread line must be part of the diff and Pull request review thread "
    "start line must be part of the same hunk as the line."
)
_HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)


@dataclass(frozen=True)
class Answer:
    status: int
    body: Any
    headers: dict[str, str] = field(default_factory=dict)


_MESSAGES = {
    401: "Bad credentials",
    403: "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again. If you reach out to GitHub Support for help, please include the request ID.",
    404: "Not Found",
    410: "Gone",
    422: "Validation Failed",
    429: "You have exceeded a secondary rate limit. Please wait a few minutes before you try "
    "again.",
}


@dataclass(frozen=True)
class Fault:
    """An error answer: ``status`` with GitHub's error body (``message`` defaults to what GitHub
    says for it; a 403's default is the secondary-rate-limit text), ``Retry-After`` when
    ``retry_after`` is given, and any other ``headers``."""

    status: int
    retry_after: float | None = None
    message: str | None = None
    errors: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Drop:
    """Close the connection without answering (a dropped connection)."""


Behaviour = Fault | Drop


def fault_answer(fault: Fault) -> Answer:
    message = fault.message or _MESSAGES.get(fault.status, "Server Error")
    headers = dict(fault.headers)
    if fault.retry_after is not None:
        headers["Retry-After"] = f"{fault.retry_after:g}"
    return Answer(fault.status, bodies.error_body(message, fault.errors), headers)


def _not_found() -> Answer:
    return Answer(404, bodies.error_body("Not Found"))


def _invalid(*errors: Any) -> Answer:
    body = bodies.error_body("Validation Failed")
    body["errors"] = list(errors)
    return Answer(422, body)


def _number(path: str) -> int:
    return int(path.split("/")[5])


def answer(
    server: GitHubServer, endpoint: str, path: str, query: dict[str, str], body: Any
) -> Answer:
    with server.lock:
        if endpoint == bodies.PERMISSION:
            return _permission(server, unquote(path.split("/")[5]))
        if endpoint in (bodies.EDIT_COMMENT, bodies.REACTIONS):
            return _on_comment(server, endpoint, int(path.split("/")[6]), body)
        if endpoint == bodies.REVIEW_REACTIONS:
            comment_id = int(path.split("/")[6])
            if comment_id not in server.review_reactions:
                return _not_found()
            return _page(server, path, query, server.review_reactions[comment_id])
        number = _number(path)
        if endpoint in (bodies.PULL, bodies.PULL_FILES, bodies.REVIEWS, bodies.REVIEW_COMMENTS):
            if number not in server.pulls:
                return _not_found()
            if endpoint == bodies.PULL:
                return Answer(200, server.pulls[number])
            if endpoint == bodies.PULL_FILES:
                return _page(server, path, query, server.files[number])
            if endpoint == bodies.REVIEW_COMMENTS:
                return _page(server, path, query, server.review_comments.get(number, []))
            return _review(server, number, body)
        if number not in server.issues:
            return _not_found()
        if endpoint == bodies.ISSUE:
            return Answer(200, server.issues[number])
        if endpoint == bodies.COMMENTS:
            return _page(server, path, query, server.comments[number])
        return _new_comment(server, number, body)


def _page(server: GitHubServer, path: str, query: dict[str, str], items: list[Any]) -> Answer:
    per_page = int(query.get("per_page", "30"))
    page = int(query.get("page", "1"))
    last = max(1, -(-len(items) // per_page))
    headers = {}
    if page < last:
        link = f"{server.base_url}{path}?per_page={per_page}&page="
        headers["Link"] = f'<{link}{page + 1}>; rel="next", <{link}{last}>; rel="last"'
    return Answer(200, items[(page - 1) * per_page : page * per_page], headers)


def _body_error(body: Any) -> Answer | None:
    text = body.get("body") if isinstance(body, dict) else None
    if not isinstance(text, str) or not text:
        return _invalid({"resource": "IssueComment", "code": "missing_field", "field": "body"})
    if len(text) > BODY_LIMIT:
        message = f"body is too long (maximum is {BODY_LIMIT} characters)"
        return _invalid(
            {"resource": "IssueComment", "code": "custom", "field": "body", "message": message}
        )
    return None


def _new_comment(server: GitHubServer, number: int, body: Any) -> Answer:
    refused = _body_error(body)
    if refused is not None:
        return refused
    comment = server.new_comment(
        number, body["body"], bodies.user(server.base_url, APP_LOGIN, "Bot")
    )
    server.comments[number].append(comment)
    return Answer(201, comment, {"Location": comment["url"]})


def _on_comment(server: GitHubServer, endpoint: str, comment_id: int, body: Any) -> Answer:
    found = [c for thread in server.comments.values() for c in thread if c["id"] == comment_id]
    if not found:
        return _not_found()
    comment = found[0]
    if endpoint == bodies.EDIT_COMMENT:
        refused = _body_error(body)
        if refused is not None:
            return refused
        comment.update(body=body["body"], updated_at="2026-01-02T03:04:05Z")
        return Answer(200, comment)
    content = body.get("content") if isinstance(body, dict) else None
    if content not in REACTIONS:
        return _invalid({"resource": "Reaction", "code": "invalid", "field": "content"})
    reaction = bodies.reaction(
        server.next_id(), content, bodies.user(server.base_url, APP_LOGIN, "Bot")
    )
    given = server.reactions.setdefault(comment_id, [])
    if content in given:
        return Answer(200, reaction)  # GitHub: "Reaction exists"
    given.append(content)
    return Answer(201, reaction)


def _hunks(patch: str) -> list[range]:
    """The new-side line ranges of the patch's hunks (``@@ -a,b +c,d @@``: c .. c+d-1)."""
    return [
        range(int(start), int(start) + int(length or 1)) for start, length in _HUNK.findall(patch)
    ]


def _outside(files: list[dict[str, Any]], comment: Any) -> bool:
    if not isinstance(comment, dict) or comment.get("side", "RIGHT") != "RIGHT":
        return True
    patches = [f.get("patch") for f in files if f["filename"] == comment.get("path")]
    line = comment.get("line")
    start = comment.get("start_line", line)
    if not patches or not patches[0] or not isinstance(line, int) or not isinstance(start, int):
        return True
    return not any(start in hunk and line in hunk and start <= line for hunk in _hunks(patches[0]))


def _review(server: GitHubServer, number: int, body: Any) -> Answer:
    pull = server.pulls[number]
    request = body if isinstance(body, dict) else {}
    commit = request.get("commit_id", pull["head"]["sha"])
    if commit != pull["head"]["sha"]:
        return Answer(
            422,
            bodies.error_body(
                "Unprocessable Entity", ("commit_id is not part of the pull request",)
            ),
        )
    if any(_outside(server.files[number], c) for c in request.get("comments", [])):
        return Answer(422, bodies.error_body("Unprocessable Entity", (OUTSIDE_DIFF,)))
    review = bodies.rebase(bodies.example(bodies.REVIEWS), server.base_url, server.repo)
    review_id = server.next_id()
    review.update(
        id=review_id,
        body=request.get("body", ""),
        state="COMMENTED",
        commit_id=commit,
        user=bodies.user(server.base_url, APP_LOGIN, "Bot"),
        html_url=f"https://github.com/{server.repo}/pull/{number}#pullrequestreview-{review_id}",
        pull_request_url=f"{server.base_url}/repos/{server.repo}/pulls/{number}",
    )
    server.reviews.setdefault(number, []).append({"review": review, "request": request})
    for comment in request.get("comments", []):
        server.add_review_comment(
            number,
            str(comment.get("body", "")),
            path=comment["path"],
            line=comment["line"],
            start_line=comment.get("start_line"),
            author=APP_LOGIN,
            bot=True,
            review_id=review_id,
        )
    return Answer(200, review)


def _permission(server: GitHubServer, login: str) -> Answer:
    permission, role = server.permissions.get(login, ("read", "read"))
    shaped = bodies.example(bodies.PERMISSION)
    shaped.update(permission=permission, role_name=role, user=bodies.user(server.base_url, login))
    return Answer(200, shaped)
