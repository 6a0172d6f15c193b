"""PerfOrch's exception tree. Every error raised by perforch_bot derives from ``PerforchError``
and says what was wrong and what to do."""

from __future__ import annotations


class PerforchError(Exception):
    """Root of every exception perforch_bot raises."""


class TargetError(PerforchError):
    """A target spec, source file or diff that cannot be turned into functions."""


class LLMError(PerforchError):
    """A model call that failed (after its retries), or one PerfOrch refused to make."""


class GitHubError(PerforchError):
    """A GitHub API call that failed (after its retries); ``perforch_bot.github`` has the kinds."""


class EventError(PerforchError):
    """A GitHub event (name and payload) that cannot be read as a trigger."""
