"""The namespace backend (bwrap) against the same hostile programs as the docker backend."""

from __future__ import annotations

from pathlib import Path

import pytest

from sandbox._limits import Limits
from sandbox.backends import Job, NamespaceBackend
from tests.support.hostile import CASES, HostileCase, run_case


@pytest.fixture(scope="module")
def backend() -> NamespaceBackend:
    backend = NamespaceBackend()
    health = backend.health()
    assert health.works, health.detail
    return backend


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_program_is_contained(
    backend: NamespaceBackend, case: HostileCase, tmp_path: Path
) -> None:
    run_case(backend, case, tmp_path)


def test_echo_runs_and_files_stay(backend: NamespaceBackend, tmp_path: Path) -> None:
    result = backend.execute(
        Job(
            argv=("/bin/sh", "-c", "cat; echo made > out.txt"),
            workdir=tmp_path,
            env={},
            limits=Limits(wall_seconds=30),
            stdin=b"from stdin\n",
        )
    )
    assert result.ok and result.stdout == "from stdin\n", result
    assert (tmp_path / "out.txt").read_text() == "made\n"
