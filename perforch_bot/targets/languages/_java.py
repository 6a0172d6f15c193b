"""Java: methods and constructors of classes, interfaces, enums and records, nested or inner.

Overloads share a qualified name (``Foo.bar``) and are told apart by parameter types. Methods
of anonymous classes inside a method body belong to that method; anonymous classes in field
initializers are walked as ``Outer.<anonymous Type>``.
"""

from __future__ import annotations

import functools

import tree_sitter_java
from tree_sitter import Language, Node

from perforch_bot.targets._model import FunctionKind, Parameter
from perforch_bot.targets.languages._protocol import Found
from perforch_bot.targets.languages._tree import compact_type, header, strip_generics, text

name = "java"
extensions: tuple[str, ...] = (".java",)
comment_types = frozenset({"line_comment", "block_comment"})
attribute_types: frozenset[str] = frozenset()
string_types = frozenset({"string_literal", "text_block"})

_CONTAINERS = frozenset(
    {
        "class_declaration",
        "interface_declaration",
        "enum_declaration",
        "record_declaration",
        "annotation_type_declaration",
    }
)
_FUNCTIONS = frozenset(
    {"method_declaration", "constructor_declaration", "compact_constructor_declaration"}
)
_ANNOTATIONS = frozenset({"marker_annotation", "annotation", "line_comment", "block_comment"})
_TEST_ANNOTATIONS = frozenset(
    {"Test", "ParameterizedTest", "RepeatedTest", "TestFactory", "TestTemplate"}
)


@functools.cache
def grammar() -> Language:
    return Language(tree_sitter_java.language())


def find_functions(root: Node, source: bytes) -> list[Found]:
    found: list[Found] = []
    _walk(root, source, (), None, found)
    return found


def find_imports(root: Node, source: bytes) -> list[str]:
    return [
        text(child, source)
        for child in root.named_children
        if child.type in ("package_declaration", "import_declaration")
    ]


def _walk(
    node: Node, source: bytes, scope: tuple[str, ...], enclosing: str | None, found: list[Found]
) -> None:
    for child in node.named_children:
        if child.type in _FUNCTIONS:
            method = _method(child, source, scope, enclosing)
            if method is not None:
                found.append(method)
        elif child.type in _CONTAINERS:
            body = child.child_by_field_name("body")
            type_name = text(child.child_by_field_name("name"), source)
            if body is not None and type_name:
                _walk(body, source, (*scope, type_name), header(child, body, source), found)
        elif child.type == "enum_constant" and child.child_by_field_name("body") is not None:
            body = child.child_by_field_name("body")
            assert body is not None
            constant = text(child.child_by_field_name("name"), source)
            _walk(body, source, (*scope, constant), header(child, body, source), found)
        elif child.type == "object_creation_expression" and _class_body(child) is not None:
            body = _class_body(child)
            assert body is not None
            created = strip_generics(text(child.child_by_field_name("type"), source))
            _walk(
                body, source, (*scope, f"<anonymous {created}>"), header(child, body, source), found
            )
        else:
            _walk(child, source, scope, enclosing, found)


def _class_body(node: Node) -> Node | None:
    return next((c for c in node.named_children if c.type == "class_body"), None)


def _method(
    node: Node, source: bytes, scope: tuple[str, ...], enclosing: str | None
) -> Found | None:
    method_name = text(node.child_by_field_name("name"), source)
    body = node.child_by_field_name("body")
    if not method_name or body is None:
        return None  # abstract and interface methods have no body to optimize
    kind: FunctionKind = "method" if node.type == "method_declaration" else "constructor"
    returns = node.child_by_field_name("type")
    modifiers = next((c for c in node.children if c.type == "modifiers"), None)
    return Found(
        outer=node,
        body=body,
        name=method_name,
        qualified_name=".".join((*scope, method_name)),
        kind=kind,
        parameters=_parameters(node.child_by_field_name("parameters"), source),
        return_type=compact_type(text(returns, source)) if returns is not None else None,
        signature_start=_after_annotations(node, modifiers),
        enclosing_type=enclosing,
        is_test=_annotation_names(modifiers, source) & _TEST_ANNOTATIONS != set(),
    )


def _after_annotations(node: Node, modifiers: Node | None) -> int:
    if modifiers is None:
        return node.start_byte
    for child in modifiers.children:
        if child.type not in _ANNOTATIONS:
            return child.start_byte
    following = modifiers.next_sibling
    return following.start_byte if following is not None else node.start_byte


def _annotation_names(modifiers: Node | None, source: bytes) -> set[str]:
    if modifiers is None:
        return set()
    return {
        text(c.child_by_field_name("name"), source).rsplit(".", 1)[-1]
        for c in modifiers.children
        if c.type in ("marker_annotation", "annotation")
    }


def _parameters(node: Node | None, source: bytes) -> tuple[Parameter, ...]:
    if node is None:
        return ()
    result: list[Parameter] = []
    for child in node.named_children:
        if child.type == "formal_parameter":
            written = text(child.child_by_field_name("type"), source)
            written += text(child.child_by_field_name("dimensions"), source)
            result.append(
                Parameter(
                    text(child.child_by_field_name("name"), source),
                    compact_type(written),
                    text(child, source),
                )
            )
        elif child.type == "spread_parameter":
            type_node = next(
                (
                    c
                    for c in child.named_children
                    if c.type not in ("modifiers", "variable_declarator")
                ),
                None,
            )
            declarator = next(
                (c for c in child.named_children if c.type == "variable_declarator"), None
            )
            variable = declarator.child_by_field_name("name") if declarator else None
            result.append(
                Parameter(
                    text(variable, source),
                    compact_type(text(type_node, source)) + "...",
                    text(child, source),
                )
            )
        elif child.type == "receiver_parameter":
            result.append(
                Parameter(
                    "this",
                    compact_type(text(child, source).removesuffix("this").strip()),
                    text(child, source),
                    is_self=True,
                )
            )
    return tuple(result)
