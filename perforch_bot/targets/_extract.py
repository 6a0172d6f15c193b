"""Extraction: parse a file with its language's grammar and list its functions.

A file that does not parse still gives what tree-sitter could recover, plus a warning that
says where the syntax errors are; it never raises for bad source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import replace
from pathlib import Path

from tree_sitter import Node, Parser

from perforch_bot.targets._errors import UnsupportedLanguageError
from perforch_bot.targets._indent import dedent, interior_line_starts
from perforch_bot.targets._model import Function, Signature, SourceFile, Span
from perforch_bot.targets._text import (
    LineIndex,
    decode,
    indentation_before,
    only_whitespace_before,
)
from perforch_bot.targets.languages import (
    LANGUAGES,
    Found,
    LanguageModule,
    get_language,
    language_for_path,
)

_MAX_REPORTED_ERRORS = 3


def module_for(path: str, language: str | None = None) -> LanguageModule:
    """The language module for ``path`` (or the ``language`` named explicitly)."""
    if language is not None:
        return get_language(language)
    module = language_for_path(path)
    if module is None:
        known = ", ".join(ext for m in LANGUAGES.values() for ext in m.extensions)
        raise UnsupportedLanguageError(
            f"{path}: cannot tell its language from the extension (PerfOrch reads {known}); "
            "name the language explicitly if the file is one of these"
        )
    return module


def parse(module: LanguageModule, source: bytes) -> Node:
    return Parser(module.grammar()).parse(source).root_node


def extract(path: str, source: bytes, *, language: str | None = None) -> SourceFile:
    """All functions in ``source`` (the contents of ``path``), with imports and warnings."""
    module = module_for(path, language)
    return extract_tree(path, module, parse(module, source), source)


def extract_tree(path: str, module: LanguageModule, root: Node, source: bytes) -> SourceFile:
    """``extract`` on an already parsed tree."""
    index = LineIndex.of(source)
    imports = tuple(module.find_imports(root, source))
    built = [
        _build(path, module, root, source, index, found, imports)
        for found in module.find_functions(root, source)
    ]
    functions = tuple(_with_specs(built))
    warnings: list[str] = []
    if root.has_error:
        places = ", ".join(
            f"line {node.start_point.row + 1} column {node.start_point.column + 1}"
            for node in error_nodes(root, _MAX_REPORTED_ERRORS)
        )
        broken = [f.qualified_name for f in functions if f.has_syntax_error]
        warnings.append(
            f"{path}: does not parse cleanly (syntax error at {places}); functions were "
            "recovered where possible"
            + (f", these may be incomplete: {', '.join(broken)}" if broken else "")
        )
    return SourceFile(
        path=path,
        language=module.name,
        functions=functions,
        imports=imports,
        warnings=tuple(warnings),
    )


def extract_path(
    path: Path, *, display: str | None = None, language: str | None = None
) -> SourceFile:
    """``extract`` on a file on disk; ``display`` is the path recorded in the results."""
    return extract(display or path.as_posix(), path.read_bytes(), language=language)


def _build(
    path: str,
    module: LanguageModule,
    root: Node,
    source: bytes,
    index: LineIndex,
    found: Found,
    imports: tuple[str, ...],
) -> Function:
    outer = found.outer
    comment_start, declaration_start = _leading_starts(module, root, source, outer)
    end = outer.end_byte
    indent = indentation_before(source, comment_start)
    protected = interior_line_starts(root, source, module.string_types, comment_start, end)
    signature_end = found.signature_end or found.body.start_byte
    signature_text = decode(source[found.signature_start : signature_end]).strip()

    def span(start: int, stop: int) -> Span:
        return Span(start, stop, index.line_of(start), index.last_line_of(start, stop))

    return Function(
        path=path,
        language=module.name,
        name=found.name,
        qualified_name=found.qualified_name,
        kind=found.kind,
        span=span(comment_start, end),
        declaration_span=span(declaration_start, end),
        body_span=span(found.body.start_byte, found.body.end_byte),
        signature=Signature(signature_text, found.parameters, found.return_type),
        text=dedent(source, comment_start, end, indent, protected),
        indent=decode(indent),
        imports=imports,
        enclosing_type=found.enclosing_type,
        spec="",
        aliases=found.aliases,
        is_test=found.is_test,
        has_syntax_error=outer.has_error,
    )


def _leading_starts(
    module: LanguageModule, root: Node, source: bytes, outer: Node
) -> tuple[int, int]:
    """Where the function really starts: with the doc comments, and without them.

    Comments and attributes count when they sit directly above (no blank line between), start
    their own line, and are not indented deeper than the definition (a deeper comment ends the
    block above).
    """
    leading = module.comment_types | module.attribute_types
    column = outer.start_point.column
    start = declaration_start = outer.start_byte
    while True:
        last = start - 1
        while last >= 0 and source[last : last + 1] in (b" ", b"\t", b"\r", b"\n"):
            last -= 1
        if last < 0 or source.count(b"\n", last, start) > 1:
            break
        node: Node | None = root.descendant_for_byte_range(last, last + 1)
        while node is not None and node.type not in leading:
            node = node.parent
        if (
            node is None
            or node.start_byte >= start
            or node.start_point.column > column
            or not only_whitespace_before(source, node.start_byte)
        ):
            break
        start = node.start_byte
        if node.type in module.attribute_types:
            declaration_start = start
    return start, declaration_start


def _with_specs(functions: Iterable[Function]) -> list[Function]:
    """Set each function's ``spec``, adding parameter types where a name is overloaded."""
    listed = list(functions)
    counts = Counter(f.qualified_name for f in listed)
    result: list[Function] = []
    for function in listed:
        spec = f"{function.path}::{function.qualified_name}"
        if counts[function.qualified_name] > 1:
            spec += f"({', '.join(function.signature.parameter_types)})"
        result.append(replace(function, spec=spec))
    return result


def error_nodes(root: Node, limit: int | None = None) -> list[Node]:
    """The ERROR and MISSING nodes of a tree, in source order (at most ``limit``)."""
    found: list[Node] = []
    stack = [root]
    while stack and (limit is None or len(found) < limit):
        node = stack.pop()
        if node.is_error or node.is_missing:
            found.append(node)
            continue
        if node.has_error:
            stack.extend(reversed(node.children))
    return found
