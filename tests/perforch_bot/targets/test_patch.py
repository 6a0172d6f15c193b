"""Patches of write-backs, checked with real ``git apply``."""

from __future__ import annotations

from pathlib import Path

import pytest

from perforch_bot.targets import extract, replace_function, unified_diff
from tests.perforch_bot.targets.gitrepo import GitRepo
from tests.perforch_bot.targets.languages import test_go, test_java, test_python

CASES = {
    "lf": (
        "src/hard.py",
        test_python.SOURCE.encode(),
        "Outer.fetch",
        "async def fetch(self, url):\n    return await get(url)",
    ),
    "crlf": (
        "src/Hard.java",
        test_java.SOURCE.replace("\n", "\r\n").encode(),
        "Cache.Point.sum",
        "int sum() {\n    int total = x;\n    total += y;\n    return total;\n}",
    ),
    "tabs-no-final-newline": (
        "hard.go",
        test_go.SOURCE.rstrip("\n").encode(),
        "Sum",
        "func Sum(a, b int, rest ...int) (total int, err error) {\n"
        "    for _, r := range rest {\n        total += r\n    }\n"
        "    return total + a + b, nil\n}",
    ),
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_git_apply_accepts_the_patch(tmp_path: Path, case: str) -> None:
    path, source, name, new = CASES[case]
    repo = GitRepo(tmp_path / "repo")
    repo.write(path, source)
    repo.commit()
    function = next(f for f in extract(path, source).functions if f.qualified_name == name)
    edit = replace_function(source, function, new)
    patch = unified_diff(path, edit.original, edit.updated)
    assert patch.startswith(f"diff --git a/{path} b/{path}\n--- a/{path}\n+++ b/{path}\n@@ -")
    repo.apply(patch, check=True)
    repo.apply(patch)
    assert repo.read(path) == edit.updated


def test_several_changes_and_a_new_last_line(tmp_path: Path) -> None:
    before = "".join(f"line {n}\n" for n in range(1, 40)).encode()
    after = before.replace(b"line 3\n", b"line three\n").replace(b"line 30\n", b"") + b"tail"
    patch = unified_diff("notes/x.txt", before, after)
    assert patch.count("@@ -") == 3
    assert patch.endswith("+tail\n\\ No newline at end of file\n")
    repo = GitRepo(tmp_path / "repo")
    repo.write("notes/x.txt", before)
    repo.commit()
    repo.apply(patch)
    assert repo.read("notes/x.txt") == after


def test_no_change_is_an_empty_patch() -> None:
    assert unified_diff("a.py", b"x = 1\n", b"x = 1\n") == ""
