"""Shared set-up for the Rust tests: a fresh build cache per session, and the crates.

The crates (rand, regex, md5) take a minute or two to build, so they are built once into the
default cache (~/.cache/perforch, what ``perforch setup`` fills; idempotent, offline once done)
and linked into each session's otherwise empty cache.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from sandbox._executor import Executor
from sandbox.backends import make_backend
from sandbox.languages import rust
from sandbox.languages._protocol import Support


def rust_support(cache_dir: Path) -> Support:
    shared = Support(cache_dir=Path.home() / ".cache" / "perforch", python=Path(sys.executable))
    problems = rust.setup(shared)
    if problems:
        pytest.fail(f"Rust crates could not be set up: {problems}")
    support = Support(cache_dir=cache_dir, python=Path(sys.executable))
    support.dir_for("rust").parent.mkdir(parents=True, exist_ok=True)
    support.dir_for("rust").symlink_to(shared.dir_for("rust"))
    return support


def rust_executor(cache_dir: Path) -> Executor:
    return Executor(make_backend("namespace"), rust_support(cache_dir))
