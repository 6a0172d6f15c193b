"""The measurement's decision logic on synthetic processes (each "process" reports the time a
version is given, with seeded noise), and the A/A widening on its own."""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from random import Random

import pytest

from sandbox import Budget, Estimate
from sandbox._measure import RunBench, VersionName, measure, widen
from sandbox._process import ProcessResult


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


def synthetic(ns_per_call: dict[VersionName, float], noise: float, seed: int = 1) -> RunBench:
    """Processes whose samples are each version's time times lognormal noise."""
    rng = Random(seed)

    def run(version: VersionName, argv: Sequence[str]) -> ProcessResult:
        if argv[1] == "0":  # calibration
            lines = [{"calibrated": 1000}]
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
