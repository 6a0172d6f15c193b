"""The driver's timing processes: running its ``bench`` and ``paired`` modes and reading their
records into ``ProcessRun``s (the protocol is in ``sandbox/languages/_protocol.py``)."""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sandbox._failures import Failure, classify
from sandbox._process import ProcessResult

VersionName = Literal["old", "new", "copy"]
RunBench = Callable[[VersionName, Sequence[str]], ProcessResult]
RunPaired = Callable[[Sequence[str]], ProcessResult]
# Chunks per sample in the ``paired`` mode: ~1.2 ms each at the usual 12 ms samples. On a busy
# host, chunks of ~1 ms gave a per-process log-ratio sd of 0.021-0.024, of ~2 ms 0.032-0.035 and
# of ~10 ms 0.07-0.10 (old against its copy, 30-40 processes each, side by side).
PAIRED_CHUNKS = 10


@dataclass(frozen=True)
class ProcessRun:
    """One version's samples (ns per pass over all inputs) from one fresh process: its own, or
    one it shared with the other versions (``together``)."""

    version: VersionName
    block: int
    ns_per_pass: tuple[float, ...]
    iterations: int
    peak_rss_kb: int
    cpu_ns: int
    wall_seconds: float
    # The reference loop's time around each sample; empty when the driver times none.
    ref_ns: tuple[float, ...] = ()
    # Timed in one process with the other versions (``paired``): its samples are its own, but
    # its peak RSS and CPU time are the whole process's.
    together: bool = False

    @property
    def center(self) -> float:
        """The median of all samples, slow spells or not."""
        return statistics.median(self.ns_per_pass)

    def center_within(self, state: CoreState | None) -> float:
        """The median of the samples taken in ``state``; of all of them when none was (or
        there is no state to go by)."""
        if state is None or not self.ref_ns:
            return self.center
        pairs = zip(self.ns_per_pass, self.ref_ns, strict=True)
        return statistics.median([ns for ns, ref in pairs if state.holds(ref)] or self.ns_per_pass)

    def off_state(self, state: CoreState | None) -> bool:
        """No sample was taken in ``state``."""
        return state is not None and bool(self.ref_ns) and not any(map(state.holds, self.ref_ns))


@dataclass(frozen=True)
class CoreState:
    """The speed the core ran at for most of a comparison, by the reference readings: at most
    ``limit`` (the usual, fast state) or, when most readings ran slower, above it (a shared VM
    that spends most of its time in slow spells). Only samples taken in the same state are
    compared, whichever it is: a ratio needs both versions timed alike, not timed fast."""

    limit: float
    fast: bool

    def holds(self, ref_ns: float) -> bool:
        return (ref_ns <= self.limit) == self.fast


def core_state(runs: Sequence[ProcessRun], spell_factor: float | None) -> CoreState | None:
    """The state by ``spell_factor`` times the fast reference reading (the 10th percentile, so
    one freak reading cannot set it); None when no driver timed a reference."""
    refs = sorted(ref for run in runs for ref in run.ref_ns)
    if not refs or not spell_factor:
        return None
    limit = spell_factor * refs[len(refs) // 10]
    return CoreState(limit, 2 * sum(ref <= limit for ref in refs) >= len(refs))


class TimingFailed(Exception):
    """A benchmark process failed mid-measurement; carries the structured failure."""

    def __init__(self, version: VersionName, failure: Failure) -> None:
        super().__init__(f"{version}: {failure.describe()}")
        self.version = version
        self.failure = failure


def calibrate(run: RunBench, version: VersionName) -> tuple[int, ProcessRun]:
    """The passes per sample the version's driver calibrates to (about 1.2x the minimum), and
    its process (block 0: one sample, the version alone)."""
    result = run(version, ["bench", "0", "1", "0"])
    failure = classify(result, "run")
    if failure is not None:
        raise TimingFailed(version, failure)
    for record in records(result.stdout):
        if "calibrated" in record:
            count = max(1, int(record["calibrated"]))
            return count, _bench_run(result, version, 0, count)
    raise TimingFailed(version, Failure("driver-error", "the driver did not report calibration"))


def bench_process(
    run: RunBench, version: VersionName, block: int, iterations: int, samples: int, warmup_ms: int
) -> ProcessRun:
    """One fresh process of ``version`` in the driver's ``bench`` mode."""
    result = run(version, ["bench", str(iterations), str(samples), str(warmup_ms)])
    failure = classify(result, "run")
    if failure is not None:
        raise TimingFailed(version, failure)
    return _bench_run(result, version, block, iterations)


def _bench_run(
    result: ProcessResult, version: VersionName, block: int, iterations: int
) -> ProcessRun:
    sample_ns: list[float] = []
    ref_ns: list[float] = []
    closing: Mapping[str, Any] = {}
    for record in records(result.stdout):
        if "ns" in record:
            sample_ns.append(float(record["ns"]))
            if "ref_ns" in record:
                ref_ns.append(float(record["ref_ns"]))
        elif "peak_rss_kb" in record:
            closing = record
    # The driver raises the count when a warm-up round comes out under the minimum sample time
    # (this process runs faster than the one that calibrated): its closing line says which.
    used = int(closing.get("iterations", iterations))
    # a reference for some samples only is no reference: the spell rule would misalign
    whole = len(ref_ns) == len(sample_ns) and min(ref_ns, default=0) > 0
    refs = tuple(ref_ns) if whole else ()
    process = _process_run(version, block, sample_ns, used, closing, result, refs)
    if process is None:
        raise TimingFailed(version, Failure("driver-error", "the driver reported no samples"))
    return process


def _process_run(
    version: VersionName,
    block: int,
    sample_ns: Sequence[float],
    passes: int,
    closing: Mapping[str, Any],
    result: ProcessResult,
    ref_ns: tuple[float, ...] = (),
    together: bool = False,
) -> ProcessRun | None:
    """The version's samples per pass, with the process's closing line; None when the driver
    reported no usable sample or pass count."""
    if not sample_ns or min(sample_ns) <= 0 or passes < 1:
        return None
    return ProcessRun(
        version,
        block,
        tuple(ns / passes for ns in sample_ns),
        passes,
        int(closing.get("peak_rss_kb", 0)),
        int(closing.get("cpu_ns", 0)),
        result.wall_seconds,
        ref_ns,
        together,
    )


def records(stdout: str) -> list[dict[str, Any]]:
    records = []
    for line in stdout.splitlines():
        if line.startswith("{"):
            try:
                records.append(json.loads(line))
            except ValueError:
                continue
    return records


def paired_process(
    run: RunPaired,
    versions: Sequence[VersionName],
    block: int,
    iterations: Mapping[VersionName, int],
    samples: int,
    warmup_ms: int,
    seed: int,
) -> tuple[ProcessRun, ...] | str:
    """One fresh process timing ``versions`` (old and new, then copy if given) side by side in
    the driver's ``paired`` mode; or, when they cannot share a process, why not: a version
    changed what the others share (builtins, the gc, a module's attribute), or the process
    failed (three versions' memory at once, say; run apart, a version's failure is its own)."""
    counts = [str(iterations[version]) for version in versions]
    result = run(["paired", str(seed), str(samples), str(warmup_ms), str(PAIRED_CHUNKS), *counts])
    failure = classify(result, "run")
    if failure is not None:
        return f"side by side in one process they failed: {failure.describe()}"
    sample_ns: dict[int, list[float]] = {index: [] for index in range(len(versions))}
    used: dict[int, int] = {}
    closing: Mapping[str, Any] = {}
    for record in records(result.stdout):
        if "changed" in record:
            return (
                f"one version changes {record['changed']}, which versions sharing a process "
                f"would all run with"
            )
        if "ns" in record and record.get("v") in sample_ns:
            sample_ns[record["v"]].append(float(record["ns"]))
        elif "iterations" in record and record.get("v") in sample_ns:
            used[record["v"]] = int(record["iterations"])
        elif "peak_rss_kb" in record:
            closing = record
    runs = []
    for index, version in enumerate(versions):
        passes = used.get(index, 0)
        process = _process_run(version, block, sample_ns[index], passes, closing, result, (), True)
        if process is None:
            return "side by side in one process the driver reported no samples"
        runs.append(process)
    return tuple(runs)
