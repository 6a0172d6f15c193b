"""The default backend: Linux namespaces through bubblewrap, or ``unshare -n`` where it is missing.

With bwrap the command sees a minimal filesystem: the system's ``/usr`` and toolchains read-only,
its working directory, a private ``/tmp``, no network, no other processes (own PID namespace,
killed with its parent), and, when started as root, a user id of its own (so RLIMIT_NPROC
applies: the kernel exempts root from it). ``unshare`` only removes the network.
"""

from __future__ import annotations

import dataclasses
import os
import random
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

from sandbox._environment import sandbox_environment
from sandbox._limits import Limits
from sandbox._process import ProcessResult, run_process
from sandbox.backends._protocol import BackendHealth, Job, Mount

# Read-only system paths every program needs (those that exist here are bound).
SYSTEM_PATHS = (
    "/usr",
    "/bin",
    "/sbin",
    "/lib",
    "/lib64",
    "/lib32",
    "/etc/alternatives",
    "/etc/ld.so.cache",
    "/etc/ld.so.conf",
    "/etc/ld.so.conf.d",
    "/etc/java-17-openjdk",
    "/etc/ssl/certs",
    "/etc/localtime",
    "/etc/passwd",
    "/etc/group",
)
BUILD_UID = 64999
RUN_UID_RANGE = (200_000, 260_000)


class NamespaceBackend:
    name = "namespace"

    def __init__(self, *, bwrap: str | None = None, unshare: str | None = None) -> None:
        self._bwrap = bwrap if bwrap is not None else shutil.which("bwrap")
        self._unshare = unshare if unshare is not None else shutil.which("unshare")
        self._root = os.geteuid() == 0

    def health(self) -> BackendHealth:
        if self._bwrap is None and self._unshare is None:
            return BackendHealth(
                self.name,
                False,
                "neither bwrap nor unshare is installed: apt-get install bubblewrap",
            )
        tool = "bwrap" if self._bwrap else "unshare -n"
        with tempfile.TemporaryDirectory() as tmp:
            result = self.execute(
                Job(
                    argv=("/bin/sh", "-c", "echo ok"),
                    workdir=Path(tmp),
                    env={},
                    limits=Limits(wall_seconds=10, cpu_seconds=5),
                )
            )
        if result.ok and result.stdout.strip() == "ok":
            isolation = (
                ("network", "pid", "filesystem", "uid", "rlimits")
                if self._bwrap
                else ("network", "rlimits")
            )
            return BackendHealth(self.name, True, f"{tool} works", isolation)
        return BackendHealth(
            self.name, False, f"{tool} failed: {result.stderr.strip()[:300] or result.reason}"
        )

    def execute(self, job: Job) -> ProcessResult:
        uid = None
        if self._root:
            uid = BUILD_UID if job.trusted_tool else random.randrange(*RUN_UID_RANGE)
            give_to(job.workdir, uid)
        # Innermost: drop to the sandbox user (when root), then apply the limits, then the command.
        command = [*drop_to(uid), *job.limits.prlimit_argv(), *job.argv]
        if self._bwrap is not None:
            argv = [*self._bwrap_argv(job, as_user=uid is None), *command]
        elif self._root:
            argv = [str(self._unshare), "--net", "--", *command]
        else:
            argv = [str(self._unshare), "--net", "--map-root-user", "--", *command]
        result = run_process(
            argv,
            cwd=job.workdir,
            env=sandbox_environment(job.env),
            timeout=job.limits.wall_seconds,
            output_bytes=job.limits.output_bytes,
            stdin=job.stdin,
        )
        return _signal_from_bwrap(result) if self._bwrap is not None else result

    def _bwrap_argv(self, job: Job, *, as_user: bool) -> list[str]:
        argv = [
            str(self._bwrap),
            "--unshare-net",
            "--unshare-pid",
            "--unshare-ipc",
            "--unshare-uts",
            "--unshare-cgroup-try",
            "--die-with-parent",
            "--new-session",
            "--proc",
            "/proc",
            "--dev",
            "/dev",
            # World-writable like a real /tmp: runs use a random uid, not the tmpfs owner.
            "--perms",
            "1777",
            "--tmpfs",
            "/tmp",
            "--tmpfs",
            "/root",
            "--tmpfs",
            "/home",
        ]
        made: set[Path] = {Path("/"), Path("/tmp"), Path("/root"), Path("/home")}
        for path in SYSTEM_PATHS:
            if Path(path).is_symlink():
                target = str(Path(path).readlink())
                argv += [*_parents(Path(path), made), "--symlink", target, path]
            elif Path(path).exists():
                argv += [*_parents(Path(path), made), "--ro-bind", path, path]
        for mount in _outermost(job.mounts):
            argv += [
                *_parents(mount.host, made),
                "--bind" if mount.writable else "--ro-bind",
                str(mount.host),
                str(mount.host),
            ]
        argv += [
            *_parents(job.workdir, made),
            "--bind",
            str(job.workdir),
            str(job.workdir),
            "--chdir",
            str(job.workdir),
        ]
        if as_user:
            argv.append("--unshare-user")
        return argv


def drop_to(uid: int | None) -> list[str]:
    if uid is None:
        return []
    return [
        "setpriv",
        f"--reuid={uid}",
        f"--regid={uid}",
        "--clear-groups",
        "--bounding-set=-all",
        "--no-new-privs",
        "--",
    ]


def _parents(path: Path, made: set[Path]) -> list[str]:
    """bwrap arguments creating ``path``'s missing ancestors as traversable (0755) directories;
    bwrap would otherwise create them 0700, which the unprivileged sandbox user cannot enter."""
    argv: list[str] = []
    for parent in reversed(path.parents):
        if parent not in made:
            argv += ["--perms", "0755", "--dir", str(parent)]
            made.add(parent)
    return argv


def _outermost(mounts: tuple[Mount, ...]) -> Iterator[Mount]:
    """Mounts in path order, so a parent is bound before anything inside it."""
    yield from sorted(
        {m.host: m for m in mounts if m.host.exists()}.values(), key=lambda m: len(m.host.parts)
    )


def give_to(workdir: Path, uid: int) -> None:
    """Hand the working directory's folders to the sandbox user, so it can create files there.

    Files are left as they are: in a run directory they are hard links to cached build outputs,
    and changing their owner would let the program rewrite the cache.
    """
    for root, _dirs, _files in os.walk(workdir):
        os.chown(root, uid, uid)


def _signal_from_bwrap(result: ProcessResult) -> ProcessResult:
    """bwrap reports a child killed by signal N as exit 128+N; report it as the signal it was."""
    if result.reason != "exited" or not _SIGNAL_EXIT_LOW < result.returncode <= _SIGNAL_EXIT_HIGH:
        return result
    return dataclasses.replace(result, returncode=128 - result.returncode, reason="signal")


_SIGNAL_EXIT_LOW = 128
_SIGNAL_EXIT_HIGH = 128 + 64
