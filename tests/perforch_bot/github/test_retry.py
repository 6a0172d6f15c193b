"""The retry rules on their own: which failure is tried again, after how long, and which error
ends a call."""

from __future__ import annotations

import time
from email.utils import formatdate

import pytest
from github import GithubException

from perforch_bot.github import (
    ClientSettings,
    GitHubNotFoundError,
    GitHubPermissionError,
    GitHubRateLimitError,
    GitHubUnavailableError,
    GitHubValidationError,
)
from perforch_bot.github._pygithub import read_failure
from perforch_bot.github._retry import Failure, call_with_retries, error_for, wait_before_retry

SETTINGS = ClientSettings(attempts=4, backoff_seconds=0.5, max_retry_after=30, rate_limit_wait=20)


@pytest.mark.parametrize(
    ("failure", "attempt", "wait"),
    [
        (Failure(502, "x"), 1, 0.5),
        (Failure(502, "x"), 2, 1.0),
        (Failure(0, "refused"), 3, 2.0),
        (Failure(502, "x"), 4, None),  # the last try
        (Failure(503, "x", retry_after=12), 1, 12.0),
        (Failure(503, "x", retry_after=99), 1, 30.0),  # a 5xx's wait is capped, not refused
        (Failure(429, "x", rate_limited=True, retry_after=30), 1, 30.0),
        (Failure(429, "x", rate_limited=True, retry_after=31), 1, None),
        (Failure(403, "x", rate_limited=True), 1, 20.0),
        (Failure(404, "x"), 1, None),
        (Failure(422, "x"), 1, None),
        (Failure(403, "x"), 1, None),
    ],
)
def test_wait_before_retry(failure: Failure, attempt: int, wait: float | None) -> None:
    assert wait_before_retry(failure, attempt, SETTINGS) == wait


@pytest.mark.parametrize(
    ("failure", "kind"),
    [
        (Failure(500, "x"), GitHubUnavailableError),
        (Failure(0, "x"), GitHubUnavailableError),
        (Failure(403, "x", rate_limited=True), GitHubRateLimitError),
        (Failure(422, "x", errors=("e",)), GitHubValidationError),
        (Failure(404, "x"), GitHubNotFoundError),
        (Failure(410, "x"), GitHubNotFoundError),
        (Failure(401, "x"), GitHubPermissionError),
        (Failure(403, "x"), GitHubPermissionError),
    ],
)
def test_error_for(failure: Failure, kind: type[Exception]) -> None:
    assert type(error_for("do it", failure, 2, SETTINGS)) is kind


def test_a_rate_limit_without_a_wait_reports_the_default_wait() -> None:
    error = error_for("do it", Failure(429, "x", rate_limited=True), 1, SETTINGS)
    assert isinstance(error, GitHubRateLimitError) and error.retry_after == 20


def test_settings_are_checked() -> None:
    with pytest.raises(ValueError, match="attempts"):
        ClientSettings(attempts=0)
    with pytest.raises(ValueError, match="negative"):
        ClientSettings(max_retry_after=-1)


def test_other_exceptions_pass_through_untried() -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise KeyError("a bug, not GitHub")

    with pytest.raises(KeyError):
        call_with_retries(
            "do it", broken, read_failure=read_failure, settings=SETTINGS, sleep=lambda _: None
        )
    assert calls == [1]


def _github_error(status: int, data: object, headers: dict[str, str]) -> GithubException:
    return GithubException(status, data, headers)


def test_read_failure_reads_github_errors() -> None:
    failure = read_failure(
        _github_error(
            422,
            {
                "message": "Validation Failed",
                "errors": [
                    {"resource": "Issue", "field": "title", "code": "missing_field"},
                    {"message": "body is too long"},
                    "plain text",
                ],
            },
            {},
        )
    )
    assert failure == Failure(
        422,
        "Validation Failed",
        errors=("Issue.title: missing_field", "body is too long", "plain text"),
    )
    assert read_failure(ValueError("not GitHub")) is None
    assert read_failure(ConnectionResetError("reset")) == Failure(0, "ConnectionResetError: reset")


def test_retry_after_as_an_http_date() -> None:
    later = formatdate(timeval=time.time() + 120, usegmt=True)
    failure = read_failure(_github_error(429, {"message": "slow down"}, {"Retry-After": later}))
    assert failure is not None and failure.rate_limited
    assert failure.retry_after is not None and 110 < failure.retry_after <= 120
    garbled = read_failure(_github_error(429, None, {"retry-after": "soon"}))
    assert garbled is not None and garbled.retry_after is None
    assert garbled.message == "no message"


@pytest.mark.parametrize(
    ("status", "message", "headers", "limited"),
    [
        (403, "You have exceeded a secondary rate limit.", {}, True),
        (403, "API rate limit exceeded for installation.", {}, True),
        (403, "anything", {"retry-after": "5"}, True),
        (403, "anything", {"x-ratelimit-remaining": "0"}, True),
        (403, "Resource not accessible by integration", {}, False),
        (429, "anything", {}, True),
        (404, "You have exceeded a secondary rate limit.", {}, False),
    ],
)
def test_what_counts_as_a_rate_limit(
    status: int, message: str, headers: dict[str, str], limited: bool
) -> None:
    failure = read_failure(_github_error(status, {"message": message}, headers))
    assert failure is not None and failure.rate_limited is limited
