"""Hostile Rust code on every backend: each is contained and reported, and the next job runs
normally."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sandbox._executor import Executor
from sandbox._failures import classify
from sandbox._limits import Limits
from sandbox._process import ProcessResult
from sandbox.languages import _rust_toolchain, rust
from tests.support.hostile import assert_oom_killed, connection_errors, memory_limit_is_rlimit
from tests.support.sandbox import built_driver, open_to_others


@pytest.fixture(scope="session")
def executor(rust_session_executor: Executor) -> Executor:
    return rust_session_executor


@pytest.fixture
def hostile_executor(hostile_executor: Executor) -> Executor:
    """The shared one, but over the landlock backend only with a toolchain its run users can
    reach: rustup's default home is under the home directory, which is closed to them, and
    the landlock fixture links it elsewhere only where both share a filesystem."""
    tools = _rust_toolchain.find_tools(hostile_executor.support.rustc)
    assert not isinstance(tools, str), tools
    if hostile_executor.backend.name == "landlock" and not open_to_others(tools.rustc):
        program = rust.test_program("fn f() {}", "", hostile_executor.support)
        built = hostile_executor.build(program)
        assert built.failure is not None and "cannot enter" in built.failure.stderr, built
        pytest.skip(
            f"{tools.sysroot} is closed to other users here: the landlock backend "
            "refuses it, as checked (a container or /usr/local install is open)"
        )
    return hostile_executor


HOSTILE = """
use std::io::Write;

fn network(_: u8) -> String {
    match std::net::TcpStream::connect_timeout(
        &"1.1.1.1:80".parse().unwrap(), std::time::Duration::from_secs(2)) {
        Ok(_) => "CONNECTED".to_string(),
        Err(e) => format!("refused: {}", e),
    }
}

fn fork_bomb(_: u8) -> String {
    let mut children = Vec::new();
    for i in 0..10_000 {
        match std::process::Command::new("/bin/sleep").arg("30").spawn() {
            Ok(child) => children.push(child),
            Err(e) => return format!("stopped after {} processes: {}", i, e),
        }
    }
    "SPAWNED 10000".to_string()
}

fn allocate(_: u8) -> usize {
    let mut blocks: Vec<Vec<u8>> = Vec::new();
    for _ in 0..64 {
        blocks.push(vec![1u8; 256 << 20]);
    }
    blocks.iter().map(|b| b.len()).sum()
}

fn write_outside(_: u8) -> Vec<String> {
    ["/etc/perforch-owned", "/usr/perforch-owned", "/root/.cargo/perforch-owned",
     "/work/perforch-owned"].iter().map(|path| match std::fs::File::create(path) {
        Ok(_) => format!("WROTE {}", path),
        Err(e) => format!("{}: {}", path, e),
    }).collect()
}

fn secrets(_: u8) -> Vec<String> {
    let mut found: Vec<String> = std::env::vars().map(|(k, v)| format!("{}={}", k, v)).collect();
    let home = std::env::var("HOME").unwrap_or_default();
    for path in [format!("{}/.ssh/id_rsa", home), "/root/.ssh/id_rsa".to_string(),
                 "/root/.bash_history".to_string(), "/proc/1/environ".to_string()] {
        if let Ok(text) = std::fs::read_to_string(&path) {
            found.push(format!("{}: {}", path, text));
        }
    }
    found
}

fn sleep_forever(_: u8) -> u8 {
    std::thread::sleep(std::time::Duration::from_secs(3600));
    0
}

fn fine(x: u8) -> u8 {
    x * 2
}

fn flood(_: u8) -> u8 {
    let line = [b'x'; 1024];
    loop {
        let _ = std::io::stdout().write_all(&line);
    }
}
"""
ONE_CASE = "fn perforch_inputs() -> Vec<u8> {\n    vec![0]\n}\n"
SHORT = Limits(wall_seconds=10, cpu_seconds=10, memory_bytes=1 << 30, max_processes=32)


def hostile(executor: Executor, function: str, limits: Limits = SHORT) -> ProcessResult:
    return executor.run(
        built_driver(executor, rust, HOSTILE, function, ONE_CASE), ["outputs"], limits
    )


def result_of(run: ProcessResult) -> str:
    assert run.ok, run
    return str(json.loads(run.stdout.splitlines()[0])["result"])


def still_works(executor: Executor) -> None:
    """The next job after a hostile one runs normally."""
    inputs = "fn perforch_inputs() -> Vec<u8> {\n    vec![21]\n}\n"
    built = built_driver(executor, rust, HOSTILE, "fine", inputs)
    assert result_of(executor.run(built, ["outputs"], SHORT)) == "42"


def test_hostile_network_is_unreachable(hostile_executor: Executor) -> None:
    text = result_of(hostile(hostile_executor, "network"))
    assert text.startswith('"refused:') and connection_errors(hostile_executor)[1] in text, text
    still_works(hostile_executor)


def test_hostile_fork_bomb_hits_the_process_limit(hostile_executor: Executor) -> None:
    text = result_of(hostile(hostile_executor, "fork_bomb"))
    assert "stopped after" in text and "Resource temporarily unavailable" in text
    assert int(text.split("after ")[1].split()[0]) < SHORT.max_processes
    still_works(hostile_executor)


def test_hostile_allocation_stops_at_the_memory_limit(hostile_executor: Executor) -> None:
    result = hostile(hostile_executor, "allocate")
    failure = classify(result, "run")
    assert failure is not None and failure.kind == "out-of-memory", failure
    if memory_limit_is_rlimit(hostile_executor):  # RLIMIT_AS: the allocator fails, aborts
        assert result.reason == "signal" and result.returncode == -6, result
        assert f"memory allocation of {256 << 20} bytes failed" in result.stderr, result.stderr
    else:  # the cgroup limit: the kernel kills it
        assert_oom_killed(result, SHORT.memory_bytes)
    still_works(hostile_executor)


def test_hostile_writes_outside_the_workdir_fail(hostile_executor: Executor) -> None:
    text = result_of(hostile(hostile_executor, "write_outside"))
    assert (
        "WROTE" not in text
        and text.count("Read-only file system")
        + text.count("No such file or directory")
        + text.count("Permission denied")
        == 4
    ), text
    for place in ("/etc", "/usr", "/root/.cargo", "/work"):
        assert not Path(place, "perforch-owned").exists(), f"reached the host: {place}"
    still_works(hostile_executor)


def test_hostile_code_sees_no_secrets(
    hostile_executor: Executor, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GITHUB_TOKEN", "ghp_perforch_test_secret")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-perforch-test-secret")
    text = result_of(hostile(hostile_executor, "secrets"))
    assert "perforch_test_secret" not in text and "perforch-test-secret" not in text
    assert "GITHUB_TOKEN" not in text and "OPENAI_API_KEY" not in text
    assert "id_rsa:" not in text and "bash_history:" not in text and "HOME=" in text
    still_works(hostile_executor)


def test_hostile_sleep_is_stopped_by_the_wall_timeout(hostile_executor: Executor) -> None:
    result = hostile(hostile_executor, "sleep_forever", SHORT.with_wall(2))
    failure = classify(result, "run")
    assert failure is not None and failure.kind == "timeout", result
    assert result.wall_seconds < 10
    still_works(hostile_executor)


def test_hostile_output_flood_is_cut(hostile_executor: Executor) -> None:
    result = hostile(hostile_executor, "flood")
    failure = classify(result, "run")
    assert failure is not None and failure.kind == "output-limit", result.reason
    # The driver sends what the function prints to stderr (stdout carries its records).
    assert "x" * 1024 in result.stderr
    assert len(result.stdout) + len(result.stderr) <= SHORT.output_bytes
    still_works(hostile_executor)
