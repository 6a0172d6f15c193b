"""PerfOrch's Python driver: calls TARGET from target.py on the cases in inputs.py.

Speaks the driver protocol in sandbox/languages/_protocol.py. Runs inside the sandbox with the
interpreter under test, so it uses the standard library only.
"""

from __future__ import annotations

import contextlib
import copy
import gc
import importlib
import json
import math
import resource
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

MIN_SAMPLE_NS = 10_000_000
CHUNK_CALLS = 4096  # copies prepared ahead per timed chunk; bounds the memory copies take


def emit(record: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(record) + "\n")
    sys.stdout.flush()


def canonical(value: Any) -> str:
    """Deterministic text for a value: equal values give equal text (dict/set order ignored)."""
    if isinstance(value, float):
        return repr(value) if math.isfinite(value) else str(value)
    if isinstance(value, bool | int | str | bytes | complex) or value is None:
        return repr(value)
    if isinstance(value, list):
        return "[" + ", ".join(canonical(v) for v in value) + "]"
    if isinstance(value, tuple):
        return "(" + ", ".join(canonical(v) for v in value) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, dict):
        items = sorted((canonical(k), canonical(v)) for k, v in value.items())
        return "{" + ", ".join(f"{k}: {v}" for k, v in items) + "}"
    if isinstance(value, set | frozenset):
        return "{" + ", ".join(sorted(canonical(v) for v in value)) + "}"
    own_repr: object = type(value).__repr__
    if hasattr(value, "__dict__") and own_repr is object.__repr__:
        return type(value).__name__ + canonical(vars(value))
    if hasattr(value, "tolist"):  # numpy arrays and scalars
        return canonical(value.tolist())
    return repr(value)


def load_target(name: str) -> Callable[..., Any]:
    target: Any = importlib.import_module("target")
    for part in name.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            sys.stderr.write(f"perforch: no {part!r} in target.py while resolving {name!r}\n")
            raise SystemExit(3) from None
    if not callable(target):
        sys.stderr.write(f"perforch: {name!r} in target.py is not callable\n")
        raise SystemExit(3)
    return target  # type: ignore[no-any-return]


def load_cases() -> list[tuple[Any, ...]]:
    inputs: Any = importlib.import_module("inputs")
    raw: Iterable[Any]
    if hasattr(inputs, "inputs") and callable(inputs.inputs):
        raw = inputs.inputs()
    elif hasattr(inputs, "INPUTS"):
        raw = inputs.INPUTS
    else:
        sys.stderr.write("perforch: inputs.py must define INPUTS or inputs()\n")
        raise SystemExit(3)
    cases = [case if isinstance(case, tuple) else (case,) for case in raw]
    if not cases:
        sys.stderr.write("perforch: inputs.py defines no cases\n")
        raise SystemExit(3)
    return cases


def reset_peak_rss() -> None:
    with contextlib.suppress(OSError):
        Path("/proc/self/clear_refs").write_text("5")


def closing(iterations: int) -> dict[str, Any]:
    peak = 0
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_ns = int((usage.ru_utime + usage.ru_stime) * 1e9)
    return {"peak_rss_kb": peak, "cpu_ns": cpu_ns, "iterations": iterations}


def run_outputs(target: Callable[..., Any], cases: list[tuple[Any, ...]]) -> None:
    for index, case in enumerate(cases):
        args = copy.deepcopy(case)
        try:
            result = target(*args)
        except Exception as exc:  # the exception is the output being compared
            emit({"case": index, "error": f"{type(exc).__name__}: {exc}"})
            continue
        emit({"case": index, "result": canonical(result), "args": canonical(list(args))})
    emit(closing(1))


def timed_passes(target: Callable[..., Any], cases: list[tuple[Any, ...]], passes: int) -> int:
    """Nanoseconds for ``passes`` passes over all cases; argument copies are made untimed."""
    gc.collect()
    total = 0
    per_chunk = max(1, CHUNK_CALLS // len(cases))
    done = 0
    sink: Any = None
    while done < passes:
        chunk = min(per_chunk, passes - done)
        batch = [copy.deepcopy(case) for _ in range(chunk) for case in cases]
        start = time.perf_counter_ns()
        for args in batch:
            sink = target(*args)
        total += time.perf_counter_ns() - start
        done += chunk
    del sink
    return total


def run_bench(
    target: Callable[..., Any],
    cases: list[tuple[Any, ...]],
    iterations: int,
    samples: int,
    warmup_ms: int,
) -> None:
    if iterations <= 0:
        iterations = 1
        while (elapsed := timed_passes(target, cases, iterations)) < MIN_SAMPLE_NS:
            grow = MIN_SAMPLE_NS / max(elapsed, 1) * 1.2
            iterations = max(iterations * 2, math.ceil(iterations * min(grow, 100.0)))
        emit({"calibrated": iterations})
    deadline = time.perf_counter_ns() + warmup_ms * 1_000_000
    while time.perf_counter_ns() < deadline:
        timed_passes(target, cases, iterations)
    for _ in range(samples):
        emit({"ns": timed_passes(target, cases, iterations)})
    emit(closing(iterations))


def main(argv: list[str]) -> int:
    reset_peak_rss()
    sys.path.insert(0, ".")
    target = load_target(argv[1])
    cases = load_cases()
    if argv[2] == "outputs":
        run_outputs(target, cases)
    elif argv[2] == "bench":
        run_bench(target, cases, int(argv[3]), int(argv[4]), int(argv[5]))
    else:
        sys.stderr.write(f"perforch: unknown driver mode {argv[2]!r}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
