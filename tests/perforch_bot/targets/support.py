"""Small helpers shared by the targets tests."""

from __future__ import annotations

from perforch_bot.targets import Function, SourceFile, Span, extract


def text_of(source: str, span: Span) -> str:
    return source.encode()[span.start_byte : span.end_byte].decode()


def by_name(extracted: SourceFile) -> dict[str, Function]:
    """Functions by qualified name (overloads: the last one; use ``extracted.functions``)."""
    return {f.qualified_name: f for f in extracted.functions}


def extract_text(path: str, source: str) -> SourceFile:
    extracted = extract(path, source.encode())
    assert extracted.warnings == (), extracted.warnings
    return extracted


def line_of(source: str, needle: str) -> int:
    """The 1-based line of the first occurrence of ``needle``."""
    return source[: source.index(needle)].count("\n") + 1
