"""Timing inputs for a HumanEval-X problem, taken from its own tests.

Refinements are timed against the canonical solution with ``sandbox.compare``, which needs an
inputs file: the calls to time and compare. The tests already hold such calls; the ones whose
arguments are literals (no variables of the test, no random numbers) become the inputs file,
written in the language's inputs format (docs/inputs.md). The caller checks the file on the
canonical solution (``sandbox.probe``) before using it; a problem whose tests give no usable
call is not timed.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Callable, Iterator

from sandbox.humaneval_x import Problem

_STRING = re.compile(r"\"(?:\\.|[^\"\\\n])*\"|'(?:\\.|[^'\\\n])*'")
_TOKEN = re.compile(r"\.?\d[\w.]*|[A-Za-z_]\w*")
# Identifiers a literal argument may contain, per language (types, constructors, constants).
_LITERAL_WORDS = {
    "cpp": {"true", "false", "vector", "string", "std", "int", "float", "double", "long", "char"}
    | {"bool", "unsigned", "short", "size_t", "nullptr", "pair", "map"},
    "go": {"true", "false", "nil", "int", "int32", "int64", "float64", "float32", "string"}
    | {"bool", "rune", "byte", "interface", "any", "map", "uint", "uint64"},
    "java": {"new", "ArrayList", "Arrays", "asList", "List", "of", "Map", "HashMap", "Set"}
    | {"HashSet", "true", "false", "null", "String", "Integer", "Double", "Long", "Object"}
    | {"int", "double", "long", "char", "Character", "Boolean", "boolean"},
    "rust": {"vec", "String", "from", "to_string", "true", "false", "Vec", "new", "Some", "None"}
    | {"i32", "i64", "f32", "f64", "usize", "u32", "u64", "u8", "isize", "char", "to_owned"},
}
_MAX_CASES = 50
_STR_REFERENCE = re.compile(r"&\s*str\b")


def inputs_from_tests(problem: Problem) -> str | None:
    """An inputs file for ``problem``'s function from the literal calls in its tests, or None
    when the tests hold none."""
    make: Callable[[Problem], str | None] = {
        "python": _python,
        "cpp": _cpp,
        "go": _go,
        "java": _java,
        "rust": _rust,
    }[problem.language]
    return make(problem)


def _python(problem: Problem) -> str | None:
    try:
        tree = ast.parse(problem.program.tests)
    except SyntaxError:
        return None
    checks = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "check"]
    if not checks or not checks[0].args.args:
        return None
    candidate = checks[0].args.args[0].arg
    cases: list[str] = []
    for node in ast.walk(checks[0]):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)):
            continue
        if node.func.id != candidate or node.keywords:
            continue
        try:
            for argument in node.args:
                ast.literal_eval(argument)
        except ValueError:
            continue  # a variable of the test, or a computed value
        cases.append(_tuple([ast.unparse(a) for a in node.args]))
    return _file(cases, "INPUTS = [\n", "    {},\n", "]\n")


def _cpp(problem: Problem) -> str | None:
    cases = list(_literal_calls(problem.program.tests, problem.program.function, "cpp"))
    return _file(
        cases,
        "template <class Call>\nvoid perforch_inputs(Call&& call) {\n",
        "    call({});\n",
        "}\n",
    )


def _go(problem: Problem) -> str | None:
    cases = list(_literal_calls(problem.program.tests, problem.program.function, "go"))
    return _file(cases, "package main\n\nvar perforchInputs = [][]any{\n", "\t{{{}}},\n", "}\n")


def _java(problem: Problem) -> str | None:
    method = problem.program.function.rsplit(".", 1)[-1]
    cases = list(_literal_calls(problem.program.tests, method, "java", receiver=True))
    return _file(
        cases,
        "import java.util.*;\n\nclass PerforchInputs {\n"
        "    static List<Object[]> cases() {\n        List<Object[]> cases = new ArrayList<>();\n",
        "        cases.add(new Object[] {{{}}});\n",
        "        return cases;\n    }\n}\n",
    )


def _rust(problem: Problem) -> str | None:
    types = _rust_parameter_types(problem.record["declaration"], problem.program.function)
    if not types:
        return None
    cases = []
    for call in _literal_calls(problem.program.tests, problem.program.function, "rust"):
        arguments = _split_top_level(call)
        if len(arguments) != len(types):
            continue
        fields = [_rust_field(a, t) for a, t in zip(arguments, types, strict=True)]
        # One parameter: the case is the argument itself (docs/inputs.md).
        cases.append(fields[0] if len(fields) == 1 else _tuple(fields))
    tuple_type = types[0] if len(types) == 1 else _tuple(types)
    return _file(
        cases,
        f"fn perforch_inputs() -> Vec<{tuple_type}> {{\n    vec![\n",
        "        {},\n",
        "    ]\n}\n",
    )


def _tuple(parts: list[str]) -> str:
    return f"({parts[0]},)" if len(parts) == 1 else "(" + ", ".join(parts) + ")"


def _file(cases: list[str], head: str, line: str, tail: str) -> str | None:
    unique = list(dict.fromkeys(cases))[:_MAX_CASES]
    if not unique:
        return None
    return head + "".join(line.format(case) for case in unique) + tail


def _literal_calls(
    tests: str, function: str, language: str, *, receiver: bool = False
) -> Iterator[str]:
    """The argument text of each call of ``function`` in ``tests`` whose arguments are
    literals (``receiver``: called as ``obj.function(...)``, as Java's tests do)."""
    before = r"(?<=\.)" if receiver else r"(?<![\w.:])"
    for match in re.finditer(before + re.escape(function) + r"\s*\(", tests):
        arguments = _balanced(tests, match.end())
        if arguments is not None and _is_literal(arguments, language):
            yield " ".join(arguments.split()) if "\n" in arguments else arguments.strip()


def _balanced(text: str, start: int) -> str | None:
    """The text from ``start`` to the parenthesis closing the one just before it."""
    depth = 1
    position = start
    while position < len(text):
        found = _STRING.match(text, position)
        if found:
            position = found.end()
            continue
        char = text[position]
        if char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
            if depth == 0:
                return text[start:position]
        position += 1
    return None


def _is_literal(arguments: str, language: str) -> bool:
    code = _STRING.sub('""', arguments)
    words = _LITERAL_WORDS[language]
    return all(t[0].isdigit() or t[0] == "." or t in words for t in _TOKEN.findall(code))


def _split_top_level(arguments: str, *, angles: bool = False) -> list[str]:
    """``arguments`` split at the commas outside brackets (and ``<>`` with ``angles``)."""
    opening, closing = ("([{<", ")]}>") if angles else ("([{", ")]}")
    parts: list[str] = []
    depth = 0
    current = ""
    position = 0
    while position < len(arguments):
        found = _STRING.match(arguments, position)
        if found:
            current += found.group()
            position = found.end()
            continue
        char = arguments[position]
        if char in opening:
            depth += 1
        elif char in closing and depth:
            depth -= 1
        if char == "," and depth == 0:
            parts.append(current.strip())
            current = ""
        else:
            current += char
        position += 1
    if current.strip():
        parts.append(current.strip())
    return parts


def _rust_parameter_types(declaration: str, function: str) -> list[str] | None:
    """Owned field types for the parameters of ``fn function(...)`` (``&str`` as a static
    string, ``&T``/``&[T]`` as ``T``/``Vec<T>``), or None when it cannot tell."""
    found = re.search(r"\bfn\s+" + re.escape(function) + r"\s*(<[^>]*>)?\s*\(", declaration)
    if found is None:
        return None
    inside = _balanced(declaration, found.end())
    if inside is None:
        return None
    types = []
    for parameter in _split_top_level(inside, angles=True):
        _name, colon, kind = parameter.partition(":")
        if not colon:
            return None
        kind = " ".join(kind.split())
        if kind.startswith("&[") and kind.endswith("]"):
            kind = f"Vec<{kind[2:-1].strip()}>"
        elif kind.startswith("&") and kind != "&str":
            kind = kind.removeprefix("&").removeprefix("mut ").strip()
        types.append(_STR_REFERENCE.sub("&'static str", kind))  # also inside Vec<&str>
    return types


def _rust_field(argument: str, kind: str) -> str:
    argument = argument.removeprefix("&mut ").removeprefix("&").strip()
    if kind.startswith("Vec<") and argument.startswith("["):
        return f"vec!{argument}"
    if kind == "String" and argument.startswith('"'):
        return f"String::from({argument})"
    return argument
