"""One function through generate -> validate -> fix -> refine -> benchmark, with rollback.

Every candidate is validated in the sandbox against a version already known to be correct: the
original for generate and fix, the last kept version for refine. A refine round that breaks the
code or does not make it measurably faster is rolled back. The result is the original unless
the last kept version is correct and, measured against the original, ``faster``: PerfOrch never
returns code that is wrong, slower, or not benchmarked.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from perforch_bot.categories import classify_function
from perforch_bot.llm import CostCapReached, CostTracker, LLMError, LLMRequest, Message
from perforch_bot.llm import complete_with_fallback as ask_models
from perforch_bot.pipeline import _prompts as prompts
from perforch_bot.pipeline._config import PipelineConfig, Progress, Task
from perforch_bot.pipeline._imports import add_imports
from perforch_bot.pipeline._report import duration_text
from perforch_bot.pipeline._trace import (
    AttemptOutcome,
    AttemptTrace,
    CallTrace,
    FunctionTrace,
    Result,
    TimingTrace,
    WorkloadTrace,
)
from perforch_bot.pipeline._workload import ModelAsker, workload_for
from perforch_bot.replies import Rejection, parse_reply
from perforch_bot.targets import unified_diff
from sandbox import Comparison, Executor, Workload, compare, time_cases

_CORRECT = frozenset({"faster", "slower", "unchanged", "inconclusive"})


@dataclass(frozen=True)
class _Version:
    """A correct version: the function as the model wrote it, and its whole file."""

    code: str
    file: str
    against_original: Comparison | None  # None once refined (measured against a newer one)


@dataclass(frozen=True)
class _NoVersion:
    """Why no correct version came out of generate and fix; ``judged`` is False when the
    sandbox could not judge at all (a missing toolchain, an original that does not build)."""

    reason: str
    judged: bool = True


@dataclass(frozen=True)
class _Answer:
    """A model's reply to one stage round, parsed: the new file, or why there is none."""

    model: str | None
    recorded: bool
    calls: tuple[CallTrace, ...]
    code: str | None = None
    file: str | None = None
    problem: str | None = None
    out_of_budget: bool = False


@dataclass(frozen=True)
class FunctionResult:
    trace: FunctionTrace
    file: bytes | None  # the whole new file when the function was improved


class FunctionRun:
    """The state of one function's pipeline; ``run()`` returns its trace."""

    def __init__(
        self,
        task: Task,
        *,
        config: PipelineConfig,
        executor: Executor,
        costs: CostTracker,
        progress: Progress | None = None,
    ) -> None:
        self.task = task
        self.function = task.function
        self.config = config
        self.executor = executor
        self.costs = costs
        self.say = progress or (lambda _message: None)
        self.category = classify_function(task.function).category
        self.original = task.source.decode()
        self.attempts: list[AttemptTrace] = []
        self.out_of_budget = False
        self.inputs: str | None = None  # the workload's inputs, shown to the models

    def run(self) -> FunctionResult:
        spec = self.function.spec
        asker = ModelAsker(self.config, self.costs, self.category)
        workload, workload_trace, attempts = workload_for(
            self.task, asker=asker, executor=self.executor, say=self.say
        )
        self.attempts.extend(attempts)
        if workload is None:
            trace = self._finish("skipped", workload_trace.note, workload_trace=workload_trace)
            return FunctionResult(trace, None)
        self.inputs = workload.inputs
        kept = self._generate_and_fix(workload)
        if isinstance(kept, _NoVersion):
            result: Literal["rolled-back", "error"] = "rolled-back" if kept.judged else "error"
            trace = self._finish(result, kept.reason, workload_trace=workload_trace)
            return FunctionResult(trace, None)
        kept = self._refine(kept, workload)
        final = kept.against_original
        if final is None:
            self.say(f"{spec}: benchmarking the final version against the original")
            final = self._compare(self.original, kept.file, workload)
        timing = TimingTrace.of(final)
        if final.status != "faster":
            trace = self._finish(
                "rolled-back",
                f"the best correct version is not measurably faster than the original "
                f"({final.summary}); the original is kept",
                workload_trace=workload_trace,
                final=timing,
            )
            return FunctionResult(trace, None)
        patch = unified_diff(self.function.path, self.task.source, kept.file.encode())
        trace = self._finish(
            "improved",
            final.summary,
            workload_trace=workload_trace,
            final=timing,
            code=kept.code,
            patch=patch,
        )
        return FunctionResult(trace, kept.file.encode())

    # -- stages ---------------------------------------------------------------------------

    def _generate_and_fix(self, workload: Workload) -> _Version | _NoVersion:
        """The first correct version, or why there is none."""
        rounds = self.config.settings.fix_rounds
        problem, attempt = "", ""
        for round_ in range(rounds + 1):
            if self.out_of_budget:
                return _NoVersion(
                    f"the cost cap was reached before a correct version was found; {problem}"
                )
            stage: Literal["generate", "fix"] = "generate" if round_ == 0 else "fix"
            messages = (
                prompts.generate(self.function)
                if round_ == 0
                else prompts.fix(self.function, attempt or "(no usable function)", problem)
            )
            # Each fix round goes to the next model in the fix ranking: one that failed to
            # fix it once is unlikely to see its own mistake the second time.
            answer = self._ask(stage, round_ or 1, messages, start=max(0, round_ - 1))
            if answer.file is None:
                problem = answer.problem or "no answer"
                attempt = answer.code or attempt
                continue
            comparison = self._compare(self.original, answer.file, workload)
            self._record(stage, round_ or 1, answer, comparison, "original")
            if comparison.status in _CORRECT:
                return _Version(answer.code or "", answer.file, comparison)
            if comparison.status == "error" and not _blames_new(comparison):
                return _NoVersion(
                    f"the sandbox could not judge the candidate: {comparison.summary}",
                    judged=False,
                )
            problem, attempt = _problem(comparison), answer.code or ""
        return _NoVersion(
            f"no correct version after generate and {rounds} fix round(s); the last problem: "
            f"{problem}"
        )

    def _refine(self, current: _Version, workload: Workload) -> _Version:
        for round_ in range(1, self.config.settings.refine_rounds + 1):
            if self.out_of_budget:
                break
            timing = _timing_feedback(current)
            slowest = self._slowest_inputs(current, workload)
            answer = self._ask(
                "refine", round_, prompts.refine(self.function, current.code, timing, slowest)
            )
            if answer.file is None:
                continue
            comparison = self._compare(current.file, answer.file, workload)
            self._record("refine", round_, answer, comparison, "previous")
            if comparison.status == "faster":
                current = _Version(answer.code or "", answer.file, None)
        return current

    # -- model calls and validation ---------------------------------------------------------

    def _ask(
        self,
        stage: Literal["generate", "fix", "refine"],
        round_: int,
        messages: tuple[Message, ...],
        *,
        start: int = 0,
    ) -> _Answer:
        endpoints = ModelAsker(self.config, self.costs, self.category).endpoints(
            self.function.language, stage, first=start
        )
        self.say(f"{self.function.spec}: {stage} with {endpoints[0].model}")
        context = prompts.context_for(self.function, self.original, self.task.tests, self.inputs)
        requests = [
            LLMRequest(
                endpoint,
                stage,
                messages,
                context,
                replay_key=f"{self.function.spec}:{stage}:{round_}",
            )
            for endpoint in endpoints
        ]
        before = len(self.costs.records)
        try:
            response = ask_models(requests, settings=self.config.llm, costs=self.costs)
        except LLMError as error:
            calls = self._calls_since(before)
            if isinstance(error, CostCapReached):
                self.out_of_budget = True
            answer = _Answer(None, False, calls, problem=f"no model answered: {error}")
            self.attempts.append(
                AttemptTrace(
                    stage=stage,
                    round=round_,
                    model=None,
                    recorded=False,
                    outcome="llm-failed",
                    reason=str(error),
                    calls=calls,
                )
            )
            return answer
        calls = self._calls_since(before)
        parsed = parse_reply(response.text, target=self.function, source=self.task.source)
        if isinstance(parsed, Rejection):
            self.attempts.append(
                AttemptTrace(
                    stage=stage,
                    round=round_,
                    model=response.model,
                    recorded=response.recorded,
                    outcome="rejected",
                    reason=parsed.reason,
                    calls=calls,
                )
            )
            return _Answer(response.model, response.recorded, calls, problem=parsed.reason)
        file = add_imports(self.function.language, parsed.edit.updated.decode(), parsed.imports)
        return _Answer(response.model, response.recorded, calls, parsed.code, file)

    def _compare(self, old: str, new: str, workload: Workload) -> Comparison:
        return compare(
            old,
            new,
            language=self.function.language,
            workload=workload,
            executor=self.executor,
            budget=self.config.budget,
            seed=self.config.seed,
        )

    def _record(
        self,
        stage: str,
        round_: int,
        answer: _Answer,
        comparison: Comparison,
        against: Literal["original", "previous"],
    ) -> None:
        status = comparison.status
        if status not in _CORRECT:
            outcome: AttemptOutcome = "incorrect" if status == "incorrect" else "error"
            reason = comparison.summary
        elif stage == "refine" and status != "faster":
            outcome, reason = "not-faster", f"rolled back: {comparison.summary}"
        elif status == "faster":
            outcome, reason = "kept", comparison.summary
        else:
            outcome, reason = "correct", comparison.summary
        self.say(f"{self.function.spec}: {stage} {round_} -> {outcome}: {reason}")
        self.attempts.append(
            AttemptTrace(
                stage=stage,
                round=round_,
                model=answer.model,
                recorded=answer.recorded,
                outcome=outcome,
                reason=reason,
                against=against,
                verdict=status,
                timing=TimingTrace.of(comparison),
                code=answer.code,
                calls=answer.calls,
            )
        )

    def _slowest_inputs(self, current: _Version, workload: Workload) -> str | None:
        """The inputs that cost the current version the most, for the refine prompt."""
        if workload.inputs is None:
            return None
        timings = time_cases(
            current.file,
            language=self.function.language,
            function=workload.function,
            inputs=workload.inputs,
            executor=self.executor,
        )
        if not timings:
            return None
        total = sum(timings) or 1.0
        ranked = sorted(range(len(timings)), key=lambda i: -timings[i])[:3]
        return ", ".join(
            f"case {i}: {duration_text(timings[i])} per call ({timings[i] / total:.0%} of all)"
            for i in ranked
        )

    def _calls_since(self, before: int) -> tuple[CallTrace, ...]:
        return tuple(CallTrace.of(r) for r in self.costs.records[before:])

    def _finish(
        self,
        result: Result,
        reason: str,
        *,
        workload_trace: WorkloadTrace | None,
        final: TimingTrace | None = None,
        code: str | None = None,
        patch: str | None = None,
    ) -> FunctionTrace:
        self.say(f"{self.function.spec}: {result}: {reason}")
        return FunctionTrace(
            spec=self.function.spec,
            qualified_name=self.function.qualified_name,
            path=self.function.path,
            language=self.function.language,
            category=self.category,
            result=result,
            reason=reason,
            workload=workload_trace,
            attempts=tuple(self.attempts),
            final=final,
            code=code,
            patch=patch,
        )


def _blames_new(comparison: Comparison) -> bool:
    """An error the candidate caused (it crashed or hung while being timed), which a fix can
    address, unlike a missing toolchain or an original that does not build."""
    return "in the new version" in comparison.summary


def _problem(comparison: Comparison) -> str:
    lines = [comparison.summary, *comparison.correctness.problems[:5]]
    return "\n".join(dict.fromkeys(line for line in lines if line))


def _timing_feedback(current: _Version) -> str:
    measured = current.against_original
    if measured is None or measured.timing is None:
        return "it was measured faster than the previous version"
    return measured.summary
