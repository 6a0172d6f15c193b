"""`perforch plan`, `perforch run --shard` and `perforch merge` through main(argv): a real git
repository changing functions in several files, the loopback model server, the real sandbox."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from perforch_bot.cli import main
from perforch_bot.pipeline import read_trace
from tests.support.openai_server import serve_openai
from tests.support.shards import Sharded, run_shards
from tests.support.workspace import git

BASE = {
    "a.py": "A = 1\n",
    "b.py": "B = 1\n",
    "c.py": "C = 1\n",
    "d.go": "package d\n",
    "tests/test_a.py": "import a\n",
    "vendor/lib.py": "V = 1\n",
    ".perforch.yml": "languages: [python]\n",
}
HEAD = {
    "a.py": "A = 1\n\n\ndef f1(x):\n    return x\n\n\ndef f2(x):\n    return x\n\n\n"
    "def f3(x):\n    return x\n",
    "b.py": "B = 1\n\n\ndef g1(x):\n    return x\n\n\ndef g2(x):\n    return x\n",
    "c.py": "C = 1\n\n\ndef h1(x):\n    return x\n",
    "d.go": "package d\n\nfunc D() int {\n\treturn 1\n}\n",
    "tests/test_a.py": "import a\n\n\ndef test_f1():\n    assert a.f1(1) == 1\n",
    "vendor/lib.py": "V = 1\n\n\ndef v(x):\n    return x\n",
}


def commit(repo: Path, files: dict[str, str], message: str) -> str:
    for name, text in files.items():
        (repo / name).parent.mkdir(parents=True, exist_ok=True)
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)
    return git(repo, "rev-parse", "HEAD").strip()


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """Six Python functions changed in a.py (3), b.py (2) and c.py (1), plus a Go function
    (not a configured language), a test file and a vendored file; the working directory."""
    git(tmp_path, "init", "-q")
    base = commit(tmp_path, BASE, "base")
    head = commit(tmp_path, HEAD, "head")
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path / "sub")  # anywhere in the repository
    return base, head


def plan_json(
    revision_range: str, *options: str, capsys: pytest.CaptureFixture[str]
) -> dict[str, Any]:
    assert main(["plan", "--rev", revision_range, *options, "--json"]) == 0
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def test_plan_prints_a_matrix_of_whole_files_balanced_by_function_count(
    repo: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    revision_range = f"{repo[0]}..{repo[1]}"
    data = plan_json(revision_range, "--shards", "2", capsys=capsys)
    assert data["matrix"] == {"shard": ["1/2", "2/2"]}
    assert [s["files"] for s in data["shards"]] == [["a.py"], ["b.py", "c.py"]]
    assert data["shards"][1]["functions"] == ["b.py::g1", "b.py::g2", "c.py::h1"]
    assert (data["base"], data["head"]) == repo
    skipped = {s["path"]: s["reason"] for s in data["skipped"]}
    assert skipped == {"tests/test_a.py": "test", "vendor/lib.py": "vendored"}
    assert data["notes"] == ["`d.go::D`: go is not listed"]

    outputs = tmp_path / "github-output"
    argv = ["plan", "--rev", revision_range, "--shards", "2", "--github-output", str(outputs)]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert out == '{"shard": ["1/2", "2/2"]}\n'
    assert (
        "6 function(s) in 3 file(s)" in err
        and "shard 2/2: 3 function(s): b.py (2), c.py (1)" in err
    )
    assert outputs.read_text() == (
        f'matrix={{"shard": ["1/2", "2/2"]}}\nshards=2\nfunctions=6\nplan={data["plan"]}\n'
    )


@pytest.mark.parametrize(
    ("options", "files"),
    [
        (["--shards", "9"], [["a.py"], ["b.py"], ["c.py"]]),  # never more shards than files
        (["--per-shard", "2"], [["a.py"], ["b.py"], ["c.py"]]),
        (["--per-shard", "6"], [["a.py", "b.py", "c.py"]]),
        ([], [["a.py", "b.py", "c.py"]]),  # 10 per shard by default
        (["--shards", "2", "--exclude", "a*"], [["b.py"], ["c.py"]]),
        (["--shards", "2", "--include", "c.py"], [["c.py"]]),
    ],
)
def test_plan_shard_counts_and_filters_are_deterministic(
    repo: tuple[str, str],
    options: list[str],
    files: list[list[str]],
    capsys: pytest.CaptureFixture[str],
) -> None:
    first = plan_json(f"{repo[0]}..{repo[1]}", *options, capsys=capsys)
    assert [s["files"] for s in first["shards"]] == files
    assert plan_json(f"{repo[0]}..{repo[1]}", *options, capsys=capsys) == first


def test_a_range_without_changed_functions_gives_an_empty_matrix(
    repo: tuple[str, str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outputs = tmp_path / "github-output"
    head = repo[1]
    assert main(["plan", "--rev", f"{head}..{head}", "--github-output", str(outputs)]) == 0
    out, err = capsys.readouterr()
    assert out == '{"shard": []}\n'
    assert f"no function to optimize in {head}..{head}" in err
    assert "shards=0\nfunctions=0\n" in outputs.read_text()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["run", "--shard", "1/5"], "shard 1/5 does not exist: "),
        (["run", "--shard", "3/2"], "'3/2' is not a shard: write I/N"),
        (["plan", "--shards", "2", "--per-shard", "3"], "give --shards or --per-shard"),
        (["merge", "nowhere.json"], "cannot read nowhere.json"),
    ],
)
def test_bad_shards_say_what_is_wrong(
    repo: tuple[str, str], argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    if argv[0] != "merge":
        argv = [*argv, "--rev", f"{repo[0]}..{repo[1]}"]
    assert main(argv) != 0
    assert message in capsys.readouterr().err


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory, sandbox_cache: Path) -> Iterator[Sharded]:
    with serve_openai() as server:
        yield run_shards(tmp_path_factory.mktemp("sharded"), server, sandbox_cache)


def test_each_shard_writes_its_part_with_the_plan(sharded: Sharded) -> None:
    first, second = (read_trace(p) for p in sharded.partials)
    assert [f.spec for f in first.functions] == ["calc.py::total"]
    assert [f.spec for f in second.functions] == ["other.py::count"]
    assert first.functions[0].result == "improved"
    assert second.functions[0].result == "rolled-back"
    assert first.plan is not None and second.plan is not None
    assert (first.plan.shard, second.plan.shard) == (1, 2)
    assert first.plan.model_copy(update={"shard": 2}) == second.plan
    assert first.plan.head_sha == sharded.workspace.head_sha
    assert first.cost_cap_usd == second.cost_cap_usd == 0.5  # --split-cost: 1.00 / 2
    assert first.patch is not None and second.patch is None


def test_merge_combines_the_shards_in_plan_order(
    sharded: Sharded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "merged.json"
    second, first = reversed(sharded.partials)
    assert main(["merge", str(second), str(first), "--out", str(out)]) == 0
    report, err = capsys.readouterr()
    total = report.index("| `calc.py::total` (python) | faster |")
    assert total < report.index("| `other.py::count` (python) | original kept |")
    assert "Sharded (merged): 2 function(s)" in report
    merged = read_trace(out)
    parts = [read_trace(p) for p in sharded.partials]
    assert [f.spec for f in merged.functions] == ["calc.py::total", "other.py::count"]
    assert merged.calls == sum(p.calls for p in parts) == 2
    assert merged.prompt_tokens == sum(p.prompt_tokens for p in parts)
    assert merged.cost_cap_usd == 1.0
    assert merged.plan is not None and merged.plan.shard is None
    assert merged.patch == parts[0].patch
    patch = out.with_suffix(".patch")
    assert f"patch: {patch}" in err
    git(sharded.workspace.path, "apply", "--check", str(patch))  # applies at the head

    argv = ["merge", *map(str, sharded.partials), "--out", str(out), "--format", "json"]
    assert main(argv) == 0
    assert json.loads(capsys.readouterr().out)["plan"]["shard"] is None


def test_merge_refuses_a_missing_or_repeated_shard_and_mixed_plans(
    sharded: Sharded, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first, second = map(str, sharded.partials)
    other_plan = tmp_path / "other.json"
    data = json.loads(Path(second).read_text())
    data["plan"].update(id="0123456789ab", head_sha="f" * 40)
    other_plan.write_text(json.dumps(data))
    unplanned, extra = tmp_path / "unplanned.json", tmp_path / "extra.json"
    data = json.loads(Path(first).read_text())
    unplanned.write_text(json.dumps({**data, "plan": None}))
    extra.write_text(json.dumps({**data, "functions": data["functions"] * 2}))
    merged = tmp_path / "merged.json"
    assert main(["merge", first, second, "--out", str(merged)]) == 0
    cases = [
        ([str(unplanned), second], f"{unplanned} is not a shard's trace"),
        ([str(extra), second], "hold functions the plan does not: `calc.py::total` (shard 1)"),
        ([first], "missing 1 of the plan's 2 shard(s): shard 2/2 (`other.py::count`)"),
        ([first, second, first], f"shard 1/2 is given twice: {first} and {first}"),
        ([first, str(other_plan)], "come from different plans: plan 0123456789ab"),
        ([first, str(merged)], f"{merged} is a merged trace"),
    ]
    capsys.readouterr()
    for partials, message in cases:
        assert main(["merge", *partials, "--out", str(tmp_path / "no.json")]) == 1
        assert message in capsys.readouterr().err
    assert not (tmp_path / "no.json").exists()
