"""An in-memory ``GitHubClient`` that records every call: for testing feature functions (those
that take the client as a parameter) without HTTP. ``failures`` makes a method raise once per
queued error. The loopback server (``github_server``) is the one to test the PyGithub client
itself against."""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from perforch_bot.github import (
    ChangedFile,
    Comment,
    GitHubClient,
    GitHubError,
    GivenReaction,
    Issue,
    Permission,
    PostedReviewComment,
    PullRequest,
    Reaction,
    Review,
    ReviewComment,
)


@dataclass
class FakeGitHub:
    pulls: dict[tuple[str, int], PullRequest] = field(default_factory=dict)
    files: dict[tuple[str, int], tuple[ChangedFile, ...]] = field(default_factory=dict)
    issues: dict[tuple[str, int], Issue] = field(default_factory=dict)
    permissions: dict[tuple[str, str], Permission] = field(default_factory=dict)
    comments: dict[tuple[str, int], list[Comment]] = field(default_factory=dict)
    reviews: list[tuple[str, int, str, str, tuple[ReviewComment, ...]]] = field(
        default_factory=list
    )
    review_comments_of: dict[tuple[str, int], list[PostedReviewComment]] = field(
        default_factory=dict
    )
    reactions: list[tuple[str, int, Reaction]] = field(default_factory=list)
    review_reactions: dict[int, list[GivenReaction]] = field(default_factory=dict)
    calls: list[tuple[str, tuple[Any, ...]]] = field(default_factory=list)
    failures: dict[str, deque[GitHubError]] = field(default_factory=dict)
    login: str = "perforch[bot]"
    _next_id: int = 1

    def fail(self, method: str, *errors: GitHubError) -> None:
        self.failures.setdefault(method, deque()).extend(errors)

    def _enter(self, method: str, *arguments: Any) -> None:
        self.calls.append((method, arguments))
        queued = self.failures.get(method)
        if queued:
            raise queued.popleft()

    def pull_request(self, repo: str, number: int) -> PullRequest:
        self._enter("pull_request", repo, number)
        return self.pulls[(repo, number)]

    def pull_request_files(self, repo: str, number: int) -> tuple[ChangedFile, ...]:
        self._enter("pull_request_files", repo, number)
        return self.files.get((repo, number), ())

    def issue(self, repo: str, number: int) -> Issue:
        self._enter("issue", repo, number)
        return self.issues[(repo, number)]

    def permission(self, repo: str, user: str) -> Permission:
        self._enter("permission", repo, user)
        return self.permissions.get((repo, user), Permission(user, "read", "read"))

    def find_comments(self, repo: str, number: int, marker: str) -> tuple[Comment, ...]:
        self._enter("find_comments", repo, number, marker)
        return tuple(c for c in self.comments.get((repo, number), []) if marker in c.body)

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        self._enter("create_comment", repo, number, body)
        self._next_id += 1
        comment = Comment(self._next_id, body, self.login, True, f"fake://{self._next_id}")
        self.comments.setdefault((repo, number), []).append(comment)
        return comment

    def update_comment(self, repo: str, comment_id: int, body: str) -> Comment:
        self._enter("update_comment", repo, comment_id, body)
        for thread in self.comments.values():
            for index, comment in enumerate(thread):
                if comment.id == comment_id:
                    thread[index] = Comment(
                        comment.id, body, comment.author, comment.author_is_bot, comment.url
                    )
                    return thread[index]
        raise KeyError(comment_id)

    def create_review(
        self,
        repo: str,
        number: int,
        *,
        commit_sha: str,
        body: str,
        comments: Sequence[ReviewComment],
    ) -> Review:
        self._enter("create_review", repo, number, commit_sha, body, tuple(comments))
        self.reviews.append((repo, number, commit_sha, body, tuple(comments)))
        posted = self.review_comments_of.setdefault((repo, number), [])
        for comment in comments:
            self._next_id += 1
            posted.append(PostedReviewComment(self._next_id, comment.body, self.login, True))
        return Review(len(self.reviews), f"fake://review/{len(self.reviews)}")

    def review_comments(self, repo: str, number: int) -> tuple[PostedReviewComment, ...]:
        self._enter("review_comments", repo, number)
        return tuple(self.review_comments_of.get((repo, number), []))

    def review_comment_reactions(self, repo: str, comment_id: int) -> tuple[GivenReaction, ...]:
        self._enter("review_comment_reactions", repo, comment_id)
        return tuple(self.review_reactions.get(comment_id, []))

    def thumbs_down(self, comment_id: int, by: str, *, bot: bool = False) -> None:
        """``by`` gives the review comment ``comment_id`` a 👎 (a ``-1`` reaction)."""
        for posted in self.review_comments_of.values():
            for index, comment in enumerate(posted):
                if comment.id == comment_id:
                    posted[index] = replace(comment, thumbs_down=comment.thumbs_down + 1)
                    given = GivenReaction(by, bot, "-1")
                    self.review_reactions.setdefault(comment_id, []).append(given)
                    return
        raise KeyError(comment_id)

    def add_reaction(self, repo: str, comment_id: int, reaction: Reaction) -> None:
        self._enter("add_reaction", repo, comment_id, reaction)
        self.reactions.append((repo, comment_id, reaction))


def _conforms(fake: FakeGitHub) -> GitHubClient:
    return fake  # mypy checks that FakeGitHub implements the interface
