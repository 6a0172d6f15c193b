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
Where the driver times a fixed reference loop around each sample (``ref_ns``), only samples
taken in the core's usual state are compared: a core's speed for interpreter-like code can
halve for tens of milliseconds to seconds when its SMT sibling or a neighbouring VM gets busy.
The loop running ``Budget.spell_factor`` times slower than its fast readings marks a slow
spell; when most readings are fast, samples in spells are set aside, and when most are slow
(a host that is busy most of the time), the rare fast ones are. A version whose processes in a
block both have no sample in that state gets its second run again, and a block still without
one is left out. These rules read only the reference, the same code in every version, so they
cannot favour one; the A/A guard still checks the result.
"""

from __future__ import annotations

import functools
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
# Fresh processes a version's second slot in a block may get when neither its first process
# nor this one took a sample in the core's usual state: one such process per version and
# block is all the block's log-ratio needs. Rerunning every spelled process instead (up to
# twice) made a 2x Python change take 17.5 s when two thirds of the time ran slow; on
# simulated processes with 30-65 % of them in spells this rule needed 20-40 % fewer processes.
SPELL_RERUNS = 4


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
    # How much slower than its fast readings the reference loop may run before a sample counts
    # as taken in a slow spell (None keeps every sample). Spells ran it ~2x slower on the hosts
    # measured; outside them its readings stayed within ~1.25x of the fast ones.
    spell_factor: float | None = 1.4


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
    # The reference loop's time around each sample; empty when the driver times none.
    ref_ns: tuple[float, ...] = ()

    @property
    def center(self) -> float:
        """The median of all samples, slow spells or not."""
        return statistics.median(self.ns_per_pass)

    def center_within(self, state: CoreState | None) -> float:
        """The median of the samples taken in ``state``; of all of them when none was (or
        there is no state to go by)."""
        if state is None or not self.ref_ns:
            return self.center
        pairs = zip(self.ns_per_pass, self.ref_ns, strict=True)
        return statistics.median([ns for ns, ref in pairs if state.holds(ref)] or self.ns_per_pass)

    def off_state(self, state: CoreState | None) -> bool:
        """No sample was taken in ``state``."""
        return state is not None and bool(self.ref_ns) and not any(map(state.holds, self.ref_ns))


@dataclass(frozen=True)
class CoreState:
    """The speed the core ran at for most of a comparison, by the reference readings: at most
    ``limit`` (the usual, fast state) or, when most readings ran slower, above it (a shared VM
    that spends most of its time in slow spells). Only samples taken in the same state are
    compared, whichever it is: a ratio needs both versions timed alike, not timed fast."""

    limit: float
    fast: bool

    def holds(self, ref_ns: float) -> bool:
        return (ref_ns <= self.limit) == self.fast


def core_state(runs: Sequence[ProcessRun], spell_factor: float | None) -> CoreState | None:
    """The state by ``spell_factor`` times the fast reference reading (the 10th percentile, so
    one freak reading cannot set it); None when no driver timed a reference."""
    refs = sorted(ref for run in runs for ref in run.ref_ns)
    if not refs or not spell_factor:
        return None
    limit = spell_factor * refs[len(refs) // 10]
    return CoreState(limit, 2 * sum(ref <= limit for ref in refs) >= len(refs))


@dataclass(frozen=True)
class Timing:
    """``decision`` is the A/B estimate at the last look's confidence and ``guarded`` the same
    widened by the A/A interval: the verdict is read from ``guarded``. ``runs`` are the
    processes the estimates use, ``state`` the core's usual state whose samples they used, and
    ``set_aside`` the processes run again because no sample of theirs was taken in it."""

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
    state: CoreState | None = None
    set_aside: tuple[ProcessRun, ...] = ()

    def median(self, version: VersionName, field: Literal["center", "peak", "cpu"]) -> float:
        values = [
            r.center_within(self.state)
            if field == "center"
            else r.peak_rss_kb
            if field == "peak"
            else r.cpu_ns
            for r in self.runs
            if r.version == version
        ]
        return statistics.median(values) if values else math.nan

    def log_ratios(self, other: VersionName, *, every_sample: bool = False) -> list[float]:
        """log(other/old) per block, as the estimates used them, or with every sample kept
        (to see what setting spells aside changed)."""
        return block_log_ratios(self.runs, other, None if every_sample else self.state)


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
    set_aside: list[ProcessRun] = []
    look_pairs: list[int] = []
    schedule = _stats.look_schedule()
    next_look = next(schedule)
    stopped: Literal["decided", "time-budget", "pair-budget"] = "pair-budget"
    looked: tuple[_stats.Estimate, _stats.Estimate | None, list[float], CoreState | None] | None
    looked = None
    for block in range(1, budget.max_pairs + 1):
        order = list(versions)
        rng.shuffle(order)
        first: dict[VersionName, ProcessRun] = {}
        for version in order + order[::-1]:
            bench = functools.partial(_bench, run, version, block, iterations[version], budget)
            earlier = first.get(version)
            off = earlier is not None and earlier.off_state(
                core_state([*runs, *set_aside], budget.spell_factor)
            )
            reruns = SPELL_RERUNS if off else 0
            process = _outside_spells(bench, runs, budget.spell_factor, reruns, set_aside)
            first.setdefault(version, process)
            runs.append(process)
        out_of_time = time.perf_counter() - started >= budget.max_seconds
        # Every block again: a later reading can show an earlier sample was in a spell.
        # Set-aside processes' readings count too: leaving them out would let the state that
        # chose which processes to keep pick itself again.
        state = core_state([*runs, *set_aside], budget.spell_factor)
        ab = block_log_ratios(runs, "new", state)
        if not ab:
            state = None  # spells left no block whole: every sample counts
            ab = block_log_ratios(runs, "new", state)
        # Looks are planned in pairs the estimate can use: a block left out is made up for.
        if len(ab) >= next_look or out_of_time or block == budget.max_pairs:
            while next_look <= len(ab):
                next_look = next(schedule)
            aa = block_log_ratios(runs, "copy", state) if budget.aa_guard else []
            look_pairs.append(len(ab))
            confidence = _stats.look_confidence(look_pairs, budget.alpha)
            decision = _stats.estimate(ab, confidence)
            decision = replace(decision, method=decision.method + SPENDING)
            aa_estimate = _stats.estimate(aa, confidence) if aa else None
            looked = (decision, aa_estimate, ab, state)
            if _decided(decision, aa_estimate, budget):
                stopped = "decided"
                break
            if out_of_time:
                stopped = "time-budget"
                break
    assert looked is not None
    decision, aa_estimate, ab, state = looked
    timing = _timing(
        decision,
        aa_estimate,
        ab,
        budget,
        block,
        len(look_pairs),
        time.perf_counter() - started,
        stopped,
        runs,
    )
    return replace(timing, state=state, set_aside=tuple(set_aside))


def _outside_spells(
    bench: Callable[[], ProcessRun],
    runs: Sequence[ProcessRun],
    spell_factor: float | None,
    reruns: int,
    set_aside: list[ProcessRun],
) -> ProcessRun:
    """``bench()``, run again (up to ``reruns`` times) while no sample of its process was taken
    in the core's usual state by the readings so far; the processes re-run go to ``set_aside``."""
    for _ in range(reruns):
        process = bench()
        if not process.off_state(core_state([*runs, *set_aside], spell_factor)):
            return process
        set_aside.append(process)
    return bench()


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


def block_log_ratios(
    runs: Sequence[ProcessRun], other: VersionName, state: CoreState | None
) -> list[float]:
    """log(other/old) per block, in block order: the difference of the versions' mean log
    centers, so a linear drift over the block's palindrome cancels. A block where some version
    has no process with a sample in ``state`` is left out: judged by the reference alone, so
    leaving it out favours no version, where keeping it would pass a spell into the ratio."""
    by_block: dict[int, list[ProcessRun]] = {}
    for run in runs:
        by_block.setdefault(run.block, []).append(run)
    ratios = []
    for block in sorted(by_block):
        logs: dict[VersionName, list[float]] = {}
        for run in by_block[block]:
            if not run.off_state(state):
                logs.setdefault(run.version, []).append(math.log(run.center_within(state)))
        if len(logs) == len({run.version for run in by_block[block]}):
            ratios.append(statistics.fmean(logs[other]) - statistics.fmean(logs["old"]))
    return ratios


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
    ref_ns: list[float] = []
    closing: Mapping[str, Any] = {}
    for record in _records(result.stdout):
        if "ns" in record:
            sample_ns.append(float(record["ns"]))
            if "ref_ns" in record:
                ref_ns.append(float(record["ref_ns"]))
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
        # a reference for some samples only is no reference: the spell rule would misalign
        tuple(ref_ns) if len(ref_ns) == len(sample_ns) and min(ref_ns, default=0) > 0 else (),
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
