"""Tests for sandbox._stats: hand-computed cases, published tables, brute force, simulation."""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable
from statistics import median

import numpy as np
import pytest

from sandbox._stats import (
    EXACT_MAX_N,
    Estimate,
    bootstrap_interval,
    estimate,
    exact_level,
    hl_interval,
    hodges_lehmann,
    look_confidence,
    look_schedule,
    signed_rank_counts,
    signed_rank_critical_value,
    verdict,
)

Noise = Callable[[np.random.Generator, tuple[int, ...]], np.ndarray]

# Symmetric noise families, each with scale ~0.05 in log-ratio units.
NOISES: dict[str, Noise] = {
    "normal": lambda rng, shape: rng.normal(0.0, 0.05, shape),
    "laplace": lambda rng, shape: rng.laplace(0.0, 0.05, shape),
    "t3": lambda rng, shape: 0.05 * rng.standard_t(3, shape),
}


def walsh_sorted_bruteforce(x: list[float]) -> list[float]:
    return sorted((x[i] + x[j]) / 2 for i in range(len(x)) for j in range(i, len(x)))


def exact_two_sided_level(n: int, t: int) -> float:
    """Achieved coverage 1 - 2 P(T+ <= t) of the interval cut at critical value t."""
    counts = signed_rank_counts(n)
    return 1.0 - 2.0 * sum(counts[: t + 1]) / float(2**n)


# --- Hodges-Lehmann --------------------------------------------------------------------------


def test_hodges_lehmann_hand_computed() -> None:
    # Walsh averages of [1, 2, 9]: 1, 1.5, 5, 2, 5.5, 9 -> sorted 1, 1.5, 2, 5, 5.5, 9.
    assert hodges_lehmann([1.0, 2.0, 9.0]) == pytest.approx(3.5)
    # [0, 1] -> 0, 0.5, 1 -> 0.5; a single value is its own estimate.
    assert hodges_lehmann([0.0, 1.0]) == pytest.approx(0.5)
    assert hodges_lehmann([3.0]) == pytest.approx(3.0)


def test_hodges_lehmann_matches_bruteforce_and_resists_an_outlier() -> None:
    rng = np.random.default_rng(1)
    x = rng.normal(0.1, 0.02, 25).tolist()
    assert hodges_lehmann(x) == pytest.approx(median(walsh_sorted_bruteforce(x)))
    # One wild sample (e.g. a GC pause) moves the mean a lot and HL barely.
    spoiled = [*x[:-1], 5.0]
    assert abs(hodges_lehmann(spoiled) - hodges_lehmann(x)) < 0.01
    assert abs(float(np.mean(spoiled)) - float(np.mean(x))) > 0.15


# --- the signed-rank distribution ------------------------------------------------------------


@pytest.mark.parametrize("n", range(1, 11))
def test_exact_counts_match_bruteforce_enumeration(n: int) -> None:
    expected = [0] * (n * (n + 1) // 2 + 1)
    for signs in itertools.product((0, 1), repeat=n):
        expected[sum(rank for rank, s in zip(range(1, n + 1), signs, strict=True) if s)] += 1
    assert list(signed_rank_counts(n)) == expected


def test_exact_counts_at_largest_exact_n_are_a_symmetric_distribution() -> None:
    counts = signed_rank_counts(EXACT_MAX_N)
    assert sum(counts) == 2**EXACT_MAX_N
    assert counts == counts[::-1]


# Published two-sided critical values of Wilcoxon's T (largest T with P(T <= T_crit) <= alpha/2).
TABLE_005 = {6: 0, 7: 2, 8: 3, 9: 5, 10: 8, 11: 10, 12: 13, 13: 17, 14: 21, 15: 25, 20: 52}
TABLE_001 = {8: 0, 9: 1, 10: 3, 11: 5, 12: 7, 13: 9, 14: 12, 15: 15, 20: 37, 25: 68, 30: 109}


@pytest.mark.parametrize(("alpha", "table"), [(0.05, TABLE_005), (0.01, TABLE_001)])
def test_critical_values_match_published_tables(alpha: float, table: dict[int, int]) -> None:
    assert {n: signed_rank_critical_value(n, alpha) for n in table} == table


def test_too_few_pairs_has_no_critical_value() -> None:
    assert signed_rank_critical_value(5, 0.05) == -1  # 2 / 32 > 0.05
    assert signed_rank_critical_value(7, 0.01) == -1


@pytest.mark.parametrize("alpha", [0.05, 0.01, 0.001])
def test_normal_approximation_close_to_exact_at_60(alpha: float) -> None:
    exact = signed_rank_critical_value(60, alpha, method="exact")
    normal = signed_rank_critical_value(60, alpha, method="normal")
    # The true null has lighter tails than the normal, so the approximation errs conservative...
    assert normal <= exact
    # ...by under 2 % of the order statistics, keeping most of the nominal error budget.
    assert exact - normal <= 0.02 * exact
    spent = 1.0 - exact_two_sided_level(60, normal)
    assert 0.7 * alpha <= spent <= alpha


def test_auto_method_switches_to_normal_above_exact_range() -> None:
    assert signed_rank_critical_value(61, 0.01) == signed_rank_critical_value(
        61, 0.01, method="normal"
    )
    assert signed_rank_critical_value(60, 0.01) == signed_rank_critical_value(
        60, 0.01, method="exact"
    )
    rng = np.random.default_rng(2)
    assert "exact" in estimate(rng.normal(0, 0.02, 60).tolist(), 0.99).method
    assert "normal-approximation" in estimate(rng.normal(0, 0.02, 61).tolist(), 0.99).method


# --- the interval ----------------------------------------------------------------------------


def test_hl_interval_n6_at_95_is_min_to_max_walsh_average() -> None:
    x = [0.3, -1.2, 0.8, 2.5, -0.1, 1.1]
    walsh = walsh_sorted_bruteforce(x)
    assert hl_interval(x, 0.95) == pytest.approx((walsh[0], walsh[-1]))
    # 99 % needs P(T+ = 0) = 1/64 <= 0.005: impossible at n = 6.
    assert hl_interval(x, 0.99) == (-math.inf, math.inf)
    assert hl_interval(x[:5], 0.95) == (-math.inf, math.inf)


def test_hl_interval_n10_at_95_uses_ninth_order_statistic() -> None:
    x = [0.12, -0.05, 0.33, 0.08, 0.19, -0.21, 0.27, 0.04, 0.15, 0.41]
    walsh = walsh_sorted_bruteforce(x)  # 55 averages; T_crit = 8 -> 9th from each end
    low, high = hl_interval(x, 0.95)
    assert (low, high) == pytest.approx((walsh[8], walsh[55 - 9]))
    assert low < hodges_lehmann(x) < high


def test_interval_narrows_with_more_pairs_and_widens_with_confidence() -> None:
    rng = np.random.default_rng(3)
    x = rng.normal(0.0, 0.05, 200)
    width = {n: np.subtract(*hl_interval(x[:n].tolist(), 0.99)[::-1]) for n in (20, 50, 200)}
    assert width[20] > width[50] > width[200]
    narrow = hl_interval(x[:50].tolist(), 0.9)
    wide = hl_interval(x[:50].tolist(), 0.999)
    assert wide[0] < narrow[0] and narrow[1] < wide[1]


SIMULATIONS = 2000


@pytest.mark.parametrize("n", [10, 30])
@pytest.mark.parametrize("noise", sorted(NOISES))
def test_interval_coverage_for_symmetric_noise(noise: str, n: int) -> None:
    shift = 0.1
    rng = np.random.default_rng(100 + n)
    data = shift + NOISES[noise](rng, (SIMULATIONS, n))
    covered = 0
    for row in data:
        low, high = hl_interval(row.tolist(), 0.95)
        covered += low <= shift <= high
    coverage = covered / SIMULATIONS
    # For continuous symmetric noise the coverage is exactly the level the order statistic
    # achieves (at least 0.95 by construction); allow 3 binomial standard errors of sampling.
    achieved = exact_two_sided_level(n, signed_rank_critical_value(n, 0.05))
    assert achieved >= 0.95
    se = math.sqrt(achieved * (1 - achieved) / SIMULATIONS)
    assert abs(coverage - achieved) <= 3 * se, (noise, n, coverage, achieved)


def test_bootstrap_interval_is_deterministic_and_agrees_with_wilcoxon_at_large_n() -> None:
    rng = np.random.default_rng(4)
    x = rng.laplace(0.05, 0.03, 60).tolist()
    boot = bootstrap_interval(x, 0.95, resamples=1000, seed=7)
    assert boot == bootstrap_interval(x, 0.95, resamples=1000, seed=7)
    assert boot != bootstrap_interval(x, 0.95, resamples=1000, seed=8)
    assert boot[0] < hodges_lehmann(x) < boot[1]
    exact = hl_interval(x, 0.95)
    assert (boot[1] - boot[0]) == pytest.approx(exact[1] - exact[0], rel=0.35)
    assert bootstrap_interval([0.1], 0.95) == (-math.inf, math.inf)


# --- estimate and verdict --------------------------------------------------------------------


def test_estimate_reports_ratio_scale_results() -> None:
    rng = np.random.default_rng(5)
    logs = (math.log(0.5) + rng.normal(0.0, 0.02, 30)).tolist()
    est = estimate(logs, 0.99)
    low, high = hl_interval(logs, 0.99)
    assert est.ratio == pytest.approx(math.exp(hodges_lehmann(logs)))
    assert (est.low, est.high) == pytest.approx((math.exp(low), math.exp(high)))
    assert est.low < 0.5 < est.high
    assert est.speedup == pytest.approx(1 / est.ratio)
    assert (est.n, est.confidence, est.bounded) == (30, 0.99, True)
    assert est.method == "Hodges-Lehmann of paired log-ratios, exact Wilcoxon interval"
    assert verdict(est) == "faster"
    boot = estimate(logs, 0.99, interval="bootstrap")
    assert "bootstrap" in boot.method and boot.ratio == est.ratio
    assert boot.low < boot.ratio < boot.high


def test_estimate_too_few_pairs_is_unbounded_and_inconclusive() -> None:
    est = estimate([-0.7, -0.69, -0.71, -0.7, -0.72], 0.95)
    assert (est.low, est.high, est.bounded) == (0.0, math.inf, False)
    assert verdict(est) == "inconclusive"


@pytest.mark.parametrize(
    ("bad", "message"),
    [([], "non-empty"), ([0.1, math.nan], "NaN"), ([0.1, math.inf], "infinity")],
)
def test_estimate_rejects_bad_samples(bad: list[float], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        estimate(bad, 0.95)


@pytest.mark.parametrize("confidence", [0.0, 1.0, 95.0, -0.5])
def test_bad_confidence_is_rejected(confidence: float) -> None:
    with pytest.raises(ValueError, match="confidence"):
        hl_interval([0.1, 0.2, 0.3], confidence)


def make(low: float, high: float) -> Estimate:
    return Estimate(math.sqrt(low * high), low, high, 0.99, 30, "test")


LOWER, UPPER = 1 / 1.03, 1.03


@pytest.mark.parametrize(
    ("low", "high", "expected"),
    [
        (0.40, 0.60, "faster"),
        (0.90, LOWER * 0.9999, "faster"),
        (0.90, LOWER, "inconclusive"),  # touching the band is not clearing it
        (1.50, 2.10, "slower"),
        (UPPER * 1.0001, 1.2, "slower"),
        (UPPER, 1.2, "inconclusive"),
        (0.99, 1.01, "unchanged"),
        (LOWER, UPPER, "unchanged"),  # the band is closed
        (0.98, 0.995, "unchanged"),  # faster but by less than the minimum effect
        (0.95, 0.99, "inconclusive"),  # might be a real 4 % win: never call it unchanged
        (0.99, 1.05, "inconclusive"),
        (0.50, 2.00, "inconclusive"),
        (0.0, math.inf, "inconclusive"),
        (0.5, math.inf, "inconclusive"),
    ],
)
def test_verdict_band_logic(low: float, high: float, expected: str) -> None:
    assert verdict(make(low, high)) == expected


def test_verdict_min_effect_changes_the_band() -> None:
    est = make(0.93, 0.96)
    assert verdict(est, 0.03) == "faster"
    assert verdict(est, 0.10) == "unchanged"
    assert verdict(make(1.0, 1.0), 0.0) == "unchanged"
    with pytest.raises(ValueError, match="min_effect"):
        verdict(est, -0.01)


# --- looks -----------------------------------------------------------------------------------


def test_exact_level_is_the_discrete_level_the_interval_really_has() -> None:
    # 7 pairs: the widest bounded interval drops one Walsh average each side, 2/128 in all.
    assert exact_level(7, 0.0304) == pytest.approx(2 / 128)
    assert exact_level(6, 0.0304) == 0.0  # 2/64 > 0.0304: no interval at all
    assert exact_level(6, 1 / 32) == pytest.approx(1 / 32)
    assert exact_level(100, 0.01) == 0.01  # normal approximation: the level asked for
    for n in (5, 9, 14, 30, 60):
        for alpha in (0.001, 0.01, 0.03, 0.05):
            level = exact_level(n, alpha)
            assert 0.0 <= level <= alpha
            # and it is the level of the interval estimate() builds: its ends are Walsh
            # averages that many positions in from each end
            t = signed_rank_critical_value(n, alpha)
            assert level == pytest.approx(2 * sum(signed_rank_counts(n)[: t + 1]) / 2**n)


def spent(looks: list[int], alpha: float = 0.05) -> float:
    """Sum of the levels really used at these looks."""
    return math.fsum(
        exact_level(pairs, 1.0 - look_confidence(looks[: k + 1], alpha))
        for k, pairs in enumerate(looks)
    )


def test_look_confidence_spends_at_most_alpha_and_carries_what_a_look_could_not_use() -> None:
    looks = list(itertools.islice(look_schedule(), 40))  # 7 ... past the exact range
    assert spent(looks) <= 0.05
    # and all these looks' shares: what early looks could not use is spent by the later ones
    # (past EXACT_MAX_N the normal approximation uses its whole allowance)
    shares = math.fsum(0.05 * 6 / (math.pi**2 * k**2) for k in range(1, 41))
    assert spent(looks) == pytest.approx(shares, rel=1e-9)
    assert spent(list(range(1, 200))) <= 0.05
    first = 0.05 * 6 / math.pi**2
    assert look_confidence([7]) == pytest.approx(1 - first)
    # 7 pairs could only use 2/128 of the first look's share: the rest goes to the second.
    assert look_confidence([7, 10]) == pytest.approx(1 - (first / 4 + first - 2 / 128))
    assert look_confidence([2, 3], alpha=0.01) == pytest.approx(1 - 0.01 * 6 / math.pi**2 * 1.25)
    # never stricter than giving each look its Basel share alone
    for k in range(1, 40):
        assert 1 - look_confidence(looks[:k]) >= 0.05 * 6 / (math.pi**2 * k**2) - 1e-15
    with pytest.raises(ValueError, match="one look"):
        look_confidence([])
    with pytest.raises(ValueError, match="at least one pair"):
        look_confidence([7, 0])
    with pytest.raises(ValueError, match="alpha"):
        look_confidence([7], alpha=1.5)


def test_look_schedule_is_strictly_increasing_and_geometric() -> None:
    looks = list(itertools.takewhile(lambda p: p <= 1_000_000, look_schedule()))
    assert looks[:5] == [7, 10, 13, 18, 24]
    assert all(b > a for a, b in itertools.pairwise(looks))
    assert len(looks) <= math.log(1_000_000 / 7) / math.log(1.35) + 2
    assert looks[-1] / looks[-2] == pytest.approx(1.35, rel=0.01)
    slow = list(itertools.islice(look_schedule(3, 1.01), 20))
    assert slow[:3] == [3, 4, 5]  # rounding never repeats a count
    assert all(b > a for a, b in itertools.pairwise(slow))
    with pytest.raises(ValueError, match="growth"):
        next(look_schedule(6, 1.0))
    with pytest.raises(ValueError, match="min_pairs"):
        next(look_schedule(0))


# --- the sequential procedure the scheduler runs ---------------------------------------------

MAX_PAIRS = 200


def run_sequential(log_ratios: np.ndarray) -> tuple[str, int]:
    """Look per the schedule until a decisive verdict or the pair budget runs out."""
    looks: list[int] = []
    for pairs in look_schedule():
        if pairs > log_ratios.size:
            return "inconclusive", log_ratios.size
        looks.append(pairs)
        decided = verdict(estimate(log_ratios[:pairs].tolist(), look_confidence(looks)))
        if decided != "inconclusive":
            return decided, pairs
    raise AssertionError("unreachable: the schedule is endless")


def test_sequential_aa_rarely_claims_a_change() -> None:
    rng = np.random.default_rng(6)
    runs = 2000
    outcomes = [run_sequential(row)[0] for row in rng.normal(0.0, 0.02, (runs, MAX_PAIRS))]
    false_claims = sum(o in ("faster", "slower") for o in outcomes)
    assert false_claims / runs <= 0.005
    # It must also reach the right answer, not just stay quiet.
    assert outcomes.count("unchanged") / runs >= 0.99


@pytest.mark.parametrize(("true_ratio", "expected"), [(0.5, "faster"), (1.05, "slower")])
def test_sequential_detects_real_changes_in_the_right_direction(
    true_ratio: float, expected: str
) -> None:
    rng = np.random.default_rng(7)
    runs = 300
    data = math.log(true_ratio) + rng.laplace(0.0, 0.02 / math.sqrt(2), (runs, MAX_PAIRS))
    results = [run_sequential(row) for row in data]
    assert sum(v == expected for v, _ in results) / runs >= 0.95
    opposite = "slower" if expected == "faster" else "faster"
    assert not any(v == opposite for v, _ in results)
    if true_ratio == 0.5:  # a 2x change is decided at the first look that can be bounded
        assert {pairs for _, pairs in results} == {7}  # the first look decides a 2x change


def test_alpha_spending_bounds_miscoverage_across_all_looks() -> None:
    # Ignore verdicts and look at every scheduled point: the chance that ANY look's interval
    # misses the truth must stay below alpha, whatever the stopping rule does with them.
    rng = np.random.default_rng(8)
    runs, shift = 600, 0.02
    data = shift + rng.standard_t(3, (runs, MAX_PAIRS)) * 0.02
    looks = list(itertools.takewhile(lambda p: p <= MAX_PAIRS, look_schedule()))
    missed = 0
    for row in data:
        for look, pairs in enumerate(looks, start=1):
            low, high = hl_interval(row[:pairs].tolist(), look_confidence(looks[:look]))
            if not low <= shift <= high:
                missed += 1
                break
    assert missed / runs <= 0.05
