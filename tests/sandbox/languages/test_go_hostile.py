"""Hostile Go code on every backend: each is contained and reported, and the next job runs
normally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox import Executor, Limits
from sandbox._failures import classify
from sandbox.languages import go
from tests.support.hostile import assert_oom_killed, connection_errors, memory_limit_is_rlimit
from tests.support.sandbox import built_driver

pytestmark = pytest.mark.usefixtures("go_ready")


HOSTILE = """package main

import (
\t"fmt"
\t"net"
\t"os"
\t"os/exec"
\t"strings"
\t"time"
)

func Connect() string {
\tconn, err := net.DialTimeout("tcp", "1.1.1.1:80", 3*time.Second)
\tif err != nil {
\t\treturn "blocked: " + err.Error()
\t}
\tconn.Close()
\treturn "connected"
}

func Spawn() string {
\tfor n := 0; n < 5000; n++ {
\t\tif err := exec.Command("/bin/sleep", "60").Start(); err != nil {
\t\t\treturn fmt.Sprintf("stopped after %d: %v", n, err)
\t\t}
\t}
\treturn "spawned 5000"
}

func Hog() int {
\tvar kept [][]byte
\tfor i := 0; i < 64; i++ {
\t\tchunk := make([]byte, 256<<20)
\t\tfor j := range chunk {
\t\t\tchunk[j] = 1
\t\t}
\t\tkept = append(kept, chunk)
\t}
\treturn len(kept)
}

func Escape(paths []string) []string {
\tvar refused []string
\tfor _, path := range paths {
\t\tif err := os.WriteFile(path, []byte("pwned"), 0o644); err != nil {
\t\t\trefused = append(refused, "refused")
\t\t} else {
\t\t\trefused = append(refused, "WROTE "+path)
\t\t}
\t}
\treturn refused
}

func Snoop(path string) string {
\tsecrets := []string{}
\tfor _, entry := range os.Environ() {
\t\tif strings.Contains(entry, "hunter2") {
\t\t\tsecrets = append(secrets, entry)
\t\t}
\t}
\tif data, err := os.ReadFile(path); err == nil {
\t\tsecrets = append(secrets, string(data))
\t}
\tfor _, name := range []string{"/root/.ssh/id_rsa", "/root/.bash_history", "/etc/shadow"} {
\t\tif _, err := os.ReadFile(name); err == nil {
\t\t\tsecrets = append(secrets, name)
\t\t}
\t}
\treturn strings.Join(secrets, ";")
}

func Sleep() int {
\ttime.Sleep(time.Hour)
\treturn 0
}

func Flood() int {
\tline := strings.Repeat("y", 1000) + "\\n"
\tfor {
\t\tos.Stdout.WriteString(line)
\t}
}

func Fine(x int) int { return x * 2 }
"""


def hostile(
    executor: Executor, function: str, cases: str = "{}", limits: Limits | None = None
) -> tuple[list[dict[str, Any]], Any]:
    inputs = f"package main\n\nvar perforchInputs = [][]any{{{cases}}}\n"
    result = executor.run(
        built_driver(executor, go, HOSTILE, function, inputs),
        ["outputs"],
        limits or Limits(wall_seconds=30),
    )
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return records, result


def still_works(executor: Executor) -> None:
    records, result = hostile(executor, "Fine", "{21}")
    assert result.ok and records[0]["result"] == "42"


def test_network_is_unreachable(hostile_executor: Executor) -> None:
    records, result = hostile(hostile_executor, "Connect")
    assert result.ok
    assert records[0]["result"].startswith('"blocked: ')
    assert connection_errors(hostile_executor)[1].lower() in records[0]["result"]
    still_works(hostile_executor)


def test_spawning_processes_stops_at_the_process_limit(hostile_executor: Executor) -> None:
    records, result = hostile(
        hostile_executor, "Spawn", limits=Limits(wall_seconds=30, max_processes=32)
    )
    assert result.wall_seconds < 25
    if result.ok:  # os/exec saw the limit
        assert records[0]["result"].startswith('"stopped after ')
        assert "resource temporarily unavailable" in records[0]["result"]
        assert int(records[0]["result"].split()[2].rstrip(":")) < 32
    else:  # or the runtime could not start a thread and gave up
        assert "resource temporarily unavailable" in result.stderr or "thread" in result.stderr
    still_works(hostile_executor)


def test_allocating_past_the_memory_limit_is_stopped(hostile_executor: Executor) -> None:
    _records, result = hostile(hostile_executor, "Hog")
    failure = classify(result, "run")
    assert failure is not None and failure.kind == "out-of-memory", result.stderr[-500:]
    if memory_limit_is_rlimit(hostile_executor):  # RLIMIT_AS: the runtime cannot map more
        assert "runtime: out of memory: cannot allocate" in result.stderr, result.stderr[-500:]
    else:
        # The cgroup limit: the kernel kills it. Not pinned to a size: the container's limit is
        # the address-space allowance the executor gives Go programs (limit + 1.5 GiB).
        assert_oom_killed(result, None)
    still_works(hostile_executor)


def test_writes_outside_the_working_directory_are_refused(
    hostile_executor: Executor, tmp_path: Path
) -> None:
    gocache = hostile_executor.support.dir_for("go") / "gocache" / "pwned"
    targets = [
        str(tmp_path / "pwned"),
        "/usr/local/go/pwned",
        "/etc/pwned",
        str(gocache),
        str(hostile_executor.support.cache_dir / "pwned"),
    ]
    records, result = hostile(
        hostile_executor, "Escape", "{[]string{" + ", ".join(json.dumps(t) for t in targets) + "}}"
    )
    assert result.ok
    assert records[0]["result"] == "[" + ", ".join(['"refused"'] * len(targets)) + "]"
    assert not any(Path(t).exists() for t in targets)
    still_works(hostile_executor)


def test_secrets_in_the_environment_and_files_stay_hidden(
    hostile_executor: Executor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "hunter2")
    monkeypatch.setenv("OPENAI_API_KEY", "hunter2")
    secret = tmp_path / "token.txt"
    secret.write_text("hunter2")
    records, result = hostile(hostile_executor, "Snoop", "{" + json.dumps(str(secret)) + "}")
    assert result.ok
    assert records[0]["result"] == '""'
    still_works(hostile_executor)


def test_sleeping_forever_times_out(hostile_executor: Executor) -> None:
    _records, result = hostile(hostile_executor, "Sleep", limits=Limits(wall_seconds=3))
    failure = classify(result, "run")
    assert failure is not None and failure.kind == "timeout"
    assert result.wall_seconds < 10
    still_works(hostile_executor)


def test_flooding_stdout_is_cut_off(hostile_executor: Executor) -> None:
    _records, result = hostile(
        hostile_executor, "Flood", limits=Limits(wall_seconds=30, output_bytes=1 << 20)
    )
    failure = classify(result, "run")
    assert failure is not None and failure.kind == "output-limit"
    still_works(hostile_executor)
