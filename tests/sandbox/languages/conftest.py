"""Fixtures the language tests and their hostile-code tests share: each toolchain's one-time
setup (once per session), the Rust tests' executor, and a loopback server for hostile code to
try to reach."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from sandbox import Executor, Support
from sandbox.languages import cpp, go
from tests.sandbox.languages._rust_support import rust_executor


@pytest.fixture(scope="session")
def go_ready(support: Support) -> Support:
    assert go.setup(support) == []
    return support


@pytest.fixture(scope="session")
def cpp_ready(support: Support) -> Support:
    assert cpp.setup(support) == []
    return support


@pytest.fixture(scope="session")
def rust_session_executor(tmp_path_factory: pytest.TempPathFactory) -> Executor:
    """One executor for the Rust tests, its crates linked in (see _rust_support)."""
    return rust_executor(tmp_path_factory.mktemp("rust-cache"))


@pytest.fixture
def listener() -> Iterator[int]:
    """The port of a TCP server on loopback, for hostile code to try to reach."""
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]
