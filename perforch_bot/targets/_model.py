"""What extraction finds: functions with their exact ranges, signatures and context."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

FunctionKind = Literal["function", "method", "constructor", "destructor", "operator"]


@dataclass(frozen=True)
class Span:
    """A range of a file: bytes ``[start_byte, end_byte)`` and lines ``start_line..end_line``
    (1-based, inclusive)."""

    start_byte: int
    end_byte: int
    start_line: int
    end_line: int

    def overlaps_lines(self, first: int, last: int) -> bool:
        return self.start_line <= last and first <= self.end_line


@dataclass(frozen=True)
class Parameter:
    """One parameter as written. ``type`` is None when the source gives none (untyped Python);
    ``is_self`` marks the receiver (``self``/``cls``, Rust's ``&self``, Java's ``this``)."""

    name: str | None
    type: str | None
    text: str
    is_self: bool = False


@dataclass(frozen=True)
class Signature:
    """The declaration line(s) up to the body, and its parts."""

    text: str
    parameters: tuple[Parameter, ...]
    return_type: str | None

    @property
    def parameter_types(self) -> tuple[str, ...]:
        """The types that tell overloads apart (the receiver left out)."""
        return tuple(p.type or "" for p in self.parameters if not p.is_self)


@dataclass(frozen=True)
class Function:
    """One function or method found in a file.

    ``span`` covers everything that belongs to the function: leading doc comments, decorators,
    attributes, annotations, a C++ ``template<...>`` header and the definition.
    ``declaration_span`` is the same without the leading comments. ``text`` is the source of
    ``span`` with its common indentation (``indent``, the whitespace before the span on its first
    line) removed and ``\\n`` line endings: the form a model sees and returns.
    ``spec`` names it uniquely in its file (``path::Class.method``, with parameter types when
    the name is overloaded).
    """

    path: str
    language: str
    name: str
    qualified_name: str
    kind: FunctionKind
    span: Span
    declaration_span: Span
    body_span: Span
    signature: Signature
    text: str
    indent: str
    imports: tuple[str, ...]
    enclosing_type: str | None
    spec: str
    aliases: tuple[str, ...] = ()
    is_test: bool = False
    has_syntax_error: bool = False


@dataclass(frozen=True)
class SourceFile:
    """All functions of one file (in source order), its imports, and parse warnings."""

    path: str
    language: str
    functions: tuple[Function, ...]
    imports: tuple[str, ...]
    warnings: tuple[str, ...]
