"""The one subprocess wrapper. Every command the sandbox starts goes through ``run_process``.

It runs the command in a new session (no pre-exec hook, which is unsafe with threads: rlimits
come from a ``prlimit`` prefix, see ``Limits.prlimit_argv``), caps what is kept of the output,
and on timeout or an output flood kills the whole process group. It never raises for anything
the command does: the result says what happened.
"""

from __future__ import annotations

import contextlib
import os
import resource
import selectors
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ExitReason = str  # "exited" | "signal" | "timeout" | "output-limit" | "not-found"


@dataclass(frozen=True)
class ProcessResult:
    """What a finished command did. ``returncode`` is -N when killed by signal N."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str
    reason: ExitReason
    wall_seconds: float
    cpu_seconds: float
    output_truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.reason == "exited" and self.returncode == 0

    @property
    def signal_name(self) -> str | None:
        if self.returncode >= 0:
            return None
        try:
            return signal.Signals(-self.returncode).name
        except ValueError:
            return f"signal {-self.returncode}"


def run_process(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    timeout: float,
    output_bytes: int = 4 * 1024 * 1024,
    stdin: bytes | None = None,
) -> ProcessResult:
    """Run ``argv`` to completion, within ``timeout`` seconds of wall time.

    Output beyond ``output_bytes`` (stdout and stderr together) kills the command: a program
    that floods its output is stopped, not buffered.
    """
    started = time.perf_counter()
    try:
        proc = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=dict(env),
            start_new_session=True,
            stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except (FileNotFoundError, PermissionError) as exc:
        return ProcessResult(
            tuple(argv), 127, "", f"{argv[0]}: {exc.strerror}", "not-found", 0.0, 0.0
        )
    if stdin is not None and proc.stdin is not None:
        with contextlib.suppress(BrokenPipeError):
            proc.stdin.write(stdin)
        proc.stdin.close()
    stdout, stderr, reason = _collect(proc, started + timeout, output_bytes)
    status, usage = _reap(proc.pid, started + timeout)
    if status is None:
        reason = "timeout"
        _kill_group(proc.pid)
        _, raw_status, usage = os.wait4(proc.pid, 0)
        status = raw_status
    elif reason != "exited":
        _kill_group(proc.pid)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if reason == "exited" and proc.returncode < 0:
        reason = "signal"
    return ProcessResult(
        argv=tuple(argv),
        returncode=proc.returncode,
        stdout=stdout.decode("utf-8", "replace"),
        stderr=stderr.decode("utf-8", "replace"),
        reason=reason,
        wall_seconds=time.perf_counter() - started,
        cpu_seconds=usage.ru_utime + usage.ru_stime,
        output_truncated=reason == "output-limit",
    )


def _collect(
    proc: subprocess.Popen[bytes], deadline: float, cap: int
) -> tuple[bytes, bytes, ExitReason]:
    """Read both pipes until they close, the deadline passes or the output exceeds ``cap``.

    On timeout or flood the whole group is killed here, so the pipes close and the caller can reap.
    """
    assert proc.stdout is not None and proc.stderr is not None
    out_fd, err_fd = proc.stdout.fileno(), proc.stderr.fileno()
    chunks: dict[int, bytearray] = {out_fd: bytearray(), err_fd: bytearray()}
    reason: ExitReason = "exited"
    total = 0
    with selectors.DefaultSelector() as selector:
        for fd in (out_fd, err_fd):
            os.set_blocking(fd, False)
            selector.register(fd, selectors.EVENT_READ)
        while selector.get_map() and reason == "exited":
            remaining = deadline - time.perf_counter()
            if remaining <= 0:
                reason = "timeout"
                break
            for key, _ in selector.select(timeout=min(remaining, 0.5)):
                data = os.read(key.fd, 65536)
                if not data:
                    selector.unregister(key.fd)
                    continue
                chunks[key.fd] += data[: max(0, cap - total)]
                total += len(data)
                if total > cap:
                    reason = "output-limit"
    if reason != "exited":
        _kill_group(proc.pid)
    proc.stdout.close()
    proc.stderr.close()
    return bytes(chunks[out_fd]), bytes(chunks[err_fd]), reason


def _reap(pid: int, deadline: float) -> tuple[int | None, resource.struct_rusage]:
    """Wait for ``pid`` until ``deadline``; the status is None if it is still running then.

    The rusage is the child's and its reaped descendants' (a child that closed its pipes early
    and kept running is still bounded by the same deadline).
    """
    delay = 0.0005
    while True:
        waited, status, usage = os.wait4(pid, os.WNOHANG)
        if waited == pid:
            return status, usage
        if time.perf_counter() >= deadline:
            return None, usage
        time.sleep(delay)
        delay = min(delay * 2, 0.05)


def _kill_group(pid: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, signal.SIGKILL)
