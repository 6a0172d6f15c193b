"""The ``landlock`` backend: for machines where no namespace can be made.

A container run with Docker's default seccomp profile and capabilities (the GitHub Action's own
container among them) refuses every new namespace, so bwrap and ``unshare -n`` fail there. What
such a container does allow is a process taking rights away from itself: Landlock (which
paths it may read, write and execute, TCP bind and connect, and with ABI 6 signals) and a
seccomp filter (sockets of any family but AF_UNIX, io_uring). ``perforch_confine.c`` applies
both and then runs the command; it is built once with the system's C compiler.

Without namespaces the command shares the host's PID space and its ``/tmp``. So it runs as a
fresh unprivileged user id (PerfOrch must be root, as it is in the Action's container): it
cannot signal or read the processes of other users, the process limit applies, a private
``TMPDIR`` is made for it, and every process left under its user id is killed afterwards.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import stat
import tempfile
import threading
from pathlib import Path

from sandbox._environment import sandbox_environment
from sandbox._limits import Limits
from sandbox._process import ProcessResult, run_process
from sandbox.backends._namespace import (
    BUILD_UID,
    RUN_UID_RANGE,
    SYSTEM_PATHS,
    drop_to,
    give_to,
)
from sandbox.backends._protocol import BackendHealth, Job

LAUNCHER_SOURCE = Path(__file__).with_name("perforch_confine.c")
# Read-only besides the system paths: what runtimes read about the machine (the JVM and Go
# size themselves from the CPU list and the cgroup's limits; every runtime reads /proc/self).
MACHINE_PATHS = ("/proc", "/sys/devices/system/cpu", "/sys/fs/cgroup")
DEVICES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")
ISOLATION = ("network", "filesystem", "uid", "rlimits")


class LandlockBackend:
    name = "landlock"

    def __init__(self, launcher_dir: Path | None = None, *, compiler: str = "cc") -> None:
        self._launcher_dir = launcher_dir
        self._compiler = compiler
        self._root = os.geteuid() == 0
        self._lock = threading.Lock()
        self._launcher: Path | str | None = None
        self._users_running: set[int] = set()  # so that no two runs share a user id

    def launcher(self) -> Path | str:
        """The built launcher, or what stops it being built."""
        with self._lock:
            if self._launcher is None:
                self._launcher = _build_launcher(self._launcher_dir, self._compiler)
            return self._launcher

    def health(self) -> BackendHealth:
        if not self._root:
            return BackendHealth(
                self.name,
                False,
                "needs root, to run each job as a user id of its own (as in the Action's "
                "container); as another user, use the namespace backend",
            )
        launcher = self.launcher()
        if isinstance(launcher, str):
            return BackendHealth(self.name, False, launcher)
        with tempfile.TemporaryDirectory() as tmp:
            Path(tmp).chmod(0o711)  # the run's user must enter it
            result = self.execute(
                Job(
                    argv=("/bin/sh", "-c", "echo ok"),
                    workdir=Path(tmp),
                    env={},
                    limits=Limits(wall_seconds=10, cpu_seconds=5),
                )
            )
        if result.ok and result.stdout.strip() == "ok":
            return BackendHealth(self.name, True, "Landlock and seccomp work", ISOLATION)
        return BackendHealth(
            self.name, False, f"the launcher failed: {result.stderr.strip()[:300] or result.reason}"
        )

    def execute(self, job: Job) -> ProcessResult:
        launcher = self.launcher()
        if isinstance(launcher, str):
            return _refused(job, launcher)
        if not self._root:
            return _refused(job, "the landlock backend needs root: use the namespace backend")
        for path in (
            launcher,
            job.workdir,
            Path(tempfile.gettempdir(), "perforch-tmp"),  # its private TMPDIR goes there
            *(m.host for m in job.mounts),
        ):
            blocked = _closed_ancestor(path)
            if blocked is not None:
                return _refused(
                    job,
                    f"the landlock backend runs code as an unprivileged user, who cannot enter "
                    f"{blocked} (mode {stat.filemode(blocked.stat().st_mode)}): keep the cache, "
                    f"the toolchains and TMPDIR under directories others may enter, e.g. "
                    f"--cache-dir /var/cache/perforch",
                )
        uid = BUILD_UID if job.trusted_tool else self._take_user()
        give_to(job.workdir, uid)
        private_tmp = Path(tempfile.mkdtemp(prefix="perforch-tmp-"))
        try:
            os.chown(private_tmp, uid, uid)
            env = {**sandbox_environment(job.env), "TMPDIR": str(private_tmp)}
            rules = _rules(job, private_tmp)
            command = [*drop_to(uid), *job.limits.prlimit_argv(), str(launcher), *rules, "--"]
            return run_process(
                [*command, *job.argv],
                cwd=job.workdir,
                env=env,
                timeout=job.limits.wall_seconds,
                output_bytes=job.limits.output_bytes,
                stdin=job.stdin,
            )
        finally:
            if not job.trusted_tool:  # builds share their user id: another may be running
                _kill_everything_of(uid)
                with self._lock:
                    self._users_running.discard(uid)
            shutil.rmtree(private_tmp, ignore_errors=True)

    def _take_user(self) -> int:
        with self._lock:
            while (uid := random.randrange(*RUN_UID_RANGE)) in self._users_running:
                continue
            self._users_running.add(uid)
            return uid


def _rules(job: Job, private_tmp: Path) -> list[str]:
    rules: list[str] = []
    for path in (*SYSTEM_PATHS, *MACHINE_PATHS):
        rules += ["--ro", path]
    for device in DEVICES:
        rules += ["--dev", device]
    # Drivers reset their peak RSS through /proc/self/clear_refs. The kernel's own checks keep
    # an unprivileged user from writing anything there but its own processes' files.
    rules += ["--dev", "/proc"]
    for mount in job.mounts:
        rules += ["--rw" if mount.writable else "--ro", str(mount.host)]
    # A run has a user id of its own, so its launcher may end everything under it once the
    # command exits, as the end of a PID namespace would; builds share theirs.
    reap = [] if job.trusted_tool else ["--reap"]
    return [*reap, *rules, "--rw", str(job.workdir), "--rw", str(private_tmp)]


def _closed_ancestor(path: Path) -> Path | None:
    """The first directory above ``path`` that users other than its owner cannot enter."""
    for parent in reversed(path.parents):
        try:
            if not parent.stat().st_mode & stat.S_IXOTH:
                return parent
        except OSError:
            return None  # missing: the command reports it, as it would anywhere
    return None


def _kill_everything_of(uid: int) -> None:
    """SIGKILL to every process of ``uid``. The launcher does this itself when the command
    exits, but not when it was killed (the wall timeout kills only the process group, and
    something that left it, by setsid or as a daemon, would outlive the job)."""
    run_process(
        [*drop_to(uid), "kill", "-KILL", "-1"],
        cwd=Path("/"),
        env={"PATH": "/usr/bin:/bin"},
        timeout=10,
    )


def _refused(job: Job, why: str) -> ProcessResult:
    return ProcessResult(tuple(job.argv), 126, "", f"perforch: {why}\n", "exited", 0.0, 0.0)


def _build_launcher(directory: Path | None, compiler_name: str) -> Path | str:
    compiler = shutil.which(compiler_name)
    if compiler is None:
        return (
            f"no C compiler ({compiler_name}) to build its launcher, perforch-confine: "
            "apt-get install gcc"
        )
    source = LAUNCHER_SOURCE.read_bytes()
    directory = directory or Path(tempfile.mkdtemp(prefix="perforch-confine-"))
    directory.mkdir(parents=True, exist_ok=True)
    target = directory / f"perforch-confine-{hashlib.sha256(source).hexdigest()[:16]}"
    if target.exists():
        return target
    partial = Path(tempfile.mkdtemp(prefix="build-", dir=directory))
    try:
        result = run_process(
            [compiler, "-O2", "-o", str(partial / "launcher"), str(LAUNCHER_SOURCE)],
            cwd=partial,
            env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
            timeout=120,
        )
        if not result.ok:
            return f"cannot build perforch-confine: {result.stderr.strip()[:500] or result.reason}"
        (partial / "launcher").chmod(0o755)  # run by the jobs' users
        (partial / "launcher").replace(target)
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    # The launcher runs as the unprivileged user: it must be able to reach and run it.
    directory.chmod(directory.stat().st_mode | 0o111)  # traversal only
    return target
