"""A unified diff of one file's change, in the form ``git apply`` takes."""

from __future__ import annotations

import difflib

from perforch_bot.targets._text import decode, split_lines

_NO_NEWLINE = "\\ No newline at end of file\n"


def unified_diff(path: str, before: bytes, after: bytes, *, context: int = 3) -> str:
    """The change from ``before`` to ``after`` as a git-style patch for ``path`` (relative to
    the repository root); empty when nothing changed. Line endings (CRLF too) and a missing
    final newline are kept, so the patch applies byte for byte."""
    if before == after:
        return ""
    old, new = split_lines(before), split_lines(after)
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    out = [f"diff --git a/{path} b/{path}\n", f"--- a/{path}\n", f"+++ b/{path}\n"]
    for group in matcher.get_grouped_opcodes(context):
        first, last = group[0], group[-1]
        out.append(f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n")
        for tag, old_start, old_end, new_start, new_end in group:
            if tag == "equal":
                out.extend(_lines(" ", old[old_start:old_end]))
                continue
            if tag in ("replace", "delete"):
                out.extend(_lines("-", old[old_start:old_end]))
            if tag in ("replace", "insert"):
                out.extend(_lines("+", new[new_start:new_end]))
    return "".join(out)


def _lines(prefix: str, lines: list[bytes]) -> list[str]:
    result: list[str] = []
    for line in lines:
        text = decode(line)
        if text.endswith("\n"):
            result.append(prefix + text)
        else:
            result.extend((prefix + text + "\n", _NO_NEWLINE))
    return result


def _range(start: int, stop: int) -> str:
    """A hunk range in unified-diff notation (as difflib writes it: an empty range names the
    line before it)."""
    beginning, length = start + 1, stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1
    return f"{beginning},{length}"
