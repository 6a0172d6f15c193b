"""The targets package's exceptions, all under ``perforch_bot.errors.TargetError``.

Each message says what was wrong and what to do about it.
"""

from __future__ import annotations

from perforch_bot.errors import TargetError


class UnsupportedLanguageError(TargetError):
    """A file whose language (from its extension or the name given) PerfOrch cannot extract."""


class SpecSyntaxError(TargetError):
    """A target spec that is not ``PATH::QUALIFIED_NAME[(PARAM_TYPES)]``."""


class TargetNotFoundError(TargetError):
    """No function in the file matches the spec; ``suggestions`` lists close matches."""

    def __init__(self, message: str, suggestions: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.suggestions = suggestions


class AmbiguousTargetError(TargetError):
    """More than one function matches the spec; ``candidates`` lists their full specs."""

    def __init__(self, message: str, candidates: tuple[str, ...]) -> None:
        super().__init__(message)
        self.candidates = candidates


class DiffError(TargetError):
    """A diff that cannot be parsed, or a revision range git cannot diff."""


class StaleTargetError(TargetError):
    """The file no longer holds the function at the range it was extracted from."""


class ReplacementError(TargetError):
    """A new version of a function that cannot be written back (it does not parse, or it does
    not define the function it replaces). The file is left untouched."""


class InsertionError(TargetError):
    """A new function that cannot be put into its file: it exists already, the place it names
    does not exist or is not supported, or the result does not parse or does not define it.
    The file is left untouched."""
