"""Reading a container's output from the Docker API's attach stream.

Without a TTY the stream multiplexes stdout and stderr in frames: an 8-byte header (stream
number, three zero bytes, big-endian payload size) and the payload.
"""

from __future__ import annotations

import contextlib
import select
import socket
import time
from dataclasses import dataclass, field

from sandbox._process import ExitReason


@dataclass
class Streams:
    """Output read from the attach stream so far, in arrival order, up to ``budget`` bytes."""

    budget: int
    stdout: bytearray = field(default_factory=bytearray)
    stderr: bytearray = field(default_factory=bytearray)
    total: int = 0

    def add(self, stream: int, payload: bytes) -> bool:
        """Keep ``payload``; False once the total passes the budget."""
        target = self.stderr if stream == 2 else self.stdout
        target += payload[: max(0, self.budget - self.total)]
        self.total += len(payload)
        return self.total <= self.budget


def read_frames(sock: socket.socket, streams: Streams, deadline: float) -> ExitReason:
    """Demultiplex the attach stream (8-byte headers: stream, 0, 0, 0, big-endian size)."""
    pending = b""
    while True:
        remaining = deadline - time.perf_counter()
        if remaining <= 0:
            return "timeout"
        ready, _, _ = select.select([sock], [], [], min(remaining, 0.5))
        if not ready:
            continue
        data = sock.recv(65536)
        if not data:
            return "exited"
        pending += data
        while len(pending) >= 8:
            size = int.from_bytes(pending[4:8], "big")
            if len(pending) < 8 + size:
                break
            if not streams.add(pending[0], pending[8 : 8 + size]):
                return "output-limit"
            pending = pending[8 + size :]


def drain(sock: socket.socket) -> None:
    """Read and drop the rest of the stream (see DockerBackend._run for why)."""
    with contextlib.suppress(OSError):
        while sock.recv(65536):
            pass
