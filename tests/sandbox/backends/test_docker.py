"""The docker backend against a real engine (Podman's Docker API, started by the fixture)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import replace
from pathlib import Path

import pytest

from sandbox import Executor
from sandbox._errors import BackendUnavailableError
from sandbox._limits import MIB, Limits
from sandbox.backends import Job, Mount, make_backend
from sandbox.backends._docker import DockerBackend
from sandbox.languages import python
from tests.support.hostile import CASES, PYTHON, PYTHON_PREFIX, HostileCase, run_case
from tests.support.podman import PodmanEngine, leftovers
from tests.support.sandbox import make_support

pytestmark = pytest.mark.docker

LIMITS = Limits(wall_seconds=60, cpu_seconds=30)


@pytest.fixture
def backend(podman: PodmanEngine) -> DockerBackend:
    return DockerBackend(podman.config())


def job(workdir: Path, *argv: str, stdin: bytes | None = None) -> Job:
    return Job(
        argv=argv,
        workdir=workdir,
        env={},
        limits=LIMITS,
        stdin=stdin,
        mounts=(Mount(PYTHON_PREFIX),),
    )


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_program_is_contained(
    backend: DockerBackend, podman: PodmanEngine, case: HostileCase, tmp_path: Path
) -> None:
    run_case(backend, case, tmp_path)
    assert leftovers(podman) == []


def test_echo_runs_and_files_come_back(
    backend: DockerBackend, podman: PodmanEngine, tmp_path: Path
) -> None:
    (tmp_path / "input.txt").write_text("from the host\n")
    (tmp_path / "delete-me").write_text("x")
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "keep.txt").write_text("kept\n")
    script = (
        "cat; cat input.txt; echo made > out.txt; mkdir -p build/bin; "
        "printf '#!/bin/sh\\necho hi\\n' > build/bin/tool; chmod +x build/bin/tool; "
        "rm delete-me; echo oops >&2; exit 3"
    )
    result = backend.execute(job(tmp_path, "/bin/sh", "-c", script, stdin=b"from stdin\n"))
    assert result.reason == "exited" and result.returncode == 3, result
    assert result.stdout == "from stdin\nfrom the host\n"
    assert result.stderr == "oops\n"
    assert (tmp_path / "out.txt").read_text() == "made\n"
    assert os.access(tmp_path / "build" / "bin" / "tool", os.X_OK)
    assert (tmp_path / "src" / "keep.txt").read_text() == "kept\n"
    assert not (tmp_path / "delete-me").exists()
    assert leftovers(podman) == []


def test_runs_in_the_workdir_as_a_non_root_user_without_capabilities(
    backend: DockerBackend, tmp_path: Path
) -> None:
    result = backend.execute(
        job(tmp_path, "/bin/sh", "-c", "pwd; id -u; grep CapEff /proc/self/status")
    )
    directory, uid, caps = result.stdout.splitlines()
    assert directory == str(tmp_path) and int(uid) != 0
    assert caps.split() == ["CapEff:", "0000000000000000"]


def test_a_file_hard_linked_into_a_cache_is_replaced_not_written_through(
    backend: DockerBackend, tmp_path: Path
) -> None:
    cache, workdir = tmp_path / "cache", tmp_path / "work"
    cache.mkdir()
    workdir.mkdir()
    (cache / "binary").write_text("cached build output\n")
    os.link(cache / "binary", workdir / "binary")
    result = backend.execute(job(workdir, "/bin/sh", "-c", "echo changed > binary"))
    assert result.ok, result
    assert (workdir / "binary").read_text() == "changed\n"
    assert (cache / "binary").read_text() == "cached build output\n"


def test_links_pointing_out_of_the_workdir_are_not_copied_back(
    backend: DockerBackend, tmp_path: Path
) -> None:
    workdir = tmp_path / "work"
    workdir.mkdir()
    result = backend.execute(
        job(
            workdir,
            "/bin/sh",
            "-c",
            "ln -s /etc etc-link; ln -s ../ up; ln -s out.txt ok-link; echo fine > out.txt",
        )
    )
    assert result.ok, result.stderr
    assert sorted(p.name for p in workdir.iterdir()) == ["ok-link", "out.txt"]
    assert (workdir / "ok-link").read_text() == "fine\n"
    assert "not copied back (unsafe): etc-link" in result.stderr


def test_out_of_memory_is_reported_as_sigkill_with_a_note(
    backend: DockerBackend, tmp_path: Path
) -> None:
    limits = replace(LIMITS, memory_bytes=128 * MIB)
    result = backend.execute(
        Job(
            argv=(str(PYTHON), "-I", "-c", "b = b'1' * (1 << 30)"),
            workdir=tmp_path,
            env={},
            limits=limits,
            mounts=(Mount(PYTHON_PREFIX),),
        )
    )
    assert result.reason == "signal" and result.returncode == -9, result
    assert "out of memory" in result.stderr and "128 MiB" in result.stderr


def test_exit_codes_signals_and_missing_programs(backend: DockerBackend, tmp_path: Path) -> None:
    crashed = backend.execute(job(tmp_path, "/bin/sh", "-c", "kill -SEGV $$"))
    assert crashed.reason == "signal" and crashed.signal_name == "SIGSEGV", crashed
    missing = backend.execute(job(tmp_path, "/nonexistent/compiler", "--version"))
    assert missing.reason == "not-found" and missing.returncode == 127, missing
    assert "/nonexistent/compiler" in missing.stderr


def test_cpu_time_is_reported(backend: DockerBackend, tmp_path: Path) -> None:
    result = backend.execute(
        job(tmp_path, str(PYTHON), "-I", "-c", "n = 0\nfor i in range(3_000_000): n += i\nprint(n)")
    )
    assert result.ok, result
    assert result.cpu_seconds > 0


def test_cgroup_limits_are_applied(backend: DockerBackend, tmp_path: Path) -> None:
    limits = Limits(wall_seconds=60, memory_bytes=300 * MIB, max_processes=40)
    script = (
        "cd /sys/fs/cgroup; cat pids/pids.max memory/memory.limit_in_bytes "
        "memory/memory.memsw.limit_in_bytes 2>/dev/null || cat pids.max memory.max memory.swap.max"
    )
    result = backend.execute(
        Job(argv=("/bin/sh", "-c", script), workdir=tmp_path, env={}, limits=limits)
    )
    assert result.ok, result
    pids, memory, swap = result.stdout.split()
    assert int(pids) == 40 and int(memory) == 300 * MIB
    assert swap in {str(300 * MIB), "0"}  # v1 counts memory + swap together; v2 swap alone


def test_a_missing_image_is_unavailable_with_how_to_build_it(
    podman: PodmanEngine, tmp_path: Path
) -> None:
    backend = DockerBackend(replace(podman.config(), image="perforch-no-such-image:1"))
    with pytest.raises(BackendUnavailableError, match="scripts/sandbox-image"):
        backend.execute(job(tmp_path, "/bin/sh", "-c", "true"))
    assert leftovers(podman) == []


def test_the_executor_builds_and_runs_a_program_through_it(
    backend: DockerBackend, tmp_path: Path
) -> None:
    executor = Executor(backend, make_support(tmp_path))
    source = "open('main.py', 'a').write('# tampered')\nprint('ran')\n"
    built = executor.build(python.test_program(source, "", executor.support))
    assert built.directory is not None, built.failure
    result = executor.run(built, [], Limits(wall_seconds=60))
    assert result.ok and result.stdout == "ran\n", result
    assert not (built.directory / "main.py").read_text().endswith("# tampered")


def test_health_says_it_works(backend: DockerBackend) -> None:
    health = backend.health()
    assert health.works, health.detail
    assert "network" in health.isolation


def test_health_names_a_missing_image_and_how_to_build_it(podman: PodmanEngine) -> None:
    backend = DockerBackend(replace(podman.config(), image="perforch-no-such-image:1"))
    health = backend.health()
    assert not health.works
    assert "perforch-no-such-image:1" in health.detail and "sandbox-image" in health.detail


def test_an_unreachable_engine_is_unavailable_not_a_crash(tmp_path: Path) -> None:
    with tempfile.TemporaryDirectory() as empty:
        config = replace(DockerBackend().config, base_url=f"unix://{empty}/none.sock")
        backend = DockerBackend(config)
        health = backend.health()
        assert not health.works and "none.sock" in health.detail
        with pytest.raises(BackendUnavailableError, match=r"none\.sock"):
            backend.execute(job(tmp_path, "/bin/sh", "-c", "true"))


def test_it_is_registered() -> None:
    assert isinstance(make_backend("docker"), DockerBackend)
