"""`perforch bench` through main(argv), on real files, git revisions and the bundled examples."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from perforch_bot.cli import main

OLD = "def total(xs):\n    s = 0\n    for x in xs:\n        s = s + x\n    return s\n"
NEW = "def total(xs):\n    return sum(xs)\n"
WRONG = "def total(xs):\n    return sum(xs) + 1\n"
INPUTS = "INPUTS = [(list(range(20000)),), ([],)]\n"


@pytest.fixture
def files(tmp_path: Path) -> Path:
    for name, text in (
        ("old.py", OLD),
        ("new.py", NEW),
        ("wrong.py", WRONG),
        ("inputs.py", INPUTS),
        ("tests.py", "assert total([1, 2]) == 3\n"),
    ):
        (tmp_path / name).write_text(text)
    return tmp_path


def cache_args(sandbox_cache: Path) -> list[str]:
    return ["--cache-dir", str(sandbox_cache)]


def test_json_output_has_verdict_interval_samples_and_provenance(
    files: Path, sandbox_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "bench",
            str(files / "old.py"),
            str(files / "new.py"),
            "--function",
            "total",
            "--inputs",
            str(files / "inputs.py"),
            "--tests",
            str(files / "tests.py"),
            "--max-seconds",
            "20",
            "--json",
            *cache_args(sandbox_cache),
        ]
    )
    assert code == 0
    [result] = json.loads(capsys.readouterr().out)
    assert result["status"] == "faster", result["summary"]
    assert result["timing"]["interval_95"]["speedup"] > 1.5
    assert result["timing"]["runs"][0]["ns_per_pass"]
    assert result["provenance"]["machine"]["cores"] >= 1
    assert result["provenance"]["toolchain"]["version"].startswith("3.")


def test_table_names_the_failing_input_for_a_wrong_version(
    files: Path, sandbox_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "bench",
            str(files / "old.py"),
            str(files / "wrong.py"),
            "--function",
            "total",
            "--inputs",
            str(files / "inputs.py"),
            *cache_args(sandbox_cache),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "incorrect" in out
    assert "different outputs on 2 of 2 inputs" in out


def test_git_revisions_are_read(
    files: Path,
    sandbox_cache: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    repo = files / "repo"
    repo.mkdir()
    git = ["git", "-C", str(repo), "-c", "user.name=t", "-c", "user.email=t@e"]
    subprocess.run([*git[:3], "init", "-q"], check=True)
    (repo / "calc.py").write_text(OLD)
    subprocess.run([*git, "add", "calc.py"], check=True)
    subprocess.run([*git, "commit", "-qm", "old"], check=True)
    (repo / "calc.py").write_text(WRONG)
    monkeypatch.chdir(repo)
    code = main(
        [
            "bench",
            "HEAD:calc.py",
            "calc.py",
            "--function",
            "total",
            "--inputs",
            str(files / "inputs.py"),
            *cache_args(sandbox_cache),
        ]
    )
    assert code == 0
    assert "incorrect" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["bench", "old.py"], "give OLD and NEW"),
        (["bench", "old.py", "new.py", "--inputs", "inputs.py"], "--function is required"),
        (["bench", "old.py", "new.py", "--function", "total"], "give --inputs"),
        (
            ["bench", "nope.py", "new.py", "--function", "total", "--inputs", "inputs.py"],
            "nope.py: no such file",
        ),
        (
            ["bench", "old.txt", "new.txt", "--function", "f", "--inputs", "inputs.py"],
            "cannot tell the language",
        ),
        (
            ["bench", "HEAD~9:x.py", "new.py", "--function", "f", "--inputs", "inputs.py"],
            "git cannot read it",
        ),
    ],
)
def test_bad_input_gets_a_clear_error(
    argv: list[str],
    message: str,
    files: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    (files / "old.txt").write_text("x")
    (files / "new.txt").write_text("y")
    monkeypatch.chdir(files)
    code = main(argv)
    assert code == 2
    assert message in capsys.readouterr().err


def test_bundled_python_example_runs(
    sandbox_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "bench",
            "--examples",
            "--language",
            "python",
            "--max-seconds",
            "20",
            *cache_args(sandbox_cache),
        ]
    )
    out = capsys.readouterr().out
    assert code == 0
    assert "dedupe" in out and "faster" in out
