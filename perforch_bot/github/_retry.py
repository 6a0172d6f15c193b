"""When a GitHub call is tried again, and which error it ends in. Pure: the PyGithub module
describes each failed try as a ``Failure``; this module decides.

- 5xx, or no answer at all: tried up to ``attempts`` times in all, waiting ``backoff_seconds``,
  then twice that, ... (or the server's ``Retry-After``, when it sends one).
- Rate limits (a 429, or a 403 that says so: ``Retry-After``, an exhausted
  ``x-ratelimit-remaining``, or GitHub's secondary-rate-limit message): the wait GitHub asks
  for is honoured when it is at most ``max_retry_after`` seconds, and the call tried again (up
  to ``attempts`` in all); a longer wait ends in ``GitHubRateLimitError`` at once, since
  sleeping for an hour inside a workflow helps nobody. With no wait given, GitHub's advice is
  a minute (``rate_limit_wait``).
- Anything else (404, 422, 401/403, other 4xx) is not tried again.

Writes are tried again too: a rate limit means GitHub did nothing, and a 5xx on a write almost
always does; the rare duplicate that could follow is harmless (reactions are idempotent, and
the summary is found by its marker and updated, so a second copy is never added to).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from perforch_bot.github._errors import (
    GitHubNotFoundError,
    GitHubPermissionError,
    GitHubRateLimitError,
    GitHubRequestError,
    GitHubUnavailableError,
    GitHubValidationError,
)

T = TypeVar("T")


@dataclass(frozen=True)
class ClientSettings:
    """How the client talks to GitHub. PyGithub's own defaults are kept for pacing (a pause
    between requests, a longer one between writes: GitHub's advice against secondary limits);
    tests set them to 0."""

    timeout_seconds: int = 15
    attempts: int = 3
    backoff_seconds: float = 1.0
    max_retry_after: float = 60.0
    rate_limit_wait: float = 60.0
    seconds_between_requests: float = 0.25
    seconds_between_writes: float = 1.0
    per_page: int = 100
    user_agent: str = "perforch"

    def __post_init__(self) -> None:
        if self.attempts < 1:
            raise ValueError("attempts must be at least 1")
        if min(self.backoff_seconds, self.max_retry_after, self.rate_limit_wait) < 0:
            raise ValueError("waits cannot be negative")


@dataclass(frozen=True)
class Failure:
    """One failed try. ``status`` 0: no answer (connection refused, reset or timed out)."""

    status: int
    message: str
    rate_limited: bool = False
    retry_after: float | None = None  # seconds, from Retry-After or the rate limit's reset
    errors: tuple[str, ...] = ()

    @property
    def unavailable(self) -> bool:
        return self.status == 0 or self.status >= 500


def wait_before_retry(failure: Failure, attempt: int, settings: ClientSettings) -> float | None:
    """Seconds to wait before try ``attempt + 1``, or None to give up after try ``attempt``."""
    if attempt >= settings.attempts:
        return None
    if failure.rate_limited:
        wait = settings.rate_limit_wait if failure.retry_after is None else failure.retry_after
        return wait if wait <= settings.max_retry_after else None
    if failure.unavailable:
        if failure.retry_after is not None:
            return min(failure.retry_after, settings.max_retry_after)
        return settings.backoff_seconds * 2.0 ** (attempt - 1)
    return None


def error_for(
    operation: str, failure: Failure, attempts: int, settings: ClientSettings
) -> GitHubRequestError:
    """The exception a call ends in after its last try (``attempts`` tries in all)."""
    status, message = failure.status, failure.message
    if failure.rate_limited:
        wait = settings.rate_limit_wait if failure.retry_after is None else failure.retry_after
        return GitHubRateLimitError(operation, status, message, wait)
    if failure.unavailable:
        return GitHubUnavailableError(operation, status, message, attempts)
    if status == 422:
        return GitHubValidationError(operation, message, failure.errors)
    if status in (404, 410):
        return GitHubNotFoundError(operation, status, message)
    if status in (401, 403):
        return GitHubPermissionError(operation, status, message)
    return GitHubRequestError(operation, status, message)


def call_with_retries(
    operation: str,
    call: Callable[[], T],
    *,
    read_failure: Callable[[Exception], Failure | None],
    settings: ClientSettings,
    sleep: Callable[[float], None],
) -> T:
    """``call()``, tried again as the module's rules say. ``read_failure`` describes an
    exception as a ``Failure`` (None: not a GitHub failure, so it propagates untouched)."""
    attempt = 0
    while True:
        attempt += 1
        try:
            return call()
        except Exception as exc:
            failure = read_failure(exc)
            if failure is None:
                raise
            wait = wait_before_retry(failure, attempt, settings)
            if wait is None:
                raise error_for(operation, failure, attempt, settings) from exc
        sleep(wait)
