"""A checked-out repository like the one a workflow runs in: a base commit and a pull
request's head commit, with ``origin`` a bare copy (so the bot can fetch a head it lacks)."""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

_IDENTITY = {
    "GIT_AUTHOR_NAME": "t",
    "GIT_AUTHOR_EMAIL": "t@example.com",
    "GIT_COMMITTER_NAME": "t",
    "GIT_COMMITTER_EMAIL": "t@example.com",
}


def git(repo: Path, *args: str) -> str:
    result = subprocess.run(
        ["git", "-C", str(repo), *args],
        env={**os.environ, **_IDENTITY},
        check=True,
        capture_output=True,
        text=True,
    )
    return result.stdout


@dataclass(frozen=True)
class Workspace:
    path: Path
    base_sha: str
    head_sha: str

    def patch(self, path: str) -> str:
        """The file's hunks as GitHub's "list pull request files" shows them (``patch``)."""
        diff = git(self.path, "diff", self.base_sha, self.head_sha, "--", path)
        return diff[diff.index("@@") :]


def make_workspace(root: Path, base: dict[str, str], head: dict[str, str]) -> Workspace:
    """A repository whose base commit has ``base`` files and head commit ``head`` files,
    checked out at the head, with a bare ``origin`` holding both commits."""
    repo = root / "workspace"
    repo.mkdir(parents=True)
    git(repo, "init", "-q")
    for name, text in base.items():
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    base_sha = git(repo, "rev-parse", "HEAD").strip()
    for name, text in head.items():
        (repo / name).write_text(text)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "head")
    head_sha = git(repo, "rev-parse", "HEAD").strip()
    origin = root / "origin.git"
    git(root, "clone", "-q", "--bare", str(repo), str(origin))
    git(repo, "remote", "add", "origin", str(origin))
    git(origin, "config", "uploadpack.allowAnySHA1InWant", "true")
    return Workspace(repo, base_sha, head_sha)
