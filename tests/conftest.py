"""Fixtures shared across the suite. Fakes and servers live in tests/support/."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import BackendOptions, Executor, Support, make_backend
from tests.support.github_server import GitHubServer, serve_github
from tests.support.openai_server import OpenAIServer, serve_openai
from tests.support.podman import PodmanEngine, leftovers, podman_engine
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


@pytest.fixture(params=["namespace", pytest.param("docker", marks=pytest.mark.docker)])
def hostile_executor(request: pytest.FixtureRequest, executor: Executor) -> Iterator[Executor]:
    """``executor`` (or a module's override of it), then the same over the docker backend.

    The docker one runs every program in a container of the private Podman engine; it shares
    ``executor``'s support and build cache, so a program built for one backend is reused by the
    other. After a docker test the engine must hold no container or volume of the sandbox.
    """
    if request.param == "namespace":
        yield executor
        return
    podman: PodmanEngine = request.getfixturevalue("podman")
    options = BackendOptions(docker_url=podman.base_url, docker_image=podman.image)
    yield Executor(make_backend("docker", options), executor.support)
    assert leftovers(podman) == [], "the docker backend left containers or volumes behind"


@pytest.fixture
def openai_server() -> Iterator[OpenAIServer]:
    """A scripted OpenAI-compatible server on 127.0.0.1 (see tests/support/openai_server.py)."""
    with serve_openai() as server:
        yield server


@pytest.fixture
def github_server() -> Iterator[GitHubServer]:
    """A GitHub REST server on 127.0.0.1 (see tests/support/github_server.py)."""
    with serve_github() as server:
        yield server
