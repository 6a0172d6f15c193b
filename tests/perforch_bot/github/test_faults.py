"""GitHub's failures, answered for real by the loopback server: what is tried again (5xx, a
dropped connection, rate limits within the cap), how long the client waits, and the error
each ends in. The waits are recorded, not slept (one test sleeps for real)."""

from __future__ import annotations

import time

import pytest

from perforch_bot.errors import GitHubError, PerforchError
from perforch_bot.github import (
    ClientSettings,
    GitHubNotFoundError,
    GitHubPermissionError,
    GitHubRateLimitError,
    GitHubRequestError,
    GitHubUnavailableError,
    GitHubValidationError,
    PyGithubClient,
    ReviewComment,
)
from tests.perforch_bot.github.conftest import FAST
from tests.support import github_bodies as bodies
from tests.support.github_routes import OUTSIDE_DIFF
from tests.support.github_server import Drop, Fault, GitHubServer

REPO = "Codertocat/Hello-World"
PULL_PATH = f"/repos/{REPO}/pulls/2"
PATCH = "@@ -10,3 +10,4 @@ def mean(xs):\n     a\n+    b\n     c\n     d\n"


@pytest.fixture
def pull(github_server: GitHubServer) -> GitHubServer:
    github_server.add_pull(2, files={"src/stats.py": PATCH})
    return github_server


@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_5xx_is_tried_again_with_backoff(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float], status: int
) -> None:
    pull.fail(bodies.PULL, Fault(status), Fault(status))
    assert client.pull_request(REPO, 2).number == 2
    assert pull.calls() == [("GET", PULL_PATH)] * 3
    assert sleeps == [1.0, 2.0]


def test_5xx_on_every_try_ends_in_unavailable(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float]
) -> None:
    pull.fail(bodies.PULL, Fault(502), Fault(503), Fault(500), Fault(500))
    with pytest.raises(GitHubUnavailableError) as raised:
        client.pull_request(REPO, 2)
    error = raised.value
    assert (error.status, error.attempts, error.message) == (500, 3, "Server Error")
    assert isinstance(error, GitHubError) and isinstance(error, PerforchError)
    assert str(error) == (
        f"GitHub could not get pull request {REPO}#2 (HTTP 500: Server Error), 3 time(s); "
        "GitHub seems to be having trouble, run again later"
    )
    assert len(pull.requests) == 3 and pull.pending_faults() == 1
    assert sleeps == [1.0, 2.0]


def test_a_503_with_retry_after_waits_that_long(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float]
) -> None:
    pull.fail(bodies.PULL, Fault(503, retry_after=7))
    client.pull_request(REPO, 2)
    assert sleeps == [7.0]


def test_a_dropped_connection_is_tried_again(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float]
) -> None:
    pull.fail(bodies.PULL, Drop())
    assert client.pull_request(REPO, 2).number == 2
    assert pull.calls() == [("GET", PULL_PATH)] * 2 and sleeps == [1.0]

    pull.fail(bodies.PULL, Drop(), Drop(), Drop())
    with pytest.raises(GitHubUnavailableError, match="no answer") as raised:
        client.pull_request(REPO, 2)
    assert raised.value.status == 0


@pytest.mark.parametrize("status", [403, 429])
def test_secondary_rate_limit_waits_retry_after(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float], status: int
) -> None:
    pull.fail(bodies.NEW_COMMENT, Fault(status, retry_after=30))
    comment = client.create_comment(REPO, 2, "report")
    assert sleeps == [30.0]
    posts = pull.requests_to(bodies.NEW_COMMENT)
    assert [r.body for r in posts] == [{"body": "report"}] * 2
    assert [c["id"] for c in pull.comments[2]] == [comment.id]  # posted once


def test_a_403_rate_limit_without_retry_after_waits_a_minute(
    github_server: GitHubServer, sleeps: list[float]
) -> None:
    github_server.add_pull(2)
    github_server.fail(bodies.PULL, Fault(403))  # GitHub's secondary-rate-limit message
    settings = ClientSettings(seconds_between_requests=0, seconds_between_writes=0)
    with PyGithubClient(
        github_server.token, github_server.base_url, settings=settings, sleep=sleeps.append
    ) as client:
        client.pull_request(REPO, 2)
    assert sleeps == [60.0]


def test_a_wait_past_the_cap_gives_up_at_once(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float]
) -> None:
    pull.fail(bodies.REVIEWS, Fault(429, retry_after=3600))
    with pytest.raises(GitHubRateLimitError) as raised:
        client.create_review(REPO, 2, commit_sha="x", body="", comments=())
    assert (raised.value.status, raised.value.retry_after) == (429, 3600.0)
    assert "wait 3600 s" in str(raised.value)
    assert len(pull.requests) == 1 and sleeps == []


def test_an_exhausted_primary_rate_limit_reports_its_reset(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float]
) -> None:
    reset = str(int(time.time()) + 1800)
    headers = (("x-ratelimit-remaining", "0"), ("x-ratelimit-reset", reset))
    pull.fail(
        bodies.PULL,
        Fault(403, message="API rate limit exceeded for installation.", headers=headers),
    )
    with pytest.raises(GitHubRateLimitError) as raised:
        client.pull_request(REPO, 2)
    assert 1700 < raised.value.retry_after <= 1800
    assert sleeps == [] and len(pull.requests) == 1


def test_rate_limited_on_every_try(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float]
) -> None:
    pull.fail(bodies.REACTIONS, *[Fault(429, retry_after=2)] * 3)
    comment = pull.add_comment(2, "/perforch optimize")
    with pytest.raises(GitHubRateLimitError):
        client.add_reaction(REPO, comment["id"], "eyes")
    assert sleeps == [2.0, 2.0] and len(pull.requests) == 3


def test_retry_after_is_really_slept(github_server: GitHubServer) -> None:
    github_server.add_pull(2)
    github_server.fail(bodies.PULL, Fault(429, retry_after=1))
    with PyGithubClient(github_server.token, github_server.base_url, settings=FAST) as client:
        client.pull_request(REPO, 2)
    first, second = github_server.requests
    assert second.received_at - first.received_at >= 1.0


def test_a_suggestion_outside_the_hunks_is_a_validation_error(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float]
) -> None:
    head = pull.pulls[2]["head"]["sha"]
    inside = ReviewComment("src/stats.py", 12, "ok", start_line=10)
    outside = ReviewComment("src/stats.py", 14, "```suggestion\nx\n```", start_line=12)
    with pytest.raises(GitHubValidationError) as raised:
        client.create_review(REPO, 2, commit_sha=head, body="b", comments=[inside, outside])
    assert raised.value.status == 422
    assert raised.value.errors == (OUTSIDE_DIFF,)
    assert OUTSIDE_DIFF in str(raised.value)
    assert sleeps == [] and len(pull.requests) == 1 and pull.reviews == {}
    # the caller falls back: the same review without the refused comment goes through
    client.create_review(REPO, 2, commit_sha=head, body="b", comments=[inside])
    assert [r["request"]["comments"][0]["line"] for r in pull.reviews[2]] == [12]


def test_a_comment_over_the_limit_is_a_validation_error(
    client: PyGithubClient, pull: GitHubServer
) -> None:
    with pytest.raises(GitHubValidationError) as raised:
        client.create_comment(REPO, 2, "x" * 65_537)
    assert raised.value.errors == ("body is too long (maximum is 65536 characters)",)


def test_not_found_is_not_tried_again(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float]
) -> None:
    with pytest.raises(GitHubNotFoundError, match=r"HTTP 404: Not Found.*can see"):
        client.pull_request(REPO, 99)
    pull.fail(bodies.PERMISSION, Fault(404))
    with pytest.raises(GitHubNotFoundError):
        client.permission(REPO, "ghost")
    with pytest.raises(GitHubNotFoundError):
        client.update_comment(REPO, 424242, "body")
    assert len(pull.requests) == 3 and sleeps == []


def test_permission_denied_is_not_tried_again(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float]
) -> None:
    pull.fail(bodies.REVIEWS, Fault(403, message="Resource not accessible by integration"))
    with pytest.raises(GitHubPermissionError, match="pull-requests: write") as raised:
        client.create_review(REPO, 2, commit_sha="x", body="", comments=())
    assert raised.value.message == "Resource not accessible by integration"
    assert len(pull.requests) == 1 and sleeps == []


def test_another_4xx_is_a_plain_request_error(
    client: PyGithubClient, pull: GitHubServer, sleeps: list[float]
) -> None:
    pull.fail(bodies.ISSUE, Fault(400, message="Problems parsing JSON"))
    with pytest.raises(GitHubRequestError) as raised:
        client.issue(REPO, 2)
    assert type(raised.value) is GitHubRequestError and raised.value.status == 400
    assert sleeps == []


def test_a_failed_list_is_listed_again_from_its_first_page(
    github_server: GitHubServer, sleeps: list[float]
) -> None:
    github_server.add_issue(1)
    for index in range(3):
        github_server.add_comment(1, f"comment {index} <!-- m -->")
    settings = ClientSettings(seconds_between_requests=0, seconds_between_writes=0, per_page=2)
    with PyGithubClient(
        github_server.token, github_server.base_url, settings=settings, sleep=sleeps.append
    ) as client:
        github_server.fail(bodies.COMMENTS, Fault(502))
        assert len(client.find_comments(REPO, 1, "<!-- m -->")) == 3
    assert [r.query.get("page", "1") for r in github_server.requests] == ["1", "1", "2"]
    assert sleeps == [1.0]
