"""The docker backend: each job in a fresh container, through the Docker API (``docker`` SDK).

Tested against Podman's Docker-compatible API. A container has no network, a read-only root
(the tiny skeleton image of ``_docker_image`` with the host's system paths and the job's
toolchains bound read-only over it, as in the namespace backend), a private tmpfs ``/tmp``, a
cgroup limit on memory (no swap), CPU and processes, rlimits on CPU seconds and file size, no
capabilities, no privilege gain, and a non-root user (a fresh id per run, as in the namespace
backend). Every container and volume is removed afterwards.

The working directory is a fresh named volume mounted at the job's own path (programs embed
absolute paths), filled with ``put_archive`` before the start and read back with
``get_archive`` once the container has stopped. A tmpfs cannot carry the files back under
Podman: its content exists only while the container runs, and Podman's archive API reads the
layer underneath it (so does a ``tmpfs``-type volume), while a stopped container's named volume
keeps it. Copying instead of bind-mounting keeps the host directory (whose files may be hard
links into the build cache) out of the container's reach.
"""

from __future__ import annotations

import contextlib
import io
import random
import socket
import tarfile
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from sandbox._environment import sandbox_environment
from sandbox._errors import BackendUnavailableError
from sandbox._limits import GIB, MIB, Limits
from sandbox._process import ExitReason, ProcessResult
from sandbox.backends import _docker_workdir as workdir_io
from sandbox.backends._docker_image import BUILD_HINT, DEFAULT_IMAGE
from sandbox.backends._docker_launcher import REPORT_BYTES, exit_code, launcher_argv, take_report
from sandbox.backends._docker_stream import Streams, drain, read_frames
from sandbox.backends._namespace import BUILD_UID, RUN_UID_RANGE, SYSTEM_PATHS, _outermost
from sandbox.backends._protocol import BackendHealth, Job

# The image brings its own two-line passwd and group; the host's stay out.
DOCKER_SYSTEM_PATHS = tuple(p for p in SYSTEM_PATHS if p not in {"/etc/passwd", "/etc/group"})
LABELS = {"org.perforch.sandbox": "job"}
_STDIN_NAME = ".perforch-stdin"
_COPY_ATTEMPTS = 3


@dataclass(frozen=True)
class DockerConfig:
    """Where the engine is and what every container gets besides the job's own limits."""

    base_url: str = "unix:///var/run/docker.sock"
    image: str = DEFAULT_IMAGE
    cpus: float = 1.0
    tmp_bytes: int = 256 * MIB
    open_files: int = 4096
    # A working directory that grows past this is not copied back (reported as output-limit).
    copy_back_bytes: int = 2 * GIB
    api_version: str = "1.41"  # fixed, so constructing a client does not ask the engine
    api_timeout: float = 120.0
    system_paths: tuple[str, ...] = DOCKER_SYSTEM_PATHS


@dataclass(frozen=True)
class _Run:
    """How a container's run ended, as seen from outside (before the launcher's report)."""

    streams: Streams
    reason: ExitReason
    status: int  # the container's exit status
    wall_seconds: float
    cpu_sample: float | None = None  # taken before a kill, when the launcher cannot report


class DockerBackend:
    name = "docker"

    def __init__(self, config: DockerConfig | None = None) -> None:
        self.config = config if config is not None else DockerConfig()
        self._client: Any = None

    def health(self) -> BackendHealth:
        url, image = self.config.base_url, self.config.image
        try:
            with self._engine("asking for its version"):
                version = self._api().version()
            with self._engine(f"looking up {image}"):
                self._api().inspect_image(image)
            with tempfile.TemporaryDirectory() as tmp:
                result = self.execute(
                    Job(
                        argv=("/bin/sh", "-c", "echo ok"),
                        workdir=Path(tmp),
                        env={},
                        limits=Limits(wall_seconds=30, cpu_seconds=5),
                    )
                )
        except BackendUnavailableError as exc:
            return BackendHealth(self.name, False, str(exc))
        name = version.get("Components", [{}])[0].get("Name", "engine")
        engine = f"{name} {version.get('Version')}"
        if result.ok and result.stdout.strip() == "ok":
            return BackendHealth(
                self.name,
                True,
                f"{engine} at {url}, image {image}",
                ("network", "pid", "filesystem", "uid", "cgroups", "rlimits", "capabilities"),
            )
        return BackendHealth(
            self.name,
            False,
            f"{engine} at {url} cannot run {image}: {result.stderr.strip()[:300] or result.reason}",
        )

    def execute(self, job: Job) -> ProcessResult:
        uid = BUILD_UID if job.trusted_tool else random.randrange(*RUN_UID_RANGE)
        api = self._api()
        container = volume = None
        try:
            with self._engine("creating the container"):
                volume = api.create_volume(driver="local", labels=LABELS)["Name"]
                argv, nonce = launcher_argv(
                    job.argv, f"/{_STDIN_NAME}" if job.stdin is not None else "/dev/null"
                )
                container = api.create_container(
                    self.config.image,
                    command=argv,
                    user=f"{uid}:{uid}",
                    environment=sandbox_environment(job.env),
                    working_dir=str(job.workdir),
                    hostname="sandbox",
                    labels=LABELS,
                    network_disabled=True,
                    host_config=self._host_config(api, job, volume),
                )["Id"]
            self._copy_in(api, container, job, uid)
            run = self._run(api, container, job.limits)
            too_big, notes = self._copy_back(api, container, job.workdir)
            return self._result(api, container, job, nonce, run, too_big, notes)
        finally:
            with contextlib.suppress(Exception):  # the engine may be gone; nothing to add then
                if container is not None:
                    api.remove_container(container, force=True, v=True)
            with contextlib.suppress(Exception):
                if volume is not None:
                    api.remove_volume(volume, force=True)

    def _api(self) -> Any:
        if self._client is None:
            import docker

            with self._engine("connecting"):
                self._client = docker.APIClient(
                    base_url=self.config.base_url,
                    version=self.config.api_version,
                    timeout=self.config.api_timeout,
                )
        return self._client

    @contextlib.contextmanager
    def _engine(self, doing: str) -> Iterator[None]:
        """Turn the SDK's failures into BackendUnavailableError with what to do about them."""
        import docker.errors

        url, image = self.config.base_url, self.config.image
        try:
            yield
        except docker.errors.ImageNotFound as exc:
            raise BackendUnavailableError(
                f"the image {image} is not in the engine at {url}: {BUILD_HINT}"
            ) from exc
        except (docker.errors.DockerException, OSError) as exc:  # OSError: requests' errors
            raise BackendUnavailableError(
                f"the container engine at {url} failed while {doing}: {exc}. Start it "
                "(podman system service / dockerd) or choose the namespace backend"
            ) from exc

    def _host_config(self, api: Any, job: Job, volume: str) -> Any:
        from docker.types import LogConfig, Mount, Ulimit

        limits = job.limits
        mounts = [
            Mount(path, path, type="bind", read_only=True)
            for path in self.config.system_paths
            if Path(path).exists() and not Path(path).is_symlink()
        ]
        mounts += [
            Mount(str(m.host), str(m.host), type="bind", read_only=not m.writable)
            for m in _outermost(job.mounts)
            if not m.host.is_relative_to(job.workdir)
        ]
        mounts.append(Mount(str(job.workdir), volume, type="volume"))
        ulimits = [
            Ulimit(name="cpu", soft=limits.cpu_seconds, hard=limits.cpu_seconds + 1),
            Ulimit(name="fsize", soft=limits.max_file_bytes, hard=limits.max_file_bytes),
            Ulimit(name="core", soft=0, hard=0),
            # Podman fills in its own (too high) defaults for these two when any ulimit
            # is given, and the runtime then fails to start the container.
            Ulimit(name="nofile", soft=self.config.open_files, hard=self.config.open_files),
            Ulimit(name="nproc", soft=limits.max_processes, hard=limits.max_processes),
        ]
        return api.create_host_config(
            network_mode="none",
            read_only=True,
            mounts=mounts,
            ulimits=ulimits,
            tmpfs={"/tmp": f"rw,nosuid,nodev,size={self.config.tmp_bytes},mode=1777"},
            mem_limit=limits.memory_bytes,
            memswap_limit=limits.memory_bytes,
            nano_cpus=int(self.config.cpus * 1e9),
            pids_limit=limits.max_processes,
            cap_drop=["ALL"],
            security_opt=["no-new-privileges"],
            log_config=LogConfig(type="none"),  # output is read from the attach stream only
        )

    def _copy_in(self, api: Any, container: str, job: Job, uid: int) -> None:
        with tempfile.TemporaryFile() as archive:
            workdir_io.pack(job.workdir, uid, archive)
            with self._engine("copying the working directory in"):
                self._put_archive(api, container, str(job.workdir), archive)
        if job.stdin is not None:
            buffer = io.BytesIO()
            with tarfile.open(fileobj=buffer, mode="w") as tar:
                entry = tarfile.TarInfo(_STDIN_NAME)
                entry.size, entry.mode = len(job.stdin), 0o444
                tar.addfile(entry, io.BytesIO(job.stdin))
            with self._engine("copying stdin in"):
                self._put_archive(api, container, "/", buffer)

    def _put_archive(self, api: Any, container: str, path: str, archive: IO[bytes]) -> None:
        """``put_archive`` with a few retries on the engine's own (5xx) failures: under load
        Podman's copy helper sometimes dies mid-stream ("write |1: broken pipe") and the same
        copy into the same, not yet started, container then succeeds."""
        import docker.errors

        for attempt in range(1, _COPY_ATTEMPTS + 1):
            archive.seek(0)
            try:
                api.put_archive(container, path, archive)
                return
            except docker.errors.APIError as exc:
                if not exc.is_server_error() or attempt == _COPY_ATTEMPTS:
                    raise
                time.sleep(0.2 * attempt)

    def _run(self, api: Any, container: str, limits: Limits) -> _Run:
        """Start, read output until the end, the deadline or the cap; kill if needed, wait."""
        with self._engine("attaching"):
            attached = api.attach_socket(container, params={"stdout": 1, "stderr": 1, "stream": 1})
        streams = Streams(limits.output_bytes + REPORT_BYTES)
        sock: socket.socket = getattr(attached, "_sock", attached)
        try:
            with self._engine("starting the container"):
                started = time.perf_counter()
                api.start(container)
            deadline = started + limits.wall_seconds
            with self._engine("reading the output"):
                reason = read_frames(sock, streams, deadline)
            if reason == "exited":
                try:  # the output can end before the container does (closed stdout)
                    status = api.wait(container, timeout=max(0.1, deadline - time.perf_counter()))
                    wall = time.perf_counter() - started
                    return _Run(streams, reason, status["StatusCode"], wall)
                except OSError:
                    reason = "timeout"
            # Keep reading (and dropping) the output until the kill has taken effect: Podman's
            # conmon crashes when a flood meets a reader that stopped, and the container is
            # then never reaped (its wait and kill hang).
            drainer = threading.Thread(target=drain, args=(sock,), daemon=True)
            drainer.start()
            cpu = _cpu_sample(api, container)
            with contextlib.suppress(Exception):  # it may have exited by itself meanwhile
                api.kill(container)
            with self._engine("waiting for the container"):
                status = api.wait(container)
            drainer.join(timeout=self.config.api_timeout)
            return _Run(streams, reason, status["StatusCode"], time.perf_counter() - started, cpu)
        finally:
            attached.close()

    def _copy_back(self, api: Any, container: str, workdir: Path) -> tuple[bool, list[str]]:
        """Make ``workdir`` hold what the container left there. Returns whether the directory
        was too big to copy back, and notes for stderr (what was refused, what went wrong)."""
        import docker.errors

        with tempfile.TemporaryFile() as archive:
            try:
                with self._engine("copying the working directory back"):
                    chunks, _stat = api.get_archive(container, f"{workdir}/.")
                    complete = workdir_io.spool(chunks, archive, self.config.copy_back_bytes)
            except BackendUnavailableError as exc:
                if not isinstance(exc.__cause__, docker.errors.APIError):
                    raise  # the engine is gone, not just this archive
                return False, [f"the working directory could not be copied back: {exc.__cause__}"]
            if not complete:
                limit = self.config.copy_back_bytes
                return True, [f"the working directory grew past {limit} bytes: not copied back"]
            try:
                refused = workdir_io.unpack(archive, workdir)
            except (tarfile.TarError, OSError) as exc:
                return False, [f"the working directory could not be copied back: {exc}"]
        return False, [f"not copied back (unsafe): {entry}" for entry in refused]

    def _result(
        self,
        api: Any,
        container: str,
        job: Job,
        nonce: bytes,
        run: _Run,
        too_big: bool,
        notes: list[str],
    ) -> ProcessResult:
        """The ProcessResult, with the launcher's report taken into account (and removed)."""
        stderr, report = take_report(bytes(run.streams.stderr), nonce)
        stdout = bytes(run.streams.stdout)
        reason = "output-limit" if too_big and run.reason == "exited" else run.reason
        returncode = -9 if run.reason != "exited" else exit_code(run.status)
        if report is not None and report.status is None:
            reason, returncode = "not-found", 127
            stderr = f"{job.argv[0]}: not found in the sandbox (is its toolchain mounted?)".encode()
        elif report is not None and run.reason == "exited":
            returncode = exit_code(report.status or 0)
        if reason == "exited" and returncode < 0:
            reason = "signal"
        cap = job.limits.output_bytes
        if len(stdout) + len(stderr) > cap:
            reason = "output-limit" if reason in {"exited", "signal"} else reason
            stdout, stderr = stdout[:cap], stderr[: max(0, cap - len(stdout))]
        killed = returncode == -9 and reason == "signal"
        oom = report.oom_kills > 0 if report is not None else killed and _oom_killed(api, container)
        if oom:
            notes.append(
                f"out of memory: the program reached the memory limit of "
                f"{job.limits.memory_bytes // MIB} MiB and the kernel killed it"
            )
        elif killed and report is None:  # the launcher died too: the OOM killer is the suspect
            notes.append(
                "killed by SIGKILL (the memory limit of "
                f"{job.limits.memory_bytes // MIB} MiB is the likely cause)"
            )
        text = stderr.decode("utf-8", "replace")
        text += "".join(f"\nperforch: {note}" for note in notes)
        return ProcessResult(
            argv=job.argv,
            returncode=returncode,
            stdout=stdout.decode("utf-8", "replace"),
            stderr=text,
            reason=reason,
            wall_seconds=run.wall_seconds,
            cpu_seconds=_first(report.cpu_seconds if report else None, run.cpu_sample),
            output_truncated=reason == "output-limit",
        )


def _first(*values: float | None) -> float:
    return next((value for value in values if value is not None), 0.0)


def _cpu_sample(api: Any, container: str) -> float | None:
    """The container's CPU time so far (for jobs killed before the launcher could report)."""
    try:
        stats = api.stats(container, stream=False)
        return float(stats["cpu_stats"]["cpu_usage"]["total_usage"]) / 1e9
    except Exception:  # a best-effort figure: missing stats are not worth failing the job for
        return None


def _oom_killed(api: Any, container: str) -> bool:
    try:
        return bool(api.inspect_container(container)["State"].get("OOMKilled"))
    except Exception:  # best effort, as above
        return False


__all__ = ["DOCKER_SYSTEM_PATHS", "DockerBackend", "DockerConfig"]
