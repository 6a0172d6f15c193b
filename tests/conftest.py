"""Fixtures shared across the suite. Fakes and servers live in tests/support/."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox import Executor, Support
from tests.support.sandbox import make_executor, make_support


@pytest.fixture(scope="session")
def sandbox_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build cache per test session (per xdist worker): builds are shared across tests."""
    return tmp_path_factory.mktemp("perforch-cache")


@pytest.fixture(scope="session")
def support(sandbox_cache: Path) -> Support:
    return make_support(sandbox_cache)


@pytest.fixture(scope="session")
def executor(sandbox_cache: Path) -> Executor:
    return make_executor(sandbox_cache)
