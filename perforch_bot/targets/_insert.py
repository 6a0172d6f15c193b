"""Putting a new function (one the file does not have yet) into its file.

The spec names the place: the end of the file, the end of a class / impl / type body (Python,
Java, Rust), or a ``namespace`` block appended at the end (C++). The code is re-indented and
given the file's line endings as ``replace_function`` does; everything outside the inserted text
stays byte for byte (blank lines at the very end of the file become one newline). The result
must parse, keep every function the file had and define exactly the function the spec names;
otherwise ``InsertionError`` says why and the file is left as it was.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from tree_sitter import Node

from perforch_bot.errors import TargetError
from perforch_bot.targets._errors import AmbiguousTargetError, InsertionError, TargetNotFoundError
from perforch_bot.targets._extract import extract_tree, module_for, parse
from perforch_bot.targets._indent import reindent
from perforch_bot.targets._model import Function, SourceFile
from perforch_bot.targets._spec import TargetSpec, find_function, parse_spec
from perforch_bot.targets._text import (
    decode,
    encode,
    indentation_before,
    line_ending_near,
    only_whitespace_before,
)
from perforch_bot.targets._writeback import file_unit, line_indices, normalize_code, syntax_problem
from perforch_bot.targets.languages._tree import compact_type, strip_generics, text

_DEFAULT_UNITS = {"go": "\t"}  # for files with nothing indented yet; else four spaces
_JAVA_TYPES = frozenset(
    {"class_declaration", "interface_declaration", "enum_declaration", "record_declaration"}
)
_JAVA_METHODS = frozenset({"method_declaration", "constructor_declaration"})
_CPP_CLASSES = frozenset({"class_specifier", "struct_specifier", "union_specifier"})
_RUST_TYPES = frozenset({"struct_item", "enum_item", "union_item"})
_MAIN_GUARDS = frozenset({"__name__=='__main__'", '__name__=="__main__"'})


@dataclass(frozen=True)
class Insertion:
    """``code`` put into ``original`` as a new function: the new file and the function as found
    in it. ``container`` is the class / impl / namespace it went into, None at top level."""

    path: str
    original: bytes
    updated: bytes
    new_function: Function
    container: str | None


@dataclass(frozen=True)
class _Place:
    """``source[start:end]`` (whitespace only) becomes ``before + code + after``, the code at
    ``indent``; ``before`` and ``after`` are written with ``\\n`` line endings."""

    start: int
    end: int
    indent: str
    before: str
    after: str
    container: str | None


def insert_function(path: str, source: bytes, spec: str, code: str) -> Insertion:
    """Put ``code``, the whole new function that ``spec`` names (``src/stats.py::Stats.median``),
    into ``source``, the contents of ``path``, where the spec says it belongs."""
    target = parse_spec(spec)
    if target.path != path:
        raise InsertionError(f"{spec} names a function of {target.path}, not of {path}")
    module = module_for(path)
    written = normalize_code(code)
    if not written:
        raise InsertionError(f"the code for {target.name} is empty; give the whole function")
    root = parse(module, source)
    current = extract_tree(path, module, root, source)
    _refuse_existing(current, target)
    unit = file_unit(module, root, source) or _DEFAULT_UNITS.get(module.name, "    ")
    place = _PLACES[module.name](target, root, source, unit)

    code_bytes = encode(written)
    code_root = parse(module, code_bytes)
    indented = place.indent + reindent(
        written,
        place.indent,
        unit,
        line_indices(code_root, code_bytes, module.string_types),
        line_indices(code_root, code_bytes, module.comment_types),
    )
    newline = decode(line_ending_near(source, place.start))
    before, placed, after = (
        encode(part.replace("\n", newline)) for part in (place.before, indented, place.after)
    )
    code_range = (place.start + len(before), place.start + len(before) + len(placed))
    updated = source[: place.start] + before + placed + after + source[place.end :]

    new_root = parse(module, updated)
    problem = syntax_problem(root, (place.start, place.end), new_root, updated, code_range)
    if problem is not None:
        raise InsertionError(
            f"the new function {target.name} does not parse ({problem}); {path} was not changed"
        )
    result = extract_tree(path, module, new_root, updated)
    inside = [
        f
        for f in result.functions
        if code_range[0] <= f.declaration_span.start_byte < code_range[1]
    ]
    _check_kept(current.functions, [f for f in result.functions if f not in inside], target)
    new_function = _find_new(result, inside, target)
    span = new_function.span  # anything else the code holds lies before or after it
    for start, end in ((code_range[0], span.start_byte), (span.end_byte, code_range[1])):
        if not _only_comments(new_root, module.comment_types, start, end):
            extra = decode(updated[start:end]).strip().split("\n")[0]
            raise InsertionError(
                f"the code holds more than the function {target.name} ({extra!r}); give only "
                f"the function. {path} was not changed"
            )
    return Insertion(path, source, updated, new_function, place.container)


def _refuse_existing(current: SourceFile, target: TargetSpec) -> None:
    """Refuse a function the file already has: by its whole name (``median`` is new next to
    ``Stats.median``); an overload with other parameter types is new."""
    try:
        existing = find_function(current, target, exact=True)
    except TargetNotFoundError:
        return
    except AmbiguousTargetError as error:
        found = ", ".join(error.candidates)
    else:
        found = f"{existing.spec} (line {existing.span.start_line})"
    overload = ""
    if current.language in ("java", "cpp") and target.parameter_types is None:
        overload = f" (for another overload, give its parameter types: {target}(TYPES))"
    raise InsertionError(
        f"{found} already exists; use optimize to improve it, or give the new function a name "
        f"the file does not have{overload}"
    )


def _check_kept(old: tuple[Function, ...], kept: list[Function], target: TargetSpec) -> None:
    """Every function the file had must still be there, unchanged (code that swallows the end
    of a body would take functions away without a syntax error)."""
    lost = Counter((f.qualified_name, f.text) for f in old) - Counter(
        (f.qualified_name, f.text) for f in kept
    )
    if lost:
        names = ", ".join(dict.fromkeys(name for name, _ in lost))
        raise InsertionError(
            f"putting {target.name} into {target.path} would change or lose {names}; give only "
            f"the new function, complete. {target.path} was not changed"
        )


def _find_new(result: SourceFile, inside: list[Function], target: TargetSpec) -> Function:
    """The function the spec names, which the inserted code must define (the caller checks
    that the code holds nothing else)."""
    defined = ", ".join(f.qualified_name for f in inside)
    try:
        found: Function | None = find_function(result, target, exact=True)
    except TargetError:
        found = None
    if found is None or found not in inside:
        raise InsertionError(
            f"the code does not define {target.name}"
            + (f" (it defines {defined})" if defined else "")
            + f"; write the function the spec names. {target.path} was not changed"
        )
    return found


def _only_comments(root: Node, comment_types: frozenset[str], start: int, end: int) -> bool:
    """Whether ``[start, end)`` holds nothing but whitespace and comments."""
    stack = [root]
    while stack:
        node = stack.pop()
        if node.end_byte <= start or node.start_byte >= end or node.type in comment_types:
            continue
        if not node.children:
            return False
        stack.extend(node.children)
    return True


# Places: each takes the spec, the parsed file, its bytes and its indentation unit.


def _after(source: bytes, at: int, before: str, indent: str, container: str | None) -> _Place:
    """Right after offset ``at``; when only whitespace follows, the file ends with one newline."""
    if source[at:].strip():
        return _Place(at, at, indent, before, "", container)
    return _Place(at, len(source), indent, before, "\n", container)


def _at_end(
    source: bytes, blank_lines: int, indent: str = "", container: str | None = None, wrap: str = ""
) -> _Place:
    """At the end of the file; ``wrap`` is a block around the code, ``{}`` marking its place."""
    at = len(source.rstrip())
    place = _after(source, at, "\n" * (blank_lines + 1) if at else "", indent, container)
    opening, _, closing = wrap.partition("{}")
    return _Place(at, place.end, indent, place.before + opening, closing + place.after, container)


def _in_braces(
    source: bytes, owner: Node, body: Node, unit: str, container: str, opening: str = ""
) -> _Place:
    """Before the closing brace of ``body`` (of ``owner``), after its last member, indented as
    its members are. ``opening`` goes first (an enum's ``;`` before its methods: not after a
    comment, where it would be commented out)."""
    close = body.children[-1]
    if close.type != "}" or close.is_missing:
        raise InsertionError(f"the body of {container} is not closed; fix the file first")
    outer = decode(indentation_before(source, owner.start_byte))
    members = [
        c
        for c in body.named_children
        if not c.type.endswith("comment") and only_whitespace_before(source, c.start_byte)
    ]
    indent = decode(indentation_before(source, members[0].start_byte)) if members else outer + unit
    inner = [c for c in body.children[1:-1] if not (opening and c.type.endswith("comment"))]
    if not inner:  # an empty body: the code on lines of its own between the braces
        start, end = body.children[0].end_byte, close.start_byte
        return _Place(start, end, indent, opening + "\n", "\n" + outer, container)
    start = end = inner[-1].end_byte
    if not only_whitespace_before(source, close.start_byte):
        # a brace on the last member's line (``enum E { A, B }``) moves to a line of its own
        end = close.start_byte if not source[start : close.start_byte].strip() else start
        return _Place(start, end, indent, opening + "\n\n", "\n" + outer, container)
    return _Place(start, end, indent, opening + "\n\n", "", container)


def _python(target: TargetSpec, root: Node, source: bytes, unit: str) -> _Place:
    *scope, name = target.name.split(".")
    if not scope:
        guard = _main_guard(root, source)
        if guard is None:
            return _at_end(source, 2)
        # before ``if __name__ == "__main__":``, which may call it
        return _Place(guard.start_byte, guard.start_byte, "", "", "\n\n\n", None)
    if len(scope) > 1:
        raise InsertionError(
            f"{target}: a new function goes at module level or into a top-level class "
            f"({target.path}::Class.{name}), not into a nested class"
        )
    for child in root.named_children:
        node = (
            child.child_by_field_name("definition")
            if child.type == "decorated_definition"
            else child
        )
        body = node.child_by_field_name("body") if node is not None else None
        if node is None or body is None or node.type != "class_definition":
            continue
        if text(node.child_by_field_name("name"), source) != scope[0]:
            continue
        indent = decode(indentation_before(source, body.start_byte))
        return _after(source, body.end_byte, "\n\n", indent, scope[0])
    raise _no_container("class", scope[0], target.path)


def _main_guard(root: Node, source: bytes) -> Node | None:
    """The top-level ``if __name__ == "__main__":``, with the comments right above it."""
    guard = next(
        (
            c
            for c in root.named_children
            if c.type == "if_statement"
            and "".join(text(c.child_by_field_name("condition"), source).split()) in _MAIN_GUARDS
        ),
        None,
    )
    while (
        guard is not None
        and guard.prev_sibling is not None
        and guard.prev_sibling.type == "comment"
        and guard.prev_sibling.end_point.row + 1 == guard.start_point.row
    ):
        guard = guard.prev_sibling
    return guard


def _java(target: TargetSpec, root: Node, source: bytes, unit: str) -> _Place:
    type_name, _, method = target.name.rpartition(".")
    if not type_name:
        raise InsertionError(f"Java methods live in a class: name it {target.path}::Class.{method}")
    types: dict[str, Node] = {}
    _java_types(root, source, (), types)
    declaration = types.get(type_name)
    body = declaration.child_by_field_name("body") if declaration is not None else None
    if declaration is None or body is None:
        raise _no_container("class", type_name, target.path)
    # an enum with only constants so far needs a ``;`` before its first method
    constants_only = body.type == "enum_body" and not any(
        c.type == "enum_body_declarations" for c in body.named_children
    )
    return _in_braces(source, declaration, body, unit, type_name, ";" if constants_only else "")


def _java_types(node: Node, source: bytes, scope: tuple[str, ...], found: dict[str, Node]) -> None:
    """Type declarations by the qualified name the extractor gives their methods."""
    for child in node.named_children:
        if child.type in _JAVA_TYPES:
            qualified = (*scope, text(child.child_by_field_name("name"), source))
            found.setdefault(".".join(qualified), child)
            _java_types(child.child_by_field_name("body") or child, source, qualified, found)
        elif child.type not in _JAVA_METHODS:
            _java_types(child, source, scope, found)


def _rust(target: TargetSpec, root: Node, source: bytes, unit: str) -> _Place:
    *scope, name = strip_generics(target.name).split("::")
    if target.name.startswith("<") or len(scope) > 1:
        raise InsertionError(
            f"{target}: a new function goes at the top level of {target.path} "
            f"({target.path}::{name}) or into an inherent impl there "
            f"({target.path}::Type::{name}), not into a module or a trait impl"
        )
    if not scope:
        return _at_end(source, 1)
    type_name = scope[0]
    for child in reversed(root.named_children):  # the last inherent ``impl Type`` block
        body = child.child_by_field_name("body")
        if (
            child.type == "impl_item"
            and body is not None
            and child.child_by_field_name("trait") is None
            and strip_generics(compact_type(text(child.child_by_field_name("type"), source)))
            == type_name
        ):
            return _in_braces(source, child, body, unit, type_name)
    for child in root.named_children:
        if text(child.child_by_field_name("name"), source) != type_name:
            continue
        if child.type == "mod_item":
            raise InsertionError(
                f"{type_name} is a module of {target.path}: a new function goes at the top level "
                f"({target.path}::{name}) or into an impl ({target.path}::Type::{name})"
            )
        if child.type in _RUST_TYPES and child.child_by_field_name("type_parameters"):
            # its impl header needs the type parameters and their bounds: the author's call
            raise InsertionError(
                f"{type_name} is generic and {target.path} has no `impl {type_name}` block to put "
                f"{name} in; add one (impl<...> {type_name}<...> {{}}) first"
            )
    return _at_end(source, 1, unit, type_name, f"impl {type_name} {{\n{{}}\n}}")


def _cpp(target: TargetSpec, root: Node, source: bytes, unit: str) -> _Place:
    *scope, name = strip_generics(target.name).split("::")
    classes = _cpp_classes(root, source)
    if any(part in classes for part in scope):
        if scope[-1] not in classes or not _declares(classes[scope[-1]], name, source):
            raise InsertionError(
                f"{target}: a member function must be declared in its class: add the "
                f"declaration to class {scope[-1]} first"
            )
        # declared: the definition (``R Class::name(...)``) goes into the class's namespaces
        scope = scope[: next(i for i, part in enumerate(scope) if part in classes)]
    if not scope:
        return _at_end(source, 1)
    namespace = "::".join(scope)  # ``namespace a::b`` needs C++17
    wrap = f"namespace {namespace} {{\n{{}}\n}}  // namespace {namespace}"
    return _at_end(source, 1, "", namespace, wrap)


def _cpp_classes(root: Node, source: bytes) -> dict[str, Node]:
    """Class bodies by class name, anywhere in the file outside functions."""
    found: dict[str, Node] = {}
    stack = [root]
    while stack:
        node = stack.pop()
        body = node.child_by_field_name("body")
        if node.type in _CPP_CLASSES and body is not None:
            name = strip_generics(text(node.child_by_field_name("name"), source))
            found.setdefault(name, body)
        if node.type != "function_definition":
            stack.extend(node.named_children)
    return found


def _declares(body: Node, name: str, source: bytes) -> bool:
    """Whether a class body declares (without defining) a member function ``name``."""
    stack = list(body.named_children)
    while stack:
        node = stack.pop()
        declared = text(node.child_by_field_name("declarator"), source)
        if node.type == "function_declarator" and "".join(declared.split()) == name:
            return True
        if node.type not in ("function_definition", "field_declaration_list"):
            stack.extend(node.named_children)
    return False


def _no_container(kind: str, name: str, path: str) -> InsertionError:
    return InsertionError(
        f"there is no {kind} {name} in {path}; create the {kind} first or name an existing one"
    )


_PLACES: dict[str, Callable[[TargetSpec, Node, bytes, str], _Place]] = {
    "python": _python,
    "java": _java,
    # Go methods go at top level too; the final lookup checks the receiver the code declares
    "go": lambda target, root, source, unit: _at_end(source, 1),
    "rust": _rust,
    "cpp": _cpp,
}
