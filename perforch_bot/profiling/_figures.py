"""From problem outcomes to figures: per language and per category (and ``all``), each with
its sample size, as the profile's metrics; and the source that cites the run."""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from perforch_bot.profiles import CategoryKey, LanguageKey, MeasuredValue, Source, Stage
from perforch_bot.profiling._model import BENCHMARK, ProblemOutcome, ProfileConfig, ProfileResult

_STAGES: tuple[Stage, ...] = ("generate", "fix", "refine")


@dataclass(frozen=True)
class Figures:
    """What a group of problems (one language, one category or all) showed."""

    language: str
    category: CategoryKey
    problems: int
    generated: int  # problems whose generate answer was judged
    passed: int
    fix_asked: int
    repaired: int
    refined: int  # problems whose refinement was judged
    faster: int
    correct_refinements: int  # faster or not, correct
    speedups: tuple[float, ...]
    memory_ratios: tuple[float, ...]
    latencies: dict[str, tuple[float, ...]]
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float

    @property
    def median_speedup(self) -> float | None:
        return statistics.median(self.speedups) if self.speedups else None

    @property
    def median_memory_ratio(self) -> float | None:
        return statistics.median(self.memory_ratios) if self.memory_ratios else None

    def median_latency(self, stage: str) -> float | None:
        values = self.latencies.get(stage, ())
        return statistics.median(values) if values else None


def figures(outcomes: Sequence[ProblemOutcome], language: str, category: CategoryKey) -> Figures:
    calls = [c for o in outcomes for c in o.calls]
    speedups = tuple(o.speedup for o in outcomes if o.refine != "wrong" and o.speedup)
    return Figures(
        language=language,
        category=category,
        problems=len(outcomes),
        generated=sum(o.generate is not None for o in outcomes),
        passed=sum(o.generate == "passed" for o in outcomes),
        fix_asked=sum(o.fix is not None for o in outcomes),
        repaired=sum(o.fix == "repaired" for o in outcomes),
        refined=sum(o.refine is not None for o in outcomes),
        faster=sum(o.refine == "faster" for o in outcomes),
        correct_refinements=sum(o.refine in ("faster", "correct") for o in outcomes),
        speedups=speedups,
        memory_ratios=tuple(o.memory_ratio for o in outcomes if o.memory_ratio),
        latencies={
            stage: tuple(c.latency_s for c in calls if c.stage == stage and c.outcome == "ok")
            for stage in _STAGES
        },
        prompt_tokens=sum(c.prompt_tokens for c in calls),
        completion_tokens=sum(c.completion_tokens for c in calls),
        cost_usd=sum(c.cost_usd for c in calls),
    )


def language_figures(result: ProfileResult) -> list[Figures]:
    """One ``Figures`` per language (category ``all``), in the run's order."""
    return [
        figures([o for o in result.outcomes if o.language == language], language, "all")
        for language in result.languages
    ]


def measured_values(result: ProfileResult, config: ProfileConfig) -> tuple[MeasuredValue, ...]:
    """Every figure the run measured, per language, for ``all`` and for each category seen."""
    values: list[MeasuredValue] = []
    for language in result.languages:
        mine = [o for o in result.outcomes if o.language == language]
        groups: dict[CategoryKey, list[ProblemOutcome]] = {"all": mine}
        for seen in sorted({o.category for o in mine}):
            groups[seen] = [o for o in mine if o.category == seen]
        for category, group in groups.items():
            values += _values(figures(group, language, category), config)
    return tuple(values)


def _values(found: Figures, config: ProfileConfig) -> list[MeasuredValue]:
    language: LanguageKey = found.language  # type: ignore[assignment]  # checked by the CLI
    values: list[MeasuredValue] = []

    def add(stage: Stage, metric: str, value: float, size: int, note: str) -> None:
        values.append(MeasuredValue(language, stage, found.category, metric, value, size, note))

    if found.generated:
        add(
            "generate",
            "pass_rate",
            found.passed / found.generated,
            found.generated,
            f"{found.passed} of {found.generated} problems passed HumanEval-X's tests with the "
            "first answer",
        )
    if found.fix_asked:
        add(
            "fix",
            "repair_rate",
            found.repaired / found.fix_asked,
            found.fix_asked,
            f"{found.repaired} of {found.fix_asked} failed answers repaired in one round, given "
            "the failing code and the error",
        )
    if found.refined:
        add(
            "refine",
            "improved_share",
            found.faster / found.refined,
            found.refined,
            f"{found.faster} of {found.refined} canonical solutions made measurably faster "
            f"({found.correct_refinements} refinements correct); timed against the canonical "
            f"on the calls of its tests, {config.budget(found.language).max_seconds:g} s budget "
            "per comparison",
        )
    speedup, memory = found.median_speedup, found.median_memory_ratio
    if speedup is not None:
        add(
            "refine",
            "median_speedup",
            speedup,
            len(found.speedups),
            f"median over {len(found.speedups)} correct, timed refinements of the "
            "Hodges-Lehmann estimate of canonical/new time",
        )
    if memory is not None:
        add(
            "refine",
            "median_memory_ratio",
            memory,
            len(found.memory_ratios),
            f"median over {len(found.memory_ratios)} correct, timed refinements of new/canonical "
            "median peak RSS of the timing processes",
        )
    for stage in _STAGES:
        latency = found.median_latency(stage)
        if latency is not None and latency > 0:
            count = len(found.latencies[stage])
            add(
                stage,
                "latency_seconds",
                latency,
                count,
                f"median wall-clock seconds of {count} {stage} calls (retries included)",
            )
    return values


def run_source(
    result: ProfileResult, config: ProfileConfig, started: datetime, backend: str
) -> tuple[str, Source]:
    """The source every figure of the run cites, and its id (unique per run)."""
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    calls = [c for o in result.outcomes for c in o.calls]
    counts = ", ".join(f"{lang} {n}" for lang, n in result.problems_per_language.items())
    chosen = "all 164" if config.limit is None else f"the first {config.limit}"
    cost = sum(c.cost_usd for c in calls)
    cost_known = all(c.cost_known for c in calls)
    notes = [
        f"{len(calls)} calls, {sum(c.prompt_tokens for c in calls)} prompt and "
        f"{sum(c.completion_tokens for c in calls)} completion tokens, "
        f"${cost:.4f}{'' if cost_known else ' (some prices unknown)'}",
        f"temperature {config.llm.temperature}, max_tokens {config.llm.max_tokens}",
        f"api_base {config.endpoint.api_base or 'the provider default'}",
        f"sandbox backend {backend}",
    ]
    if result.stopped:
        notes.append(f"stopped early: {result.stopped}")
    source = Source(
        citation=f"perforch profile --benchmark humaneval-x: {config.model}, measured by "
        "PerfOrch on HumanEval-X (github.com/THUDM/CodeGeeX) in its sandbox",
        table=f"run {stamp}: {chosen} problems per language ({counts}); generate: one answer "
        "per problem from its prompt, scored by HumanEval-X's tests; fix: one round for each "
        "failed answer, with the error; refine: the canonical solution made faster, checked by "
        "the tests and timed against the canonical with sandbox.compare",
        date=started.date().isoformat(),
        benchmark=BENCHMARK,
        url="https://github.com/THUDM/CodeGeeX/tree/main/codegeex/benchmark/humaneval-x",
        license="Apache-2.0 (HumanEval-X; translated from OpenAI HumanEval, MIT)",
        notes="; ".join(notes),
    )
    return f"perforch-profile-{stamp}", source
