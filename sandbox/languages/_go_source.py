"""Reading Go source with tree-sitter: the target's signature, imports, package clauses.

The Go driver is generated per target (typed argument and result structs, a direct call), so
it needs the parameter and result types as written, with the imports they use.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass

import tree_sitter_go
from tree_sitter import Language, Node, Parser, Tree

INPUTS_NAME = "perforchInputs"
REPLACED_MAIN = "perforchReplacedMain"


class SourceError(ValueError):
    """The source or inputs cannot be used as given; the message says what to change."""


@dataclass(frozen=True)
class Target:
    """What the driver calls. A method's receiver is the first argument of each case."""

    spec: str
    callee: str  # the function expression ("Sum", "Max[int]"); empty for a method
    method: str | None
    receiver: str | None  # the receiver's type, as written ("*Cache", "Stack[int]")
    params: tuple[str, ...]  # parameter types; a variadic one as its element type
    variadic: bool
    results: tuple[str, ...]
    qualifiers: frozenset[str]  # package names the types use (big in *big.Int)

    @property
    def argument_types(self) -> tuple[str, ...]:
        receiver = () if self.receiver is None else (self.receiver,)
        return (*receiver, *self.params)


@functools.cache
def _parser() -> Parser:
    return Parser(Language(tree_sitter_go.language()))


def parse(text: str) -> Tree:
    return _parser().parse(text.encode())


def _text(node: Node | None) -> str:
    return "" if node is None or node.text is None else node.text.decode()


def _walk(node: Node) -> Iterator[Node]:
    yield node
    for child in node.children:
        yield from _walk(child)


def _top(tree: Tree, *types: str) -> Iterator[Node]:
    return (node for node in tree.root_node.children if node.type in types)


def _syntax_hint(tree: Tree) -> str:
    for node in _walk(tree.root_node):
        if node.type == "ERROR" or node.is_missing:
            return f" (the file does not parse near line {node.start_point[0] + 1})"
    return ""


# ---- the target ----

_FUNCTION_SPEC = re.compile(r"^([A-Za-z_]\w*)\s*(?:\[(.+)\])?$")
_METHOD_SPEC = re.compile(
    r"^(?:\(\s*\*?\s*([A-Za-z_]\w*)\s*(?:\[(.+)\])?\s*\)|\*?([A-Za-z_]\w*)\s*(?:\[(.+)\])?)"
    r"\s*\.\s*([A-Za-z_]\w*)$"
)
_QUALIFIER = re.compile(r"\b([A-Za-z_]\w*)\s*\.\s*[A-Za-z_]")


def find_target(source: str, spec: str) -> Target:
    """The function ``spec`` names: ``Sum``, ``Max[int]`` (generic: give the type arguments),
    ``Cache.Get`` or ``(*Cache).Get`` (a method: the receiver is the first argument)."""
    tree = parse(source)
    spec = spec.strip()
    if (found := _FUNCTION_SPEC.match(spec)) is not None:
        name, type_args = found.group(1), found.group(2)
        if name == "main":
            raise SourceError("cannot time main(): name a function that main calls")
        for node in _top(tree, "function_declaration"):
            if _text(node.child_by_field_name("name")) == name:
                return _function(spec, node, name, _split_args(type_args))
        raise SourceError(_not_found(tree, f"no function {name!r} in the source", spec))
    if (found := _METHOD_SPEC.match(spec)) is not None:
        type_name = found.group(1) or found.group(3)
        type_args = _split_args(found.group(2) or found.group(4))
        method = found.group(5)
        for node in _top(tree, "method_declaration"):
            receiver = _receiver(node)
            if _text(node.child_by_field_name("name")) == method and receiver[0] == type_name:
                return _method(spec, node, method, receiver, type_args)
        raise SourceError(_not_found(tree, f"no method {method!r} on type {type_name!r}", spec))
    raise SourceError(
        f"cannot read the function name {spec!r}: write Name, Name[int] for a generic "
        "function, or Type.Method / (*Type).Method for a method"
    )


def _not_found(tree: Tree, what: str, spec: str) -> str:
    names = [_text(n.child_by_field_name("name")) for n in _top(tree, "function_declaration")]
    names += [
        f"{_receiver(n)[0]}.{_text(n.child_by_field_name('name'))}"
        for n in _top(tree, "method_declaration")
    ]
    listed = ", ".join(sorted(set(names))) or "none"
    return f"{what} (looked for {spec!r}; found: {listed}){_syntax_hint(tree)}"


def _split_args(text: str | None) -> list[str]:
    if text is None:
        return []
    args, depth, current = [], 0, ""
    for char in text:
        depth += char in "[({"
        depth -= char in "])}"
        if char == "," and depth == 0:
            args.append(current.strip())
            current = ""
        else:
            current += char
    return [*args, current.strip()]


def _type_params(node: Node | None) -> list[str]:
    """Names declared in ``[K comparable, V any]``, in order."""
    if node is None:
        return []
    return [
        _text(name)
        for declaration in node.named_children
        if declaration.type == "type_parameter_declaration"
        for name in declaration.children_by_field_name("name")
    ]


def _bind(spec: str, names: list[str], args: list[str], example: str) -> dict[str, str]:
    """Type parameters to arguments; ``example`` shows the spec with ``{}`` for arguments."""
    if len(names) != len(args):
        if not args:
            shown = example.format(", ".join(["int"] * len(names)))
            raise SourceError(f"{spec} is generic: name its type arguments, e.g. {shown}")
        raise SourceError(f"{spec}: {len(args)} type arguments given, it takes {len(names)}")
    return dict(zip(names, args, strict=True))


def _function(spec: str, node: Node, name: str, type_args: list[str]) -> Target:
    names = _type_params(node.child_by_field_name("type_parameters"))
    bound = _bind(spec, names, type_args, name + "[{}]")
    params, variadic, qualifiers = _parameters(node.child_by_field_name("parameters"), bound)
    results, result_qualifiers = _results(node.child_by_field_name("result"), bound)
    callee = f"{name}[{', '.join(type_args)}]" if type_args else name
    return Target(
        spec,
        callee,
        None,
        None,
        params,
        variadic,
        results,
        frozenset(qualifiers | result_qualifiers | _arg_qualifiers(type_args)),
    )


def _receiver(node: Node) -> tuple[str, Node | None, list[str]]:
    """A method's receiver: base type name, its type node, and its type parameter names."""
    receiver = node.child_by_field_name("receiver")
    declaration = receiver.named_children[0] if receiver and receiver.named_children else None
    type_node = declaration.child_by_field_name("type") if declaration else None
    base = type_node
    if base is not None and base.type == "pointer_type":
        base = base.named_children[0] if base.named_children else None
    params: list[str] = []
    if base is not None and base.type == "generic_type":
        arguments = base.child_by_field_name("type_arguments")
        params = [_text(a) for a in (arguments.named_children if arguments else [])]
        base = base.child_by_field_name("type")
    return _text(base), type_node, params


def _method(
    spec: str,
    node: Node,
    method: str,
    receiver: tuple[str, Node | None, list[str]],
    type_args: list[str],
) -> Target:
    base, type_node, names = receiver
    pointer = type_node is not None and type_node.type == "pointer_type"
    example = f"({'*' if pointer else ''}{base}[{{}}]).{method}"
    bound = _bind(spec, names, type_args, example)
    if type_node is None:
        raise SourceError(f"cannot read the receiver of {spec}")
    receiver_type, receiver_qualifiers = _type_text(type_node, bound)
    params, variadic, qualifiers = _parameters(node.child_by_field_name("parameters"), bound)
    results, result_qualifiers = _results(node.child_by_field_name("result"), bound)
    return Target(
        spec,
        "",
        method,
        receiver_type,
        params,
        variadic,
        results,
        frozenset(
            qualifiers | result_qualifiers | receiver_qualifiers | _arg_qualifiers(type_args)
        ),
    )


def _arg_qualifiers(type_args: list[str]) -> set[str]:
    return {q for arg in type_args for q in _QUALIFIER.findall(arg)}


def _type_text(node: Node, bound: dict[str, str]) -> tuple[str, set[str]]:
    """The type as written, type parameters replaced by their arguments; and its qualifiers."""
    source = node.text or b""
    edits: list[tuple[int, int, str]] = []
    qualifiers: set[str] = set()
    for inner in _walk(node):
        if inner.type == "type_identifier" and _text(inner) in bound:
            edits.append((inner.start_byte, inner.end_byte, bound[_text(inner)]))
        elif inner.type == "qualified_type":
            qualifiers.add(_text(inner.child_by_field_name("package")))
    text = source
    for start, end, replacement in sorted(edits, reverse=True):
        offset = node.start_byte
        text = text[: start - offset] + replacement.encode() + text[end - offset :]
    return text.decode(), qualifiers


def _parameters(node: Node | None, bound: dict[str, str]) -> tuple[tuple[str, ...], bool, set[str]]:
    types: list[str] = []
    qualifiers: set[str] = set()
    variadic = False
    for declaration in node.named_children if node is not None else []:
        if declaration.type not in ("parameter_declaration", "variadic_parameter_declaration"):
            continue
        type_node = declaration.child_by_field_name("type")
        if type_node is None:
            continue
        text, used = _type_text(type_node, bound)
        qualifiers |= used
        count = max(1, len(declaration.children_by_field_name("name")))
        types.extend([text] * count)
        variadic = declaration.type == "variadic_parameter_declaration"
    return tuple(types), variadic, qualifiers


def _results(node: Node | None, bound: dict[str, str]) -> tuple[tuple[str, ...], set[str]]:
    if node is None:
        return (), set()
    if node.type == "parameter_list":
        types, _variadic, qualifiers = _parameters(node, bound)
        return types, qualifiers
    text, qualifiers = _type_text(node, bound)
    return (text,), qualifiers


# ---- files ----


def package_name(source: str) -> str | None:
    for clause in _top(parse(source), "package_clause"):
        for child in clause.named_children:
            return _text(child)
    return None


def as_package(source: str, package: str) -> str:
    """``source`` with its package clause naming ``package`` (one is added when missing)."""
    data = source.encode()
    for clause in _top(parse(source), "package_clause"):
        return (
            data[: clause.start_byte] + f"package {package}".encode() + data[clause.end_byte :]
        ).decode()
    return f"package {package}\n\n{source}"


def rename_main(source: str) -> str:
    """The driver brings its own ``main``: a ``func main`` in the file is renamed out of the way."""
    data = source.encode()
    for node in _top(parse(source), "function_declaration"):
        name = node.child_by_field_name("name")
        if name is not None and _text(name) == "main":
            data = data[: name.start_byte] + REPLACED_MAIN.encode() + data[name.end_byte :]
            break
    return data.decode()


def imports(source: str) -> list[tuple[str | None, str]]:
    """``(alias or None, path)`` for each import of the file."""
    found: list[tuple[str | None, str]] = []
    for declaration in _top(parse(source), "import_declaration"):
        for spec in _walk(declaration):
            if spec.type != "import_spec":
                continue
            alias = spec.child_by_field_name("name")
            path = _text(spec.child_by_field_name("path")).strip('"`')
            found.append((_text(alias) if alias is not None else None, path))
    return found


def default_name(path: str) -> str:
    """The package name an import path usually has (math/rand/v2 -> rand, yaml.v3 -> yaml)."""
    parts = path.split("/")
    last = parts[-1]
    if re.fullmatch(r"v\d+", last) and len(parts) > 1:
        last = parts[-2]
    last = re.sub(r"\.v\d+$", "", last)
    return re.sub(r"^go-", "", last).replace("-", "_").replace(".", "_")


def inputs_kind(inputs: str) -> str:
    """``"func"`` or ``"var"``: how the inputs file defines ``perforchInputs``."""
    tree = parse(inputs)
    for node in _top(tree, "function_declaration"):
        if _text(node.child_by_field_name("name")) == INPUTS_NAME:
            return "func"
    for node in _top(tree, "var_declaration"):
        for spec in _walk(node):
            if spec.type == "var_spec" and INPUTS_NAME in map(
                _text, spec.children_by_field_name("name")
            ):
                return "var"
    if _syntax_hint(tree):
        return "var"  # the compiler will point at the syntax error, better than a guess here
    raise SourceError(
        f"the inputs file must define `var {INPUTS_NAME} = [][]any{{{{arg1, arg2}}, ...}}` or "
        f"`func {INPUTS_NAME}() [][]any` (one []any of arguments per call)"
    )


def qualifiers_used(code: str) -> set[str]:
    """Names used as ``name.X`` in code: the packages it refers to (and locals; callers match
    them against package names)."""
    used: set[str] = set()
    for node in _walk(parse(code).root_node):
        if node.type == "selector_expression":
            operand = node.child_by_field_name("operand")
            if operand is not None and operand.type == "identifier":
                used.add(_text(operand))
        elif node.type == "qualified_type":
            used.add(_text(node.child_by_field_name("package")))
    return used


def without_imports(code: str) -> str:
    """``code`` with its import declarations removed."""
    data = code.encode()
    for node in reversed(list(_top(parse(code), "import_declaration"))):
        data = data[: node.start_byte] + data[node.end_byte :]
    return data.decode()
