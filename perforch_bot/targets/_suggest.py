"""GitHub suggestions: a review comment whose ```suggestion block replaces the function's lines.

GitHub accepts a (multi-line) review comment only on lines of one hunk of the pull request's
diff, on the RIGHT (new) side; elsewhere it answers 422. So when the function's lines are not
inside a hunk, the result says so and carries the patch to use instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from perforch_bot.targets._diff import Hunk
from perforch_bot.targets._patch import unified_diff
from perforch_bot.targets._text import decode, split_lines
from perforch_bot.targets._writeback import Edit

_BACKTICKS = re.compile(r"`{3,}")


@dataclass(frozen=True)
class Suggestion:
    """A review comment on new-side lines ``start_line..end_line`` of ``path``."""

    path: str
    start_line: int
    end_line: int
    body: str

    def review_comment(self) -> dict[str, object]:
        """The fields of GitHub's "create a review comment" request (commit_id aside)."""
        fields: dict[str, object] = {
            "path": self.path,
            "body": self.body,
            "line": self.end_line,
            "side": "RIGHT",
        }
        if self.start_line != self.end_line:
            fields.update(start_line=self.start_line, start_side="RIGHT")
        return fields


@dataclass(frozen=True)
class OutsideHunks:
    """The lines are not all inside one hunk: no suggestion is possible; use ``patch``."""

    path: str
    start_line: int
    end_line: int
    reason: str
    patch: str


def suggestion_for(
    edit: Edit, hunks: Sequence[Hunk], message: str = ""
) -> Suggestion | OutsideHunks:
    """A suggestion replacing the edited lines when GitHub will accept one, else the patch.

    ``hunks`` are the pull request's hunks for ``edit.path``; ``message`` goes above the block.
    """
    first, last = edit.replaced.start_line, edit.replaced.end_line
    if not any(hunk.covers(first, last) for hunk in hunks):
        shown = ", ".join(f"+{h.target_start},{h.target_length}" for h in hunks) or "none"
        return OutsideHunks(
            edit.path,
            first,
            last,
            f"lines {first}-{last} of {edit.path} are not inside one hunk of the pull "
            f"request's diff (its hunks: {shown}); GitHub refuses review comments outside the "
            "diff, so apply the patch instead",
            unified_diff(edit.path, edit.original, edit.updated),
        )
    old_lines, new_lines = split_lines(edit.original), split_lines(edit.updated)
    new_last = last + len(new_lines) - len(old_lines)
    content = "\n".join(
        decode(line).removesuffix("\n").removesuffix("\r")
        for line in new_lines[first - 1 : new_last]
    )
    longest = max((len(run) for run in _BACKTICKS.findall(content)), default=2)
    fence = "`" * max(3, longest + 1)
    block = f"{fence}suggestion\n{content}\n{fence}" if content else f"{fence}suggestion\n{fence}"
    body = f"{message}\n\n{block}" if message else block
    return Suggestion(edit.path, first, last, body)
