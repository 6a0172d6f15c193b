"""Hostile programs every sandbox backend must contain, shared by the backends' test modules.

Each case is a real program (``/bin/sh`` or the host's Python, mounted read-only like a
toolchain) with the check of what the backend must report. ``run_case`` also checks what must
hold after any of them: no process of the program is left on the host, nothing it wrote
outside its working directory reached the host, and the next job runs normally.
"""

from __future__ import annotations

import errno
import os
import socket
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from sandbox._executor import Executor
from sandbox._limits import MIB, Limits
from sandbox._process import ProcessResult
from sandbox.backends import Backend, Job, Mount

PYTHON = Path(os.path.realpath(sys.executable))
PYTHON_PREFIX = PYTHON.parent.parent  # the interpreter's installation, mounted like a toolchain

SECRETS = {
    "GITHUB_TOKEN": "ghp_FAKE0GITHUB0TOKEN",
    "ACTIONS_RUNTIME_TOKEN": "FAKE0ACTIONS0RUNTIME",
    "OPENAI_API_KEY": "sk-FAKE0OPENAI0KEY",
    "AWS_SECRET_ACCESS_KEY": "FAKE0AWS0SECRET",
    "NPM_TOKEN": "FAKE0NPM0TOKEN",
    "DB_PASSWORD": "FAKE0DB0PASSWORD",
}
FILE_SECRET = "FAKE0SECRET0IN0A0FILE"
DEFAULT_LIMITS = Limits(wall_seconds=30, cpu_seconds=20, memory_bytes=512 * MIB)


@dataclass
class Context:
    """One case's surroundings: its working directory, a token in every process's command line
    (to find leftovers), and host places the program must not reach."""

    workdir: Path
    token: str
    outside: Path  # a host directory next to the working directory, not visible inside
    port: int = 0  # a host loopback port with a listener
    python: Path = PYTHON  # the interpreter the Python cases run on
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def prefix(self) -> Path:
        """The interpreter's installation, mounted read-only like a toolchain."""
        return self.python.parent.parent


@dataclass(frozen=True)
class HostileCase:
    name: str
    argv: Callable[[Context], tuple[str, ...]]
    check: Callable[[ProcessResult, Context], None]
    limits: Limits = field(default_factory=lambda: DEFAULT_LIMITS)
    env: dict[str, str] = field(default_factory=dict)


def python(script: str) -> Callable[[Context], tuple[str, ...]]:
    return lambda ctx: (
        str(ctx.python),
        "-I",
        "-c",
        script,
        ctx.token,
        str(ctx.port),
        str(ctx.outside),
        str(ctx.workdir),
    )


def shell(script: str) -> Callable[[Context], tuple[str, ...]]:
    return lambda ctx: ("/bin/sh", "-c", script, ctx.token)


NETWORK = """
import socket, sys
port = int(sys.argv[2])
for host, p in (("127.0.0.1", port), ("1.1.1.1", 53), ("8.8.8.8", 443)):
    try:  # refused at socket() (a seccomp filter) or at connect() (no network namespace)
        s = socket.socket()
        s.settimeout(10)
        s.connect((host, p))
        print("connected", host)
    except TimeoutError:
        print("timed-out", host)
    except OSError as e:
        print("blocked", host, e.errno)
try:
    socket.getaddrinfo("github.com", 443)
    print("resolved github.com")
except OSError:
    print("no-dns")
"""


def _network(result: ProcessResult, ctx: Context) -> None:
    assert result.ok, result
    assert "connected" not in result.stdout, result.stdout
    assert "timed-out" not in result.stdout, result.stdout  # fails at once, not by waiting
    assert result.stdout.count("blocked") == 3 and "no-dns" in result.stdout, result.stdout


FORK = """
import os, sys, time
children = 0
try:
    for _ in range(10000):
        if os.fork() == 0:
            time.sleep(60)
            os._exit(0)
        children += 1
    print("forked", children, flush=True)
except OSError as e:
    print("fork-failed", children, e.errno, flush=True)
"""


def _fork(result: ProcessResult, ctx: Context) -> None:
    words = result.stdout.split()
    assert words[:1] == ["fork-failed"], result
    assert int(words[1]) < 32 and int(words[2]) == errno.EAGAIN, result.stdout


def _fork_bomb(result: ProcessResult, ctx: Context) -> None:
    assert result.reason in {"timeout", "exited", "signal"}, result


MEMORY = """
data = b"\\x01" * (1 << 30)
print("allocated", len(data))
"""


def _memory(result: ProcessResult, ctx: Context) -> None:
    assert not result.ok and "allocated" not in result.stdout, result
    assert "MemoryError" in result.stderr or "out of memory" in result.stderr, result


WRITES = """
import sys
from pathlib import Path
token, outside, workdir = sys.argv[1], Path(sys.argv[3]), Path(sys.argv[4])
prefix = Path(sys.base_prefix)
for target in (Path("/etc"), Path("/usr"), Path("/"), prefix, outside, Path("/tmp"), workdir):
    path = target / f"written-{token}"
    try:
        path.write_text("pwned")
        print("wrote", target)
    except OSError:
        print("denied", target)
"""


def _writes(result: ProcessResult, ctx: Context) -> None:
    assert result.ok, result
    for target in ("/etc", "/usr", "/", str(ctx.prefix), str(ctx.outside), "/tmp"):
        assert not Path(target, f"written-{ctx.token}").exists(), f"reached the host: {target}"
    # The system and the toolchains are read-only; the host beside the workdir is not there.
    for target in ("/etc", "/usr", "/", str(ctx.prefix), str(ctx.outside)):
        assert f"denied {target}\n" in result.stdout, result.stdout
    assert f"wrote {ctx.workdir}\n" in result.stdout, result.stdout
    assert (ctx.workdir / f"written-{ctx.token}").read_text() == "pwned"


SNOOP = """
import os, sys
from pathlib import Path
print("env", sorted(os.environ.items()))
try:
    print("pid1", Path("/proc/1/environ").read_bytes().replace(b"\\0", b" "))
except OSError:
    print("pid1 unreadable")
for path in (Path(sys.argv[3], "secret.txt"), Path("/root/.npmrc"), Path("/root/.gitconfig"),
             Path("/root/.git-credentials"), Path("/root/.docker/config.json"),
             Path("/root/.config/gh/hosts.yml"), Path("/etc/shadow")):
    try:
        print("read", path, len(path.read_bytes()))
    except OSError:
        print("unreadable", path)
"""


def _snoop(result: ProcessResult, ctx: Context) -> None:
    assert result.ok, result
    output = result.stdout + result.stderr
    for name, value in SECRETS.items():
        assert name not in output and value not in output, f"{name} leaked"
    assert FILE_SECRET not in output
    assert "('SAFE_SETTING', 'visible')" in result.stdout  # the environment does get through
    assert "read " not in result.stdout, result.stdout  # no host secrets file is readable


def _sleeps(result: ProcessResult, ctx: Context) -> None:
    assert result.reason == "timeout" and result.returncode == -9, result
    assert "sleeping" in result.stdout  # what it wrote before the timeout is kept


def _spins(result: ProcessResult, ctx: Context) -> None:
    assert result.reason == "signal" and result.signal_name in {"SIGXCPU", "SIGKILL"}, result


FLOOD = """
import sys
while True:
    sys.stdout.write("x" * 65536)
"""


def _floods(result: ProcessResult, ctx: Context) -> None:
    assert result.reason == "output-limit" and result.output_truncated, result.reason
    assert 0 < len(result.stdout) <= 256 * 1024


CASES = (
    HostileCase("network", python(NETWORK), _network),
    HostileCase(
        "fork-until-refused",
        python(FORK),
        _fork,
        Limits(wall_seconds=30, cpu_seconds=20, max_processes=32),
    ),
    HostileCase(
        "shell-fork-bomb",
        shell("b() { b | b & }; b; wait"),
        _fork_bomb,
        Limits(wall_seconds=5, cpu_seconds=20, max_processes=32),
    ),
    HostileCase(
        "allocate-past-memory-limit",
        python(MEMORY),
        _memory,
        Limits(wall_seconds=30, cpu_seconds=20, memory_bytes=256 * MIB),
    ),
    HostileCase("write-outside-workdir", python(WRITES), _writes),
    HostileCase("read-secrets", python(SNOOP), _snoop, env={**SECRETS, "SAFE_SETTING": "visible"}),
    HostileCase(
        "sleep-forever",
        python("import time\nprint('sleeping', flush=True)\ntime.sleep(10**6)"),
        _sleeps,
        Limits(wall_seconds=3, cpu_seconds=20),
    ),
    HostileCase(
        "spin-forever", shell("while :; do :; done"), _spins, Limits(wall_seconds=60, cpu_seconds=1)
    ),
    HostileCase(
        "flood-stdout",
        python(FLOOD),
        _floods,
        Limits(wall_seconds=30, cpu_seconds=20, output_bytes=256 * 1024),
    ),
)


@contextmanager
def _listener() -> Iterator[int]:
    """A host loopback port that accepts connections: reachable unless the network is cut."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def run_case(
    backend: Backend, case: HostileCase, tmp_path: Path, python: Path = PYTHON
) -> ProcessResult:
    """Run ``case`` (its Python programs on ``python``) and check it and what must hold after
    any hostile program."""
    workdir, outside = tmp_path / "work", tmp_path / "outside"
    workdir.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text(FILE_SECRET)
    with _listener() as port:
        ctx = Context(workdir, f"hostile-{uuid.uuid4().hex}", outside, port, python)
        result = backend.execute(
            Job(
                argv=case.argv(ctx),
                workdir=workdir,
                env=case.env,
                limits=case.limits,
                mounts=(Mount(ctx.prefix),),
            )
        )
    case.check(result, ctx)
    assert not _processes_with(ctx.token), "processes of the program outlived it"
    assert sorted(p.name for p in outside.iterdir()) == ["secret.txt"]
    assert_next_job_runs(backend, tmp_path / "next")
    return result


def assert_next_job_runs(backend: Backend, workdir: Path) -> None:
    workdir.mkdir()
    result = backend.execute(
        Job(
            argv=("/bin/sh", "-c", "echo next job"),
            workdir=workdir,
            env={},
            limits=Limits(wall_seconds=60),
        )
    )
    assert result.ok and result.stdout == "next job\n", result


def connection_errors(executor: Executor) -> tuple[str, str]:
    """What a job's TCP connections fail with, to a closed port on 127.0.0.1 and to anywhere
    else. In a network namespace of its own (namespace, docker) the loopback is the job's own
    and nothing else is reachable; under landlock no socket but AF_UNIX can even be made."""
    if executor.backend.name == "landlock":
        return "Permission denied", "Permission denied"
    return "Connection refused", "Network is unreachable"


def memory_limit_is_rlimit(executor: Executor) -> bool:
    """Whether the memory limit is RLIMIT_AS (namespace, landlock: an allocation past it
    fails in the program) rather than a cgroup's (docker: the kernel kills the job)."""
    return executor.backend.name != "docker"


def assert_oom_killed(result: ProcessResult, memory_bytes: int | None) -> None:
    """How the docker backend reports a job that its cgroup memory limit stopped: the kernel's
    OOM killer sent SIGKILL, and the backend adds a note naming the limit (``memory_bytes``,
    when given: the limit the container got)."""
    assert result.reason == "signal" and result.returncode == -9, result
    note = "out of memory: the program reached the memory limit of "
    if memory_bytes is not None:
        note += f"{memory_bytes // MIB} MiB and the kernel killed it"
    assert note in result.stderr, result.stderr[-1000:]


def _processes_with(token: str) -> list[int]:
    """Host processes whose command line holds ``token``, after a short grace for reaping."""
    deadline = time.monotonic() + 10
    while True:
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    if token.encode() in (entry / "cmdline").read_bytes():
                        found.append(int(entry.name))
                except OSError:
                    continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)
