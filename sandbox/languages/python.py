"""Python: code under test runs on the interpreter in ``Support.python`` (its packages included)."""

from __future__ import annotations

import functools
import os
import tempfile
from pathlib import Path

from sandbox._process import run_process
from sandbox.backends._protocol import Mount
from sandbox.languages._protocol import Program, Support, Toolchain
from sandbox.languages.drivers import driver_source

name = "python"
extensions: tuple[str, ...] = (".py",)

# The optional driver modes this driver has (see _protocol).
optional_modes: frozenset[str] = frozenset({"coverage", "cases"})
runs_machine_code = False
# The same hash seed for every run of either version, so set and dict-of-str iteration orders
# (and anything derived from them) cannot differ between old and new.
_ENV = {"PYTHONHASHSEED": "0", "PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"}


@functools.cache
def _interpreter(python: Path) -> tuple[str, tuple[Path, ...]] | str:
    """The interpreter's version and the directories it needs inside the sandbox, or a problem."""
    probe = (
        "import sys; print(sys.version.split()[0]); print(sys.prefix); "
        "print(sys.base_prefix); print(sys.executable)"
    )
    result = run_process(
        [str(python), "-c", probe],
        cwd=Path(tempfile.gettempdir()),
        env={"PATH": "/usr/bin:/bin"},
        timeout=30,
    )
    if not result.ok:
        return (
            f"cannot run {python}: {result.stderr.strip() or result.reason}; "
            "install Python 3.11+ or pass the interpreter to use"
        )
    version, prefix, base_prefix, executable = result.stdout.split("\n")[:4]
    roots = {Path(prefix), Path(base_prefix), Path(executable).resolve().parent.parent}
    return version, tuple(sorted(roots))


def _python(support: Support) -> str:
    # Normalised but not resolved: a venv's interpreter must stay the venv's symlink.
    return os.path.normpath(support.python)


def toolchain(support: Support) -> Toolchain:
    found = _interpreter(Path(_python(support)))
    if isinstance(found, str):
        return Toolchain(name, str(support.python), None, found)
    return Toolchain(name, str(support.python), found[0])


def _mounts(support: Support) -> tuple[Mount, ...]:
    found = _interpreter(Path(_python(support)))
    return () if isinstance(found, str) else tuple(Mount(path) for path in found[1])


def _version(support: Support) -> str:
    found = _interpreter(Path(_python(support)))
    return "missing" if isinstance(found, str) else found[0]


def test_program(source: str, tests: str, support: Support) -> Program:
    python = _python(support)
    return Program(
        language=name,
        files={"main.py": f"{source}\n\n{tests}\n"},
        build=((python, "-s", "-c", _SYNTAX_CHECK, "main.py"),),
        run=(python, "-s", "main.py"),
        env=_ENV,
        mounts=_mounts(support),
        cache_key_extra=f"{python} {_version(support)}",
    )


def driver_program(source: str, function: str, inputs: str, support: Support) -> Program:
    python = _python(support)
    return Program(
        language=name,
        files={
            "target.py": source,
            "inputs.py": inputs,
            "perforch_driver.py": driver_source("python_driver.py"),
        },
        build=((python, "-s", "-c", _COMPILE, "target.py", "inputs.py", "perforch_driver.py"),),
        # An import, so the driver's bytecode from the build is used (see _COMPILE); from -c
        # rather than -m, which imports runpy (~5 ms of every fresh process).
        run=(python, "-s", "-c", _RUN_DRIVER, function),
        env=_ENV,
        mounts=_mounts(support),
        cache_key_extra=f"{python} {_version(support)}",
    )


def paired_program(old: str, new: str, function: str, inputs: str, support: Support) -> Program:
    """Old, new and old again (a module of its own) in one build, for the ``paired`` mode that
    times them side by side in one process (drivers/python_paired.py)."""
    python = _python(support)
    files = {
        "target.py": old,
        "target_new.py": new,
        "target_copy.py": old,
        "inputs.py": inputs,
        "perforch_driver.py": driver_source("python_driver.py"),
        "perforch_paired.py": driver_source("python_paired.py"),
    }
    return Program(
        language=name,
        files=files,
        build=((python, "-s", "-c", _COMPILE, *files),),
        run=(python, "-s", "-c", _RUN_PAIRED, function),
        env=_ENV,
        mounts=_mounts(support),
        cache_key_extra=f"{python} {_version(support)}",
    )


def coverage_program(source: str, function: str, inputs: str, support: Support) -> Program:
    """The driver itself: its ``coverage`` mode traces the calls (sys.settrace), and a trace
    function set only there costs the timing modes nothing."""
    return driver_program(source, function, inputs, support)


def setup(support: Support) -> list[str]:
    found = _interpreter(Path(_python(support)))
    return [found] if isinstance(found, str) else []


_RUN_DRIVER = "import sys, perforch_driver; raise SystemExit(perforch_driver.main(sys.argv))"
_RUN_PAIRED = "import sys, perforch_paired; raise SystemExit(perforch_paired.main(sys.argv))"
# A syntax error is a build failure with the compiler's message, as in the compiled languages.
_SYNTAX_CHECK = (
    "import sys\n"
    "for path in sys.argv[1:]:\n"
    "    with open(path) as f: compile(f.read(), path, 'exec')\n"
)
# Then bytecode, written once at build time: every fresh process would otherwise compile the
# driver (~10 ms, about its whole timed warm-up) and the inputs again. Checked against a hash of
# the source, not its mtime, so copies made for a run (hard links, or a container's) still
# match; a stale or missing file is only compiled again, as it was without one.
_COMPILE = _SYNTAX_CHECK + (
    "import py_compile\n"
    "for path in sys.argv[1:]:\n"
    "    py_compile.compile(path, doraise=True,\n"
    "        invalidation_mode=py_compile.PycInvalidationMode.CHECKED_HASH)\n"
)
