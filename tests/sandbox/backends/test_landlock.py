"""The landlock backend (Landlock + seccomp, no namespaces) against the same hostile programs as
the other backends, and what it adds for lack of a PID namespace and a private /tmp."""

from __future__ import annotations

import errno
import json
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from sandbox import BackendUnavailableError
from sandbox._limits import Limits
from sandbox._process import run_process
from sandbox.backends import (
    BACKENDS,
    BackendOptions,
    Job,
    LandlockBackend,
    NamespaceBackend,
    make_backend,
)
from tests.support.hostile import CASES, HostileCase, _processes_with, run_case
from tests.support.podman import PodmanEngine
from tests.support.sandbox import reachable_python


@pytest.fixture
def open_dir() -> Iterator[Path]:
    """A scratch directory the runs' users may enter (pytest's own basetemp is mode 0700)."""
    path = Path(tempfile.mkdtemp(prefix="perforch-landlock-test-"))
    path.chmod(0o711)
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="module")
def backend() -> Iterator[LandlockBackend]:
    launchers = Path(tempfile.mkdtemp(prefix="perforch-confine-test-"))
    launchers.chmod(0o711)
    backend = LandlockBackend(launchers)
    health = backend.health()
    assert health.works, health.detail
    assert health.isolation == ("network", "filesystem", "uid", "rlimits")
    yield backend
    shutil.rmtree(launchers, ignore_errors=True)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_hostile_program_is_contained(
    backend: LandlockBackend, case: HostileCase, open_dir: Path
) -> None:
    run_case(backend, case, open_dir, python=reachable_python())


def job(workdir: Path, script: str, **limits: float) -> Job:
    return Job(argv=("/bin/sh", "-c", script), workdir=workdir, env={}, limits=Limits(**limits))


def test_a_process_that_leaves_the_group_is_killed_after_a_timeout(
    backend: LandlockBackend, open_dir: Path
) -> None:
    token = f"escapee-{uuid.uuid4().hex}"
    # setsid: out of the process group the timeout kills, with the launcher that would reap it.
    # The token names the shell, which waits for its sleep (sleep itself takes no extra word).
    escapee = f"setsid sh -c 'sleep 1000; : {token}' </dev/null >/dev/null 2>&1 &"
    result = backend.execute(job(open_dir, f"{escapee} echo left; sleep 1000", wall_seconds=2))
    assert result.reason == "timeout" and result.stdout == "left\n", result
    assert _processes_with(token) == []


def test_the_job_ends_with_its_command_even_if_a_child_holds_its_output(
    backend: LandlockBackend, open_dir: Path
) -> None:
    token = f"lingerer-{uuid.uuid4().hex}"
    script = f"sh -c 'sleep 1000; : {token}' & echo started"
    result = backend.execute(job(open_dir, script, wall_seconds=20))
    assert result.ok and result.stdout == "started\n", result
    assert result.wall_seconds < 5, result  # not the wall timeout, waiting for the pipe
    assert _processes_with(token) == []


def test_the_commands_exit_status_or_signal_is_passed_on(
    backend: LandlockBackend, open_dir: Path
) -> None:
    exited = backend.execute(job(open_dir, "exit 3"))
    assert (exited.reason, exited.returncode) == ("exited", 3), exited
    killed = backend.execute(job(open_dir, "kill -SEGV $$"))
    assert (killed.reason, killed.returncode) == ("signal", -11), killed


def test_tmpdir_is_private_to_the_job_and_removed_after_it(
    backend: LandlockBackend, open_dir: Path
) -> None:
    result = backend.execute(job(open_dir, 'echo "$TMPDIR"; echo x > "$TMPDIR/f" && echo wrote'))
    tmpdir, wrote = result.stdout.split()
    assert result.ok and wrote == "wrote", result
    assert Path(tmpdir).parent == Path(tempfile.gettempdir())
    assert not Path(tmpdir).exists()


def test_a_job_may_reset_its_own_peak_rss_but_not_write_the_kernels_settings(
    backend: LandlockBackend, open_dir: Path
) -> None:
    script = (
        "echo 5 > /proc/self/clear_refs && echo reset; "
        "echo 1 > /proc/sys/vm/drop_caches || echo refused"
    )
    result = backend.execute(job(open_dir, script))
    assert result.stdout.split() == ["reset", "refused"], result.stderr


def test_each_run_gets_its_own_user_and_builds_a_fixed_one(
    backend: LandlockBackend, open_dir: Path
) -> None:
    ids = {backend.execute(job(open_dir, "id -u")).stdout for _ in range(3)}
    assert len(ids) == 3 and "0\n" not in ids
    build = backend.execute(
        Job(("/bin/sh", "-c", "id -u"), open_dir, {}, Limits(), trusted_tool=True)
    )
    assert build.stdout == "64999\n"


def test_a_workdir_others_cannot_enter_is_refused_with_the_reason(
    backend: LandlockBackend, open_dir: Path
) -> None:
    closed = open_dir / "closed"
    (closed / "work").mkdir(parents=True)
    closed.chmod(0o700)
    result = backend.execute(job(closed / "work", "echo ran"))
    assert not result.ok and "ran" not in result.stdout
    assert f"cannot enter {closed} (mode drwx------)" in result.stderr
    assert "--cache-dir" in result.stderr


def test_without_root_it_says_so_instead_of_running_unseparated(
    monkeypatch: pytest.MonkeyPatch, open_dir: Path
) -> None:
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    health = LandlockBackend(open_dir).health()
    assert not health.works and "needs root" in health.detail


def test_without_a_c_compiler_it_names_the_package(open_dir: Path) -> None:
    health = LandlockBackend(open_dir, compiler="perforch-no-such-cc").health()
    assert not health.works, health
    assert "no C compiler (perforch-no-such-cc)" in health.detail
    assert "apt-get install gcc" in health.detail


def test_auto_takes_the_namespace_backend_where_it_works(open_dir: Path) -> None:
    assert make_backend("auto", BackendOptions(cache_dir=open_dir)).name == "namespace"


def test_auto_falls_back_to_landlock_where_namespaces_are_refused(
    monkeypatch: pytest.MonkeyPatch, open_dir: Path
) -> None:
    # /bin/false stands in for a bwrap that a container's seccomp profile stops.
    refused = NamespaceBackend(bwrap="/bin/false", unshare="/bin/false")
    monkeypatch.setitem(BACKENDS, "namespace", lambda options: refused)
    chosen = make_backend("auto", BackendOptions(cache_dir=open_dir))
    assert chosen.name == "landlock"
    result = chosen.execute(job(open_dir, "echo confined"))
    assert result.ok and result.stdout == "confined\n", result


def test_auto_with_nothing_working_says_what_each_backend_lacks(
    monkeypatch: pytest.MonkeyPatch, open_dir: Path
) -> None:
    refused = NamespaceBackend(bwrap="/bin/false", unshare="/bin/false")
    monkeypatch.setitem(BACKENDS, "namespace", lambda options: refused)
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    with pytest.raises(BackendUnavailableError) as caught:
        make_backend("auto", BackendOptions(cache_dir=open_dir))
    message = str(caught.value)
    assert "namespace: bwrap failed" in message and "landlock: needs root" in message


def test_java_builds_and_runs_and_its_temp_files_go_to_the_private_tmpdir(
    backend: LandlockBackend, open_dir: Path
) -> None:
    from sandbox import Executor
    from sandbox.languages import java
    from tests.support.sandbox import make_support

    executor = Executor(backend, make_support(open_dir / "cache"))
    solution = "public class Solution {\n    int twice(int x) { return 2 * x; }\n}\n"
    tests = (
        "public class Main {\n"
        "    public static void main(String[] args) throws Exception {\n"
        "        if (new Solution().twice(2) != 4) throw new AssertionError();\n"
        '        java.io.File f = java.io.File.createTempFile("perforch", ".tmp");\n'
        "        System.out.println(f.getParent());\n"
        "    }\n"
        "}\n"
    )
    built = executor.build(java.test_program(solution, tests, executor.support))
    assert built.ok, built.failure and built.failure.stderr
    result = executor.run(built, [], Limits())
    assert result.ok, result.stderr
    assert Path(result.stdout.strip()).name.startswith("perforch-tmp-")


# Run inside the container by Debian's python3 (bound in with /usr), with this checkout on its
# path: the sandbox's backends need the standard library only.
IN_CONTAINER = """
import json, sys, tempfile
from pathlib import Path
from sandbox._limits import Limits
from sandbox.backends import BackendOptions, Job, NamespaceBackend, make_backend
found = {"namespace": NamespaceBackend().health().detail}
backend = make_backend("auto", BackendOptions(cache_dir=Path("/tmp/perforch-cache")))
work = Path(tempfile.mkdtemp())
work.chmod(0o711)
script = (
    "import socket\\n"
    "try:\\n socket.create_connection(('127.0.0.1', 9), timeout=5); print('connected')\\n"
    "except OSError as e: print('blocked', e.errno)\\n"
    "try:\\n open('/etc/hostname').read(); print('read /etc')\\n"
    "except OSError as e: print('denied', e.errno)\\n"
)
result = backend.execute(Job(("/usr/bin/python3", "-c", script), work, {}, Limits()))
found.update(chosen=backend.name, stdout=result.stdout, stderr=result.stderr, ok=result.ok)
print(json.dumps(found))
"""


def docker_like_seccomp_profile(path: Path) -> Path:
    """Podman's shipped profile with clone, clone3 and unshare as Docker's default profile has
    them for a container without CAP_SYS_ADMIN: no namespace flags (podman's own profile allows
    them and leaves the refusal to the missing capability)."""
    profile = json.loads(Path("/usr/share/containers/seccomp.json").read_text())
    for rule in profile["syscalls"]:
        rule["names"] = [n for n in rule["names"] if n not in {"clone", "clone3", "unshare"}]
    namespace_flags = 0x7E020000  # CLONE_NEWNS|NEWCGROUP|NEWUTS|NEWIPC|NEWUSER|NEWPID|NEWNET
    profile["syscalls"] += [
        {
            "names": ["clone"],
            "action": "SCMP_ACT_ALLOW",
            "args": [
                {"index": 0, "value": namespace_flags, "valueTwo": 0, "op": "SCMP_CMP_MASKED_EQ"}
            ],
        },
        {"names": ["clone3"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.ENOSYS},
        {"names": ["unshare"], "action": "SCMP_ACT_ERRNO", "errnoRet": errno.EPERM},
    ]
    path.write_text(json.dumps(profile))
    return path


@pytest.mark.docker
def test_in_a_container_under_dockers_seccomp_profile_auto_confines_with_landlock(
    podman: PodmanEngine, tmp_path: Path
) -> None:
    repo = Path(__file__).resolve().parents[3]
    profile = docker_like_seccomp_profile(tmp_path / "seccomp.json")
    result = run_process(
        [
            *podman.cli,
            "run",
            "--rm",
            "--security-opt",
            f"seccomp={profile}",
            "--volume",
            "/usr:/usr:ro",
            "--volume",  # where `cc` and friends point (the skeleton image has no /etc)
            "/etc/alternatives:/etc/alternatives:ro",
            "--volume",
            f"{repo}:{repo}:ro",
            "--env",
            f"PYTHONPATH={repo}",
            podman.image,
            "/usr/bin/python3",
            "-c",
            IN_CONTAINER,
        ],
        cwd=tmp_path,
        env={"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
        timeout=300,
    )
    assert result.ok, result.stderr[-2000:]
    found = json.loads(result.stdout.splitlines()[-1])
    assert "Creating new namespace failed" in found["namespace"], found
    assert found["chosen"] == "landlock" and found["ok"], found
    assert found["stdout"] == f"blocked {errno.EACCES}\ndenied {errno.EACCES}\n", found
