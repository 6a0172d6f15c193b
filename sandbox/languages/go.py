"""Go: programs built with the host's Go toolchain, offline.

``setup`` fetches testify (HumanEval-X's tests use it) into a module cache under
``support.dir_for("go")`` once, through the Go module proxy, and compiles the standard library
and testify into a shared build cache (GOCACHE) there; builds then run in the sandbox without
network, as the trusted build user, with that cache writable. Drivers (``go build``) are
generated per target: typed argument and result structs and a direct call (``_go_glue``)
around the fixed driver in ``drivers/go_driver*.go``. Test programs are built by the compiler
and linker directly when they can be (``_go_testbuild``), otherwise with ``go test -c``.
"""

from __future__ import annotations

import functools
import json
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sandbox._limits import GIB, RUN_LIMITS
from sandbox._process import run_process
from sandbox.backends._namespace import BUILD_UID
from sandbox.backends._protocol import Mount
from sandbox.languages import _go_glue, _go_testbuild
from sandbox.languages._go_source import (
    SourceError,
    as_package,
    find_target,
    inputs_kind,
    package_name,
    rename_main,
)
from sandbox.languages._protocol import Program, Support, Toolchain
from sandbox.languages.drivers import driver_source

name = "go"
extensions = (".go",)
# The optional driver modes this driver has (see _protocol).
optional_modes: frozenset[str] = frozenset({"coverage", "cases"})
# Versions are timed in processes of their own (see _protocol.Language.paired_program).
paired_program = None
runs_machine_code = True

# Where Go is looked for: the go.dev tarball's place, then Debian's golang-go.
_CANDIDATES = (Path("/usr/local/go/bin/go"), Path("/usr/lib/go/bin/go"), Path("/usr/bin/go"))
_MINIMUM = (1, 22)  # the driver uses range-over-int and reflect.TypeFor
_INSTALL = (
    "install Go 1.22 or newer: unpack the go.dev/dl tarball into /usr/local/go "
    "(or apt-get install golang-go on a recent Debian)"
)
TESTIFY = "github.com/stretchr/testify"
TESTIFY_VERSION = "v1.8.0"  # what upstream HumanEval-X pins
# The runtime reserves about 1.2 GiB of address space before the program allocates anything,
# so Go programs get this much on top of the usual memory limit; GOMEMLIMIT makes the
# collector work hard before that limit is reached, and RLIMIT_AS still stops a real excess.
_RUNTIME_RESERVE = 3 * GIB // 2
_BUILD_FLAGS = ("-ldflags=-s -w",)  # no symbol tables: links faster; code is the same
_DRIVER_MODULE = "perforch.local/driver"
# The fixed driver, one concern per file: protocol and timing, argument copies, canonical text.
_DRIVER_PARTS = ("driver", "driver_copy", "driver_render")


@dataclass(frozen=True)
class _Go:
    binary: Path
    root: Path
    tools: Path  # GOTOOLDIR: compile, link
    version: str  # "go1.26.8"

    @property
    def language(self) -> str:
        return ".".join(self.version.removeprefix("go").split(".")[:2])


@functools.cache
def _find() -> _Go | str:
    for candidate in _CANDIDATES:
        if not candidate.exists():
            continue
        result = run_process(
            [str(candidate), "env", "GOROOT", "GOVERSION", "GOTOOLDIR"],
            cwd=Path(tempfile.gettempdir()),
            env={
                "PATH": "/usr/bin:/bin",
                "GOTOOLCHAIN": "local",
                "GOENV": "off",
                "HOME": tempfile.gettempdir(),
            },
            timeout=60,
        )
        lines = result.stdout.split()
        if not result.ok or len(lines) < 3:
            return (
                f"{candidate} does not run ({result.stderr.strip() or result.reason}); {_INSTALL}"
            )
        version = lines[1]
        found = re.match(r"go(\d+)\.(\d+)", version)
        if found is None or (int(found.group(1)), int(found.group(2))) < _MINIMUM:
            return f"{candidate} is {version}, too old; {_INSTALL}"
        return _Go(candidate, Path(lines[0]).resolve(), Path(lines[2]).resolve(), version)
    return f"go not found (looked for {', '.join(map(str, _CANDIDATES))}); {_INSTALL}"


def toolchain(support: Support) -> Toolchain:
    found = _find()
    if isinstance(found, str):
        return Toolchain(name, "go", None, found)
    details = {
        "goroot": str(found.root),
        "testify": TESTIFY_VERSION if _ready(support) else "missing: run `perforch setup`",
    }
    return Toolchain(name, str(found.binary), found.version, details=details)


def _paths(support: Support) -> dict[str, Path]:
    root = support.dir_for(name)
    return {
        "root": root,
        "cache": root / "gocache",
        "tmp": root / "tmp",
        "modules": root / "modcache",
        "gopath": root / "gopath",
        "testmod": root / "testmod",
        "packages": root / "pkg",
        "stamp": root / "ready",
    }


def _ready(support: Support) -> bool:
    go = _find()
    stamp = _paths(support)["stamp"]
    return not isinstance(go, str) and stamp.is_file() and stamp.read_text() == _stamp(go)


def _stamp(go: _Go) -> str:
    return f"{go.version} testify {TESTIFY_VERSION} prebuilt {','.join(_go_testbuild.ROOTS)}\n"


def _env(go: _Go, support: Support) -> dict[str, str]:
    paths = _paths(support)
    return {
        "PATH": f"{go.root / 'bin'}:/usr/local/bin:/usr/bin:/bin",
        "GOROOT": str(go.root),
        # The sandbox's /tmp belongs to root: the go command's work dirs go to a writable mount.
        "GOCACHE": str(paths["cache"]),
        "GOTMPDIR": str(paths["tmp"]),
        "GOMODCACHE": str(paths["modules"]),
        "GOPATH": str(paths["gopath"]),
        "GOPROXY": "off",
        "GOSUMDB": "off",
        "GOFLAGS": "-mod=mod",
        "GOTOOLCHAIN": "local",
        "GOENV": "off",
        "GOTELEMETRY": "off",
        "GO111MODULE": "on",
        "CGO_ENABLED": "0",
        "GOMEMLIMIT": str(RUN_LIMITS.memory_bytes),
    }


def _mounts(go: _Go, support: Support) -> tuple[Mount, ...]:
    paths = _paths(support)
    return (
        Mount(go.root),
        Mount(paths["modules"]),
        Mount(paths["packages"]),
        Mount(paths["cache"], writable=True),
        Mount(paths["tmp"], writable=True),
    )


def _prepare_cache(support: Support, *, everything: bool = False) -> None:
    """The build cache and temporary directory must exist and belong to the build user (builds
    run as BUILD_UID when the sandbox starts as root), or builds could not write there.
    ``everything``: also what this process put there itself (setup warms the cache as root)."""
    paths = _paths(support)
    for directory in (paths["cache"], paths["tmp"]):
        directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0 or (not everything and directory.stat().st_uid == BUILD_UID):
            continue
        for root, dirs, files in os.walk(directory):
            os.chown(root, BUILD_UID, BUILD_UID)
            for entry in (*dirs, *files):
                os.lchown(Path(root) / entry, BUILD_UID, BUILD_UID)


def _program(
    go: _Go, support: Support, files: dict[str, str], build: tuple[str, ...], run: tuple[str, ...]
) -> Program:
    _prepare_cache(support)
    return Program(
        language=name,
        files=files,
        build=(build,),
        run=run,
        env=_env(go, support),
        mounts=_mounts(go, support),
        cache_key_extra=f"{go.binary} {go.version}",
        address_space_extra=_RUNTIME_RESERVE,
    )


def _failing(message: str) -> Program:
    """A program whose build fails with ``message``: how bad input reaches the caller."""
    return Program(
        language=name,
        files={},
        build=(("/bin/sh", "-c", 'printf "%s\\n" "$0" >&2; exit 1', message),),
        run=("/bin/false",),
    )


def _module(go: _Go, module: str) -> str:
    return f"module {module}\n\ngo {go.language}\n"


def test_program(source: str, tests: str, support: Support) -> Program:
    go = _find()
    if isinstance(go, str):
        return _failing(go)
    package = package_name(source) or "main"
    tests_package = package_name(tests)
    if tests_package != f"{package}_test":
        tests = as_package(tests, package)
    paths = _paths(support)
    importcfg = _go_testbuild.prebuilt(paths["packages"]) if _ready(support) else None
    direct = None if importcfg is None else _go_testbuild.files(source, tests, importcfg)
    if direct is not None:
        return _program(
            go,
            support,
            direct,
            _go_testbuild.build_command(go.tools, go.language),
            ("./perforch.test",),
        )
    files = {"solution.go": source, "solution_test.go": tests}
    testmod = paths["testmod"]
    if _ready(support):
        files["go.mod"] = (testmod / "go.mod").read_text()
        files["go.sum"] = (testmod / "go.sum").read_text()
    elif TESTIFY in tests:
        return _failing(
            f"the tests import {TESTIFY}, which is not set up yet: "
            "run `perforch setup` (it fetches it once through the Go proxy)"
        )
    else:
        files["go.mod"] = _module(go, "perforch.local/solution")
    build = (str(go.binary), "test", "-c", "-vet=off", *_BUILD_FLAGS, "-o", "perforch.test", ".")
    return _program(go, support, files, build, ("./perforch.test",))


def driver_program(source: str, function: str, inputs: str, support: Support) -> Program:
    go = _find()
    if isinstance(go, str):
        return _failing(go)
    files = _driver_files(go, source, function, inputs)
    if isinstance(files, str):
        return _failing(files)
    build = (str(go.binary), "build", *_BUILD_FLAGS, "-o", "perforch_driver", ".")
    return _program(go, support, files, build, ("./perforch_driver",))


def coverage_program(source: str, function: str, inputs: str, support: Support) -> Program:
    """The same package built apart as a coverage-instrumented test binary (``go test -c
    -cover``), for the ``coverage`` mode only: its testing package writes a text profile
    in-process, read by drivers/go_coverage_test.go. The timing modes' build is untouched.
    Counts, not set/unset (atomic: goroutines of the target may count too), since what the
    calls ran is what they added to a run without them."""
    go = _find()
    if isinstance(go, str):
        return _failing(go)
    files = _driver_files(go, source, function, inputs)
    if isinstance(files, str):
        return _failing(files)
    # target.go is the source after as_package, which may put a package clause in front.
    shift = files["target.go"].count("\n") - source.count("\n")
    files["perforch_cover_test.go"] = driver_source("go_coverage_test.go")
    files["perforch_cover_config_test.go"] = (
        "package main\n\nconst (\n"
        f"\tperforchCoverFile  = {json.dumps(_DRIVER_MODULE + '/target.go')}\n"
        f"\tperforchCoverShift = {shift}\n"
        f"\tperforchCoverLines = {len(source.splitlines())}\n)\n"
    )
    build = (
        str(go.binary),
        "test",
        "-c",
        "-cover",
        "-covermode=atomic",
        "-vet=off",
        *_BUILD_FLAGS,
        "-o",
        "perforch_cover.test",
        ".",
    )
    run = ("./perforch_cover.test", "-test.coverprofile=perforch_cover.out")
    return _program(go, support, files, build, run)


def _driver_files(go: _Go, source: str, function: str, inputs: str) -> dict[str, str] | str:
    try:
        target = find_target(source, function)
        kind = inputs_kind(inputs)
    except SourceError as exc:
        return f"perforch: {exc}"
    return {
        "go.mod": _module(go, _DRIVER_MODULE),
        "target.go": as_package(rename_main(source), "main"),
        "inputs.go": as_package(rename_main(inputs), "main"),
        **{f"perforch_{part}.go": driver_source(f"go_{part}.go") for part in _DRIVER_PARTS},
        "perforch_glue.go": _go_glue.glue(target, kind, source),
    }


def setup(support: Support) -> list[str]:
    go = _find()
    if isinstance(go, str):
        return [go]
    if _ready(support):
        _prepare_cache(support)
        return []
    paths = _paths(support)
    for key in ("modules", "gopath", "testmod"):
        paths[key].mkdir(parents=True, exist_ok=True)
    _prepare_cache(support)
    testmod = paths["testmod"]
    (testmod / "go.mod").write_text(
        _module(go, "perforch.local/solution") + f"\nrequire {TESTIFY} {TESTIFY_VERSION}\n"
    )
    (testmod / "setup_test.go").write_text(_SETUP_TEST)
    env = {
        **_env(go, support),
        "GOPROXY": "https://proxy.golang.org",
        "GOSUMDB": "sum.golang.org",
        "HOME": str(paths["root"]),
    }
    result = run_process([str(go.binary), "mod", "tidy"], cwd=testmod, env=env, timeout=600)
    if not result.ok:
        return [f"go setup failed (go mod tidy): {result.stderr.strip()[-2000:] or result.reason}"]
    # Compiles the standard library and testify into the build cache, once.
    problem = _go_testbuild.prebuild(go.binary, env, testmod, paths["packages"])
    problems = [problem] if problem is not None else _warm_driver(go, support, env)
    if problems:
        return problems
    _prepare_cache(support, everything=True)
    paths["stamp"].write_text(_stamp(go))
    return []


def _warm_driver(go: _Go, support: Support, env: dict[str, str]) -> list[str]:
    """Builds a sample driver once: the driver compiles with this toolchain, and the first
    real one finds everything but itself in the build cache."""
    program = driver_program(
        "package main\n\nfunc Add(a, b int) int { return a + b }\n",
        "Add",
        "package main\n\nvar perforchInputs = [][]any{{1, 2}}\n",
        support,
    )
    with tempfile.TemporaryDirectory() as directory:
        for file_name, text in program.files.items():
            (Path(directory) / file_name).write_text(text)
        for argv in program.build:
            result = run_process(argv, cwd=Path(directory), env=env, timeout=600)
            if not result.ok:
                return [
                    f"go setup failed (building a sample driver): "
                    f"{result.stderr.strip()[-2000:] or result.reason}"
                ]
    return []


_SETUP_TEST = """package main

import (
\t"testing"

\t"github.com/stretchr/testify/assert"
)

func TestSetup(t *testing.T) { assert.New(t).Equal(2, 1+1) }
"""
