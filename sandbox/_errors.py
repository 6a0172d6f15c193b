"""The sandbox's one exception tree.

Failures of the code under test (compile errors, crashes, timeouts, wrong answers) are *verdicts*,
returned as data, never raised. Exceptions are for misuse and for an environment that cannot
work at all: a bad argument, an unknown language, a backend that cannot start.
"""

from __future__ import annotations


class SandboxError(Exception):
    """Root of every exception the sandbox raises. The message says what to do."""


class UnknownLanguageError(SandboxError):
    """A language name the sandbox has no module for."""


class BackendUnavailableError(SandboxError):
    """The requested isolation backend cannot run on this machine."""


class WorkloadError(SandboxError):
    """The inputs or tests given for a function are unusable (missing, malformed, empty)."""


class DatasetError(SandboxError):
    """A benchmark dataset is missing or not in the expected format."""
