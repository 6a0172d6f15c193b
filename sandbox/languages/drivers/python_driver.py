"""PerfOrch's Python driver: calls TARGET from target.py on the cases in inputs.py.

Speaks the driver protocol in sandbox/languages/_protocol.py. Runs inside the sandbox with the
interpreter under test, so it uses the standard library only, and neither pathlib nor typing at
run time: each import costs every fresh process a few milliseconds, and a comparison starts
dozens. For the same reason the timing mode imports neither json, copy nor contextlib: its
records are integers, and it copies plain arguments by their shape. The build compiles this
module (and target.py, inputs.py) to bytecode, and the run imports it from ``-c``: a script
given by path is compiled afresh by every process (~10 ms), and ``-m`` costs runpy (~5 ms).
"""

from __future__ import annotations

import gc
import importlib
import math
import os
import resource
import sys
import time

TYPE_CHECKING = False  # typing itself costs ~4 ms to import; mypy reads this name as True
if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from typing import Any, TypeAlias

    Copier: TypeAlias = Callable[[Any], Any]

MIN_SAMPLE_NS = 10_000_000
CHUNK_CALLS = 4096  # copies prepared ahead per timed chunk; bounds the memory copies take


def emit(record: dict[str, Any]) -> None:
    if all(type(value) is int for value in record.values()):
        line = "{" + ", ".join(f'"{key}": {value}' for key, value in record.items()) + "}"
    else:
        import json

        line = json.dumps(record)
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def deepcopy(value: Any) -> Any:
    from copy import deepcopy as copy_deeply

    return copy_deeply(value)


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


def load_target(name: str, module: str = "target") -> Callable[..., Any]:
    target: Any = importlib.import_module(module)
    for part in name.split("."):
        try:
            target = getattr(target, part)
        except AttributeError:
            sys.stderr.write(f"perforch: no {part!r} in {module}.py while resolving {name!r}\n")
            raise SystemExit(3) from None
    if not callable(target):
        sys.stderr.write(f"perforch: {name!r} in {module}.py is not callable\n")
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
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        pass


def closing(iterations: int) -> dict[str, Any]:
    peak = 0
    try:
        with open("/proc/self/status") as status:
            lines = status.read().splitlines()
        for line in lines:
            if line.startswith("VmHWM:"):
                peak = int(line.split()[1])
    except OSError:
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    usage = resource.getrusage(resource.RUSAGE_SELF)
    cpu_ns = int((usage.ru_utime + usage.ru_stime) * 1e9)
    return {"peak_rss_kb": peak, "cpu_ns": cpu_ns, "iterations": iterations}


def run_outputs(target: Callable[..., Any], cases: list[tuple[Any, ...]]) -> None:
    for index, case in enumerate(cases):
        args = deepcopy(case)
        try:
            result = target(*args)
        except Exception as exc:  # the exception is the output being compared
            emit({"case": index, "error": f"{type(exc).__name__}: {exc}"})
            continue
        emit({"case": index, "result": canonical(result), "args": canonical(list(args))})
    emit(closing(1))


ATOMS = frozenset({bool, int, float, complex, str, bytes, type(None)})


def _same(value: Any) -> Any:
    return value


def plain_copier(value: Any, seen: set[int]) -> Copier | None:
    """A copier for ``value`` built once from its shape: lists, dicts and sets of plain values
    are copied with their own fast methods. None when ``value`` holds anything else, or one
    container twice (aliasing that a structural copy would break): deepcopy handles those."""
    kind = type(value)
    if kind in ATOMS:
        return _same
    if id(value) in seen:
        return None
    seen.add(id(value))
    if kind is frozenset:
        return _same if all(type(item) in ATOMS for item in value) else None
    if kind is set:
        return set.copy if all(type(item) in ATOMS for item in value) else None
    if kind is list or kind is tuple:
        found = [plain_copier(item, seen) for item in value]
        parts = [part for part in found if part is not None]
        if len(parts) < len(found):
            return None
        if all(part is _same for part in parts):
            return _same if kind is tuple else list.copy
        if kind is tuple:
            return lambda v: tuple([part(x) for part, x in zip(parts, v, strict=True)])
        return lambda v: [part(x) for part, x in zip(parts, v, strict=True)]
    if kind is dict:
        if not all(type(key) in ATOMS for key in value):
            return None
        found_values = {key: plain_copier(item, seen) for key, item in value.items()}
        values = {key: part for key, part in found_values.items() if part is not None}
        if len(values) < len(found_values):
            return None
        if all(part is _same for part in values.values()):
            return dict.copy
        return lambda v: {key: values[key](item) for key, item in v.items()}
    return None


def case_copier(target: Callable[..., Any], case: tuple[Any, ...]) -> Copier:
    """How each timed call gets its arguments. Plain arguments the target leaves untouched are
    shared (copying 20 000 ints costs more than most targets); the rest are copied before
    timing, by shape when plain, else with deepcopy."""
    copier = plain_copier(case, set())
    if copier is None:
        return deepcopy
    before = canonical(case)
    trial = copier(case)  # whole: a plain case's copier copies every container in it
    # Not contextlib.suppress: importing contextlib costs every timing process ~1 ms.
    try:  # noqa: SIM105
        target(*trial)
    except Exception:  # noqa: S110 - a raising call is timed like any other
        pass
    return _same if canonical(trial) == before else copier


def run_coverage(target: Callable[..., Any], cases: list[tuple[Any, ...]]) -> None:
    """The lines of target.py that the cases execute (each case once, as in ``outputs``)."""
    target_file = os.path.realpath(sys.modules["target"].__file__ or "target.py")
    lines: set[int] = set()
    inside: dict[str, bool] = {}  # code file name -> is it target.py (resolved once per name)

    def tracer(frame: Any, event: str, _arg: Any) -> Any:
        name = frame.f_code.co_filename
        if name not in inside:
            inside[name] = os.path.realpath(name) == target_file
        if not inside[name]:
            return None  # no line events for frames outside the file under test
        if event == "line":
            lines.add(frame.f_lineno)
        return tracer

    import contextlib

    sys.settrace(tracer)
    try:
        for case in cases:
            with contextlib.suppress(Exception):  # the lines it ran before raising count
                target(*deepcopy(case))
    finally:
        sys.settrace(None)
    emit({"lines": sorted(lines)})


CASE_SAMPLE_NS = 2_000_000


def run_cases(target: Callable[..., Any], cases: list[tuple[Any, ...]]) -> None:
    """Each case timed on its own: which inputs cost the most (for a model's feedback)."""
    import contextlib

    for index, case in enumerate(cases):
        fresh = case_copier(target, case)
        with contextlib.suppress(Exception):
            target(*fresh(case))  # warm: imports, caches, the first-call costs
        calls = elapsed = 0
        while elapsed < CASE_SAMPLE_NS:
            args = fresh(case)
            start = time.perf_counter_ns()
            with contextlib.suppress(Exception):  # a raising case is timed like any other
                target(*args)
            elapsed += time.perf_counter_ns() - start
            calls += 1
        emit({"case": index, "ns_per_call": elapsed / calls})


def timed_passes(
    target: Callable[..., Any],
    cases: list[tuple[Any, ...]],
    copiers: list[Copier],
    passes: int,
    collect: bool = True,
) -> int:
    """Nanoseconds for ``passes`` passes over all cases; argument copies are made untimed, after
    collecting the garbage earlier calls left (unless the caller has just done so)."""
    if collect:
        gc.collect()
    total = 0
    per_chunk = max(1, CHUNK_CALLS // len(cases))
    done = 0
    sink: Any = None
    while done < passes:
        chunk = min(per_chunk, passes - done)
        pairs = list(zip(copiers, cases, strict=True))
        batch = [fresh(case) for _ in range(chunk) for fresh, case in pairs]
        start = time.perf_counter_ns()
        for args in batch:
            sink = target(*args)
        total += time.perf_counter_ns() - start
        done += chunk
    del sink
    return total


def calibrate(
    target: Callable[..., Any], cases: list[tuple[Any, ...]], copiers: list[Copier]
) -> int:
    """Passes per sample for 1.2x MIN_SAMPLE_NS. Near the threshold the fastest of three tries
    counts (a cold or preempted try overstates the time, and later samples would come out under
    the minimum). The count that first clears the minimum is scaled to the target, down as well
    as up: doubling past a try just under the minimum overshoots by up to 2x."""
    iterations = 1
    while True:
        elapsed = timed_passes(target, cases, copiers, iterations)
        if MIN_SAMPLE_NS <= elapsed < 10 * MIN_SAMPLE_NS:
            for _ in range(2):
                elapsed = min(elapsed, timed_passes(target, cases, copiers, iterations))
        if elapsed >= MIN_SAMPLE_NS:
            return max(1, math.ceil(iterations * 1.2 * MIN_SAMPLE_NS / elapsed))
        grow = MIN_SAMPLE_NS / max(elapsed, 1) * 1.2
        iterations = max(iterations * 2, math.ceil(iterations * min(grow, 100.0)))


def warm_up(
    target: Callable[..., Any],
    cases: list[tuple[Any, ...]],
    copiers: list[Copier],
    iterations: int,
    warmup_ms: int,
) -> int:
    """At least one round, then rounds until warmup_ms has passed. A round under the minimum
    (the count was calibrated under load, or in another process) raises the count to 1.2x the
    minimum and warms up on; the count that comes back is the one the samples use. A raised
    count must clear 1.1x in the faster of two rounds: it was scaled from a round that may not
    represent the rest, and one preempted round could pass for long enough."""
    deadline = time.perf_counter_ns() + warmup_ms * 1_000_000
    least, rounds = float(MIN_SAMPLE_NS), 1
    while True:
        elapsed = min(timed_passes(target, cases, copiers, iterations) for _ in range(rounds))
        if elapsed < least:
            wanted = min(100.0, 1.2 * MIN_SAMPLE_NS / max(elapsed, 1))
            iterations = max(iterations + 1, math.ceil(iterations * wanted))
            least, rounds = 1.1 * MIN_SAMPLE_NS, 2
        elif time.perf_counter_ns() >= deadline:
            return iterations


REFERENCE_STEPS = 10_000  # about 0.6 ms on a 2020s server core


def reference_ns() -> int:
    """Time of a fixed piece of interpreter work, the same in every process of every version.
    It slows with whatever slows the target's bytecode for a while (an SMT sibling's load, a
    neighbour on the host), so the measurement can set aside samples taken meanwhile. Small
    ints and no containers: neither the heap the target left nor the GC changes its speed."""
    start = time.perf_counter_ns()
    h = 0
    for i in range(REFERENCE_STEPS):
        h = (h * 31 + i) & 0xFFFFF
    return time.perf_counter_ns() - start


def run_bench(
    target: Callable[..., Any],
    cases: list[tuple[Any, ...]],
    iterations: int,
    samples: int,
    warmup_ms: int,
) -> None:
    copiers = [case_copier(target, case) for case in cases]
    if iterations <= 0:
        iterations = calibrate(target, cases, copiers)
        emit({"calibrated": iterations})
    iterations = warm_up(target, cases, copiers, iterations, warmup_ms)
    before = reference_ns()
    for _ in range(samples):
        ns = timed_passes(target, cases, copiers, iterations)
        after = reference_ns()
        # The slower of the two brackets: a slow spell that began or ended mid-sample shows.
        emit({"ns": ns, "ref_ns": max(before, after)})
        before = after
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
    elif argv[2] == "coverage":
        run_coverage(target, cases)
    elif argv[2] == "cases":
        run_cases(target, cases)
    else:
        sys.stderr.write(f"perforch: unknown driver mode {argv[2]!r}\n")
        return 2
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
