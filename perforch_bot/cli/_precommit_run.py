"""The pre-commit hook once there is something to look at (see ``_precommit_command``)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

import click

from perforch_bot.cli._context import settings_from
from perforch_bot.errors import PerforchError
from perforch_bot.precommit import Changed, changed_functions
from perforch_bot.targets import repository_root
from perforch_bot.workloads import load_saved_inputs

if TYPE_CHECKING:
    from perforch_bot.config import Settings
    from sandbox import Executor

# The pipeline, the settings (pydantic, profiles) and the sandbox are imported only once a
# changed function is found: a commit that changes none must pass in a fraction of a second.

SUGGESTIONS_DIR = Path(".perforch") / "suggestions"


def run_precommit(
    files: list[str],
    *,
    mode: Literal["check", "suggest"],
    base: str,
    max_slowdown: float | None,
    max_seconds: float,
    max_cost: float,
    sandbox: dict[str, Any],
    cwd: Path,
) -> int:
    try:
        root = repository_root(cwd)
        paths = [str((cwd / f).resolve().relative_to(root)) for f in files]
        changed, warnings = changed_functions(root, base, paths)
    except (PerforchError, OSError, ValueError) as exc:
        raise click.ClickException(str(exc)) from exc
    for warning in warnings:
        click.echo(f"perforch: {warning}", err=True)
    if not changed:
        return 0
    from perforch_bot.cli._optimize_command import _settings
    from perforch_bot.precommit import check, render_checks
    from sandbox import SandboxError

    try:
        settings = _settings(None, max_cost if mode == "suggest" else None)
    except PerforchError as exc:
        raise click.ClickException(str(exc)) from exc
    threshold = max_slowdown if max_slowdown is not None else settings.max_slowdown
    if not 0 < threshold < 1:
        raise click.BadParameter(
            f"{threshold} is not a fraction between 0 and 1, e.g. 0.10 for 10%",
            param_hint="--max-slowdown",
        )
    executor = settings_from(**sandbox).executor()
    if mode == "check":
        try:
            results = check(
                changed,
                root=root,
                executor=executor,
                max_slowdown=threshold,
                max_seconds=max_seconds,
                progress=lambda message: click.echo(message, err=True),
            )
        except SandboxError as exc:
            raise click.ClickException(str(exc)) from exc
        click.echo(render_checks(results, threshold), nl=False)
        return 1 if any(r.blocks for r in results) else 0
    return _suggest(changed, root, settings, max_seconds, executor)


def _suggest(
    changed: list[Changed], root: Path, settings: Settings, max_seconds: float, executor: Executor
) -> int:
    """Optimize the changed functions into a patch under .perforch/suggestions/; the staged
    files and the working tree are never touched."""
    from perforch_bot.cli._optimize_command import _config, _keys
    from perforch_bot.llm import silence_litellm_console
    from perforch_bot.pipeline import Task, optimize, write_trace
    from sandbox import SandboxError

    silence_litellm_console()  # its banners would land in the hook's output
    tasks = []
    for item in changed:
        function = item.function
        saved = load_saved_inputs(root, function.path, function.qualified_name, function.language)
        tasks.append(Task(function, item.staged_file, saved, None, "saved" if saved else "given"))
    try:
        result = optimize(
            tasks,
            config=_config(settings, max_seconds, keys=_keys(settings)),
            executor=executor,
            command="perforch precommit --mode suggest",
            progress=lambda message: click.echo(message, err=True),
        )
    except (PerforchError, SandboxError) as exc:
        raise click.ClickException(str(exc)) from exc
    trace_path = write_trace(result.trace, root / ".perforch" / "runs")
    for traced in result.trace.functions:
        speed = f" ({traced.final.speedup:.2f}x)" if traced.final and traced.patch else ""
        click.echo(f"{traced.spec}: {traced.result}{speed}: {traced.reason.splitlines()[0]}")
    if result.trace.patch:
        patch = root / SUGGESTIONS_DIR / f"{result.trace.id}.patch"
        patch.parent.mkdir(parents=True, exist_ok=True)
        patch.write_text(result.trace.patch)
        click.echo(f"suggested patch: {patch.relative_to(root)} (apply: git apply {patch})")
    click.echo(f"trace: {trace_path.relative_to(root)}", err=True)
    return 0
