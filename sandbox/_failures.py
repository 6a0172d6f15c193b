"""Turns a command that did not succeed into a structured, plain-language failure."""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass
from typing import Literal

from sandbox._process import ProcessResult

FailureKind = Literal[
    "missing-toolchain",
    "compile-error",
    "test-failed",
    "timeout",
    "cpu-limit",
    "out-of-memory",
    "output-limit",
    "crash",
    "driver-error",
]

# How each runtime says it ran out of memory under RLIMIT_AS / a container limit.
_OOM = re.compile(
    r"MemoryError|std::bad_alloc|memory allocation of \d+ bytes failed|"
    r"runtime: out of memory|OutOfMemoryError|Cannot allocate memory|out of memory",
)
_MAX_MESSAGE = 2000


@dataclass(frozen=True)
class Failure:
    kind: FailureKind
    message: str
    returncode: int | None = None

    def describe(self) -> str:
        return f"{self.kind}: {self.message}"


def classify(result: ProcessResult, stage: Literal["build", "test", "run"]) -> Failure | None:
    """None when ``result`` succeeded; otherwise what went wrong, with the useful output."""
    if result.ok:
        return None
    output = _tail(result.stderr.strip() or result.stdout.strip())
    if result.reason == "not-found":
        return Failure("missing-toolchain", f"{result.argv[0]} is not installed ({output})", 127)
    if result.reason == "timeout":
        return Failure(
            "timeout",
            f"stopped after {result.wall_seconds:.1f} s of wall time"
            + (f"; last output: {output}" if output else ""),
        )
    if result.reason == "output-limit":
        return Failure("output-limit", "stopped: it wrote more output than the limit allows")
    signal_number = _signal_of(result.returncode)
    if signal_number == signal.SIGXCPU:
        return Failure("cpu-limit", "stopped: it used up its CPU-time limit", result.returncode)
    if _OOM.search(result.stderr) or _OOM.search(result.stdout[-4000:]):
        return Failure(
            "out-of-memory", f"ran out of memory under its limit: {output}", result.returncode
        )
    if stage == "build":
        return Failure(
            "compile-error", output or f"build exited with {result.returncode}", result.returncode
        )
    if signal_number is not None:
        name = _signal_name(signal_number)
        return Failure(
            "crash", f"killed by {name}" + (f": {output}" if output else ""), result.returncode
        )
    if stage == "test":
        return Failure(
            "test-failed", output or f"tests exited with {result.returncode}", result.returncode
        )
    return Failure("driver-error", output or f"exited with {result.returncode}", result.returncode)


def _signal_of(returncode: int) -> int | None:
    """The signal that ended the program: negative codes come from our own wait; 128+N is how
    the sandbox's launchers (bwrap, shells, container runtimes) pass a child's death on."""
    if returncode < 0:
        return -returncode
    if 128 < returncode <= 128 + 64:
        return returncode - 128
    return None


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


def _tail(text: str) -> str:
    """Compiler and test output can be long: keep the start (first error) and the end."""
    if len(text) <= _MAX_MESSAGE:
        return text
    half = _MAX_MESSAGE // 2
    return f"{text[:half]}\n… ({len(text) - _MAX_MESSAGE} characters cut) …\n{text[-half:]}"
