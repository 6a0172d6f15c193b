"""One module per language behind the ``Language`` protocol, registered in ``LANGUAGES``."""

from __future__ import annotations

from sandbox._errors import UnknownLanguageError
from sandbox.languages import cpp, go, java, python, rust
from sandbox.languages._protocol import MIN_SAMPLE_NS, Language, Program, Support, Toolchain

__all__ = [
    "LANGUAGES",
    "MIN_SAMPLE_NS",
    "Language",
    "Program",
    "Support",
    "Toolchain",
    "get_language",
    "language_for_path",
]

LANGUAGES: dict[str, Language] = {
    "python": python,
    "java": java,
    "cpp": cpp,
    "go": go,
    "rust": rust,
}


def get_language(name: str) -> Language:
    try:
        return LANGUAGES[name.lower()]
    except KeyError:
        raise UnknownLanguageError(
            f"unknown language {name!r}: PerfOrch supports {', '.join(LANGUAGES)}"
        ) from None


def language_for_path(path: str) -> Language:
    for language in LANGUAGES.values():
        if path.endswith(language.extensions):
            return language
    raise UnknownLanguageError(
        f"cannot tell the language of {path!r} from its extension; pass --language "
        f"({', '.join(LANGUAGES)})"
    )
