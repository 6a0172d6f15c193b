"""compare() end to end on real Python programs in the real sandbox."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from sandbox import Budget, Executor, Limits, Workload, WorkloadError, compare
from sandbox.languages import Program, Support, python
from tests.support.sandbox import make_executor

OLD = """
def dedupe(items):
    seen = []
    for item in items:
        if item not in seen:
            seen.append(item)
    return seen
"""
FAST = "def dedupe(items):\n    return list(dict.fromkeys(items))\n"
INPUTS = """
import random
_rng = random.Random(7)
INPUTS = [([_rng.randrange(300) for _ in range(1500)],), ([],), ([2, 1, 2],)]
"""
TESTS = "assert dedupe([2, 1, 2]) == [2, 1]\n"
WORKLOAD = Workload("dedupe", inputs=INPUTS, tests=TESTS)
QUICK = Budget(max_seconds=20)


def run(executor: Executor, new: str, workload: Workload = WORKLOAD, **kwargs: object):  # type: ignore[no-untyped-def]
    return compare(OLD, new, language="python", workload=workload, executor=executor, **kwargs)  # type: ignore[arg-type]


def test_a_much_faster_version_is_faster_with_an_interval(executor: Executor) -> None:
    result = run(executor, FAST, budget=QUICK)
    assert result.status == "faster", result.summary
    assert result.correctness.ok and result.correctness.tests_run
    timing = result.timing
    assert timing is not None
    assert timing.interval_95.high < 1 / 1.03
    assert result.speedup is not None and result.speedup > 5
    assert timing.aa is not None  # the A/A guard ran
    versions = {run.version for run in timing.runs}
    assert versions == {"old", "new", "copy"}
    # Side by side: one process per block held all three versions, so no sample needed
    # setting aside; peak RSS comes from the processes that ran one version alone.
    assert timing.together and all(run.together for run in timing.runs)
    assert len({run.block for run in timing.runs}) * 3 == len(timing.runs)
    assert timing.state is None and not timing.set_aside
    assert {run.version for run in timing.alone} == {"old", "new"}
    assert timing.median("old", "peak") > 0 and timing.median("new", "peak") > 0
    assert "side by side" in result.summary and "side by side" in str(result.provenance["method"])
    assert result.provenance["old_sha256"] != result.provenance["new_sha256"]
    assert result.provenance["inputs"] == INPUTS


def test_a_version_changing_what_versions_share_is_timed_in_processes_of_its_own(
    executor: Executor,
) -> None:
    # Side by side, old would run without the garbage collector too.
    result = run(executor, "import gc\ngc.disable()\n" + FAST, budget=QUICK)
    assert result.status == "faster", result.summary
    timing = result.timing
    assert timing is not None and not timing.together
    assert timing.separate_because is not None and "gc.isenabled()" in timing.separate_because
    assert "timed in separate processes" in result.summary
    assert "side by side" not in str(result.provenance["method"])
    # Processes of their own time the reference loop, so slow spells can be set aside.
    assert all(len(run.ref_ns) == len(run.ns_per_pass) for run in timing.runs)
    assert timing.state is not None and timing.state.limit > 0
    assert all(run.peak_rss_kb > 0 for run in timing.runs)


def test_versions_that_do_not_build_side_by_side_are_timed_apart(
    executor: Executor, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = python.paired_program

    def unbuildable(old: str, new: str, function: str, inputs: str, support: Support) -> Program:
        program = real(old, new, function, inputs, support)
        failing = (program.build[0][0], "-c", "import sys; sys.exit('no room for two')")
        return replace(program, build=(failing,))

    monkeypatch.setattr(python, "paired_program", unbuildable)
    result = run(executor, FAST, budget=QUICK)
    assert result.status == "faster", result.summary
    assert result.timing is not None and not result.timing.together
    assert "did not build side by side" in result.summary and "no room for two" in result.summary


def test_identical_code_is_never_called_faster_or_slower(executor: Executor) -> None:
    result = run(executor, OLD, budget=Budget(max_seconds=8))
    assert result.status in ("unchanged", "inconclusive"), result.summary


def test_a_wrong_result_is_incorrect_with_the_input_named(executor: Executor) -> None:
    wrong = "def dedupe(items):\n    return sorted(set(items))\n"
    result = run(executor, wrong, workload=Workload("dedupe", inputs=INPUTS))
    assert result.status == "incorrect"
    assert result.timing is None
    assert result.correctness.differential is not None
    assert any("input #0" in p for p in result.correctness.problems)


def test_mutating_an_argument_is_incorrect(executor: Executor) -> None:
    mutating = (
        "def dedupe(items):\n    r = list(dict.fromkeys(items))\n    items.clear()\n    return r\n"
    )
    result = run(executor, mutating, workload=Workload("dedupe", inputs=INPUTS))
    assert result.status == "incorrect"
    assert result.correctness.differential is not None
    assert {m.field for m in result.correctness.differential.mismatches} == {"args"}


def test_a_different_exception_is_incorrect(executor: Executor) -> None:
    inputs = "INPUTS = [(None,)]\n"
    raising = "def dedupe(items):\n    raise ValueError('no')\n"
    result = run(executor, raising, workload=Workload("dedupe", inputs=inputs))
    assert result.status == "incorrect"  # old raises TypeError on None


def test_a_new_version_that_does_not_build_is_incorrect(executor: Executor) -> None:
    result = run(executor, "def dedupe(items:\n    pass\n")
    assert result.status == "incorrect"
    assert result.correctness.failure is not None
    assert result.correctness.failure.kind == "compile-error"
    assert "SyntaxError" in result.correctness.failure.message


def test_failing_tests_on_the_old_version_are_an_error_not_a_verdict(executor: Executor) -> None:
    result = run(executor, FAST, workload=Workload("dedupe", INPUTS, "assert dedupe([1]) == []"))
    assert result.status == "error"
    assert "fail on the old version" in result.summary


def test_a_new_version_failing_the_tests_is_incorrect(executor: Executor) -> None:
    result = run(executor, "def dedupe(items):\n    return items\n")
    assert result.status == "incorrect"
    assert result.correctness.failure is not None
    assert result.correctness.failure.kind == "test-failed"


def test_a_crash_is_incorrect_and_named(executor: Executor) -> None:
    crashing = "import os\ndef dedupe(items):\n    os.abort()\n"
    result = run(executor, crashing, workload=Workload("dedupe", inputs=INPUTS))
    assert result.status == "incorrect"
    assert result.correctness.failure is not None
    assert result.correctness.failure.kind == "crash"
    assert "SIGABRT" in result.correctness.failure.message


def test_an_endless_loop_times_out(executor: Executor) -> None:
    looping = "def dedupe(items):\n    while True:\n        pass\n"
    result = run(
        executor,
        looping,
        workload=Workload("dedupe", inputs=INPUTS),
        limits=Limits(wall_seconds=2, cpu_seconds=10),
    )
    assert result.status == "incorrect"
    assert result.correctness.failure is not None
    assert result.correctness.failure.kind == "timeout"


def test_tests_alone_check_correctness_without_a_timing_claim(executor: Executor) -> None:
    result = run(executor, FAST, workload=Workload("dedupe", tests=TESTS))
    assert result.status == "inconclusive"
    assert result.correctness.ok
    assert "nothing was timed" in result.summary


def test_no_workload_is_a_clear_error(executor: Executor) -> None:
    with pytest.raises(WorkloadError, match="inputs file"):
        run(executor, FAST, workload=Workload("dedupe"))


SUM_CPP = """long long total(int n) {
    long long s = 0;
    for (int i = 0; i < n; ++i) s += i % 7;
    return s;
}
"""
SUM_CPP_INPUTS = "template <class Call> void perforch_inputs(Call&& call) {\n    call(20000);\n}\n"


@pytest.mark.parametrize(
    ("language", "old", "workload", "builds"),
    [
        # old, new, and the build timing them side by side, with old's source again as a
        # module of its own for the copy (the interpreter reads sources as data)
        ("python", OLD, Workload("dedupe", inputs=INPUTS), 3),
        # old, new and a copy of its own: where machine code's pages land can change its speed
        ("cpp", SUM_CPP, Workload("total", inputs=SUM_CPP_INPUTS), 3),
    ],
)
def test_the_aa_copy_has_a_build_of_its_own_only_for_machine_code(
    tmp_path: Path, language: str, old: str, workload: Workload, builds: int
) -> None:
    executor = make_executor(tmp_path)
    new = old.replace("return", "return 0 +" if language == "cpp" else "return list() +", 1)
    result = compare(
        old,
        new,
        language=language,
        workload=workload,
        executor=executor,
        budget=Budget(max_seconds=3),
    )
    assert result.timing is not None, result.summary
    assert {run.version for run in result.timing.runs} == {"old", "new", "copy"}
    assert len(list((tmp_path / "builds").glob("*/*"))) == builds
    # Python times the versions side by side; C++ in processes of their own, keeping every
    # sample (only Python's driver times a reference loop, used when its versions are apart).
    assert result.timing.together == (language == "python")
    assert not any(run.ref_ns for run in result.timing.runs)
    assert result.timing.state is None
