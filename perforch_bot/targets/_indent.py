"""Indentation: taking a function out of its place (dedent) and putting code back (re-indent).

Lines that start inside a multi-line string literal are never touched: their leading whitespace
is part of the string's value. Whitespace-only lines are left as they are, so that
dedent followed by re-indent gives back the original bytes.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from tree_sitter import Node

from perforch_bot.targets._text import decode, split_lines


def interior_line_starts(
    root: Node, source: bytes, types: Iterable[str], start: int, end: int
) -> frozenset[int]:
    """Offsets of the line starts in ``[start, end)`` that lie inside a node of ``types``
    (multi-line strings or comments)."""
    wanted = frozenset(types)
    result: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_byte <= start or node.start_byte >= end:
            continue
        if node.type in wanted:
            position = source.find(b"\n", node.start_byte, node.end_byte)
            while position != -1 and position + 1 < node.end_byte:
                if start <= position + 1 < end:
                    result.add(position + 1)
                position = source.find(b"\n", position + 1, node.end_byte)
            continue
        stack.extend(node.children)
    return frozenset(result)


def dedent(source: bytes, start: int, end: int, indent: bytes, protected: frozenset[int]) -> str:
    """The text of ``source[start:end]`` with ``indent`` removed from every line after the
    first, ``\\n`` line endings, protected and whitespace-only lines left alone."""
    pieces: list[bytes] = []
    position = start
    for line in split_lines(source[start:end]):
        if (
            position != start
            and position not in protected
            and line.strip()
            and line.startswith(indent)
        ):
            pieces.append(line[len(indent) :])
        else:
            pieces.append(line)
        position += len(line)
    return decode(b"".join(pieces).replace(b"\r\n", b"\n"))


def leading_whitespace(line: str) -> str:
    return line[: len(line) - len(line.lstrip(" \t"))]


def indent_unit(lines: list[str], skip: frozenset[int]) -> str | None:
    """The indentation step of ``lines`` (a tab, or N spaces): tab if any line is indented
    with one, else the most common increase from one line to the next (ties: the smaller)."""
    previous: int | None = None
    steps: Counter[int] = Counter()
    for index, line in enumerate(lines):
        if index in skip or not line.strip():
            continue
        whitespace = leading_whitespace(line)
        if whitespace.startswith("\t"):
            return "\t"
        if previous is not None and len(whitespace) > previous:
            steps[len(whitespace) - previous] += 1
        previous = len(whitespace)
    if not steps:
        return None
    best = max(steps.values())
    return " " * min(step for step, count in steps.items() if count == best)


def _convert(whitespace: str, source_unit: str, target_unit: str) -> str:
    if source_unit == "\t":
        tabs = len(whitespace) - len(whitespace.lstrip("\t"))
        return target_unit * tabs + whitespace[tabs:]
    width = len(source_unit)
    expanded = whitespace.replace("\t", source_unit)
    return target_unit * (len(expanded) // width) + " " * (len(expanded) % width)


def reindent(
    code: str,
    target_indent: str,
    target_unit: str | None,
    protected: frozenset[int],
    comment_lines: frozenset[int],
) -> str:
    """Place ``code`` (``\\n`` line endings) at ``target_indent``.

    The first line's indentation is the code's base: it is dropped from the first line (which
    goes where the old function started, after the existing indentation) and replaced by
    ``target_indent`` on the others. When the code is indented with another unit than the file
    (spaces for tabs, 2 for 4 spaces), levels are converted. ``protected`` and ``comment_lines``
    are line indices inside multi-line strings (never touched) and comments (not used to guess
    the code's unit).
    """
    lines = code.split("\n")
    base = leading_whitespace(lines[0])
    source_unit = indent_unit(lines, protected | comment_lines)
    convert = target_unit is not None and source_unit is not None and source_unit != target_unit
    result: list[str] = []
    for index, line in enumerate(lines):
        if index in protected or not line.strip() or not line.startswith(base):
            result.append(line)
            continue
        rest = line[len(base) :]
        if index == 0:
            result.append(rest)
            continue
        whitespace = leading_whitespace(rest)
        if convert:
            assert source_unit is not None and target_unit is not None
            whitespace = _convert(whitespace, source_unit, target_unit)
        result.append(target_indent + whitespace + rest[len(leading_whitespace(rest)) :])
    return "\n".join(result)


def strip_base(code: str, protected: frozenset[int]) -> list[str]:
    """The lines of ``code`` with its first line's indentation taken off (where present), as
    ``reindent`` sees them: comparable with a ``Function.text``."""
    lines = code.split("\n")
    base = leading_whitespace(lines[0])
    return [
        line[len(base) :]
        if index not in protected and line.strip() and line.startswith(base)
        else line
        for index, line in enumerate(lines)
    ]
