"""A private Podman engine for the docker backend's tests.

It has its own storage, runtime directories and API socket under a fresh directory in /tmp
(short, because the engine's unix sockets live below it and are limited to 108 bytes), so the
tests neither see nor disturb the machine's containers and images, and parallel workers each
get their own.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from sandbox._process import run_process
from sandbox.backends._docker import DockerConfig
from sandbox.backends._docker_image import DEFAULT_IMAGE, ensure_image

INSTALL_HINT = "run scripts/bootstrap (it installs them: apt-get install podman runc)"
_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class PodmanEngine:
    """A running Docker-compatible API: its URL, and the podman command line for its storage."""

    base_url: str
    cli: tuple[str, ...]
    image: str

    def config(self) -> DockerConfig:
        return DockerConfig(base_url=self.base_url, image=self.image)


@contextlib.contextmanager
def podman_engine(image: str = DEFAULT_IMAGE) -> Iterator[PodmanEngine]:
    """Start ``podman system service`` on a temporary socket, import the image, stop at the end."""
    podman, runc = shutil.which("podman", path=_PATH), shutil.which("runc", path=_PATH)
    if podman is None or runc is None:
        pytest.fail(f"{'podman' if podman is None else 'runc'} is not installed: {INSTALL_HINT}")
    root = Path(tempfile.mkdtemp(prefix="pfpod-", dir="/tmp"))
    cli = (
        podman,
        "--root",
        str(root / "storage"),
        "--runroot",
        str(root / "run"),
        "--tmpdir",
        str(root / "libpod"),
        "--runtime",
        runc,
        "--cgroup-manager",
        "cgroupfs",
    )
    service = None
    try:
        ensure_image(image, engine=cli)
        socket = root / "api.sock"
        log = (root / "service.log").open("wb")
        # A long-lived server, so not run_process (which waits for its command to finish).
        service = subprocess.Popen(
            # setpriv --pdeathsig: the service stops even if the test process is killed.
            [
                "setpriv",
                "--pdeathsig",
                "TERM",
                "--",
                *cli,
                "system",
                "service",
                "--time=0",
                f"unix://{socket}",
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=log,
            env={"PATH": _PATH},
            # conmon writes its "oom" marker relative to the service's directory when a
            # container is OOM-killed; keep it out of the checkout.
            cwd=root,
            start_new_session=True,
        )
        log.close()
        _wait_until_it_answers(f"unix://{socket}", service, root / "service.log")
        yield PodmanEngine(f"unix://{socket}", cli, image)
    finally:
        if service is not None:
            service.terminate()
            try:
                service.wait(timeout=20)
            except subprocess.TimeoutExpired:
                service.kill()
                service.wait()
        _remove(root)


def _wait_until_it_answers(base_url: str, service: subprocess.Popen[bytes], log: Path) -> None:
    import docker

    client = docker.APIClient(base_url=base_url, version="1.41", timeout=5)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if service.poll() is not None:
            pytest.fail(
                f"podman system service exited ({service.returncode}): "
                f"{log.read_text(errors='replace')[-2000:]}"
            )
        with contextlib.suppress(Exception):
            if client.ping():
                return
        time.sleep(0.1)
    pytest.fail(
        f"podman system service did not answer within 60 s: "
        f"{log.read_text(errors='replace')[-2000:]}"
    )


def _remove(root: Path) -> None:
    """Unmount what the engine left mounted below ``root`` (its storage), then delete it."""
    mounts = [line.split()[4] for line in Path("/proc/self/mountinfo").read_text().splitlines()]
    for mount in sorted((m for m in mounts if m.startswith(f"{root}/")), key=len, reverse=True):
        run_process(["umount", "-l", mount], cwd=Path("/"), env={"PATH": _PATH}, timeout=30)
    shutil.rmtree(root, ignore_errors=True)


def leftovers(engine: PodmanEngine) -> list[str]:
    """Containers and volumes the sandbox created that still exist in ``engine``."""
    import docker

    client = docker.APIClient(base_url=engine.base_url, version="1.41", timeout=30)
    label = {"label": "org.perforch.sandbox"}
    containers = [c["Id"][:12] for c in client.containers(all=True, filters=label)]
    volumes = [v["Name"][:12] for v in client.volumes(filters=label).get("Volumes") or []]
    return containers + volumes
