"""Does a Java comparison time compiled code? Comparisons against settled reference ratios.

The JVM's JIT compiles a hot method first with C1, then with C2. For big methods (TimSort's,
behind a comparator sort) C2 can take a second or more, and C1's code meanwhile runs at a
plateau several times slower, steady enough for warm-up rounds to agree. A comparison timed on
that plateau claims the wrong speedup. For each kernel pair here, the reference ratio comes
from processes warmed up for ``--settle`` seconds (old and new alternated); the comparisons
then run as ``perforch bench`` runs them (fresh JVMs in palindromic blocks, default budget),
and the table shows whether their 95 % intervals cover the reference and how long they took.

``--against REV`` also runs every comparison with the Java driver of git revision REV, the
two drivers alternated in one run, so a change to the driver's warm-up is measured side by
side with what it replaced.

    .venv/bin/python bench/java_warmup.py [--comparisons N] [--against REV]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from dataclasses import replace
from pathlib import Path
from random import Random
from typing import Any

from _common import ROOT, save, table

from sandbox import RUN_LIMITS, Budget, Executor
from sandbox._executor import Built
from sandbox._measure import measure
from sandbox._process import ProcessResult, run_process
from sandbox._processes import VersionName, records
from sandbox.languages import java
from sandbox.languages._protocol import Program
from tests.sandbox.languages._java_support import COMPARATOR_SORT, SORT_INPUTS
from tests.support.sandbox import make_executor, per_pass_ns

DRIVER = "sandbox/languages/drivers/java_driver.java"
PRIMITIVE_SORT = """import java.util.*;

class Work {
    static long run(int[] data) {
        int[] copy = data.clone();
        Arrays.sort(copy);
        long h = 0;
        for (int x : copy) h = h * 31 + x;
        return h;
    }
}
"""
# The same work with the comparator reversed and read back to front: the reference is ~1.
REVERSED_SORT = COMPARATOR_SORT.replace("Integer.compare(a, b)", "Integer.compare(b, a)").replace(
    "for (int x : boxed) h = h * 31 + x;",
    "for (int i = boxed.length - 1; i >= 0; i--) h = h * 31 + boxed[i];",
)
PAIRS = {
    "boxed -> primitive sort": (COMPARATOR_SORT, PRIMITIVE_SORT),
    "boxed sort, reversed": (COMPARATOR_SORT, REVERSED_SORT),
}


def driver_at(revision: str) -> str:
    result = run_process(
        ["git", "show", f"{revision}:{DRIVER}"], timeout=60, cwd=ROOT, env={"PATH": "/usr/bin:/bin"}
    )
    if not result.ok:
        raise SystemExit(f"cannot read {DRIVER} at {revision}: {result.stderr.strip()}")
    return result.stdout


def with_driver(program: Program, driver: str | None) -> Program:
    """``program`` with its PerforchDriver.java replaced (the kernels declare no package)."""
    if driver is None:
        return program
    return replace(program, files={**program.files, "PerforchDriver.java": driver})


def settled_ratio(executor: Executor, built: dict[str, Built], seconds: float) -> dict[str, Any]:
    """new/old per pass after ``seconds`` of warm-up, three processes each, alternated."""
    calibration = records(executor.run(built["old"], ["bench", "0", "1", "0"], RUN_LIMITS).stdout)
    count = str(calibration[0]["calibrated"])
    centers: dict[str, list[float]] = {"old": [], "new": []}
    for _round in range(3):
        for version in ("old", "new"):
            args = ["bench", count, "5", str(int(seconds * 1000))]
            found = records(executor.run(built[version], args, RUN_LIMITS).stdout)
            centers[version].append(statistics.median(per_pass_ns(found)))
    ratio = statistics.median(centers["new"]) / statistics.median(centers["old"])
    return {"ratio": ratio, "old_ns": centers["old"], "new_ns": centers["new"]}


def compare_once(executor: Executor, built: dict[str, Built], seed: int) -> dict[str, Any]:
    def run(version: VersionName, args: Any) -> ProcessResult:
        return executor.run(built["old" if version == "copy" else version], args, RUN_LIMITS)

    timing = measure(run, Budget(max_seconds=120.0), Random(seed))
    ci = timing.interval_95
    return {
        "verdict": timing.verdict,
        "ratio": ci.ratio,
        "low": ci.low,
        "high": ci.high,
        "seconds": timing.seconds,
        "old_ns": timing.median("old", "center"),
        "new_ns": timing.median("new", "center"),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--comparisons", type=int, default=3, help="per pair and driver")
    parser.add_argument("--settle", type=float, default=4.0, help="reference warm-up, seconds")
    parser.add_argument("--against", help="a git revision whose Java driver to compare with")
    options = parser.parse_args()
    drivers: dict[str, str | None] = {"this": None}
    if options.against:
        drivers[options.against] = driver_at(options.against)
    executor = make_executor(Path(tempfile.mkdtemp(prefix="perforch-java-warmup-")))
    support = executor.support
    results: list[dict[str, Any]] = []
    rows: list[list[str]] = []
    for pair, (old, new) in PAIRS.items():
        built = {
            (name, version): executor.build(
                with_driver(java.driver_program(source, "Work.run", SORT_INPUTS, support), driver)
            )
            for name, driver in drivers.items()
            for version, source in (("old", old), ("new", new))
        }
        for key, item in built.items():
            if not item.ok:
                raise SystemExit(f"{pair} {key} did not build: {item.failure}")
        reference = settled_ratio(
            executor, {"old": built["this", "old"], "new": built["this", "new"]}, options.settle
        )
        runs: dict[str, list[dict[str, Any]]] = {name: [] for name in drivers}
        for seed in range(options.comparisons):
            for name in drivers:  # alternated, so both drivers meet the same machine
                pair_built = {v: built[name, v] for v in ("old", "new")}
                runs[name].append(compare_once(executor, pair_built, seed))
        for name, found in runs.items():
            covered = sum(r["low"] <= reference["ratio"] <= r["high"] for r in found)
            rows.append(
                [
                    pair,
                    name,
                    f"{reference['ratio']:.3f}",
                    " ".join(f"{r['ratio']:.3f}" for r in found),
                    f"{covered}/{len(found)}",
                    f"{statistics.median(r['old_ns'] for r in found) / 1e3:.0f}",
                    f"{statistics.median(reference['old_ns']) / 1e3:.0f}",
                    f"{statistics.median(r['seconds'] for r in found):.1f}",
                ]
            )
            results.append({"pair": pair, "driver": name, "reference": reference, "runs": found})
    headers = ["pair", "driver", "settled new/old", "compared new/old", "95% covers",
               "old us/pass", "settled old us", "median s"]  # fmt: skip
    print(table(headers, rows))
    path = save("java_warmup", {"settle_seconds": options.settle, "results": results})
    print(f"saved {path}")


if __name__ == "__main__":
    main()
