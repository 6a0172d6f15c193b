"""Statistics for old-vs-new timing: paired log-ratios -> estimate, interval, verdict.

The estimator is the Hodges-Lehmann location of the paired log-ratios log(new/old), with the
distribution-free interval that inverts the Wilcoxon signed-rank test (order statistics of the
sorted Walsh averages). It needs only symmetry of the log-ratios around the true shift, which
holds exactly for identical code (the two halves of a pair are exchangeable) and is a mild
assumption otherwise. Repeated looks are paid for by alpha spending (``look_confidence``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from fractions import Fraction
from functools import cache, lru_cache
from statistics import NormalDist
from typing import Literal, TypeAlias

import numpy as np
import numpy.typing as npt

Verdict = Literal["faster", "slower", "unchanged", "inconclusive"]
IntervalMethod = Literal["wilcoxon", "bootstrap"]

# Exact counts overflow int64 past n = 62. Above this the normal approximation is used: it errs
# conservative (the null has lighter tails) and at n = 60 picks an order statistic within 2 % of
# the exact one (checked in the tests).
EXACT_MAX_N = 60
_UNBOUNDED = (-math.inf, math.inf)
# Bootstrap works on (resample, Walsh average) blocks of at most this many floats (~16 MB).
_BOOTSTRAP_BLOCK = 2_000_000

FloatArray: TypeAlias = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Estimate:
    """A paired comparison's result in ratio terms: new_time / old_time (< 1 means faster)."""

    ratio: float
    low: float
    high: float
    confidence: float
    n: int
    method: str

    @property
    def speedup(self) -> float:
        """old_time / new_time: > 1 means the new version is faster."""
        return 1.0 / self.ratio

    @property
    def bounded(self) -> bool:
        """False when there were too few pairs for an interval at this confidence."""
        return math.isfinite(self.high) and math.isfinite(self.low) and self.low > 0.0


def _as_sample(x: Sequence[float], what: str = "log-ratios") -> FloatArray:
    arr = np.asarray(x, dtype=np.float64)
    if arr.ndim != 1 or arr.size == 0:
        raise ValueError(f"need a non-empty 1-D sequence of {what}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr)):
        raise ValueError(
            f"{what} contain NaN or infinity; drop failed or zero-time samples before estimating"
        )
    return arr


def _check_confidence(confidence: float) -> float:
    if not 0.0 < confidence < 1.0:
        raise ValueError(
            f"confidence must lie strictly between 0 and 1 (e.g. 0.99), got {confidence}"
        )
    return 1.0 - confidence


def _walsh_sorted(arr: FloatArray) -> FloatArray:
    """All pairwise means (x_i + x_j) / 2 with i <= j, sorted."""
    i, j = np.triu_indices(arr.size)
    walsh = (arr[i] + arr[j]) * 0.5
    walsh.sort()
    return walsh


def hodges_lehmann(x: Sequence[float]) -> float:
    """Median of the Walsh averages: the one-sample Hodges-Lehmann location estimate."""
    return float(np.median(_walsh_sorted(_as_sample(x))))


@cache
def signed_rank_counts(n: int) -> tuple[int, ...]:
    """counts[t] = number of the 2**n sign patterns whose Wilcoxon statistic T+ equals t.

    Dynamic programming over ranks: rank k either joins the positive set (shifting sums by k)
    or not.
    """
    if not 0 <= n <= 62:  # 2**n must fit int64
        raise ValueError(f"exact signed-rank counts are computed for 0 <= n <= 62, got {n}")
    counts: npt.NDArray[np.int64] = np.zeros(n * (n + 1) // 2 + 1, dtype=np.int64)
    counts[0] = 1
    for k in range(1, n + 1):
        counts[k:] += counts[:-k].copy()
    return tuple(int(c) for c in counts)


def signed_rank_critical_value(
    n: int, alpha: float, *, method: Literal["auto", "exact", "normal"] = "auto"
) -> int:
    """Largest t with P(T+ <= t) <= alpha / 2 under the null (two-sided level alpha); -1 if none.

    ``auto`` is exact for n <= EXACT_MAX_N and the continuity-corrected normal approximation
    above.
    """
    if n < 1:
        raise ValueError(f"need at least one pair, got n={n}")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1, got {alpha}")
    if method == "exact" or (method == "auto" and n <= EXACT_MAX_N):
        return _exact_critical(n, alpha)
    mean = n * (n + 1) / 4.0
    sd = math.sqrt(n * (n + 1) * (2 * n + 1) / 24.0)
    z = NormalDist().inv_cdf(1.0 - alpha / 2.0)
    # Phi((t + 0.5 - mean) / sd) <= alpha / 2  <=>  t <= mean - z * sd - 0.5
    return max(-1, math.floor(mean - z * sd - 0.5))


@lru_cache(maxsize=4096)
def _exact_critical(n: int, alpha: float) -> int:
    # Integer arithmetic: 2**60 exceeds float precision, and the cutoff must be exact.
    limit = Fraction(alpha) / 2 * 2**n
    cumulative = 0
    for t, count in enumerate(signed_rank_counts(n)):
        cumulative += count
        if cumulative > limit:
            return t - 1
    raise AssertionError("unreachable: the cumulative count reaches 2**n > limit")


def _interval_from_walsh(walsh: FloatArray, n: int, alpha: float) -> tuple[float, float]:
    t = signed_rank_critical_value(n, alpha)
    if t < 0:
        return _UNBOUNDED
    return float(walsh[t]), float(walsh[walsh.size - 1 - t])


def hl_interval(x: Sequence[float], confidence: float) -> tuple[float, float]:
    """Distribution-free interval for the HL location (inverted Wilcoxon signed-rank test).

    Returns (-inf, inf) when n is too small to reach ``confidence``.
    """
    alpha = _check_confidence(confidence)
    arr = _as_sample(x)
    return _interval_from_walsh(_walsh_sorted(arr), arr.size, alpha)


def bootstrap_interval(
    x: Sequence[float], confidence: float, *, resamples: int = 2000, seed: int = 0
) -> tuple[float, float]:
    """Percentile bootstrap interval of the HL estimate (deterministic for a given seed).

    An alternative to ``hl_interval``; it under-covers for small n, so n < 2 gives (-inf, inf).
    """
    alpha = _check_confidence(confidence)
    if resamples < 1:
        raise ValueError(f"resamples must be a positive count, got {resamples}")
    return _bootstrap(_as_sample(x), alpha, resamples, seed)


def _bootstrap(arr: FloatArray, alpha: float, resamples: int, seed: int) -> tuple[float, float]:
    n = arr.size
    if n < 2:
        return _UNBOUNDED
    rng = np.random.default_rng(seed)
    i, j = np.triu_indices(n)
    block = max(1, _BOOTSTRAP_BLOCK // i.size)
    estimates: FloatArray = np.empty(resamples, dtype=np.float64)
    for start in range(0, resamples, block):
        stop = min(resamples, start + block)
        sample = arr[rng.integers(0, n, size=(stop - start, n))]
        estimates[start:stop] = np.median((sample[:, i] + sample[:, j]) * 0.5, axis=1)
    low, high = np.quantile(estimates, [alpha / 2.0, 1.0 - alpha / 2.0])
    return float(low), float(high)


def _exp(value: float) -> float:
    # A log-ratio past float range means an effectively unbounded ratio, not an error.
    try:
        return math.exp(value)
    except OverflowError:
        return math.inf


def estimate(
    log_ratios: Sequence[float],
    confidence: float,
    *,
    interval: IntervalMethod = "wilcoxon",
    seed: int = 0,
) -> Estimate:
    """HL estimate of new/old with an interval at ``confidence``, back on the ratio scale.

    An unbounded interval comes back as low=0.0, high=inf (``Estimate.bounded`` is False).
    """
    alpha = _check_confidence(confidence)
    arr = _as_sample(log_ratios)
    walsh = _walsh_sorted(arr)
    location = float(np.median(walsh))
    if interval == "wilcoxon":
        low, high = _interval_from_walsh(walsh, arr.size, alpha)
        kind = "exact" if arr.size <= EXACT_MAX_N else "normal-approximation"
        method = f"Hodges-Lehmann of paired log-ratios, {kind} Wilcoxon interval"
    elif interval == "bootstrap":
        low, high = _bootstrap(arr, alpha, resamples=2000, seed=seed)
        method = "Hodges-Lehmann of paired log-ratios, percentile bootstrap interval"
    else:
        raise ValueError(f"interval must be 'wilcoxon' or 'bootstrap', got {interval!r}")
    return Estimate(
        ratio=_exp(location),
        low=_exp(low),
        high=_exp(high),
        confidence=confidence,
        n=int(arr.size),
        method=method,
    )


def verdict(est: Estimate, min_effect: float = 0.03) -> Verdict:
    """Classify against the band [1/(1+min_effect), 1+min_effect] using the whole interval."""
    if not (math.isfinite(min_effect) and min_effect >= 0.0):
        raise ValueError(
            f"min_effect must be a finite fraction >= 0 (0.03 = 3 %), got {min_effect}"
        )
    if not est.bounded:
        return "inconclusive"
    upper = 1.0 + min_effect
    lower = 1.0 / upper
    if est.high < lower:
        return "faster"
    if est.low > upper:
        return "slower"
    if lower <= est.low and est.high <= upper:
        return "unchanged"
    return "inconclusive"


def exact_level(n: int, alpha: float) -> float:
    """The two-sided level the signed-rank interval over ``n`` pairs really has when ``alpha``
    is asked for: the exact null distribution is discrete, so it is at most ``alpha`` and often
    well below (7 pairs reach 2/128 = 1.6 % when 3 % is allowed); 0 when ``n`` is too small for
    any interval. Past EXACT_MAX_N the normal approximation is used and ``alpha`` is assumed.
    """
    if n > EXACT_MAX_N:
        return alpha
    t = signed_rank_critical_value(n, alpha)
    if t < 0:
        return 0.0
    return 2.0 * sum(signed_rank_counts(n)[: t + 1]) / 2.0**n


def look_confidence(pairs_at_looks: Sequence[int], alpha: float = 0.05) -> float:
    """Confidence for the latest look, given the pairs at every look so far (oldest first), so
    that all looks together spend at most ``alpha``.

    Look k is allowed alpha * 6 / (pi^2 k^2) (the Basel series sums to alpha) plus whatever the
    looks before it were allowed but could not spend (``exact_level``). The sum of the levels
    really spent stays within alpha, so a union bound covers any number of looks and any
    data-dependent stopping rule; carrying the unspent part forward only makes later looks
    less strict than allotting each look its share alone.
    """
    if not pairs_at_looks:
        raise ValueError("need the pairs at one look at least, got none")
    if not 0.0 < alpha < 1.0:
        raise ValueError(f"alpha must lie strictly between 0 and 1 (e.g. 0.05), got {alpha}")
    carried = 0.0
    confidence = 1.0
    for look, pairs in enumerate(pairs_at_looks, start=1):
        if pairs < 1:
            raise ValueError(f"each look needs at least one pair, got {list(pairs_at_looks)}")
        allowed = alpha * 6.0 / (math.pi**2 * look**2) + carried
        confidence = 1.0 - allowed
        # The level asked of the estimate is 1 - confidence: spend exactly what it will use.
        carried = allowed - exact_level(pairs, 1.0 - confidence)
    return confidence


def look_schedule(min_pairs: int = 7, growth: float = 1.35) -> Iterator[int]:
    """Pair counts at which to look: min_pairs, then ceil(min_pairs * growth**k), strictly rising.

    Endless; the caller stops at its budget. Looks grow only logarithmically with the pairs.
    """
    if min_pairs < 1:
        raise ValueError(f"min_pairs must be at least 1, got {min_pairs}")
    if not (math.isfinite(growth) and growth > 1.0):
        raise ValueError(f"growth must be a finite factor > 1 (e.g. 1.35), got {growth}")
    previous = 0
    target = float(min_pairs)
    while True:
        # Round before ceil so float noise (e.g. 49.0000000001) does not add a pair.
        current = max(previous + 1, math.ceil(round(target, 9)))
        yield current
        previous = current
        target *= growth
