"""Hostile Java programs on every backend: each is contained and reported, and the next job
runs normally."""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from sandbox import RUN_LIMITS, Executor
from sandbox._failures import classify
from sandbox._limits import MIB, Limits
from sandbox.languages import java
from tests.sandbox.languages._java_support import SOLUTION, TESTS, run_main
from tests.support.hostile import connection_errors


def assert_next_job_runs(executor: Executor) -> None:
    built = executor.build(java.test_program(SOLUTION, TESTS, executor.support))
    assert classify(executor.run(built, [], RUN_LIMITS), "test") is None


def test_hostile_network_is_unreachable(hostile_executor: Executor, listener: int) -> None:
    body = """
        for (String target : new String[] {"127.0.0.1:" + args[0], "1.1.1.1:53", "8.8.8.8:443"}) {
            String[] parts = target.split(":");
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])), 10000);
                System.out.println("connected " + target);
            } catch (SocketTimeoutException e) {
                System.out.println("timed-out " + target);
            } catch (IOException e) {
                System.out.println("blocked " + parts[0] + ": " + e.getMessage());
            }
        }
        try {
            InetAddress.getByName("github.com");
            System.out.println("resolved");
        } catch (IOException e) {
            System.out.println("no-dns");
        }"""
    result = run_main(hostile_executor, body, RUN_LIMITS, str(listener))
    assert result.ok, result
    # Not the host's listener on loopback (the job's loopback is its own, or it cannot make a
    # socket at all), nothing else, and every attempt fails at once rather than by timing out.
    loopback, elsewhere = connection_errors(hostile_executor)
    assert result.stdout.splitlines() == [
        f"blocked 127.0.0.1: {loopback}",
        f"blocked 1.1.1.1: {elsewhere}",
        f"blocked 8.8.8.8: {elsewhere}",
        "no-dns",
    ], result.stdout
    assert_next_job_runs(hostile_executor)


def test_hostile_process_spawning_is_refused(hostile_executor: Executor) -> None:
    token = f"hostile-{uuid.uuid4().hex}"
    body = """
        int started = 0;
        try {
            for (; started < 1000; started++) {
                new ProcessBuilder("/bin/sh", "-c", "sleep 60", args[0]).start();
            }
            System.out.println("spawned " + started);
        } catch (IOException | OutOfMemoryError e) {  // the JVM needs a thread per child too
            System.out.println("refused " + started + " " + e);
        }"""
    limits = Limits(wall_seconds=60, cpu_seconds=30, max_processes=48)
    result = run_main(hostile_executor, body, limits, token)
    assert result.ok and result.stdout.startswith("refused "), result
    # The limit refused a child (fork: EAGAIN is errno 11) or a thread the JVM wanted for it.
    output = result.stdout + result.stderr
    assert "pthread_create failed (EAGAIN)" in output or "error=11" in output, output
    assert int(result.stdout.split()[1]) < 48
    assert not _processes_with(token), "children of the program outlived it"
    assert_next_job_runs(hostile_executor)


def test_hostile_allocation_past_the_memory_limit_is_stopped(hostile_executor: Executor) -> None:
    hog = "List<long[]> kept = new ArrayList<>();\nwhile (true) kept.add(new long[1 << 23]);"
    limits = Limits(wall_seconds=60, cpu_seconds=30, memory_bytes=512 * MIB)
    result = run_main(hostile_executor, hog, limits)
    failure = classify(result, "test")
    assert failure is not None and failure.kind == "out-of-memory", result
    # The heap is sized under the limit (from RLIMIT_AS, or from the container's cgroup limit
    # when there is none), so the JVM stops the program itself, saying why, before the kernel
    # would have to kill it.
    assert result.reason == "exited" and result.returncode == 1, result
    assert "java.lang.OutOfMemoryError: Java heap space" in result.stderr, result.stderr
    assert_next_job_runs(hostile_executor)


def _processes_with(token: str) -> list[Path]:
    """Host processes whose command line holds ``token``, after a short grace for the kernel to
    finish killing a namespace's processes."""
    deadline = time.monotonic() + 10
    while True:
        found = []
        for process in Path("/proc").iterdir():
            try:
                if process.name.isdigit() and token.encode() in (process / "cmdline").read_bytes():
                    found.append(process)
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_hostile_writes_stay_inside_the_working_directory(
    hostile_executor: Executor, tmp_path: Path
) -> None:
    token = uuid.uuid4().hex
    home = str(java.toolchain(hostile_executor.support).details["java_home"])
    body = """
        for (String dir : new String[] {"/etc", "/usr", "/", args[1], args[2], "/tmp", "."}) {
            try {
                Files.writeString(Paths.get(dir, "written-" + args[0]), "pwned");
                System.out.println("wrote " + dir);
            } catch (IOException e) {
                System.out.println("denied " + dir);
            }
        }"""
    result = run_main(hostile_executor, body, RUN_LIMITS, token, home, str(tmp_path))
    assert result.ok, result
    for place in ("/etc", "/usr", "/", home, str(tmp_path), "/tmp"):
        assert not Path(place, f"written-{token}").exists(), f"reached the host: {place}"
    for place in ("/etc", "/usr", "/", home, str(tmp_path)):
        assert f"denied {place}\n" in result.stdout, result.stdout
    assert "wrote .\n" in result.stdout
    assert_next_job_runs(hostile_executor)


def test_hostile_reads_find_no_secrets(
    hostile_executor: Executor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = f"ghp_FAKE{uuid.uuid4().hex}"
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    (tmp_path / "token.txt").write_text(secret)
    body = """
        System.out.println("env " + System.getenv());
        System.out.println("home " + System.getProperty("user.home"));
        for (String file : new String[] {args[0] + "/token.txt", "/proc/1/environ",
                "/root/.git-credentials", "/root/.ssh/id_rsa", "/etc/shadow",
                System.getProperty("user.home") + "/.netrc"}) {
            try {
                byte[] content = Files.readAllBytes(Paths.get(file));
                System.out.println("read " + file + " " + new String(content));
            } catch (IOException e) {
                System.out.println("unreadable " + file);
            }
        }"""
    result = run_main(hostile_executor, body, RUN_LIMITS, str(tmp_path))
    assert result.ok, result
    assert secret not in result.stdout + result.stderr
    assert "GITHUB_TOKEN" not in result.stdout and "OPENAI_API_KEY" not in result.stdout
    assert f"unreadable {tmp_path}/token.txt" in result.stdout
    assert os.environ["GITHUB_TOKEN"] == secret  # the host's own environment is untouched
    assert_next_job_runs(hostile_executor)


def test_hostile_sleep_forever_times_out(hostile_executor: Executor) -> None:
    body = 'System.out.println("sleeping");\nSystem.out.flush();\nThread.sleep(Long.MAX_VALUE);'
    result = run_main(hostile_executor, body, Limits(wall_seconds=5, cpu_seconds=20))
    failure = classify(result, "test")
    assert failure is not None and failure.kind == "timeout", result
    assert "sleeping" in result.stdout
    assert_next_job_runs(hostile_executor)


def test_hostile_stdout_flood_is_cut(hostile_executor: Executor) -> None:
    body = 'String block = "x".repeat(65536);\nwhile (true) System.out.print(block);'
    result = run_main(hostile_executor, body, Limits(wall_seconds=60, output_bytes=256 * 1024))
    failure = classify(result, "test")
    assert failure is not None and failure.kind == "output-limit", result
    assert 0 < len(result.stdout) <= 256 * 1024
    assert_next_job_runs(hostile_executor)
