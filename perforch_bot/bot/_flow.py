"""One event, handled: check who asked, find the functions, run the pipeline in the checked-out
repository, and post the summary and the suggestions. The GitHub client is a parameter (the
Action passes a PyGithub one, tests a client of a loopback server)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from perforch_bot.bot._memory import Memory
from perforch_bot.bot._new_function import NewFunctions, missing_functions, new_functions
from perforch_bot.bot._post import Finished, publish, with_memory
from perforch_bot.bot._rejections import rejected_specs
from perforch_bot.bot._targets import Found, changed_in_pull_request, named
from perforch_bot.events import EventSettings, Trigger, authorize, help_text
from perforch_bot.github import (
    SUMMARY_MARKER,
    GitHubClient,
    Reaction,
    is_own_comment,
    upsert_summary,
)
from perforch_bot.pipeline import (
    NewFunctionTask,
    PipelineConfig,
    Progress,
    RunTrace,
    Task,
    implement,
    optimize,
    render_markdown,
)
from perforch_bot.targets import Function, PathFilter, check_out, head_revision
from perforch_bot.workloads import load_saved_inputs
from sandbox import Executor


@dataclass(frozen=True)
class BotConfig:
    """``full_report`` is where a trimmed summary points (the run's step summary)."""

    events: EventSettings
    pipeline: PipelineConfig
    max_functions: int = 10
    suggest: bool = True
    own_login: str | None = None
    full_report: str = "the workflow run's summary"


@dataclass(frozen=True)
class BotOutcome:
    """What happened, for the Action's outputs and log."""

    trigger: Trigger
    message: str
    trace: RunTrace | None = None
    report: str | None = None
    suggestions: int = 0

    @property
    def improved(self) -> int:
        return sum(1 for f in self.trace.functions if f.result == "improved") if self.trace else 0

    @property
    def best_speedup(self) -> float | None:
        speeds = [
            f.final.speedup
            for f in (self.trace.functions if self.trace else ())
            if f.result == "improved" and f.final is not None
        ]
        return max(speeds, default=None)

    @property
    def failed(self) -> bool:
        return self.trace is not None and any(f.result == "error" for f in self.trace.functions)


def handle(
    trigger: Trigger,
    *,
    client: GitHubClient,
    workspace: Path,
    executor: Executor,
    config: BotConfig,
    progress: Progress,
) -> BotOutcome:
    if trigger.kind == "ignore" or trigger.number is None:
        return BotOutcome(trigger, f"nothing to do: {trigger.reason}")
    number = trigger.number
    trigger = authorize(client, trigger)
    if not trigger.allowed:
        if trigger.kind in ("comment_command", "help") and not trigger.sender_is_bot:
            client.create_comment(trigger.repo, number, f"@{trigger.sender} {trigger.reason}.")
        return BotOutcome(trigger, f"not allowed: {trigger.reason}")
    if trigger.kind == "help":
        client.create_comment(trigger.repo, number, f"{trigger.reason}\n\n{help_text()}")
        return BotOutcome(trigger, "answered with help")
    summary = _summary_body(client, trigger.repo, number, config.own_login)
    memory = Memory.read(summary)
    if trigger.command is not None and trigger.command.name == "ignore":
        memory = replace(memory, ignored=memory.ignored | frozenset(trigger.command.targets))
        report = with_memory(summary, SUMMARY_MARKER, memory)
        upsert_summary(client, trigger.repo, number, report, own_login=config.own_login)
        _react(client, trigger, "+1")
        return BotOutcome(trigger, f"ignoring {', '.join(sorted(memory.ignored))}")
    _react(client, trigger, "eyes")
    outcome = _optimize_and_post(
        trigger,
        number,
        summary,
        memory,
        client,
        workspace,
        executor,
        _for_command(config, trigger),
        progress,
    )
    _react(client, trigger, "confused" if outcome.failed or outcome.trace is None else "rocket")
    return outcome


def _optimize_and_post(
    trigger: Trigger,
    number: int,
    summary: str | None,
    memory: Memory,
    client: GitHubClient,
    workspace: Path,
    executor: Executor,
    config: BotConfig,
    progress: Progress,
) -> BotOutcome:
    repo = trigger.repo
    head_sha = None
    rejected: tuple[str, ...] = ()
    remembered = memory
    if trigger.is_pull_request:
        pull = client.pull_request(repo, number)
        head_sha = pull.head_sha
        if head_revision(workspace) != head_sha:
            progress(f"checking out the pull request's head {head_sha[:12]}")
            check_out(workspace, head_sha)
        # A 👎 on one of our suggestions ignores its function, as `/perforch ignore` does.
        rejected = rejected_specs(client, repo, number, pull.author, config.own_login)
        memory = replace(memory, ignored=memory.ignored | frozenset(rejected))
    found = _targets(trigger, number, client, workspace, config)
    fresh = NewFunctions(None, ())
    if not trigger.is_pull_request and missing_functions(trigger.targets, workspace):
        fresh = new_functions(client.issue(repo, number), trigger.targets, workspace)
        found = replace(found, notes=_without_notes_on(found.notes, fresh.specs) + fresh.notes)
    settings = config.pipeline.settings
    wanted = [
        f
        for f in found.functions
        if f.spec not in memory.ignored and f.language in settings.languages
    ]
    # A comment asks again on purpose; a push re-runs only what changed since the last run.
    again = trigger.kind == "comment_command"
    functions = tuple(f for f in wanted if again or not memory.unchanged(f))
    notes = list(found.notes)
    notes += [f"`{spec}`: not offered again (👎 on its suggestion)" for spec in rejected]
    if len(functions) < len(wanted):
        skipped = ", ".join(f"`{f.spec}`" for f in wanted if f not in functions)
        notes.append(
            f"unchanged since the last run, not run again: {skipped} (their results are in "
            "this comment's edit history; `/perforch optimize` runs them again)"
        )
    if not wanted and fresh.task is not None:
        return _implement_and_post(
            trigger, number, fresh.task, notes, memory, client, executor, config, progress
        )
    if fresh.task is not None:
        notes.append(
            f"`{fresh.task.spec}`: a new function is written when the issue names no existing "
            "function to optimize; ask for it in an issue of its own"
        )
    if not functions:
        if wanted:  # all of them already done, and the summary shows them
            if memory != remembered:  # a new 👎: remembered in the summary's hidden line
                report = with_memory(summary, SUMMARY_MARKER, memory)
                upsert_summary(client, repo, number, report, own_login=config.own_login)
            return BotOutcome(trigger, "every changed function is unchanged since the last run")
        message = "no function to optimize" + "".join(f"\n- {n}" for n in notes)
        report = f"## PerfOrch results\n\n{message}\n{memory.lines()}"
        upsert_summary(client, repo, number, report, own_login=config.own_login)
        return BotOutcome(trigger, message)
    files = {f.path: (workspace / f.path).read_bytes() for f in functions}
    result = optimize(
        [_task(f, files[f.path], workspace, trigger) for f in functions],
        config=config.pipeline,
        executor=executor,
        command=_command(trigger),
        progress=progress,
    )
    finished = Finished(result.trace, functions, files, result.updated, found.hunks, tuple(notes))
    report, suggestions = publish(
        client,
        repo,
        number,
        finished,
        head_sha=head_sha,
        memory=memory,
        suggest=config.suggest,
        full_report=config.full_report,
        own_login=config.own_login,
    )
    return BotOutcome(trigger, "done", result.trace, report, suggestions)


def _implement_and_post(
    trigger: Trigger,
    number: int,
    task: NewFunctionTask,
    notes: list[str],
    memory: Memory,
    client: GitHubClient,
    executor: Executor,
    config: BotConfig,
    progress: Progress,
) -> BotOutcome:
    """Write the new function an issue asks for and post the result (with the patch that adds
    it, when its tests pass) in the issue's summary comment."""
    if task.language not in config.pipeline.settings.languages:
        message = f"`{task.spec}`: {task.language} is not among the configured languages"
        report = f"## PerfOrch results\n\n{message}\n{memory.lines()}"
        upsert_summary(client, trigger.repo, number, report, own_login=config.own_login)
        return BotOutcome(trigger, message)
    result = implement(
        task,
        config=config.pipeline,
        executor=executor,
        command=_command(trigger),
        progress=progress,
    )
    report = render_markdown(result.trace) + "".join(f"\n- {n}" for n in notes)
    report += f"\n{memory.lines()}"
    upsert_summary(
        client,
        trigger.repo,
        number,
        report,
        full_report=config.full_report,
        own_login=config.own_login,
    )
    return BotOutcome(trigger, "done", result.trace, report)


def _without_notes_on(notes: tuple[str, ...], specs: tuple[str, ...]) -> tuple[str, ...]:
    """``notes`` but those about ``specs`` (a new function is not "not found")."""
    return tuple(n for n in notes if not any(n.startswith(f"`{s}`:") for s in specs))


def _targets(
    trigger: Trigger, number: int, client: GitHubClient, workspace: Path, config: BotConfig
) -> Found:
    if not trigger.is_pull_request:
        if trigger.targets:
            return named(trigger.targets, workspace, config.max_functions)
        return Found((), {}, ("the issue names no function: write `path/to/file::Function`",))
    settings = config.pipeline.settings
    path_filter = PathFilter(include=settings.include, exclude=settings.exclude)
    changed = changed_in_pull_request(
        client, trigger.repo, number, workspace, path_filter, config.max_functions
    )
    if not trigger.targets:
        return changed
    # Named functions on a pull request: suggestions still need the pull request's hunks.
    chosen = named(trigger.targets, workspace, config.max_functions)
    return Found(chosen.functions, changed.hunks, chosen.notes)


def _for_command(config: BotConfig, trigger: Trigger) -> BotConfig:
    """The repository's settings with a comment's ``--flags`` applied. ``--model`` may only
    pick among the configured models: a comment must not point PerfOrch at other endpoints."""
    if trigger.command is None:
        return config
    options = trigger.command.options
    settings = config.pipeline.settings
    update: dict[str, object] = {}
    if options.max_cost is not None:
        update["max_cost_usd"] = min(options.max_cost, settings.max_cost_usd)
    if options.min_effect is not None:
        update["min_effect"] = options.min_effect
    if options.models and settings.models is not None:
        chosen = tuple(m for m in settings.models if m.model in options.models)
        if chosen:
            update["models"] = chosen
    pipeline = replace(config.pipeline, settings=settings.model_copy(update=update))
    if options.max_seconds is not None:
        pipeline = replace(
            pipeline, budget=replace(pipeline.budget, max_seconds=options.max_seconds)
        )
    return replace(config, pipeline=pipeline)


def _summary_body(
    client: GitHubClient, repo: str, number: int, own_login: str | None
) -> str | None:
    ours = [
        c
        for c in client.find_comments(repo, number, SUMMARY_MARKER)
        if is_own_comment(c, own_login)
    ]
    return ours[0].body if ours else None


def _task(function: Function, source: bytes, workspace: Path, trigger: Trigger) -> Task:
    options = trigger.command.options if trigger.command else None
    inputs = None
    if options is not None and options.inputs is not None:
        inputs = (workspace / options.inputs).read_text()
    saved = load_saved_inputs(workspace, function.path, function.qualified_name, function.language)
    if inputs is None and saved is not None:
        return Task(function, source, saved, None, "saved")
    tests = (workspace / options.tests).read_text() if options and options.tests else None
    return Task(function, source, inputs, tests)


def _react(client: GitHubClient, trigger: Trigger, reaction: Reaction) -> None:
    if trigger.comment_id is not None:
        client.add_reaction(trigger.repo, trigger.comment_id, reaction)


def _command(trigger: Trigger) -> str:
    if trigger.command is not None:
        return trigger.command.text
    return f"{trigger.event}.{trigger.action} on {trigger.repo}#{trigger.number}"
