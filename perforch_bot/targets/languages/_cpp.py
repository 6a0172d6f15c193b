"""C++: free functions, methods defined in or out of their class, constructors, destructors,
operators and templates, through namespaces (``ns::Class::method``).

Template arguments are left out of names (``Stack<T>::push`` is ``Stack::push``); overloads
share a name and are told apart by parameter types. Declarations without a body (prototypes,
pure virtuals, ``= default``) are not functions to optimize and are skipped.
"""

from __future__ import annotations

import functools

import tree_sitter_cpp
from tree_sitter import Language, Node

from perforch_bot.targets._model import FunctionKind, Parameter
from perforch_bot.targets.languages._protocol import Found
from perforch_bot.targets.languages._tree import (
    between,
    compact_type,
    strip_generics,
    text,
)

name = "cpp"
extensions: tuple[str, ...] = (
    ".cpp",
    ".cc",
    ".cxx",
    ".c++",
    ".hpp",
    ".hh",
    ".hxx",
    ".h",
    ".ipp",
    ".tpp",
)
comment_types = frozenset({"comment"})
attribute_types: frozenset[str] = frozenset()
string_types = frozenset({"raw_string_literal", "string_literal"})

_CLASSES = frozenset({"class_specifier", "struct_specifier", "union_specifier"})
_PARAMETERS = frozenset(
    {"parameter_declaration", "optional_parameter_declaration", "variadic_parameter_declaration"}
)
_NAMES = frozenset({"identifier", "field_identifier"})


@functools.cache
def grammar() -> Language:
    return Language(tree_sitter_cpp.language())


def find_functions(root: Node, source: bytes) -> list[Found]:
    classes: dict[str, str] = {}
    namespaces: set[str] = set()
    _collect_types(root, source, classes, namespaces, None)
    found: list[Found] = []
    _walk(root, source, _Scope((), None, None), found, classes, namespaces)
    return found


def find_imports(root: Node, source: bytes) -> list[str]:
    imports: list[str] = []

    def visit(node: Node) -> None:
        for child in node.named_children:
            if child.type in ("preproc_include", "using_declaration", "namespace_alias_definition"):
                imports.append(text(child, source).strip())
            elif child.type.startswith("preproc_") or child.type in (
                "namespace_definition",
                "declaration_list",
                "linkage_specification",
            ):
                visit(child)

    visit(root)
    return imports


class _Scope:
    """Where the walker is: the name path, the innermost class (name and header)."""

    def __init__(
        self, path: tuple[str, ...], class_name: str | None, class_header: str | None
    ) -> None:
        self.path = path
        self.class_name = class_name
        self.class_header = class_header


def _collect_types(
    node: Node, source: bytes, classes: dict[str, str], namespaces: set[str], template: Node | None
) -> None:
    """Class headers by name and namespace names, for out-of-class definitions."""
    for child in node.named_children:
        if child.type == "function_definition":
            continue
        if child.type in _CLASSES and child.child_by_field_name("body") is not None:
            body = child.child_by_field_name("body")
            class_name = text(child.child_by_field_name("name"), source)
            start = template.start_byte if template is not None else child.start_byte
            classes.setdefault(
                strip_generics(class_name),
                between(source, start, body.start_byte if body else 0).strip(),
            )
        if child.type == "namespace_definition":
            namespaces.update(_namespace_names(child, source))
        _collect_types(
            child,
            source,
            classes,
            namespaces,
            child if child.type == "template_declaration" else None,
        )


def _namespace_names(node: Node, source: bytes) -> tuple[str, ...]:
    written = text(node.child_by_field_name("name"), source)
    return tuple(part.strip() for part in written.split("::") if part.strip())


def _walk(
    node: Node,
    source: bytes,
    scope: _Scope,
    found: list[Found],
    classes: dict[str, str],
    namespaces: set[str],
) -> None:
    for child in node.named_children:
        inner, outer = child, child
        while inner.type == "template_declaration":
            inner = next(
                (c for c in reversed(inner.named_children) if c.type != "template_parameter_list"),
                inner,
            )
            if inner is outer or inner.type == "template_parameter_list":
                break
        if inner.type == "function_definition":
            function = _function(inner, outer, source, scope, classes, namespaces)
            if function is not None:
                found.append(function)
        elif inner.type == "namespace_definition":
            body = inner.child_by_field_name("body")
            if body is not None:
                inner_scope = _Scope((*scope.path, *_namespace_names(inner, source)), None, None)
                _walk(body, source, inner_scope, found, classes, namespaces)
        elif inner.type in _CLASSES and inner.child_by_field_name("body") is not None:
            body = inner.child_by_field_name("body")
            assert body is not None
            class_name = strip_generics(text(inner.child_by_field_name("name"), source))
            class_header = between(source, outer.start_byte, body.start_byte).strip()
            _walk(
                body,
                source,
                _Scope((*scope.path, class_name), class_name, class_header),
                found,
                classes,
                namespaces,
            )
        else:
            _walk(child, source, scope, found, classes, namespaces)


def _function(
    definition: Node,
    outer: Node,
    source: bytes,
    scope: _Scope,
    classes: dict[str, str],
    namespaces: set[str],
) -> Found | None:
    body = definition.child_by_field_name("body")
    declarator = definition.child_by_field_name("declarator")
    if body is None or declarator is None:
        return None
    function_declarator, modifiers = _function_declarator(declarator)
    if function_declarator is None:
        return None
    if function_declarator.type == "operator_cast":
        cast_type = compact_type(text(function_declarator.child_by_field_name("type"), source))
        parts: tuple[str, ...] = (f"operator {cast_type}",)
        abstract = function_declarator.child_by_field_name("declarator")
        parameter_list = abstract.child_by_field_name("parameters") if abstract else None
        special = "operator"
    else:
        name_node = function_declarator.child_by_field_name("declarator")
        if name_node is None:
            return None
        parts, special = _name_parts(name_node, source)
        parameter_list = function_declarator.child_by_field_name("parameters")
    if not parts:
        return None
    declared_scope = parts[:-1]
    owner = declared_scope[-1] if declared_scope else scope.class_name
    kind: FunctionKind
    if special:
        kind = "destructor" if special == "destructor" else "operator"
    elif owner is not None and parts[-1] == owner:
        kind = "constructor"
    elif scope.class_name is not None or (declared_scope and owner not in namespaces):
        kind = "method"
    else:
        kind = "function"
    enclosing = scope.class_header
    if enclosing is None and declared_scope:
        enclosing = classes.get(declared_scope[-1])
    return Found(
        outer=outer,
        body=body,
        name=parts[-1],
        qualified_name="::".join((*scope.path, *parts)),
        kind=kind,
        parameters=_parameters(parameter_list, source),
        return_type=_return_type(definition, function_declarator, modifiers, source),
        signature_start=_signature_start(definition, outer),
        enclosing_type=enclosing,
    )


def _function_declarator(node: Node) -> tuple[Node | None, str]:
    """The declarator that names the function (the innermost one: ``void (*get())(int)``
    names ``get``), and the ``*``/``&`` that the return type gets from the declarators."""
    found: Node | None = None
    modifiers = ""
    current: Node | None = node
    while current is not None:
        if current.type == "operator_cast":
            return current, modifiers
        if current.type == "function_declarator":
            found = current
        elif found is None and current.type == "pointer_declarator":
            modifiers += "*"
        elif found is None and current.type == "reference_declarator" and current.children:
            modifiers += current.children[0].type  # "&" or "&&"
        current = _inner_declarator(current)
    return found, modifiers


def _name_parts(node: Node, source: bytes) -> tuple[tuple[str, ...], str]:
    """The name path a declarator spells (``ns::Foo<T>::bar`` -> ns, Foo, bar) and whether the
    last part is a ``destructor`` or an ``operator``."""
    if node.type == "qualified_identifier":
        scope_node = node.child_by_field_name("scope")
        name_node = node.child_by_field_name("name")
        scope_parts: tuple[str, ...] = ()
        if scope_node is not None:
            if scope_node.type == "qualified_identifier":
                scope_parts, _ = _name_parts(scope_node, source)
            else:
                scope_parts = (strip_generics(text(scope_node, source)),)
        if name_node is None:
            return scope_parts, ""
        name_parts, special = _name_parts(name_node, source)
        return (*scope_parts, *name_parts), special
    if node.type == "destructor_name":
        return ("~" + text(node, source).lstrip("~").strip(),), "destructor"
    if node.type == "operator_name":
        symbol = " ".join(text(node, source).removeprefix("operator").split())
        spelled = (
            f"operator {symbol}" if symbol[:1].isalpha() else "operator" + symbol.replace(" ", "")
        )
        return (spelled,), "operator"
    if node.type == "template_function":
        return (text(node.child_by_field_name("name"), source),), ""
    return (strip_generics(text(node, source)),), ""


def _signature_start(definition: Node, outer: Node) -> int:
    if outer is not definition:
        return outer.start_byte
    for child in definition.children:
        if child.type not in ("attribute_declaration", "comment"):
            return child.start_byte
    return definition.start_byte


def _return_type(
    definition: Node, function_declarator: Node, modifiers: str, source: bytes
) -> str | None:
    trailing = next(
        (c for c in function_declarator.named_children if c.type == "trailing_return_type"), None
    )
    if trailing is not None:
        return compact_type(text(trailing, source).removeprefix("->"))
    type_node = definition.child_by_field_name("type")
    if type_node is None:
        return None
    qualifiers = [
        text(c, source)
        for c in definition.named_children
        if c.type == "type_qualifier" and c.end_byte <= type_node.start_byte
    ]
    return compact_type(" ".join([*qualifiers, text(type_node, source)]) + modifiers)


def _parameters(node: Node | None, source: bytes) -> tuple[Parameter, ...]:
    if node is None:
        return ()
    result: list[Parameter] = []
    for child in node.named_children:
        if child.type not in _PARAMETERS:
            continue
        declarator = child.child_by_field_name("declarator")
        type_node = child.child_by_field_name("type")
        end = (
            declarator.end_byte
            if declarator is not None
            else (type_node.end_byte if type_node is not None else child.end_byte)
        )
        identifier = _identifier(declarator)
        if identifier is not None:
            written = between(source, child.start_byte, identifier.start_byte) + between(
                source, identifier.end_byte, end
            )
        else:
            written = between(source, child.start_byte, end)
        result.append(
            Parameter(text(identifier, source) or None, compact_type(written), text(child, source))
        )
    if len(result) == 1 and result[0].name is None and result[0].type == "void":
        return ()
    return tuple(result)


def _identifier(declarator: Node | None) -> Node | None:
    current = declarator
    while current is not None and current.type not in _NAMES:
        current = _inner_declarator(current)
    return current


def _inner_declarator(node: Node) -> Node | None:
    """The declarator ``node`` wraps: its ``declarator`` field, or (references, parentheses)
    its one declarator or name child."""
    inner = node.child_by_field_name("declarator")
    if inner is None:
        inner = next(
            (c for c in node.named_children if c.type in _NAMES or c.type.endswith("declarator")),
            None,
        )
    return inner
