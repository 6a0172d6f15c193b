"""The seed profiles in profiles/: valid, cited, reproducible, and traceable to the data.

Each figure is checked against the CSV rows of shared/data/model-benchmarks read here with the
csv module (an oracle independent of build_seed.py).
"""

from __future__ import annotations

import csv
import importlib.util
import shutil
import sys
from pathlib import Path
from types import ModuleType

import pytest

from perforch_bot.profiles import (
    STAGES,
    MeasuredRun,
    MeasuredValue,
    Profile,
    Source,
    default_profiles_dir,
    load_profile,
    load_profiles,
    update_profile,
)

SEED_DIR = default_profiles_dir()
DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "model-benchmarks"


def _build_seed() -> ModuleType:
    spec = importlib.util.spec_from_file_location("build_seed", SEED_DIR / "build_seed.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


BUILD_SEED = _build_seed()
PROFILES = load_profiles(SEED_DIR)


def _rows(name: str) -> list[dict[str, str]]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def _figures(profile: Profile) -> list[tuple[str, str, str, str, float, str]]:
    """(language, stage, category, metric, value, source id) for every known figure."""
    found = []
    for language, table in profile.metrics.items():
        for stage in STAGES:
            for category, cell in table.cells(stage).items():
                for metric, measurements in cell.metric_items():
                    found.extend(
                        (language, stage, category, metric, m.value, m.source) for m in measurements
                    )
    return found


def test_one_valid_file_per_seed_model() -> None:
    files = sorted(SEED_DIR.glob("*.yml"))
    assert len(files) == len(PROFILES) == len(BUILD_SEED.seeds())
    assert {p.model for p in PROFILES} == {s.model for s in BUILD_SEED.seeds()}


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.model)
def test_every_known_figure_cites_a_source(profile: Profile) -> None:
    figures = _figures(profile)
    assert figures, "a seed profile without a single figure is not useful"
    for *_, source_id in figures:
        source = profile.sources[source_id]
        assert source.citation and source.table and source.date and source.benchmark
    if profile.prices != "unknown":
        assert profile.sources[profile.prices.source].benchmark == "price list"
    # No source gives per-model refine figures: they must all be unknown, not invented.
    assert not [f for f in figures if f[1] == "refine"]
    # Every cell the seed writes lists every metric of its stage, `unknown` spelt out.
    for table in profile.metrics.values():
        for stage in STAGES:
            for cell in table.cells(stage).values():
                assert cell.model_fields_set == set(type(cell).model_fields)


def test_files_are_exactly_what_the_generator_makes(tmp_path: Path) -> None:
    assert BUILD_SEED.main(["--check"]) == 0
    assert BUILD_SEED.main(["--out", str(tmp_path / "a")]) == 0
    assert BUILD_SEED.main(["--out", str(tmp_path / "b")]) == 0
    for path in (tmp_path / "a").iterdir():
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes()
        assert path.read_bytes() == (SEED_DIR / path.name).read_bytes()


def _one(rows: list[dict[str, str]], **wanted: str) -> dict[str, str]:
    [row] = [r for r in rows if all(r[k] == v for k, v in wanted.items())]
    return row


@pytest.mark.parametrize("profile", PROFILES, ids=lambda p: p.model)
def test_figures_trace_back_to_the_published_rows(profile: Profile) -> None:
    names = profile.source_names
    mceval, enamel = (
        _rows("mceval_generation_leaderboard.csv"),
        _rows("enamel_efficiency_leaderboard.csv"),
    )
    aider, perforch = _rows("aider_polyglot_leaderboard.csv"), _rows("perforch_abstract.csv")
    effibench_x = _rows("effibench_x_abstract.csv")
    for language, _, _, metric, value, source_id in _figures(profile):
        if source_id == "mceval":
            csv_language = "all (40 languages)" if language == "all" else language
            row = _one(mceval, model=names["mceval"], language=csv_language)
            assert value == float(row["value"])
        elif source_id == "enamel":
            csv_metric = {"pass_rate": "pass@1", "efficiency": "eff@1"}[metric]
            assert value == float(_one(enamel, model=names["enamel"], metric=csv_metric)["value"])
        elif source_id == "aider":
            run = {r["metric"]: r for r in aider if r["model"] == names["aider"]}
            cases = int(run["pass_num_1"]["notes"].split("test_cases=")[1].split(";")[0])
            first, second = float(run["pass_num_1"]["value"]), float(run["pass_num_2"]["value"])
            expected = {
                "pass_rate": float(run["pass_rate_1"]["value"]) / 100,
                "repair_rate": (second - first) / (cases - first),
                "latency_seconds": float(run["seconds_per_case"]["value"]),
            }[metric]
            assert value == pytest.approx(expected, abs=5e-5)
        elif source_id.startswith("perforch-"):
            benchmark = {
                "perforch-humaneval-x": "HumanEval-X",
                "perforch-effibench-x": "EffiBench-X",
            }
            row = _one(
                perforch,
                model=names[source_id],
                benchmark=benchmark[source_id],
                source="perforch:arXiv2510.01379v1-abstract",
            )
            assert value * 100 == pytest.approx(float(row["value"]))
        elif source_id == "effibench-x":
            row = _one(effibench_x, model=names["effibench-x"])
            assert value * 100 == pytest.approx(float(row["value"]))
        else:
            pytest.fail(f"{profile.model}: figure from unexpected source {source_id!r}")


@pytest.mark.parametrize(
    "profile", [p for p in PROFILES if p.prices != "unknown"], ids=lambda p: p.model
)
def test_prices_match_the_litellm_price_map(profile: Profile) -> None:
    assert profile.prices != "unknown"
    citation = profile.sources[profile.prices.source].citation
    version = citation.split("PyPI package ")[1].split()[0]
    rows = [
        r
        for r in _rows("llm_api_prices_litellm.csv")
        if r["model"] == profile.model and r["source"].startswith(f"prices:{version} ")
    ]
    by_metric = {r["metric"]: float(r["value"]) for r in rows}
    assert profile.prices.input_per_million == by_metric["input_price"]
    assert profile.prices.output_per_million == by_metric["output_price"]


def test_models_without_per_language_sources_say_unknown() -> None:
    for profile in PROFILES:
        per_language = {"mceval", "enamel"} & set(profile.sources)
        go = profile.metrics["go"].generate["all"].pass_rate
        assert (go == "unknown") == ("mceval" not in per_language)


def test_the_generator_keeps_measured_profiles(tmp_path: Path) -> None:
    shutil.copy(SEED_DIR / "gpt-4.1.yml", tmp_path / "gpt-4.1.yml")
    run = MeasuredRun(
        "perforch-humaneval-x",
        Source(
            citation="perforch profile",
            table="run 1",
            date="2026-01-02",
            benchmark="HumanEval-X (perforch profile)",
        ),
        (MeasuredValue("go", "generate", "all", "pass_rate", 0.9, 164),),
    )
    update_profile(tmp_path / "gpt-4.1.yml", run)
    assert BUILD_SEED.main(["--out", str(tmp_path)]) == 1
    assert "perforch-humaneval-x" in load_profile(tmp_path / "gpt-4.1.yml").sources
    assert BUILD_SEED.main(["--out", str(tmp_path), "--force"]) == 0
    assert "perforch-humaneval-x" not in load_profile(tmp_path / "gpt-4.1.yml").sources
