"""Isolation backends, registered in one dict."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from sandbox._errors import BackendUnavailableError
from sandbox.backends._landlock import LandlockBackend
from sandbox.backends._namespace import NamespaceBackend
from sandbox.backends._protocol import Backend, BackendHealth, BackendOptions, Job, Mount

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendHealth",
    "BackendOptions",
    "Job",
    "LandlockBackend",
    "Mount",
    "NamespaceBackend",
    "choose_backend",
    "make_backend",
]


def _namespace_backend(options: BackendOptions) -> Backend:
    return NamespaceBackend()


def _landlock_backend(options: BackendOptions) -> Backend:
    return LandlockBackend(options.cache_dir / "confine" if options.cache_dir else None)


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
    "landlock": _landlock_backend,
    "docker": _docker_backend,
}
# What "auto" tries, in order: namespaces where the machine allows them, else Landlock (a
# container under Docker's default seccomp profile, such as the Action's, allows no namespace).
AUTO = ("namespace", "landlock")


def make_backend(name: str, options: BackendOptions | None = None) -> Backend:
    """The backend called ``name``, or with ``auto`` the first of AUTO that works here."""
    if name == "auto":
        return choose_backend(options or BackendOptions())
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise BackendUnavailableError(
            f"unknown sandbox backend {name!r}: choose one of auto, {', '.join(sorted(BACKENDS))}"
        ) from None
    return factory(options or BackendOptions())


def choose_backend(options: BackendOptions) -> Backend:
    """The first backend of AUTO whose health check passes; none: an error with each reason."""
    reasons = []
    for name in AUTO:
        backend = BACKENDS[name](options)
        health = backend.health()
        if health.works:
            return backend
        reasons.append(f"{name}: {health.detail}")
    raise BackendUnavailableError(
        "no sandbox backend works here (" + "; ".join(reasons) + "): install bubblewrap, or "
        "run as root with a kernel that has Landlock (5.13+) and a C compiler, or use "
        "--backend docker with a container engine"
    )
