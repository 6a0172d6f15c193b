"""Fixtures shared across the suite. Fakes and servers live in tests/support/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import Executor, Support
from tests.support.openai_server import OpenAIServer, serve_openai
from tests.support.podman import PodmanEngine, podman_engine
from tests.support.sandbox import make_executor, make_support

# litellm's shipped price map, not a download at import (no network in tests; stable prices).
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")


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


@pytest.fixture(scope="session")
def podman() -> Iterator[PodmanEngine]:
    """A private Podman engine serving the Docker API, with the sandbox image imported."""
    with podman_engine() as engine:
        yield engine


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A scripted OpenAI-compatible server on 127.0.0.1 (see tests/support/openai_server.py)."""
    with serve_openai() as server:
        yield server
