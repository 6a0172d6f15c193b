"""update_profile: measured numbers merge into a profile file, other sources kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from perforch_bot.profiles import (
    MeasuredRun,
    MeasuredValue,
    ProfileError,
    Source,
    load_profile,
    update_profile,
)

SEEDED = """\
model: gpt-4.1
sources:
  mceval: {citation: McEval, table: leaderboard, date: "2024-06-12", benchmark: McEval generation}
  aider: {citation: Aider, table: polyglot, date: "2025-04-14", benchmark: Aider polyglot}
metrics:
  go:
    generate:
      all:
        pass_rate: [{value: 0.56, source: mceval}]
  all:
    fix:
      all:
        repair_rate: [{value: 0.4, source: aider, sample_size: 180}]
"""


def _run(date: str, *values: MeasuredValue) -> MeasuredRun:
    return MeasuredRun(
        f"perforch-humaneval-x-{date}",
        Source(
            citation="perforch profile --benchmark humaneval-x",
            table=f".perforch/runs/{date}.json",
            date=date,
            benchmark="HumanEval-X (perforch profile)",
        ),
        values,
    )


def test_merges_and_keeps_other_sources(tmp_path: Path) -> None:
    path = tmp_path / "gpt-4.1.yml"
    path.write_text(SEEDED)
    merged = update_profile(
        path,
        _run(
            "2026-01-02",
            MeasuredValue("go", "generate", "all", "pass_rate", 0.91, 164),
            MeasuredValue("go", "generate", "string_processing", "pass_rate", 0.85, 20),
            MeasuredValue("go", "refine", "all", "median_speedup", 1.3, 40, "median of 40"),
        ),
    )
    assert merged == load_profile(path)
    go = [(m.value, m.source) for m in merged.measurements("go", "generate", "all", "pass_rate")]
    assert go == [(0.91, "perforch-humaneval-x-2026-01-02"), (0.56, "mceval")]
    [strings] = merged.measurements("go", "generate", "string_processing", "pass_rate")
    assert (strings.value, strings.sample_size) == (0.85, 20)
    [speedup] = merged.measurements("go", "refine", "all", "median_speedup")
    assert (speedup.value, speedup.note) == (1.3, "median of 40")
    assert merged.measurements("go", "refine", "all", "improved_share") == ()
    assert merged.measurements("all", "fix", "all", "repair_rate")[0].value == 0.4
    assert set(merged.sources) == {"mceval", "aider", "perforch-humaneval-x-2026-01-02"}


def test_a_new_run_of_the_same_benchmark_replaces_the_old_figures(tmp_path: Path) -> None:
    path = tmp_path / "gpt-4.1.yml"
    path.write_text(SEEDED)
    update_profile(
        path,
        _run(
            "2026-01-02",
            MeasuredValue("go", "generate", "all", "pass_rate", 0.91, 164),
            MeasuredValue("python", "generate", "all", "pass_rate", 0.95, 164),
        ),
    )
    merged = update_profile(
        path, _run("2026-02-03", MeasuredValue("go", "generate", "all", "pass_rate", 0.93, 164))
    )
    go = [(m.value, m.source) for m in merged.measurements("go", "generate", "all", "pass_rate")]
    assert go == [(0.93, "perforch-humaneval-x-2026-02-03"), (0.56, "mceval")]
    # python was not re-measured: its figure and the source it cites stay
    [python] = merged.measurements("python", "generate", "all", "pass_rate")
    assert python.source == "perforch-humaneval-x-2026-01-02"
    assert merged.sources["perforch-humaneval-x-2026-01-02"].date == "2026-01-02"


def test_creates_a_profile_for_a_new_model(tmp_path: Path) -> None:
    path = tmp_path / "new" / "local.yml"
    run = _run("2026-01-02", MeasuredValue("rust", "fix", "all", "repair_rate", 0.5, 10))
    with pytest.raises(ProfileError, match="no such profile; give the model"):
        update_profile(path, run)
    profile = update_profile(path, run, model="ollama/qwen2.5-coder")
    assert profile.model == "ollama/qwen2.5-coder"
    assert profile.measurements("rust", "fix", "all", "repair_rate")[0].value == 0.5
    assert path.read_text().startswith("profile_format: 1\nmodel: ollama/qwen2.5-coder\n")


def test_refuses_bad_measurements_without_touching_the_file(tmp_path: Path) -> None:
    path = tmp_path / "gpt-4.1.yml"
    path.write_text(SEEDED)
    with pytest.raises(ProfileError, match="generate has no metric 'repair_rate'"):
        update_profile(
            path, _run("2026-01-02", MeasuredValue("go", "generate", "all", "repair_rate", 1, 1))
        )
    with pytest.raises(ProfileError, match="pass_rate is fraction of tasks solved"):
        update_profile(
            path, _run("2026-01-02", MeasuredValue("go", "generate", "all", "pass_rate", 91, 1))
        )
    with pytest.raises(ProfileError, match=r"holds model 'gpt-4\.1', not 'o3'"):
        update_profile(path, _run("2026-01-02"), model="o3")
    assert path.read_text() == SEEDED
