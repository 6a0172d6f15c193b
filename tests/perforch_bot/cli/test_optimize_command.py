"""`perforch optimize`, `perforch report` and `perforch demo` through main(argv): real files,
a real OpenAI-compatible server on 127.0.0.1, the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perforch_bot.cli import main
from tests.support.openai_server import OpenAIServer, Reply

OLD = "def total(xs):\n    s = 0\n    for x in xs:\n        s = s + x\n    return s\n"
FAST = "def total(xs):\n    return sum(xs)\n"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, openai_server: OpenAIServer) -> Path:
    (tmp_path / "calc.py").write_text(OLD)
    (tmp_path / "inputs.py").write_text("INPUTS = [(list(range(20000)),), ([],)]\n")
    (tmp_path / ".perforch.yml").write_text(
        "models:\n"
        f"  - {{model: openai/alpha, api_base: '{openai_server.api_base}', "
        "api_key_env: PERFORCH_TEST_KEY}\n"
        "refine_rounds: 0\n"
    )
    monkeypatch.setenv("PERFORCH_TEST_KEY", openai_server.api_key)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def cache_args(sandbox_cache: Path) -> list[str]:
    return ["--cache-dir", str(sandbox_cache)]


def test_optimize_applies_the_patch_and_writes_a_trace_that_report_renders(
    project: Path,
    openai_server: OpenAIServer,
    sandbox_cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    openai_server.script("alpha", Reply(f"```python\n{FAST}```"))
    code = main(
        [
            "optimize",
            "calc.py::total",
            "--inputs",
            "inputs.py",
            "--apply",
            "--max-seconds",
            "30",
            "--quiet",
            *cache_args(sandbox_cache),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert (project / "calc.py").read_text() == FAST
    assert "| `calc.py::total` (python) | faster |" in out
    [trace_path] = (project / ".perforch" / "runs").glob("*.json")
    assert trace_path.with_suffix(".patch").read_text().count("+    return sum(xs)") == 1
    assert "applied to calc.py" in err and openai_server.requests[0].authorized

    assert main(["report", str(trace_path), "--format", "json"]) == 0
    trace = json.loads(capsys.readouterr().out)
    assert trace["functions"][0]["result"] == "improved"
    assert main(["report", str(trace_path)]) == 0
    assert "| `calc.py::total` (python) | faster |" in capsys.readouterr().out


def test_optimize_without_a_change_leaves_the_file_alone(
    project: Path,
    openai_server: OpenAIServer,
    sandbox_cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    openai_server.script("alpha", Reply(f"```python\n{OLD}```"))
    code = main(
        [
            "optimize",
            "calc.py::total",
            "--inputs",
            "inputs.py",
            "--apply",
            "--max-seconds",
            "10",
            "--quiet",
            *cache_args(sandbox_cache),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert (project / "calc.py").read_text() == OLD
    assert "| `calc.py::total` (python) | original kept |" in out
    assert not list((project / ".perforch" / "runs").glob("*.patch"))


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["optimize", "nowhere.py::total"], "no such file 'nowhere.py'"),
        (["optimize", "calc.py::missing"], "missing"),
        (["optimize", "calc.py", "--max-cost", "0"], "--max-cost must be a positive"),
    ],
)
def test_bad_targets_and_options_say_what_to_do(
    project: Path, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(argv) != 0
    assert message in capsys.readouterr().err


def test_report_refuses_a_file_that_is_not_a_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bogus = tmp_path / "run.json"
    bogus.write_text('{"format": "something-else"}')
    assert main(["report", str(bogus)]) == 1
    assert "is not a PerfOrch run" in capsys.readouterr().err


def test_demo_runs_the_python_example_on_recorded_answers(
    tmp_path: Path,
    sandbox_cache: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code = main(["demo", "--language", "python", "--quiet", *cache_args(sandbox_cache)])
    out = capsys.readouterr().out
    assert code == 0
    assert "Recorded model responses" in out
    assert "| `python/old.py::dedupe` (python) | faster |" in out
    for step in ("generate 1", "fix 1", "refine 1"):
        assert step in out
    assert "**incorrect**" in out and "**not-faster**" in out and "**kept**" in out
    assert "refine 2" not in out
