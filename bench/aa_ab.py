"""Benchmarks 2-5: A/A and A/B comparisons, the default budget's time per pair, and a naive
design (all old, then all new, min of N) run in the same job for contrast.

Versions of one kernel per language do 1x, 2x, 1.2x and 1.05x the work of the original; the A/A
pair is the same source built separately. Each comparison is a full `sandbox.compare` (correctness
check, then the sequential interleaved measurement with its A/A guard) under the default budget.

    .venv/bin/python bench/aa_ab.py [--language L ...] [--aa 100] [--ab 20] [--ab-small 10]
    .venv/bin/python bench/aa_ab.py --language python --aa 0 --ab 0 --ab-small 10 --merge
    .venv/bin/python bench/aa_ab.py --backend landlock --language cpp --aa 20 --ab 4 --ab-small 0

--backend landlock (root only) measures through the backend the Action takes in containers
that refuse namespaces; its results go to aa_ab-<language>-landlock.json.

Kernels live in bench/kernels/<language>/: kernel.json names the function, the template (whose
work is proportional to `{REPS}` while its result is not) and the inputs file. Each language's
results go to bench/results/aa_ab-<language>.json, written when that language finishes, so a
run of some languages leaves the others' results alone; with --merge, the conditions run (count
> 0) replace theirs in that file and the others are kept. Each condition's record carries the
machine's state (load average, and how steady it ran: `perforch doctor`'s probe) when it
finished, since rows of one file may come from different runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import math
import statistics
import tempfile
import time
from pathlib import Path
from random import Random

from _common import RESULTS, ROOT, save, table

from sandbox import Budget, Limits, Timing, Workload, compare, machine_info, probe_steadiness
from sandbox._executor import Executor
from sandbox.languages import get_language
from tests.support.sandbox import make_executor, make_landlock_executor, per_pass_ns

AB_AA = (("ab", "new"), ("aa", "copy"))  # the saved log-ratios: new and the copy, over old

KERNELS = ROOT / "bench" / "kernels"
HEADERS = [
    "language",
    "condition",
    "n",
    "right verdict",
    "false claim",
    "wrong dir",
    "95% coverage",
    "median s",
    "max s",
    "naive right",
]


def kernel_versions(language: str) -> tuple[dict[str, object], str, str]:
    folder = KERNELS / language
    meta = json.loads((folder / "kernel.json").read_text())
    return meta, (folder / meta["template"]).read_text(), (folder / meta["inputs"]).read_text()


def source(language: str, template: str, reps: int, salt: str = "") -> str:
    text = template.replace("{REPS}", str(reps))
    # A trailing comment changes the content hash, so the copy is built separately. `//` is a
    # line comment in C++, Java, Go and Rust, valid after the last declaration of the file.
    comment = "#" if get_language(language).name == "python" else "//"
    return text + (f"\n{comment} {salt}\n" if salt else "")


def run_condition(
    executor: Executor,
    language: str,
    meta: dict[str, object],
    template: str,
    inputs: str,
    old_work: float,
    new_work: float,
    count: int,
    seed0: int,
) -> list[dict[str, object]]:
    base = int(meta["base_reps"])  # type: ignore[call-overload]
    results: list[dict[str, object]] = []
    for i in range(count):
        old = source(language, template, round(base * old_work))
        new = source(
            language,
            template,
            round(base * new_work),
            salt=f"copy {i}" if old_work == new_work else "",
        )
        started = time.perf_counter()
        c = compare(
            old,
            new,
            language=language,
            workload=Workload(str(meta["function"]), inputs=inputs),
            executor=executor,
            budget=Budget(max_seconds=_budget(language)),
            seed=seed0 + i,
        )
        elapsed = time.perf_counter() - started
        t = c.timing
        results.append(
            {
                "status": c.status,
                "seconds": round(elapsed, 2),
                "ratio": t.interval_95.ratio if t else None,
                "low95": t.interval_95.low if t else None,
                "high95": t.interval_95.high if t else None,
                "blocks": t.blocks if t else None,
                "refused": t.refused if t else c.summary,
                "stopped": t.stopped if t else None,
                "method": t.guarded.method if t else None,
                # Per-block paired log-ratios, so other decision rules can be replayed offline;
                # the same processes with every sample kept show what setting spells aside did.
                "log_ratios": _block_log_ratios(t) if t else None,
                "log_ratios_every_sample": _block_log_ratios(t, every_sample=True) if t else None,
                "core_state": dataclasses.asdict(t.state) if t and t.state else None,
                "set_aside": len(t.set_aside) if t else None,
            }
        )
    return results


def _steadiness() -> dict[str, object]:
    found = probe_steadiness()
    return {"ratio": round(found.ratio, 3), "slow_share": round(found.slow_share, 3)}


def _block_log_ratios(t: Timing, every_sample: bool = False) -> dict[str, list[float]]:
    ratios = {key: t.log_ratios(version, every_sample=every_sample) for key, version in AB_AA}
    return {key: [round(x, 6) for x in values] for key, values in ratios.items()}


def _budget(language: str) -> float:
    return 120.0 if get_language(language).name == "java" else 60.0


def naive(
    executor: Executor,
    language: str,
    meta: dict[str, object],
    template: str,
    inputs: str,
    old_work: float,
    new_work: float,
    count: int,
    processes: int = 6,
    min_effect: float = 0.03,
) -> list[str]:
    """All old processes, then all new ones; min of the per-process medians; a ±3% threshold."""
    lang = get_language(language)
    base = int(meta["base_reps"])  # type: ignore[call-overload]
    verdicts = []
    for i in range(count):
        built = {}
        for name, work, salt in (("old", old_work, ""), ("new", new_work, f"naive {i}")):
            program = lang.driver_program(
                source(language, template, round(base * work), salt),
                str(meta["function"]),
                inputs,
                executor.support,
            )
            built[name] = executor.build(program)
        iterations = _calibrated(executor, built["old"])
        best = {}
        for name in ("old", "new"):
            per_process = []
            for _ in range(processes):
                out = executor.run(built[name], ["bench", str(iterations), "3", "30"], Limits())
                records = (json.loads(line) for line in out.stdout.splitlines())
                per_process.append(statistics.median(per_pass_ns(records)))
            best[name] = min(per_process)
        ratio = best["new"] / best["old"]
        verdicts.append(
            "faster"
            if ratio < 1 / (1 + min_effect)
            else "slower"
            if ratio > 1 + min_effect
            else "unchanged"
        )
    return verdicts


def _calibrated(executor: Executor, built: object) -> int:
    out = executor.run(built, ["bench", "0", "1", "0"], Limits())  # type: ignore[arg-type]
    for line in out.stdout.splitlines():
        if '"calibrated"' in line:
            return int(json.loads(line)["calibrated"])
    raise RuntimeError(f"calibration failed: {out.stderr[-500:]}")


def summarise(results: list[dict[str, object]], truth: float) -> dict[str, object]:
    n = len(results)
    expected = "faster" if truth < 1 / 1.03 else "slower" if truth > 1.03 else "unchanged"
    statuses = [r["status"] for r in results]
    wrong = {"faster": "slower", "slower": "faster"}.get(expected)
    covered = [r for r in results if r["low95"] is not None and r["low95"] <= truth <= r["high95"]]  # type: ignore[operator]
    seconds = [float(r["seconds"]) for r in results]  # type: ignore[arg-type]
    return {
        "n": n,
        "expected": expected,
        "detected": statuses.count(expected) / n if n else math.nan,
        "false_claims": (
            sum(s in ("faster", "slower") for s in statuses) / n
            if expected == "unchanged"
            else math.nan
        ),
        "wrong_direction": statuses.count(wrong) / n if wrong and n else 0.0,
        "coverage": len(covered) / n if n else math.nan,
        "median_seconds": statistics.median(seconds) if seconds else math.nan,
        "max_seconds": max(seconds) if seconds else math.nan,
        "statuses": {s: statuses.count(s) for s in sorted(set(statuses), key=str)},
    }


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--language", action="append")
    parser.add_argument("--aa", type=int, default=100, help="A/A comparisons per language")
    parser.add_argument("--ab", type=int, default=20, help="per direction, 2x and 1.2x")
    parser.add_argument("--ab-small", type=int, default=10, help="per direction, 1.05x")
    parser.add_argument("--naive", type=int, default=20, help="naive-design repetitions")
    parser.add_argument(
        "--merge", action="store_true", help="keep the saved results of conditions not run"
    )
    parser.add_argument("--backend", choices=("namespace", "landlock"), default="namespace")
    args = parser.parse_args()
    suffix = "" if args.backend == "namespace" else f"-{args.backend}"
    languages = args.language or sorted(p.name for p in KERNELS.iterdir() if p.is_dir())
    conditions = [("A/A", 1.0, 1.0, args.aa)]
    for factor, count in ((2.0, args.ab), (1.2, args.ab), (1.05, args.ab_small)):
        conditions += [
            (f"{factor}x slower", 1.0, factor, count),
            (f"{factor}x faster", factor, 1.0, count),
        ]
    rows = []
    rng = Random(0)
    with tempfile.TemporaryDirectory(prefix="perforch-bench-") as cache:
        Path(cache).chmod(0o711)  # landlock's run users must reach it
        executor = (
            make_executor(Path(cache))
            if args.backend == "namespace"
            else make_landlock_executor(Path(cache))
        )
        for language in languages:
            meta, template, inputs = kernel_versions(language)
            records: list[dict[str, object]] = []
            language_started = time.perf_counter()
            for label, old_work, new_work, count in conditions:
                if count <= 0:
                    continue
                results = run_condition(
                    executor,
                    language,
                    meta,
                    template,
                    inputs,
                    old_work,
                    new_work,
                    count,
                    rng.randrange(1 << 30),
                )
                summary = summarise(results, new_work / old_work)
                naive_verdicts = (
                    naive(
                        executor, language, meta, template, inputs, old_work, new_work, args.naive
                    )
                    if args.naive
                    else []
                )
                expected = summary["expected"]
                naive_ok = (
                    sum(v == expected for v in naive_verdicts) / len(naive_verdicts)
                    if naive_verdicts
                    else math.nan
                )
                records.append(
                    {
                        "language": language,
                        "condition": label,
                        **summary,
                        "naive": {"verdicts": naive_verdicts, "correct": naive_ok},
                        "machine": machine_info(),
                        # a shared VM's slow spells, read when the condition finished
                        "steadiness": _steadiness(),
                        "results": results,
                    }
                )
                rows.append(
                    [
                        language,
                        label,
                        str(summary["n"]),
                        _pct(summary["detected"]),
                        _pct(summary["false_claims"]),
                        _pct(summary["wrong_direction"]),
                        _pct(summary["coverage"]),
                        f"{summary['median_seconds']:.1f}",
                        f"{summary['max_seconds']:.1f}",
                        _pct(naive_ok),
                    ]
                )
                print(table(HEADERS, rows[-1:]), flush=True)
            counts = {"aa": args.aa, "ab": args.ab, "ab_small": args.ab_small, "naive": args.naive}
            payload: dict[str, object] = {
                "language": language,
                "backend": args.backend,
                "counts": counts,
                "wall_seconds": round(time.perf_counter() - language_started, 1),
                "conditions": [c[0] for c in conditions],
                "results": records,
            }
            if args.merge:
                payload = _merged(f"{language}{suffix}", payload, [c[0] for c in conditions])
            path = save(f"aa_ab-{language}{suffix}", payload)
            print(f"saved {path}", flush=True)
    print()
    print(table(HEADERS, rows))
    return 0


def _merged(name: str, payload: dict[str, object], order: list[str]) -> dict[str, object]:
    """``payload`` with the saved records of the conditions it did not run, in condition order;
    the records it replaces move to ``replaced``. The counts and wall time become per-run
    entries, since the rows come from several runs."""
    saved_path = RESULTS / f"aa_ab-{name}.json"
    if not saved_path.exists():
        return payload
    saved = json.loads(saved_path.read_text())
    new = {str(r["condition"]): r for r in payload["results"]}  # type: ignore[attr-defined]
    old = {str(r["condition"]): r for r in saved["results"]}
    runs = saved.get("runs") or [
        {k: saved.get(k) for k in ("finished", "counts", "wall_seconds", "machine")}
    ]
    runs.append({"counts": payload["counts"], "wall_seconds": payload["wall_seconds"]})
    # Rows a rerun replaces are kept, so no measurement is lost from the file.
    replaced = saved.get("replaced", []) + [old[c] for c in order if c in new and c in old]
    return {
        **payload,
        "counts": "per run, see runs",
        "runs": runs,
        "results": [new.get(c) or old[c] for c in order if c in new or c in old],
        "replaced": replaced,
    }


def _pct(value: object) -> str:
    return "-" if not isinstance(value, float) or math.isnan(value) else f"{value:.0%}"


if __name__ == "__main__":
    raise SystemExit(main())
