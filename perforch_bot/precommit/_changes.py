"""The functions the staged changes touch, with their base and staged files."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from perforch_bot.targets import (
    Function,
    TargetError,
    diff_staged,
    extract,
    find_function,
    parse_spec,
    read_at_revision,
    read_staged,
    targets_from_diff,
)


@dataclass(frozen=True)
class Changed:
    """A function as staged, its staged file, and the base file and function (None when the
    function or its file is new)."""

    function: Function
    staged_file: bytes
    base_file: bytes | None
    base_function: Function | None


def changed_functions(
    repository: Path, base: str, paths: list[str]
) -> tuple[list[Changed], list[str]]:
    """The functions of ``paths`` that the index changes against ``base``, and warnings."""
    diff = diff_staged(repository, base, paths)
    found = targets_from_diff(diff, lambda path: read_staged(repository, path))
    changed = []
    for target in found.targets:
        function = target.function
        staged = read_staged(repository, function.path)
        if staged is None:
            continue
        base_file = read_at_revision(repository, base, function.path)
        changed.append(Changed(function, staged, base_file, _base_function(function, base_file)))
    return changed, list(found.warnings)


def _base_function(function: Function, base_file: bytes | None) -> Function | None:
    if base_file is None:
        return None
    try:
        extracted = extract(function.path, base_file, language=function.language)
        return find_function(extracted, parse_spec(function.spec))
    except TargetError:
        return None  # renamed, new or ambiguous at the base: nothing to compare against
