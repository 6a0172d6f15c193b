"""Target specs: ``PATH::QUALIFIED_NAME[(PARAM_TYPES)]`` naming one function in one file.

Examples: ``path/to/file.go::(*Cache).Get``, ``src/lib.rs::Parser::parse``,
``Foo.java::Foo.bar(int[])``, ``file.py::Class.method``, ``file.cpp::ns::Class::method``.
The name may be shortened to any trailing part (``Class::method``) when that is unique.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from perforch_bot.targets._errors import (
    AmbiguousTargetError,
    SpecSyntaxError,
    TargetNotFoundError,
)
from perforch_bot.targets._extract import extract_path
from perforch_bot.targets._model import Function, SourceFile
from perforch_bot.targets.languages._tree import strip_generics

_EXAMPLES = (
    "path/to/file.go::(*Cache).Get, src/lib.rs::Parser::parse, Foo.java::Foo.bar(int[]), "
    "file.py::Class.method, file.cpp::ns::Class::method"
)
_MAX_SUGGESTIONS = 5


@dataclass(frozen=True)
class TargetSpec:
    """A parsed spec. ``parameter_types`` is None when the spec gives no parameter list."""

    path: str
    name: str
    parameter_types: tuple[str, ...] | None = None

    def __str__(self) -> str:
        params = "" if self.parameter_types is None else f"({', '.join(self.parameter_types)})"
        return f"{self.path}::{self.name}{params}"


def is_spec(text: str) -> bool:
    """Whether ``text`` looks like a spec rather than a plain path."""
    return "::" in text


def parse_spec(text: str) -> TargetSpec:
    """Split ``text`` into path, qualified name and optional parameter types."""
    path, separator, rest = text.strip().partition("::")
    if not separator or not path.strip() or not rest.strip():
        raise SpecSyntaxError(
            f"{text!r} is not a target spec: write PATH::QUALIFIED_NAME, with the parameter "
            f"types in parentheses to pick an overload (e.g. {_EXAMPLES})"
        )
    name, parameter_types = _split_parameters(rest.strip(), text)
    return TargetSpec(path.strip(), name, parameter_types)


def _split_parameters(rest: str, original: str) -> tuple[str, tuple[str, ...] | None]:
    """``Foo.bar(int[], String)`` -> (``Foo.bar``, (``int[]``, ``String``)). A trailing ``()``
    that belongs to the name (``operator()``, Go's ``(*T).M`` has none at the end) is kept."""
    if rest.count("(") != rest.count(")"):
        raise SpecSyntaxError(f"{original!r}: unbalanced parentheses in the parameter list")
    if not rest.endswith(")"):
        return rest, None
    depth = 0
    for index in range(len(rest) - 1, -1, -1):
        char = rest[index]
        if char == ")":
            depth += 1
        elif char == "(":
            depth -= 1
            if depth == 0:
                break
    else:
        raise SpecSyntaxError(f"{original!r}: unbalanced parentheses in the parameter list")
    name = rest[:index].rstrip()
    if not name or name.endswith("operator"):
        return rest, None
    inside = rest[index + 1 : -1]
    return name, tuple(_split_top_level(inside)) if inside.strip() else ()


def _split_top_level(text: str) -> list[str]:
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for char in text:
        if char in "<([{":
            depth += 1
        elif char in ">)]}":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(char)
    parts.append("".join(current).strip())
    return parts


def _squash(text: str) -> str:
    return "".join(text.split())


def _erase(text: str) -> str:
    """A type without its generic arguments, for loose matching: ``List<String>`` -> ``List``."""
    return strip_generics(_squash(text))


def _names(function: Function) -> tuple[str, ...]:
    return tuple(_squash(n) for n in (function.qualified_name, *function.aliases))


def _matches_name(function: Function, wanted: str) -> bool:
    return wanted in _names(function)


def _matches_suffix(function: Function, wanted: str) -> bool:
    return any(name.endswith(("." + wanted, "::" + wanted)) for name in _names(function))


def _matches_parameters(function: Function, wanted: tuple[str, ...]) -> bool:
    have = function.signature.parameter_types
    if len(have) != len(wanted):
        return False
    if all(_squash(a) == _squash(b) for a, b in zip(have, wanted, strict=True)):
        return True
    return all(_erase(a) == _erase(b) for a, b in zip(have, wanted, strict=True))


def find_function(source: SourceFile, spec: TargetSpec, *, exact: bool = False) -> Function:
    """The one function of ``source`` that ``spec`` names.

    With ``exact``, the name must be the function's whole qualified name (or an alias), not a
    trailing part of it: ``median`` does not find ``Stats.median``.
    Raises ``TargetNotFoundError`` (with close matches) or ``AmbiguousTargetError`` (with the
    full specs to choose from).
    """
    wanted = _squash(spec.name)
    functions = source.functions
    candidates = [f for f in functions if _matches_name(f, wanted)]
    if not candidates and ("<" in wanted or "[" in wanted) and not wanted.startswith("<"):
        erased = strip_generics(wanted)
        candidates = [f for f in functions if _matches_name(f, erased)]
    if not candidates and not exact:
        candidates = [f for f in functions if _matches_suffix(f, wanted)]
    by_name = candidates
    if spec.parameter_types is not None:
        candidates = [f for f in candidates if _matches_parameters(f, spec.parameter_types)]
    if len(candidates) == 1:
        return candidates[0]
    if not candidates:
        raise _not_found(source, spec, by_name)
    choices = tuple(_spec_with_parameters(f) for f in candidates)
    lines = ", ".join(
        f"{c} (line {f.span.start_line})" for c, f in zip(choices, candidates, strict=True)
    )
    raise AmbiguousTargetError(
        f"{spec} matches {len(candidates)} functions in {source.path}: {lines}; give the full "
        "qualified name and, for overloads, the parameter types as shown",
        choices,
    )


def _spec_with_parameters(function: Function) -> str:
    types = ", ".join(function.signature.parameter_types)
    return f"{function.path}::{function.qualified_name}({types})"


def _not_found(
    source: SourceFile, spec: TargetSpec, same_name: Sequence[Function]
) -> TargetNotFoundError:
    if same_name:
        overloads = tuple(_spec_with_parameters(f) for f in same_name)
        return TargetNotFoundError(
            f"no overload of {spec.name} in {source.path} takes "
            f"({', '.join(spec.parameter_types or ())}); it has: {', '.join(overloads)}",
            overloads,
        )
    if not source.functions:
        return TargetNotFoundError(
            f"no function {spec.name!r} in {source.path}: the file has no functions"
            + (f" ({source.warnings[0]})" if source.warnings else "")
        )
    names = list(dict.fromkeys(f.qualified_name for f in source.functions))
    close = difflib.get_close_matches(spec.name, names, n=_MAX_SUGGESTIONS, cutoff=0.6)
    # also by the last part alone: "Gett" finds "(*Cache).Get"
    last_parts = {f.name for f in source.functions}
    close_last = set(difflib.get_close_matches(_last_part(spec.name), last_parts, cutoff=0.6))
    close += [f.qualified_name for f in source.functions if f.name in close_last]
    suggestions = tuple(
        f.spec
        for name in dict.fromkeys(close)
        for f in source.functions
        if f.qualified_name == name
    )[:_MAX_SUGGESTIONS]
    hint = (
        f"; did you mean {', '.join(suggestions)}?"
        if suggestions
        else f"; run `perforch targets {source.path}` to list its {len(source.functions)} functions"
    )
    return TargetNotFoundError(f"no function {spec.name!r} in {source.path}{hint}", suggestions)


def resolve_spec(text: str, root: Path) -> Function:
    """The function ``text`` names, reading its file relative to ``root``."""
    spec = parse_spec(text)
    path = root / spec.path
    if not path.is_file():
        raise TargetNotFoundError(
            f"{spec}: no such file {spec.path!r} (relative to {root}); give the path from the "
            "repository root"
        )
    return find_function(extract_path(path, display=spec.path), spec)


def _last_part(name: str) -> str:
    return name.replace("::", ".").rsplit(".", 1)[-1]
