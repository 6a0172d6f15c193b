"""HumanEval-X Rust: every canonical solution through test_program + Executor + namespace."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sandbox._executor import Executor
from sandbox._limits import Limits
from sandbox.humaneval_x import KNOWN_DATASET_BUGS, Problem, load_problems
from sandbox.humaneval_x._evaluate import evaluate
from tests.sandbox.languages._rust_support import rust_executor

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "humaneval-x"
LIMITS = Limits(wall_seconds=60, cpu_seconds=60)
# Upstream's Rust/32 test is inside /* ... */: nothing would be checked, so the harness
# refuses to call it a pass (see sandbox/humaneval_x/_known_bugs.py).
DATASET_BUGS = {t: b for t, b in KNOWN_DATASET_BUGS.items() if t.startswith("Rust/")}


@pytest.fixture(scope="module")
def problems() -> list[Problem]:
    return load_problems(DATA, "rust")


@pytest.fixture(scope="module")
def executor(tmp_path_factory: pytest.TempPathFactory) -> Executor:
    return rust_executor(tmp_path_factory.mktemp("rust-humaneval"))


def test_assembly_follows_upstream(problems: list[Problem]) -> None:
    assert len(problems) == 164
    first = problems[0]
    assert first.program.source.startswith("fn main(){}\n\nuse std::{slice::Iter")
    assert first.program.function == "has_close_elements"
    assert first.program.tests.lstrip().startswith("#[cfg(test)]")
    entry = {p.number: p.program.function for p in problems}
    assert (entry[10], entry[32], entry[38], entry[50]) == (
        "make_palindrome",
        "find_zero",
        "decode_cyclic",
        "decode_shift",
    )


@pytest.mark.slow
def test_all_canonical_solutions_pass(problems: list[Problem], executor: Executor) -> None:
    result = evaluate(problems, executor, LIMITS, workers=2, known_bugs=KNOWN_DATASET_BUGS)
    failed = {r.task_id: r.failure.describe() if r.failure else "" for r in result.failed}
    assert failed == {}
    assert {r.task_id for r in result.known_bugs} == set(DATASET_BUGS) == {"Rust/32"}
    assert result.passed == 164 - len(DATASET_BUGS)


def test_rust_32_is_reported_as_a_known_dataset_bug(
    problems: list[Problem], executor: Executor
) -> None:
    rust_32 = [p for p in problems if p.task_id == "Rust/32"]
    plain = evaluate(rust_32, executor, LIMITS)
    [refused] = plain.failed
    assert refused.status == "failed" and refused.failure is not None
    assert "no #[test] function outside comments" in refused.failure.message

    result = evaluate(rust_32, executor, LIMITS, known_bugs=KNOWN_DATASET_BUGS)
    assert result.failed == () and result.passed == 0
    [known] = result.known_bugs
    assert known.status == "known-dataset-bug"
    assert known.known_bug == KNOWN_DATASET_BUGS["Rust/32"].reason
    assert "commented out" in (known.known_bug or "")
    assert known.failure == refused.failure  # the failure itself is kept, with its message


ALTER = """
trait PerforchAlter { fn perforch_alter(self) -> Self; }
macro_rules! perforch_alter_numbers { ($($t:ty),*) => {$(
    impl PerforchAlter for $t { fn perforch_alter(self) -> Self { self + (1 as $t) } }
)*}; }
perforch_alter_numbers!(i32, i64, u32, usize, f32, f64);
impl PerforchAlter for bool { fn perforch_alter(self) -> Self { !self } }
impl PerforchAlter for String { fn perforch_alter(mut self) -> Self { self.push('#'); self } }
impl<T: Default> PerforchAlter for Vec<T> {
    fn perforch_alter(mut self) -> Self { self.push(T::default()); self }
}
"""
ALTERABLE = {"i32", "i64", "f32", "f64", "bool", "String", "Vec<i32>", "Vec<String>"}


def altered(problem: Problem) -> str | None:
    """The canonical solution with its return value changed, or None for other return types:
    the entry function is renamed and a wrapper with its signature alters what it returns."""
    name = problem.program.function
    source = problem.program.source
    signature = re.search(rf"fn\s+{name}\s*\((.*?)\)\s*->\s*([^{{]+?)\s*\{{", source, re.S)
    if signature is None or signature.group(2) not in ALTERABLE:
        return None
    parameters = [p for p in signature.group(1).split(",") if p.strip()]
    names = [p.split(":")[0].replace("mut ", "").strip() for p in parameters]
    if any("<" in p and ">" not in p for p in parameters):  # a comma inside a generic type
        return None
    renamed = re.sub(rf"\bfn\s+{name}\b", f"fn perforch_original_{name}", source, count=1)
    return (
        f"{renamed}\n{ALTER}\nfn {name}({signature.group(1)}) -> {signature.group(2)} {{\n"
        f"    perforch_original_{name}({', '.join(names)}).perforch_alter()\n}}\n"
    )


@pytest.mark.slow
def test_solutions_with_altered_return_values_fail(
    problems: list[Problem], executor: Executor
) -> None:
    chosen = [p for p in problems if altered(p) is not None and p.task_id not in DATASET_BUGS]
    sample = chosen[:: max(1, len(chosen) // 16)]
    assert len(sample) >= 12

    def solution(problem: Problem) -> str:
        text = altered(problem)
        assert text is not None
        return text

    result = evaluate(sample, executor, LIMITS, solution=solution, workers=2)
    kinds = {r.task_id: r.failure.kind if r.failure else "passed" for r in result.results}
    assert set(kinds.values()) == {"test-failed"}, kinds
