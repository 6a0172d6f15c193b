from __future__ import annotations

import re
from pathlib import Path

import pytest

from sandbox import RUN_LIMITS, Executor
from sandbox.humaneval_x import Problem, load_problems
from sandbox.humaneval_x._evaluate import evaluate

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "humaneval-x"

# The entry method is renamed and wrapped so that whatever it returns comes back altered
# (negated, shifted, extended, emptied): a harness that accepts these is not checking anything.
ALTER = """
    @SuppressWarnings("unchecked")
    static <T> T perforchAlter(T result) {
        Object v = result;
        if (v instanceof Boolean) v = !(Boolean) v;
        else if (v instanceof Integer) v = (Integer) v + 1;
        else if (v instanceof Long) v = (Long) v + 1;
        else if (v instanceof Double) v = (Double) v + 1;
        else if (v instanceof String) v = v + "?";
        else if (v instanceof List) {
            List<Object> l = new ArrayList<>((List<Object>) v);
            l.add(null);
            v = l;
        } else if (v instanceof Optional) {
            v = ((Optional<?>) v).isPresent() ? Optional.empty() : Optional.of(1);
        } else if (v instanceof Map) {
            Map<Object, Object> m = new HashMap<>((Map<Object, Object>) v);
            m.put("?", 0);
            v = m;
        }
        else v = null;
        return (T) v;
    }
"""
_SIGNATURE = re.compile(r"public\s+(.+?)\s+(\w+)\((.*)\)\s*(throws [\w., ]+)?\s*\{\s*$")


def altered(problem: Problem) -> str:
    """The canonical solution with its entry method returning something else."""
    last = problem.record["declaration"].rstrip().splitlines()[-1]
    match = _SIGNATURE.search(last)
    assert match is not None, last
    returns, name, params, throws = match.groups()
    args = ", ".join(p.split()[-1] for p in re.split(r",(?![^<]*>)", params) if p.strip())
    source = problem.program.source
    assert source.count(f" {name}({params})") == 1, problem.task_id
    source = source.replace(f" {name}({params})", f" {name}Original({params})")
    wrapper = (
        f"    public {returns} {name}({params}) {throws or ''} {{\n"
        f"        return perforchAlter({name}Original({args}));\n    }}\n"
    )
    end = source.rstrip().rindex("}")
    return source[:end] + wrapper + ALTER + source[end:]


@pytest.mark.slow
def test_all_canonical_solutions_pass(executor: Executor) -> None:
    problems = load_problems(DATA, "java")
    assert len(problems) == 164
    result = evaluate(problems, executor, RUN_LIMITS)
    assert [(r.task_id, r.failure) for r in result.failed] == []


def test_altered_solutions_fail(executor: Executor) -> None:
    problems = load_problems(DATA, "java")[::8]
    result = evaluate(problems, executor, RUN_LIMITS, solution=altered)
    assert [r.task_id for r in result.results if r.passed] == []
    assert {r.failure.kind for r in result.results if r.failure} == {"test-failed"}


def test_failures_in_a_batch_are_attributed_to_their_own_problems(executor: Executor) -> None:
    problems = load_problems(DATA, "java")[20:26]
    broken = problems[2].program.source.replace("return", "retrun", 1)
    solutions = {problems[1].task_id: altered(problems[1]), problems[2].task_id: broken}

    result = evaluate(
        problems,
        executor,
        RUN_LIMITS,
        solution=lambda p: solutions.get(p.task_id, p.program.source),
    )

    kinds = {r.task_id: r.failure.kind if r.failure else "passed" for r in result.results}
    assert kinds == {
        "Java/20": "passed",
        "Java/21": "test-failed",
        "Java/22": "compile-error",
        "Java/23": "passed",
        "Java/24": "passed",
        "Java/25": "passed",
    }
    failure = result.results[2].failure
    assert failure is not None and "Solution.java:" in failure.message
    assert "p0/" not in failure.message and "p1/" not in failure.message  # its own build


def test_assembly_names_the_entry_method_of_solution() -> None:
    problems = load_problems(DATA, "java")
    assert problems[0].program.function == "Solution.hasCloseElements"
    assert problems[32].program.function == "Solution.findZero"  # after the helper poly
    assert problems[0].program.source.startswith("import java.util.*;")
    assert problems[0].program.tests.startswith("public class Main")
