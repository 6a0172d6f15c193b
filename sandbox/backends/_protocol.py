"""The isolation seam: every command that builds or runs code under test goes through a Backend."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sandbox._limits import Limits
from sandbox._process import ProcessResult


@dataclass(frozen=True)
class Mount:
    """A host path made visible inside the sandbox, read-only unless ``writable``."""

    host: Path
    writable: bool = False


@dataclass(frozen=True)
class Job:
    """One command to run in isolation.

    ``workdir`` is a host directory: the command runs with it as its working directory and it is
    the only writable place besides a private ``/tmp``; files the command leaves there are in the
    host directory afterwards. ``mounts`` add toolchains and caches at their host paths.
    """

    argv: tuple[str, ...]
    workdir: Path
    env: Mapping[str, str]
    limits: Limits
    mounts: tuple[Mount, ...] = ()
    stdin: bytes | None = None
    # Builds run the (trusted) compiler as a fixed user so shared caches stay writable; runs of
    # code under test get a fresh user id each, so a process limit in one cannot starve another.
    trusted_tool: bool = False


@dataclass(frozen=True)
class BackendHealth:
    name: str
    works: bool
    detail: str
    isolation: tuple[str, ...] = field(default_factory=tuple)


class Backend(Protocol):
    name: str

    def health(self) -> BackendHealth:
        """Whether this backend can run jobs here, and what it isolates."""
        ...

    def execute(self, job: Job) -> ProcessResult:
        """Run ``job``; never raises for what the command does."""
        ...


@dataclass(frozen=True)
class BackendOptions:
    """What a user may choose about a backend (unset: the backend's own default)."""

    docker_url: str | None = None  # e.g. unix:///run/podman/podman.sock
    docker_image: str | None = None
    cache_dir: Path | None = None  # where the landlock backend keeps its built launcher
