"""The git reads behind ``--rev``, on a real repository."""

from __future__ import annotations

from pathlib import Path

import pytest

from perforch_bot.targets import (
    DiffError,
    diff_revisions,
    read_at_revision,
    repository_root,
    split_range,
)
from tests.perforch_bot.targets.gitrepo import GitRepo


def test_diff_and_read_at_a_revision(tmp_path: Path) -> None:
    repo = GitRepo(tmp_path / "repo")
    repo.write("a.py", "def f():\n    return 1\n")
    base = repo.commit("base")
    repo.write("a.py", "def f():\n    return 2\n")
    repo.commit("head")
    repo.write("a.py", "def f():\n    return 3\n")  # uncommitted: not part of base..HEAD
    (repo.root / "sub").mkdir()
    assert repository_root(repo.root / "sub") == repo.root.resolve()
    diff = diff_revisions(repo.root, f"{base}..HEAD")
    assert "-    return 1\n+    return 2\n" in diff
    assert diff.startswith("diff --git a/a.py b/a.py")
    assert read_at_revision(repo.root, "HEAD", "a.py") == b"def f():\n    return 2\n"
    assert read_at_revision(repo.root, "HEAD", "missing.py") is None


def test_bad_ranges_and_places(tmp_path: Path) -> None:
    assert split_range("main..HEAD") == ("main", "HEAD")
    assert split_range("origin/main...feature") == ("origin/main", "feature")
    assert split_range("v1..") == ("v1", "HEAD")
    for bad in ("main", "..HEAD", "--output=x..HEAD"):
        with pytest.raises(DiffError, match="is not a revision range"):
            split_range(bad)
    with pytest.raises(DiffError, match="is not inside a git repository"):
        repository_root(tmp_path)
    repo = GitRepo(tmp_path / "repo")
    repo.write("a.py", "x = 1\n")
    repo.commit()
    with pytest.raises(DiffError, match=r"git cannot diff nosuch\.\.HEAD"):
        diff_revisions(repo.root, "nosuch..HEAD")
