from __future__ import annotations

import re
from pathlib import Path

import pytest

from sandbox import RUN_LIMITS, Executor, Support
from sandbox.humaneval_x import Problem, load_problems
from sandbox.humaneval_x._evaluate import evaluate
from sandbox.languages import cpp

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "humaneval-x"

# Whatever the entry function returns comes back altered (negated, shifted, extended): the tests
# call the wrapper, which has the entry function's own signature, so braced-list arguments
# still convert. A harness that accepts these is not checking anything.
ALTER = """
#include <type_traits>
template <class T> T perforch_alter(T value) {
    if constexpr (std::is_same_v<T, bool>) return !value;
    else if constexpr (std::is_arithmetic_v<T>) return value + 1;
    else if constexpr (std::is_same_v<T, std::string>) return value + "?";
    else { value.push_back(typename T::value_type{}); return value; }
}
@RETURNS@ perforch_altered(@PARAMETERS@) { return perforch_alter(@NAME@(@ARGUMENTS@)); }
#define @NAME@ perforch_altered
"""
_HEAD = re.compile(r"([\w:<>, ]+?)\s+(\w+)\s*\(([^(){};]*)\)\s*\{")


def altered(problem: Problem) -> str:
    returns, name, parameters = _HEAD.findall(problem.record["prompt"])[-1]
    assert name == problem.program.function
    arguments = [re.findall(r"\w+", p)[-1] for p in _split(parameters)]
    wrapper = (
        ALTER.replace("@RETURNS@", returns.strip())
        .replace("@PARAMETERS@", parameters)
        .replace("@NAME@", name)
        .replace("@ARGUMENTS@", ", ".join(arguments))
    )
    return problem.program.source + wrapper


def _split(parameters: str) -> list[str]:
    """Parameters at depth 0 (``map<string,int> a, int b`` is two)."""
    parts, depth, current = [], 0, ""
    for char in parameters:
        depth += {"<": 1, ">": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [p for p in [*parts, current] if p.strip()]


@pytest.fixture(scope="module", autouse=True)
def cpp_support(support: Support) -> Support:
    assert cpp.setup(support) == []
    return support


@pytest.mark.slow
def test_all_canonical_solutions_pass(executor: Executor) -> None:
    problems = load_problems(DATA, "cpp")
    assert len(problems) == 164
    result = evaluate(problems, executor, RUN_LIMITS)
    assert [(r.task_id, r.failure) for r in result.failed] == []


def test_altered_solutions_fail(executor: Executor) -> None:
    problems = load_problems(DATA, "cpp")[::8]
    result = evaluate(problems, executor, RUN_LIMITS, solution=altered)
    assert result.passed == 0
    # A failed assert() aborts the program.
    assert {r.failure.kind for r in result.results if r.failure} == {"crash"}
    assert all("Assertion" in r.failure.message for r in result.results if r.failure)


def test_assembly_adds_the_harness_includes_and_finds_the_entry_function() -> None:
    problems = {p.number: p for p in load_problems(DATA, "cpp")}
    first = problems[0].program
    assert first.function == "has_close_elements"
    assert first.source.startswith("#include<stdlib.h>\n#include<algorithm>\n")
    assert "#include<stdio.h>\n#include<vector>\n#include<math.h>" in first.source  # the prompt's
    assert first.source.count("#include<stdio.h>") == 1  # not repeated
    assert first.tests.startswith("#undef NDEBUG")
    # Helpers come first in these four; the entry function is the last definition.
    assert [problems[n].program.function for n in (10, 32, 38, 50)] == [
        "make_palindrome",
        "find_zero",
        "decode_cyclic",
        "decode_shift",
    ]
