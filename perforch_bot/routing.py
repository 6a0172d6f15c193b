"""Which model for this stage? A weighted-sum ranking per (language, stage, category).

As in the PerfOrch paper, each stage goes to the model its profile ranks best for the task's
language, stage and problem category. The rules, in order:

1. **Terms.** Each stage scores the terms it has a metric for: correctness (generate: pass
   rate; fix: repair rate; refine: share of solutions made faster), speed (generate: efficiency
   of the generated code; refine: median speedup), memory (refine: median memory ratio),
   latency (seconds per task) and cost (USD for one call: the profile's prices times the
   expected tokens of ``.perforch.yml``).
2. **Comparable figures only.** Figures from different benchmarks are not comparable, so for
   each term one benchmark at one level is used for every model: among the levels category
   (the task's category in its language), language (all categories) and global (all
   languages), the benchmark that covers the most configured models; on a tie the more
   specific level wins. So a category without data falls back to the language level, then to
   the global figures, and the output says which level and benchmark each term used.
3. **Normalisation: min-max across the configured models**, flipped where lower is better, so
   each term scores 0 (worst) to 1 (best). Min-max rather than ranks because it keeps the size
   of the gaps: a model 2 points behind on pass rate but ten times cheaper should be able to
   win, which ranks (1st, 2nd, ...) would not let the weights express. When all known values
   are equal every known model scores 1.
4. **Unknown figures score as the worst (0), explicitly**: a model without a comparable figure
   gets the score of the worst known model, shown as ``unknown`` in the breakdown, so evidence
   beats no evidence. A term takes part only when at least two configured models have a
   comparable figure (one figure alone compares with nothing; with a single configured model,
   one is enough); otherwise it is left out for everyone and the output says so.
5. **Weights** come from ``.perforch.yml`` and are scaled to sum 1 over the terms that take
   part; the score is the sum of weight x normalised value. Ties go to the model with more known
   terms, then to the model name (deterministic).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any, Literal, get_args

from perforch_bot.categories import Category
from perforch_bot.config import Settings, TokenEstimate, Weights
from perforch_bot.errors import PerforchError
from perforch_bot.profiles import (
    ALL,
    METRICS,
    CategoryKey,
    Language,
    LanguageKey,
    Measurement,
    Profile,
    Source,
    Stage,
)

__all__ = [
    "COST_METRIC",
    "LEVELS",
    "STAGE_TERMS",
    "TERMS",
    "Candidate",
    "Figure",
    "Level",
    "RankedModel",
    "Ranking",
    "RoutingError",
    "Term",
    "TermBasis",
    "candidates_for",
    "rank_models",
    "route",
]

Term = Literal["correctness", "speed", "memory", "cost", "latency"]
TERMS: tuple[Term, ...] = get_args(Term)
Level = Literal["category", "language", "global"]
LEVELS: tuple[Level, ...] = get_args(Level)
COST_METRIC = "cost_usd"

STAGE_TERMS: Mapping[Stage, Mapping[Term, str]] = {
    "generate": {
        "correctness": "pass_rate",
        "speed": "efficiency",
        "cost": COST_METRIC,
        "latency": "latency_seconds",
    },
    "fix": {"correctness": "repair_rate", "cost": COST_METRIC, "latency": "latency_seconds"},
    "refine": {
        "correctness": "improved_share",
        "speed": "median_speedup",
        "memory": "median_memory_ratio",
        "cost": COST_METRIC,
        "latency": "latency_seconds",
    },
}


class RoutingError(PerforchError):
    """Nothing to rank (no models), or a request the router cannot answer."""


@dataclass(frozen=True)
class Candidate:
    """A configured model and its profile (None when it has none: every figure unknown)."""

    model: str
    profile: Profile | None
    api_base: str | None = None
    api_key_env: str | None = None


@dataclass(frozen=True)
class Figure:
    """One model's figure for one term: the raw value (None = unknown), its 0..1 score, and
    what it adds to the total (weight x score)."""

    value: float | None
    score: float
    contribution: float
    source: str | None = None
    sample_size: int | None = None
    note: str | None = None

    @property
    def known(self) -> bool:
        return self.value is not None


@dataclass(frozen=True)
class TermBasis:
    """How a term was scored: metric, effective weight, level and benchmark used, the range
    of known values, and which models had none. ``reason`` says it in words."""

    term: Term
    metric: str | None
    weight: float
    level: Level | None
    benchmark: str | None
    known: tuple[str, ...]
    unknown: tuple[str, ...]
    higher_is_better: bool
    lowest: float | None
    highest: float | None
    unit: str | None
    reason: str
    used: bool


@dataclass(frozen=True)
class RankedModel:
    rank: int
    candidate: Candidate
    score: float
    figures: Mapping[Term, Figure]

    @property
    def model(self) -> str:
        return self.candidate.model

    @property
    def known_terms(self) -> int:
        return sum(1 for f in self.figures.values() if f.known)


@dataclass(frozen=True)
class Ranking:
    language: Language
    stage: Stage
    category: Category | None
    models: tuple[RankedModel, ...]
    terms: tuple[TermBasis, ...]
    notes: tuple[str, ...] = ()

    @property
    def best(self) -> RankedModel:
        return self.models[0]

    def to_json(self) -> dict[str, Any]:
        return {
            "language": self.language,
            "stage": self.stage,
            "category": self.category,
            "terms": [asdict(t) for t in self.terms],
            "ranking": [
                {
                    "rank": m.rank,
                    "model": m.model,
                    "api_base": m.candidate.api_base,
                    "api_key_env": m.candidate.api_key_env,
                    "score": round(m.score, 6),
                    "known_terms": m.known_terms,
                    "terms": {t: {**asdict(f), "known": f.known} for t, f in m.figures.items()},
                }
                for m in self.models
            ],
            "notes": list(self.notes),
        }


def candidates_for(
    settings: Settings, profiles: Sequence[Profile]
) -> tuple[tuple[Candidate, ...], tuple[str, ...]]:
    """The configured models with their profiles (every profile when ``models`` is not set),
    and notes about configured models that have no profile."""
    by_model = {p.model: p for p in profiles}
    if settings.models is None:
        return tuple(Candidate(p.model, p, p.api_base, p.api_key_env) for p in profiles), ()
    candidates: list[Candidate] = []
    notes: list[str] = []
    for configured in settings.models:
        # A replay model answers as the model it recorded, so it is ranked on that profile.
        profile = by_model.get(configured.model) or by_model.get(
            configured.model.removeprefix("replay/")
        )
        if profile is None:
            notes.append(
                f"{configured.model}: no profile, so every figure is unknown; "
                f"measure it on HumanEval-X with `perforch profile --model {configured.model}` "
                "(it writes the profile) to rank it on evidence"
            )
        candidates.append(
            Candidate(
                configured.model,
                profile,
                configured.api_base or (profile.api_base if profile else None),
                configured.api_key_env or (profile.api_key_env if profile else None),
            )
        )
    return tuple(candidates), tuple(notes)


def route(
    settings: Settings,
    profiles: Sequence[Profile],
    *,
    language: Language,
    stage: Stage,
    category: Category | None,
) -> Ranking:
    """Rank the models ``settings`` configures for one (language, stage, category)."""
    candidates, notes = candidates_for(settings, profiles)
    ranking = rank_models(
        candidates,
        language=language,
        stage=stage,
        category=category,
        weights=settings.weights,
        tokens=settings.expected_tokens.for_stage(stage),
    )
    return Ranking(
        ranking.language,
        ranking.stage,
        ranking.category,
        ranking.models,
        ranking.terms,
        notes + ranking.notes,
    )


def rank_models(
    candidates: Sequence[Candidate],
    *,
    language: Language,
    stage: Stage,
    category: Category | None,
    weights: Weights,
    tokens: TokenEstimate,
) -> Ranking:
    """The weighted-sum ranking of ``candidates`` (see the module docstring for the rules)."""
    if not candidates:
        raise RoutingError(
            "no models to rank: list some under `models:` in .perforch.yml, or put profiles "
            "in the profiles directory"
        )
    names = [c.model for c in candidates]
    if len(set(names)) != len(names):
        raise RoutingError(f"a model is listed twice among {', '.join(names)}")
    raw: dict[Term, _TermValues] = {}
    for term in TERMS:
        metric = STAGE_TERMS[stage].get(term)
        if metric == COST_METRIC:
            raw[term] = _cost_values(candidates, tokens)
        elif metric is not None:
            raw[term] = _metric_values(candidates, language, stage, category, metric)
    user = weights.as_mapping()
    needed = min(2, len(candidates))
    taking_part = {t: user[t] for t, v in raw.items() if len(v.known_models()) >= needed}
    total = sum(taking_part.values())
    effective = {t: (w / total if total > 0 else 0.0) for t, w in taking_part.items()}
    notes: list[str] = []
    if total == 0:
        notes.append(
            "no term with a weight above 0 has figures for this stage; the order is by "
            "known figures, then name (set weights in .perforch.yml)"
        )
    bases = tuple(
        _basis(term, stage, raw.get(term), effective.get(term), user[term], needed)
        for term in TERMS
    )
    scored = []
    for candidate in candidates:
        figures: dict[Term, Figure] = {}
        for basis in bases:
            values = raw.get(basis.term)
            if values is not None and basis.used:
                figures[basis.term] = _figure(candidate.model, values, basis)
        score = sum(f.contribution for f in figures.values())
        scored.append((candidate, score, figures))
    scored.sort(key=lambda s: (-round(s[1], 12), -sum(f.known for f in s[2].values()), s[0].model))
    ranked = tuple(
        RankedModel(rank, candidate, score, figures)
        for rank, (candidate, score, figures) in enumerate(scored, start=1)
    )
    return Ranking(language, stage, category, ranked, bases, tuple(notes))


@dataclass(frozen=True)
class _Found:
    value: float
    source: str
    sample_size: int | None
    note: str | None


@dataclass(frozen=True)
class _TermValues:
    metric: str
    level: Level | None
    benchmark: str | None
    found: Mapping[str, _Found | None]  # model -> figure (None = unknown)
    unit: str
    higher_is_better: bool

    def known_models(self) -> tuple[str, ...]:
        return tuple(m for m, f in self.found.items() if f is not None)


def _levels(
    language: Language, category: Category | None
) -> list[tuple[Level, LanguageKey, CategoryKey]]:
    levels: list[tuple[Level, LanguageKey, CategoryKey]] = []
    if category is not None:
        levels.append(("category", language, category))
    levels.append(("language", language, ALL))
    levels.append(("global", ALL, ALL))
    return levels


def _metric_values(
    candidates: Sequence[Candidate],
    language: Language,
    stage: Stage,
    category: Category | None,
    metric: str,
) -> _TermValues:
    best: tuple[int, Level, str, dict[str, _Found]] | None = None
    for level, language_key, category_key in _levels(language, category):
        by_benchmark: dict[str, dict[str, _Found]] = {}
        for candidate in candidates:
            profile = candidate.profile
            if profile is None:
                continue
            for measurement in profile.measurements(language_key, stage, category_key, metric):
                source = profile.sources[measurement.source]
                found = by_benchmark.setdefault(source.benchmark, {})
                found.setdefault(candidate.model, _found(measurement, source))
        if not by_benchmark:
            continue
        benchmark = min(
            by_benchmark,
            key=lambda b: (-len(by_benchmark[b]), -_samples(by_benchmark[b]), b),
        )
        coverage = len(by_benchmark[benchmark])
        if best is None or coverage > best[0]:
            best = (coverage, level, benchmark, by_benchmark[benchmark])
    spec = METRICS[metric]
    if best is None:
        return _TermValues(
            metric, None, None, dict.fromkeys(c.model for c in candidates), spec.unit,
            spec.higher_is_better,
        )  # fmt: skip
    _, level, benchmark, found = best
    return _TermValues(
        metric,
        level,
        benchmark,
        {c.model: found.get(c.model) for c in candidates},
        spec.unit,
        spec.higher_is_better,
    )


def _found(measurement: Measurement, source: Source) -> _Found:
    return _Found(
        measurement.value,
        f"{source.citation}; {source.table}; {source.date}",
        measurement.sample_size,
        measurement.note,
    )


def _samples(found: Mapping[str, _Found]) -> int:
    return sum(f.sample_size or 0 for f in found.values())


def _cost_values(candidates: Sequence[Candidate], tokens: TokenEstimate) -> _TermValues:
    found: dict[str, _Found | None] = {}
    for candidate in candidates:
        profile = candidate.profile
        if profile is None or profile.prices == "unknown":
            found[candidate.model] = None
            continue
        prices = profile.prices
        cost = (
            tokens.prompt * prices.input_per_million + tokens.completion * prices.output_per_million
        ) / 1_000_000
        source = profile.sources[prices.source]
        found[candidate.model] = _Found(
            cost,
            f"{source.citation}; {source.table}; {source.date}",
            None,
            f"{tokens.prompt} prompt tokens x {prices.input_per_million:g} + "
            f"{tokens.completion} completion tokens x {prices.output_per_million:g} USD/1M",
        )
    return _TermValues(COST_METRIC, None, "price list", found, "USD per call", False)


def _basis(
    term: Term,
    stage: Stage,
    values: _TermValues | None,
    weight: float | None,
    user_weight: float,
    needed: int,
) -> TermBasis:
    if values is None:
        return TermBasis(
            term, None, 0.0, None, None, (), (), True, None, None, None,
            f"the {stage} stage has no {term} metric", used=False,
        )  # fmt: skip
    known = values.known_models()
    unknown = tuple(m for m, f in values.found.items() if f is None)
    numbers = [f.value for f in values.found.values() if f is not None]
    of = f"{len(known)} of {len(values.found)} models"
    if values.metric == COST_METRIC:
        reason = f"{of} have prices"
    elif not known:
        reason = "no configured model has a figure at any level"
    else:
        reason = f"{values.level} level, {values.benchmark}: {of} have a figure"
    used = weight is not None
    if not used:
        reason += f"; left out (needs figures for at least {needed} models)"
    elif unknown:
        reason += "; the others score as the worst (unknown)"
    if used and user_weight == 0:
        reason += "; weight 0 in the config"
    return TermBasis(
        term,
        values.metric,
        weight or 0.0,
        values.level,
        values.benchmark,
        known,
        unknown,
        values.higher_is_better,
        min(numbers) if numbers else None,
        max(numbers) if numbers else None,
        values.unit,
        reason,
        used,
    )


def _figure(model: str, values: _TermValues, basis: TermBasis) -> Figure:
    found = values.found[model]
    if found is None:
        return Figure(None, 0.0, 0.0, note="unknown: scored as the worst")
    assert basis.lowest is not None and basis.highest is not None
    spread = basis.highest - basis.lowest
    if spread == 0:
        score = 1.0
    elif basis.higher_is_better:
        score = (found.value - basis.lowest) / spread
    else:
        score = (basis.highest - found.value) / spread
    return Figure(
        found.value, score, basis.weight * score, found.source, found.sample_size, found.note
    )
