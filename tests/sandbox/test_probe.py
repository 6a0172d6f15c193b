"""probe: do inputs (and tests) run on one version? Real builds and runs in the sandbox."""

from __future__ import annotations

from sandbox import Executor, Probe, probe, run_tests, time_cases

SOURCE = "def half(x):\n    return 10 // x\n"


def run(executor: Executor, inputs: str, tests: str | None = None) -> Probe:
    return probe(
        SOURCE, language="python", function="half", inputs=inputs, tests=tests, executor=executor
    )


def test_inputs_that_run_are_counted_with_the_ones_that_raise(executor: Executor) -> None:
    result = run(executor, "INPUTS = [(1,), (2,), (0,)]\n")
    assert result.ok and (result.cases, result.raising) == (3, 1)
    assert result.first_raising == "case 2: ZeroDivisionError: integer division or modulo by zero"


def test_inputs_that_do_not_build_say_so(executor: Executor) -> None:
    result = run(executor, "INPUTS = [\n")
    assert not result.ok and result.summary.startswith("the inputs do not build")


def test_failing_tests_and_empty_inputs_are_refused(executor: Executor) -> None:
    failing = run(executor, "INPUTS = [(1,)]\n", tests="assert half(1) == 3\n")
    assert not failing.ok and failing.summary.startswith("the tests fail: test-failed")
    empty = run(executor, "INPUTS = []\n")
    assert not empty.ok and "no cases" in empty.summary


def test_python_reports_the_lines_the_inputs_run(executor: Executor) -> None:
    source = "def sign(x):\n    if x > 0:\n        return 1\n    return -1\n"
    positive = probe(
        source,
        language="python",
        function="sign",
        inputs="INPUTS = [(5,)]\n",
        tests=None,
        executor=executor,
    )
    assert positive.covered_lines == (2, 3)
    both = probe(
        source,
        language="python",
        function="sign",
        inputs="INPUTS = [(5,), (-5,)]\n",
        tests=None,
        executor=executor,
    )
    assert both.covered_lines == (2, 3, 4)


def test_each_input_is_timed_on_its_own(executor: Executor) -> None:
    source = "def total(xs):\n    return sum(xs)\n"
    inputs = "INPUTS = [([1],), (list(range(200000)),), ([],)]\n"
    timings = time_cases(
        source, language="python", function="total", inputs=inputs, executor=executor
    )
    assert timings is not None and len(timings) == 3
    assert timings[1] > 20 * max(timings[0], timings[2])


SIGN_CPP = """int sign(int x) {
    if (x > 0) {
        return 1;
    }
    return -1;
}
"""
SIGN_GO = """package sign

func Sign(x int) int {
\tif x > 0 {
\t\treturn 1
\t}
\treturn -1
}
"""


def test_cpp_reports_the_lines_the_inputs_run_and_the_lines_with_code(
    executor: Executor,
) -> None:
    inputs = "template <class Call> void perforch_inputs(Call&& call) {\n    call(5);\n}\n"
    checked = probe(
        SIGN_CPP, language="cpp", function="sign", inputs=inputs, tests=None, executor=executor
    )
    assert checked.ok, checked.summary
    assert checked.covered_lines is not None and checked.executable_lines is not None
    assert {2, 3} <= set(checked.covered_lines) and 5 not in checked.covered_lines
    assert 5 in checked.executable_lines and 4 not in checked.executable_lines  # a lone `}`


def test_go_reports_the_lines_the_inputs_run(executor: Executor) -> None:
    inputs = "package sign\n\nvar perforchInputs = [][]any{{5}}\n"
    checked = probe(
        SIGN_GO, language="go", function="Sign", inputs=inputs, tests=None, executor=executor
    )
    assert checked.ok, checked.summary
    assert checked.covered_lines is not None and checked.executable_lines is not None
    assert {4, 5} <= set(checked.covered_lines) and 7 not in checked.covered_lines
    assert 7 in checked.executable_lines


def test_run_tests_says_whether_the_tests_pass_on_one_version(executor: Executor) -> None:
    source = "def double(x):\n    return 2 * x\n"
    passing = run_tests(
        source, language="python", tests="assert double(2) == 4\n", executor=executor
    )
    assert passing.ok and passing.summary == "the tests pass"
    failing = run_tests(
        source, language="python", tests="assert double(2) == 5\n", executor=executor
    )
    assert not failing.ok and failing.summary.startswith("the tests fail")
    assert failing.failure is not None
    broken = run_tests(
        SIGN_CPP,
        language="cpp",
        tests="int main() { return sign(1) == nope; }\n",
        executor=executor,
    )
    assert not broken.ok and broken.summary.startswith("it does not build with the tests")
    assert "nope" in broken.summary
