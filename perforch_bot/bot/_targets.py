"""What a trigger asks to optimize: the functions a pull request changes, or named ones."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from perforch_bot.errors import TargetError
from perforch_bot.github import GitHubClient, diff_from_files
from perforch_bot.targets import Function, Hunk, PathFilter, resolve_spec, targets_from_diff


@dataclass(frozen=True)
class Found:
    """The functions to work on (with the pull request's hunks of their file, for
    suggestions), and what was left out and why."""

    functions: tuple[Function, ...]
    hunks: dict[str, tuple[Hunk, ...]]  # path -> the pull request's hunks in it
    notes: tuple[str, ...]


def changed_in_pull_request(
    client: GitHubClient,
    repo: str,
    number: int,
    workspace: Path,
    path_filter: PathFilter,
    max_functions: int,
) -> Found:
    diff = diff_from_files(client.pull_request_files(repo, number))

    def read(path: str) -> bytes | None:
        try:
            return (workspace / path).read_bytes()
        except OSError:
            return None

    found = targets_from_diff(diff, read, path_filter)
    hunks: dict[str, tuple[Hunk, ...]] = {
        path: tuple(change.hunks) for path, change in found.changes.items()
    }
    notes = [f"{s.path}: skipped ({s.reason})" for s in found.skipped]
    notes += list(found.warnings)
    functions = tuple(t.function for t in found.targets)
    return _capped(functions, hunks, notes, max_functions)


def named(specs: tuple[str, ...], workspace: Path, max_functions: int) -> Found:
    functions: list[Function] = []
    notes: list[str] = []
    for spec in specs:
        try:
            functions.append(resolve_spec(spec, workspace))
        except TargetError as exc:
            notes.append(f"`{spec}`: {exc}")
    return _capped(tuple(functions), {}, notes, max_functions)


def _capped(
    functions: tuple[Function, ...],
    hunks: dict[str, tuple[Hunk, ...]],
    notes: list[str],
    max_functions: int,
) -> Found:
    if len(functions) > max_functions:
        left = ", ".join(f"`{f.spec}`" for f in functions[max_functions:])
        notes.append(
            f"{len(functions) - max_functions} more function(s) left for another run "
            f"(max-functions is {max_functions}): {left}"
        )
    return Found(functions[:max_functions], hunks, tuple(notes))
