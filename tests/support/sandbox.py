"""Shared sandbox fixtures' building blocks: a real executor over the namespace backend."""

from __future__ import annotations

import sys
from pathlib import Path

from sandbox import Executor, Support, make_backend

# Language dependencies (Rust crates, Go modules) that scripts/bootstrap's `perforch setup`
# built: the tests reuse them instead of rebuilding them per session.
DEPS_DIR = Path.home() / ".cache" / "perforch" / "support"


def make_support(cache_dir: Path) -> Support:
    # The interpreter running the tests is the project's venv: it has numpy, which the
    # HumanEval-X Python harness imports.
    return Support(cache_dir=cache_dir, python=Path(sys.executable), deps_dir=DEPS_DIR)


def make_executor(cache_dir: Path, backend: str = "namespace") -> Executor:
    return Executor(make_backend(backend), make_support(cache_dir))
