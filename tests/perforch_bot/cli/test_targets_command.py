"""``perforch targets``: files, directories, specs, --diff and --rev, table and JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perforch_bot.cli import main
from tests.perforch_bot.targets.gitrepo import GitRepo

CACHE_GO = """\
package cache

// Get returns a value.
func (c *Cache) Get(k string) (int, bool) {
\tv, ok := c.items[k]
\treturn v, ok
}

func (c Cache) Len() int { return len(c.items) }
"""
SHAPES_JAVA = """\
class Shapes {
    int area(int side) { return side * side; }
    int area(int w, int h) { return w * h; }
}
"""


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(["targets", *argv])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "cache").mkdir()
    (tmp_path / "cache" / "cache.go").write_text(CACHE_GO)
    (tmp_path / "Shapes.java").write_text(SHAPES_JAVA)
    (tmp_path / "vendor").mkdir()
    (tmp_path / "vendor" / "dep.py").write_text("def dep():\n    pass\n")
    (tmp_path / "notes.txt").write_text("not code\n")
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_cache.py").write_text("def test_get():\n    pass\n")
    (tmp_path / ".hidden").mkdir()
    (tmp_path / ".hidden" / "h.py").write_text("def h():\n    pass\n")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_lists_functions_as_a_table(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "cache/cache.go", "Shapes.java")
    assert code == 0 and err == ""
    lines = out.splitlines()
    assert lines[0].split() == ["LOCATION", "LANGUAGE", "KIND", "FUNCTION", "CATEGORY"]
    assert lines[2].split() == ["cache/cache.go:3-7", "go", "method", "(*Cache).Get", "other"]
    assert lines[3].split() == ["cache/cache.go:9-9", "go", "method", "Cache.Len", "other"]
    assert lines[4].split()[-3:] == ["method", "Shapes.area(int)", "math_number_theory"]
    assert lines[5].split()[-4:] == ["method", "Shapes.area(int,", "int)", "math_number_theory"]


def test_directories_skip_hidden_vendored_and_test_code(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = _run(capsys, ".", "--json")
    assert code == 0
    specs = [f["spec"] for f in json.loads(out)["functions"]]
    assert specs == [
        "Shapes.java::Shapes.area(int)",
        "Shapes.java::Shapes.area(int, int)",
        "cache/cache.go::(*Cache).Get",
        "cache/cache.go::Cache.Len",
    ]
    code, out, _ = _run(capsys, ".", "--tests", "--json")
    specs = [f["spec"] for f in json.loads(out)["functions"]]
    assert specs[-1] == "tests/test_cache.py::test_get"
    assert not any(spec.startswith((".hidden", "vendor")) for spec in specs)
    # named explicitly, a file is listed whatever its directory
    code, out, _ = _run(capsys, "vendor/dep.py", "--json")
    assert [f["spec"] for f in json.loads(out)["functions"]] == ["vendor/dep.py::dep"]


def test_json_schema(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "cache/cache.go::Get", "--json")
    assert code == 0
    report = json.loads(out)
    assert set(report) == {"schema", "mode", "functions", "skipped", "warnings"}
    assert (report["schema"], report["mode"], report["skipped"]) == (1, "files", [])
    function = report["functions"][0]
    assert set(function) == {
        "spec",
        "path",
        "language",
        "name",
        "qualified_name",
        "kind",
        "span",
        "declaration_span",
        "body_span",
        "signature",
        "enclosing_type",
        "imports",
        "is_test",
        "has_syntax_error",
        "category",
        "change",
        "added_lines",
        "hunks",
    }
    assert function["category"] == "other"  # a plain getter says nothing about its problem
    assert function["spec"] == "cache/cache.go::(*Cache).Get"
    assert function["span"] == {
        "start_line": 3,
        "end_line": 7,
        "start_byte": CACHE_GO.index("// Get"),
        "end_byte": CACHE_GO.index("\n\nfunc (c Cache)"),
    }
    assert function["declaration_span"]["start_line"] == 4
    assert function["signature"] == {
        "text": "func (c *Cache) Get(k string) (int, bool)",
        "parameters": [
            {"name": "c", "type": "*Cache", "is_self": True},
            {"name": "k", "type": "string", "is_self": False},
        ],
        "return_type": "(int, bool)",
    }
    assert function["imports"] == ["package cache"]
    assert (function["change"], function["hunks"]) == (None, None)


def test_errors_are_clear(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "Shapes.java::Shapes.area")
    assert code == 1
    assert "matches 2 functions" in err and "Shapes.java::Shapes.area(int, int)" in err
    code, _, err = _run(capsys, "cache/cache.go::Gett")
    assert code == 1 and "did you mean cache/cache.go::(*Cache).Get" in err
    code, _, err = _run(capsys, "missing.py")
    assert code == 1 and "missing.py: no such file or directory" in err
    code, _, err = _run(capsys, "notes.txt")
    assert code == 1 and "cannot tell its language" in err
    code, _, err = _run(capsys, ".", "--diff", "Shapes.java", "--rev", "a..b")
    assert code == 2 and "either --diff FILE or --rev BASE..HEAD" in err


@pytest.fixture
def repo(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> GitRepo:
    repo = GitRepo(tmp_path / "repo")
    repo.write("cache/cache.go", CACHE_GO)
    repo.write("Shapes.java", SHAPES_JAVA)
    repo.write("vendor/dep/dep.go", "package dep\n\nfunc Dep() int { return 1 }\n")
    repo.commit("base")
    repo.write("cache/cache.go", CACHE_GO.replace("return len(c.items)", "return 0"))
    repo.write("Shapes.java", SHAPES_JAVA.replace("w * h", "h * w"))
    repo.write("vendor/dep/dep.go", "package dep\n\nfunc Dep() int { return 2 }\n")
    repo.commit("head")
    monkeypatch.chdir(repo.root)
    return repo


def test_rev_lists_changed_functions(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    repo.write("Shapes.java", "uncommitted changes are not part of HEAD\n")
    code, out, _ = _run(capsys, ".", "--rev", "HEAD~1..HEAD")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["LOCATION", "LANGUAGE", "KIND", "FUNCTION", "CATEGORY", "CHANGE"]
    assert [line.split()[0] for line in lines[2:4]] == ["Shapes.java:3-3", "cache/cache.go:9-9"]
    assert all(line.split()[-1] == "modified" for line in lines[2:4])
    assert lines[4] == "skipped vendor/dep/dep.go: vendored"


def test_diff_file_json_and_path_scope(repo: GitRepo, capsys: pytest.CaptureFixture[str]) -> None:
    (repo.root / "pr.diff").write_text(repo.diff("HEAD~1"))
    code, out, _ = _run(capsys, "cache", "--diff", "pr.diff", "--json")
    assert code == 0
    report = json.loads(out)
    assert report["mode"] == "diff"
    [function] = report["functions"]
    assert function["spec"] == "cache/cache.go::Cache.Len"
    assert function["change"] == "modified"
    assert function["added_lines"] == [9]
    assert function["hunks"] == [
        {"source_start": 6, "source_length": 4, "target_start": 6, "target_length": 4}
    ]
    code, out, _ = _run(capsys, ".", "--diff", "pr.diff", "--exclude", "*.java")
    assert "Shapes.java" in out and "excluded by --exclude" in out


def test_rev_outside_a_repository(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    code, _, err = _run(capsys, ".", "--rev", "main..HEAD")
    assert code == 1 and "is not inside a git repository" in err
