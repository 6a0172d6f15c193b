"""``perforch optimize`` (named functions) and ``perforch demo`` (the bundled examples, with
recorded model answers): the pipeline end to end, a report, a trace and a patch."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

import click

from perforch_bot.cli._context import sandbox_options, settings_from
from perforch_bot.config import ConfigError, ModelSettings, Settings, find_config, load_config
from perforch_bot.errors import PerforchError
from perforch_bot.examples import demo_recording, load_examples
from perforch_bot.llm import REPLAY_PREFIX, LLMSettings, silence_litellm_console
from perforch_bot.pipeline import (
    PipelineConfig,
    RunResult,
    RunTrace,
    Task,
    optimize,
    render_report,
    write_trace,
)
from perforch_bot.profiles import Profile, ProfileError, default_profiles_dir, load_profiles
from perforch_bot.targets import extract, extract_path, find_function, is_spec, parse_spec
from perforch_bot.workloads import load_saved_inputs, save_inputs
from sandbox import Budget, SandboxError
from sandbox.languages import LANGUAGES

# The models whose recorded answers ship with the examples (their profiles rank them).
DEMO_MODELS = ("gpt-4.1", "claude-sonnet-4-20250514")
DEMO_MAX_SECONDS = 20.0
PROMPT_TOKEN_BUDGET = 16_000


def _pipeline_options(function: Any) -> Any:
    options = [
        click.option(
            "--config",
            "config_path",
            type=click.Path(exists=True, dir_okay=False, path_type=Path),
            help="Settings file [default: .perforch.yml here or above].",
        ),
        click.option("--max-cost", type=float, help="Most this run may spend, in USD."),
        click.option(
            "--max-seconds", type=float, default=None, help="Timing budget per comparison."
        ),
        click.option(
            "--runs-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=Path(".perforch/runs"),
            show_default=True,
            help="Where the run's trace (and patch) are written.",
        ),
        click.option("--json", "as_json", is_flag=True, help="Print the trace as JSON."),
        click.option("--quiet", is_flag=True, help="No progress on stderr."),
    ]
    for option in reversed(options):
        function = option(function)
    return sandbox_options(function)


@click.command("optimize")
@click.argument("targets", nargs=-1, required=True)
@click.option(
    "--model",
    "models",
    multiple=True,
    help="A litellm model to use (repeatable; replaces the config's list).",
)
@click.option("--api-base", help="Server for the --model models (e.g. a local vLLM/Ollama).")
@click.option(
    "--inputs",
    "inputs_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Benchmark calls for the (single) target [default: a model writes them].",
)
@click.option(
    "--tests",
    "tests_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tests for the (single) target; they must pass on every version kept.",
)
@click.option("--apply", is_flag=True, help="Write the improved functions into the files.")
@_pipeline_options
def optimize_command(
    targets: tuple[str, ...],
    models: tuple[str, ...],
    api_base: str | None,
    inputs_path: Path | None,
    tests_path: Path | None,
    apply: bool,
    config_path: Path | None,
    max_cost: float | None,
    max_seconds: float | None,
    runs_dir: Path,
    as_json: bool,
    quiet: bool,
    **sandbox: Any,
) -> int:
    """Make TARGET functions faster: generate -> fix -> refine, each stage validated.

    TARGET is PATH::NAME (e.g. src/lib.rs::Parser::parse) or a file (all its functions).
    """
    try:
        tasks = _tasks(targets, inputs_path, tests_path)
        settings = _settings(config_path, max_cost)
        if models:
            settings = settings.model_copy(
                update={"models": tuple(ModelSettings(model=m, api_base=api_base) for m in models)}
            )
        config = _config(settings, max_seconds, keys=_keys(settings))
    except (PerforchError, OSError) as exc:
        raise click.ClickException(str(exc)) from exc
    command = "perforch optimize " + " ".join(targets)
    return _run(
        tasks, config, sandbox, runs_dir, apply, as_json, quiet, command, save_to=Path.cwd()
    )


@click.command("demo")
@click.option(
    "--language",
    type=click.Choice(sorted(LANGUAGES)),
    default=None,
    help="Only this language's example.",
)
@_pipeline_options
def demo_command(
    language: str | None,
    config_path: Path | None,
    max_cost: float | None,
    max_seconds: float | None,
    runs_dir: Path,
    as_json: bool,
    quiet: bool,
    **sandbox: Any,
) -> int:
    """The whole pipeline on the bundled examples, with RECORDED model answers (no API key).

    Validation, fixes, rollbacks and benchmarks run for real; only the answers are replayed.
    """
    examples = [e for e in load_examples() if language is None or e.language == language]
    if not examples:
        raise click.ClickException(f"no bundled example in {language}")
    tasks = []
    for example in examples:
        path = f"{example.folder}/{example.old_name}"
        found = extract(path, example.old.encode(), language=example.language)
        function = find_function(found, parse_spec(f"{path}::{example.function}"))
        tasks.append(Task(function, example.old.encode(), example.inputs, example.tests, "bundled"))
    try:
        settings = _settings(config_path, max_cost)
    except PerforchError as exc:
        raise click.ClickException(str(exc)) from exc
    recording = str(demo_recording())
    settings = settings.model_copy(
        update={
            "refine_rounds": 1,  # the recording holds one refinement per example
            "models": tuple(
                ModelSettings(model=REPLAY_PREFIX + m, api_base=recording) for m in DEMO_MODELS
            ),
        }
    )
    # A demo should finish in a couple of minutes: a refinement the budget cannot decide is
    # rolled back as inconclusive, as it would be in a real run.
    config = _config(settings, max_seconds or DEMO_MAX_SECONDS, keys={})
    return _run(tasks, config, sandbox, runs_dir, False, as_json, quiet, "perforch demo")


def _run(
    tasks: Sequence[Task],
    config: PipelineConfig,
    sandbox: dict[str, Any],
    runs_dir: Path,
    apply: bool,
    as_json: bool,
    quiet: bool,
    command: str,
    save_to: Path | None = None,
) -> int:
    def progress(message: str) -> None:
        if not quiet:
            click.echo(message, err=True)

    # litellm prints help banners on stdout with errors it maps; the report (and --json) must
    # stay clean. A process-wide setting, so set here, in the command, not below it.
    silence_litellm_console()

    try:
        result: RunResult = optimize(
            tasks,
            config=config,
            executor=settings_from(**sandbox).executor(),
            command=command,
            progress=progress,
        )
    except (PerforchError, SandboxError) as exc:
        raise click.ClickException(str(exc)) from exc
    trace = result.trace
    trace_path = write_trace(trace, runs_dir)
    click.echo(render_report(trace, "json" if as_json else "markdown"), nl=False)
    notes = [f"trace: {trace_path}"]
    if trace.patch:
        patch_path = trace_path.with_suffix(".patch")
        patch_path.write_text(trace.patch)
        notes.append(f"patch: {patch_path} (apply with `git apply {patch_path}`)")
    if save_to is not None:
        notes += _save_model_inputs(trace, save_to)
    if apply:
        for path, data in result.updated.items():
            Path(path).write_bytes(data)
            notes.append(f"applied to {path}")
    for note in notes:
        click.echo(note, err=True)
    return 1 if any(f.result == "error" for f in trace.functions) else 0


def _save_model_inputs(trace: RunTrace, root: Path) -> list[str]:
    """Keep the inputs models wrote (and the originals accepted) for later runs and the
    pre-commit hook; never overwrite a saved file."""
    notes = []
    for function in trace.functions:
        for attempt in function.attempts:
            if attempt.outcome != "inputs-ok" or attempt.code is None:
                continue
            saved = save_inputs(
                root, function.path, function.qualified_name, function.language, attempt.code
            )
            if saved is not None:
                notes.append(f"inputs saved: {saved.relative_to(root)} (review and commit it)")
    return notes


def _tasks(targets: Sequence[str], inputs_path: Path | None, tests_path: Path | None) -> list[Task]:
    root = Path.cwd()
    functions = []
    for target in targets:
        if is_spec(target):
            spec = parse_spec(target)
            path = root / spec.path
            if not path.is_file():
                raise click.BadParameter(f"no such file {spec.path!r}", param_hint="TARGET")
            functions.append(find_function(extract_path(path, display=spec.path), spec))
        else:
            path = root / target
            if not path.is_file():
                raise click.BadParameter(
                    f"{target!r} is neither a file nor PATH::NAME", param_hint="TARGET"
                )
            functions += [f for f in extract_path(path, display=target).functions if not f.is_test]
    if not functions:
        raise click.BadParameter("the targets name no function", param_hint="TARGET")
    if (inputs_path or tests_path) and len(functions) > 1:
        raise click.BadParameter(
            f"--inputs/--tests describe one function, but the targets name {len(functions)}; "
            "name one PATH::NAME",
        )
    inputs = inputs_path.read_text() if inputs_path else None
    tests = tests_path.read_text() if tests_path else None
    tasks = []
    for function in functions:
        source = (root / function.path).read_bytes()
        if inputs is not None:
            tasks.append(Task(function, source, inputs, tests))
            continue
        saved = load_saved_inputs(root, function.path, function.qualified_name, function.language)
        origin: Literal["given", "saved"] = "saved" if saved is not None else "given"
        tasks.append(Task(function, source, saved, tests, origin))
    return tasks


def _settings(config_path: Path | None, max_cost: float | None) -> Settings:
    found = config_path or find_config(Path.cwd())
    settings = load_config(found) if found is not None else Settings()
    if max_cost is not None:
        if not max_cost > 0:
            raise ConfigError(f"--max-cost must be a positive number of USD, got {max_cost}")
        settings = settings.model_copy(update={"max_cost_usd": max_cost})
    return settings


def _profiles(settings: Settings) -> tuple[Profile, ...]:
    try:
        return tuple(load_profiles(settings.profiles_dir or default_profiles_dir()))
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from exc


def _config(
    settings: Settings, max_seconds: float | None, *, keys: dict[str, str]
) -> PipelineConfig:
    budget = Budget(min_effect=settings.min_effect)
    if max_seconds is not None:
        budget = Budget(max_seconds=max_seconds, min_effect=settings.min_effect)
    return PipelineConfig(
        settings=settings,
        profiles=_profiles(settings),
        # Long files are trimmed (context only, never the function) to fit this many tokens.
        llm=LLMSettings(prompt_token_budget=PROMPT_TOKEN_BUDGET),
        budget=budget,
        keys=keys,
    )


def _keys(settings: Settings) -> dict[str, str]:
    """The API keys the configured models name (``api_key_env``): read here, at the entry
    point, so nothing below it reads the environment."""
    names = {m.api_key_env for m in settings.models or () if m.api_key_env}
    names |= {p.api_key_env for p in _profiles(settings) if p.api_key_env}
    return {name: os.environ[name] for name in sorted(names) if name in os.environ}
