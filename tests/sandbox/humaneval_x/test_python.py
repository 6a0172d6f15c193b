from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import RUN_LIMITS, Executor
from sandbox.humaneval_x import load_problems
from sandbox.humaneval_x._evaluate import evaluate

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "humaneval-x"

# Wraps the entry function so that whatever it returns comes back altered (negated, shifted,
# extended): a harness that accepts these is not checking anything.
ALTER = """

_perforch_original = {name}
def {name}(*args, **kwargs):
    result = _perforch_original(*args, **kwargs)
    if isinstance(result, bool):
        return not result
    if isinstance(result, (int, float)):
        return result + 1
    if isinstance(result, str):
        return result + "?"
    if isinstance(result, (list, tuple)):
        return type(result)(list(result) + [None])
    return "altered"
"""


@pytest.mark.slow
def test_all_canonical_solutions_pass(executor: Executor) -> None:
    problems = load_problems(DATA, "python")
    assert len(problems) == 164
    result = evaluate(problems, executor, RUN_LIMITS)
    assert [(r.task_id, r.failure) for r in result.failed] == []


def test_altered_solutions_fail(executor: Executor) -> None:
    problems = load_problems(DATA, "python")[::8]
    result = evaluate(
        problems,
        executor,
        RUN_LIMITS,
        solution=lambda p: p.program.source + ALTER.format(name=p.program.function),
    )
    assert result.passed == 0
    assert {r.failure.kind for r in result.results if r.failure} == {"test-failed"}


def test_assembly_keeps_the_upstream_import_block() -> None:
    problem = load_problems(DATA, "python")[0]
    assert problem.program.source.startswith("import math\n")
    assert "import numpy as np" in problem.program.source
    assert problem.program.function == "has_close_elements"
