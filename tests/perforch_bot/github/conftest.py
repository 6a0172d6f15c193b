"""A PyGithub client of the loopback GitHub server, with its sleeps recorded instead of slept
(the fault tests check the waits; one test sleeps for real)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from perforch_bot.github import ClientSettings, PyGithubClient
from tests.support.github_server import GitHubServer

# no pacing between requests: the server is local and the tests check the retry waits alone
FAST = ClientSettings(seconds_between_requests=0, seconds_between_writes=0, timeout_seconds=5)


@pytest.fixture
def sleeps() -> list[float]:
    return []


@pytest.fixture
def client(github_server: GitHubServer, sleeps: list[float]) -> Iterator[PyGithubClient]:
    with PyGithubClient(
        github_server.token, github_server.base_url, settings=FAST, sleep=sleeps.append
    ) as github_client:
        yield github_client
