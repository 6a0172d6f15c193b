"""Who may ask: the sender's permission, asked of the loopback GitHub server through the real
client (and of the in-memory fake), with the polite reason a refused sender is told."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perforch_bot.events import Trigger, authorize, parse_event
from perforch_bot.github import (
    ClientSettings,
    GitHubNotFoundError,
    GitHubUnavailableError,
    Permission,
    PyGithubClient,
)
from tests.perforch_bot.events.payloads import REPO, comment, load
from tests.support import github_bodies as bodies
from tests.support.github_fake import FakeGitHub
from tests.support.github_server import Fault, GitHubServer

PERMISSION_PATH = f"/repos/{REPO}/collaborators/Codertocat/permission"


@pytest.fixture
def client(github_server: GitHubServer) -> Iterator[PyGithubClient]:
    settings = ClientSettings(seconds_between_requests=0, seconds_between_writes=0)
    with PyGithubClient(
        github_server.token, github_server.base_url, settings=settings, sleep=lambda _: None
    ) as github_client:
        yield github_client


def _command() -> Trigger:
    return parse_event("issue_comment", comment("/perforch optimize src/stats.py::mean"))


@pytest.mark.parametrize(
    ("level", "role"), [("admin", "admin"), ("write", "maintain"), ("write", "write")]
)
def test_write_maintain_and_admin_are_allowed(
    client: PyGithubClient, github_server: GitHubServer, level: str, role: str
) -> None:
    github_server.set_permission("Codertocat", level, role)
    trigger = authorize(client, _command())
    assert (trigger.allowed, trigger.permission) == (True, role)
    assert trigger.reason == f"optimize the named functions; @Codertocat has {role} permission"
    assert github_server.calls() == [("GET", PERMISSION_PATH)]


@pytest.mark.parametrize(
    ("level", "role"), [("read", "triage"), ("read", "read"), ("none", "none")]
)
def test_triage_read_and_none_are_refused_politely(
    client: PyGithubClient, github_server: GitHubServer, level: str, role: str
) -> None:
    github_server.set_permission("Codertocat", level, role)
    trigger = authorize(client, _command())
    assert (trigger.allowed, trigger.permission, trigger.kind) == (False, role, "comment_command")
    assert trigger.reason == (
        f"@Codertocat has {role} permission on {REPO}; PerfOrch acts only for people with "
        "write, maintain or admin permission"
    )


def test_an_unknown_user_is_refused(client: PyGithubClient, github_server: GitHubServer) -> None:
    github_server.fail(bodies.PERMISSION, Fault(404))
    trigger = authorize(client, _command())
    assert (trigger.allowed, trigger.permission) == (False, "none")
    assert trigger.reason.startswith(f"@Codertocat is not a collaborator on {REPO}")


def test_a_token_that_cannot_read_permissions_refuses(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    github_server.fail(
        bodies.PERMISSION, Fault(403, message="Resource not accessible by integration")
    )
    trigger = authorize(client, _command())
    assert (trigger.allowed, trigger.permission) == (False, "unknown")
    assert "GitHub said: Resource not accessible by integration" in trigger.reason
    assert len(github_server.requests) == 1


def test_github_down_propagates(client: PyGithubClient, github_server: GitHubServer) -> None:
    github_server.fail(bodies.PERMISSION, *[Fault(502)] * 3)
    with pytest.raises(GitHubUnavailableError):
        authorize(client, _command())
    assert len(github_server.requests) == 3


def test_a_rate_limit_is_waited_out(client: PyGithubClient, github_server: GitHubServer) -> None:
    github_server.set_permission("Codertocat", "admin")
    github_server.fail(bodies.PERMISSION, Fault(429, retry_after=1))
    assert authorize(client, _command()).allowed is True
    assert github_server.calls() == [("GET", PERMISSION_PATH)] * 2


def test_settled_triggers_are_not_checked(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    ignored = parse_event("issue_comment", load("issue_comment", "created"))
    assert authorize(client, ignored) is ignored
    assert github_server.requests == []


def test_every_kind_that_acts_is_checked_with_the_fake() -> None:
    fake = FakeGitHub()
    fake.permissions[(REPO, "Codertocat")] = Permission("Codertocat", "write", "write")
    triggers = [
        parse_event("pull_request", load("pull_request", "opened")),
        parse_event("issue_comment", comment("/perforch help")),
        _command(),
    ]
    assert [authorize(fake, t).allowed for t in triggers] == [True, True, True]
    assert fake.calls == [("permission", (REPO, "Codertocat"))] * 3
    fake.fail("permission", GitHubNotFoundError("get permission", 404, "Not Found"))
    assert authorize(fake, _command()).allowed is False
