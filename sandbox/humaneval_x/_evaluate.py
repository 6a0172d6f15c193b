"""Build and test HumanEval-X solutions, in parallel, with per-problem verdicts."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from sandbox._executor import Executor
from sandbox._failures import Failure, classify
from sandbox._limits import Limits
from sandbox.humaneval_x import Problem
from sandbox.languages import get_language


@dataclass(frozen=True)
class ProblemResult:
    task_id: str
    passed: bool
    failure: Failure | None
    seconds: float
    cached_build: bool


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
        return tuple(r for r in self.results if not r.passed)


def evaluate(
    problems: Sequence[Problem],
    executor: Executor,
    limits: Limits,
    *,
    solution: Callable[[Problem], str] | None = None,
    workers: int = 2,
    progress: Callable[[ProblemResult], None] | None = None,
) -> LanguageResult:
    """Test each problem's solution (``solution(problem)``, default the canonical source)."""
    if not problems:
        raise ValueError("no problems to evaluate")
    language = get_language(problems[0].language)
    toolchain = language.toolchain(executor.support)
    started = time.perf_counter()

    def one(problem: Problem) -> ProblemResult:
        begun = time.perf_counter()
        source = solution(problem) if solution else problem.program.source
        program = language.test_program(source, problem.program.tests, executor.support)
        built = executor.build(program)
        failure: Failure | None
        if not built.ok:
            failure = (classify(built.failure, "build") if built.failure else None) or Failure(
                "compile-error", "the build failed"
            )
        else:
            failure = classify(executor.run(built, [], limits), "test")
        result = ProblemResult(
            problem.task_id, failure is None, failure, time.perf_counter() - begun, built.cached
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
