"""``GitHubClient``: everything PerfOrch does on GitHub, as one small typed interface.

Feature code takes a ``GitHubClient`` as a parameter (``upsert_summary(client, ...)``,
``events.authorize(client, trigger)``), so tests hand it a fake and production hands it a
``PyGithubClient``. ``repo`` is always ``"owner/name"``; ``number`` a pull request's or an
issue's number (they share one sequence).

Every method either returns or raises a ``perforch_bot.errors.GitHubError``:
``GitHubUnavailableError`` (5xx or no answer, after the retries), ``GitHubRateLimitError``,
``GitHubValidationError`` (422: e.g. a review comment outside the diff's hunks),
``GitHubNotFoundError`` (404/410) and ``GitHubPermissionError`` (401/403).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

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


class GitHubClient(Protocol):
    def pull_request(self, repo: str, number: int) -> PullRequest:
        """The pull request: head and base commits, draft or not, author.
        ``GET /repos/{repo}/pulls/{number}``"""
        ...

    def pull_request_files(self, repo: str, number: int) -> tuple[ChangedFile, ...]:
        """Its changed files with their patches, every page (``diff_from_files`` joins them
        into a unified diff). ``GET /repos/{repo}/pulls/{number}/files``"""
        ...

    def issue(self, repo: str, number: int) -> Issue:
        """The issue (or a pull request seen as an issue), with its body.
        ``GET /repos/{repo}/issues/{number}``"""
        ...

    def permission(self, repo: str, user: str) -> Permission:
        """``user``'s access to the repository.
        ``GET /repos/{repo}/collaborators/{user}/permission``"""
        ...

    def find_comments(self, repo: str, number: int, marker: str) -> tuple[Comment, ...]:
        """The conversation comments whose body contains ``marker``, oldest first, every
        page. ``GET /repos/{repo}/issues/{number}/comments``"""
        ...

    def create_comment(self, repo: str, number: int, body: str) -> Comment:
        """``POST /repos/{repo}/issues/{number}/comments``"""
        ...

    def update_comment(self, repo: str, comment_id: int, body: str) -> Comment:
        """Replace a comment's body. ``PATCH /repos/{repo}/issues/comments/{comment_id}``"""
        ...

    def create_review(
        self,
        repo: str,
        number: int,
        *,
        commit_sha: str,
        body: str,
        comments: Sequence[ReviewComment],
    ) -> Review:
        """A ``COMMENT`` review on ``commit_sha`` with line comments (```suggestion blocks).
        GitHub refuses the whole review with a 422 (``GitHubValidationError``) when a comment
        lies outside the diff's hunks. ``POST /repos/{repo}/pulls/{number}/reviews``"""
        ...

    def review_comments(self, repo: str, number: int) -> tuple[PostedReviewComment, ...]:
        """The pull request's review comments (line comments of reviews, PerfOrch's suggestions
        among them), oldest first, every page, each with its count of 👎 (``-1``) reactions.
        ``GET /repos/{repo}/pulls/{number}/comments``"""
        ...

    def review_comment_reactions(self, repo: str, comment_id: int) -> tuple[GivenReaction, ...]:
        """Who reacted to a review comment, and how, every page.
        ``GET /repos/{repo}/pulls/comments/{comment_id}/reactions``"""
        ...

    def add_reaction(self, repo: str, comment_id: int, reaction: Reaction) -> None:
        """React to a conversation comment (adding one that exists is fine).
        ``POST /repos/{repo}/issues/comments/{comment_id}/reactions``"""
        ...
