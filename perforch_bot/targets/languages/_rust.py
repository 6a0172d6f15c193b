"""Rust: free functions, inherent and trait impl methods, trait default methods, through nested
modules (``outer::inner::f``).

A method of ``impl Trait for Type`` is ``<Type as Trait>::method`` (also found as
``Type::method``); generics are left out of names. ``#[...]`` attributes and doc comments above a
function are part of it; ``#[test]`` functions and anything in a ``#[cfg(test)]`` module are
marked as tests.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import tree_sitter_rust
from tree_sitter import Language, Node

from perforch_bot.targets._model import Parameter
from perforch_bot.targets.languages._protocol import Found
from perforch_bot.targets.languages._tree import compact_type, header, strip_generics, text

name = "rust"
extensions: tuple[str, ...] = (".rs",)
comment_types = frozenset({"line_comment", "block_comment"})
attribute_types = frozenset({"attribute_item"})
string_types = frozenset({"string_literal", "raw_string_literal"})

_TYPE_ITEMS = frozenset({"struct_item", "enum_item", "union_item", "type_item"})


@dataclass(frozen=True)
class _Scope:
    path: tuple[str, ...]
    alias_path: tuple[str, ...]
    enclosing: str | None
    in_type: bool
    in_tests: bool


@functools.cache
def grammar() -> Language:
    return Language(tree_sitter_rust.language())


def find_functions(root: Node, source: bytes) -> list[Found]:
    types: dict[str, str] = {}
    _collect_types(root, source, types)
    found: list[Found] = []
    _walk(root, source, _Scope((), (), None, False, False), types, found)
    return found


def find_imports(root: Node, source: bytes) -> list[str]:
    imports: list[str] = []

    def visit(node: Node) -> None:
        for child in node.named_children:
            if child.type in ("use_declaration", "extern_crate_declaration"):
                imports.append(text(child, source))
            elif child.type in ("mod_item", "declaration_list", "ERROR"):
                visit(child)

    visit(root)
    return imports


def _collect_types(node: Node, source: bytes, types: dict[str, str]) -> None:
    for child in node.named_children:
        if child.type in _TYPE_ITEMS:
            types.setdefault(text(child.child_by_field_name("name"), source), text(child, source))
        elif child.type in ("mod_item", "declaration_list"):
            _collect_types(child, source, types)


def _walk(
    node: Node, source: bytes, scope: _Scope, types: dict[str, str], found: list[Found]
) -> None:
    for child in node.named_children:
        body = child.child_by_field_name("body")
        if child.type == "function_item":
            function = _function(child, source, scope)
            if function is not None:
                found.append(function)
        elif child.type == "mod_item" and body is not None:
            module = text(child.child_by_field_name("name"), source)
            in_tests = scope.in_tests or "cfg(test)" in _attributes(child, source)
            _walk(
                body,
                source,
                _Scope((*scope.path, module), (*scope.alias_path, module), None, False, in_tests),
                types,
                found,
            )
        elif child.type == "impl_item" and body is not None:
            type_name = strip_generics(
                compact_type(text(child.child_by_field_name("type"), source))
            )
            trait = child.child_by_field_name("trait")
            segment = type_name
            if trait is not None:
                segment = f"<{type_name} as {strip_generics(compact_type(text(trait, source)))}>"
            impl_header = header(child, body, source)
            declaration = types.get(type_name.removeprefix("&").split("::")[-1])
            enclosing = f"{declaration}\n\n{impl_header}" if declaration else impl_header
            _walk(
                body,
                source,
                _Scope(
                    (*scope.path, segment),
                    (*scope.alias_path, type_name),
                    enclosing,
                    True,
                    scope.in_tests,
                ),
                types,
                found,
            )
        elif child.type == "trait_item" and body is not None:
            trait_name = text(child.child_by_field_name("name"), source)
            _walk(
                body,
                source,
                _Scope(
                    (*scope.path, trait_name),
                    (*scope.alias_path, trait_name),
                    header(child, body, source),
                    True,
                    scope.in_tests,
                ),
                types,
                found,
            )
        else:
            _walk(child, source, scope, types, found)


def _function(node: Node, source: bytes, scope: _Scope) -> Found | None:
    function_name = text(node.child_by_field_name("name"), source)
    body = node.child_by_field_name("body")
    if not function_name or body is None:
        return None
    returns = node.child_by_field_name("return_type")
    qualified = "::".join((*scope.path, function_name))
    alias = "::".join((*scope.alias_path, function_name))
    attributes = _attributes(node, source)
    is_test = scope.in_tests or any(a == "test" or a.endswith("::test") for a in attributes)
    return Found(
        outer=node,
        body=body,
        name=function_name,
        qualified_name=qualified,
        kind="method" if scope.in_type else "function",
        parameters=_parameters(node.child_by_field_name("parameters"), source),
        return_type=compact_type(text(returns, source)) if returns is not None else None,
        signature_start=node.start_byte,
        enclosing_type=scope.enclosing,
        aliases=(alias,) if alias != qualified else (),
        is_test=is_test,
    )


def _attributes(node: Node, source: bytes) -> list[str]:
    """The ``#[...]`` attributes right above ``node``, whitespace removed: ``cfg(test)``."""
    result: list[str] = []
    sibling = node.prev_named_sibling
    while sibling is not None and sibling.type in attribute_types | comment_types:
        if sibling.type == "attribute_item":
            attribute = next((c for c in sibling.named_children if c.type == "attribute"), None)
            result.append("".join(text(attribute, source).split()))
        sibling = sibling.prev_named_sibling
    return result


def _parameters(node: Node | None, source: bytes) -> tuple[Parameter, ...]:
    if node is None:
        return ()
    result: list[Parameter] = []
    for child in node.named_children:
        if child.type == "self_parameter":
            result.append(
                Parameter(
                    "self", compact_type(text(child, source)), text(child, source), is_self=True
                )
            )
        elif child.type == "parameter":
            pattern = text(child.child_by_field_name("pattern"), source)
            result.append(
                Parameter(
                    pattern,
                    compact_type(text(child.child_by_field_name("type"), source)),
                    text(child, source),
                    is_self=pattern == "self",
                )
            )
        elif child.type == "variadic_parameter":
            result.append(Parameter(None, "...", text(child, source)))
    return tuple(result)
