"""The GitHub layer's exceptions, all under ``perforch_bot.errors.GitHubError``.

Each carries the HTTP ``status`` (0 when no answer came back), GitHub's ``message`` and the
call that failed (``operation``, e.g. ``create a review on octo/repo#7``), and its text says
what to do about it.
"""

from __future__ import annotations

from perforch_bot.errors import GitHubError


class GitHubRequestError(GitHubError):
    """A request GitHub refused or could not answer. Base of the kinds below; raised as such for
    a 4xx that none of them covers (400, 409, ...)."""

    def __init__(self, operation: str, status: int, message: str) -> None:
        self.operation = operation
        self.status = status
        self.message = message
        super().__init__(self._text())

    def _text(self) -> str:
        shown = f"HTTP {self.status}" if self.status else "no answer"
        return f"GitHub could not {self.operation} ({shown}: {self.message})"


class GitHubUnavailableError(GitHubRequestError):
    """A 5xx answer, or no answer at all (connection refused, reset, timed out), on every try."""

    def __init__(self, operation: str, status: int, message: str, attempts: int) -> None:
        self.attempts = attempts
        super().__init__(operation, status, message)

    def _text(self) -> str:
        return (
            f"{super()._text()}, {self.attempts} time(s); GitHub seems to be having trouble, "
            "run again later"
        )


class GitHubRateLimitError(GitHubRequestError):
    """A rate limit (403 or 429, with or without ``Retry-After``) that lasted past the retries,
    or asked for a longer wait than the client may sleep. ``retry_after`` is GitHub's wait in
    seconds."""

    def __init__(self, operation: str, status: int, message: str, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(operation, status, message)

    def _text(self) -> str:
        return (
            f"{super()._text()}; rate limited, GitHub asks to wait {self.retry_after:g} s "
            "before trying again"
        )


class GitHubValidationError(GitHubRequestError):
    """422: GitHub understood the request and refused its content. For a review, this is how
    GitHub says a comment lies outside the pull request's diff: post the patch instead.
    ``errors`` holds GitHub's details."""

    def __init__(self, operation: str, message: str, errors: tuple[str, ...]) -> None:
        self.errors = errors
        super().__init__(operation, 422, message)

    def _text(self) -> str:
        details = "; ".join(self.errors)
        return super()._text() + (f": {details}" if details else "")


class GitHubNotFoundError(GitHubRequestError):
    """404 or 410: no such repository, pull request, issue, comment or user, or the token may
    not see it (GitHub answers 404, not 403, for private things)."""

    def _text(self) -> str:
        return (
            f"{super()._text()}; check the repository and number, and that the token can see "
            "the repository"
        )


class GitHubPermissionError(GitHubRequestError):
    """401 or 403 that is not a rate limit: a bad token, or one without the permission the
    call needs (``pull-requests: write``, ``issues: write``, ``contents: read``)."""

    def _text(self) -> str:
        if self.status == 401:
            return f"{super()._text()}; the token was refused: is it expired or mistyped?"
        return (
            f"{super()._text()}; the token lacks the permission (the workflow needs "
            "`pull-requests: write` and `issues: write`)"
        )
