"""The pre-commit hook's work: the functions a commit changes, benchmarked staged against the
base (``check``), or optimized into suggested patches (``suggest``).

``check`` and its results load the sandbox, so they are imported on first use: finding that
nothing changed must stay fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from perforch_bot.precommit._changes import Changed, changed_functions

if TYPE_CHECKING:
    from perforch_bot.precommit._check import CheckResult, check, render_checks

__all__ = ["Changed", "CheckResult", "changed_functions", "check", "render_checks"]


def __getattr__(name: str) -> Any:
    if name in {"CheckResult", "check", "render_checks"}:
        return getattr(importlib.import_module("perforch_bot.precommit._check"), name)
    raise AttributeError(f"module 'perforch_bot.precommit' has no attribute {name!r}")
