"""Hostile C++ code on every backend: each is contained and reported, and the next job runs
normally."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox import Executor, Limits, ProcessResult
from sandbox._failures import classify
from sandbox._limits import MIB
from sandbox.languages import cpp
from tests.support.hostile import assert_oom_killed, connection_errors, memory_limit_is_rlimit
from tests.support.sandbox import built_driver

pytestmark = pytest.mark.usefixtures("cpp_ready")


HOSTILE = r"""
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

std::string connect_to(const std::string& address, int port) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) return std::string("blocked: ") + std::strerror(errno);
    sockaddr_in target{};
    target.sin_family = AF_INET;
    target.sin_port = htons(port);
    inet_pton(AF_INET, address.c_str(), &target.sin_addr);
    int done = connect(fd, reinterpret_cast<sockaddr*>(&target), sizeof target);
    std::string outcome = done == 0 ? "connected" : std::string("blocked: ") + std::strerror(errno);
    close(fd);
    return outcome;
}

std::string spawn() {
    for (int n = 0; n < 5000; ++n) {
        pid_t child = fork();
        if (child == 0) { sleep(60); _exit(0); }
        if (child < 0) return "stopped after " + std::to_string(n) + ": " + std::strerror(errno);
    }
    return "spawned 5000";
}

void fork_bomb() { while (true) fork(); }

size_t hog() {
    std::vector<std::vector<char>> kept;
    for (int i = 0; i < 64; ++i) kept.emplace_back(256u << 20, 1);
    return kept.size();
}

std::vector<std::string> escape(const std::vector<std::string>& paths) {
    std::vector<std::string> outcome;
    for (const auto& path : paths) {
        int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        outcome.push_back(fd < 0 ? "refused" : "WROTE " + path);
        if (fd >= 0) close(fd);
    }
    return outcome;
}

extern char** environ;
std::string snoop(const std::string& path) {
    std::string found;
    for (char** entry = environ; *entry; ++entry)
        if (std::strstr(*entry, "hunter2")) found += *entry;
    std::vector<std::string> names{path, "/root/.ssh/id_rsa", "/root/.bash_history", "/etc/shadow"};
    for (const std::string& name : names) {
        std::ifstream file(name);
        if (file) { std::stringstream text; text << file.rdbuf(); found += name + text.str(); }
    }
    return found;
}

int sleep_forever() { std::this_thread::sleep_for(std::chrono::hours(1)); return 0; }

int flood() {
    std::string line(1000, 'y');
    line += '\n';
    while (true) std::fwrite(line.data(), 1, line.size(), stdout);
}

int fine(int x) { return x * 2; }
"""


def hostile(
    executor: Executor, function: str, calls: str = "call();", limits: Limits | None = None
) -> tuple[list[dict[str, Any]], ProcessResult]:
    inputs = f"template <class Call> void perforch_inputs(Call&& call) {{\n{calls}\n}}\n"
    result = executor.run(
        built_driver(executor, cpp, HOSTILE, function, inputs),
        ["outputs"],
        limits or Limits(wall_seconds=30),
    )
    records = [json.loads(line) for line in result.stdout.splitlines() if line.startswith("{")]
    return records, result


def still_works(executor: Executor) -> None:
    records, result = hostile(executor, "fine", "call(21);")
    assert result.ok and records[0]["result"] == "42"


def test_network_is_unreachable(hostile_executor: Executor, listener: int) -> None:
    calls = f'call("127.0.0.1", {listener});\ncall("1.1.1.1", 53);\ncall("8.8.8.8", 443);'
    records, result = hostile(hostile_executor, "connect_to", calls)
    assert result.ok
    # Not the host's listener on loopback (the job's loopback is its own, or it cannot make a
    # socket at all), and nothing else.
    loopback, elsewhere = connection_errors(hostile_executor)
    assert [r["result"] for r in records[:3]] == [
        f'"blocked: {loopback}"',
        f'"blocked: {elsewhere}"',
        f'"blocked: {elsewhere}"',
    ]
    still_works(hostile_executor)


def test_spawning_processes_stops_at_the_process_limit(hostile_executor: Executor) -> None:
    records, result = hostile(
        hostile_executor, "spawn", limits=Limits(wall_seconds=30, max_processes=32)
    )
    assert result.ok and result.wall_seconds < 25
    assert records[0]["result"].startswith('"stopped after ')
    assert "Resource temporarily unavailable" in records[0]["result"]
    assert int(records[0]["result"].split()[2].rstrip(":")) < 32
    still_works(hostile_executor)


def test_a_fork_bomb_is_stopped_by_the_wall_timeout(hostile_executor: Executor) -> None:
    _records, result = hostile(
        hostile_executor, "fork_bomb", limits=Limits(wall_seconds=3, max_processes=32)
    )
    failure = classify(result, "run")
    assert failure is not None and failure.kind == "timeout"
    assert result.wall_seconds < 10
    still_works(hostile_executor)


def test_allocating_past_the_memory_limit_is_stopped(hostile_executor: Executor) -> None:
    limits = Limits(memory_bytes=512 * MIB)
    records, result = hostile(hostile_executor, "hog", limits=limits)
    if memory_limit_is_rlimit(hostile_executor):
        # RLIMIT_AS: the allocation fails, and the driver reports bad_alloc as the outcome.
        assert result.ok, result
        assert records[0] == {"case": 0, "error": "std::bad_alloc: std::bad_alloc"}
    else:  # the cgroup limit: the kernel's OOM killer ends the job, and the backend says so
        assert_oom_killed(result, limits.memory_bytes)
    tests = "int main() { return (int)hog(); }\n"
    built = hostile_executor.build(cpp.test_program(HOSTILE, tests, hostile_executor.support))
    failure = classify(hostile_executor.run(built, [], limits), "test")
    assert failure is not None and failure.kind == "out-of-memory", failure
    still_works(hostile_executor)


def test_writes_outside_the_working_directory_are_refused(
    hostile_executor: Executor, tmp_path: Path
) -> None:
    # The precompiled header's directory, mounted for builds (the language's support directory
    # when `perforch setup` has not built one for this support: made here, so that a refusal
    # there is the sandbox's and not a missing directory's).
    header = Path(cpp.toolchain(hostile_executor.support).details["precompiled_header"])
    shared = header.parent if header.is_absolute() else hostile_executor.support.dir_for("cpp")
    shared.mkdir(parents=True, exist_ok=True)
    targets = [
        str(tmp_path / "pwned"),
        "/usr/pwned",
        "/etc/pwned",
        str(shared / "pwned"),
        str(hostile_executor.support.cache_dir / "pwned"),
    ]
    calls = "call({" + ", ".join(json.dumps(t) for t in targets) + "});"
    records, result = hostile(hostile_executor, "escape", calls)
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
    records, result = hostile(hostile_executor, "snoop", f"call({json.dumps(str(secret))});")
    assert result.ok
    assert records[0]["result"] == '""'
    still_works(hostile_executor)


def test_sleeping_forever_times_out(hostile_executor: Executor) -> None:
    _records, result = hostile(hostile_executor, "sleep_forever", limits=Limits(wall_seconds=3))
    failure = classify(result, "run")
    assert failure is not None and failure.kind == "timeout"
    assert result.wall_seconds < 10
    still_works(hostile_executor)


def test_flooding_stdout_is_cut_off(hostile_executor: Executor) -> None:
    _records, result = hostile(
        hostile_executor, "flood", limits=Limits(wall_seconds=30, output_bytes=1 << 20)
    )
    failure = classify(result, "run")
    assert failure is not None and failure.kind == "output-limit"
    still_works(hostile_executor)
