"""Profiles: reading one file or a folder, and errors that name the file and the field."""

from __future__ import annotations

from pathlib import Path

import pytest

from perforch_bot.profiles import ProfileError, load_profile, load_profiles

GOOD = """\
model: openai/local-coder
api_base: http://127.0.0.1:8000/v1
api_key_env: LOCAL_KEY
sources:
  bench: {citation: "Our run", table: "runs/1.json", date: "2026-01-02", benchmark: "HumanEval-X"}
prices: {input_per_million: 0.5, output_per_million: 1.5, source: bench}
metrics:
  go:
    generate:
      all:
        pass_rate: [{value: 0.8, source: bench, sample_size: 164}]
      string_processing:
        pass_rate: [{value: 0.7, source: bench, sample_size: 20}]
    refine:
      all:
        median_speedup: [{value: 1.25, source: bench, sample_size: 30}]
        median_memory_ratio: unknown
"""


def test_a_good_profile_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "local.yml"
    path.write_text(GOOD)
    profile = load_profile(path)
    assert (profile.model, profile.api_base, profile.api_key_env) == (
        "openai/local-coder",
        "http://127.0.0.1:8000/v1",
        "LOCAL_KEY",
    )
    [measurement] = profile.measurements("go", "generate", "string_processing", "pass_rate")
    assert (measurement.value, measurement.sample_size) == (0.7, 20)
    assert profile.measurements("go", "refine", "all", "median_memory_ratio") == ()
    assert profile.measurements("go", "refine", "all", "improved_share") == ()  # omitted: unknown
    assert profile.measurements("rust", "generate", "all", "pass_rate") == ()
    assert profile.sources["bench"].benchmark == "HumanEval-X"


def _error(tmp_path: Path, text: str) -> str:
    path = tmp_path / "bad.yml"
    path.write_text(text)
    with pytest.raises(ProfileError) as caught:
        load_profile(path)
    message = str(caught.value)
    assert message.startswith(f"{path}:")
    return message


def test_percentages_are_refused_with_the_fix(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace("value: 0.8,", "value: 80,"))
    assert "metrics.go.generate.all:" in message
    assert "pass_rate is fraction of tasks solved: it must be >= 0 and <= 1, got 80" in message
    assert "write fractions, e.g. 0.83 for 83%" in message


def test_sources_must_be_defined(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace("source: bench, sample_size: 20", "source: paper"))
    assert (
        "metrics.go.generate.string_processing.pass_rate[0].source: source 'paper' is not "
        "defined under `sources:` (defined: bench)" in message
    )


def test_wrong_keys_languages_categories_and_metrics(tmp_path: Path) -> None:
    text = (
        GOOD.replace("string_processing:", "strings:")
        .replace("  go:", "  golang:")
        .replace("median_memory_ratio: unknown", "repair_rate: unknown")
    )
    message = _error(tmp_path, text)
    assert "metrics.golang: Input should be 'python', 'java', 'cpp', 'go' or 'rust'" in message
    assert "metrics.golang.generate.strings: Input should be 'dynamic_programming'" in message
    assert (
        "metrics.golang.refine.all.repair_rate: unknown key `repair_rate`; valid keys here: "
        "improved_share, median_speedup, median_memory_ratio, latency_seconds" in message
    )


def test_a_source_needs_citation_table_date_and_benchmark(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace(', date: "2026-01-02"', ""))
    assert "sources.bench.date: Field required" in message
    assert "each source needs citation, table, date and benchmark" in message


def test_api_key_env_is_a_name_not_a_key(tmp_path: Path) -> None:
    message = _error(tmp_path, GOOD.replace("LOCAL_KEY", "sk-proj-abcdef"))
    assert "api_key_env: must be the NAME of an environment variable" in message
    assert "sk-proj-abcdef" not in message


def test_a_folder_loads_sorted_and_refuses_two_files_for_one_model(tmp_path: Path) -> None:
    (tmp_path / "b.yml").write_text(GOOD)
    (tmp_path / "a.yaml").write_text("model: gpt-4.1\n")
    (tmp_path / "README.md").write_text("not a profile")
    assert [p.model for p in load_profiles(tmp_path)] == ["gpt-4.1", "openai/local-coder"]
    (tmp_path / "c.yml").write_text("model: gpt-4.1\n")
    with pytest.raises(ProfileError, match=r"c\.yml: model 'gpt-4.1' already has a profile in"):
        load_profiles(tmp_path)


def test_missing_folder(tmp_path: Path) -> None:
    with pytest.raises(ProfileError, match="no such profiles directory; set `profiles_dir`"):
        load_profiles(tmp_path / "nope")
