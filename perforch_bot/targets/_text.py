"""Byte and line arithmetic on source files: line numbers, line endings, decoding.

Files are handled as bytes (tree-sitter's offsets are byte offsets); text is decoded with
``surrogateescape`` so that any file, valid UTF-8 or not, round-trips byte for byte.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass

ENCODING = "utf-8"
ERRORS = "surrogateescape"


def decode(data: bytes) -> str:
    return data.decode(ENCODING, ERRORS)


def encode(text: str) -> bytes:
    return text.encode(ENCODING, ERRORS)


def split_lines(data: bytes) -> list[bytes]:
    """Lines with their terminators; only ``\\n`` ends a line (as for git), so a ``\\r`` before
    it stays part of the line."""
    lines = data.split(b"\n")
    result = [line + b"\n" for line in lines[:-1]]
    if lines[-1]:
        result.append(lines[-1])
    return result


@dataclass(frozen=True)
class LineIndex:
    """Maps byte offsets of one file to 1-based line numbers and back."""

    starts: tuple[int, ...]
    size: int

    @classmethod
    def of(cls, data: bytes) -> LineIndex:
        starts = [0]
        position = data.find(b"\n")
        while position != -1:
            starts.append(position + 1)
            position = data.find(b"\n", position + 1)
        return cls(tuple(starts), len(data))

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def last_line_of(self, start: int, end: int) -> int:
        """The line holding the last byte of ``[start, end)`` (``start``'s line if empty)."""
        return self.line_of(max(start, end - 1))

    def line_start(self, line: int) -> int:
        return self.starts[line - 1]


def line_ending_near(data: bytes, offset: int) -> bytes:
    """The line ending used at ``offset``: that of the first line break at or after it, else of
    the last one before it, else ``\\n``."""
    position = data.find(b"\n", offset)
    if position == -1:
        position = data.rfind(b"\n", 0, offset)
    if position == -1:
        return b"\n"
    return b"\r\n" if position > 0 and data[position - 1 : position] == b"\r" else b"\n"


def indentation_before(data: bytes, offset: int) -> bytes:
    """The whitespace between the start of ``offset``'s line and the first non-blank byte."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    end = line_start
    while end < offset and data[end : end + 1] in (b" ", b"\t"):
        end += 1
    return data[line_start:end]


def only_whitespace_before(data: bytes, offset: int) -> bool:
    """Whether ``offset`` is the first non-blank byte of its line."""
    line_start = data.rfind(b"\n", 0, offset) + 1
    return not data[line_start:offset].strip()
