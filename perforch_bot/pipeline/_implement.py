"""A new function, written from a description: implement -> validate -> fix, no refine.

There is no earlier version to compare with, so the check is the tests the request gives: the
new file must build with them and they must pass. A function is never returned without tests
that pass on it (a request without tests is refused before any model is asked). The models
are the ones routing ranks for the ``generate`` stage (the first implementation) and the
``fix`` stage (each round with the previous problem), as for an optimization.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Literal

from perforch_bot.categories import classify_text
from perforch_bot.errors import TargetError
from perforch_bot.llm import CostCapReached, CostTracker, LLMError, LLMRequest, Message
from perforch_bot.llm import complete_with_fallback as ask_models
from perforch_bot.pipeline import _prompts as prompts
from perforch_bot.pipeline._config import PipelineConfig, Progress
from perforch_bot.pipeline._imports import add_imports
from perforch_bot.pipeline._run import RunResult, run_trace
from perforch_bot.pipeline._trace import AttemptOutcome, AttemptTrace, CallTrace, FunctionTrace
from perforch_bot.pipeline._workload import ModelAsker
from perforch_bot.replies import code_blocks, language_tags
from perforch_bot.targets import (
    TargetNotFoundError,
    extract,
    find_function,
    insert_function,
    parse_spec,
    unified_diff,
)
from sandbox import Executor, run_tests


@dataclass(frozen=True)
class NewFunctionTask:
    """A function to write: ``spec`` names it (``path::QualifiedName``), ``source`` is its
    file as it is now (which does not have it), ``description`` says what it must do, and
    ``tests`` (a tests file in its language, see the README) decide whether it does."""

    spec: str
    language: str
    source: bytes
    description: str
    tests: str

    @property
    def path(self) -> str:
        return parse_spec(self.spec).path

    @property
    def name(self) -> str:
        return parse_spec(self.spec).name.replace("::", ".").rsplit(".", 1)[-1]


@dataclass(frozen=True)
class _Written:
    """A model's reply parsed and put into the file, or why it could not be."""

    model: str | None
    recorded: bool
    calls: tuple[CallTrace, ...]
    code: str | None = None
    file: str | None = None
    problem: str | None = None
    outcome: AttemptOutcome = "rejected"


def implement(
    task: NewFunctionTask,
    *,
    config: PipelineConfig,
    executor: Executor,
    command: str,
    progress: Progress | None = None,
) -> RunResult:
    """Write ``task``'s function; the run's trace has one function whose result is
    ``implemented`` (with the patch that adds it) or ``not-implemented`` (with the reason)."""
    _check_new(task)
    started = datetime.now(UTC)
    costs = CostTracker(config.settings.max_cost_usd)
    run = _NewFunctionRun(task, config, executor, costs, progress or (lambda _m: None))
    trace, file = run.run()
    updated = {task.path: file} if file is not None else {}
    return RunResult(run_trace(started, command, (trace,), costs, trace.patch), updated)


class _NewFunctionRun:
    def __init__(
        self,
        task: NewFunctionTask,
        config: PipelineConfig,
        executor: Executor,
        costs: CostTracker,
        say: Progress,
    ) -> None:
        self.task = task
        self.config = config
        self.executor = executor
        self.costs = costs
        self.say = say
        self.category = classify_text(task.description, name=task.name).category
        self.attempts: list[AttemptTrace] = []

    def run(self) -> tuple[FunctionTrace, bytes | None]:
        task = self.task
        rounds = self.config.settings.fix_rounds
        problem, attempt = "", ""
        for round_ in range(rounds + 1):
            stage: Literal["generate", "fix"] = "generate" if round_ == 0 else "fix"
            messages = (
                prompts.implement(task.spec, task.language, task.description)
                if round_ == 0
                else prompts.fix_new(
                    task.spec, task.language, task.description, attempt or "(none)", problem
                )
            )
            written = self._ask(stage, round_ or 1, messages, start=max(0, round_ - 1))
            if written is None:  # the cost cap was reached
                last = f"; the last problem before it: {problem}" if problem else ""
                return self._finish("not-implemented", f"the cost cap was reached{last}")
            if written.file is None:
                problem, attempt = written.problem or "no answer", written.code or attempt
                self._record(stage, round_ or 1, written, written.outcome, problem)
                continue
            checked = run_tests(
                written.file, language=task.language, tests=task.tests, executor=self.executor
            )
            if checked.ok:
                self._record(stage, round_ or 1, written, "correct", checked.summary)
                return self._done(written)
            if checked.failure is not None and checked.failure.kind == "missing-toolchain":
                self._record(stage, round_ or 1, written, "error", checked.summary)
                return self._finish("error", f"the sandbox cannot run it: {checked.summary}")
            problem, attempt = checked.summary, written.code or ""
            self._record(stage, round_ or 1, written, "incorrect", problem)
        return self._finish(
            "not-implemented",
            f"no version passed the tests after the first try and {rounds} fix round(s); the "
            f"last problem: {problem}",
        )

    def _ask(
        self,
        stage: Literal["generate", "fix"],
        round_: int,
        messages: tuple[Message, ...],
        *,
        start: int,
    ) -> _Written | None:
        task = self.task
        endpoints = ModelAsker(self.config, self.costs, self.category).endpoints(
            task.language, stage, first=start
        )
        self.say(
            f"{task.spec}: {'implement' if stage == 'generate' else 'fix'} with "
            f"{endpoints[0].model}"
        )
        context = prompts.context_for_new(task.path, task.source.decode(), task.tests)
        requests = [
            LLMRequest(e, stage, messages, context, replay_key=f"{task.spec}:implement:{round_}")
            for e in endpoints
        ]
        before = len(self.costs.records)
        try:
            response = ask_models(requests, settings=self.config.llm, costs=self.costs)
        except LLMError as error:
            calls = tuple(CallTrace.of(r) for r in self.costs.records[before:])
            failed = _Written(None, False, calls, problem=str(error), outcome="llm-failed")
            if isinstance(error, CostCapReached):
                self._record(stage, round_, failed, "llm-failed", str(error))
                return None
            return failed
        calls = tuple(CallTrace.of(r) for r in self.costs.records[before:])
        code, problem = self._function_in(response.text)
        if code is None:
            return _Written(response.model, response.recorded, calls, problem=problem)
        try:
            inserted = insert_function(task.path, task.source, task.spec, code)
        except TargetError as error:  # no place for it, or the file around it does not parse
            return _Written(response.model, response.recorded, calls, code, problem=str(error))
        imports = extract(task.path, code.encode(), language=task.language).imports
        file = add_imports(task.language, inserted.updated.decode(), imports)
        return _Written(response.model, response.recorded, calls, code, file)

    def _function_in(self, reply: str) -> tuple[str | None, str]:
        """The one function named as asked in the reply's last code block that has it."""
        task = self.task
        tags = language_tags(task.language)
        for block in reversed([b for b in code_blocks(reply) if not b.tag or b.tag in tags]):
            found = extract(task.path, block.code.encode(), language=task.language)
            named = [f for f in found.functions if f.name == task.name]
            if not named:
                continue
            if len(found.functions) > 1:
                names = ", ".join(f.qualified_name for f in found.functions)
                return None, (
                    f"{len(found.functions)} functions ({names}): reply with only {task.name}; "
                    "put helpers inside it or inline them"
                )
            if named[0].has_syntax_error or found.warnings:
                return None, f"does not parse: {'; '.join(found.warnings) or 'a syntax error'}"
            return named[0].text, ""
        return None, (
            f"no {task.language} code block defines {task.name}: reply with the whole function "
            f"in one ```{task.language} block"
        )

    def _record(
        self, stage: str, round_: int, written: _Written, outcome: AttemptOutcome, reason: str
    ) -> None:
        self.say(f"{self.task.spec}: {_label(stage)} {round_} -> {outcome}: {reason}")
        self.attempts.append(
            AttemptTrace(
                stage=_label(stage),
                round=round_,
                model=written.model,
                recorded=written.recorded,
                outcome=outcome,
                reason=reason,
                code=written.code,
                calls=written.calls,
            )
        )

    def _done(self, written: _Written) -> tuple[FunctionTrace, bytes]:
        assert written.file is not None
        new = written.file.encode()
        patch = unified_diff(self.task.path, self.task.source, new)
        trace, _ = self._finish(
            "implemented",
            "a new function; it builds and the tests given with the request pass (there is "
            "no earlier version, so nothing is measured)",
            code=written.code,
            patch=patch,
        )
        return trace, new

    def _finish(
        self,
        result: Literal["implemented", "not-implemented", "error"],
        reason: str,
        *,
        code: str | None = None,
        patch: str | None = None,
    ) -> tuple[FunctionTrace, None]:
        task = self.task
        self.say(f"{task.spec}: {result}: {reason}")
        trace = FunctionTrace(
            spec=task.spec,
            qualified_name=parse_spec(task.spec).name,
            path=task.path,
            language=task.language,
            category=self.category,
            result=result,
            reason=reason,
            attempts=tuple(self.attempts),
            code=code,
            patch=patch,
        )
        return trace, None


def _check_new(task: NewFunctionTask) -> None:
    """Refuse, before any model is asked, a function its file already has, or a request
    with no tests (nothing else could show the new code does what was asked)."""
    if not task.tests.strip():
        raise TargetError(
            f"{task.spec}: no tests; PerfOrch writes a new function only with tests it must pass"
        )
    try:
        find_function(
            extract(task.path, task.source, language=task.language), parse_spec(task.spec)
        )
    except TargetNotFoundError:
        return
    raise TargetError(
        f"{task.spec} already exists in {task.path}; use `perforch optimize {task.spec}` to "
        "make it faster, or name a new function"
    )


def _label(stage: str) -> str:
    return "implement" if stage == "generate" else stage
