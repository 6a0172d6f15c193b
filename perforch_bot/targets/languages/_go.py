"""Go: functions and methods. A method on a pointer receiver is ``(*Cache).Get`` (also found as
``Cache.Get``), on a value receiver ``Cache.Get``; type parameters are left out of names."""

from __future__ import annotations

import functools

import tree_sitter_go
from tree_sitter import Language, Node

from perforch_bot.targets._model import Parameter
from perforch_bot.targets.languages._protocol import Found
from perforch_bot.targets.languages._tree import compact_type, strip_generics, text

name = "go"
extensions: tuple[str, ...] = (".go",)
comment_types = frozenset({"comment"})
attribute_types: frozenset[str] = frozenset()
string_types = frozenset({"raw_string_literal", "interpreted_string_literal"})

_FUNCTIONS = frozenset({"function_declaration", "method_declaration"})


@functools.cache
def grammar() -> Language:
    return Language(tree_sitter_go.language())


def find_functions(root: Node, source: bytes) -> list[Found]:
    types: dict[str, str] = {}
    for declaration in _top_level(root, frozenset({"type_declaration"})):
        for spec in declaration.named_children:
            if spec.type in ("type_spec", "type_alias"):
                type_name = text(spec.child_by_field_name("name"), source)
                types.setdefault(type_name, "type " + text(spec, source))
    found: list[Found] = []
    for node in _top_level(root, _FUNCTIONS):
        function = _function(node, source, types)
        if function is not None:
            found.append(function)
    return found


def find_imports(root: Node, source: bytes) -> list[str]:
    return [
        text(node, source)
        for node in _top_level(root, frozenset({"package_clause", "import_declaration"}))
    ]


def _top_level(root: Node, types: frozenset[str]) -> list[Node]:
    """Top-level nodes of ``types``, also those inside ERROR nodes of a broken file."""
    result: list[Node] = []
    for child in root.named_children:
        if child.type in types:
            result.append(child)
        elif child.type == "ERROR":
            result.extend(_top_level(child, types))
    return result


def _function(node: Node, source: bytes, types: dict[str, str]) -> Found | None:
    function_name = text(node.child_by_field_name("name"), source)
    body = node.child_by_field_name("body")
    if not function_name or body is None:
        return None
    parameters = _parameters(node.child_by_field_name("parameters"), source)
    result = node.child_by_field_name("result")
    returns = compact_type(text(result, source)) if result is not None else None
    if node.type == "function_declaration":
        return Found(
            outer=node,
            body=body,
            name=function_name,
            qualified_name=function_name,
            kind="function",
            parameters=parameters,
            return_type=returns,
            signature_start=node.start_byte,
            enclosing_type=None,
        )
    receiver_list = node.child_by_field_name("receiver")
    receivers = _parameters(receiver_list, source, receiver=True)
    receiver_type = receivers[0].type if receivers else ""
    base = strip_generics((receiver_type or "").removeprefix("*"))
    pointer = (receiver_type or "").startswith("*")
    qualified = f"(*{base}).{function_name}" if pointer else f"{base}.{function_name}"
    return Found(
        outer=node,
        body=body,
        name=function_name,
        qualified_name=qualified,
        kind="method",
        parameters=(*receivers, *parameters),
        return_type=returns,
        signature_start=node.start_byte,
        enclosing_type=types.get(base),
        aliases=(f"{base}.{function_name}",) if pointer else (),
    )


def _parameters(node: Node | None, source: bytes, receiver: bool = False) -> tuple[Parameter, ...]:
    if node is None:
        return ()
    result: list[Parameter] = []
    for child in node.named_children:
        if child.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        written = compact_type(text(child.child_by_field_name("type"), source))
        if child.type == "variadic_parameter_declaration":
            written = "..." + written
        names: list[str | None] = [text(n, source) for n in child.children_by_field_name("name")]
        for parameter_name in names or [None]:
            result.append(Parameter(parameter_name, written, text(child, source), is_self=receiver))
    return tuple(result)
