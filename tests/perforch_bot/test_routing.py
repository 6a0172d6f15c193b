"""Routing: weighted sums over comparable figures, fallback levels, unknowns, weights."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from perforch_bot.config import Settings, TokenEstimate, Weights
from perforch_bot.profiles import Profile, default_profiles_dir, load_profiles
from perforch_bot.routing import Candidate, Ranking, RoutingError, rank_models, route

TOKENS = TokenEstimate(prompt=1000, completion=500)
SOURCES = {
    "ours": {
        "citation": "perforch profile",
        "table": "run",
        "date": "2026-01-02",
        "benchmark": "HumanEval-X (perforch profile)",
    },
    "mceval": {
        "citation": "McEval",
        "table": "board",
        "date": "2024-06-12",
        "benchmark": "McEval generation",
    },
    "aider": {
        "citation": "Aider",
        "table": "polyglot",
        "date": "2025-04-14",
        "benchmark": "Aider polyglot",
    },
    "prices": {"citation": "litellm", "table": "map", "date": "n/a", "benchmark": "price list"},
}


def _profile(
    model: str,
    figures: list[tuple[str, str, str, str, float, str]],
    prices: tuple[float, float] | None = None,
) -> Profile:
    """figures: (language, stage, category, metric, value, source id)."""
    metrics: dict[str, Any] = {}
    for language, stage, category, metric, value, source in figures:
        cell = metrics.setdefault(language, {}).setdefault(stage, {}).setdefault(category, {})
        cell.setdefault(metric, []).append({"value": value, "source": source, "sample_size": 10})
    data: dict[str, Any] = {"model": model, "sources": SOURCES, "metrics": metrics}
    if prices is not None:
        data["prices"] = {
            "input_per_million": prices[0],
            "output_per_million": prices[1],
            "source": "prices",
        }
    return Profile.model_validate(data)


def _rank(profiles: list[Profile], weights: Weights | None = None, **where: Any) -> Ranking:
    where = {"language": "go", "stage": "generate", "category": None, **where}
    candidates = [Candidate(p.model, p) for p in profiles]
    return rank_models(candidates, weights=weights or Weights(), tokens=TOKENS, **where)


def _basis(ranking: Ranking, term: str) -> Any:
    [basis] = [t for t in ranking.terms if t.term == term]
    return basis


STRONG = _profile(
    "strong",
    [("go", "generate", "all", "pass_rate", 0.9, "mceval")],
    prices=(10.0, 30.0),
)
CHEAP = _profile(
    "cheap",
    [("go", "generate", "all", "pass_rate", 0.6, "mceval")],
    prices=(0.1, 0.4),
)


def test_weights_change_the_winner() -> None:
    accurate = Weights(correctness=1, speed=0, memory=0, cost=0.2, latency=0)
    frugal = Weights(correctness=0.2, speed=0, memory=0, cost=1, latency=0)
    assert [m.model for m in _rank([CHEAP, STRONG], accurate).models] == ["strong", "cheap"]
    ranking = _rank([STRONG, CHEAP], frugal)
    assert [m.model for m in ranking.models] == ["cheap", "strong"]
    # the breakdown adds up: each contribution is weight x score, the total their sum
    correctness, cost = _basis(ranking, "correctness"), _basis(ranking, "cost")
    assert (correctness.weight, cost.weight) == pytest.approx((0.2 / 1.2, 1 / 1.2))
    for model in ranking.models:
        parts = [f.contribution for f in model.figures.values()]
        assert model.score == pytest.approx(sum(parts))
    cheap = ranking.best.figures
    assert (cheap["correctness"].score, cheap["cost"].score) == (0.0, 1.0)
    assert cheap["cost"].value == pytest.approx((1000 * 0.1 + 500 * 0.4) / 1e6)
    assert ranking.best.score == pytest.approx(1 / 1.2)


def test_min_max_keeps_the_size_of_gaps() -> None:
    middle = _profile("middle", [("go", "generate", "all", "pass_rate", 0.85, "mceval")])
    ranking = _rank(
        [STRONG, CHEAP, middle], Weights(correctness=1, speed=0, memory=0, cost=0, latency=0)
    )
    scores = {m.model: m.figures["correctness"].score for m in ranking.models}
    assert scores == pytest.approx({"strong": 1.0, "middle": (0.85 - 0.6) / 0.3, "cheap": 0.0})


def test_category_level_when_every_model_has_category_figures() -> None:
    a = _profile(
        "a",
        [
            ("go", "generate", "string_processing", "pass_rate", 0.5, "ours"),
            ("go", "generate", "all", "pass_rate", 0.9, "ours"),
        ],
    )
    b = _profile(
        "b",
        [
            ("go", "generate", "string_processing", "pass_rate", 0.8, "ours"),
            ("go", "generate", "all", "pass_rate", 0.7, "ours"),
        ],
    )
    ranking = _rank([a, b], category="string_processing")
    basis = _basis(ranking, "correctness")
    assert (basis.level, basis.benchmark) == ("category", "HumanEval-X (perforch profile)")
    assert ranking.best.model == "b"  # best at strings, though worse overall
    basis = _basis(_rank([a, b], category="math_number_theory"), "correctness")
    assert basis.level == "language"  # no figures for math: the language level
    assert _rank([a, b], category="math_number_theory").best.model == "a"


def test_partial_category_data_falls_back_to_the_level_covering_more_models() -> None:
    a = _profile(
        "a",
        [
            ("go", "generate", "string_processing", "pass_rate", 0.5, "ours"),
            ("go", "generate", "all", "pass_rate", 0.9, "ours"),
        ],
    )
    b = _profile("b", [("go", "generate", "all", "pass_rate", 0.7, "ours")])
    basis = _basis(_rank([a, b], category="string_processing"), "correctness")
    assert (basis.level, basis.known) == ("language", ("a", "b"))


def test_global_level_when_the_language_has_no_figures() -> None:
    a = _profile(
        "a",
        [
            ("all", "fix", "all", "repair_rate", 0.4, "aider"),
            ("python", "fix", "all", "repair_rate", 0.9, "ours"),
        ],
    )
    b = _profile("b", [("all", "fix", "all", "repair_rate", 0.6, "aider")])
    ranking = _rank([a, b], stage="fix", category="string_processing")
    basis = _basis(ranking, "correctness")
    assert (basis.metric, basis.level, basis.benchmark) == (
        "repair_rate",
        "global",
        "Aider polyglot",
    )
    assert "global level, Aider polyglot: 2 of 2 models have a figure" in basis.reason
    assert ranking.best.model == "b"


def test_benchmarks_are_never_mixed_and_unknowns_score_worst() -> None:
    other = _profile(
        "other", [("all", "generate", "all", "pass_rate", 0.99, "aider")], prices=(0.01, 0.01)
    )
    ranking = _rank([STRONG, CHEAP, other])
    basis = _basis(ranking, "correctness")
    assert (basis.level, basis.benchmark) == ("language", "McEval generation")
    assert basis.unknown == ("other",)
    assert "the others score as the worst (unknown)" in basis.reason
    figure = next(m for m in ranking.models if m.model == "other").figures["correctness"]
    assert (figure.known, figure.value, figure.score) == (False, None, 0.0)
    assert figure.note == "unknown: scored as the worst"


def test_a_term_needs_two_comparable_figures() -> None:
    lone = _profile(
        "lone",
        [
            ("go", "generate", "all", "efficiency", 0.7, "ours"),
            ("go", "generate", "all", "pass_rate", 0.1, "mceval"),
        ],
    )
    ranking = _rank([STRONG, lone], Weights(correctness=1, speed=5, memory=0, cost=0, latency=0))
    speed = _basis(ranking, "speed")
    assert not speed.used and "left out (needs figures for at least 2 models)" in speed.reason
    assert _basis(ranking, "correctness").weight == 1.0  # weights rescaled over what is used
    assert ranking.best.model == "strong"
    assert "speed" not in ranking.best.figures


def test_terms_a_stage_does_not_have() -> None:
    ranking = _rank([STRONG, CHEAP], stage="fix")
    assert not _basis(ranking, "memory").used
    assert _basis(ranking, "memory").reason == "the fix stage has no memory metric"
    assert not _basis(ranking, "correctness").used  # nobody has a repair rate
    assert "no configured model has a figure at any level" in _basis(ranking, "correctness").reason
    assert ranking.best.model == "cheap"  # only cost is left


def test_ties_go_to_more_known_terms_then_the_name() -> None:
    def twin(name: str, prices: tuple[float, float] | None = None) -> Profile:
        return _profile(name, [("go", "generate", "all", "pass_rate", 0.9, "mceval")], prices)

    weights = Weights(correctness=1, speed=0, memory=0, cost=0, latency=0)
    assert [m.model for m in _rank([twin("b"), twin("a")], weights).models] == ["a", "b"]
    # cost weighs 0 but is known for c and d: equal scores, more known terms first
    ranking = _rank([twin("b"), twin("d", (1, 1)), twin("a"), twin("c", (2, 2))], weights)
    assert [m.model for m in ranking.models] == ["c", "d", "a", "b"]
    assert [m.known_terms for m in ranking.models] == [2, 2, 1, 1]
    assert "weight 0 in the config" in _basis(ranking, "cost").reason


def test_configured_models_override_connection_and_may_lack_profiles() -> None:
    settings = Settings.model_validate(
        {
            "models": [
                "strong",
                {"model": "cheap", "api_base": "http://127.0.0.1:9/v1", "api_key_env": "CHEAP_KEY"},
                "ollama/new",
            ]
        }
    )
    ranking = route(settings, [STRONG, CHEAP], language="go", stage="generate", category=None)
    assert [m.model for m in ranking.models][-1] == "ollama/new"
    cheap = next(m for m in ranking.models if m.model == "cheap")
    assert (cheap.candidate.api_base, cheap.candidate.api_key_env) == (
        "http://127.0.0.1:9/v1",
        "CHEAP_KEY",
    )
    assert any("ollama/new: no profile, so every figure is unknown" in n for n in ranking.notes)
    everyone = route(Settings(), [STRONG, CHEAP], language="go", stage="generate", category=None)
    assert {m.model for m in everyone.models} == {"strong", "cheap"}


def test_a_replay_model_is_ranked_on_the_profile_of_the_model_it_recorded() -> None:
    settings = Settings.model_validate({"models": ["replay/strong", "replay/cheap"]})
    ranking = route(settings, [STRONG, CHEAP], language="go", stage="generate", category=None)
    direct = route(
        Settings.model_validate({"models": ["strong", "cheap"]}),
        [STRONG, CHEAP],
        language="go",
        stage="generate",
        category=None,
    )
    assert [m.model for m in ranking.models] == [f"replay/{m.model}" for m in direct.models]
    assert [m.candidate.profile for m in ranking.models] == [
        m.candidate.profile for m in direct.models
    ]
    assert not ranking.notes


def test_nothing_to_rank() -> None:
    with pytest.raises(RoutingError, match="no models to rank"):
        rank_models(
            [], language="go", stage="refine", category=None, weights=Weights(), tokens=TOKENS
        )


def test_seed_profiles_rank_by_their_published_figures() -> None:
    """Independent oracle: the McEval Python pass rates read straight from the YAML files."""
    models = ["gpt-4o-2024-05-13", "gpt-3.5-turbo-0125", "gpt-4-1106-preview"]
    settings = Settings.model_validate(
        {
            "models": models,
            "weights": {"correctness": 1, "speed": 0, "memory": 0, "cost": 0, "latency": 0},
        }
    )
    ranking = route(
        settings,
        load_profiles(default_profiles_dir()),
        language="python",
        stage="generate",
        category="string_processing",
    )
    rates = {}
    for path in Path(default_profiles_dir()).glob("*.yml"):
        data = yaml.safe_load(path.read_text())
        if data["model"] in models:
            [figure] = [
                m
                for m in data["metrics"]["python"]["generate"]["all"]["pass_rate"]
                if m["source"] == "mceval"
            ]
            rates[data["model"]] = figure["value"]
    assert [m.model for m in ranking.models] == sorted(rates, key=lambda m: -rates[m])
    basis = _basis(ranking, "correctness")
    assert (basis.level, basis.benchmark) == ("language", "McEval generation")
