"""GitHub: what PerfOrch reads and posts, behind one small interface.

``GitHubClient`` (a Protocol) lists every call the bot makes: a pull request and its files, an
issue, a user's permission, the comments that carry a marker, a comment created or updated, a
review with suggestion comments, a pull request's review comments with their 👎 counts and
who reacted to one, a reaction. ``PyGithubClient`` implements it over PyGithub (the only
module importing ``github``), with explicit retries: 5xx and dropped connections a few times
with backoff, rate limits (403/429) after the ``Retry-After`` wait when it is short enough.
Failures are ``perforch_bot.errors.GitHubError``s of the kinds below.

Feature functions take the client as a parameter: ``upsert_summary`` keeps the one summary
comment (found by ``SUMMARY_MARKER``, trimmed by ``trim_report`` to GitHub's 65,536-character
limit with a pointer to the full report).

PyGithub takes half a second to import, so ``PyGithubClient`` is imported on first use: the
rest of the package (and ``perforch event``) stays light.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from perforch_bot.errors import GitHubError
from perforch_bot.github._client import GitHubClient
from perforch_bot.github._errors import (
    GitHubNotFoundError,
    GitHubPermissionError,
    GitHubRateLimitError,
    GitHubRequestError,
    GitHubUnavailableError,
    GitHubValidationError,
)
from perforch_bot.github._model import (
    WRITE_LEVELS,
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
    diff_from_files,
)
from perforch_bot.github._retry import ClientSettings
from perforch_bot.github._summary import (
    COMMENT_LIMIT,
    SUMMARY_MARKER,
    comment_length,
    is_own_comment,
    trim_report,
    upsert_summary,
)

__all__ = [
    "COMMENT_LIMIT",
    "DEFAULT_API_URL",
    "SUMMARY_MARKER",
    "WRITE_LEVELS",
    "ChangedFile",
    "ClientSettings",
    "Comment",
    "GitHubClient",
    "GitHubError",
    "GitHubNotFoundError",
    "GitHubPermissionError",
    "GitHubRateLimitError",
    "GitHubRequestError",
    "GitHubUnavailableError",
    "GitHubValidationError",
    "GivenReaction",
    "Issue",
    "Permission",
    "PostedReviewComment",
    "PullRequest",
    "PyGithubClient",
    "Reaction",
    "Review",
    "ReviewComment",
    "comment_length",
    "diff_from_files",
    "is_own_comment",
    "trim_report",
    "upsert_summary",
]

if TYPE_CHECKING:
    from perforch_bot.github._pygithub import DEFAULT_API_URL, PyGithubClient


def __getattr__(name: str) -> Any:
    if name in ("PyGithubClient", "DEFAULT_API_URL"):
        from perforch_bot.github import _pygithub

        return getattr(_pygithub, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
