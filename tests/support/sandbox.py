"""Shared sandbox fixtures' building blocks: real executors (namespace and landlock)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from sandbox import Executor, Support, make_backend
from sandbox._executor import Built
from sandbox.backends import LandlockBackend
from sandbox.backends._landlock import _closed_ancestor
from sandbox.languages import MIN_SAMPLE_NS
from sandbox.languages._protocol import Language
from sandbox.languages._rust_toolchain import find_tools

# The shortest sample a test accepts from a calibrated count. Samples are calibrated to ~1.2x
# MIN_SAMPLE_NS at the speed the machine ran then, and a shared VM's cores swing ~1.9x in speed
# for 0.1-1.5 s at a time (`perforch doctor` shows it): a count set in a slow spell gives
# ~0.63x in a fast one. A count that was never calibrated or raised gives far less.
SHORTEST_SAMPLE_NS = MIN_SAMPLE_NS // 2

# Language dependencies (Rust crates, Go modules) that scripts/bootstrap's `perforch setup`
# built: the tests reuse them instead of rebuilding them per session.
DEPS_DIR = Path.home() / ".cache" / "perforch" / "support"


def make_support(cache_dir: Path) -> Support:
    # The interpreter running the tests is the project's venv: it has numpy, which the
    # HumanEval-X Python harness imports.
    return Support(cache_dir=cache_dir, python=Path(sys.executable), deps_dir=DEPS_DIR)


def make_executor(cache_dir: Path, backend: str = "namespace") -> Executor:
    return Executor(make_backend(backend), make_support(cache_dir))


def open_to_others(path: Path) -> bool:
    """Whether the landlock backend's unprivileged run users may reach ``path``, by the
    backend's own rule (it refuses a job that needs a path under a closed directory)."""
    return _closed_ancestor(path) is None


def reachable_python() -> Path:
    """An interpreter the landlock backend's run users can reach: this one, unless it lives
    under a closed directory such as /root (pyenv), then Debian's (scripts/bootstrap installs
    it)."""
    for candidate in (Path(sys.executable).resolve(), Path("/usr/bin/python3")):
        if open_to_others(candidate):
            return candidate
    raise AssertionError("no interpreter outside closed directories: run scripts/bootstrap")


def make_landlock_executor(root: Path) -> Executor:
    """An executor over the landlock backend, everything it keeps under ``root`` (which others
    must be able to enter). Its dependency caches start empty: the shared ones live under the
    home directory, which its run users cannot enter."""
    support = Support(
        cache_dir=root / "cache",
        python=reachable_python(),
        deps_dir=root / "deps",
        rustc=reachable_rustc(root),
    )
    return Executor(LandlockBackend(root / "confine"), support)


def reachable_rustc(root: Path) -> Path | None:
    """A rustc the landlock backend's run users can reach: None (the usual lookup) when the
    toolchain found is open to them; else that toolchain's ``bin`` and ``lib`` hard-linked
    under ``root``, since rustup keeps it under the home directory, closed to them. Links
    copy nothing, but need ``root`` on the toolchain's filesystem; None when they cannot be
    made (the Rust tests then check that landlock refuses the closed toolchain)."""
    tools = find_tools()
    if isinstance(tools, str) or open_to_others(tools.rustc):
        return None
    try:
        return linked_toolchain(tools.sysroot, root / "rust-toolchain")
    except OSError:
        shutil.rmtree(root / "rust-toolchain", ignore_errors=True)
        return None


def linked_toolchain(sysroot: Path, destination: Path) -> Path:
    """A Rust toolchain's ``bin`` and ``lib`` (all rustc needs) hard-linked into
    ``destination``; its rustc."""
    for part in ("bin", "lib"):
        shutil.copytree(sysroot / part, destination / part, copy_function=os.link)
    return destination / "bin" / "rustc"


def per_pass_ns(records: Iterable[Mapping[str, Any]]) -> list[float]:
    """A bench run's samples as time per pass over the inputs. The driver raises the count it
    was given when a warm-up round is under the minimum sample time; its closing line says
    which count the samples used."""
    found = list(records)
    used = next(r["iterations"] for r in found if "peak_rss_kb" in r)
    return [r["ns"] / used for r in found if "ns" in r]


def built_driver(
    executor: Executor, language: Language, source: str, function: str, inputs: str
) -> Built:
    """``function``'s driver built in ``language``; the test fails with the build's errors."""
    built = executor.build(language.driver_program(source, function, inputs, executor.support))
    assert built.ok, built.failure and built.failure.stderr
    return built
