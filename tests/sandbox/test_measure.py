"""The measurement's decision logic on synthetic processes (each "process" reports the time a
version is given, with seeded noise), and the A/A widening on its own."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from random import Random

import pytest

from sandbox import Budget, Estimate
from sandbox._measure import measure, widen
from sandbox._process import ProcessResult
from sandbox._processes import (
    CoreState,
    ProcessRun,
    RunBench,
    RunPaired,
    TimingFailed,
    VersionName,
    core_state,
)


def estimate(ratio: float, half_width_log: float) -> Estimate:
    return Estimate(
        ratio,
        ratio * math.exp(-half_width_log),
        ratio * math.exp(half_width_log),
        0.95,
        20,
        "test",
    )


def test_widen_combines_the_a_b_and_a_a_half_widths_in_quadrature() -> None:
    widened = widen(estimate(1.10, 0.03), estimate(1.0, 0.04))
    assert widened.ratio == 1.10
    assert widened.low == pytest.approx(1.10 * math.exp(-0.05))
    assert widened.high == pytest.approx(1.10 * math.exp(0.05))
    assert widened.method.endswith("widened by the A/A interval (in quadrature)")


def test_widen_uses_only_the_bias_the_a_a_interval_allows_on_each_side() -> None:
    aa = Estimate(1.02, 1.01, 1.04, 0.95, 20, "test")  # the copy measured 1-4 % slower
    widened = widen(estimate(0.80, 0.03), aa)
    assert widened.low == pytest.approx(0.80 * math.exp(-math.hypot(0.03, math.log(1.04))))
    assert widened.high == pytest.approx(0.80 * math.exp(0.03))  # no room for a bias downwards


def test_an_unbounded_interval_stays_unbounded() -> None:
    unbounded = Estimate(1.0, 0.0, math.inf, 0.95, 3, "test")
    assert not widen(estimate(1.5, 0.01), unbounded).bounded
    assert not widen(unbounded, estimate(1.0, 0.01)).bounded
    assert widen(estimate(1.5, 0.01), None) == estimate(1.5, 0.01)


def calibration(ns_per_call: float) -> list[dict[str, float]]:
    """What a driver prints when asked to calibrate: the count, a sample, the closing line."""
    return [{"calibrated": 1000}, {"ns": ns_per_call * 1000}, {"peak_rss_kb": 900, "cpu_ns": 1}]


def synthetic(ns_per_call: dict[VersionName, float], noise: float, seed: int = 1) -> RunBench:
    """Processes whose samples are each version's time times lognormal noise."""
    rng = Random(seed)

    def run(version: VersionName, argv: Sequence[str]) -> ProcessResult:
        if argv[1] == "0":  # calibration: one sample, the version alone
            lines = calibration(ns_per_call[version])
        else:
            iterations, samples = int(argv[1]), int(argv[2])
            process = math.exp(rng.gauss(0.0, noise))  # what one fresh process gets
            lines = [
                {"ns": ns_per_call[version] * iterations * process * math.exp(rng.gauss(0, noise))}
                for _ in range(samples)
            ]
            lines.append({"peak_rss_kb": 1000, "cpu_ns": 1})
        stdout = "".join(json.dumps(line) + "\n" for line in lines)
        return ProcessResult(tuple(argv), 0, stdout, "", "exited", 0.001, 0.001)

    return run


def test_samples_are_divided_by_the_count_the_driver_says_it_used() -> None:
    # The new version's driver raises every count it is given 3x during warm-up (its process
    # runs faster than the one that calibrated): per call, the versions are the same.
    same = synthetic({"old": 1.0, "copy": 1.0, "new": 1.0}, 0.01)

    def raising(version: VersionName, argv: Sequence[str]) -> ProcessResult:
        if version != "new" or argv[1] == "0":
            return same(version, argv)
        used = int(argv[1]) * 3
        result = same(version, [argv[0], str(used), *argv[2:]])
        stdout = result.stdout.replace('"cpu_ns": 1}', f'"cpu_ns": 1, "iterations": {used}}}')
        return ProcessResult(tuple(argv), 0, stdout, "", "exited", 0.001, 0.001)

    timing = measure(raising, Budget(), Random(0))
    assert timing.verdict == "unchanged", timing.guarded
    assert {run.iterations for run in timing.runs if run.version == "new"} == {3000}


def test_twice_the_time_is_slower_at_the_first_look() -> None:
    timing = measure(synthetic({"old": 1.0, "copy": 1.0, "new": 2.0}, 0.02), Budget(), Random(0))
    assert timing.verdict == "slower" and timing.stopped == "decided"
    assert timing.blocks == 7 and timing.looks == 1
    assert timing.guarded.low > 1.03 and timing.interval_95.ratio == pytest.approx(2.0, rel=0.05)


def test_identical_versions_are_unchanged_and_never_a_claim() -> None:
    for seed in range(5):
        run = synthetic({"old": 1.0, "copy": 1.0, "new": 1.0}, 0.01, seed)
        timing = measure(run, Budget(), Random(seed))
        assert timing.verdict == "unchanged", timing.guarded
        assert timing.guarded.low >= 1 / 1.03 and timing.guarded.high <= 1.03


def test_five_percent_is_decided_when_the_noise_allows_it() -> None:
    timing = measure(synthetic({"old": 1.0, "copy": 1.0, "new": 0.95}, 0.01), Budget(), Random(2))
    assert timing.verdict == "faster" and timing.stopped == "decided"
    assert timing.guarded.high < 1 / 1.03


def test_a_biased_a_a_comparison_refuses_any_claim() -> None:
    # The separately built copy of the old version measures 10 % slower than the old version:
    # the set-up is biased, so a 10 % "change" of the new version cannot be believed either.
    run = synthetic({"old": 1.0, "copy": 1.10, "new": 1.10}, 0.01)
    timing = measure(run, Budget(max_pairs=20), Random(3))
    assert timing.verdict == "inconclusive" and timing.aa_verdict == "slower"
    assert timing.refused is not None and timing.refused.startswith("no claim: the old version")
    assert timing.stopped == "pair-budget" and timing.blocks == 20


REFERENCE_NS = 600_000.0


def spelled(
    ns_per_call: dict[VersionName, float], whole: float, partial: float, seed: int = 1
) -> RunBench:
    """Processes as ``synthetic`` makes them (1 % noise), whose driver also times a reference:
    with probability ``whole`` the process runs in a slow spell (samples and reference 2x
    slow), with probability ``partial`` only its last sample does."""
    rng = Random(seed)

    def run(version: VersionName, argv: Sequence[str]) -> ProcessResult:
        if argv[1] == "0":
            lines: list[dict[str, float]] = calibration(ns_per_call[version])
        else:
            iterations, samples = int(argv[1]), int(argv[2])
            draw = rng.random()
            slow = [
                draw < whole or (draw < whole + partial and i == samples - 1)
                for i in range(samples)
            ]
            process = math.exp(rng.gauss(0.0, 0.01))
            lines = []
            for in_spell in slow:
                factor = 2.0 if in_spell else 1.0
                lines.append(
                    {
                        "ns": ns_per_call[version]
                        * iterations
                        * process
                        * factor
                        * math.exp(rng.gauss(0, 0.01)),
                        "ref_ns": REFERENCE_NS * factor * math.exp(rng.gauss(0, 0.03)),
                    }
                )
            lines.append({"peak_rss_kb": 1000, "cpu_ns": 1})
        stdout = "".join(json.dumps(line) + "\n" for line in lines)
        return ProcessResult(tuple(argv), 0, stdout, "", "exited", 0.001, 0.001)

    return run


def test_samples_in_slow_spells_are_set_aside_and_a_spelled_version_run_again() -> None:
    same: dict[VersionName, float] = {"old": 1.0, "copy": 1.0, "new": 1.0}
    timing = measure(spelled(same, whole=0.3, partial=0.2), Budget(), Random(0))
    assert timing.verdict == "unchanged", timing.guarded
    state = timing.state
    assert state is not None and state.fast
    assert state.limit == pytest.approx(1.4 * REFERENCE_NS, rel=0.1)
    # A process is run again only in its version's second slot of a block, after the first
    # took no sample in the core's usual state either. (In the first blocks, with few readings,
    # the usual state can still be the other one: judged from the third on.)
    assert timing.set_aside
    for again in (r for r in timing.set_aside if r.block > 2):
        assert again.off_state(state)
        same_slot = [r for r in timing.runs if (r.block, r.version) == (again.block, again.version)]
        assert len(same_slot) == 2 and same_slot[0].off_state(state)
    # A partial spell's slow sample is left out of its process's center.
    partly = [r for r in timing.runs if min(r.ns_per_pass) < 1.5 < max(r.ns_per_pass)]
    assert partly and all(r.center_within(state) < 1.1 for r in partly)
    # Every block the estimates use has a clear process of each version; blocks without one
    # are left out, and few are.
    used = timing.log_ratios("copy")
    assert all(abs(x) < 0.1 for x in used)
    assert len(used) <= timing.blocks <= len(used) + max(1, 0.1 * len(used))
    # The same processes with every sample kept: the spells swamp a 3 % band for 120 blocks,
    # many times what the spell rule needed.
    assert timing.blocks <= 30
    kept_all = measure(
        spelled(same, whole=0.3, partial=0.2), Budget(max_pairs=120, spell_factor=None), Random(0)
    )
    assert kept_all.verdict == "inconclusive" and not kept_all.set_aside
    assert kept_all.state is None
    assert max(abs(x) for x in kept_all.log_ratios("copy")) > 0.3


def test_a_two_fold_change_measures_two_fold_through_slow_spells() -> None:
    run = spelled({"old": 1.0, "copy": 1.0, "new": 2.0}, whole=0.3, partial=0.2, seed=4)
    timing = measure(run, Budget(), Random(4))
    # The first look comes at 7 usable blocks, however many spells left out.
    assert timing.verdict == "slower" and timing.looks == 1
    assert len(timing.log_ratios("new")) == 7 < timing.blocks  # here one was left out
    assert timing.interval_95.ratio == pytest.approx(2.0, rel=0.03)
    assert timing.median("new", "center") == pytest.approx(2.0, rel=0.03)  # ns per pass


def test_a_process_keeps_its_samples_in_the_state_or_else_all() -> None:
    run = ProcessRun("old", 1, (10.0, 20.0, 11.0), 1, 0, 0, 0.1, ref_ns=(5.0, 9.0, 5.5))
    fast, slow = CoreState(7.0, fast=True), CoreState(7.0, fast=False)
    assert run.center_within(fast) == 10.5  # the 20 ns sample's reference ran slow
    assert run.center_within(slow) == 20.0  # on a mostly slow core, the slow sample counts
    assert run.center_within(CoreState(4.0, fast=True)) == 11.0  # none in the state: all
    assert run.center_within(None) == run.center == 11.0
    assert run.off_state(CoreState(4.0, fast=True)) and not run.off_state(fast)
    assert not run.off_state(slow) and not run.off_state(None)
    bare = ProcessRun("old", 1, (10.0, 20.0, 11.0), 1, 0, 0, 0.1)
    assert bare.center_within(fast) == 11.0 and not bare.off_state(fast)


def test_the_state_is_the_side_of_the_limit_most_readings_fall_on() -> None:
    def process(*refs: float) -> ProcessRun:
        return ProcessRun("old", 1, (1.0,) * len(refs), 1, 0, 0, 0.1, ref_ns=refs)

    fast = [process(100.0 + i, 101.0, 102.0) for i in range(10)]
    freak = process(10.0, 200.0, 200.0)
    # One freak fast reading does not set the limit; the tenth percentile does.
    assert core_state([freak, *fast], 1.4) == CoreState(pytest.approx(1.4 * 101.0), fast=True)
    # A core slow most of the time: the slow readings are the state compared.
    slow = [process(200.0, 210.0, 205.0) for _ in range(5)]
    assert core_state([*fast[:2], *slow], 1.4) == CoreState(pytest.approx(1.4 * 101.0), fast=False)
    assert core_state([freak, *fast], None) is None
    assert core_state([ProcessRun("old", 1, (1.0,), 1, 0, 0, 0.1)], 1.4) is None


def test_a_core_slow_most_of_the_time_is_compared_in_its_slow_state() -> None:
    # 80 % of processes wholly in spells: the fast ones are the exception set aside.
    run = spelled({"old": 1.0, "copy": 1.0, "new": 1.5}, whole=0.8, partial=0.0, seed=2)
    timing = measure(run, Budget(), Random(2))
    assert timing.state is not None and not timing.state.fast
    assert timing.verdict == "slower" and timing.looks == 1
    assert timing.interval_95.ratio == pytest.approx(1.5, rel=0.03)
    assert timing.median("old", "center") == pytest.approx(2.0, rel=0.03)  # slow-state time


def test_a_reference_for_only_some_samples_is_ignored() -> None:
    same = synthetic({"old": 1.0, "copy": 1.0, "new": 1.0}, 0.01)

    def half_referenced(version: VersionName, argv: Sequence[str]) -> ProcessResult:
        result = same(version, argv)
        stdout = result.stdout.replace('{"ns"', '{"ref_ns": 5.0, "ns"', 1)
        return ProcessResult(tuple(argv), 0, stdout, "", "exited", 0.001, 0.001)

    timing = measure(half_referenced, Budget(), Random(0))
    assert all(run.ref_ns == () for run in timing.runs) and timing.state is None


VERSIONS: tuple[VersionName, ...] = ("old", "new", "copy")


def side_by_side(
    ns_per_call: dict[VersionName, float],
    spells: float,
    seed: int = 1,
    changed: str | None = None,
    seen: list[Sequence[str]] | None = None,
) -> RunPaired:
    """Processes of the ``paired`` mode: each sample of every version is slowed by the same
    lognormal factor (sd ``spells``: the core's speed while the versions took turns), plus 1 %
    noise of its own."""
    rng = Random(seed)

    def run(argv: Sequence[str]) -> ProcessResult:
        if seen is not None:
            seen.append(argv)
        samples, counts = int(argv[2]), [int(count) for count in argv[5:]]
        lines: list[dict[str, object]] = []
        for _ in range(samples):
            common = math.exp(rng.gauss(0.0, spells))
            for index, count in enumerate(counts):
                own = math.exp(rng.gauss(0.0, 0.01))
                ns = ns_per_call[VERSIONS[index]] * count * common * own
                lines.append({"v": index, "ns": ns})
        lines += [{"v": index, "iterations": count} for index, count in enumerate(counts)]
        if changed is not None:
            lines.append({"changed": changed})
        lines.append({"peak_rss_kb": 5000, "cpu_ns": 7})
        stdout = "".join(json.dumps(line) + "\n" for line in lines)
        return ProcessResult(tuple(argv), 0, stdout, "", "exited", 0.1, 0.1)

    return run


def test_side_by_side_a_two_fold_change_is_decided_at_the_first_look_through_spells() -> None:
    # Spells of sd 0.3 would swamp processes of their own; taken in turns, they cancel.
    seen: list[Sequence[str]] = []
    times: dict[VersionName, float] = {"old": 1.0, "copy": 1.0, "new": 2.0}
    timing = measure(
        synthetic(times, 0.3), Budget(), Random(0), side_by_side(times, 0.3, seen=seen)
    )
    assert timing.verdict == "slower" and timing.blocks == 7 and timing.looks == 1
    assert timing.interval_95.ratio == pytest.approx(2.0, rel=0.02)
    assert timing.together and len(timing.runs) == 21 and timing.separate_because is None
    # Each process is told the calibrated counts (old, new, copy) and a seed of its own.
    assert all(list(argv[4:]) == ["10", "1000", "1000", "1000"] for argv in seen)
    assert len({argv[1] for argv in seen}) == 7
    # Peak RSS is read from the processes that ran a version alone, not the shared ones.
    assert timing.median("old", "peak") == 900 and timing.median("new", "peak") == 900


def test_side_by_side_identical_versions_are_unchanged_through_spells() -> None:
    same: dict[VersionName, float] = {"old": 1.0, "copy": 1.0, "new": 1.0}
    for seed in range(3):
        timing = measure(
            synthetic(same, 0.3, seed), Budget(), Random(seed), side_by_side(same, 0.3, seed)
        )
        assert timing.verdict == "unchanged", timing.guarded


def test_a_version_that_changes_shared_state_is_timed_in_processes_of_its_own() -> None:
    times: dict[VersionName, float] = {"old": 1.0, "copy": 1.0, "new": 2.0}
    paired = side_by_side(times, 0.01, changed="builtins.sorted")
    timing = measure(synthetic(times, 0.01), Budget(), Random(0), paired)
    assert timing.verdict == "slower" and not timing.together
    assert timing.separate_because is not None and "builtins.sorted" in timing.separate_because
    assert {run.block for run in timing.runs} == set(range(1, timing.blocks + 1))
    assert len(timing.runs) == 6 * timing.blocks


def test_versions_failing_side_by_side_are_timed_apart_and_a_failure_there_is_theirs() -> None:
    # Three versions' memory at once, say: apart, each may run fine.
    times: dict[VersionName, float] = {"old": 1.0, "copy": 1.0, "new": 0.5}

    def killed(argv: Sequence[str]) -> ProcessResult:
        return ProcessResult(tuple(argv), -9, "", "", "exited", 0.1, 0.1)

    timing = measure(synthetic(times, 0.01), Budget(), Random(0), killed)
    assert timing.verdict == "faster" and not timing.together
    assert timing.separate_because is not None
    assert timing.separate_because.startswith("timed in separate processes: side by side")

    # Apart, a version that fails is named.
    fine = synthetic(times, 0.01)

    def new_crashes(version: VersionName, argv: Sequence[str]) -> ProcessResult:
        if version == "new" and argv[1] != "0":
            return ProcessResult(tuple(argv), -11, "", "", "exited", 0.1, 0.1)
        return fine(version, argv)

    with pytest.raises(TimingFailed) as failed:
        measure(new_crashes, Budget(), Random(0), killed)
    assert failed.value.version == "new" and failed.value.failure.kind == "crash"
