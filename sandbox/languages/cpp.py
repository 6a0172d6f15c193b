"""C++: g++ (``-std=c++17 -O2``), one translation unit per program.

Driver builds need C++17 (``std::apply``, ``if constexpr``); the tests are built the same way,
so one precompiled header of the common standard headers (made by ``setup``) serves both and
cuts a compile from ~0.5 s to ~0.2 s. Every HumanEval-X C++ program builds under these flags
(upstream used ``-std=c++11``). Without the precompiled header builds still work, only slower.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import re
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sandbox._errors import WorkloadError
from sandbox._process import ProcessResult, run_process
from sandbox.backends._protocol import Mount
from sandbox.languages._protocol import Program, Support, Toolchain
from sandbox.languages.drivers import driver_source

name = "cpp"
extensions = (".cpp", ".cc", ".cxx", ".c++", ".hpp", ".hh", ".hxx", ".h")
# The optional driver modes this driver has (see _protocol).
optional_modes: frozenset[str] = frozenset({"coverage", "cases"})
# Versions are timed in processes of their own (see _protocol.Language.paired_program).
paired_program = None
runs_machine_code = True

COMPILER = "g++"
# The same flags for the precompiled header and every program: g++ ignores (and, with
# -Winvalid-pch, says so) a precompiled header built with other code-generation options.
FLAGS = ("-std=c++17", "-O2", "-pipe", "-Winvalid-pch", "-fdiagnostics-color=never")
_PATH = "/usr/local/bin:/usr/bin:/bin"
_INSTALL = "install it with `apt-get install g++` (Debian/Ubuntu) or your system's GCC package"

# What the precompiled header holds: HumanEval-X's harness includes, the other headers its
# programs use, and the driver's own (so the driver's prelude parses in milliseconds).
PCH_HEADERS = (
    "stdlib.h",
    "algorithm",
    "math.h",
    "stdio.h",
    "vector",
    "string",
    "climits",
    "cstring",
    "iostream",
    "map",
    "list",
    "cxxabi.h",
    "sys/resource.h",
    "charconv",
    "chrono",
    "cmath",
    "cstdint",
    "cstdio",
    "cstdlib",
    "exception",
    "iterator",
    "limits",
    "memory",
    "optional",
    "sstream",
    "string_view",
    "tuple",
    "type_traits",
    "typeinfo",
    "utility",
)
PCH_NAME = "perforch_common.hpp"

# Headers some programs need that are not part of g++ itself (HumanEval-X CPP/22, 137, 162).
_OPTIONAL_HEADERS = (("boost/any.hpp", "libboost-dev"), ("openssl/md5.h", "libssl-dev"))
_OPENSSL = re.compile(r"^\s*#\s*include\s*[<\"]openssl/", re.MULTILINE)
_THREADS = re.compile(r"^\s*#\s*include\s*<(?:thread|future|pthread\.h)>", re.MULTILINE)
# A (qualified) name, with template arguments where wanted: `solve`, `geo::area`, `sum<int>`.
_NAME_PART = r"[A-Za-z_]\w*(?:<[\w:<>, *&]*>)?"
_FUNCTION = re.compile(rf"(?:::)?{_NAME_PART}(?:::{_NAME_PART})*")


@dataclass(frozen=True)
class _Compiler:
    version: str
    banner: str
    # gold links a small program in a third of the time ld.bfd takes (~25 ms against ~70 ms of
    # CPU): a sixth of a HumanEval-X build. Used when installed (Debian's binutils has it).
    link_flags: tuple[str, ...]


def _probe(*argv: str) -> ProcessResult:
    return run_process(argv, cwd=Path(tempfile.gettempdir()), env={"PATH": _PATH}, timeout=30)


@functools.cache
def _compiler() -> _Compiler | str:
    """What g++ is here, or what is wrong."""
    result = _probe(COMPILER, "--version")
    if result.reason == "not-found":
        return f"{COMPILER} not found on {_PATH}: {_INSTALL}"
    if not result.ok:
        return f"{COMPILER} --version failed: {result.stderr.strip() or result.reason}; {_INSTALL}"
    banner = result.stdout.splitlines()[0] if result.stdout else COMPILER
    version = _probe(COMPILER, "-dumpfullversion")
    gold = _probe(COMPILER, "-fuse-ld=gold", "-Wl,--version")
    return _Compiler(
        version.stdout.strip() if version.ok else banner,
        banner,
        ("-fuse-ld=gold",) if gold.ok and "gold" in gold.stdout.lower() else (),
    )


def _version() -> str:
    found = _compiler()
    return "missing" if isinstance(found, str) else found.version


def toolchain(support: Support) -> Toolchain:
    found = _compiler()
    if isinstance(found, str):
        return Toolchain(name, COMPILER, None, found)
    pch = _pch_header(support)
    return Toolchain(
        name,
        COMPILER,
        found.version,
        details={
            "banner": found.banner,
            "flags": " ".join((*FLAGS, *found.link_flags)),
            "precompiled_header": str(pch) if pch else "none (run `perforch setup`)",
            "gcov": _gcov() or "missing: line coverage is not measured",
        },
    )


def _pch_dir(support: Support) -> Path:
    """Named by what the header was built from, so a new compiler or header list gets a new one."""
    material = "\n".join((_version(), *FLAGS, *PCH_HEADERS))
    return support.dir_for(name) / f"pch-{hashlib.sha256(material.encode()).hexdigest()[:16]}"


def _pch_header(support: Support) -> Path | None:
    header = _pch_dir(support) / PCH_NAME
    return header if Path(f"{header}.gch").is_file() else None


def _compile(
    support: Support,
    sources: tuple[str, ...],
    output: str,
    *texts: str,
    flags: tuple[str, ...] = FLAGS,
) -> tuple[tuple[str, ...], tuple[Mount, ...]]:
    """The g++ command for ``sources`` and the mounts it needs (the precompiled header's dir);
    the header only with the flags it was built with."""
    pch = _pch_header(support) if flags == FLAGS else None
    libraries: list[str] = []
    if any(_OPENSSL.search(text) for text in texts):
        libraries += ["-lssl", "-lcrypto"]
    if any(_THREADS.search(text) for text in texts):
        libraries.append("-pthread")
    found = _compiler()
    command = (
        COMPILER,
        *flags,
        *(() if isinstance(found, str) else found.link_flags),
        *(("-include", str(pch)) if pch else ()),
        "-o",
        output,
        *sources,
        *libraries,
    )
    return command, ((Mount(pch.parent),) if pch else ())


def test_program(source: str, tests: str, support: Support) -> Program:
    """``source`` followed by ``tests`` (which bring their own ``main``) in one translation
    unit, as HumanEval-X does; a ``main`` of the source's own is renamed out of the way."""
    command, mounts = _compile(support, ("main.cpp",), "tests", source, tests)
    return Program(
        language=name,
        files={"source.cpp": source, "tests.cpp": tests, "main.cpp": _TESTS_MAIN},
        build=(command,),
        run=("./tests",),
        mounts=mounts,
        cache_key_extra=f"{COMPILER} {_version()}",
    )


def _driver_files() -> dict[str, str]:
    """The fixed driver: perforch_driver.hpp and the two parts it includes."""
    return {
        f"perforch_{part}.hpp": driver_source(f"cpp_{part}.cpp")
        for part in ("driver", "driver_render", "driver_calls")
    }


def driver_program(source: str, function: str, inputs: str, support: Support) -> Program:
    _check_function(function)
    command, mounts = _compile(support, ("perforch_main.cpp",), "perforch_driver", source, inputs)
    files = {
        **_driver_files(),
        "target.cpp": source,
        "inputs.cpp": inputs,
        "perforch_main.cpp": _MAIN.replace("@FUNCTION@", function),
    }
    return Program(
        language=name,
        files=files,
        build=(command,),
        run=("./perforch_driver",),
        mounts=mounts,
        cache_key_extra=f"{COMPILER} {_version()}",
    )


def coverage_program(source: str, function: str, inputs: str, support: Support) -> Program:
    """The driver built apart with gcov's instrumentation, unoptimised (so each line's count is
    its own), for the ``coverage`` mode only; the other modes' build stays as it is. gcov runs
    in the same sandbox after the cases (see drivers/cpp_coverage.cpp): the program's ``.gcda``
    files go to its working directory (GCOV_PREFIX_STRIP drops the build directory's path)."""
    _check_function(function)
    gcov = _gcov()
    if gcov is None:
        return Program(
            language=name,
            files={},
            build=(("/bin/sh", "-c", 'printf "%s\\n" "$0" >&2; exit 1', _NO_GCOV),),
            run=("/bin/false",),
        )
    flags = (*_COVERAGE_FLAGS, f'-DPERFORCH_GCOV="{gcov}"')
    command, mounts = _compile(
        support, ("perforch_main.cpp",), "perforch_driver", source, inputs, flags=flags
    )
    main = _MAIN.replace("@FUNCTION@", function).replace(
        '#include "perforch_driver.hpp"\n',
        '#include "perforch_driver.hpp"\n#include "perforch_coverage.hpp"\n',
    )
    files = {
        **_driver_files(),
        "perforch_coverage.hpp": driver_source("cpp_coverage.cpp"),
        "target.cpp": source,
        "inputs.cpp": inputs,
        "perforch_main.cpp": main.replace(_RUN, _RUN_OR_COVERAGE),
    }
    return Program(
        language=name,
        files=files,
        build=(command,),
        run=("./perforch_driver",),
        env={"GCOV_PREFIX_STRIP": "1000"},
        mounts=mounts,
        cache_key_extra=f"{COMPILER} {_version()} gcov {gcov}",
    )


def _check_function(function: str) -> None:
    if not _FUNCTION.fullmatch(function):
        raise WorkloadError(
            f"{function!r} is not a C++ function name: give the name, qualified with :: for a "
            "namespace or class (e.g. `solve`, `geo::area`, `Solution::twoSum`, `sum<int>`)"
        )


@functools.cache
def _gcov() -> str | None:
    """The gcov of this g++'s version (a .gcno is read only by its own version's gcov)."""
    found = _compiler()
    if isinstance(found, str):
        return None
    major = found.version.split(".")[0]
    for tool in (f"/usr/bin/gcov-{major}", "/usr/bin/gcov", "/usr/local/bin/gcov"):
        if Path(tool).is_file():
            result = _probe(tool, "--version")
            if result.ok and found.version in result.stdout.splitlines()[0]:
                return tool
    return None


def setup(support: Support) -> list[str]:
    """Check the optional headers and build the precompiled header (idempotent)."""
    found = _compiler()
    if isinstance(found, str):
        return [found]
    problems = [
        problem
        for header, package in _OPTIONAL_HEADERS
        if (problem := _missing_header(header, package)) is not None
    ]
    if _pch_header(support) is None:
        problem = _build_pch(_pch_dir(support))
        if problem is not None:
            problems.append(problem)
    return problems


def _missing_header(header: str, package: str) -> str | None:
    result = run_process(
        [COMPILER, "-std=c++17", "-fsyntax-only", "-x", "c++", "-"],
        cwd=Path(tempfile.gettempdir()),
        env={"PATH": _PATH},
        timeout=60,
        stdin=f"#include <{header}>\n".encode(),
    )
    if result.ok:
        return None
    return (
        f"<{header}> is missing (HumanEval-X and programs using it cannot build): "
        f"apt-get install {package}"
    )


def _build_pch(final: Path) -> str | None:
    """Compile the header in a fresh directory, then move it into place in one step."""
    final.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="pch-build-", dir=final.parent))
    try:
        header = work / PCH_NAME
        header.write_text("".join(f"#include <{h}>\n" for h in PCH_HEADERS))
        result = run_process(
            [COMPILER, *FLAGS, "-x", "c++-header", str(header), "-o", f"{header}.gch"],
            cwd=work,
            env={"PATH": _PATH},
            timeout=300,
        )
        if not result.ok:
            return (
                f"building the precompiled header failed ({result.reason}): "
                f"{result.stderr.strip()[:500]}"
            )
        # Builds run as another user: the directory must be readable by everyone.
        work.chmod(0o755)
        with contextlib.suppress(OSError):  # another setup finished first; theirs is as good
            work.rename(final)
        return None
    finally:
        shutil.rmtree(work, ignore_errors=True)


_TESTS_MAIN = """\
#define main perforch_source_main
#include "source.cpp"
#undef main
#include "tests.cpp"
"""

# The driver's one translation unit: the prelude, the code under test (its own main renamed,
# so a whole program can be benchmarked), the inputs, then the target bound by name.
_MAIN = """\
#include "perforch_driver.hpp"
#define main perforch_target_main
#include "target.cpp"
#undef main
#include "inputs.cpp"

namespace perforch_target {
template <class D, class = void> struct address {
  static constexpr std::nullptr_t value = nullptr;
};
template <class D> struct address<D, std::void_t<decltype(::perforch::pick<D>(&@FUNCTION@))>> {
  static constexpr auto value = ::perforch::pick<D>(&@FUNCTION@);
};
struct target {
  // --function names `@FUNCTION@`: target.cpp (or inputs.cpp) must declare it.
  template <class... A> static auto call(A&&... a) -> decltype(@FUNCTION@(static_cast<A&&>(a)...)) {
    return @FUNCTION@(static_cast<A&&>(a)...);
  }
  static constexpr auto pointer = address<void>::value;
};
}  // namespace perforch_target

::perforch::missing_inputs perforch_inputs(...);

int main(int argc, char** argv) {
  return ::perforch::run<perforch_target::target>(
      argc, argv, [](auto& call) { return perforch_inputs(call); });
}
"""
_RUN = "  return ::perforch::run<"
# The coverage build's main: `coverage` is its own mode; the others run as in the plain build.
_RUN_OR_COVERAGE = """\
  if (argc == 2 && std::string_view(argv[1]) == "coverage")
    return ::perforch::coverage<perforch_target::target>(
        [](auto& call) { return perforch_inputs(call); }, PERFORCH_GCOV, "target.cpp");
  return ::perforch::run<"""
# No optimisation: gcov's counts are exact only when each line keeps code of its own.
_COVERAGE_FLAGS = ("-std=c++17", "-O0", "-pipe", "--coverage", "-fdiagnostics-color=never")
_NO_GCOV = (
    f"perforch: no gcov of {COMPILER}'s version found: line coverage needs it "
    "(Debian's gcc package has it)"
)
