"""What the bot reads from and writes to GitHub, as frozen values (no PyGithub types leak out)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from perforch_bot.targets import Suggestion

Reaction = Literal["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"]

# The legacy base roles that may ask PerfOrch for work: ``maintain`` reads as ``write`` and
# ``triage`` as ``read`` in GitHub's ``permission`` field, so this covers write/maintain/admin.
WRITE_LEVELS = frozenset({"admin", "write"})


@dataclass(frozen=True)
class PullRequest:
    number: int
    title: str
    author: str
    head_sha: str
    base_sha: str
    head_ref: str
    base_ref: str
    draft: bool
    state: str  # "open" or "closed"


@dataclass(frozen=True)
class ChangedFile:
    """One file of a pull request. ``patch`` holds its hunks (``@@ ... @@`` and lines), or None
    when GitHub shows none (a binary file, or a diff too large to show)."""

    path: str
    status: str  # added, removed, modified, renamed, copied, changed, unchanged
    previous_path: str | None
    patch: str | None


@dataclass(frozen=True)
class Issue:
    number: int
    title: str
    body: str
    author: str
    state: str
    labels: tuple[str, ...]
    is_pull_request: bool


@dataclass(frozen=True)
class Comment:
    """An issue or pull-request conversation comment."""

    id: int
    body: str
    author: str
    author_is_bot: bool  # the account's type is "Bot" (a GitHub App, github-actions[bot])
    url: str


@dataclass(frozen=True)
class PostedReviewComment:
    """A review comment already on a pull request (PerfOrch's suggestions are review comments),
    with how many 👎 it has: the ``-1`` count of the ``reactions`` summary GitHub lists it with."""

    id: int
    body: str
    author: str
    author_is_bot: bool  # the account's type is "Bot"
    thumbs_down: int = 0


@dataclass(frozen=True)
class GivenReaction:
    """A reaction someone gave (``content`` is one of GitHub's eight, ``-1`` for 👎)."""

    user: str
    user_is_bot: bool  # the account's type is "Bot"
    content: str


@dataclass(frozen=True)
class Permission:
    """A user's access to a repository. ``level`` is GitHub's legacy base role (``admin``,
    ``write``, ``read`` or ``none``); ``role`` the role's name (``maintain``, ``triage`` or a
    custom role included)."""

    user: str
    level: str
    role: str

    @property
    def can_write(self) -> bool:
        """Write, maintain or admin (or a custom role built on write)."""
        return self.level in WRITE_LEVELS


@dataclass(frozen=True)
class ReviewComment:
    """A review comment on new-side (RIGHT) lines ``start_line..line`` of ``path`` (one line when
    ``start_line`` is None)."""

    path: str
    line: int
    body: str
    start_line: int | None = None

    @classmethod
    def from_suggestion(cls, suggestion: Suggestion) -> ReviewComment:
        """The review comment carrying a ```suggestion block (see ``targets.suggestion_for``)."""
        start = suggestion.start_line if suggestion.start_line != suggestion.end_line else None
        return cls(suggestion.path, suggestion.end_line, suggestion.body, start)

    def fields(self) -> dict[str, str | int]:
        """The comment as the "create a review" request's ``comments`` item."""
        fields: dict[str, str | int] = {
            "path": self.path,
            "body": self.body,
            "line": self.line,
            "side": "RIGHT",
        }
        if self.start_line is not None and self.start_line != self.line:
            fields.update(start_line=self.start_line, start_side="RIGHT")
        return fields


@dataclass(frozen=True)
class Review:
    id: int
    url: str


def diff_from_files(files: Iterable[ChangedFile]) -> str:
    """The pull request's unified diff, as ``git diff`` writes it, from its files' patches (what
    ``targets.targets_from_diff`` reads). Files GitHub shows no patch for are left out."""
    parts: list[str] = []
    for changed in files:
        if changed.patch is None:
            continue
        old = changed.previous_path or changed.path
        source = "/dev/null" if changed.status == "added" else f"a/{old}"
        target = "/dev/null" if changed.status == "removed" else f"b/{changed.path}"
        patch = changed.patch if changed.patch.endswith("\n") else changed.patch + "\n"
        parts.append(f"diff --git a/{old} b/{changed.path}\n--- {source}\n+++ {target}\n{patch}")
    return "".join(parts)
