"""`perforch profile` through main(argv): a real OpenAI-compatible server on 127.0.0.1, the
real sandbox on HumanEval-X, and a profiles folder whose file for the model is updated."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perforch_bot.cli import main
from perforch_bot.profiles import load_profile
from tests.perforch_bot.profiling.support import DATA, P0_REFINE_WRONG, P0_RIGHT, answer
from tests.support.openai_server import OpenAIServer

EXISTING = """\
profile_format: 1
model: openai/m
api_key_env: PROFILE_TEST_KEY
sources:
  aider: {citation: Aider, table: polyglot, date: "2025-04-14", benchmark: Aider polyglot}
  perforch-profile-20250101T000000Z: {citation: perforch profile, table: an older run,
    date: "2025-01-01", benchmark: HumanEval-X (perforch profile)}
metrics:
  all:
    generate:
      all:
        pass_rate: [{value: 0.4, source: aider, sample_size: 225}]
  python:
    generate:
      all:
        pass_rate: [{value: 0.1, source: perforch-profile-20250101T000000Z, sample_size: 10}]
  go:
    generate:
      all:
        pass_rate: [{value: 0.7, source: perforch-profile-20250101T000000Z, sample_size: 10}]
"""


@pytest.fixture
def profiles(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, openai_server: OpenAIServer) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "my-model.yml").write_text(EXISTING)
    monkeypatch.setenv("PROFILE_TEST_KEY", openai_server.api_key)
    monkeypatch.chdir(tmp_path)  # no .perforch.yml here
    return folder


def argv(server: OpenAIServer, profiles: Path, cache: Path, *extra: str) -> list[str]:
    return [
        "profile",
        "--model",
        "openai/m",
        "--benchmark",
        "humaneval-x",
        "--api-base",
        server.api_base,
        "--language",
        "py",
        "--limit",
        "1",
        "--profiles",
        str(profiles),
        "--data",
        str(DATA),
        "--cache-dir",
        str(cache),
        *extra,
    ]


def test_profile_updates_the_models_file_and_prints_json(
    profiles: Path,
    openai_server: OpenAIServer,
    sandbox_cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    openai_server.script("m", answer(P0_RIGHT), answer(P0_REFINE_WRONG))
    code = main(argv(openai_server, profiles, sandbox_cache, "--json"))
    captured = capsys.readouterr()
    assert code == 0, captured.err
    report = json.loads(captured.out)
    path = profiles / "my-model.yml"
    assert report["profile"] == str(path)
    [python] = report["languages"]
    assert (python["language"], python["problems"]) == ("python", 1)
    assert python["generate"] == {"passed": 1, "asked": 1}
    assert python["fix"] == {"repaired": 0, "asked": 0}
    assert python["refine"]["judged"] == 1 and python["refine"]["faster"] == 0
    [problem] = report["problems"]
    assert (problem["task_id"], problem["generate"], problem["refine"]) == (
        "Python/0",
        "passed",
        "wrong",
    )
    assert "Python/0: generate passed" in captured.err  # progress on stderr

    profile = load_profile(path)
    source_id = report["source"]
    older = "perforch-profile-20250101T000000Z"
    assert set(profile.sources) == {"aider", older, source_id}
    # The older run's Python figure is replaced (same benchmark, same cell) ...
    [rate] = profile.measurements("python", "generate", "all", "pass_rate")
    assert (rate.value, rate.sample_size, rate.source) == (1.0, 1, source_id)
    [share] = profile.measurements("python", "refine", "array_list", "improved_share")
    assert (share.value, share.sample_size) == (0.0, 1)
    assert profile.measurements("python", "fix", "all", "repair_rate") == ()
    # ... while other benchmarks' figures, and the cells it did not measure, are kept.
    assert profile.measurements("all", "generate", "all", "pass_rate")[0].value == 0.4
    [go] = profile.measurements("go", "generate", "all", "pass_rate")
    assert (go.value, go.source) == (0.7, older)
    assert path.read_text().startswith("# Model profile: every figure cites a source below")
    # The key came from the variable the existing profile names.
    assert all(r.authorized for r in openai_server.requests)
    assert len(openai_server.requests) == 2


def test_profile_prints_a_table_and_the_profile_path(
    profiles: Path,
    openai_server: OpenAIServer,
    sandbox_cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    openai_server.script("m", answer(P0_RIGHT), answer(P0_REFINE_WRONG))
    code = main(argv(openai_server, profiles, sandbox_cache))
    out = capsys.readouterr().out
    assert code == 0
    assert out.startswith("Profile of openai/m on HumanEval-X\n")
    assert "LANGUAGE  PROBLEMS  GENERATE" in out
    [row] = [line for line in out.splitlines() if line.startswith("python")]
    assert row.split()[:5] == ["python", "1", "1/1", "(1.00)", "-"]
    assert f"profile: {profiles / 'my-model.yml'}" in out


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["--model", "open ai/gpt 4"], "is not a litellm model string"),
        (["--model", "replay/openai/m"], "profile the model itself"),
        (["--limit", "0"], "measures nothing: give 1 or more"),
        (["--language", "js"], "'js' is not a HumanEval-X language here; choose from python"),
        (["--data", "/nonexistent/humaneval-x"], "pass --data DIR"),
        (["--api-key-env", "NOT_SET_ANYWHERE_42"], "NOT_SET_ANYWHERE_42 is not set"),
    ],
)
def test_bad_usage_says_what_to_do(
    profiles: Path,
    openai_server: OpenAIServer,
    sandbox_cache: Path,
    capsys: pytest.CaptureFixture[str],
    extra: list[str],
    message: str,
) -> None:
    code = main(argv(openai_server, profiles, sandbox_cache, *extra))
    assert code == 2
    assert message in capsys.readouterr().err
    assert openai_server.requests == []
    assert (profiles / "my-model.yml").read_text() == EXISTING


def test_a_model_that_refuses_the_first_call_writes_nothing(
    profiles: Path,
    openai_server: OpenAIServer,
    sandbox_cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    # Nothing scripted: the server refuses the request (HTTP 400), which is not retried.
    code = main(argv(openai_server, profiles, sandbox_cache))
    assert code == 1
    assert len(openai_server.requests) == 1
    assert "the first call to openai/m failed, so nothing was measured" in capsys.readouterr().err
    assert (profiles / "my-model.yml").read_text() == EXISTING
