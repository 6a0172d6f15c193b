"""Isolation backends, registered in one dict."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sandbox._errors import BackendUnavailableError
from sandbox.backends._namespace import NamespaceBackend
from sandbox.backends._protocol import Backend, BackendHealth, BackendOptions, Job, Mount

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendHealth",
    "BackendOptions",
    "Job",
    "Mount",
    "NamespaceBackend",
    "make_backend",
]


def _namespace_backend(options: BackendOptions) -> Backend:
    return NamespaceBackend()


def _docker_backend(options: BackendOptions) -> Backend:
    from sandbox.backends._docker import DockerBackend, DockerConfig

    config = DockerConfig()
    if options.docker_url:
        config = dataclasses.replace(config, base_url=options.docker_url)
    if options.docker_image:
        config = dataclasses.replace(config, image=options.docker_image)
    return DockerBackend(config)


# Factories, so that constructing the registry costs nothing and the docker SDK is imported
# only when the docker backend is chosen.
BACKENDS: dict[str, Callable[[BackendOptions], Backend]] = {
    "namespace": _namespace_backend,
    "docker": _docker_backend,
}


def make_backend(name: str, options: BackendOptions | None = None) -> Backend:
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise BackendUnavailableError(
            f"unknown sandbox backend {name!r}: choose one of {', '.join(sorted(BACKENDS))}"
        ) from None
    return factory(options or BackendOptions())
