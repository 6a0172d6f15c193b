"""``perforch plan`` (a range's changed functions split into shards, as a GitHub Actions job
matrix) and ``perforch merge`` (the shards' traces combined into one report). ``perforch run
--shard I/N`` (``_run_command.py``) runs one shard in between."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeVar

import click

from perforch_bot.config import Settings, find_config
from perforch_bot.errors import PerforchError
from perforch_bot.pipeline import RunTrace, render_report
from perforch_bot.shards import Plan, changed_functions, make_plan, merge_traces, read_partials
from perforch_bot.targets import PathFilter, repository_root

F = TypeVar("F", bound=Callable[..., Any])
JSON_SCHEMA_VERSION = 1
DEFAULT_PER_SHARD = 10


def range_options(function: F) -> F:
    """``--rev``, ``--include`` and ``--exclude``: what plan and run must both be given alike."""
    options = [
        click.option(
            "--rev",
            "revision_range",
            required=True,
            metavar="BASE..HEAD",
            help="The revisions to compare (files are read at HEAD; BASE...HEAD compares "
            "from the merge base, as GitHub does).",
        ),
        click.option(
            "--include",
            multiple=True,
            metavar="GLOB",
            help="Only paths matching this glob (repeatable; replaces the config's include).",
        ),
        click.option(
            "--exclude",
            multiple=True,
            metavar="GLOB",
            help="Also skip paths matching this glob (repeatable; added to the config's).",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def compute_plan(
    settings: Settings,
    revision_range: str,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    *,
    shards: int | None = None,
    per_shard: int | None = None,
) -> Plan:
    """The plan for ``revision_range`` in the repository holding the working directory, with
    the functions the bot would pick (settings' languages, include and exclude)."""
    path_filter = PathFilter(
        include=include or settings.include, exclude=settings.exclude + exclude
    )
    changed = changed_functions(
        repository_root(Path.cwd()), revision_range, path_filter, settings.languages
    )
    return make_plan(changed, shards=shards, per_shard=per_shard)


def repository_settings(config_path: Path | None, max_cost: float | None) -> Settings:
    """The settings file given, else the one here, else the repository root's (as the bot
    reads it), with ``--max-cost`` applied."""
    from perforch_bot.cli._optimize_command import _settings

    cwd = Path.cwd()
    found = config_path or find_config(cwd) or find_config(repository_root(cwd))
    return _settings(found, max_cost)


def write_run(trace: RunTrace, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(trace.model_dump_json(indent=2) + "\n", encoding="utf-8")
    return path


@click.command("plan")
@range_options
@click.option("--shards", type=click.IntRange(min=1), help="At most this many shards.")
@click.option(
    "--per-shard",
    type=click.IntRange(min=1),
    help=f"About this many functions per shard [default: {DEFAULT_PER_SHARD}].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Settings file [default: .perforch.yml here, else at the repository root].",
)
@click.option(
    "--github-output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also append matrix=, shards=, functions= and plan= lines to this file "
    "(give $GITHUB_OUTPUT).",
)
@click.option("--json", "as_json", is_flag=True, help="Print the whole plan as JSON.")
def plan_command(
    revision_range: str,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    shards: int | None,
    per_shard: int | None,
    config_path: Path | None,
    github_output: Path | None,
    as_json: bool,
) -> int:
    """Split the functions BASE..HEAD changes into shards; print the GitHub Actions matrix.

    Whole files go to a shard, spread by function count; the same range, settings and
    shard count always give the same plan. Run each shard with `perforch run --shard I/N`,
    then `perforch merge` their traces.
    """
    if shards is not None and per_shard is not None:
        raise click.UsageError("give --shards or --per-shard, not both")
    if shards is None and per_shard is None:
        per_shard = DEFAULT_PER_SHARD
    try:
        plan = compute_plan(
            repository_settings(config_path, None),
            revision_range,
            include,
            exclude,
            shards=shards,
            per_shard=per_shard,
        )
    except PerforchError as exc:
        raise click.ClickException(str(exc)) from exc
    matrix = json.dumps(plan.matrix)
    click.echo(json.dumps(_plan_json(plan), indent=2) if as_json else matrix)
    if github_output is not None:
        with github_output.open("a", encoding="utf-8") as output:
            output.write(
                f"matrix={matrix}\nshards={len(plan.shards)}\n"
                f"functions={len(plan.changed.functions)}\nplan={plan.id}\n"
            )
    for line in _summary(plan):
        click.echo(line, err=True)
    return 0


def _plan_json(plan: Plan) -> dict[str, object]:
    changed = plan.changed
    count = len(plan.shards)
    return {
        "schema": JSON_SCHEMA_VERSION,
        "plan": plan.id,
        "range": changed.range,
        "base": changed.base_sha,
        "head": changed.head_sha,
        "matrix": plan.matrix,
        "shards": [
            {
                "shard": f"{index}/{count}",
                "files": list(dict.fromkeys(f.path for f in functions)),
                "functions": [f.spec for f in functions],
            }
            for index, functions in enumerate(plan.shards, 1)
        ],
        "skipped": [{"path": s.path, "reason": s.reason} for s in changed.skipped],
        "notes": list(changed.notes),
    }


def _summary(plan: Plan) -> list[str]:
    changed = plan.changed
    files = len({f.path for f in changed.functions})
    if not plan.shards:
        lines = [f"no function to optimize in {changed.range}: an empty matrix, nothing to run"]
    else:
        lines = [
            f"plan {plan.id}: {len(changed.functions)} function(s) in {files} file(s) changed "
            f"by {changed.range}, in {len(plan.shards)} shard(s)"
        ]
    for index, functions in enumerate(plan.shards, 1):
        paths = dict.fromkeys(f.path for f in functions)
        counts = ", ".join(f"{p} ({sum(f.path == p for f in functions)})" for p in paths)
        lines.append(f"  shard {index}/{len(plan.shards)}: {len(functions)} function(s): {counts}")
    lines += [f"skipped {s.path}: {s.reason}" for s in changed.skipped]
    lines += [f"note: {n}" for n in changed.notes]
    return lines


@click.command("merge")
@click.argument(
    "partials", nargs=-1, required=True, type=click.Path(dir_okay=False, path_type=Path)
)
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the merged trace goes [default: .perforch/runs/merged-<plan>.json]; the "
    "combined patch goes next to it (.patch).",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="The merged report as Markdown (as the bot posts it) or the trace as JSON.",
)
def merge_command(
    partials: tuple[Path, ...], out: Path | None, fmt: Literal["markdown", "json"]
) -> int:
    """Combine the shards' traces (PARTIAL.json, one per shard of one plan) into one run.

    Refuses a missing or repeated shard and traces of different plans.
    """
    try:
        merged = merge_traces(read_partials(partials))
    except PerforchError as exc:
        raise click.ClickException(str(exc)) from exc
    path = write_run(merged, out or Path(".perforch/runs") / f"{merged.id}.json")
    click.echo(render_report(merged, fmt), nl=False)
    click.echo(f"trace: {path}", err=True)
    if merged.patch:
        patch_path = path.with_suffix(".patch")
        patch_path.write_text(merged.patch, encoding="utf-8")
        click.echo(f"patch: {patch_path} (apply with `git apply {patch_path}`)", err=True)
    return 0
