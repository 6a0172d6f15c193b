"""Fixtures shared across the suite. Fakes and servers live in tests/support/."""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import BackendOptions, Executor, Support, make_backend
from tests.support.github_server import GitHubServer, serve_github
from tests.support.openai_server import OpenAIServer, serve_openai
from tests.support.podman import PodmanEngine, leftovers, podman_engine
from tests.support.sandbox import make_executor, make_landlock_executor, make_support

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


@pytest.fixture(scope="session")
def landlock_executor() -> Iterator[Executor]:
    """An executor over the landlock backend, with its own cache: its run users must reach
    everything a job uses, and pytest's basetemp is closed to them (mode 0700)."""
    root = Path(tempfile.mkdtemp(prefix="perforch-landlock-tests-"))
    root.chmod(0o711)
    yield make_landlock_executor(root)
    shutil.rmtree(root, ignore_errors=True)


@pytest.fixture(params=["namespace", "landlock", pytest.param("docker", marks=pytest.mark.docker)])
def hostile_executor(request: pytest.FixtureRequest, executor: Executor) -> Iterator[Executor]:
    """``executor`` (or a module's override of it), then the same over the landlock and docker
    backends.

    The landlock one has a cache of its own (see ``landlock_executor``), so it builds too. The
    docker one runs every program in a container of the private Podman engine; it shares
    ``executor``'s support and build cache, so a program built for one backend is reused by the
    other. After a docker test the engine must hold no container or volume of the sandbox.
    """
    if request.param == "namespace":
        yield executor
        return
    if request.param == "landlock":
        yield request.getfixturevalue("landlock_executor")
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
