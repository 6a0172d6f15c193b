"""Options every sandbox-using command shares, turned into an Executor (immutable config)."""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:  # imported when used: the pre-commit hook's fast path must stay light
    from sandbox import BackendOptions, Executor, Support

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class SandboxSettings:
    cache_dir: Path
    backend: str
    python: Path
    docker_url: str | None = None
    docker_image: str | None = None
    rustc: Path | None = None

    @property
    def backend_options(self) -> BackendOptions:
        from sandbox import BackendOptions

        return BackendOptions(
            docker_url=self.docker_url, docker_image=self.docker_image, cache_dir=self.cache_dir
        )

    def support(self) -> Support:
        from sandbox import Support

        return Support(
            cache_dir=self.cache_dir,
            python=self.python,
            deps_dir=self.cache_dir / "support",
            rustc=self.rustc,
        )

    def executor(self) -> Executor:
        """The executor on the chosen backend; a clear usage error when none works here."""
        from sandbox import BackendUnavailableError, Executor, make_backend

        try:
            backend = make_backend(self.backend, self.backend_options)
        except BackendUnavailableError as exc:
            raise click.ClickException(str(exc)) from exc
        return Executor(backend, self.support())


def default_cache_dir() -> Path:
    return Path.home() / ".cache" / "perforch"


def sandbox_options(function: F) -> F:
    """Adds --cache-dir, --backend, --docker-url, --docker-image, --python and --rustc (the
    command turns them into a SandboxSettings with ``settings_from(**those)``)."""
    options = [
        click.option(
            "--cache-dir",
            type=click.Path(file_okay=False, path_type=Path),
            default=None,
            help="Build cache and language support [default: ~/.cache/perforch].",
        ),
        click.option(
            "--backend",
            type=click.Choice(["auto", "namespace", "landlock", "docker"]),
            default="auto",
            show_default=True,
            help="How code under test is isolated; auto: namespace where it works, else "
            "landlock (see docs/sandbox.md).",
        ),
        click.option(
            "--docker-url",
            default=None,
            help="Docker-API engine for --backend docker, e.g. unix:///run/podman/podman.sock "
            "[default: unix:///var/run/docker.sock].",
        ),
        click.option(
            "--docker-image",
            default=None,
            help="Sandbox image for --backend docker (build it with scripts/sandbox-image) "
            "[default: perforch-sandbox:latest].",
        ),
        click.option(
            "--python",
            "python",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Interpreter that runs Python code under test "
            "[default: the one running perforch].",
        ),
        click.option(
            "--rustc",
            "rustc",
            type=click.Path(dir_okay=False, path_type=Path),
            default=None,
            help="Compiler that builds Rust code under test: a toolchain's bin/rustc or a "
            "rustup proxy [default: rustc on PATH, else in /usr/local/cargo/bin, /root/.cargo/bin, "
            "/usr/local/bin or /usr/bin].",
        ),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def settings_from(
    cache_dir: Path | None,
    backend: str,
    python: Path | None,
    docker_url: str | None = None,
    docker_image: str | None = None,
    rustc: Path | None = None,
) -> SandboxSettings:
    return SandboxSettings(
        cache_dir=(cache_dir or default_cache_dir()).resolve(),
        backend=backend,
        python=python or Path(sys.executable),
        docker_url=docker_url,
        docker_image=docker_image,
        rustc=rustc.absolute() if rustc else None,
    )
