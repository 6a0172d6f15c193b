"""Builds programs once per content hash and runs them through a backend."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sandbox._limits import BUILD_LIMITS, Limits
from sandbox._process import ProcessResult
from sandbox.backends._protocol import Backend, Job, Mount
from sandbox.languages._protocol import Program, Support

_BUILD_LOG = "perforch-build.json"


@dataclass(frozen=True)
class Built:
    """A program after its build: ``directory`` holds the outputs when ``ok``; otherwise
    ``failure`` is the build step that failed (compiler output included)."""

    program: Program
    key: str
    directory: Path | None
    failure: ProcessResult | None
    cached: bool

    @property
    def ok(self) -> bool:
        return self.directory is not None


def program_key(program: Program) -> str:
    """The content hash: same files, commands and toolchain means the same build."""
    material = json.dumps(
        {
            "language": program.language,
            "files": dict(sorted(program.files.items())),
            "build": program.build,
            "run": program.run,
            "env": dict(sorted(program.env.items())),
            "extra": program.cache_key_extra,
        },
        sort_keys=True,
    )
    return hashlib.sha256(material.encode()).hexdigest()


class Executor:
    """Builds with a content-hash cache (``<cache>/builds``) and runs in fresh directories."""

    def __init__(
        self, backend: Backend, support: Support, *, build_limits: Limits = BUILD_LIMITS
    ) -> None:
        self.backend = backend
        self.support = support
        self.build_limits = build_limits
        self._builds = support.cache_dir / "builds"
        self._scratch = support.cache_dir / "scratch"

    def build(self, program: Program) -> Built:
        key = program_key(program)
        final = self._builds / key[:2] / key
        cached = self._load(program, key, final)
        if cached is not None:
            return cached
        final.parent.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix=f"{key[:12]}-", dir=final.parent))
        try:
            for name, text in program.files.items():
                path = workdir / name
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(text)
            failure = None
            for command in program.build:
                result = self.backend.execute(
                    Job(
                        argv=command,
                        workdir=workdir,
                        env=program.env,
                        limits=self.build_limits,
                        mounts=program.mounts,
                        trusted_tool=True,
                    )
                )
                if not result.ok:
                    failure = result
                    break
            (workdir / _BUILD_LOG).write_text(json.dumps(_failure_record(failure)))
            try:
                workdir.rename(final)
            except OSError:  # another worker finished the same build first: use theirs
                shutil.rmtree(workdir, ignore_errors=True)
                loaded = self._load(program, key, final)
                if loaded is not None:
                    return loaded
                raise
        except BaseException:
            shutil.rmtree(workdir, ignore_errors=True)
            raise
        return Built(program, key, None if failure else final, failure, cached=False)

    def _load(self, program: Program, key: str, final: Path) -> Built | None:
        try:
            record = json.loads((final / _BUILD_LOG).read_text())
        except (OSError, ValueError):
            return None
        failure = _failure_from(record)
        return Built(program, key, None if failure else final, failure, cached=True)

    def run(
        self, built: Built, args: Sequence[str], limits: Limits, *, stdin: bytes | None = None
    ) -> ProcessResult:
        """Run a successful build in a private copy of its directory (hard links: the build's
        files belong to the build user, so the program cannot change the cached originals)."""
        if built.directory is None:
            raise ValueError("cannot run a program whose build failed")
        self._scratch.mkdir(parents=True, exist_ok=True)
        workdir = Path(tempfile.mkdtemp(prefix="run-", dir=self._scratch))
        try:
            _link_tree(built.directory, workdir)
            program = built.program
            env = {**program.env, "HOME": str(workdir), "TMPDIR": "/tmp"}
            return self.backend.execute(
                Job(
                    argv=(*program.run, *args),
                    workdir=workdir,
                    env=env,
                    limits=_with_address_space(limits, program),
                    mounts=tuple(m for m in program.mounts if not m.writable),
                    stdin=stdin,
                )
            )
        finally:
            shutil.rmtree(workdir, ignore_errors=True)


def _with_address_space(limits: Limits, program: Program) -> Limits:
    """``limits`` with the RLIMIT_AS the program's runtime needs beyond its memory limit."""
    wanted = max(
        limits.memory_bytes + program.address_space_extra, program.address_space_bytes or 0
    )
    if wanted <= limits.memory_bytes:
        return limits
    return replace(limits, address_space_bytes=wanted)


def _link_tree(source: Path, target: Path) -> None:
    for root, dirs, files in os.walk(source):
        rel = Path(root).relative_to(source)
        for name in dirs:
            (target / rel / name).mkdir()
        for name in files:
            if name == _BUILD_LOG:
                continue
            try:
                os.link(Path(root) / name, target / rel / name)
            except OSError:
                shutil.copy2(Path(root) / name, target / rel / name)


def _failure_record(result: ProcessResult | None) -> dict[str, object] | None:
    if result is None:
        return None
    return {
        "argv": list(result.argv),
        "returncode": result.returncode,
        "stdout": result.stdout,
        "stderr": result.stderr,
        "reason": result.reason,
        "wall_seconds": result.wall_seconds,
        "cpu_seconds": result.cpu_seconds,
    }


def _failure_from(record: object) -> ProcessResult | None:
    if not isinstance(record, dict):
        return None
    return ProcessResult(
        argv=tuple(record["argv"]),
        returncode=int(record["returncode"]),
        stdout=str(record["stdout"]),
        stderr=str(record["stderr"]),
        reason=str(record["reason"]),
        wall_seconds=float(record["wall_seconds"]),
        cpu_seconds=float(record["cpu_seconds"]),
    )


__all__ = ["Built", "Executor", "Mount", "program_key"]
