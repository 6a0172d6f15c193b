from __future__ import annotations

import json
from pathlib import Path

import pytest

from perforch_bot.cli import main
from sandbox.languages._rust_toolchain import find_tools
from tests.support.podman import PodmanEngine
from tests.support.sandbox import linked_toolchain


def test_doctor_reports_every_language_and_backend(
    sandbox_cache: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    main(["doctor", "--json", "--cache-dir", str(sandbox_cache)])
    report = json.loads(capsys.readouterr().out)
    languages = {entry["language"]: entry for entry in report["languages"]}
    assert set(languages) == {"python", "java", "cpp", "go", "rust"}
    assert languages["python"]["ok"] and languages["python"]["version"].startswith("3.")
    backends = {entry["backend"]: entry for entry in report["backends"]}
    assert backends["namespace"]["works"]
    assert "network" in backends["namespace"]["isolation"]
    timing = report["timing"]
    assert timing["windows"] >= 10 and timing["slow_over_fast"] >= 1
    assert timing["detail"].startswith("steady" if timing["steady"] else "unsteady")


@pytest.mark.docker
def test_doctor_checks_the_docker_engine_it_is_pointed_at(
    sandbox_cache: Path, podman: PodmanEngine, capsys: pytest.CaptureFixture[str]
) -> None:
    common = ["doctor", "--json", "--cache-dir", str(sandbox_cache), "--docker-image", podman.image]
    main([*common, "--docker-url", podman.base_url])
    backends = {
        entry["backend"]: entry for entry in json.loads(capsys.readouterr().out)["backends"]
    }
    assert backends["docker"]["works"], backends["docker"]

    main([*common, "--docker-url", "unix:///nonexistent/docker.sock"])
    backends = {
        entry["backend"]: entry for entry in json.loads(capsys.readouterr().out)["backends"]
    }
    assert not backends["docker"]["works"]
    assert "/nonexistent/docker.sock" in backends["docker"]["detail"]


def test_doctor_checks_the_rustc_it_is_pointed_at(
    sandbox_cache: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    default = find_tools()
    assert not isinstance(default, str), default
    linked = linked_toolchain(default.sysroot, tmp_path / "toolchain")
    for rustc in (linked, tmp_path / "nowhere" / "rustc"):
        main(["doctor", "--json", "--cache-dir", str(sandbox_cache), "--rustc", str(rustc)])
        report = json.loads(capsys.readouterr().out)
        languages = {entry["language"]: entry for entry in report["languages"]}
        found = languages["rust"]
        if rustc == linked:
            assert found["ok"] and found["tool"] == str(linked), found
        else:
            assert not found["ok"] and f"rustc not found at {rustc}" in found["problem"], found


def test_doctor_table_is_readable(sandbox_cache: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["doctor", "--cache-dir", str(sandbox_cache)])
    out = capsys.readouterr().out
    assert "language" in out and "backend" in out and "namespace" in out
    assert "timing: " in out and "windows of 20 ms" in out


def test_unknown_command_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["frobnicate"]) == 2
    assert "No such command" in capsys.readouterr().err
