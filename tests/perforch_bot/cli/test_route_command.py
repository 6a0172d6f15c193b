"""``perforch route``: the ranking with each term, as a table and as JSON; clear errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perforch_bot.cli import main

PROFILE = """\
model: {model}
sources:
  ours: {{citation: perforch profile, table: run 1, date: "2026-01-02",
          benchmark: HumanEval-X (perforch profile)}}
  prices: {{citation: litellm, table: map, date: n/a, benchmark: price list}}
prices: {{input_per_million: {price}, output_per_million: {price}, source: prices}}
metrics:
  go:
    refine:
      string_processing:
        improved_share: [{{value: {share}, source: ours, sample_size: 12}}]
        median_speedup: [{{value: {speedup}, source: ours, sample_size: 12}}]
      all:
        improved_share: [{{value: 0.5, source: ours, sample_size: 80}}]
"""


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    for model, price, share, speedup in (
        ("fast-model", 5, 0.8, 1.6),
        ("cheap-model", 0.1, 0.4, 1.1),
    ):
        text = PROFILE.format(model=model, price=price, share=share, speedup=speedup)
        (folder / f"{model}.yml").write_text(text)
    return folder


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["route", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_table_shows_each_term(profiles: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "--language", "go", "--stage", "refine", "--category", "strings",
        "--profiles", str(profiles),
    )  # fmt: skip
    assert code == 0
    lines = out.splitlines()
    assert (
        lines[0] == f"Route: go / refine / string processing (2 models, profiles from {profiles})"
    )
    assert lines[1].split() == [
        "RANK", "MODEL", "SCORE", "CORRECTNESS", "(0.50)", "SPEED", "(0.38)", "COST", "(0.13)",
    ]  # fmt: skip
    # fast-model: best share and speedup (0.5 + 0.375), worst cost; cheap-model: cost only
    assert lines[3].split() == [
        "1", "fast-model", "0.875", "0.500", "(0.8)", "0.375", "(1.6)", "0.000", "(0.021)",
    ]  # fmt: skip
    assert lines[4].split()[:3] == ["2", "cheap-model", "0.125"]
    assert (
        "  correctness improved_share [fraction of correct solutions made measurably faster; "
        "higher is better]: category level, HumanEval-X (perforch profile): 2 of 2 models have "
        "a figure; range 0.4..0.8"
    ) in lines
    assert "  memory      median_memory_ratio" in out and "left out" in out


def test_json_and_config_weights(
    profiles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "settings.yml"
    config.write_text(
        f"profiles_dir: {profiles.name}\n"
        "weights: {correctness: 0.1, speed: 0, memory: 0, cost: 1, latency: 0}\n"
    )
    code, out, _ = _run(
        capsys, "--language", "Go", "--stage", "refine", "--category", "string processing",
        "--config", str(config), "--json",
    )  # fmt: skip
    assert code == 0
    report = json.loads(out)
    assert (report["schema"], report["language"], report["category"]) == (
        1,
        "go",
        "string_processing",
    )
    assert report["profiles_dir"] == str(profiles.resolve())
    assert [r["model"] for r in report["ranking"]] == ["cheap-model", "fast-model"]
    cheap = report["ranking"][0]
    assert cheap["terms"]["cost"]["value"] == pytest.approx(0.1 * 4200 / 1e6)
    assert cheap["terms"]["cost"]["contribution"] == pytest.approx(1 / 1.1, abs=1e-6)
    terms = {t["term"]: t for t in report["terms"]}
    assert (terms["correctness"]["level"], terms["correctness"]["used"]) == ("category", True)
    assert terms["latency"]["used"] is False


def test_without_a_category_the_language_level_is_used(
    profiles: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(
        capsys, "--language", "go", "--stage", "refine", "--profiles", str(profiles), "--json"
    )
    assert code == 0
    report = json.loads(out)
    terms = {t["term"]: t for t in report["terms"]}
    assert (report["category"], terms["correctness"]["level"]) == (None, "language")
    assert terms["speed"]["used"] is False  # speedups exist only per category


def test_seed_profiles_are_the_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)  # no .perforch.yml here
    code, out, _ = _run(capsys, "--language", "c++", "--stage", "fix", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["profiles_dir"].endswith("profiles") and len(report["ranking"]) > 10
    terms = {t["term"]: t for t in report["terms"]}
    assert (terms["correctness"]["level"], terms["correctness"]["benchmark"]) == (
        "global",
        "Aider polyglot",
    )


def test_errors_are_clear(
    profiles: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = _run(capsys, "--language", "cobol", "--stage", "fix")
    assert code == 2 and "'cobol' is not supported; use one of python, java, cpp, go, rust" in err
    code, _, err = _run(capsys, "--language", "go", "--stage", "fix", "--category", "graphs")
    assert code == 2 and "unknown category 'graphs'" in err
    code, _, err = _run(capsys, "--language", "go", "--stage", "polish")
    assert code == 2 and "'polish' is not one of 'generate', 'fix', 'refine'" in err
    bad = tmp_path / "bad.yml"
    bad.write_text("weights: {speed: fast}\n")
    code, _, err = _run(capsys, "--language", "go", "--stage", "fix", "--config", str(bad))
    assert code == 1 and f"{bad}: 1 problem(s):" in err and "weights.speed" in err
    code, _, err = _run(
        capsys, "--language", "go", "--stage", "fix", "--profiles", str(tmp_path / "none")
    )
    assert code == 1 and "no such profiles directory" in err
    (profiles / "broken.yml").write_text("model: x\nprices: {input_per_million: 1}\n")
    code, _, err = _run(capsys, "--language", "go", "--stage", "fix", "--profiles", str(profiles))
    assert code == 1 and "broken.yml: 2 problem(s):" in err and "prices.output_per_million" in err
