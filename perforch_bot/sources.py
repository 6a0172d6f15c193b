"""Reading a version of a file: a path on disk or ``REV:PATH`` from git."""

from __future__ import annotations

import re
from pathlib import Path

from perforch_bot.errors import PerforchError
from sandbox import run_process

_REVISION = re.compile(r"^(?P<rev>[^:]+):(?P<path>.+)$")


class SourceError(PerforchError):
    """A file or git revision that cannot be read."""


def read_source(spec: str, *, cwd: Path | None = None) -> str:
    """The text of ``spec``: an existing file, else ``REV:PATH`` read with ``git show``."""
    base = cwd or Path.cwd()
    path = base / spec
    if path.is_file():
        return path.read_text()
    match = _REVISION.match(spec)
    if match is None:
        raise SourceError(
            f"{spec}: no such file (for a git revision write REV:PATH, e.g. HEAD~1:src/sort.py)"
        )
    result = run_process(
        ["git", "show", f"{match['rev']}:{match['path']}"],
        cwd=base,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "GIT_PAGER": "cat"},
        timeout=30,
    )
    if not result.ok:
        raise SourceError(f"{spec}: git cannot read it ({result.stderr.strip() or result.reason})")
    return result.stdout
