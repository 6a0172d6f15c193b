"""The workload a function is measured on: the inputs and tests it was given, or inputs a model
writes and the original version checks (they must build and run on it)."""

from __future__ import annotations

from perforch_bot.categories import Category
from perforch_bot.llm import CostTracker, LLMError, LLMRequest, ModelEndpoint, Prices
from perforch_bot.llm import complete_with_fallback as ask_models
from perforch_bot.pipeline import _prompts as prompts
from perforch_bot.pipeline._config import PipelineConfig, Progress, Task
from perforch_bot.pipeline._trace import AttemptTrace, CallTrace, WorkloadTrace
from perforch_bot.profiles import LANGUAGES, Language, Stage
from perforch_bot.replies import code_blocks
from perforch_bot.routing import RankedModel, RoutingError, route
from sandbox import Executor, Probe, Workload, probe

INPUT_ATTEMPTS = 3
# Lines that are not code: comments, and the first line of a docstring.
_NOT_CODE = ("#", "//", '"""', "'''")
_GIVEN_NOTES = {
    "given": "inputs given",
    "bundled": "inputs bundled with the example",
    "saved": "inputs saved by an earlier run (.perforch/inputs/)",
}


class ModelAsker:
    """The ranked endpoints for a stage, as routing orders them for this function."""

    def __init__(self, config: PipelineConfig, costs: CostTracker, category: Category) -> None:
        self.config = config
        self.costs = costs
        self.category = category

    def endpoints(self, language: str, stage: Stage, *, first: int = 0) -> list[ModelEndpoint]:
        """The stage's ranking, rotated so that its ``first``-th model (modulo their number)
        leads: a later fix round starts with the next model, falling back to the others."""
        ranking = route(
            self.config.settings,
            self.config.profiles,
            language=_profile_language(language),
            stage=stage,
            category=self.category,
        )
        endpoints = [self._endpoint(ranked) for ranked in ranking.models]
        first %= len(endpoints) or 1
        return endpoints[first:] + endpoints[:first]

    def _endpoint(self, ranked: RankedModel) -> ModelEndpoint:
        candidate = ranked.candidate
        profile = candidate.profile
        prices = None
        if profile is not None and profile.prices != "unknown":
            prices = Prices(profile.prices.input_per_million, profile.prices.output_per_million)
        key = self.config.keys.get(candidate.api_key_env) if candidate.api_key_env else None
        return ModelEndpoint(candidate.model, candidate.api_base, key, prices)


def _profile_language(language: str) -> Language:
    if language not in LANGUAGES:
        raise RoutingError(f"no model profiles for the language {language!r}")
    return language


def workload_for(
    task: Task, *, asker: ModelAsker, executor: Executor, say: Progress
) -> tuple[Workload | None, WorkloadTrace, list[AttemptTrace]]:
    function = task.function
    tests = task.tests
    if task.inputs is not None:
        trace = WorkloadTrace(
            origin=task.origin,
            inputs_cases=None,
            tests=tests is not None,
            note=_GIVEN_NOTES[task.origin],
        )
        return Workload(function.qualified_name, task.inputs, tests), trace, []
    attempts: list[AttemptTrace] = []
    problem: str | None = None
    original = task.source.decode()
    for round_ in range(1, INPUT_ATTEMPTS + 1):
        endpoints = asker.endpoints(function.language, "generate")
        say(f"{function.spec}: asking {endpoints[0].model} for benchmark inputs")
        requests = [
            LLMRequest(
                endpoint,
                "inputs",
                prompts.inputs(function, problem),
                replay_key=f"{function.spec}:inputs:{round_}",
            )
            for endpoint in endpoints
        ]
        before = len(asker.costs.records)
        try:
            response = ask_models(requests, settings=asker.config.llm, costs=asker.costs)
        except LLMError as error:
            calls = tuple(CallTrace.of(r) for r in asker.costs.records[before:])
            attempts.append(
                AttemptTrace(
                    stage="inputs",
                    round=round_,
                    model=None,
                    recorded=False,
                    outcome="llm-failed",
                    reason=str(error),
                    calls=calls,
                )
            )
            return None, _none(tests, f"no benchmark inputs: {error}"), attempts
        calls = tuple(CallTrace.of(r) for r in asker.costs.records[before:])
        blocks = [b for b in code_blocks(response.text) if b.tag in ("", function.language)]
        inputs = blocks[-1].code if blocks else None
        checked = (
            probe(
                original,
                language=function.language,
                function=function.qualified_name,
                inputs=inputs,
                tests=tests,
                executor=executor,
            )
            if inputs is not None
            else None
        )
        ok = checked is not None and checked.ok and checked.raising == 0
        reason = _judged(checked)
        attempts.append(
            AttemptTrace(
                stage="inputs",
                round=round_,
                model=response.model,
                recorded=response.recorded,
                outcome="inputs-ok" if ok else "inputs-bad",
                reason=reason,
                code=inputs,
                calls=calls,
            )
        )
        if ok and checked is not None and inputs is not None:
            trace = WorkloadTrace(
                origin="model",
                inputs_cases=checked.cases,
                tests=tests is not None,
                note=f"{checked.cases} inputs written by {response.label}, checked on the "
                f"original; {coverage_note(task, checked)}",
            )
            return Workload(function.qualified_name, inputs, tests), trace, attempts
        problem = reason
    return None, _none(tests, f"no usable benchmark inputs: {problem}"), attempts


def coverage_note(task: Task, checked: Probe) -> str:
    """Which of the function's lines the inputs reach, for the report. The lines that count
    are those the coverage tool says hold code when it says (a ``}`` or ``else`` line holds
    none in C++, Go and Java); else every line but blank ones and comments."""
    covered = checked.covered_lines
    if covered is None:
        return f"line coverage could not be measured for {task.function.language}"
    span = task.function.body_span
    lines = task.source.decode().splitlines()
    executable = None if checked.executable_lines is None else set(checked.executable_lines)
    code = [
        number
        for number in range(span.start_line, min(span.end_line, len(lines)) + 1)
        if lines[number - 1].strip()
        and not lines[number - 1].strip().startswith(_NOT_CODE)
        and (executable is None or number in executable)
    ]
    reached = set(covered)
    missed = [n for n in code if n not in reached]
    text = f"they run {len(code) - len(missed)} of the function's {len(code)} lines"
    return text + (f" (not reached: lines {', '.join(map(str, missed))})" if missed else "")


def _judged(checked: Probe | None) -> str:
    if checked is None:
        return "the reply has no code block"
    if checked.ok and checked.raising:
        # A call that raises cannot be timed; every case must be a valid call.
        return (
            f"{checked.raising} of {checked.cases} inputs raise on the original "
            f"({checked.first_raising}); every case must be a valid call"
        )
    return checked.summary


def _none(tests: str | None, note: str) -> WorkloadTrace:
    return WorkloadTrace(origin="model", inputs_cases=None, tests=tests is not None, note=note)
