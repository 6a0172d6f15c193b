"""Adding the import lines a model's reply needs to the file it goes into."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence

# Lines after which an import of the language may go, most specific first.
_IMPORT_LINE: Mapping[str, re.Pattern[str]] = {
    "python": re.compile(r"^(import |from \S+ import )"),
    "java": re.compile(r"^import "),
    "cpp": re.compile(r"^#\s*include\b"),
    "rust": re.compile(r"^use "),
    "go": re.compile(r"^import "),
}
_HEADER_LINE: Mapping[str, re.Pattern[str]] = {
    "java": re.compile(r"^package "),
    "go": re.compile(r"^package "),
    "python": re.compile(r"^(#!|# -\*-|from __future__ import )"),
}


def add_imports(language: str, text: str, imports: Sequence[str]) -> str:
    """``text`` with ``imports`` (whole lines, as the reply wrote them) inserted after the
    file's last import line, or after its package line / at the top when it has none."""
    wanted = [line.strip() for line in imports if line.strip()]
    if not wanted:
        return text
    lines = text.splitlines(keepends=True)
    if language == "go":
        block = _go_import_block_end(lines)
        if block is not None:
            inside = [_go_path(line) for line in wanted]
            lines[block:block] = [f"\t{path}\n" for path in inside]
            return "".join(lines)
    position = _after_last(lines, _IMPORT_LINE[language])
    if position is None:
        header = _HEADER_LINE.get(language)
        position = (_after_last(lines, header) if header is not None else None) or 0
    lines[position:position] = [f"{line}\n" for line in wanted]
    return "".join(lines)


def _after_last(lines: Sequence[str], pattern: re.Pattern[str]) -> int | None:
    found = None
    for index, line in enumerate(lines):
        if pattern.match(line):
            found = index + 1
    return found


def _go_import_block_end(lines: Sequence[str]) -> int | None:
    """The index of the ``)`` closing the file's ``import (`` block, if it has one."""
    inside = False
    for index, line in enumerate(lines):
        if re.match(r"^import\s*\(", line):
            inside = True
        elif inside and line.strip() == ")":
            return index
    return None


def _go_path(line: str) -> str:
    """``import "strings"`` or ``import s "strings"`` as a line of an import block."""
    return re.sub(r"^import\s+", "", line).strip()
