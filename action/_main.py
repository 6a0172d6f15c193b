"""The Action's entry: the workflow's environment -> a trigger -> the bot -> outputs.

The only place that reads the environment: everything below gets immutable data."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from action._inputs import ActionInputs, InputError, read_inputs

if TYPE_CHECKING:
    from perforch_bot.bot import BotOutcome


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    """Run for one workflow event. Exit 0 when the work ran (no improvement found is a
    success), 1 on a real failure, reported with ``::error::`` and a plain explanation."""
    del argv  # configured through the environment, as GitHub runs container actions
    env = os.environ if environ is None else environ
    try:
        inputs = read_inputs(env)
    except InputError as exc:
        _error(str(exc))
        return 1
    from perforch_bot.errors import PerforchError
    from sandbox import SandboxError

    try:
        return _run(inputs, env)
    except (PerforchError, SandboxError, OSError) as exc:
        _error(f"PerfOrch failed: {exc}")
        return 1


def _run(inputs: ActionInputs, env: Mapping[str, str]) -> int:
    if inputs.mode == "merge":
        from action._merge import merge_and_post

        return _finish(inputs, merge_and_post(inputs))
    return _finish(inputs, _handle(inputs, env))


def _handle(inputs: ActionInputs, env: Mapping[str, str]) -> BotOutcome:
    from perforch_bot.bot import BotConfig, handle
    from perforch_bot.config import ModelSettings, Settings, find_config, load_config
    from perforch_bot.events import EventSettings, parse_event_json
    from perforch_bot.github import PyGithubClient
    from perforch_bot.llm import LLMSettings, silence_litellm_console
    from perforch_bot.pipeline import PipelineConfig
    from perforch_bot.profiles import default_profiles_dir, load_profiles
    from sandbox import BackendOptions, Budget, Executor, Support, make_backend

    silence_litellm_console()
    trigger = parse_event_json(
        inputs.event_name,
        inputs.event_path.read_bytes(),
        EventSettings(issue_label=inputs.label, draft_pull_requests=inputs.drafts),
    )
    print(f"perforch: {trigger.kind} {trigger.repo}#{trigger.number}: {trigger.reason}")
    config_path = inputs.config or find_config(inputs.workspace)
    settings = load_config(config_path) if config_path is not None else Settings()
    update: dict[str, object] = {}
    if inputs.models:
        update["models"] = tuple(ModelSettings(model=m) for m in inputs.models)
    if inputs.max_cost is not None:
        update["max_cost_usd"] = inputs.max_cost
    if inputs.min_speedup is not None:
        update["min_effect"] = inputs.min_speedup
    if inputs.languages:
        update["languages"] = list(inputs.languages)
    settings = Settings.model_validate({**settings.model_dump(), **update})
    profiles = tuple(load_profiles(settings.profiles_dir or default_profiles_dir()))
    names = {m.api_key_env for m in settings.models or () if m.api_key_env}
    names |= {p.api_key_env for p in profiles if p.api_key_env}
    cache = inputs.cache_dir or Path.home() / ".cache" / "perforch"
    # The Action's container refuses namespaces under Docker's default seccomp profile, so
    # "auto" falls back to Landlock there; when neither works this raises, and nothing is
    # posted: a sandbox that cannot isolate must not run the pull request's code.
    executor = Executor(
        make_backend("auto", BackendOptions(cache_dir=cache)),
        Support(cache_dir=cache, python=Path(sys.executable), deps_dir=cache / "support"),
    )
    print(f"perforch: sandbox backend {executor.backend.name}", flush=True)
    return handle(
        trigger,
        client=PyGithubClient(inputs.token, inputs.api_url),
        workspace=inputs.workspace,
        executor=executor,
        config=BotConfig(
            events=EventSettings(issue_label=inputs.label, draft_pull_requests=inputs.drafts),
            pipeline=PipelineConfig(
                settings=settings,
                profiles=profiles,
                llm=LLMSettings(prompt_token_budget=16_000),
                budget=Budget(min_effect=settings.min_effect),
                keys={n: env[n] for n in names if n in env},
            ),
            max_functions=inputs.max_functions,
            suggest=inputs.mode == "suggest",
            full_report=f"the [workflow run]({inputs.run_url})" if inputs.run_url else "",
        ),
        progress=lambda message: print(f"perforch: {message}", flush=True),
    )


def _finish(inputs: ActionInputs, outcome: BotOutcome) -> int:
    """The report in the step summary and the outputs; exit 1 if a function failed."""
    print(f"perforch: {outcome.message}")
    report_path = inputs.workspace / ".perforch" / "report.md"
    if outcome.report is not None:
        report_path.parent.mkdir(parents=True, exist_ok=True)
        report_path.write_text(outcome.report)
        if inputs.summary_file is not None:
            with inputs.summary_file.open("a") as summary:
                summary.write(outcome.report)
    if inputs.output_file is not None:
        best = outcome.best_speedup
        with inputs.output_file.open("a") as output:
            output.write(f"report-path={report_path if outcome.report else ''}\n")
            output.write(f"improved={outcome.improved}\n")
            output.write(f"best-speedup={best:.3f}\n" if best is not None else "best-speedup=\n")
    if outcome.failed:
        _error("some functions could not be judged; see the summary comment")
        return 1
    return 0


def _error(message: str) -> None:
    # GitHub shows ::error:: lines as annotations; newlines must be encoded.
    print(f"::error::{message.replace(chr(10), '%0A')}", flush=True)
