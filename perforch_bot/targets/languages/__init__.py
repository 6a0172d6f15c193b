"""One module per language behind the ``LanguageModule`` protocol, registered in ``LANGUAGES``."""

from __future__ import annotations

from perforch_bot.targets._errors import UnsupportedLanguageError
from perforch_bot.targets.languages import _cpp, _go, _java, _python, _rust
from perforch_bot.targets.languages._protocol import Found, LanguageModule

__all__ = ["LANGUAGES", "Found", "LanguageModule", "get_language", "language_for_path"]

LANGUAGES: dict[str, LanguageModule] = {
    "python": _python,
    "java": _java,
    "cpp": _cpp,
    "go": _go,
    "rust": _rust,
}


def get_language(name: str) -> LanguageModule:
    try:
        return LANGUAGES[name.lower()]
    except KeyError:
        raise UnsupportedLanguageError(
            f"unknown language {name!r}: PerfOrch extracts {', '.join(LANGUAGES)}"
        ) from None


def language_for_path(path: str) -> LanguageModule | None:
    """The language of ``path`` by its extension, or None if PerfOrch does not handle it."""
    lowered = path.lower()
    for language in LANGUAGES.values():
        if lowered.endswith(language.extensions):
            return language
    return None
