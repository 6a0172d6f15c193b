"""``compare``: is the new version of a function correct, and is it faster than the old one?

Correctness first (both build; the given tests pass on old and new; the new version gives the old
version's outputs on every input), then timing (``_measure``). Everything that can go wrong with
the code under test comes back as data in the ``Comparison``, never as an exception.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from random import Random
from typing import Literal

from sandbox._differential import Differential, Tolerance, compare_outputs, parse_driver_output
from sandbox._errors import WorkloadError
from sandbox._executor import Built, Executor
from sandbox._failures import Failure, classify
from sandbox._limits import RUN_LIMITS, Limits
from sandbox._machine import machine_info
from sandbox._measure import Budget, Timing, measure
from sandbox._process import ProcessResult
from sandbox._processes import TimingFailed, VersionName
from sandbox.languages import get_language
from sandbox.languages._protocol import Language, Program

Status = Literal["faster", "slower", "unchanged", "inconclusive", "incorrect", "error"]
Progress = Callable[[str], None]

METHOD = (
    "fresh processes per version in randomised palindromic blocks (e.g. new-old-copy-copy-old-new);"
    " per process the median of calibrated samples (>= 10 ms each) taken in the core's usual "
    "state, by a reference loop timed beside them (1.4x slower than its fast readings marks a "
    "slow spell; a block without such a process of each version is left out); per block the "
    "paired log-ratio of the versions' mean log times; Hodges-Lehmann estimate with an exact "
    "Wilcoxon signed-rank interval; sequential looks with alpha spending; A/A guard: old "
    "against an identical copy (built separately when the build is machine code) must come out "
    "unchanged before any claim"
)
METHOD_TOGETHER = (
    "one fresh process per block timing old, new and a copy of old side by side, each in "
    "chunks of ~1 ms taken in palindromic rounds of a random order (so slow spells of the core "
    "fall on every version alike), each version's samples adding up its chunks (>= 10 ms); "
    "per block the log-ratio of the versions' median samples; Hodges-Lehmann estimate with an "
    "exact Wilcoxon signed-rank interval; sequential looks with alpha spending; A/A guard: old "
    "against its copy (a module of its own) must come out unchanged before any claim; peak "
    "RSS from processes running one version alone"
)


@dataclass(frozen=True)
class Workload:
    """What to run the function on: an inputs file (calls to time and compare) and/or tests,
    both written in the function's language."""

    function: str
    inputs: str | None = None
    tests: str | None = None


@dataclass(frozen=True)
class Correctness:
    ok: bool
    problems: tuple[str, ...]
    failure: Failure | None = None
    differential: Differential | None = None
    tests_run: bool = False


@dataclass(frozen=True)
class Comparison:
    """The result of comparing two versions, with everything needed to reproduce it."""

    language: str
    function: str
    status: Status
    summary: str
    correctness: Correctness
    timing: Timing | None
    provenance: dict[str, object] = field(default_factory=dict)

    @property
    def speedup(self) -> float | None:
        return None if self.timing is None else self.timing.interval_95.speedup


def compare(
    old: str,
    new: str,
    *,
    language: str,
    workload: Workload,
    executor: Executor,
    budget: Budget | None = None,
    limits: Limits = RUN_LIMITS,
    tolerance: Tolerance | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> Comparison:
    """Compare ``new`` against ``old`` (source texts) for ``workload.function``."""
    if workload.inputs is None and workload.tests is None:
        raise WorkloadError(
            "nothing to run the function on: give an inputs file (calls to time "
            "and compare) and/or a tests file"
        )
    lang = get_language(language)
    budget = budget or Budget()
    tolerance = tolerance or Tolerance()
    say = progress or (lambda _message: None)
    toolchain = lang.toolchain(executor.support)
    provenance = _provenance(
        old,
        new,
        workload,
        executor,
        budget,
        limits,
        tolerance,
        seed,
        {"tool": toolchain.tool, "version": toolchain.version or "missing"},
    )
    base = Comparison(
        lang.name, workload.function, "error", "", Correctness(False, ()), None, provenance
    )
    if toolchain.problem is not None:
        return _error(base, Failure("missing-toolchain", toolchain.problem))

    say("building old and new")
    programs = _programs(lang, old, new, workload, executor)
    with ThreadPoolExecutor(max_workers=2) as pool:
        built = dict(zip(programs, pool.map(executor.build, programs.values()), strict=True))
    if "old" in built and "copy" not in built:
        built["copy"] = built["old"]
    for key in programs:
        if key == "paired" or built[key].ok:
            continue
        step = built[key].failure
        failure = classify(step, "build") if step is not None else None
        failure = failure or Failure("compile-error", "the build failed")
        if key.startswith("old"):
            return _error(base, failure, f"the old version does not build ({key}); fix it first")
        return _incorrect(base, failure, "the new version does not build")

    if workload.tests is not None:
        say("running the tests on old and new")
        for version in ("old", "new"):
            failure = classify(executor.run(built[f"{version}-tests"], [], limits), "test")
            if failure is None:
                continue
            if version == "old":
                return _error(base, failure, "the tests fail on the old version; fix the tests")
            return _incorrect(base, failure, "the new version fails the tests")
    if workload.inputs is None:
        correct = Correctness(True, (), tests_run=True)
        return replace(
            base,
            status="inconclusive",
            correctness=correct,
            summary="tests pass; no inputs file, so nothing was timed",
        )

    say("checking that new gives the old outputs on every input")
    outputs = {v: executor.run(built[v], ["outputs"], limits) for v in ("old", "new")}
    old_again = executor.run(built["copy"], ["outputs"], limits)
    for version, result in (("old", outputs["old"]), ("old", old_again), ("new", outputs["new"])):
        failure = classify(result, "run")
        if failure is None:
            continue
        if version == "old":
            return _error(base, failure, "the inputs crash the old version; fix the inputs")
        return _incorrect(base, failure, "the new version crashes on the inputs")
    differential = compare_outputs(
        parse_driver_output(outputs["old"].stdout)[0],
        parse_driver_output(outputs["new"].stdout)[0],
        parse_driver_output(old_again.stdout)[0],
        tolerance,
    )
    if not differential.ok:
        problems = tuple(m.describe() for m in differential.mismatches[:10])
        correct = Correctness(
            False, problems, differential=differential, tests_run=workload.tests is not None
        )
        return replace(
            base,
            status="incorrect",
            correctness=correct,
            summary=f"the new version gives different outputs on "
            f"{len(differential.mismatches)} of {differential.cases} inputs",
        )
    correct = Correctness(True, (), differential=differential, tests_run=workload.tests is not None)

    say("timing old against new (interleaved, with an A/A guard)")
    return _timed(replace(base, correctness=correct), built, executor, budget, limits, seed)


def _timed(
    base: Comparison,
    built: dict[str, Built],
    executor: Executor,
    budget: Budget,
    limits: Limits,
    seed: int,
) -> Comparison:
    """``base`` (correct) with the timing of new against old, or the failure that stopped it."""

    def run_bench(version: VersionName, args: Sequence[str]) -> ProcessResult:
        return executor.run(built[version], args, limits)

    def run_paired(args: Sequence[str]) -> ProcessResult:
        return executor.run(built["paired"], args, limits)

    pair = built.get("paired")
    try:
        timing = measure(run_bench, budget, Random(seed), run_paired if pair and pair.ok else None)
    except TimingFailed as exc:
        failed = _error(base, exc.failure, f"timing failed in the {exc.version} version")
        return replace(failed, correctness=base.correctness)
    if pair is not None and not pair.ok:
        # Each version built alone, so they were timed in processes of their own.
        problem = classify(pair.failure, "build") if pair.failure is not None else None
        why = problem.describe() if problem is not None else "the build failed"
        because = f"timed in separate processes: old and new did not build side by side: {why}"
        timing = replace(timing, separate_because=because)
    method = METHOD_TOGETHER if timing.together else METHOD
    return replace(
        base,
        status=timing.verdict,
        timing=timing,
        summary=_timing_summary(timing),
        provenance={**base.provenance, "method": method},
    )


def _programs(
    lang: Language, old: str, new: str, workload: Workload, executor: Executor
) -> dict[str, Program]:
    support = executor.support
    programs: dict[str, Program] = {}
    if workload.inputs is not None:
        old_driver = lang.driver_program(old, workload.function, workload.inputs, support)
        programs["old"] = old_driver
        programs["new"] = lang.driver_program(new, workload.function, workload.inputs, support)
        # Machine code is built separately (a different cache entry), so the A/A guard also
        # sees where a binary's pages land; class files and sources are only read, and a second
        # javac would add seconds for nothing: that copy runs old's build (see compare).
        if lang.runs_machine_code:
            programs["copy"] = replace(
                old_driver, cache_key_extra=old_driver.cache_key_extra + " #aa-copy"
            )
        if lang.paired_program is not None:
            pair = lang.paired_program(old, new, workload.function, workload.inputs, support)
            programs["paired"] = pair
    if workload.tests is not None:
        programs["old-tests"] = lang.test_program(old, workload.tests, support)
        programs["new-tests"] = lang.test_program(new, workload.tests, support)
    return programs


def _timing_summary(timing: Timing) -> str:
    ci = timing.interval_95
    text = (
        f"{timing.verdict}: new/old time {ci.ratio:.3f} "
        f"(95% interval {ci.low:.3f}–{ci.high:.3f}), speedup {ci.speedup:.2f}x, "
        f"{timing.blocks} blocks in {timing.seconds:.1f} s"
    )
    left_out = timing.blocks - ci.n
    if timing.together:
        text += " (versions timed side by side in one process per block)"
    elif timing.set_aside or left_out:
        text += (
            f" (slow spells of the core: {len(timing.set_aside)} processes run again, "
            f"{left_out} blocks left out)"
        )
    if timing.separate_because:
        text += f"; {timing.separate_because}"
    return f"{text}; {timing.refused}" if timing.refused else text


def _error(base: Comparison, failure: Failure, why: str = "") -> Comparison:
    summary = f"{why}: {failure.describe()}" if why else failure.describe()
    return replace(
        base,
        status="error",
        summary=summary,
        correctness=Correctness(False, (summary,), failure=failure),
    )


def _incorrect(base: Comparison, failure: Failure, why: str) -> Comparison:
    summary = f"{why}: {failure.describe()}"
    return replace(
        base,
        status="incorrect",
        summary=summary,
        correctness=Correctness(False, (summary,), failure=failure),
    )


def _provenance(
    old: str,
    new: str,
    workload: Workload,
    executor: Executor,
    budget: Budget,
    limits: Limits,
    tolerance: Tolerance,
    seed: int,
    toolchain: dict[str, str],
) -> dict[str, object]:
    def digest(text: str | None) -> str | None:
        return None if text is None else hashlib.sha256(text.encode()).hexdigest()

    return {
        "old_sha256": digest(old),
        "new_sha256": digest(new),
        "inputs_sha256": digest(workload.inputs),
        "tests_sha256": digest(workload.tests),
        "inputs": workload.inputs,
        "function": workload.function,
        "toolchain": toolchain,
        "backend": executor.backend.name,
        "machine": machine_info(),
        "method": METHOD,
        "seed": seed,
        "budget": budget.__dict__,
        "limits": limits.__dict__,
        "tolerance": tolerance.describe(),
    }


__all__ = ["Built", "Comparison", "Correctness", "Workload", "compare"]
