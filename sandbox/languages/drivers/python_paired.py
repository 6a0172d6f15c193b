"""PerfOrch's Python driver for timing versions side by side, in one process.

A core's speed for interpreter code can change every few milliseconds when its SMT sibling or a
neighbouring VM gets busy. Fresh processes of each version, one after the other, then see
different speeds: on a busy host their per-block log-ratio varied with sd ~0.25. Here the
versions' samples are cut into chunks of ~1 ms taken in palindromic rounds (e.g. new·old·copy·
copy·old·new), so a slow spell falls on every version alike and cancels out of their ratio
(sd ~0.02 on the same host, the same hour). Each sample still adds up at least 10 ms of timed
work per version; a fresh process per block, with its own import order, keeps layout effects
random.

The versions share one interpreter, so one of them could change what the others run with
(``builtins``, the gc, a module's attribute, the recursion limit). The driver compares ids of
what the interpreter had before each import and after the timing, and reports any change; the
measurement then times the versions in separate processes instead.

``<run argv> paired SEED SAMPLES WARMUP_MS CHUNKS N_OLD N_NEW [N_COPY]``
    Versions: ``target`` (old), ``target_new`` and ``target_copy`` (old's source again, its own
    module); N is each one's calibrated passes per sample. inputs.py runs once per version, with
    that version as ``target``, so objects it builds are of the version's own classes. After the
    warm-up (as in ``bench``), SAMPLES times: CHUNKS/2 palindromic rounds in an order drawn from
    SEED, each version's chunk being ceil(N / CHUNKS) passes; then ``{"v": i, "ns": T}`` per
    version i (its chunks' total). Then ``{"v": i, "iterations": n}`` (passes per sample),
    ``{"changed": "name"}`` if shared state changed, and ``{"peak_rss_kb": N, "cpu_ns": C}``
    (the whole process's).
"""

from __future__ import annotations

import builtins
import gc
import math
import sys

TYPE_CHECKING = False
if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from sandbox.languages.drivers import python_driver as driver
else:  # the build writes python_driver.py as perforch_driver.py beside this file
    import perforch_driver as driver

MODULES = ("target", "target_new", "target_copy")


def shared_state() -> dict[str, int]:
    """What every version reads from the one interpreter, by id (or value)."""
    state = {
        "gc.isenabled()": int(gc.isenabled()),
        "gc.get_threshold()": hash(gc.get_threshold()),
        "sys.getrecursionlimit()": sys.getrecursionlimit(),
        "sys.getswitchinterval()": hash(sys.getswitchinterval()),
        "sys.gettrace()": id(sys.gettrace()),
        "sys.getprofile()": id(sys.getprofile()),
    }
    for name, module in list(sys.modules.items()):
        if name in MODULES:
            continue  # a version's own globals are its own business
        for key, value in list(getattr(module, "__dict__", {}).items()):
            state[f"{name}.{key}"] = id(value)
    for key, value in vars(builtins).items():
        state[f"builtins.{key}"] = id(value)
    return state


def changed(before: dict[str, int], after: dict[str, int]) -> str | None:
    """The first of ``before``'s names whose value is not the same object in ``after``: names
    added since (a submodule imported into its package) change nothing the others had."""
    for key, value in before.items():
        if after.get(key) != value:
            return key
    return None


def cases_for(module: str) -> list[tuple[Any, ...]]:
    """The cases as inputs.py builds them for one version: the file may build the code's own
    objects (``from target import Box``), and each version must get instances of its own
    classes, as it does in a process of its own. So inputs.py runs once per version, with that
    version's module as ``target``."""
    old = sys.modules["target"]
    sys.modules["target"] = sys.modules[module]
    try:
        return driver.load_cases()
    finally:
        sys.modules.pop("inputs", None)
        sys.modules["target"] = old


def shuffled(seed: int, count: int) -> tuple[int, list[int]]:
    """The next seed and a permutation of range(count) (Fisher-Yates on a 64-bit LCG: importing
    random costs every process a few milliseconds)."""
    order = list(range(count))
    for i in range(count - 1, 0, -1):
        seed = (seed * 6364136223846793005 + 1442695040888963407) & 0xFFFFFFFFFFFFFFFF
        j = (seed >> 33) % (i + 1)
        order[i], order[j] = order[j], order[i]
    return seed, order


def run_paired(
    function: str, seed: int, samples: int, warmup_ms: int, chunks: int, iterations: list[int]
) -> None:
    count = len(iterations)
    seed, import_order = shuffled(seed, count)
    state = shared_state()
    problem = None
    targets: dict[int, Callable[..., Any]] = {}
    for index in import_order:
        targets[index] = driver.load_target(function, MODULES[index])
        now = shared_state()
        problem = problem or changed(state, now)
        state = now
    cases = {index: cases_for(MODULES[index]) for index in import_order}
    copiers = {i: [driver.case_copier(targets[i], case) for case in cases[i]] for i in targets}
    for index in import_order:
        iterations[index] = driver.warm_up(
            targets[index], cases[index], copiers[index], iterations[index], warmup_ms
        )
    rounds = max(1, chunks // 2)
    per_chunk = [math.ceil(n / (2 * rounds)) for n in iterations]
    for _ in range(samples):
        totals = [0] * count
        for _ in range(rounds):
            seed, order = shuffled(seed, count)
            gc.collect()  # once a round: a full collection can take longer than a chunk
            for index in order + order[::-1]:
                gc.collect(0)  # the young garbage of the chunk before is not this one's to pay
                totals[index] += driver.timed_passes(
                    targets[index], cases[index], copiers[index], per_chunk[index], collect=False
                )
        for index in range(count):
            driver.emit({"v": index, "ns": totals[index]})
    for index in range(count):
        driver.emit({"v": index, "iterations": per_chunk[index] * 2 * rounds})
    problem = problem or changed(state, shared_state())
    if problem is not None:
        driver.emit({"changed": problem})
    closing = driver.closing(0)
    driver.emit({"peak_rss_kb": closing["peak_rss_kb"], "cpu_ns": closing["cpu_ns"]})


def main(argv: list[str]) -> int:
    driver.reset_peak_rss()
    sys.path.insert(0, ".")
    if argv[2] != "paired" or not 9 <= len(argv) <= 10:
        sys.stderr.write(
            "perforch: usage: paired SEED SAMPLES WARMUP_MS CHUNKS N_OLD N_NEW [N_COPY]\n"
        )
        return 2
    seed, samples, warmup_ms, chunks = (int(arg) for arg in argv[3:7])
    run_paired(argv[1], seed, samples, warmup_ms, chunks, [int(arg) for arg in argv[7:]])
    return 0
