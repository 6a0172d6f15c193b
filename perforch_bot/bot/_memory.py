"""What the bot remembers between runs on one pull request or issue, kept in hidden lines of
its summary comment (no other storage: the comment is the state, visible and editable):
the functions a maintainer told it to ignore, and the functions already worked on, by a hash
of their text, so a push that leaves a function unchanged does not pay for it again. Each line
is a space-separated list; a space in a word (an overload's spec, ``A.java::A.f(int, String)``)
is written ``%20`` and a ``%`` ``%25``."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from perforch_bot.targets import Function

_IGNORED = re.compile(r"<!-- perforch-ignored: (.*?) -->\n?")
_SEEN = re.compile(r"<!-- perforch-seen: (.*?) -->\n?")
_ESCAPED = re.compile(r"%(20|25)")


def fingerprint(function: Function) -> str:
    digest = hashlib.sha256(function.text.encode()).hexdigest()[:16]
    return f"{function.spec}@{digest}"


@dataclass(frozen=True)
class Memory:
    ignored: frozenset[str] = frozenset()
    seen: frozenset[str] = frozenset()  # fingerprints of functions already worked on

    @classmethod
    def read(cls, summary_body: str | None) -> Memory:
        if summary_body is None:
            return cls()
        return cls(_words(_IGNORED, summary_body), _words(_SEEN, summary_body))

    def lines(self) -> str:
        lines = []
        if self.ignored:
            lines.append(f"<!-- perforch-ignored: {_joined(self.ignored)} -->")
        if self.seen:
            lines.append(f"<!-- perforch-seen: {_joined(self.seen)} -->")
        return "\n".join(lines)

    def unchanged(self, function: Function) -> bool:
        return fingerprint(function) in self.seen


def without_memory(text: str) -> str:
    return _SEEN.sub("", _IGNORED.sub("", text))


def _joined(words: frozenset[str]) -> str:
    return " ".join(sorted(w.replace("%", "%25").replace(" ", "%20") for w in words))


def _words(pattern: re.Pattern[str], text: str) -> frozenset[str]:
    found = pattern.search(text)
    if found is None:
        return frozenset()
    return frozenset(
        _ESCAPED.sub(lambda m: " " if m.group(1) == "20" else "%", w)
        for w in found.group(1).split(" ")
        if w
    )
