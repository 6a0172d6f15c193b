"""Rust: plain ``rustc`` from the toolchain's sysroot, with the crates ``setup`` prebuilt.

Tests are compiled like upstream HumanEval-X's ``cargo test`` (debug profile, ``--test``);
drivers like ``cargo build --release`` (opt-level 3). The file under test stays the crate root
(its private items and ``crate::`` paths work); the driver is appended as a child module.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from sandbox.backends._protocol import Mount
from sandbox.languages import _rust_glue, _rust_toolchain
from sandbox.languages._protocol import Program, Support, Toolchain
from sandbox.languages._rust_toolchain import CRATES, RustTools
from sandbox.languages.drivers import driver_source

name = "rust"
extensions = (".rs",)
# The optional driver modes this driver has (see _protocol).
optional_modes: frozenset[str] = frozenset({"coverage", "cases"})
# Versions are timed in processes of their own (see _protocol.Language.paired_program).
paired_program = None
runs_machine_code = True

EDITION = "2021"
_TESTS_BINARY = "perforch_tests"
_DRIVER_BINARY = "perforch_driver"
# Lints never fail a build (upstream code warns a lot: deprecated AsciiExt, unused imports).
_COMMON = ("--edition", EDITION, "--cap-lints", "allow", "-C", "debuginfo=0")
_TEST_FLAGS = ("--test", *_COMMON)
_DRIVER_FLAGS = (*_COMMON, "-C", "opt-level=3")
# The driver is declared at the end of the file under test; `no_main` goes in front of it, on
# the first line, so line numbers in compiler messages stay the file's own.
_NO_MAIN = "#![no_main] "
_DRIVER_HOOK = """

#[doc(hidden)]
#[allow(warnings)]
#[path = "perforch_driver.rs"]
mod __perforch_driver;
#[doc(hidden)]
#[allow(warnings)]
#[path = "perforch_call.rs"]
mod __perforch_call;
"""
# The coverage build: exact lines need each line's own code, so no optimisation.
_COVERAGE_FLAGS = (
    "--edition",
    EDITION,
    "--cap-lints",
    "allow",
    "-C",
    "debuginfo=line-tables-only",
    "-C",
    "opt-level=0",
)
COVERED = "perforch_covered.rs"
_VALGRIND = "/usr/bin/valgrind"
_VALGRIND_RESERVE = 1 << 30
_USES_CRATE = re.compile(r"\b(?:" + "|".join(CRATES) + r")\s*::")


def toolchain(support: Support) -> Toolchain:
    tools = _rust_toolchain.find_tools(support.rustc)
    if isinstance(tools, str):
        return Toolchain(name, "rustc", None, tools)
    crates = _rust_toolchain.crate_versions(support.dir_for(name))
    details = {
        "sysroot": str(tools.sysroot),
        "cargo": str(tools.cargo),
        "crates": crates or "not built yet: run `perforch setup`",
        "valgrind": _VALGRIND if Path(_VALGRIND).is_file() else "missing: no line coverage",
    }
    return Toolchain(name, str(tools.rustc), tools.version.removeprefix("rustc "), details=details)


def setup(support: Support) -> list[str]:
    tools = _rust_toolchain.find_tools(support.rustc)
    if isinstance(tools, str):
        return [tools]
    directory = support.dir_for(name)
    directory.mkdir(parents=True, exist_ok=True)
    return _rust_toolchain.build_crates(directory, tools)


def test_program(source: str, tests: str, support: Support) -> Program:
    """``source`` with ``tests`` (a ``#[cfg(test)] mod tests { #[test] fn ... }`` block)
    appended, built with ``rustc --test``; the harness exits non-zero when a test fails."""
    program = _program(
        {"main.rs": f"{source}\n\n{tests}\n"},
        "main.rs",
        _TEST_FLAGS,
        "debug",
        _TESTS_BINARY,
        source + tests,
        support,
    )
    if _rust_glue.has_tests(tests):
        return program
    return _failing(
        program,
        "the tests define no #[test] function outside comments, so "
        "nothing would be checked: write them as #[cfg(test)] mod tests { use "
        "super::*; #[test] fn works() { assert_eq!(...); } }",
    )


def driver_program(source: str, function: str, inputs: str, support: Support) -> Program:
    """The driver for ``function`` (``name``, ``Type::method`` or ``module::name``) called on
    the cases of ``perforch_inputs()`` in ``inputs`` (see the README for the form)."""
    files, problem = _driver_files(source, function, inputs)
    program = _program(
        files, "target.rs", _DRIVER_FLAGS, "release", _DRIVER_BINARY, source + inputs, support
    )
    return program if problem is None else _failing(program, problem)


def coverage_program(source: str, function: str, inputs: str, support: Support) -> Program:
    """The driver built apart for the ``coverage`` mode only: unoptimised, with line tables,
    the file under test under a name of its own (``COVERED``, how the profile is searched),
    and a small program (drivers/rust_coverage.rs) that runs it under valgrind's callgrind and
    reports the lines of that file that ran. The timing modes' build is untouched."""
    files, problem = _driver_files(source, function, inputs)
    files[COVERED] = files.pop("target.rs")
    files["perforch_coverage.rs"] = driver_source("rust_coverage.rs")
    program = _program(
        files, COVERED, _COVERAGE_FLAGS, "debug", _DRIVER_BINARY, source + inputs, support
    )
    tools = _rust_toolchain.find_tools(support.rustc)
    if isinstance(tools, str):
        return program  # its build says the toolchain is missing
    runner = (str(tools.rustc), *_COMMON, "perforch_coverage.rs", "-o", "perforch_coverage")
    program = replace(
        program,
        build=(*program.build, runner),
        run=("./perforch_coverage", _VALGRIND, COVERED),
        # valgrind keeps its own code and the program's translations beside the program.
        address_space_extra=_VALGRIND_RESERVE,
    )
    if problem is None and not Path(_VALGRIND).is_file():
        problem = f"{_VALGRIND} not found: line coverage needs valgrind (apt-get install valgrind)"
    return program if problem is None else _failing(program, problem)


def _driver_files(source: str, function: str, inputs: str) -> tuple[dict[str, str], str | None]:
    """The driver's files, and what is wrong with the function or inputs if anything."""
    problem: str | None = None
    try:
        glue = _rust_glue.glue(source, function, inputs)
    except _rust_glue.GlueError as exc:
        glue, problem = "", str(exc)
    files = {
        "target.rs": _NO_MAIN + source + _DRIVER_HOOK,
        "inputs.rs": inputs,
        "perforch_driver.rs": driver_source("rust_driver.rs"),
        "perforch_driver_render.rs": driver_source("rust_driver_render.rs"),
        "perforch_call.rs": glue,
    }
    return files, problem


def _program(
    files: dict[str, str],
    root: str,
    flags: tuple[str, ...],
    profile: str,
    binary: str,
    code: str,
    support: Support,
) -> Program:
    tools = _rust_toolchain.find_tools(support.rustc)
    if isinstance(tools, str):
        return _missing(files, tools)
    directory = support.dir_for(name)
    crates = _rust_toolchain.crates(directory, tools, profile)
    build: tuple[tuple[str, ...], ...] = (
        (str(tools.rustc), *flags, *(crates.flags() if crates else ()), root, "-o", binary),
    )
    if crates is None and _USES_CRATE.search(code):
        build = (
            _fail(
                f"the code uses the crates {', '.join(CRATES)}, which are not built "
                f"for {tools.version} yet: run `perforch setup` once (needs crates.io)"
            ),
            *build,
        )
    return Program(
        language=name,
        files=files,
        build=build,
        run=(f"./{binary}",),
        env=_env(tools),
        mounts=(Mount(tools.sysroot), *((Mount(crates.deps),) if crates else ())),
        cache_key_extra=f"{tools.version} {_rust_toolchain.crates_digest(directory)}",
    )


def _env(tools: RustTools) -> dict[str, str]:
    # PATH reaches cc (the linker driver) and the sysroot's tools; no backtraces in messages.
    return {"PATH": f"{tools.sysroot / 'bin'}:/usr/bin:/bin", "RUST_BACKTRACE": "0"}


def _failing(program: Program, problem: str) -> Program:
    """``program`` with a build that stops first, saying what is wrong."""
    return replace(program, build=(_fail(problem), *program.build))


def _missing(files: dict[str, str], problem: str) -> Program:
    """A program whose build reports the missing toolchain (the executor's verdict says so)."""
    return Program(language=name, files=files, build=(_fail(problem),), run=("false",))


def _fail(message: str) -> tuple[str, ...]:
    return ("/bin/sh", "-c", 'printf "perforch: %s\\n" "$1" >&2; exit 1', "perforch", message)
