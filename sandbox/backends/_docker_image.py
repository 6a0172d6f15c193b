"""The docker backend's image: an empty skeleton, imported with ``podman/docker import``.

The image holds no programs and no files from the host: only the top-level directories, the
host's usr-merge symlinks (``/bin -> usr/bin``) and a two-line ``/etc/passwd``. At run time the
backend binds the host's system paths and the job's toolchains read-only over it, exactly as the
namespace backend does, so a container sees the same programs as a namespace job and the image
stays a few kilobytes. It is built from this host's layout, so build it on the machine that runs
the engine.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import tarfile
import tempfile
from collections.abc import Sequence
from pathlib import Path

from sandbox._errors import BackendUnavailableError
from sandbox._process import run_process
from sandbox.backends._namespace import SYSTEM_PATHS

DEFAULT_IMAGE = "perforch-sandbox:latest"
SKELETON_LABEL = "org.perforch.sandbox.skeleton"
BUILD_HINT = "build it with scripts/sandbox-image (python -m sandbox.backends._docker_image)"

_DIRECTORIES = (
    "usr",
    "etc",
    "tmp",
    "var",
    "var/tmp",
    "proc",
    "dev",
    "sys",
    "run",
    "home",
    "root",
    "opt",
)
_PASSWD = (
    b"root:x:0:0:root:/root:/usr/sbin/nologin\n"
    b"nobody:x:65534:65534:nobody:/nonexistent:/usr/sbin/nologin\n"
)
_GROUP = b"root:x:0:\nnogroup:x:65534:\n"


def skeleton_tarball(system_paths: Sequence[str] = SYSTEM_PATHS) -> bytes:
    """The image's whole filesystem as a tar (deterministic: same host layout, same bytes)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name in _DIRECTORIES:
            entry = tarfile.TarInfo(name)
            entry.type = tarfile.DIRTYPE
            entry.mode = 0o1777 if name in {"tmp", "var/tmp"} else 0o755
            tar.addfile(entry)
        # The host's symlinked system paths (usr-merge, /etc/localtime) as the same symlinks;
        # the backend binds only the real directories and files they point into.
        for path in system_paths:
            if Path(path).is_symlink():
                entry = tarfile.TarInfo(path.lstrip("/"))
                entry.type = tarfile.SYMTYPE
                entry.linkname = str(Path(path).readlink())
                tar.addfile(entry)
        for name, data in (("etc/passwd", _PASSWD), ("etc/group", _GROUP)):
            entry = tarfile.TarInfo(name)
            entry.size = len(data)
            entry.mode = 0o644
            tar.addfile(entry, io.BytesIO(data))
    return buffer.getvalue()


def ensure_image(
    image: str = DEFAULT_IMAGE,
    *,
    engine: Sequence[str] = ("podman",),
    system_paths: Sequence[str] = SYSTEM_PATHS,
) -> str:
    """Import the skeleton as ``image`` unless that image already holds this exact skeleton.

    ``engine`` is the command line of the engine's CLI (``podman`` with its storage options, or
    ``docker``). Returns what was done; raises BackendUnavailableError when the CLI fails.
    """
    tarball = skeleton_tarball(system_paths)
    digest = hashlib.sha256(tarball).hexdigest()
    cwd = Path(tempfile.gettempdir())
    env = {"PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"}
    label = f'{{{{ index .Config.Labels "{SKELETON_LABEL}" }}}}'
    current = run_process(
        [*engine, "image", "inspect", "--format", label, image], cwd=cwd, env=env, timeout=60
    )
    if current.reason == "not-found":
        raise BackendUnavailableError(
            f"{engine[0]} is not installed: apt-get install podman runc (or scripts/bootstrap)"
        )
    if current.ok and current.stdout.strip() == digest:
        return f"{image} is up to date ({digest[:12]})"
    imported = run_process(
        [*engine, "import", "--change", f"LABEL {SKELETON_LABEL}={digest}", "-", image],
        cwd=cwd,
        env=env,
        timeout=300,
        stdin=tarball,
    )
    if not imported.ok:
        raise BackendUnavailableError(
            f"{engine[0]} import of {image} failed ({imported.reason}, exit {imported.returncode}):"
            f" {imported.stderr.strip()[-500:]}"
        )
    return f"imported {image} ({digest[:12]}, {len(tarball)} bytes)"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="sandbox-image", description="Build the docker backend's sandbox image."
    )
    parser.add_argument(
        "--engine", default="podman", help="the engine's CLI: podman (default) or docker"
    )
    parser.add_argument("--image", default=DEFAULT_IMAGE, help=f"tag (default {DEFAULT_IMAGE})")
    args = parser.parse_args(argv)
    try:
        print(ensure_image(args.image, engine=(args.engine,)))
    except BackendUnavailableError as exc:
        print(f"sandbox-image: {exc}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
