from __future__ import annotations

import gzip
import json
from pathlib import Path

import pytest

from perforch_bot.cli import main
from sandbox.humaneval_x import KNOWN_DATASET_BUGS
from sandbox.languages import go
from tests.support.sandbox import DEPS_DIR, make_support

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "humaneval-x"


def test_eval_prints_pass_counts_as_json(
    sandbox_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(
        [
            "eval",
            "humaneval-x",
            "--language",
            "python",
            "--limit",
            "10",
            "--data",
            str(DATA),
            "--json",
            "--cache-dir",
            str(sandbox_cache),
        ]
    )
    [result] = json.loads(capsys.readouterr().out)
    assert code == 0
    assert (result["language"], result["passed"], result["total"]) == ("python", 10, 10)
    assert result["failures"] == []


def test_missing_dataset_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["eval", "humaneval-x", "--language", "python", "--data", str(tmp_path)])
    assert code == 1
    assert "pass --data DIR" in capsys.readouterr().err


def test_known_dataset_bugs_are_reported_apart_and_do_not_fail_the_run(
    sandbox_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Go's tests need testify and the prebuilt packages, which `perforch setup` builds once
    # into the default cache (their paths are absolute): the CLI runs on that cache.
    assert go.setup(make_support(sandbox_cache)) == []
    argv = ["eval", "humaneval-x", "--data", str(DATA), "--cache-dir", str(DEPS_DIR.parent)]
    code = main([*argv, "--task", "Rust/32", "--task", "Go/95", "--json"])
    by_language = {r["language"]: r for r in json.loads(capsys.readouterr().out)}
    assert code == 0
    rust = by_language["rust"]
    counts = (rust["passed"], rust["failed"], rust["known_dataset_bugs"], rust["total"])
    assert counts == (0, 0, 1, 1)
    assert rust["failures"] == []
    [known] = rust["known_dataset_bug_failures"]
    assert known["task_id"] == "Rust/32" and known["status"] == "known-dataset-bug"
    assert known["reason"] == KNOWN_DATASET_BUGS["Rust/32"].reason
    assert "no #[test] function" in known["message"]
    # Go/95 passes or fails at random: either way it is not a failure of the run.
    go_95 = by_language["go"]
    assert go_95["failed"] == 0 and go_95["failures"] == []
    assert go_95["passed"] + go_95["known_dataset_bugs"] == go_95["total"] == 1
    for entry in go_95["known_dataset_bug_failures"]:
        assert entry["reason"] == KNOWN_DATASET_BUGS["Go/95"].reason

    code = main([*argv, "--task", "Rust/32"])
    out = capsys.readouterr().out
    assert code == 0
    assert "known dataset bugs" in out.splitlines()[0]
    assert f"- Rust/32: known dataset bug: {KNOWN_DATASET_BUGS['Rust/32'].reason}" in out


def test_a_failing_solution_still_fails_the_run(
    tmp_path: Path, sandbox_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with gzip.open(DATA / "humaneval_python.jsonl.gz", "rt", encoding="utf-8") as handle:
        record = json.loads(handle.readline())
    record["canonical_solution"] = "    return not True\n"
    with gzip.open(tmp_path / "humaneval_python.jsonl.gz", "wt", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\n")
    argv = ["eval", "humaneval-x", "--data", str(tmp_path), "--cache-dir", str(sandbox_cache)]
    code = main([*argv, "--task", "Python/0", "--json"])
    [result] = json.loads(capsys.readouterr().out)
    assert code == 1
    assert (result["passed"], result["failed"], result["known_dataset_bugs"]) == (0, 1, 0)
    assert result["failures"][0]["status"] == "failed"


def test_task_ids_are_checked(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["eval", "humaneval-x", "--task", "Cobol/3", "--data", str(DATA)]) == 2
    assert "not a HumanEval-X task ID" in capsys.readouterr().err
