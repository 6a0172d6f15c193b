"""What the Java module needs to know about a source file, read with tree-sitter-java: its package,
imports and top-level types, every method with erased parameter types (as the driver must write
them from another class of the same package), and which method a function name refers to."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace

import tree_sitter_java
from tree_sitter import Language, Node, Parser

_PARSER = Parser(Language(tree_sitter_java.language()))
_TYPES = ("class_declaration", "interface_declaration", "enum_declaration", "record_declaration")
PRIMITIVES = ("int", "long", "double", "float", "short", "byte", "char", "boolean")


@dataclass(frozen=True)
class JavaClass:
    path: tuple[str, ...]  # enclosing classes, outermost first, then this one
    kind: str  # class | interface | enum | record
    static: bool  # top-level or a static member (so no outer instance is needed)
    private: bool
    abstract: bool
    no_arg_constructor: bool  # declares none, or one without parameters
    members: frozenset[str]  # member type names
    private_members: frozenset[str]
    type_variables: tuple[tuple[str, str], ...]  # (name, erasure of its bound)

    @property
    def name(self) -> str:
        return ".".join(self.path)


@dataclass(frozen=True)
class JavaParam:
    erasure: str  # as the driver writes it: "List", "int[][]", "Solution.Node"
    simple: str  # Class.getSimpleName() of the erasure: "List", "int[][]", "Node"
    declared: str  # as written: "List<Double>"


@dataclass(frozen=True)
class JavaMethod:
    owners: tuple[JavaClass, ...]  # outermost first; owners[-1] declares the method
    name: str
    static: bool
    private: bool
    abstract: bool
    params: tuple[JavaParam, ...]
    returns: str  # erasure; "void" or a primitive name matter to the driver
    hidden_types: bool  # a parameter's type is a private member type

    @property
    def owner(self) -> JavaClass:
        return self.owners[-1]

    def describe(self) -> str:
        params = ", ".join(p.declared for p in self.params)
        return f"{self.owner.name}.{self.name}({params})"


@dataclass(frozen=True)
class JavaSource:
    package: str | None
    imports: tuple[str, ...]
    types: tuple[str, ...]  # top-level type names
    public_type: str | None
    methods: tuple[JavaMethod, ...]
    error_line: int | None = None  # the first syntax error's line, if any

    def file_name(self, fallback: str) -> str:
        """The name javac requires (its public type's), else the first type's, else fallback."""
        name = self.public_type or (self.types[0] if self.types else fallback)
        return f"{name}.java"

    def mains(self) -> list[JavaMethod]:
        """Methods that can start a program: ``static void main(String[])``."""
        return [
            m
            for m in self.methods
            if m.name == "main"
            and m.static
            and [p.simple for p in m.params] == ["String[]"]
            and m.returns == "void"
        ]


def parse(source: str) -> JavaSource:
    root = _PARSER.parse(source.encode()).root_node
    package = None
    imports: list[str] = []
    types: list[str] = []
    public_type = None
    methods: list[JavaMethod] = []
    for node in root.named_children:
        if node.type == "package_declaration":
            package = "".join(_text(c) for c in node.named_children if c.type != "annotation")
        elif node.type == "import_declaration":
            imports.append(" ".join(_text(node).split()))
        elif node.type in _TYPES:
            name = _text(node.child_by_field_name("name"))
            types.append(name)
            if "public" in _modifiers(node):
                public_type = name
            methods.extend(_methods(node, ()))
    return JavaSource(
        package,
        tuple(imports),
        tuple(types),
        public_type,
        tuple(methods),
        _first_error(root) if root.has_error else None,
    )


def _first_error(node: Node) -> int | None:
    if node.type == "ERROR" or node.is_missing:
        return node.start_point[0] + 1
    for child in node.children:
        if child.has_error or child.is_missing:
            return _first_error(child)
    return None


def _text(node: Node | None) -> str:
    return "" if node is None or node.text is None else node.text.decode()


def _modifiers(node: Node) -> set[str]:
    for child in node.children:
        if child.type == "modifiers":
            return {_text(c) for c in child.children if not c.is_named}
    return set()


def _body_members(node: Node) -> Iterator[Node]:
    body = node.child_by_field_name("body")
    if body is None:
        return
    for child in body.named_children:
        if child.type == "enum_body_declarations":
            yield from child.named_children
        else:
            yield child


def _methods(node: Node, outer: tuple[JavaClass, ...]) -> Iterator[JavaMethod]:
    cls = _class(node, outer)
    owners = (*outer, cls)
    for member in _body_members(node):
        if member.type in _TYPES:
            yield from _methods(member, owners)
        elif member.type == "method_declaration":
            yield _method(member, owners)


def _class(node: Node, outer: tuple[JavaClass, ...]) -> JavaClass:
    kind = node.type.removesuffix("_declaration")
    mods = _modifiers(node)
    members, hidden, constructors = set(), set(), []
    for member in _body_members(node):
        if member.type in _TYPES:
            name = _text(member.child_by_field_name("name"))
            members.add(name)
            if "private" in _modifiers(member):
                hidden.add(name)
        elif member.type == "constructor_declaration":
            params = member.child_by_field_name("parameters")
            constructors.append(0 if params is None else len(_params(params)))
    in_interface = bool(outer) and outer[-1].kind == "interface"
    cls = JavaClass(
        path=(*(c.path[-1] for c in outer), _text(node.child_by_field_name("name"))),
        kind=kind,
        static=not outer or "static" in mods or kind != "class" or in_interface,
        private="private" in mods,
        abstract="abstract" in mods or kind == "interface",
        no_arg_constructor=not constructors or 0 in constructors,
        members=frozenset(members),
        private_members=frozenset(hidden),
        type_variables=(),
    )
    scope = _Scope((*outer, cls), {})
    variables = _type_variables(node.child_by_field_name("type_parameters"), scope)
    return replace(cls, type_variables=tuple(variables.items()))


def _params(node: Node) -> list[Node]:
    return [c for c in node.named_children if c.type in ("formal_parameter", "spread_parameter")]


class _Scope:
    """Resolves type names as the method's own code sees them, for use from another class."""

    def __init__(self, owners: tuple[JavaClass, ...], variables: dict[str, str]) -> None:
        self.owners = owners
        self.variables = {k: v for c in owners for k, v in c.type_variables} | variables

    def qualify(self, name: str) -> tuple[str, bool]:
        """The name written from outside, and whether it names a private member type."""
        for cls in reversed(self.owners):
            if name in cls.members:
                return f"{cls.name}.{name}", name in cls.private_members
            if name == cls.path[-1]:
                return cls.name, cls.private
        return name, False

    def erase(self, node: Node) -> tuple[str, str, bool]:
        """(erasure written from outside, its simple name, names a private type)."""
        kind = node.type
        if kind in ("integral_type", "floating_point_type", "boolean_type", "void_type"):
            return _text(node), _text(node), False
        if kind == "array_type":
            base, simple, hidden = self.erase(node.child_by_field_name("element") or node)
            dims = "[]" * _text(node.child_by_field_name("dimensions")).count("[")
            return base + dims, simple + dims, hidden
        if kind in ("generic_type", "annotated_type"):
            inner = [
                c
                for c in node.named_children
                if c.type not in ("type_arguments", "annotation", "marker_annotation")
            ]
            return self.erase(inner[0]) if inner else ("Object", "Object", False)
        names = _names(node)
        if not names:
            return "Object", "Object", False
        if len(names) == 1 and names[0] in self.variables:
            bound = self.variables[names[0]]
            return bound, bound.rsplit(".", 1)[-1], False
        first, hidden = self.qualify(names[0])
        return ".".join([first, *names[1:]]), names[-1], hidden


def _names(node: Node) -> list[str]:
    if node.type == "type_identifier":
        return [_text(node)]
    if node.type == "generic_type":
        return _names(node.named_children[0])
    if node.type == "scoped_type_identifier":
        return [n for c in node.named_children for n in _names(c)]
    return []


def _type_variables(node: Node | None, scope: _Scope) -> dict[str, str]:
    variables: dict[str, str] = {}
    if node is None:
        return variables
    for param in node.named_children:
        name = next((_text(c) for c in param.named_children if c.type == "type_identifier"), "")
        bound = next((c for c in param.named_children if c.type == "type_bound"), None)
        scope.variables[name] = "Object"  # a bound may mention the variable itself
        bound_type = bound.named_children[0] if bound is not None and bound.named_children else None
        variables[name] = "Object" if bound_type is None else scope.erase(bound_type)[0]
        scope.variables[name] = variables[name]
    return variables


def _method(node: Node, owners: tuple[JavaClass, ...]) -> JavaMethod:
    mods = _modifiers(node)
    scope = _Scope(owners, {})
    scope.variables |= _type_variables(node.child_by_field_name("type_parameters"), scope)
    params: list[JavaParam] = []
    hidden = False
    parameters = node.child_by_field_name("parameters")
    for param in _params(parameters) if parameters is not None else []:
        type_node = param.child_by_field_name("type") or next(
            c for c in param.named_children if c.type not in ("modifiers", "variable_declarator")
        )
        erasure, simple, private = scope.erase(type_node)
        dims = "[]" * _text(param.child_by_field_name("dimensions")).count("[")
        spread = param.type == "spread_parameter"
        extra = dims + ("[]" if spread else "")
        declared = _text(type_node) + dims + ("..." if spread else "")
        params.append(JavaParam(erasure + extra, simple + extra, " ".join(declared.split())))
        hidden |= private
    returns = scope.erase(node.child_by_field_name("type") or node)[0]
    in_interface = owners[-1].kind == "interface"
    return JavaMethod(
        owners=owners,
        name=_text(node.child_by_field_name("name")),
        static="static" in mods,
        private="private" in mods,
        abstract=node.child_by_field_name("body") is None,
        params=tuple(params),
        returns=returns,
        hidden_types=hidden or (in_interface and "private" in mods),
    )


def find(source: JavaSource, function: str) -> list[JavaMethod] | str:
    """The overloads ``function`` names (``[pkg.]Class.method`` or ``method``, optionally with
    parameter types ``Class.method(int[], List<Integer>)``), or what is wrong with it."""
    spec = function.rsplit("::", 1)[-1].replace("#", ".").strip()
    match = re.fullmatch(r"([\w$.]+)\s*(?:\((.*)\))?", spec)
    if match is None:
        return (
            f"cannot read the function name {function!r}: write Class.method, or "
            f"Class.method(int[], String) to pick one overload"
        )
    *classes, name = match.group(1).split(".")
    wanted = None if match.group(2) is None else _param_names(match.group(2))
    package = tuple(source.package.split(".")) if source.package else ()
    found = [
        m
        for m in source.methods
        if m.name == name
        and (
            not classes
            or _ends_with(m.owner.path, classes)
            or _ends_with((*package, *m.owner.path), classes)
        )
    ]
    if not found:
        known = sorted({f"{m.owner.name}.{m.name}" for m in source.methods})
        listed = ", ".join(known[:30]) or "none"
        broken = (
            f" (the source does not parse: syntax error at line {source.error_line})"
            if source.error_line
            else ""
        )
        return f"no method {match.group(1)} in the source{broken}; the methods there are: {listed}"
    owners = sorted({m.owner.name for m in found})
    if len(owners) > 1:
        return (
            f"{name} is declared in several classes ({', '.join(owners)}): "
            f"qualify it, e.g. {owners[0]}.{name}"
        )
    if wanted is not None:
        picked = [
            m
            for m in found
            if len(m.params) == len(wanted)
            and all(
                w in (p.simple, *_param_names(p.declared))
                for p, w in zip(m.params, wanted, strict=True)
            )
        ]
        if not picked:
            listed = "; ".join(m.describe() for m in found)
            return f"no overload {spec}; the overloads are: {listed}"
        found = picked
    concrete = [m for m in found if not m.abstract]
    if not concrete:
        return f"{found[0].describe()} has no body (abstract); name a method with a body"
    usable = [m for m in concrete if _instantiable(m) is None]
    return usable or str(_instantiable(concrete[0]))


def _ends_with(path: tuple[str, ...], tail: list[str]) -> bool:
    return len(path) >= len(tail) and list(path[len(path) - len(tail) :]) == tail


def _param_names(text: str) -> list[str]:
    """``List<Integer> xs, int... ys`` -> ["List", "int[]"]: the simple names of the erasures."""
    text = re.sub(r"@\w+(\.\w+)*", "", text)
    while re.search(r"<[^<>]*>", text):
        text = re.sub(r"<[^<>]*>", "", text)
    names = []
    for written in filter(None, (p.strip() for p in text.split(","))):
        part = written.replace("...", "[]")
        dims = "[]" * part.count("[")
        base = re.sub(r"\[\s*\]", "", part).split()[0]
        names.append(base.rsplit(".", 1)[-1] + dims)
    return names


def _instantiable(method: JavaMethod) -> str | None:
    """Why the driver cannot make the receiver of an instance method, if it cannot."""
    if method.static:
        return None
    for cls in reversed(method.owners):
        if cls.kind != "class" or cls.abstract or not cls.no_arg_constructor:
            why = (
                f"{cls.name} is {'an ' + cls.kind if cls.kind != 'class' else 'abstract'}"
                if cls.kind != "class" or cls.abstract
                else f"{cls.name} has no constructor without parameters"
            )
            return (
                f"{method.describe()} is an instance method: the driver calls it on a new "
                f"{method.owner.name}() for each call, but {why}; make the method static "
                f"or give the class a no-arg constructor"
            )
        if cls.static:
            return None
    return None
