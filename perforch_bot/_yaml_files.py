"""Reading the YAML files users edit (``.perforch.yml``, profiles) and explaining what is wrong
with them: every message names the file, the key and what to write instead."""

from __future__ import annotations

import difflib
from collections.abc import Callable, Sequence
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

Hint = Callable[[str], str | None]


def read_mapping(path: Path, error: Callable[[str], Exception]) -> dict[str, Any]:
    """The top-level mapping of a YAML file (an empty file is an empty mapping)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise error(f"{path}: cannot read it ({exc.strerror or exc})") from exc
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{path}: not valid YAML{where}: {problem}") from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise error(f"{path}: expected a mapping of keys (key: value), got {type(data).__name__}")
    return data


def explain(path: Path, exc: ValidationError, model: type[BaseModel], hint: Hint) -> str:
    """One line per problem: ``FILE: key.path: what is wrong; what to write``."""
    branches = _model_names(model)
    errors = [
        (_dotted(loc), loc, error)
        for error in exc.errors()
        for loc in [[p for p in error["loc"] if not _is_union_branch(p, branches)]]
    ]
    lines: list[str] = []
    literal_at: set[str] = set()
    for location, loc, error in errors:
        if error["type"] == "literal_error":
            # Another member of a union (`unknown`, `all`) failing says less than the rest.
            deeper = "[key]" not in error["loc"] and any(
                other["type"] != "literal_error" and (where + ".").startswith(location + ".")
                for where, _, other in errors
            )
            if deeper or location in literal_at:
                continue
            literal_at.add(location)
        message = str(error["msg"]).removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = _unknown_key(loc, model)
        elif "input" in error and error["type"] not in ("missing", "value_error"):
            message += f" (got {error['input']!r})"
        extra = hint(location) if error["type"] != "extra_forbidden" else None
        lines.append(f"  {location or '(top level)'}: {message}" + (f"; {extra}" if extra else ""))
    return "\n".join([f"{path}: {len(lines)} problem(s):", *lines])


def _dotted(loc: Sequence[int | str]) -> str:
    parts: list[str] = []
    for item in loc:
        parts.append(f"[{item}]" if isinstance(item, int) else ("." if parts else "") + item)
    return "".join(parts)


def _is_union_branch(item: int | str, branches: set[str]) -> bool:
    # pydantic names the member of a union it tried: a class, "tuple[...]", "literal['x']".
    return isinstance(item, str) and (
        item in branches or "[" in item or item.startswith("function-")
    )


def _model_names(model: type[BaseModel]) -> set[str]:
    names = {model.__name__}
    for field in model.model_fields.values():
        for option in _flatten(field.annotation):
            if isinstance(option, type) and issubclass(option, BaseModel):
                names |= _model_names(option)
    return names


def _flatten(annotation: Any) -> list[Any]:
    """The types inside unions, Annotated, dict values and tuple/list items."""
    origin = get_origin(annotation)
    if origin is None:
        return [annotation]
    found: list[Any] = [annotation] if isinstance(annotation, type) else []
    for argument in get_args(annotation):
        if argument is not Ellipsis:
            found.extend(_flatten(argument))
    return found


def _unknown_key(loc: Sequence[int | str], model: type[BaseModel]) -> str:
    key = str(loc[-1])
    fields = _fields_at(model, loc[:-1])
    close = difflib.get_close_matches(key, fields, n=1)
    suggestion = f"did you mean `{close[0]}`? " if close else ""
    return f"unknown key `{key}`; {suggestion}valid keys here: {', '.join(fields)}"


def _fields_at(model: type[BaseModel], path: Sequence[int | str]) -> list[str]:
    """The keys allowed at ``path``: follow model fields, dict values and list items."""
    current: Any = model
    for part in path:
        current = _step(current, part)
        if current is None:
            return []
    for option in _flatten(current):
        if isinstance(option, type) and issubclass(option, BaseModel):
            return list(option.model_fields)
    return []


def _step(annotation: Any, part: int | str) -> Any:
    for option in _options(annotation):
        if isinstance(option, type) and issubclass(option, BaseModel):
            if isinstance(part, str) and part in option.model_fields:
                return option.model_fields[part].annotation
        elif get_origin(option) is dict and isinstance(part, str):
            return get_args(option)[1]
        elif get_origin(option) in (tuple, list) and isinstance(part, int):
            return get_args(option)[0]
    return None


def _options(annotation: Any) -> list[Any]:
    """The members of a union (or Annotated), else the annotation itself."""
    origin = get_origin(annotation)
    if origin is Annotated:
        return _options(get_args(annotation)[0])
    if origin in (Union, UnionType):
        return [o for a in get_args(annotation) for o in _options(a)]
    return [annotation]
