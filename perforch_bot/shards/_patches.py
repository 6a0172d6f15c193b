"""A run's patch split per file, and a file's patch applied to the file: the patches PerfOrch
writes itself (``unified_diff``), applied exactly (every context and removed line must match)."""

from __future__ import annotations

import re

from perforch_bot.errors import PerforchError
from perforch_bot.targets._text import decode, encode, split_lines

_HEADER = "diff --git "
_HUNK = re.compile(rb"^@@ -(\d+)(?:,(\d+))? \+\d+(?:,\d+)? @@")


class PatchError(PerforchError):
    """A patch that does not apply to the file it is for."""


def split_patch(patch: str) -> dict[str, str]:
    """``patch`` (one or more files' diffs, as a run writes it) -> path -> that file's diff."""
    files: dict[str, str] = {}
    for part in re.split(r"(?m)^(?=diff --git )", patch):
        if not part.startswith(_HEADER):
            if part.strip():
                raise PatchError(f"text before the first file of the patch: {part[:80]!r}")
            continue
        path = next(
            (line[len("+++ b/") :] for line in part.split("\n") if line.startswith("+++ b/")),
            None,
        )
        if path is None:
            raise PatchError(f"a file's diff without a `+++ b/` line: {part[:80]!r}")
        if path in files:
            raise PatchError(f"{path} is patched twice")
        files[path] = part
    return files


def apply_patch(path: str, original: bytes, patch: str) -> bytes:
    """``original`` with ``patch`` (one file's diff, made against exactly ``original``)."""
    old = split_lines(original)
    lines = split_lines(encode(patch))
    out: list[bytes] = []
    at = 0
    index = next((i for i, line in enumerate(lines) if line.startswith(b"@@")), len(lines))
    while index < len(lines):
        match = _HUNK.match(lines[index])
        if match is None:
            raise PatchError(f"{path}: not a hunk header: {decode(lines[index])!r}")
        length = int(match.group(2) or b"1")
        start = int(match.group(1)) - (1 if length else 0)
        before, after, index = _hunk(lines, index + 1)
        if start < at or old[start : start + len(before)] != before:
            raise PatchError(
                f"{path}: the patch does not apply at line {start + 1}; is the file the one "
                "the run started from (the plan's head commit)?"
            )
        out += old[at:start] + after
        at = start + len(before)
    return b"".join(out + old[at:])


def _hunk(lines: list[bytes], index: int) -> tuple[list[bytes], list[bytes], int]:
    """A hunk's old and new lines, and where the next hunk starts."""
    before: list[bytes] = []
    after: list[bytes] = []
    last: tuple[list[bytes], ...] = ()
    while index < len(lines) and not lines[index].startswith(b"@@"):
        tag, text = lines[index][:1], lines[index][1:]
        index += 1
        if tag == b"\\":  # "\ No newline at end of file": the line before has none
            for side in last:
                side[-1] = side[-1].removesuffix(b"\n")
            continue
        last = {b" ": (before, after), b"-": (before,), b"+": (after,)}.get(tag, ())
        if not last:
            raise PatchError(f"not a line of a hunk: {decode(lines[index - 1])!r}")
        for side in last:
            side.append(text)
    return before, after, index
