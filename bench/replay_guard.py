"""Replay saved comparisons under other decision rules, offline, on the same per-block data.

bench/aa_ab.py saves each comparison's per-block log-ratios (new/old and copy/old). This script
re-runs the sequential decision on them: at each planned look (and at the last block, where a
time budget stopped the run), the A/B and A/A intervals at that look's alpha-spending
confidence, combined by a guard rule, give a verdict; the first decisive look ends it.

Guard rules:
- ``linear`` (before 2026-12-06): the A/B interval divided by every bias the A/A interval
  allows, i.e. the two intervals' half-widths added.
- ``quadrature`` (``sandbox``'s ``widen`` now): the half-widths combined as the square root
  of the sum of their squares.
Alpha spending:
- ``Basel`` (before 2026-12-06): look k at confidence 1 - alpha * 6 / (pi^2 k^2).
- ``carried`` (``sandbox._stats.look_confidence`` now): the same shares, plus what earlier
  looks' exact intervals could not use.
Replaying the rules a run was made with (its saved ``method``) must give its saved verdict.

A rule that decides earlier can be judged on the saved data, since a run's blocks up to where
the saved rule stopped are all there; a rule that needs more blocks than were saved shows as
undecided. So this answers "would it decide sooner, and would it ever claim a change in an A/A
run?" for more liberal rules only.

    .venv/bin/python bench/replay_guard.py [--language L ...]
"""

from __future__ import annotations

import argparse
import json
import math
from collections.abc import Callable, Sequence
from typing import Any

from _common import RESULTS, save, table

from sandbox import _stats
from sandbox._measure import widen

Rule = Callable[[_stats.Estimate, _stats.Estimate], tuple[float, float]]
Spending = Callable[[Sequence[int]], float]


def linear(ab: _stats.Estimate, aa: _stats.Estimate) -> tuple[float, float]:
    low = ab.low / aa.high if aa.high > 0 else 0.0
    high = ab.high / aa.low if aa.low > 0 else math.inf
    return low, high


def quadrature(ab: _stats.Estimate, aa: _stats.Estimate) -> tuple[float, float]:
    widened = widen(ab, aa)
    return widened.low, widened.high


def basel(looks: Sequence[int]) -> float:
    return 1.0 - 0.05 * 6.0 / (math.pi**2 * len(looks) ** 2)


def carried(looks: Sequence[int]) -> float:
    return _stats.look_confidence(looks)


# The configurations compared: each a guard rule and an alpha spending.
CONFIGS: dict[str, tuple[Rule, Spending]] = {
    "linear, Basel": (linear, basel),
    "quadrature, Basel": (quadrature, basel),
    "quadrature, carried": (quadrature, carried),
}


def replay(
    ab: Sequence[float],
    aa: Sequence[float],
    rule: Rule,
    spending: Spending = carried,
    min_effect: float = 0.03,
) -> tuple[str, int]:
    """The verdict and the number of blocks it took (all of them when undecided)."""
    looks = _schedule(len(ab))
    for look, blocks in enumerate(looks, start=1):
        confidence = spending(looks[:look])
        ab_est = _stats.estimate(ab[:blocks], confidence)
        aa_est = _stats.estimate(aa[:blocks], confidence)
        if _stats.verdict(aa_est, min_effect) in ("faster", "slower"):
            continue  # the A/A guard refuses any claim at this look
        low, high = rule(ab_est, aa_est)
        widened = _stats.Estimate(ab_est.ratio, low, high, confidence, blocks, "replay")
        verdict = _stats.verdict(widened, min_effect)
        if verdict != "inconclusive":
            return verdict, blocks
    return "inconclusive", len(ab)


def _config_of(run: dict[str, Any]) -> tuple[Rule, Spending]:
    method = str(run.get("method"))
    rule = quadrature if "in quadrature" in method else linear
    return rule, carried if "carried forward" in method else basel


def _replayed(run: dict[str, Any], config: tuple[Rule, Spending]) -> tuple[str, int]:
    return replay(run["log_ratios"]["ab"], run["log_ratios"]["aa"], *config)


def _schedule(blocks: int) -> list[int]:
    looks = []
    for planned in _stats.look_schedule():
        if planned > blocks:
            break
        looks.append(planned)
    if not looks or looks[-1] != blocks:
        looks.append(blocks)  # the look the time budget forced
    return looks


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--language", action="append")
    args = parser.parse_args()
    paths = sorted(RESULTS.glob("aa_ab-*.json"))
    rows, records = [], []
    for path in paths:
        saved = json.loads(path.read_text())
        if args.language and saved["language"] not in args.language:
            continue
        for condition in saved["results"]:
            runs = [r for r in condition["results"] if r.get("log_ratios")]
            if not runs:
                continue
            expected = condition["expected"]
            row = [saved["language"], condition["condition"], str(len(runs))]
            summary: dict[str, object] = {
                "language": saved["language"],
                "condition": condition["condition"],
                "n": len(runs),
            }
            agree = sum(_replayed(r, _config_of(r))[0] == r["status"] for r in runs)
            row.append(f"{agree}/{len(runs)}")
            summary["replay_reproduces_saved"] = agree
            for name, config in CONFIGS.items():
                outcomes = [_replayed(r, config) for r in runs]
                right = sum(v == expected for v, _ in outcomes)
                claims = sum(v in ("faster", "slower") and v != expected for v, _ in outcomes)
                blocks = sorted(b for _, b in outcomes)
                row += [f"{right / len(runs):.0%}", str(claims), str(blocks[len(blocks) // 2])]
                summary[name] = {
                    "right": right,
                    "wrong_claims": claims,
                    "median_blocks": blocks[len(blocks) // 2],
                    "verdicts": [v for v, _ in outcomes],
                }
            rows.append(row)
            records.append(summary)
    headers = ["language", "condition", "n", "replay = saved"]
    for name in CONFIGS:
        headers += [f"{name}: right", "wrong claims", "median blocks"]
    print(table(headers, rows))
    path = save("replay_guard", {"configs": list(CONFIGS), "results": records})
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
