"""Build and test HumanEval-X solutions, in parallel, with per-problem verdicts."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Literal, Protocol, runtime_checkable

from sandbox._executor import Built, Executor
from sandbox._failures import Failure, classify
from sandbox._limits import Limits
from sandbox.humaneval_x import KnownBug, Problem
from sandbox.languages import Language, get_language
from sandbox.languages._protocol import Support, TestBatch

Status = Literal["passed", "failed", "known-dataset-bug"]


@dataclass(frozen=True)
class ProblemResult:
    task_id: str
    passed: bool
    failure: Failure | None
    seconds: float
    cached_build: bool
    # The reason, when the task failed the way a known dataset bug makes it fail.
    known_bug: str | None = None

    @property
    def status(self) -> Status:
        if self.passed:
            return "passed"
        return "failed" if self.known_bug is None else "known-dataset-bug"


@dataclass(frozen=True)
class LanguageResult:
    language: str
    results: tuple[ProblemResult, ...]
    seconds: float
    toolchain: str

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.results)

    @property
    def failed(self) -> tuple[ProblemResult, ...]:
        """The failures, except those a known dataset bug explains."""
        return tuple(r for r in self.results if r.status == "failed")

    @property
    def known_bugs(self) -> tuple[ProblemResult, ...]:
        """The failures a known dataset bug explains."""
        return tuple(r for r in self.results if r.status == "known-dataset-bug")


def evaluate(
    problems: Sequence[Problem],
    executor: Executor,
    limits: Limits,
    *,
    solution: Callable[[Problem], str] | None = None,
    workers: int = 2,
    progress: Callable[[ProblemResult], None] | None = None,
    known_bugs: Mapping[str, KnownBug] | None = None,
) -> LanguageResult:
    """Test each problem's solution (``solution(problem)``, default the canonical source).

    A failure that ``known_bugs`` (e.g. ``KNOWN_DATASET_BUGS``, for canonical solutions)
    explains gets that bug's reason as ``known_bug``: it stays out of ``failed``.
    """
    bugs = known_bugs or {}
    if not problems:
        raise ValueError("no problems to evaluate")
    language = get_language(problems[0].language)
    toolchain = language.toolchain(executor.support)
    started = time.perf_counter()

    sources = {p.task_id: solution(p) if solution else p.program.source for p in problems}
    batched = {} if toolchain.problem else _batch_builds(language, problems, sources, executor)

    def one(problem: Problem) -> ProblemResult:
        begun = time.perf_counter()
        built, args = batched.get(problem.task_id) or (None, ())
        if built is None:
            source = sources[problem.task_id]
            program = language.test_program(source, problem.program.tests, executor.support)
            built = executor.build(program)
        failure: Failure | None
        if not built.ok:
            failure = (classify(built.failure, "build") if built.failure else None) or Failure(
                "compile-error", "the build failed"
            )
        else:
            failure = classify(executor.run(built, list(args), limits), "test")
        bug = bugs.get(problem.task_id)
        result = ProblemResult(
            problem.task_id,
            failure is None,
            failure,
            time.perf_counter() - begun,
            built.cached,
            bug.reason if bug is not None and bug.explains(failure) else None,
        )
        if progress is not None:
            progress(result)
        return result

    if toolchain.problem is not None:
        missing = Failure("missing-toolchain", toolchain.problem)
        results = tuple(ProblemResult(p.task_id, False, missing, 0.0, False) for p in problems)
    else:
        with ThreadPoolExecutor(max_workers=workers) as pool:
            results = tuple(pool.map(one, problems))
    return LanguageResult(
        language.name,
        results,
        time.perf_counter() - started,
        f"{toolchain.tool} {toolchain.version or ''}".strip(),
    )


@runtime_checkable
class _Batching(Protocol):
    def test_batch(
        self, items: Sequence[tuple[str, str]], support: Support
    ) -> TestBatch | None: ...


def _batch_builds(
    language: Language, problems: Sequence[Problem], sources: dict[str, str], executor: Executor
) -> dict[str, tuple[Built, tuple[str, ...]]]:
    """One build for many problems, when the language offers it (javac's start-up dominates a
    small build). Problems a failed batch build blames are left out (each is then built alone,
    for its own message) and the rest batched once more; failing that, all are built alone."""
    if not isinstance(language, _Batching) or len(problems) < 2:
        return {}
    pending = list(problems)
    for _attempt in range(2):
        items = [(sources[p.task_id], p.program.tests) for p in pending]
        batch = language.test_batch(items, executor.support)
        if batch is None:
            return {}
        built = executor.build(batch.program)
        if built.ok:
            return {
                p.task_id: (built, args) for p, args in zip(pending, batch.run_args, strict=True)
            }
        output = f"{built.failure.stdout}\n{built.failure.stderr}" if built.failure else ""
        blamed = {i for i, files in enumerate(batch.sources) if any(f in output for f in files)}
        if not blamed or len(blamed) == len(pending):
            return {}
        pending = [p for i, p in enumerate(pending) if i not in blamed]
    return {}
