"""Replay saved comparisons under other A/A-guard rules, offline, on the same per-block data.

bench/aa_ab.py saves each comparison's per-block log-ratios (new/old and copy/old). This script
re-runs the sequential decision on them: at each planned look (and at the last block, where a
time budget stopped the run), the A/B and A/A intervals at that look's alpha-spending
confidence, combined by a rule, give a verdict; the first decisive look ends the comparison.

- ``linear`` (the rule before 2026-12-06): the A/B interval divided by every bias the A/A
  interval allows, i.e. the two intervals' half-widths added.
- ``quadrature`` (``sandbox``'s ``widen`` now): the half-widths combined as the square root
  of the sum of their squares.
Replaying the rule a run was made with (its saved ``method``) must give its saved verdict.

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


def linear(ab: _stats.Estimate, aa: _stats.Estimate) -> tuple[float, float]:
    low = ab.low / aa.high if aa.high > 0 else 0.0
    high = ab.high / aa.low if aa.low > 0 else math.inf
    return low, high


def quadrature(ab: _stats.Estimate, aa: _stats.Estimate) -> tuple[float, float]:
    widened = widen(ab, aa)
    return widened.low, widened.high


RULES: dict[str, Rule] = {"linear": linear, "quadrature": quadrature}


def replay(
    ab: Sequence[float], aa: Sequence[float], rule: Rule, min_effect: float = 0.03
) -> tuple[str, int]:
    """The verdict and the number of blocks it took (all of them when undecided)."""
    for look, blocks in enumerate(_schedule(len(ab)), start=1):
        confidence = _stats.look_confidence(look)
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


def _rule_of(run: dict[str, Any]) -> Rule:
    return quadrature if "in quadrature" in str(run.get("method")) else linear


def _replayed(run: dict[str, Any], rule: Rule) -> tuple[str, int]:
    return replay(run["log_ratios"]["ab"], run["log_ratios"]["aa"], rule)


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
            agree = sum(_replayed(r, _rule_of(r))[0] == r["status"] for r in runs)
            row.append(f"{agree}/{len(runs)}")
            summary["replay_reproduces_saved"] = agree
            for name, rule in RULES.items():
                outcomes = [_replayed(r, rule) for r in runs]
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
    for name in RULES:
        headers += [f"{name} right", f"{name} wrong claims", f"{name} median blocks"]
    print(table(headers, rows))
    path = save("replay_guard", {"rules": list(RULES), "results": records})
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
