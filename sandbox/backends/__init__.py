"""Isolation backends, registered in one dict."""

from __future__ import annotations

from collections.abc import Callable

from sandbox._errors import BackendUnavailableError
from sandbox.backends._namespace import NamespaceBackend
from sandbox.backends._protocol import Backend, BackendHealth, Job, Mount

__all__ = [
    "BACKENDS",
    "Backend",
    "BackendHealth",
    "Job",
    "Mount",
    "NamespaceBackend",
    "make_backend",
]

# Factories, so that constructing the registry costs nothing and the docker SDK is imported
# only when the docker backend is chosen.
BACKENDS: dict[str, Callable[[], Backend]] = {
    "namespace": NamespaceBackend,
}


def make_backend(name: str) -> Backend:
    try:
        factory = BACKENDS[name]
    except KeyError:
        raise BackendUnavailableError(
            f"unknown sandbox backend {name!r}: choose one of {', '.join(sorted(BACKENDS))}"
        ) from None
    return factory()
