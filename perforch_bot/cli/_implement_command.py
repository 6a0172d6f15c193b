"""``perforch implement``: write a new function from a description, checked by its tests (the
same stage the bot runs for an issue that asks for a new function)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from perforch_bot.cli._context import settings_from
from perforch_bot.cli._optimize_command import (
    _config,
    _keys,
    _pipeline_options,
    _settings,
)
from perforch_bot.config import ModelSettings
from perforch_bot.errors import PerforchError
from perforch_bot.llm import silence_litellm_console
from perforch_bot.pipeline import NewFunctionTask, implement, render_report, write_trace
from perforch_bot.targets import language_for_path, parse_spec
from sandbox import SandboxError


@click.command("implement")
@click.argument("spec")
@click.option("--description", help="What the function must do.")
@click.option(
    "--description-file",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="What the function must do, read from a file (an issue's text).",
)
@click.option(
    "--tests",
    "tests_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    required=True,
    help="Tests the function must pass (a tests file in its language; see the README).",
)
@click.option("--model", "models", multiple=True, help="A litellm model to use (repeatable).")
@click.option("--api-base", help="Server for the --model models (e.g. a local vLLM/Ollama).")
@click.option("--apply", is_flag=True, help="Write the new function into its file.")
@_pipeline_options
def implement_command(
    spec: str,
    description: str | None,
    description_file: Path | None,
    tests_path: Path,
    models: tuple[str, ...],
    api_base: str | None,
    apply: bool,
    config_path: Path | None,
    max_cost: float | None,
    max_seconds: float | None,
    runs_dir: Path,
    as_json: bool,
    quiet: bool,
    **sandbox: Any,
) -> int:
    """Write the new function SPEC (PATH::NAME; its file must exist and not define it yet).

    The result is kept only when it builds and the --tests pass.
    """
    if (description is None) == (description_file is None):
        raise click.UsageError(
            "give what the function must do: --description or --description-file"
        )
    try:
        if description_file is not None:
            description = description_file.read_text()
        assert description is not None  # one of the two, checked above
        task = _task(spec, description, tests_path.read_text())
        settings = _settings(config_path, max_cost)
        if models:
            settings = settings.model_copy(
                update={"models": tuple(ModelSettings(model=m, api_base=api_base) for m in models)}
            )
        config = _config(settings, max_seconds, keys=_keys(settings))
    except (PerforchError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc

    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    silence_litellm_console()
    try:
        result = implement(
            task,
            config=config,
            executor=settings_from(**sandbox).executor(),
            command=f"perforch implement {spec}",
            progress=progress,
        )
    except (PerforchError, SandboxError) as exc:
        raise click.ClickException(str(exc)) from exc
    trace = result.trace
    trace_path = write_trace(trace, runs_dir)
    click.echo(render_report(trace, "json" if as_json else "markdown"), nl=False)
    click.echo(f"trace: {trace_path}", err=True)
    if trace.patch:
        patch_path = trace_path.with_suffix(".patch")
        patch_path.write_text(trace.patch)
        click.echo(f"patch: {patch_path} (apply with `git apply {patch_path}`)", err=True)
    if apply:
        for path, data in result.updated.items():
            Path(path).write_bytes(data)
            click.echo(f"applied to {path}", err=True)
    [function] = trace.functions
    return 0 if function.result == "implemented" else 1


def _task(spec: str, description: str, tests: str) -> NewFunctionTask:
    parsed = parse_spec(spec)
    module = language_for_path(parsed.path)
    if module is None:
        raise click.ClickException(
            f"{parsed.path}: not a Python, Java, C++, Go or Rust file (by its extension)"
        )
    path = Path(parsed.path)
    if not path.is_file():
        raise click.ClickException(
            f"{parsed.path}: no such file; PerfOrch adds a new function to an existing file: "
            "create the file first (with its package line in Go)"
        )
    if not description.strip():
        raise click.ClickException("the description is empty: say what the function must do")
    return NewFunctionTask(spec, module.name, path.read_bytes(), description, tests)
