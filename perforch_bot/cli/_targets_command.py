"""``perforch targets``: the functions in files, or the ones a diff adds or modifies."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

import click

from perforch_bot.categories import classify_function
from perforch_bot.cli._tables import render_table
from perforch_bot.errors import TargetError
from perforch_bot.targets import (
    DiffTarget,
    Function,
    PathFilter,
    SkippedFile,
    Span,
    diff_revisions,
    extract_path,
    is_spec,
    language_for_path,
    read_at_revision,
    repository_root,
    resolve_spec,
    skip_directory,
    skip_reason,
    split_range,
    targets_from_diff,
)

# Bump when a field changes meaning or disappears; adding fields keeps the version.
JSON_SCHEMA_VERSION = 1


@click.command(name="targets")
@click.argument("paths", nargs=-1, required=True)
@click.option(
    "--diff",
    "diff_file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A unified diff (git diff, or a pull request's .diff); list the functions "
    "it adds or modifies, read from the working tree.",
)
@click.option(
    "--rev",
    "revision_range",
    metavar="BASE..HEAD",
    help="Diff these git revisions instead (files are read at HEAD).",
)
@click.option(
    "--root",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Where the paths of --diff are relative to [default: .].",
)
@click.option(
    "--include",
    multiple=True,
    metavar="GLOB",
    help="Only paths matching this glob (repeatable; * also matches /).",
)
@click.option("--exclude", multiple=True, metavar="GLOB", help="Skip paths matching this glob.")
@click.option(
    "--tests",
    "with_tests",
    is_flag=True,
    help="Keep test files and test functions (skipped by default).",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def targets(
    paths: tuple[str, ...],
    diff_file: Path | None,
    revision_range: str | None,
    root: Path | None,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    with_tests: bool,
    as_json: bool,
) -> int:
    """List the functions in PATH... (files, directories, or specs like
    src/lib.rs::Parser::parse), or with --diff/--rev the functions that change adds or
    modifies under PATH..."""
    if diff_file is not None and revision_range is not None:
        raise click.UsageError("give either --diff FILE or --rev BASE..HEAD, not both")
    path_filter = PathFilter(
        include=include,
        exclude=exclude,
        skip_tests=not with_tests,
        skip_vendored=True,
        skip_generated=True,
    )
    try:
        if diff_file is None and revision_range is None:
            functions, warnings = _functions_in(paths, path_filter)
            listing = _Listing("files", [(f, None) for f in functions], [], warnings)
        else:
            listing = _diff_listing(paths, diff_file, revision_range, root, path_filter)
    except TargetError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(_as_json(listing), indent=2))
    else:
        _print_human(listing)
    return 0


@dataclass(frozen=True)
class _Listing:
    mode: str  # "files" or "diff"
    rows: list[tuple[Function, DiffTarget | None]]
    skipped: list[SkippedFile]
    warnings: Sequence[str]


def _as_json(listing: _Listing) -> dict[str, object]:
    return {
        "schema": JSON_SCHEMA_VERSION,
        "mode": listing.mode,
        "functions": [_function_json(f, t) for f, t in listing.rows],
        "skipped": [{"path": s.path, "reason": s.reason} for s in listing.skipped],
        "warnings": list(listing.warnings),
    }


def _functions_in(
    paths: Sequence[str], path_filter: PathFilter
) -> tuple[list[Function], list[str]]:
    functions: list[Function] = []
    warnings: list[str] = []
    cwd = Path.cwd()
    for given in paths:
        if is_spec(given) and not Path(given).exists():
            functions.append(resolve_spec(given, cwd))
            continue
        path = Path(given)
        if path.is_dir():
            files = list(_source_files(path, path_filter))
        elif path.is_file():
            files = [path]
        else:
            raise click.ClickException(
                f"{given}: no such file or directory (give files, "
                "directories or specs like file.py::Class.method)"
            )
        for file in files:
            extracted = extract_path(file, display=file.as_posix())
            functions.extend(
                f
                for f in extracted.functions
                if not (path.is_dir() and f.is_test and path_filter.skip_tests)
            )
            warnings.extend(extracted.warnings)
    return functions, warnings


def _source_files(directory: Path, path_filter: PathFilter) -> Iterator[Path]:
    """Source files under ``directory`` in a stable order, not entering hidden, vendored,
    generated or (by default) test directories."""
    for current, subdirectories, files in os.walk(directory):
        subdirectories[:] = sorted(d for d in subdirectories if not skip_directory(d, path_filter))
        for name in sorted(files):
            path = Path(current) / name
            relative = path.relative_to(directory).as_posix()
            if language_for_path(name) is not None and skip_reason(relative, path_filter) is None:
                yield path


def _diff_listing(
    paths: Sequence[str],
    diff_file: Path | None,
    revision_range: str | None,
    root: Path | None,
    path_filter: PathFilter,
) -> _Listing:
    cwd = Path.cwd()
    if revision_range is not None:
        repository = repository_root(cwd)
        _, head = split_range(revision_range)
        diff_text = diff_revisions(repository, revision_range)

        def read(path: str) -> bytes | None:
            return read_at_revision(repository, head, path)
    else:
        assert diff_file is not None
        repository = (root or cwd).resolve()
        diff_text = diff_file.read_text(encoding="utf-8", errors="surrogateescape")

        def read(path: str) -> bytes | None:
            file = repository / path
            return file.read_bytes() if file.is_file() else None

    scopes = [_relative_scope((cwd / p).resolve(), repository) for p in paths]
    result = targets_from_diff(diff_text, read, path_filter)
    return _Listing(
        "diff",
        [
            (t.function, t)
            for t in result.targets
            if any(_within(t.function.path, scope) for scope in scopes)
        ],
        [s for s in result.skipped if any(_within(s.path, scope) for scope in scopes)],
        result.warnings,
    )


def _relative_scope(path: Path, repository: Path) -> str:
    try:
        return path.relative_to(repository).as_posix()
    except ValueError:
        raise click.ClickException(
            f"{path} is outside the repository {repository}; give paths inside it"
        ) from None


def _within(path: str, scope: str) -> bool:
    return scope in ("", ".") or path == scope or path.startswith(scope.rstrip("/") + "/")


def _span_json(span: Span) -> dict[str, int]:
    return {
        "start_line": span.start_line,
        "end_line": span.end_line,
        "start_byte": span.start_byte,
        "end_byte": span.end_byte,
    }


def _function_json(function: Function, target: DiffTarget | None) -> dict[str, object]:
    signature = function.signature
    return {
        "spec": function.spec,
        "path": function.path,
        "language": function.language,
        "name": function.name,
        "qualified_name": function.qualified_name,
        "kind": function.kind,
        "span": _span_json(function.span),
        "declaration_span": _span_json(function.declaration_span),
        "body_span": _span_json(function.body_span),
        "signature": {
            "text": signature.text,
            "parameters": [
                {"name": p.name, "type": p.type, "is_self": p.is_self} for p in signature.parameters
            ],
            "return_type": signature.return_type,
        },
        "enclosing_type": function.enclosing_type,
        "imports": list(function.imports),
        "is_test": function.is_test,
        "has_syntax_error": function.has_syntax_error,
        "category": classify_function(function).category,
        "change": target.change if target is not None else None,
        "added_lines": list(target.added_lines) if target is not None else None,
        "hunks": [
            {
                "source_start": h.source_start,
                "source_length": h.source_length,
                "target_start": h.target_start,
                "target_length": h.target_length,
            }
            for h in target.hunks
        ]
        if target is not None
        else None,
    }


def _print_human(listing: _Listing) -> None:
    diff_mode = listing.mode == "diff"
    if listing.rows:
        headers = ["LOCATION", "LANGUAGE", "KIND", "FUNCTION", "CATEGORY"]
        headers += ["CHANGE"] if diff_mode else []
        rows = []
        for function, target in listing.rows:
            span = function.span
            name = function.spec.split("::", 1)[1]
            if function.has_syntax_error:
                name += " (syntax errors)"
            row = [
                f"{function.path}:{span.start_line}-{span.end_line}",
                function.language,
                function.kind,
                name,
                classify_function(function).category,
            ]
            rows.append(row + ([target.change if target else ""] if diff_mode else []))
        click.echo(render_table(headers, rows))
    else:
        click.echo("no functions changed" if diff_mode else "no functions found")
    for skipped in listing.skipped:
        click.echo(f"skipped {skipped.path}: {skipped.reason}")
    for warning in listing.warnings:
        click.echo(f"warning: {warning}", err=True)
