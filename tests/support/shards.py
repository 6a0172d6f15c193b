"""A repository whose head changes a function in each of two files, and its two shards run
for real with ``perforch run --shard I/2`` (the loopback model server, the real sandbox):
the partial traces ``perforch merge`` and the Action's merge mode combine."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from perforch_bot.cli import main
from tests.support.openai_server import OpenAIServer, Reply
from tests.support.workspace import Workspace, make_workspace

SLOW = "def total(xs):\n    s = 0\n    for x in xs:\n        s = s + x\n    return s\n"
FAST = "def total(xs):\n    return sum(xs)\n"
COUNT = (
    "def count(xs, y):\n    n = 0\n    for x in xs:\n        if x == y:\n"
    "            n += 1\n    return n\n"
)
WRONG = "def count(xs, y):\n    return 0\n"  # gives other outputs: rejected, original kept
INPUTS = {
    "calc.py/total.py": "INPUTS = [(list(range(20000)),), ([],)]\n",
    "other.py/count.py": "INPUTS = [([1, 2, 1], 1), ([], 3)]\n",
}


@dataclass(frozen=True)
class Sharded:
    workspace: Workspace
    partials: tuple[Path, Path]  # shard 1 (calc.py::total), shard 2 (other.py::count)

    @property
    def range(self) -> str:
        return f"{self.workspace.base_sha}..{self.workspace.head_sha}"


def sharded_workspace(root: Path, server: OpenAIServer) -> Workspace:
    config = (
        f"models:\n  - {{model: openai/alpha, api_base: '{server.api_base}', "
        "api_key_env: PERFORCH_TEST_KEY}\nrefine_rounds: 0\nfix_rounds: 0\n"
    )
    base = {"calc.py": "X = 1\n", "other.py": "Y = 2\n", ".perforch.yml": config}
    head = {"calc.py": f"X = 1\n\n\n{SLOW}", "other.py": f"Y = 2\n\n\n{COUNT}"}
    workspace = make_workspace(root, base, head)
    for name, text in INPUTS.items():
        saved = workspace.path / ".perforch" / "inputs" / name
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(text)
    return workspace


def run_shards(root: Path, server: OpenAIServer, sandbox_cache: Path) -> Sharded:
    """Both shards run, one after the other, as two matrix jobs would (in one checkout)."""
    workspace = sharded_workspace(root, server)
    server.script("alpha", Reply(f"```python\n{FAST}```"), Reply(f"```python\n{WRONG}```"))
    range_ = f"{workspace.base_sha}..{workspace.head_sha}"
    partials = []
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(workspace.path)
        patch.setenv("PERFORCH_TEST_KEY", server.api_key)
        for index in (1, 2):
            out = workspace.path / "shards" / f"shard-{index}.json"
            argv = ["run", "--rev", range_, "--shard", f"{index}/2", "--out", str(out)]
            argv += ["--split-cost", "--max-seconds", "30", "--quiet"]
            assert main([*argv, "--cache-dir", str(sandbox_cache)]) == 0
            partials.append(out)
    return Sharded(workspace, (partials[0], partials[1]))
