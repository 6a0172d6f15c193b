"""The Action's merge mode end to end: two shards run for real (`perforch run --shard I/2`:
the loopback model server, the real sandbox), then the Action merges their traces from the
workspace and posts once through PyGithub to the loopback GitHub server."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from action import main
from tests.perforch_bot.events.payloads import load
from tests.support import github_bodies as routes
from tests.support.github_server import GitHubServer
from tests.support.openai_server import serve_openai
from tests.support.shards import Sharded, run_shards


@pytest.fixture(scope="module")
def sharded(tmp_path_factory: pytest.TempPathFactory, sandbox_cache: Path) -> Iterator[Sharded]:
    with serve_openai() as server:
        yield run_shards(tmp_path_factory.mktemp("sharded"), server, sandbox_cache)


def merge_environment(
    tmp_path: Path, github: GitHubServer, sharded: Sharded, partials: str
) -> dict[str, str]:
    payload = load("pull_request", "opened")
    payload["pull_request"]["head"]["sha"] = sharded.workspace.head_sha
    number = payload["number"]
    workspace = sharded.workspace
    github.add_pull(
        number,
        head_sha=workspace.head_sha,
        base_sha=workspace.base_sha,
        files={p: workspace.patch(p) for p in ("calc.py", "other.py")},
    )
    event_path = tmp_path / "event.json"
    event_path.write_text(json.dumps(payload))
    return {
        "PERFORCH_GITHUB_TOKEN": github.token,
        "PERFORCH_MODE": "merge",
        "PERFORCH_PARTIALS": partials,
        "GITHUB_EVENT_NAME": "pull_request",
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_WORKSPACE": str(workspace.path),
        "GITHUB_API_URL": github.base_url,
        "GITHUB_OUTPUT": str(tmp_path / "output"),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
    }


def test_merge_mode_posts_one_summary_and_one_review(
    tmp_path: Path,
    github_server: GitHubServer,
    sharded: Sharded,
    capsys: pytest.CaptureFixture[str],
) -> None:
    env = merge_environment(tmp_path, github_server, sharded, "shards/*.json")

    assert main([], env) == 0, capsys.readouterr().out

    [summary] = github_server.requests_to(routes.NEW_COMMENT)
    body = summary.body["body"]
    assert body.startswith("<!-- perforch:summary -->")
    assert body.index("| `calc.py::total` (python) | faster |") < body.index(
        "| `other.py::count` (python) | original kept |"
    )
    assert "Sharded (merged): 2 function(s)" in body
    assert "<!-- perforch-seen: calc.py::total@" in body  # the bot's memory, as one job keeps it
    [review] = github_server.requests_to(routes.REVIEWS)
    assert review.body["commit_id"] == sharded.workspace.head_sha
    [suggestion] = review.body["comments"]
    assert suggestion["path"] == "calc.py" and (suggestion["start_line"], suggestion["line"]) == (
        4,
        8,
    )
    assert "```suggestion\ndef total(xs):\n    return sum(xs)\n```" in suggestion["body"]
    outputs = (tmp_path / "output").read_text()
    assert "improved=1\n" in outputs and "best-speedup=" in outputs
    assert "faster" in (tmp_path / "summary.md").read_text()
    merged = list((sharded.workspace.path / ".perforch" / "runs").glob("merged-*"))
    assert sorted(p.suffix for p in merged) == [".json", ".patch"]


def test_merge_mode_refuses_a_missing_shard_and_posts_nothing(
    tmp_path: Path,
    github_server: GitHubServer,
    sharded: Sharded,
    capsys: pytest.CaptureFixture[str],
) -> None:
    only = sharded.workspace.path / "only-first"
    only.mkdir(exist_ok=True)
    shutil.copy(sharded.partials[0], only / "shard-1.json")
    env = merge_environment(tmp_path, github_server, sharded, "only-first/*.json")
    assert main([], env) == 1
    out = capsys.readouterr().out
    assert "::error::PerfOrch failed: missing 1 of the plan's 2 shard(s): shard 2/2" in out
    assert not github_server.requests_to(routes.NEW_COMMENT)
    assert not github_server.requests_to(routes.REVIEWS)

    env = merge_environment(tmp_path, github_server, sharded, "nowhere/*.json")
    assert main([], env) == 1
    assert "no shard traces match `nowhere/*.json`" in capsys.readouterr().out
