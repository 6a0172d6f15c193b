"""``perforch run --rev BASE..HEAD --shard I/N``: one shard of ``perforch plan``'s plan through
the pipeline, its trace written for ``perforch merge``."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import click

from perforch_bot.cli._context import settings_from
from perforch_bot.cli._optimize_command import (
    _config,
    _keys,
    _pipeline_options,
    _save_model_inputs,
)
from perforch_bot.cli._shard_commands import (
    compute_plan,
    range_options,
    repository_settings,
    write_run,
)
from perforch_bot.config import ModelSettings
from perforch_bot.errors import PerforchError
from perforch_bot.llm import silence_litellm_console
from perforch_bot.pipeline import Task, optimize, render_report
from perforch_bot.shards import parse_shard
from perforch_bot.targets import Function, read_at_revision, repository_root
from perforch_bot.workloads import load_saved_inputs
from sandbox import SandboxError


@click.command("run")
@range_options
@click.option("--shard", "shard_text", required=True, metavar="I/N", help="Which shard to run.")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where the shard's trace goes [default: RUNS_DIR/shard-I-of-N.json].",
)
@click.option(
    "--split-cost",
    is_flag=True,
    help="Cap this shard at the configured cost cap (or --max-cost) divided by N; without "
    "it, each shard may spend the whole cap.",
)
@click.option(
    "--model",
    "models",
    multiple=True,
    help="A litellm model to use (repeatable; replaces the config's list).",
)
@click.option("--api-base", help="Server for the --model models (e.g. a local vLLM/Ollama).")
@_pipeline_options
def run_command(
    revision_range: str,
    include: tuple[str, ...],
    exclude: tuple[str, ...],
    shard_text: str,
    out: Path | None,
    split_cost: bool,
    models: tuple[str, ...],
    api_base: str | None,
    config_path: Path | None,
    max_cost: float | None,
    max_seconds: float | None,
    runs_dir: Path,
    as_json: bool,
    quiet: bool,
    **sandbox: Any,
) -> int:
    """Run shard I of N of the plan `perforch plan` made for BASE..HEAD.

    The plan is made again here (same range, settings and N give the same plan), and only
    this shard's functions run, read at HEAD, with saved inputs from .perforch/inputs. The
    cost cap applies to each shard: --split-cost divides it by N.
    """

    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    silence_litellm_console()  # keep the report on stdout clean (see `perforch optimize`)
    try:
        index, count = parse_shard(shard_text)
        settings = repository_settings(config_path, max_cost)
        if models:
            chosen = tuple(ModelSettings(model=m, api_base=api_base) for m in models)
            settings = settings.model_copy(update={"models": chosen})
        plan = compute_plan(settings, revision_range, include, exclude, shards=count)
        functions = plan.shard(index, count)
        if split_cost:
            settings = settings.model_copy(update={"max_cost_usd": settings.max_cost_usd / count})
        config = _config(settings, max_seconds, keys=_keys(settings))
        root = repository_root(Path.cwd())
        tasks = _tasks(functions, root, plan.changed.head_sha)
        progress(
            f"shard {index}/{count} of plan {plan.id}: {len(tasks)} function(s), "
            f"cost cap ${settings.max_cost_usd:.2f}"
        )
        result = optimize(
            tasks,
            config=config,
            executor=settings_from(**sandbox).executor(),
            command=f"perforch run --rev {revision_range} --shard {index}/{count}",
            progress=progress,
        )
    except (PerforchError, SandboxError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    trace = result.trace.model_copy(update={"plan": plan.trace(index)})
    path = write_run(trace, out or runs_dir / f"shard-{index}-of-{count}.json")
    click.echo(render_report(trace, "json" if as_json else "markdown"), nl=False)
    for note in [f"trace: {path}", *_save_model_inputs(trace, root)]:
        click.echo(note, err=True)
    return 1 if any(f.result == "error" for f in trace.functions) else 0


def _tasks(functions: tuple[Function, ...], root: Path, head: str) -> list[Task]:
    """The shard's functions on their files at the plan's head, with saved inputs when the
    checkout has them (else a model writes them)."""
    sources: dict[str, bytes] = {}
    tasks = []
    for function in functions:
        if function.path not in sources:
            source = read_at_revision(root, head, function.path)
            if source is None:
                raise click.ClickException(f"{function.path} is not in commit {head[:12]}")
            sources[function.path] = source
        saved = load_saved_inputs(root, function.path, function.qualified_name, function.language)
        origin: Literal["given", "saved"] = "saved" if saved is not None else "given"
        tasks.append(Task(function, sources[function.path], saved, None, origin))
    return tasks
