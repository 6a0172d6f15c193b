"""A whole run: every task through the pipeline, one cost tracker, one trace.

Functions of the same file are optimized one after the other on the file as the earlier ones
left it, so the run's patch holds all of them and applies cleanly."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime

from perforch_bot.llm import CostTracker
from perforch_bot.pipeline._config import PipelineConfig, Progress, Task
from perforch_bot.pipeline._stages import FunctionRun
from perforch_bot.pipeline._trace import FunctionTrace, RunTrace
from perforch_bot.targets import extract, find_function, parse_spec, unified_diff
from sandbox import Executor, machine_info


@dataclass(frozen=True)
class RunResult:
    """The trace, and each changed file's new content (path -> bytes) for ``--apply``."""

    trace: RunTrace
    updated: dict[str, bytes]


def new_run_id(now: datetime) -> str:
    return f"{now.strftime('%Y%m%dT%H%M%SZ')}-{secrets.token_hex(3)}"


def optimize(
    tasks: Sequence[Task],
    *,
    config: PipelineConfig,
    executor: Executor,
    command: str,
    progress: Progress | None = None,
) -> RunResult:
    """Run the pipeline on each task in turn. The cost cap is shared by the whole run."""
    started = datetime.now(UTC)
    costs = CostTracker(config.settings.max_cost_usd)
    originals: dict[str, bytes] = {}
    current: dict[str, bytes] = {}
    functions: list[FunctionTrace] = []
    for given in tasks:
        path = given.function.path
        originals.setdefault(path, given.source)
        task = _on_current_file(given, current.get(path))
        result = FunctionRun(
            task, config=config, executor=executor, costs=costs, progress=progress
        ).run()
        functions.append(result.trace)
        if result.file is not None:
            current[path] = result.file
    updated = {path: data for path, data in current.items() if data != originals[path]}
    patch = "".join(unified_diff(path, originals[path], data) for path, data in updated.items())
    return RunResult(run_trace(started, command, tuple(functions), costs, patch or None), updated)


def run_trace(
    started: datetime,
    command: str,
    functions: tuple[FunctionTrace, ...],
    costs: CostTracker,
    patch: str | None,
) -> RunTrace:
    """The trace of a run that began at ``started``, with its calls' tokens and costs."""
    summary = costs.summary()
    records = costs.records
    return RunTrace(
        id=new_run_id(started),
        started=started.isoformat(timespec="seconds"),
        finished=datetime.now(UTC).isoformat(timespec="seconds"),
        command=command,
        recorded=any(r.recorded for r in records),
        functions=functions,
        calls=len(records),
        prompt_tokens=sum(r.prompt_tokens for r in records),
        completion_tokens=sum(r.completion_tokens for r in records),
        cost_usd=round(summary.cost_usd, 6),
        cost_unknown_calls=sum(1 for r in records if not r.cost_known),
        cost_cap_usd=costs.cap_usd,
        patch=patch,
        machine=dict(machine_info()),
    )


def _on_current_file(task: Task, source: bytes | None) -> Task:
    """``task`` re-targeted at ``source``, the file as earlier functions of the run left it."""
    if source is None or source == task.source:
        return task
    function = task.function
    found = extract(function.path, source, language=function.language)
    return replace(task, source=source, function=find_function(found, parse_spec(function.spec)))
