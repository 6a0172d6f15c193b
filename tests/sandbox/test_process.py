from __future__ import annotations

import os
import time
from pathlib import Path

from sandbox._limits import MIB, Limits
from sandbox._process import run_process

ENV = {"PATH": "/usr/bin:/bin"}


def test_exit_code_and_both_streams_are_returned(tmp_path: Path) -> None:
    result = run_process(
        ["sh", "-c", "echo out; echo err >&2; exit 3"], cwd=tmp_path, env=ENV, timeout=10
    )
    assert (result.returncode, result.stdout, result.stderr) == (3, "out\n", "err\n")
    assert result.reason == "exited" and not result.ok


def test_timeout_kills_the_whole_process_group(tmp_path: Path) -> None:
    marker = tmp_path / "child.pid"
    result = run_process(
        ["sh", "-c", f"sleep 30 & echo $! > {marker}; wait"], cwd=tmp_path, env=ENV, timeout=0.5
    )
    assert result.reason == "timeout"
    assert result.wall_seconds < 5
    child = int(marker.read_text())
    # The background grandchild is gone too (killed with the group, then reaped by init). On a
    # busy machine it may still be runnable for a moment after the SIGKILL, on its way out.
    status = Path(f"/proc/{child}/status")
    deadline = time.monotonic() + 5
    while (state := _state(status)) not in ("gone", "Z"):
        assert time.monotonic() < deadline, f"the grandchild is still there: {state}"
        time.sleep(0.01)


def _state(status: Path) -> str:
    """The one-letter state in a /proc status file, or "gone" once the process is reaped."""
    try:
        text = status.read_text()
    except FileNotFoundError:
        return "gone"
    return text.split("State:\t", 1)[1][0]


def test_output_flood_is_stopped_and_capped(tmp_path: Path) -> None:
    result = run_process(["yes"], cwd=tmp_path, env=ENV, timeout=10, output_bytes=10_000)
    assert result.reason == "output-limit"
    assert result.output_truncated
    assert len(result.stdout) <= 10_000


def test_signal_is_reported_by_name(tmp_path: Path) -> None:
    result = run_process(["sh", "-c", "kill -SEGV $$"], cwd=tmp_path, env=ENV, timeout=10)
    assert result.reason == "signal"
    assert result.signal_name == "SIGSEGV"


def test_missing_program_is_a_result_not_an_exception(tmp_path: Path) -> None:
    result = run_process(["no-such-tool-perforch"], cwd=tmp_path, env=ENV, timeout=10)
    assert result.reason == "not-found"
    assert result.returncode == 127
    assert "no-such-tool-perforch" in result.stderr


def test_stdin_is_delivered(tmp_path: Path) -> None:
    result = run_process(["cat"], cwd=tmp_path, env=ENV, timeout=10, stdin=b"hello")
    assert result.stdout == "hello"


def test_environment_is_exactly_what_was_given(tmp_path: Path) -> None:
    result = run_process(
        ["env"], cwd=tmp_path, env={"PATH": "/usr/bin:/bin", "ONLY": "1"}, timeout=10
    )
    assert sorted(result.stdout.split()) == ["ONLY=1", "PATH=/usr/bin:/bin"]


def test_prlimit_prefix_applies_memory_and_file_size_limits(tmp_path: Path) -> None:
    limits = Limits(memory_bytes=64 * MIB, max_file_bytes=4096)
    big = run_process(
        [*limits.prlimit_argv(), "sh", "-c", "head -c 100000 /dev/zero > f"],
        cwd=tmp_path,
        env=ENV,
        timeout=10,
    )
    assert not big.ok
    assert (tmp_path / "f").stat().st_size == 4096
    probe = run_process(
        [*limits.prlimit_argv(), "sh", "-c", "ulimit -v"], cwd=tmp_path, env=ENV, timeout=10
    )
    assert probe.stdout.strip() == str(64 * 1024)


def test_cpu_time_of_the_command_is_measured(tmp_path: Path) -> None:
    result = run_process(
        ["sh", "-c", "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done"],
        cwd=tmp_path,
        env=ENV,
        timeout=30,
    )
    assert result.ok
    assert result.cpu_seconds > 0.05
    assert os.getpid() > 0
