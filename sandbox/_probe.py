"""``probe``: do the inputs (and tests) run on one version? Used to check a workload before
any comparison, e.g. inputs a model wrote for a function that had none. ``run_tests``: do the
tests pass on one version (a function written anew, with nothing to compare it with)?"""

from __future__ import annotations

import contextlib
import json
from dataclasses import dataclass

from sandbox._differential import parse_driver_output
from sandbox._executor import Built, Executor
from sandbox._failures import Failure, classify
from sandbox._limits import RUN_LIMITS, Limits
from sandbox._process import ProcessResult
from sandbox.languages import get_language


@dataclass(frozen=True)
class Probe:
    """``cases`` inputs ran (``raising`` of them raised an exception or panicked, which is an
    output like any other); ``failure`` says why the inputs or the tests could not run."""

    ok: bool
    cases: int
    raising: int
    summary: str
    failure: Failure | None = None
    first_raising: str | None = None  # "case 3: TypeError: ..." for the first that raised
    covered_lines: tuple[int, ...] | None = None  # lines of the source run (None: not measured)
    # The lines that hold code at all, when the coverage tool says (None: count every line).
    executable_lines: tuple[int, ...] | None = None


def probe(
    source: str,
    *,
    language: str,
    function: str,
    inputs: str,
    tests: str | None,
    executor: Executor,
    limits: Limits = RUN_LIMITS,
) -> Probe:
    """Build ``source`` with ``inputs`` (and ``tests``) and run them once."""
    lang = get_language(language)
    toolchain = lang.toolchain(executor.support)
    if toolchain.problem is not None:
        missing = Failure("missing-toolchain", toolchain.problem)
        return Probe(False, 0, 0, missing.describe(), missing)
    driver = executor.build(lang.driver_program(source, function, inputs, executor.support))
    if not driver.ok:
        broken = _build_failure(driver)
        return Probe(False, 0, 0, f"the inputs do not build: {broken.describe()}", broken)
    if tests is not None:
        built_tests = executor.build(lang.test_program(source, tests, executor.support))
        failing = (
            classify(executor.run(built_tests, [], limits), "test")
            if built_tests.ok
            else _build_failure(built_tests)
        )
        if failing is not None:
            return Probe(False, 0, 0, f"the tests fail: {failing.describe()}", failing)
    result = executor.run(driver, ["outputs"], limits)
    crashed = classify(result, "run")
    if crashed is not None:
        return Probe(False, 0, 0, f"the inputs crash: {crashed.describe()}", crashed)
    outputs, _closing = parse_driver_output(result.stdout)
    if not outputs:
        empty = Failure("driver-error", "the inputs define no cases")
        return Probe(False, 0, 0, empty.describe(), empty)
    raised = [case for case in outputs if case.error is not None]
    first = f"case {raised[0].case}: {raised[0].error}" if raised else None
    summary = f"{len(outputs)} inputs run ({len(raised)} raise)"
    covered, executable = None, None
    if "coverage" in lang.optional_modes:
        # A build of its own where the language instruments or traces it (the same cached
        # build as the driver in Python), so the timed driver stays uninstrumented.
        traced = executor.build(lang.coverage_program(source, function, inputs, executor.support))
        if traced.ok:
            covered, executable = _coverage(executor.run(traced, ["coverage"], limits))
    return Probe(
        True,
        len(outputs),
        len(raised),
        summary,
        first_raising=first,
        covered_lines=covered,
        executable_lines=executable,
    )


def _coverage(result: ProcessResult) -> tuple[tuple[int, ...] | None, tuple[int, ...] | None]:
    """The ``coverage`` mode's lines run and lines with code; (None, None) when it failed
    (coverage is a report, not a gate)."""
    if not result.ok:
        return None, None
    for line in result.stdout.splitlines():
        with contextlib.suppress(ValueError, TypeError):
            record = json.loads(line)
            if isinstance(record, dict) and isinstance(record.get("lines"), list):
                executable = record.get("executable")
                return (
                    tuple(int(n) for n in record["lines"]),
                    tuple(int(n) for n in executable) if isinstance(executable, list) else None,
                )
    return None, None


def run_tests(
    source: str,
    *,
    language: str,
    tests: str,
    executor: Executor,
    limits: Limits = RUN_LIMITS,
) -> Probe:
    """Build ``source`` with ``tests`` appended (see the README's tests files) and run them:
    the check for a function with no earlier version to compare with (one written anew)."""
    lang = get_language(language)
    toolchain = lang.toolchain(executor.support)
    if toolchain.problem is not None:
        missing = Failure("missing-toolchain", toolchain.problem)
        return Probe(False, 0, 0, missing.describe(), missing)
    built = executor.build(lang.test_program(source, tests, executor.support))
    if not built.ok:
        broken = _build_failure(built)
        return Probe(False, 0, 0, f"it does not build with the tests: {broken.describe()}", broken)
    failing = classify(executor.run(built, [], limits), "test")
    if failing is not None:
        return Probe(False, 0, 0, f"the tests fail: {failing.describe()}", failing)
    return Probe(True, 0, 0, "the tests pass")


def _build_failure(built: Built) -> Failure:
    step = built.failure
    found = classify(step, "build") if step is not None else None
    return found or Failure("compile-error", "the build failed")


def time_cases(
    source: str,
    *,
    language: str,
    function: str,
    inputs: str,
    executor: Executor,
    limits: Limits = RUN_LIMITS,
) -> tuple[float, ...] | None:
    """Nanoseconds per call of each input on its own, in input order: which inputs cost the
    most. None when the language's driver cannot time cases one by one, or the run failed."""
    lang = get_language(language)
    if "cases" not in lang.optional_modes:
        return None
    driver = executor.build(lang.driver_program(source, function, inputs, executor.support))
    if not driver.ok:
        return None
    result = executor.run(driver, ["cases"], limits)
    if not result.ok:
        return None
    timings: dict[int, float] = {}
    for line in result.stdout.splitlines():
        with contextlib.suppress(ValueError, TypeError, KeyError):
            record = json.loads(line)
            timings[int(record["case"])] = float(record["ns_per_call"])
    return tuple(timings[i] for i in sorted(timings)) if timings else None
