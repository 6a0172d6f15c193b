"""The run trace: everything one ``perforch optimize`` run did, written to
``.perforch/runs/<id>.json`` and read back by ``perforch report`` (and the bot)."""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from perforch_bot.errors import PerforchError
from perforch_bot.llm import CallRecord
from sandbox import Comparison

FORMAT: Literal["perforch-run/1"] = "perforch-run/1"
AttemptOutcome = Literal[
    "correct",  # validated: builds, tests pass, same outputs
    "kept",  # correct and faster than what it was measured against
    "not-faster",  # correct, but not measurably faster: rolled back
    "rejected",  # the reply had no usable function (reason says why)
    "incorrect",  # build, tests or outputs failed
    "error",  # the sandbox could not judge it
    "llm-failed",  # no model answered
    "inputs-ok",
    "inputs-bad",
]
# implemented / not-implemented: a new function written from a description (no old version).
Result = Literal["improved", "rolled-back", "error", "skipped", "implemented", "not-implemented"]


class TraceError(PerforchError):
    """A run file that cannot be read or is not a PerfOrch run."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CallTrace(_Frozen):
    model: str
    stage: str
    outcome: str
    attempts: int
    retries: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    cost_source: str
    latency_s: float
    recorded: bool
    error: str | None = None

    @classmethod
    def of(cls, record: CallRecord) -> CallTrace:
        return cls(
            model=record.model,
            stage=record.stage,
            outcome=record.outcome,
            attempts=record.attempts,
            retries=len(record.retries),
            prompt_tokens=record.prompt_tokens,
            completion_tokens=record.completion_tokens,
            cost_usd=record.cost_usd,
            cost_source=record.cost_source,
            latency_s=round(record.latency_s, 3),
            recorded=record.recorded,
            error=record.error,
        )


class TimingTrace(_Frozen):
    """A measured comparison: speedup (old time / new time) with its 95 % interval."""

    verdict: str
    speedup: float
    speedup_low: float
    speedup_high: float | None  # None: unbounded (the interval reaches a zero time ratio)
    blocks: int
    seconds: float
    old_ns_per_pass: float
    new_ns_per_pass: float
    old_peak_rss_kb: float
    new_peak_rss_kb: float
    summary: str

    @classmethod
    def of(cls, comparison: Comparison) -> TimingTrace | None:
        timing = comparison.timing
        if timing is None:
            return None
        ci = timing.interval_95
        return cls(
            verdict=timing.verdict,
            speedup=ci.speedup,
            speedup_low=1 / ci.high,
            speedup_high=1 / ci.low if ci.low > 0 else None,
            blocks=timing.blocks,
            seconds=round(timing.seconds, 2),
            old_ns_per_pass=timing.median("old", "center"),
            new_ns_per_pass=timing.median("new", "center"),
            old_peak_rss_kb=timing.median("old", "peak"),
            new_peak_rss_kb=timing.median("new", "peak"),
            summary=comparison.summary,
        )


class AttemptTrace(_Frozen):
    """One stage round: who was asked, what came back, how it was judged, what was kept."""

    stage: str
    round: int
    model: str | None
    recorded: bool
    outcome: AttemptOutcome
    reason: str
    against: Literal["original", "previous"] | None = None
    verdict: str | None = None
    timing: TimingTrace | None = None
    code: str | None = None
    calls: tuple[CallTrace, ...] = ()


class WorkloadTrace(_Frozen):
    origin: Literal["given", "bundled", "saved", "model"]
    inputs_cases: int | None
    tests: bool
    note: str


class FunctionTrace(_Frozen):
    spec: str
    qualified_name: str
    path: str
    language: str
    category: str | None
    result: Result
    reason: str
    workload: WorkloadTrace | None = None
    attempts: tuple[AttemptTrace, ...] = ()
    final: TimingTrace | None = None
    code: str | None = None
    patch: str | None = None

    @property
    def recorded(self) -> bool:
        return any(a.recorded for a in self.attempts)


class PlannedFunction(_Frozen):
    spec: str
    shard: int  # 1-based


class PlanTrace(_Frozen):
    """The plan a sharded run belongs to (``perforch plan``/``run --shard``/``merge``): its id,
    the revision range and the commits it resolved to, every planned function in plan order
    with its shard, and which shard this trace is (None once the shards are merged)."""

    id: str
    range: str
    base_sha: str
    head_sha: str
    shards: int
    functions: tuple[PlannedFunction, ...]
    shard: int | None = None


class RunTrace(_Frozen):
    format: Literal["perforch-run/1"] = FORMAT
    id: str
    started: str
    finished: str
    command: str
    recorded: bool
    functions: tuple[FunctionTrace, ...]
    calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    cost_unknown_calls: int
    cost_cap_usd: float | None
    patch: str | None = None
    machine: dict[str, object] = {}
    plan: PlanTrace | None = None  # a sharded run's part, or the shards merged


def write_trace(trace: RunTrace, directory: Path) -> Path:
    """Write ``trace`` atomically as ``directory/<id>.json``; returns the path."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{trace.id}.json"
    handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{trace.id}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(trace.model_dump_json(indent=2) + "\n")
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    return path


def read_trace(path: Path) -> RunTrace:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TraceError(f"cannot read {path}: {error.strerror}") from None
    except json.JSONDecodeError as error:
        raise TraceError(f"{path} is not JSON ({error}); give a .perforch/runs/*.json") from None
    try:
        return RunTrace.model_validate(data)
    except ValidationError as error:
        raise TraceError(
            f"{path} is not a PerfOrch run ({FORMAT}): {error.errors()[0]['msg']} at "
            f"{'.'.join(str(p) for p in error.errors()[0]['loc'])}; give a file that "
            "`perforch optimize` wrote under .perforch/runs/"
        ) from None
