"""Moving a job's working directory into a container and back, as tar archives.

In: the host directory, every entry owned by the sandbox user (so the program may change its
copies). Back: whatever the directory holds when the container has stopped, extracted with the
standard library's ``data`` filter (no absolute or escaping links, no device files, no set-id
bits) after unlinking what it replaces, so a file that is a hard link into the build cache is
replaced, never written through. Entries the command deleted are deleted on the host too.
"""

from __future__ import annotations

import os
import shutil
import tarfile
from collections.abc import Iterable
from pathlib import Path
from typing import IO


def pack(workdir: Path, uid: int, into: IO[bytes]) -> None:
    """Write ``workdir``'s contents (not following symlinks) as a tar owned by ``uid``."""

    def owned(entry: tarfile.TarInfo) -> tarfile.TarInfo:
        entry.uid = entry.gid = uid
        entry.uname = entry.gname = ""
        return entry

    with tarfile.open(fileobj=into, mode="w", format=tarfile.PAX_FORMAT) as tar:
        tar.add(workdir, arcname=".", filter=owned)
    into.seek(0)


def spool(chunks: Iterable[bytes], into: IO[bytes], cap: int) -> bool:
    """Copy an archive stream into ``into``; False (and stop) once it passes ``cap`` bytes."""
    total = 0
    for chunk in chunks:
        total += len(chunk)
        if total > cap:
            return False
        into.write(chunk)
    into.seek(0)
    return True


def unpack(archive: IO[bytes], workdir: Path) -> list[str]:
    """Make ``workdir`` hold what ``archive`` holds; returns the entries refused as unsafe."""
    refused: list[str] = []
    kept: set[Path] = set()
    with tarfile.open(fileobj=archive, mode="r:") as tar:
        for member in tar:
            name = _relative(member.name)
            if name is None:
                continue
            try:
                safe = tarfile.data_filter(member.replace(name=name, deep=False), str(workdir))
            except tarfile.FilterError as exc:
                refused.append(f"{name}: {exc}")
                continue
            target = workdir / name
            kept.add(target)
            _clear(target, keep_directory=safe.isdir())
            tar.extract(safe, workdir, filter="fully_trusted")  # filtered above
    _delete_missing(workdir, kept)
    return refused


def _relative(name: str) -> str | None:
    """Archive names are relative to the workdir (``x`` from Podman, ``./x`` from Docker)."""
    parts = [part for part in name.split("/") if part not in {"", "."}]
    return "/".join(parts) or None


def _clear(target: Path, *, keep_directory: bool) -> None:
    if target.is_symlink() or (target.exists() and not target.is_dir()):
        target.unlink()
    elif target.is_dir() and not keep_directory:
        shutil.rmtree(target)


def _delete_missing(workdir: Path, kept: set[Path]) -> None:
    for root, dirs, files in os.walk(workdir, topdown=False):  # never follows symlinks
        for name in files:
            if (path := Path(root) / name) not in kept:
                path.unlink()
        for name in dirs:
            path = Path(root) / name
            if path in kept:
                continue
            if path.is_symlink():
                path.unlink()
            else:
                shutil.rmtree(path)
