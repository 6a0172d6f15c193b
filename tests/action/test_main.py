"""The Action end to end: a real webhook payload, the workflow's environment, a checked-out
repository, PyGithub against the loopback GitHub server, litellm against the loopback model
server, and the real sandbox. Asserts on exactly what was posted."""

from __future__ import annotations

from pathlib import Path

import pytest

from action import main
from tests.perforch_bot.events.payloads import load
from tests.support import github_bodies as routes
from tests.support.action_run import FAST, calc_workspace, environment
from tests.support.github_server import GitHubServer
from tests.support.openai_server import OpenAIServer, Reply
from tests.support.workspace import Workspace


@pytest.fixture
def workspace(tmp_path: Path, openai_server: OpenAIServer) -> Workspace:
    return calc_workspace(tmp_path / "seed", openai_server.api_base)


def test_a_pull_request_gets_a_summary_and_a_suggestion(
    tmp_path: Path,
    github_server: GitHubServer,
    openai_server: OpenAIServer,
    workspace: Workspace,
    sandbox_cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    payload = load("pull_request", "opened")
    payload["pull_request"]["head"]["sha"] = workspace.head_sha
    number = payload["number"]
    github_server.add_pull(
        number,
        head_sha=workspace.head_sha,
        base_sha=workspace.base_sha,
        files={"calc.py": workspace.patch("calc.py")},
    )
    github_server.set_permission(payload["sender"]["login"], "write")
    openai_server.script("alpha", Reply(f"```python\n{FAST}```"))
    env = environment(
        tmp_path, github_server, openai_server, workspace, "pull_request", payload, sandbox_cache
    )

    assert main([], env) == 0, capsys.readouterr().out

    [review] = github_server.requests_to(routes.REVIEWS)
    assert review.body["commit_id"] == workspace.head_sha
    [suggestion] = review.body["comments"]
    assert suggestion["path"] == "calc.py" and suggestion["side"] == "RIGHT"
    assert (suggestion["start_line"], suggestion["line"]) == (5, 9)
    assert "```suggestion\ndef total(xs):\n    return sum(xs)\n```" in suggestion["body"]
    [summary] = github_server.requests_to(routes.NEW_COMMENT)
    assert summary.body["body"].startswith("<!-- perforch:summary -->")
    assert "| `calc.py::total` (python) | faster |" in summary.body["body"]
    outputs = (tmp_path / "output").read_text()
    assert "improved=1\n" in outputs and "best-speedup=" in outputs
    assert "faster" in (tmp_path / "summary.md").read_text()
    assert openai_server.requests[0].authorized


def test_a_comment_from_a_reader_gets_a_polite_refusal_and_no_work(
    tmp_path: Path,
    github_server: GitHubServer,
    openai_server: OpenAIServer,
    workspace: Workspace,
    sandbox_cache: Path,
) -> None:
    payload = load("issue_comment", "created")
    payload["comment"]["body"] = "/perforch optimize calc.py::total"
    sender = payload["comment"]["user"]["login"]
    github_server.set_permission(sender, "read")
    github_server.add_issue(payload["issue"]["number"])
    env = environment(
        tmp_path, github_server, openai_server, workspace, "issue_comment", payload, sandbox_cache
    )
    assert main([], env) == 0
    [reply] = github_server.requests_to(routes.NEW_COMMENT)
    assert reply.body["body"].startswith(f"@{sender} ") and "write" in reply.body["body"]
    assert not openai_server.requests and not github_server.requests_to(routes.REVIEWS)


def test_a_comment_on_a_pull_request_checks_out_its_head_and_reacts(
    tmp_path: Path,
    github_server: GitHubServer,
    openai_server: OpenAIServer,
    workspace: Workspace,
    sandbox_cache: Path,
) -> None:
    from tests.support.workspace import git

    git(workspace.path, "checkout", "-q", workspace.base_sha)  # what a comment workflow has
    payload = load("issue_comment", "created")
    payload["comment"]["body"] = "/perforch optimize calc.py::total --max-seconds 30"
    payload["issue"]["pull_request"] = {"url": "x"}
    number = payload["issue"]["number"]
    sender = payload["comment"]["user"]["login"]
    github_server.set_permission(sender, "write")
    github_server.add_pull(
        number,
        head_sha=workspace.head_sha,
        base_sha=workspace.base_sha,
        files={"calc.py": workspace.patch("calc.py")},
    )
    posted = github_server.add_comment(number, payload["comment"]["body"], author=sender)
    payload["comment"]["id"] = posted["id"]
    openai_server.script("alpha", Reply(f"```python\n{FAST}```"))
    env = environment(
        tmp_path, github_server, openai_server, workspace, "issue_comment", payload, sandbox_cache
    )
    assert main([], env) == 0
    assert git(workspace.path, "rev-parse", "HEAD").strip() == workspace.head_sha
    reactions = [r.body["content"] for r in github_server.requests_to(routes.REACTIONS)]
    assert reactions == ["eyes", "rocket"]
    assert len(github_server.requests_to(routes.REVIEWS)) == 1


def test_a_thumbs_down_on_a_suggestion_is_not_offered_again(
    tmp_path: Path,
    github_server: GitHubServer,
    openai_server: OpenAIServer,
    workspace: Workspace,
    sandbox_cache: Path,
) -> None:
    payload = load("pull_request", "opened")
    payload["pull_request"]["head"]["sha"] = workspace.head_sha
    number = payload["number"]
    github_server.add_pull(
        number,
        head_sha=workspace.head_sha,
        base_sha=workspace.base_sha,
        files={"calc.py": workspace.patch("calc.py")},
    )
    github_server.set_permission(payload["sender"]["login"], "write")
    openai_server.script("alpha", Reply(f"```python\n{FAST}```"))
    env = environment(
        tmp_path, github_server, openai_server, workspace, "pull_request", payload, sandbox_cache
    )
    assert main([], env) == 0
    [suggestion] = github_server.review_comments[number]  # stored from the review
    assert suggestion["body"].startswith("`calc.py::total`: ")
    github_server.add_review_reaction(suggestion["id"], by="octocat")  # the author's 👎

    command = load("issue_comment", "created")
    command["comment"]["body"] = "/perforch optimize"
    command["issue"]["number"] = number
    command["issue"]["pull_request"] = {"url": "x"}
    sender = command["comment"]["user"]["login"]
    github_server.set_permission(sender, "write")
    command["comment"]["id"] = github_server.add_comment(number, "/perforch optimize")["id"]
    env = environment(
        tmp_path, github_server, openai_server, workspace, "issue_comment", command, sandbox_cache
    )
    assert main([], env) == 0

    assert len(openai_server.requests) == 1  # none for the function with the 👎
    assert len(github_server.requests_to(routes.REVIEWS)) == 1
    assert len(github_server.requests_to(routes.REVIEW_COMMENTS)) == 2  # one per run
    [edit] = github_server.requests_to(routes.EDIT_COMMENT)
    summary = edit.body["body"]
    assert summary.startswith("<!-- perforch:summary -->")
    assert "- `calc.py::total`: not offered again (👎 on its suggestion)" in summary
    assert "<!-- perforch-ignored: calc.py::total -->" in summary


def test_missing_token_is_a_clear_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main([], {"GITHUB_EVENT_NAME": "pull_request"}) == 1
    assert "::error::no GitHub token" in capsys.readouterr().out
