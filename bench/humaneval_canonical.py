"""Benchmark 1: wall time to build and test all HumanEval-X canonical solutions, per language.

Starts from an empty build cache (language dependencies from `perforch setup` are reused),
then runs again on the warm cache. Target: all 820 programs in <= 3 min on 2 cores.

    .venv/bin/python bench/humaneval_canonical.py [--data DIR] [--jobs 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from _common import ROOT, save, table

from sandbox import RUN_LIMITS
from sandbox.humaneval_x import ASSEMBLERS, load_problems
from sandbox.humaneval_x._evaluate import evaluate
from tests.support.sandbox import make_executor


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared/data/humaneval-x")
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--language", action="append", choices=sorted(ASSEMBLERS))
    args = parser.parse_args()
    languages = args.language or list(ASSEMBLERS)
    rows, records = [], []
    with tempfile.TemporaryDirectory(prefix="perforch-bench-") as cache:
        for phase in ("cold", "warm"):
            executor = make_executor(Path(cache))
            total = 0.0
            for language in languages:
                problems = load_problems(args.data, language)
                result = evaluate(problems, executor, RUN_LIMITS, workers=args.jobs)
                total += result.seconds
                failures = [
                    f"{r.task_id}: {r.failure.kind if r.failure else '?'}" for r in result.failed
                ]
                records.append(
                    {
                        "phase": phase,
                        "language": language,
                        "passed": result.passed,
                        "total": len(problems),
                        "seconds": round(result.seconds, 2),
                        "failures": failures,
                    }
                )
                rows.append(
                    [phase, language, f"{result.passed}/{len(problems)}", f"{result.seconds:.1f}"]
                )
            rows.append([phase, "ALL", "", f"{total:.1f}"])
            records.append({"phase": phase, "language": "ALL", "seconds": round(total, 2)})
    print(table(["cache", "language", "passed", "seconds"], rows))
    path = save(
        "humaneval_canonical",
        {"jobs": args.jobs, "target_seconds": 180, "results": records, "when": time.time()},
    )
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
