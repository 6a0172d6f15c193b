from __future__ import annotations

import signal

from sandbox._failures import classify
from sandbox._process import ProcessResult


def result(returncode: int, stderr: str = "", reason: str = "exited") -> ProcessResult:
    return ProcessResult(("prog",), returncode, "", stderr, reason, 1.0, 0.5)


def test_success_is_not_a_failure() -> None:
    assert classify(result(0), "run") is None


def test_each_kind_is_named() -> None:
    assert classify(result(127, reason="not-found"), "build").kind == "missing-toolchain"
    assert classify(result(-9, reason="timeout"), "run").kind == "timeout"
    assert classify(result(-9, reason="output-limit"), "run").kind == "output-limit"
    assert classify(result(-signal.SIGXCPU, reason="signal"), "run").kind == "cpu-limit"
    assert classify(result(1, "error: expected ';'"), "build").kind == "compile-error"
    assert classify(result(1, "AssertionError"), "test").kind == "test-failed"
    assert classify(result(-11, reason="signal"), "test").kind == "crash"
    assert classify(result(2, "boom"), "run").kind == "driver-error"


def test_out_of_memory_is_recognised_in_every_runtime() -> None:
    for message in (
        "MemoryError",
        "terminate called after throwing an instance of 'std::bad_alloc'",
        "memory allocation of 8000000000 bytes failed",
        "fatal error: runtime: out of memory",
        'Exception in thread "main" java.lang.OutOfMemoryError: Java heap space',
    ):
        failure = classify(result(1, message), "run")
        assert failure is not None and failure.kind == "out-of-memory", message


def test_long_compiler_output_is_trimmed_keeping_both_ends() -> None:
    stderr = "first error\n" + "x" * 10_000 + "\nlast line"
    failure = classify(result(1, stderr), "build")
    assert failure is not None
    assert failure.message.startswith("first error")
    assert failure.message.endswith("last line")
    assert "characters cut" in failure.message
