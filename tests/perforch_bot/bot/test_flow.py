"""The bot's flow with a recording fake GitHub client (the client is a parameter), a real
model server on loopback and the real sandbox: stale heads, /perforch ignore, a 👎 on a
suggestion, help, issues, and the max-functions cap."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from perforch_bot.bot import BotConfig, BotOutcome, Memory, handle
from perforch_bot.config import ModelSettings, Settings
from perforch_bot.events import EventSettings, parse_event
from perforch_bot.github import ChangedFile, Permission, PostedReviewComment, PullRequest
from perforch_bot.llm import LLMSettings
from perforch_bot.pipeline import PipelineConfig
from sandbox import Budget, Executor
from tests.perforch_bot.events.payloads import REPO, comment, load
from tests.support.github_fake import FakeGitHub
from tests.support.openai_server import OpenAIServer, Reply
from tests.support.workspace import Workspace, make_workspace

SLOW = "def total(xs):\n    s = 0\n    for x in xs:\n        s = s + x\n    return s\n"
SLOW2 = SLOW.replace("total", "total2")
FAST = "def total(xs):\n    return sum(xs)\n"
INPUTS = "INPUTS = [(list(range(20000)),), ([],)]\n"


class MovingHead(FakeGitHub):
    """A pull request whose head moves after the first look (a push during the run)."""

    def pull_request(self, repo: str, number: int) -> PullRequest:
        pull = super().pull_request(repo, number)
        looks = sum(1 for name, _ in self.calls if name == "pull_request")
        if looks > 1:
            return PullRequest(**{**pull.__dict__, "head_sha": "f" * 40})
        return pull


def setup(tmp_path: Path, client: FakeGitHub, number: int = 2) -> Workspace:
    ws = make_workspace(
        tmp_path, {"calc.py": "X = 1\n"}, {"calc.py": f"X = 1\n\n\n{SLOW}\n\n{SLOW2}"}
    )
    for name in ("total", "total2"):
        saved = ws.path / ".perforch" / "inputs" / "calc.py" / f"{name}.py"
        saved.parent.mkdir(parents=True, exist_ok=True)
        saved.write_text(INPUTS.replace("total", name))
    client.pulls[(REPO, number)] = PullRequest(
        number, "t", "octocat", ws.head_sha, ws.base_sha, "h", "main", False, "open"
    )
    client.files[(REPO, number)] = (ChangedFile("calc.py", "modified", None, ws.patch("calc.py")),)
    return ws


def config(server: OpenAIServer, max_functions: int = 10) -> BotConfig:
    settings = Settings(
        models=(ModelSettings(model="openai/alpha", api_base=server.api_base, api_key_env="K"),),
        refine_rounds=0,
    )
    pipeline = PipelineConfig(
        settings=settings,
        profiles=(),
        llm=LLMSettings(timeout_s=5, max_attempts=1),
        budget=Budget(max_seconds=30),
        keys={"K": server.api_key},
    )
    return BotConfig(events=EventSettings(), pipeline=pipeline, max_functions=max_functions)


Event = tuple[str, dict[str, Any]]


def run(
    client: FakeGitHub, ws: Workspace, event: Event, cfg: BotConfig, executor: Executor
) -> BotOutcome:
    trigger = parse_event(*event)
    return handle(
        trigger,
        client=client,
        workspace=ws.path,
        executor=executor,
        config=cfg,
        progress=lambda _m: None,
    )


def pull_request_event() -> Event:
    payload = load("pull_request", "opened")
    return "pull_request", payload


@pytest.fixture
def writer() -> Permission:
    return Permission("Codertocat", "write", "write")


def test_a_head_that_moved_during_the_run_gets_no_suggestion(
    tmp_path: Path, openai_server: OpenAIServer, executor: Executor, writer: Permission
) -> None:
    client = MovingHead()
    client.permissions[(REPO, "Codertocat")] = writer
    ws = setup(tmp_path, client)
    openai_server.script("alpha", Reply(f"```python\n{FAST}```"))
    outcome = run(
        client, ws, pull_request_event(), config(openai_server, max_functions=1), executor
    )
    assert outcome.improved == 1 and not client.reviews
    [summary] = client.comments[(REPO, 2)]
    assert "**Stale.**" in summary.body
    assert (
        "1 more function(s) left for another run (max-functions is 1): `calc.py::total2`"
        in summary.body
    )


def test_ignore_is_remembered_and_the_next_run_skips_the_function(
    tmp_path: Path, openai_server: OpenAIServer, executor: Executor, writer: Permission
) -> None:
    client = FakeGitHub()
    client.permissions[(REPO, "Codertocat")] = writer
    ws = setup(tmp_path, client, number=1)
    payload = comment("/perforch ignore calc.py::total2")
    payload["comment"]["user"]["login"] = "Codertocat"
    outcome = run(client, ws, ("issue_comment", payload), config(openai_server), executor)
    assert outcome.message == "ignoring calc.py::total2"
    [summary] = client.comments[(REPO, 1)]
    assert "<!-- perforch-ignored: calc.py::total2 -->" in summary.body
    assert client.reactions == [(REPO, payload["comment"]["id"], "+1")]

    openai_server.script("alpha", Reply(f"```python\n{FAST}```"))
    again = comment("/perforch optimize")
    again["comment"]["user"]["login"] = "Codertocat"
    outcome = run(client, ws, ("issue_comment", again), config(openai_server), executor)
    assert outcome.trace is not None
    assert [f.spec for f in outcome.trace.functions] == ["calc.py::total"]
    [summary] = client.comments[(REPO, 1)]  # updated in place, the ignore list kept
    assert "<!-- perforch-ignored: calc.py::total2 -->" in summary.body
    assert "| `calc.py::total` (python) | faster |" in summary.body
    assert len(openai_server.requests) == 1


def test_a_thumbs_down_on_a_suggestion_ignores_its_function(
    tmp_path: Path, openai_server: OpenAIServer, executor: Executor, writer: Permission
) -> None:
    client = FakeGitHub()
    client.permissions[(REPO, "Codertocat")] = writer
    ws = setup(tmp_path, client)
    fast2 = FAST.replace("total", "total2")
    openai_server.script("alpha", Reply(f"```python\n{FAST}```"), Reply(f"```python\n{fast2}```"))
    first = run(client, ws, pull_request_event(), config(openai_server), executor)
    assert first.suggestions == 2
    posted = client.review_comments_of[(REPO, 2)]
    [total] = [c for c in posted if c.body.startswith("`calc.py::total`: ")]
    client.thumbs_down(total.id, by="octocat")  # the pull request's author
    [total2] = [c for c in posted if c.body.startswith("`calc.py::total2`: ")]
    client.thumbs_down(total2.id, by="passerby")  # read permission: does not count
    # someone's comment made to look like a suggestion: its 👎 count for nothing
    posted.append(PostedReviewComment(9, "`calc.py::total2`: mine", "mallory", False, 3))

    # a push that changes nothing: nothing runs, and the 👎 is remembered in the summary
    push = run(client, ws, pull_request_event(), config(openai_server), executor)
    assert push.message == "every changed function is unchanged since the last run"
    [summary] = client.comments[(REPO, 2)]
    assert "<!-- perforch-ignored: calc.py::total -->" in summary.body
    assert "| `calc.py::total` (python) | faster |" in summary.body  # the results stay shown

    # `/perforch optimize` runs everything again, but for the function with the 👎
    openai_server.script("alpha", Reply(f"```python\n{fast2}```"))
    again = comment("/perforch optimize")
    again["issue"]["number"] = 2
    again["comment"]["user"]["login"] = "Codertocat"
    outcome = run(client, ws, ("issue_comment", again), config(openai_server), executor)
    assert outcome.trace is not None
    assert [f.spec for f in outcome.trace.functions] == ["calc.py::total2"]
    assert len(openai_server.requests) == 3
    assert "total2" in openai_server.requests[-1].messages[-1]["content"]
    [summary] = client.comments[(REPO, 2)]
    assert "<!-- perforch-ignored: calc.py::total -->" in summary.body
    assert "\n- `calc.py::total`: not offered again (👎 on its suggestion)" in summary.body
    assert "`calc.py::total2`: not offered again" not in summary.body
    assert client.reviews[-1][4][0].body.startswith("`calc.py::total2`: ")
    # one more call per run on a pull request
    assert [a for name, a in client.calls if name == "review_comments"] == [(REPO, 2)] * 3


def test_memory_keeps_an_overloads_spec_whole() -> None:
    """A spec with a space (an overload's parameter types, from a suggestion with a 👎) stays
    one word of the hidden line."""
    memory = Memory(
        frozenset({"A.java::A.f(int, String)", "odd%20name.py::f"}),
        frozenset({"A.java::A.f(int, String)@0123456789abcdef"}),
    )
    assert memory.lines() == (
        "<!-- perforch-ignored: A.java::A.f(int,%20String) odd%2520name.py::f -->\n"
        "<!-- perforch-seen: A.java::A.f(int,%20String)@0123456789abcdef -->"
    )
    assert Memory.read(f"report\n{memory.lines()}\n") == memory
    assert Memory.read("<!-- perforch-ignored: calc.py::total  b.py::g -->") == Memory(
        frozenset({"calc.py::total", "b.py::g"})
    )


def test_an_issue_reads_no_review_comments(
    tmp_path: Path, openai_server: OpenAIServer, executor: Executor, writer: Permission
) -> None:
    client = FakeGitHub()
    client.permissions[(REPO, "Codertocat")] = writer
    ws = setup(tmp_path, client, number=1)
    payload = comment("/perforch optimize calc.py::total", on_pull_request=False)
    payload["comment"]["user"]["login"] = "Codertocat"
    openai_server.script("alpha", Reply(f"```python\n{FAST}```"))
    outcome = run(client, ws, ("issue_comment", payload), config(openai_server), executor)
    assert outcome.improved == 1
    assert "review_comments" not in [name for name, _ in client.calls]


def test_help_is_answered_with_the_commands(
    tmp_path: Path, openai_server: OpenAIServer, executor: Executor, writer: Permission
) -> None:
    client = FakeGitHub()
    client.permissions[(REPO, "Codertocat")] = writer
    ws = setup(tmp_path, client, number=1)
    payload = comment("/perforch help")
    payload["comment"]["user"]["login"] = "Codertocat"
    run(client, ws, ("issue_comment", payload), config(openai_server), executor)
    [reply] = client.comments[(REPO, 1)]
    assert "/perforch optimize [TARGET...]" in reply.body
    assert not openai_server.requests


def test_a_push_that_leaves_functions_unchanged_does_not_run_them_again(
    tmp_path: Path, openai_server: OpenAIServer, executor: Executor, writer: Permission
) -> None:
    client = FakeGitHub()
    client.permissions[(REPO, "Codertocat")] = writer
    ws = setup(tmp_path, client)
    fast2 = FAST.replace("total", "total2")
    openai_server.script("alpha", Reply(f"```python\n{FAST}```"), Reply(f"```python\n{fast2}```"))
    first = run(client, ws, pull_request_event(), config(openai_server), executor)
    assert first.improved == 2
    [summary] = client.comments[(REPO, 2)]
    assert "<!-- perforch-seen: calc.py::total2@" in summary.body

    second = run(client, ws, pull_request_event(), config(openai_server), executor)
    assert second.message == "every changed function is unchanged since the last run"
    assert len(openai_server.requests) == 2
    assert client.comments[(REPO, 2)][0].body == summary.body  # the results stay shown
