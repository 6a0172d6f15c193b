"""Python: functions and methods, through nested classes, decorators and ``async def``."""

from __future__ import annotations

import functools

import tree_sitter_python
from tree_sitter import Language, Node

from perforch_bot.targets._model import FunctionKind, Parameter
from perforch_bot.targets.languages._protocol import Found
from perforch_bot.targets.languages._tree import between, text

name = "python"
extensions: tuple[str, ...] = (".py",)
comment_types = frozenset({"comment"})
attribute_types: frozenset[str] = frozenset()
string_types = frozenset({"string"})

_IMPORTS = frozenset({"import_statement", "import_from_statement", "future_import_statement"})
_SEPARATORS = frozenset({"keyword_separator", "positional_separator", "comment"})


@functools.cache
def grammar() -> Language:
    return Language(tree_sitter_python.language())


def find_functions(root: Node, source: bytes) -> list[Found]:
    found: list[Found] = []
    _walk(root, source, (), None, found)
    return found


def find_imports(root: Node, source: bytes) -> list[str]:
    imports: list[str] = []

    def visit(node: Node) -> None:
        for child in node.named_children:
            if child.type in _IMPORTS:
                imports.append(text(child, source))
            elif child.type not in (
                "function_definition",
                "class_definition",
                "decorated_definition",
            ):
                visit(child)

    visit(root)
    return imports


def _walk(
    node: Node, source: bytes, scope: tuple[str, ...], enclosing: str | None, found: list[Found]
) -> None:
    """Visit ``node``'s children; ``enclosing`` is the header of the class being walked."""
    for child in node.named_children:
        definition = child
        if child.type == "decorated_definition":
            definition = child.child_by_field_name("definition") or child
        if definition.type == "function_definition":
            function = _function(child, definition, source, scope, enclosing)
            if function is not None:
                found.append(function)
        elif definition.type == "class_definition":
            body = definition.child_by_field_name("body")
            class_name = text(definition.child_by_field_name("name"), source)
            if body is not None and class_name:
                # up to the colon: a comment between it and the body is not part of the header
                colon = next((c for c in definition.children if c.type == ":"), body)
                class_header = between(source, definition.start_byte, colon.end_byte).strip()
                _walk(body, source, (*scope, class_name), class_header, found)
        else:
            # if/try/with blocks and recovered ERROR nodes can hold definitions too
            _walk(child, source, scope, enclosing, found)


def _function(
    outer: Node, definition: Node, source: bytes, scope: tuple[str, ...], enclosing: str | None
) -> Found | None:
    function_name = text(definition.child_by_field_name("name"), source)
    body = definition.child_by_field_name("body")
    if not function_name or body is None:
        return None
    in_class = enclosing is not None
    decorators = [
        text(d, source).lstrip("@").strip() for d in outer.children if d.type == "decorator"
    ]
    takes_self = in_class and "staticmethod" not in decorators
    parameters = _parameters(definition.child_by_field_name("parameters"), source, takes_self)
    kind: FunctionKind = "function"
    if in_class:
        kind = "constructor" if function_name == "__init__" else "method"
    returns = definition.child_by_field_name("return_type")
    colon = next((c for c in definition.children if c.type == ":"), None)
    return Found(
        outer=outer,
        body=body,
        name=function_name,
        qualified_name=".".join((*scope, function_name)),
        kind=kind,
        parameters=parameters,
        return_type=text(returns, source) if returns is not None else None,
        signature_start=definition.start_byte,
        signature_end=colon.start_byte if colon is not None else None,
        enclosing_type=enclosing,
    )


def _parameters(node: Node | None, source: bytes, takes_self: bool) -> tuple[Parameter, ...]:
    if node is None:
        return ()
    result: list[Parameter] = []
    for child in node.named_children:
        if child.type in _SEPARATORS:
            continue
        type_node = child.child_by_field_name("type")
        name_node = child.child_by_field_name("name")
        if child.type in ("identifier", "list_splat_pattern", "dictionary_splat_pattern"):
            name_node = child
        elif name_node is None:
            name_node = next((c for c in child.named_children if c != type_node), child)
        is_self = takes_self and not result and child.type == "identifier"
        result.append(
            Parameter(
                name=text(name_node, source),
                type=text(type_node, source) or None,
                text=text(child, source),
                is_self=is_self,
            )
        )
    return tuple(result)
