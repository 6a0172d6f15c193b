"""Timing inputs taken from HumanEval-X's own tests: only calls with literal arguments."""

from __future__ import annotations

from pathlib import Path

import pytest

from perforch_bot.profiling import inputs_from_tests
from sandbox import Executor, probe
from sandbox.humaneval_x import Problem, load_problems
from tests.perforch_bot.profiling.support import DATA


def problem(language: str, number: int) -> Problem:
    return load_problems(DATA, language)[number]


def test_python_calls_of_the_checked_function_become_inputs() -> None:
    text = inputs_from_tests(problem("python", 0))
    assert text is not None
    assert text.startswith("INPUTS = [\n")
    assert "    ([1.0, 2.0, 3.9, 4.0, 5.0, 2.2], 0.3),\n" in text
    assert text.count("),\n") == 7  # seven asserts, seven distinct calls


def test_cpp_leaves_out_calls_on_variables_of_the_test() -> None:
    text = inputs_from_tests(problem("cpp", 0))
    assert text is not None
    assert "call(a, 0.3)" not in text  # `a` is a local of the test's main
    assert "    call({1.0, 2.0, 5.9, 4.0, 5.0}, 0.95);\n" in text
    assert text.startswith("template <class Call>\nvoid perforch_inputs(Call&& call) {\n")


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("go", "\t{[]float64{1.0, 2.0, 5.9, 4.0, 5.0}, 0.95},\n"),
        (
            "java",
            "cases.add(new Object[] {new ArrayList<>(Arrays.asList(1.0, 2.0, 5.9, 4.0, 5.0)), "
            "0.95});",
        ),
        ("rust", "        (vec![1.0, 2.0, 5.9, 4.0, 5.0], 0.95),\n"),
    ],
)
def test_other_languages_write_their_inputs_format(language: str, expected: str) -> None:
    text = inputs_from_tests(problem(language, 0))
    assert text is not None
    assert expected in text
    if language == "rust":
        assert "fn perforch_inputs() -> Vec<(Vec<f32>, f32)>" in text


def test_calls_with_computed_arguments_are_left_out() -> None:
    text = inputs_from_tests(problem("python", 53))  # add(x, y) with random x, y too
    assert text is not None
    assert "(0, 1)," in text and "x" not in text.replace("INPUTS", "")


def test_the_inputs_run_on_the_canonical_solution(executor: Executor, tmp_path: Path) -> None:
    chosen = problem("python", 55)
    text = inputs_from_tests(chosen)
    assert text is not None
    checked = probe(
        chosen.program.source,
        language="python",
        function=chosen.program.function,
        inputs=text,
        tests=None,
        executor=executor,
    )
    assert checked.ok and checked.cases == 5 and checked.raising == 0
