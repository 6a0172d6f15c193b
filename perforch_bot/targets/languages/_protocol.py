"""What every language module provides, and what its walker reports for each function."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from tree_sitter import Language, Node

from perforch_bot.targets._model import FunctionKind, Parameter


@dataclass(frozen=True)
class Found:
    """One function as a language walker sees it; the extractor turns it into a ``Function``.

    ``outer`` is the outermost node of the definition (Python's ``decorated_definition``, C++'s
    ``template_declaration``, else the definition itself); the extractor widens it over adjacent
    comments and attributes. ``signature_start`` is where the signature text begins (after
    decorators and annotations) and ``signature_end`` where it ends (default: the body).
    """

    outer: Node
    body: Node
    name: str
    qualified_name: str
    kind: FunctionKind
    parameters: tuple[Parameter, ...]
    return_type: str | None
    signature_start: int
    enclosing_type: str | None
    aliases: tuple[str, ...] = ()
    is_test: bool = False
    signature_end: int | None = None


class LanguageModule(Protocol):
    name: str
    extensions: tuple[str, ...]
    # Node types that belong to the function when they sit right before it: doc comments
    # (``comment_types``) and attributes (``attribute_types``, Rust's ``#[...]`` items).
    comment_types: frozenset[str]
    attribute_types: frozenset[str]
    # String literal node types that can span lines: re-indenting must not touch their insides.
    string_types: frozenset[str]

    def grammar(self) -> Language:
        """The tree-sitter grammar, loaded on first use and then reused."""
        ...

    def find_functions(self, root: Node, source: bytes) -> list[Found]:
        """Every function with a body, not nested in another function, in source order."""
        ...

    def find_imports(self, root: Node, source: bytes) -> list[str]:
        """The file's package/import/include/use lines, as written."""
        ...
