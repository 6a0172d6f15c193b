"""Writing a new version of a function back into its file.

Everything outside the replaced range stays byte for byte. The new code is re-indented to the
function's place (models often return it unindented), converted to the file's indentation unit
and line endings, and the result is parsed again: a replacement that does not parse, or that no
longer defines the function, is refused with a clear error and the file is left as it was.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from tree_sitter import Node

from perforch_bot.targets._errors import ReplacementError, StaleTargetError
from perforch_bot.targets._extract import error_nodes, extract_tree, module_for, parse
from perforch_bot.targets._indent import indent_unit, interior_line_starts, reindent, strip_base
from perforch_bot.targets._model import Function, Span
from perforch_bot.targets._text import (
    LineIndex,
    decode,
    encode,
    indentation_before,
    line_ending_near,
)
from perforch_bot.targets.languages import LanguageModule


@dataclass(frozen=True)
class Edit:
    """The result of replacing ``function`` in ``original``: the new file, the range replaced
    (in the original) and the function as found in the new file."""

    path: str
    original: bytes
    updated: bytes
    function: Function
    replaced: Span
    new_function: Function

    @property
    def changed(self) -> bool:
        return self.original != self.updated


def replace_function(source: bytes, function: Function, new_code: str) -> Edit:
    """Replace ``function`` in ``source`` (the file it was extracted from) with ``new_code``.

    ``new_code`` is the whole function, as in ``Function.text``: unindented or indented as in
    the file, any line endings. When it starts without the doc comment the old one had, the old
    comment is kept and only the declaration is replaced.
    """
    module = module_for(function.path, function.language)
    original_root = parse(module, source)
    _check_current(module, original_root, source, function)
    code = normalize_code(new_code)
    if not code:
        raise ReplacementError(
            f"the new version of {function.qualified_name} is empty; give the whole function"
        )
    code_bytes = encode(code)
    code_root = parse(module, code_bytes)
    start, end = function.span.start_byte, function.span.end_byte
    if function.declaration_span.start_byte > start and not _starts_with_comment(
        module, code_root, code_bytes
    ):
        start = function.declaration_span.start_byte
    protected = line_indices(code_root, code_bytes, module.string_types)
    text = reindent(
        code,
        decode(indentation_before(source, start)),
        _unit_of(module, original_root, source, function),
        protected,
        line_indices(code_root, code_bytes, module.comment_types),
    )
    text = _keep_unchanged_lines(text, strip_base(code, protected), function, source)
    if line_ending_near(source, start) == b"\r\n":
        text = text.replace("\n", "\r\n")
    new_bytes = encode(text)
    updated = source[:start] + new_bytes + source[end:]
    new_root = parse(module, updated)
    new_range = (start, start + len(new_bytes))
    problem = syntax_problem(original_root, (start, end), new_root, updated, new_range)
    if problem is not None:
        raise ReplacementError(
            f"the new version of {function.qualified_name} does not parse ({problem}); "
            f"{function.path} was not changed"
        )
    new_function = _find_new(module, new_root, updated, function, new_range)
    index = LineIndex.of(source)
    replaced = Span(start, end, index.line_of(start), index.last_line_of(start, end))
    return Edit(function.path, source, updated, function, replaced, new_function)


def _keep_unchanged_lines(
    text: str, new_lines: list[str], function: Function, source: bytes
) -> str:
    """Lines the new version leaves as they were keep their exact original bytes (odd
    indentation, a ``#if`` at column 0, trailing spaces), so a patch shows only real changes.

    ``new_lines`` are the new code's lines relative to its first line, comparable with
    ``function.text``; ``text`` is the re-indented new code, line for line.
    """
    old_lines = function.text.split("\n")
    raw = decode(source[function.span.start_byte : function.span.end_byte]).split("\n")
    raw = [line.removesuffix("\r") for line in raw]
    raw[0] = function.indent + raw[0]
    result = text.split("\n")
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, old_start, _, new_start, new_end in matcher.get_opcodes():
        if tag != "equal":
            continue
        for offset in range(new_end - new_start):
            if new_start + offset > 0:  # the first line goes after the existing indentation
                result[new_start + offset] = raw[old_start + offset]
    return "\n".join(result)


def _check_current(module: LanguageModule, root: Node, source: bytes, function: Function) -> None:
    current = extract_tree(function.path, module, root, source)
    for candidate in current.functions:
        if candidate.span == function.span and candidate.text == function.text:
            return
    raise StaleTargetError(
        f"{function.path}: {function.qualified_name} is no longer at lines "
        f"{function.span.start_line}-{function.span.end_line} (the file changed since it was "
        "extracted); extract it again from the current file"
    )


def normalize_code(new_code: str) -> str:
    """Model-written code with ``\\n`` line endings, without leading blank lines and trailing
    whitespace ("" when there is nothing in it)."""
    lines = new_code.replace("\r\n", "\n").split("\n")
    while lines and not lines[0].strip():
        lines.pop(0)
    return "\n".join(lines).rstrip()


def _starts_with_comment(module: LanguageModule, root: Node, code: bytes) -> bool:
    first = len(code) - len(code.lstrip())
    node: Node | None = root.descendant_for_byte_range(first, first + 1)
    while node is not None:
        if node.type in module.comment_types:
            return True
        node = node.parent
    return False


def line_indices(root: Node, data: bytes, types: frozenset[str]) -> frozenset[int]:
    """0-based indices of the lines of ``data`` that start inside a node of ``types``."""
    index = LineIndex.of(data)
    return frozenset(
        index.line_of(offset) - 1
        for offset in interior_line_starts(root, data, types, 0, len(data))
    )


def _unit_of(module: LanguageModule, root: Node, source: bytes, function: Function) -> str | None:
    """The indentation unit of the function, else of the whole file (None if nothing in it is
    indented)."""
    index = LineIndex.of(source)
    skipped_types = module.string_types | module.comment_types
    start, end = function.span.start_byte, function.span.end_byte
    skip = frozenset(
        index.line_of(offset) - function.span.start_line
        for offset in interior_line_starts(root, source, skipped_types, start, end)
    )
    unit = indent_unit(function.text.split("\n"), skip)
    return unit if unit is not None else file_unit(module, root, source)


def file_unit(module: LanguageModule, root: Node, source: bytes) -> str | None:
    """The indentation unit of the whole file (None if nothing in it is indented); the insides
    of strings and comments do not count."""
    skip = line_indices(root, source, module.string_types | module.comment_types)
    return indent_unit(decode(source).split("\n"), skip)


def _overlapping(nodes: list[Node], start: int, end: int) -> list[Node]:
    return [node for node in nodes if node.start_byte < end and node.end_byte >= start]


def syntax_problem(
    original_root: Node,
    old_range: tuple[int, int],
    new_root: Node,
    updated: bytes,
    new_range: tuple[int, int],
) -> str | None:
    """Where new code (``old_range`` of the original became ``new_range`` of ``updated``) adds
    syntax errors, in its own range or anywhere in the file (an unbalanced brace breaks what
    follows), as ``syntax error at line 2 of the new code: '...'``; None if it adds none. Errors
    the file already had (code the grammar misreads) do not count against it."""
    old_errors = error_nodes(original_root)
    new_errors = error_nodes(new_root)
    in_range = _overlapping(new_errors, *new_range)
    if len(in_range) <= len(_overlapping(old_errors, *old_range)) and len(new_errors) <= len(
        old_errors
    ):
        return None
    first = (in_range or new_errors)[0]
    index = LineIndex.of(updated)
    line = index.line_of(first.start_byte)
    first_line = index.line_of(new_range[0])
    last_line = index.last_line_of(*new_range)
    where = (
        f"line {line - first_line + 1} of the new code"
        if first_line <= line <= last_line
        else f"line {line} of the file, after the new code"
    )
    shown = decode(updated[index.line_start(line) :]).split("\n", 1)[0].strip()
    return f"syntax error at {where}: {shown!r}"


def _find_new(
    module: LanguageModule,
    root: Node,
    updated: bytes,
    function: Function,
    new_range: tuple[int, int],
) -> Function:
    start, end = new_range
    replaced = extract_tree(function.path, module, root, updated)
    for candidate in replaced.functions:
        if (
            candidate.qualified_name == function.qualified_name
            and start <= candidate.declaration_span.start_byte < end
        ):
            return candidate
    defined = [
        f.qualified_name
        for f in replaced.functions
        if f.span.start_byte < end and f.span.end_byte > start
    ]
    raise ReplacementError(
        f"the new code does not define {function.qualified_name}"
        + (f" (it defines {', '.join(defined)})" if defined else "")
        + f"; a new version must keep the function's name. {function.path} was not changed"
    )
