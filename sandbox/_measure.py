"""Timing old against new: interleaved, counterbalanced, sequential, with an A/A guard.

Each block runs fresh processes in a palindrome of a random order, e.g. new·old·copy·copy·old·new,
so a linear drift of the machine cancels out of every pair. ``copy`` is the old version built
separately: old against copy is an A/A comparison. Whatever bias the A/A interval allows is
applied to the A/B interval (widened by it, in quadrature) before the verdict, and a clearly
biased A/A refuses any claim. So a 2x change survives a noisy machine while a 5 % change needs
a quiet one.
One block gives one paired log-ratio per comparison; after each planned look the intervals are
recomputed at an alpha-spending confidence (``_stats.look_confidence``: what the exact test
could not use at earlier looks is carried forward), and sampling stops as soon as the widened
verdict is decisive, or the budget is spent.
"""

from __future__ import annotations

import json
import math
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from random import Random
from typing import Any, Literal

from sandbox import _stats
from sandbox._failures import Failure, classify
from sandbox._process import ProcessResult

VersionName = Literal["old", "new", "copy"]
RunBench = Callable[[VersionName, Sequence[str]], ProcessResult]
# Named in each result's method, so saved results say which spending rule decided them.
SPENDING = ", alpha spent per look with the unspent part carried forward"


@dataclass(frozen=True)
class Budget:
    """How long a comparison may sample, and what counts as a real change."""

    max_seconds: float = 60.0
    max_pairs: int = 120
    samples_per_process: int = 3
    # Untimed passes before the samples: at least one (>= 10 ms), which is all CPython's
    # specialising interpreter and native code need; the JVM's driver goes on until steady.
    warmup_ms: int = 10
    min_effect: float = 0.03
    alpha: float = 0.05
    aa_guard: bool = True


@dataclass(frozen=True)
class ProcessRun:
    """One fresh process of one version: its samples (ns per pass over all inputs)."""

    version: VersionName
    block: int
    ns_per_pass: tuple[float, ...]
    iterations: int
    peak_rss_kb: int
    cpu_ns: int
    wall_seconds: float

    @property
    def center(self) -> float:
        return statistics.median(self.ns_per_pass)


@dataclass(frozen=True)
class Timing:
    """``decision`` is the A/B estimate at the last look's confidence and ``guarded`` the same
    widened by the A/A interval: the verdict is read from ``guarded``."""

    verdict: _stats.Verdict
    decision: _stats.Estimate
    guarded: _stats.Estimate
    interval_95: _stats.Estimate
    aa: _stats.Estimate | None
    aa_verdict: _stats.Verdict | None
    refused: str | None
    blocks: int
    looks: int
    seconds: float
    stopped: Literal["decided", "time-budget", "pair-budget"]
    runs: tuple[ProcessRun, ...]

    def median(self, version: VersionName, field: Literal["center", "peak", "cpu"]) -> float:
        values = [
            r.center if field == "center" else r.peak_rss_kb if field == "peak" else r.cpu_ns
            for r in self.runs
            if r.version == version
        ]
        return statistics.median(values) if values else math.nan


class TimingFailed(Exception):
    """A benchmark process failed mid-measurement; carries the structured failure."""

    def __init__(self, version: VersionName, failure: Failure) -> None:
        super().__init__(f"{version}: {failure.describe()}")
        self.version = version
        self.failure = failure


def measure(run: RunBench, budget: Budget, rng: Random) -> Timing:
    started = time.perf_counter()
    versions: tuple[VersionName, ...] = (
        ("old", "new", "copy") if budget.aa_guard else ("old", "new")
    )
    iterations = {v: _calibrate(run, v) for v in ("old", "new")}
    iterations["copy"] = iterations["old"]
    runs: list[ProcessRun] = []
    ab: list[float] = []
    aa: list[float] = []
    look_pairs: list[int] = []
    schedule = _stats.look_schedule()
    next_look = next(schedule)
    stopped: Literal["decided", "time-budget", "pair-budget"] = "pair-budget"
    state: tuple[_stats.Estimate, _stats.Estimate | None] | None = None
    for block in range(1, budget.max_pairs + 1):
        order = list(versions)
        rng.shuffle(order)
        block_runs = [_bench(run, v, block, iterations[v], budget) for v in order + order[::-1]]
        runs.extend(block_runs)
        ab.append(_log_ratio(block_runs, "new"))
        if budget.aa_guard:
            aa.append(_log_ratio(block_runs, "copy"))
        out_of_time = time.perf_counter() - started >= budget.max_seconds
        if block == next_look or out_of_time or block == budget.max_pairs:
            look_pairs.append(block)
            while next_look <= block:
                next_look = next(schedule)
            confidence = _stats.look_confidence(look_pairs, budget.alpha)
            decision = _stats.estimate(ab, confidence)
            decision = replace(decision, method=decision.method + SPENDING)
            aa_estimate = _stats.estimate(aa, confidence) if aa else None
            state = (decision, aa_estimate)
            if _decided(decision, aa_estimate, budget):
                stopped = "decided"
                break
            if out_of_time:
                stopped = "time-budget"
                break
    assert state is not None
    decision, aa_estimate = state
    return _timing(
        decision,
        aa_estimate,
        ab,
        budget,
        len(ab),
        len(look_pairs),
        time.perf_counter() - started,
        stopped,
        runs,
    )


def _decided(decision: _stats.Estimate, aa: _stats.Estimate | None, budget: Budget) -> bool:
    if aa is not None and _stats.verdict(aa, budget.min_effect) in ("faster", "slower"):
        return False
    return _stats.verdict(widen(decision, aa), budget.min_effect) != "inconclusive"


def widen(decision: _stats.Estimate, aa: _stats.Estimate | None) -> _stats.Estimate:
    """The A/B interval widened by the bias the A/A interval allows.

    In log terms, each side's A/B half-width and the A/A interval's reach past "no change" on
    that side are combined in quadrature, as the errors of two independent estimates are (the
    two share the old version's processes, which correlates them positively, so this is, if
    anything, wide). Adding them outright doubles the width for no bias at all: replayed on
    saved comparisons (bench/replay_guard.py), quadrature needed 25-80 % fewer blocks for a
    5 % change, and made no claim on identical code either way.
    """
    if aa is None:
        return decision
    if not (decision.bounded and aa.bounded):
        return replace(decision, low=0.0, high=math.inf)
    center = math.log(decision.ratio)
    below, above = center - math.log(decision.low), math.log(decision.high) - center
    bias_up, bias_down = max(math.log(aa.high), 0.0), max(-math.log(aa.low), 0.0)
    return replace(
        decision,
        low=math.exp(center - math.hypot(below, bias_up)),
        high=math.exp(center + math.hypot(above, bias_down)),
        method=decision.method + ", widened by the A/A interval (in quadrature)",
    )


def _timing(
    decision: _stats.Estimate,
    aa: _stats.Estimate | None,
    ab: list[float],
    budget: Budget,
    blocks: int,
    looks: int,
    seconds: float,
    stopped: Literal["decided", "time-budget", "pair-budget"],
    runs: list[ProcessRun],
) -> Timing:
    guarded = widen(decision, aa)
    verdict = _stats.verdict(guarded, budget.min_effect)
    aa_verdict = _stats.verdict(aa, budget.min_effect) if aa is not None else None
    refused = None
    if aa is not None and aa_verdict in ("faster", "slower"):
        refused = _refusal(aa, aa_verdict, budget)
        verdict = "inconclusive"
    elif verdict == "inconclusive" and aa is not None and aa_verdict != "unchanged":
        refused = _refusal(aa, aa_verdict, budget)
    return Timing(
        verdict,
        decision,
        guarded,
        _stats.estimate(ab, 0.95),
        aa,
        aa_verdict,
        refused,
        blocks,
        looks,
        seconds,
        stopped,
        tuple(runs),
    )


def _refusal(aa: _stats.Estimate, aa_verdict: _stats.Verdict | None, budget: Budget) -> str:
    span = f"{(aa.low - 1) * 100:+.1f}% .. {(aa.high - 1) * 100:+.1f}%"
    if aa_verdict in ("faster", "slower"):
        return (
            f"no claim: the old version measured against an identical copy of itself came "
            f"out {aa_verdict} ({span}); this machine is too noisy or biased right now"
        )
    return (
        f"the old version against an identical copy of itself varied by {span}, too much "
        f"to tell a change this size within the budget: retry on a quieter machine or "
        f"raise the budget"
    )


def _log_ratio(block_runs: Sequence[ProcessRun], other: VersionName) -> float:
    def mean_log(version: VersionName) -> float:
        return statistics.fmean(math.log(r.center) for r in block_runs if r.version == version)

    return mean_log(other) - mean_log("old")


def _calibrate(run: RunBench, version: VersionName) -> int:
    result = run(version, ["bench", "0", "1", "0"])
    failure = classify(result, "run")
    if failure is not None:
        raise TimingFailed(version, failure)
    for record in _records(result.stdout):
        if "calibrated" in record:
            return max(1, int(record["calibrated"]))
    raise TimingFailed(version, Failure("driver-error", "the driver did not report calibration"))


def _bench(
    run: RunBench, version: VersionName, block: int, iterations: int, budget: Budget
) -> ProcessRun:
    result = run(
        version, ["bench", str(iterations), str(budget.samples_per_process), str(budget.warmup_ms)]
    )
    failure = classify(result, "run")
    if failure is not None:
        raise TimingFailed(version, failure)
    sample_ns: list[float] = []
    closing: Mapping[str, Any] = {}
    for record in _records(result.stdout):
        if "ns" in record:
            sample_ns.append(float(record["ns"]))
        elif "peak_rss_kb" in record:
            closing = record
    # The driver raises the count when a warm-up round comes out under the minimum sample time
    # (this process runs faster than the one that calibrated): its closing line says which.
    used = int(closing.get("iterations", iterations))
    if not sample_ns or any(s <= 0 for s in sample_ns) or used < 1:
        raise TimingFailed(version, Failure("driver-error", "the driver reported no samples"))
    return ProcessRun(
        version,
        block,
        tuple(ns / used for ns in sample_ns),
        used,
        int(closing.get("peak_rss_kb", 0)),
        int(closing.get("cpu_ns", 0)),
        result.wall_seconds,
    )


def _records(stdout: str) -> list[dict[str, Any]]:
    records = []
    for line in stdout.splitlines():
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
    return records
