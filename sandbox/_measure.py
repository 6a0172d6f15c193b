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
Where the language lets versions share a process (``paired``: Python), each block is instead one
fresh process timing every version in chunks of ~1 ms taken in palindromic rounds, so whatever
slows the core falls on all of them alike, and no sample needs setting aside.
"""

from __future__ import annotations

import functools
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from random import Random
from typing import Literal

from sandbox import _stats
from sandbox._processes import (
    CoreState,
    ProcessRun,
    RunBench,
    RunPaired,
    VersionName,
    bench_process,
    calibrate,
    core_state,
    paired_process,
)

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
    # A safety net only: the time budget is meant to bind first. At 120, Python's blocks timed
    # side by side (~0.3 s each) stopped 4 of 20 comparisons of a 5 % change at ~37 s.
    max_pairs: int = 1000
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
    # Processes that ran one version alone to calibrate it: where the versions were timed
    # together, their peak RSS and CPU time are read from these.
    alone: tuple[ProcessRun, ...] = ()
    # Why versions that could have shared a process were timed in separate ones.
    separate_because: str | None = None

    @property
    def together(self) -> bool:
        """The versions were timed side by side in one process per block."""
        return any(run.together for run in self.runs)

    def median(self, version: VersionName, field: Literal["center", "peak", "cpu"]) -> float:
        if field == "center":
            centers = [r.center_within(self.state) for r in self.runs if r.version == version]
            return statistics.median(centers) if centers else math.nan
        own = [r for r in self.runs if r.version == version and not r.together]
        own = own or [r for r in self.alone if r.version == version]
        values = [r.peak_rss_kb if field == "peak" else r.cpu_ns for r in own]
        return statistics.median(values) if values else math.nan

    def log_ratios(self, other: VersionName, *, every_sample: bool = False) -> list[float]:
        """log(other/old) per block, as the estimates used them, or with every sample kept
        (to see what setting spells aside changed)."""
        return block_log_ratios(self.runs, other, None if every_sample else self.state)


def measure(run: RunBench, budget: Budget, rng: Random, paired: RunPaired | None = None) -> Timing:
    """Time new (and copy) against old until the verdict is decisive or the budget is spent:
    each in processes of its own through ``run``, or side by side in one process per block
    through ``paired`` when given (unless a version changes what the others share)."""
    started = time.perf_counter()
    versions: tuple[VersionName, ...] = (
        ("old", "new", "copy") if budget.aa_guard else ("old", "new")
    )
    calibrated = [calibrate(run, "old"), calibrate(run, "new")]
    iterations: dict[VersionName, int] = {
        "old": calibrated[0][0],
        "new": calibrated[1][0],
        "copy": calibrated[0][0],
    }
    alone = tuple(process for _, process in calibrated)
    runs: list[ProcessRun] = []
    set_aside: list[ProcessRun] = []
    look_pairs: list[int] = []
    schedule = _stats.look_schedule()
    next_look = next(schedule)
    stopped: Literal["decided", "time-budget", "pair-budget"] = "pair-budget"
    looked: tuple[_stats.Estimate, _stats.Estimate | None, list[float], CoreState | None] | None
    looked = None
    for block in range(1, budget.max_pairs + 1):
        if paired is None:
            _separately(run, versions, block, iterations, budget, rng, runs, set_aside)
        else:
            together = _together(paired, versions, block, iterations, budget, rng)
            if isinstance(together, str):
                return _apart(run, budget, rng, started, together)
            runs.extend(together)
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
    return replace(timing, state=state, set_aside=tuple(set_aside), alone=alone)


def _separately(
    run: RunBench,
    versions: Sequence[VersionName],
    block: int,
    iterations: dict[VersionName, int],
    budget: Budget,
    rng: Random,
    runs: list[ProcessRun],
    set_aside: list[ProcessRun],
) -> None:
    """One block of fresh processes per version in a palindrome of a random order, appended to
    ``runs``; a version whose first process took no sample in the core's usual state gets
    its second run again (the processes run again go to ``set_aside``)."""
    order = list(versions)
    rng.shuffle(order)
    first: dict[VersionName, ProcessRun] = {}
    for version in order + order[::-1]:
        bench = functools.partial(
            bench_process,
            run,
            version,
            block,
            iterations[version],
            budget.samples_per_process,
            budget.warmup_ms,
        )
        earlier = first.get(version)
        off = earlier is not None and earlier.off_state(
            core_state([*runs, *set_aside], budget.spell_factor)
        )
        reruns = SPELL_RERUNS if off else 0
        process = _outside_spells(bench, runs, budget.spell_factor, reruns, set_aside)
        first.setdefault(version, process)
        runs.append(process)


def _together(
    paired: RunPaired,
    versions: Sequence[VersionName],
    block: int,
    iterations: dict[VersionName, int],
    budget: Budget,
    rng: Random,
) -> tuple[ProcessRun, ...] | str:
    seed = rng.getrandbits(63)
    samples, warmup_ms = budget.samples_per_process, budget.warmup_ms
    return paired_process(paired, versions, block, iterations, samples, warmup_ms, seed)


def _apart(run: RunBench, budget: Budget, rng: Random, started: float, why: str) -> Timing:
    """The measurement again with each version in processes of its own, in what is left of the
    budget, because the versions could not share one (``why``)."""
    spent = time.perf_counter() - started
    timing = measure(run, replace(budget, max_seconds=max(budget.max_seconds - spent, 0.0)), rng)
    because = f"timed in separate processes: {why}"
    return replace(timing, seconds=timing.seconds + spent, separate_because=because)


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
