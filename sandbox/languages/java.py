"""Java: ``javac`` and ``java`` of one JDK (17 or later), found on the sandbox's PATH.

The JVM reserves address space up front (heap, code cache, class space), so programs get at
least ``ADDRESS_SPACE`` of RLIMIT_AS and a launcher sizes the heap from the limit it is given:
``-Xmx`` is the limit minus ``JVM_OVERHEAD`` (what the JVM maps besides the heap), so an
over-allocation ends in ``OutOfMemoryError`` rather than a failed reservation or a crash.
"""

from __future__ import annotations

import functools
import re
import shutil
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from sandbox._limits import MIB
from sandbox._process import run_process
from sandbox.backends._protocol import Mount
from sandbox.languages._java_calls import (
    calls_java,
    package_line,
    prefix_first_line,
    prepare_inputs,
)
from sandbox.languages._java_source import JavaSource, find, parse
from sandbox.languages._protocol import Program, Support, TestBatch, Toolchain
from sandbox.languages.drivers import driver_source

name = "java"
extensions = (".java",)
# The optional driver modes this driver has (see _protocol).
optional_modes: frozenset[str] = frozenset({"coverage", "cases"})
# Versions are timed in processes of their own (see _protocol.Language.paired_program).
paired_program = None
runs_machine_code = False

MIN_MAJOR = 17
JVM_OVERHEAD = 768 * MIB  # measured: a JVM with the flags below maps ~520 MiB besides its heap
MIN_HEAP = 256 * MIB
ADDRESS_SPACE = JVM_OVERHEAD + MIN_HEAP
_SEARCH_PATH = "/usr/local/bin:/usr/bin:/bin"  # the sandbox's PATH
_INSTALL = "install a JDK 17 or later, e.g. `apt-get install openjdk-17-jdk-headless`"
# glibc gives each thread a 64 MiB malloc arena of address space; the JVM has many threads.
_ENV = {"MALLOC_ARENA_MAX": "2"}
# Serial GC: no GC threads competing with the measured code on a small machine. The JVM's own
# warnings go to stderr (its default is stdout, which belongs to the program).
_JVM = (
    "-Xlog:disable",
    "-Xlog:all=warning:stderr",
    "-XX:+UseSerialGC",
    # Every compiler thread from the start: the driver's warm-up watches their CPU time.
    "-XX:-UseDynamicNumberOfCompilerThreads",
    "-XX:ReservedCodeCacheSize=64m",
    "-XX:CompressedClassSpaceSize=64m",
    "-Xss8m",
    "-XX:-UsePerfData",
    "-Xshare:auto",
)
# Tests run briefly: the C1 compiler alone starts faster.
_TEST_JVM = (*_JVM, "-XX:TieredStopAtLevel=1")
_JAVAC_JVM = (
    "-J-XX:+UseSerialGC",
    "-J-XX:TieredStopAtLevel=1",
    "-J-XX:-UsePerfData",
    "-J-XX:CompressedClassSpaceSize=128m",
    "-J-XX:ReservedCodeCacheSize=64m",
)
_JAVAC_FLAGS = ("-encoding", "UTF-8", "-nowarn", "-Xmaxerrs", "500", "-d", "classes")
# Heap from the address-space limit; without one (a container's cgroup limit instead), a share
# of the memory the JVM sees. java.io.tmpdir from TMPDIR, which the JVM ignores: the landlock
# backend gives each job a private TMPDIR and no /tmp.
_LAUNCH = (
    "java=$1; shift; as=$(ulimit -v)\n"
    "case $as in unlimited) heap=-XX:MaxRAMPercentage=60 ;; "
    f"*) heap=$(( as - {JVM_OVERHEAD // 1024} )); [ $heap -ge 65536 ] || heap=65536\n"
    "   heap=-Xmx${heap}k ;; esac\n"
    'exec "$java" "$heap" "-Djava.io.tmpdir=${TMPDIR:-/tmp}" "$@"\n'
)


_DRIVER_FILES = (
    ("Driver", "java_driver.java"),
    ("Copier", "java_driver_copy.java"),
    ("Render", "java_driver_render.java"),
    ("Cases", "java_driver_cases.java"),
    ("Jit", "java_driver_jit.java"),
)


@dataclass(frozen=True)
class _Jdk:
    home: Path
    version: str

    def tool(self, tool: str) -> str:
        return str(self.home / "bin" / tool)

    @property
    def mounts(self) -> tuple[Mount, ...]:
        return () if self.home.is_relative_to("/usr") else (Mount(self.home),)


@functools.cache
def _find_jdk() -> _Jdk | str:
    """The JDK whose javac the sandbox's PATH finds, or what is wrong."""
    javac = shutil.which("javac", path=_SEARCH_PATH)
    if javac is None:
        return f"javac not found on {_SEARCH_PATH}: {_INSTALL}"
    home = Path(javac).resolve().parent.parent
    versions = []
    for tool in ("javac", "java"):
        result = run_process(
            [str(home / "bin" / tool), "-version"],
            timeout=60,
            cwd=Path(tempfile.gettempdir()),
            env={"PATH": _SEARCH_PATH, **_ENV},
        )
        found = re.search(r'(?:javac|version) "?(\d+)([\w.+-]*)', result.stdout + result.stderr)
        if not result.ok or found is None:
            return (
                f"{home / 'bin' / tool} -version failed: "
                f"{(result.stderr or result.stdout).strip()[:300] or result.reason}; {_INSTALL}"
            )
        versions.append(found.group(1) + found.group(2))
    if versions[0] != versions[1]:
        return f"javac {versions[0]} and java {versions[1]} in {home} differ: {_INSTALL}"
    if int(versions[0].split(".")[0]) < MIN_MAJOR:
        return f"javac {versions[0]} in {home} is too old (need {MIN_MAJOR}+): {_INSTALL}"
    return _Jdk(home, versions[0])


def toolchain(support: Support) -> Toolchain:
    jdk = _find_jdk()
    if isinstance(jdk, str):
        return Toolchain(name, "javac", None, jdk)
    return Toolchain(name, jdk.tool("javac"), jdk.version, details={"java_home": str(jdk.home)})


def setup(support: Support) -> list[str]:
    """Nothing to fetch: programs use the JDK's own library only."""
    jdk = _find_jdk()
    return [jdk] if isinstance(jdk, str) else []


def _program(
    files: dict[str, str],
    build: tuple[tuple[str, ...], ...],
    jvm: tuple[str, ...],
    classpath: str,
    main: str,
) -> Program:
    jdk = _find_jdk()
    if isinstance(jdk, str):
        return _failing(jdk)
    return Program(
        language=name,
        files=files,
        build=build,
        run=(
            "/bin/sh",
            "-c",
            _LAUNCH,
            "perforch-java",
            jdk.tool("java"),
            *jvm,
            "-cp",
            classpath,
            *((main,) if main else ()),
        ),
        env=_ENV,
        mounts=jdk.mounts,
        cache_key_extra=f"{jdk.home} {jdk.version}",
        address_space_bytes=ADDRESS_SPACE,
    )


def _javac(files: Sequence[str]) -> tuple[str, ...]:
    jdk = _find_jdk()
    return (
        "javac" if isinstance(jdk, str) else jdk.tool("javac"),
        *_JAVAC_JVM,
        *_JAVAC_FLAGS,
        *files,
    )


def _failing(message: str) -> Program:
    """A program whose build fails with ``message``: how bad input reaches the caller."""
    return Program(
        language=name,
        files={},
        build=(
            ("/bin/sh", "-c", 'printf "perforch: %s\\n" "$1" >&2; exit 1', "perforch", message),
        ),
        run=("/bin/false",),
        cache_key_extra=message,
    )


def _qualified(source: JavaSource, cls: str) -> str:
    return f"{source.package}.{cls}" if source.package else cls


@dataclass(frozen=True)
class _TestFiles:
    files: dict[str, str]
    main: str  # the class to run, without its package
    package: str | None


def _test_files(source: str, tests: str) -> _TestFiles | str:
    """The source and the tests as two files (javac allows one public class per file), and the
    class to run; or what is wrong. The tests see the source's imports, as when appended."""
    parsed, parsed_tests = parse(source), parse(tests)
    mains = parsed_tests.mains()
    if not mains:
        return "the tests declare no `public static void main(String[] args)` to run"
    main = next((m for m in mains if m.owner.path == (parsed_tests.public_type,)), mains[0])
    package = parsed_tests.package
    if package is None:
        package = parsed.package
        tests = prefix_first_line(tests, f"{package_line(parsed)}{' '.join(parsed.imports)} ")
    source_file = parsed.file_name("Target")
    tests_file = f"{parsed_tests.public_type or main.owner.path[0]}.java"
    if tests_file == source_file:
        return (
            f"the source and the tests both declare {tests_file.removesuffix('.java')}: "
            "give the tests' main class another name"
        )
    if parsed.package != package:
        return f"the source is in package {parsed.package} but the tests are in {package}"
    return _TestFiles({source_file: source, tests_file: tests}, "$".join(main.owner.path), package)


def test_program(source: str, tests: str, support: Support) -> Program:
    found = _test_files(source, tests)
    if isinstance(found, str):
        return _failing(found)
    main = f"{found.package}.{found.main}" if found.package else found.main
    return _program(found.files, (_javac(sorted(found.files)),), _TEST_JVM, "classes", main)


def test_batch(items: Sequence[tuple[str, str]], support: Support) -> TestBatch | None:
    """Many (source, tests) pairs compiled by one javac (its start-up dominates a small build),
    each in a package of its own, packed in one jar; each runs in a JVM of its own. None when a
    pair cannot be batched (it declares a package, or is malformed): test it on its own."""
    jdk = _find_jdk()
    if isinstance(jdk, str):
        return None
    files: dict[str, str] = {}
    run_args: list[tuple[str, ...]] = []
    sources: list[tuple[str, ...]] = []
    for index, (source, tests) in enumerate(items):
        found = _test_files(source, tests)
        if isinstance(found, str) or found.package is not None:
            return None
        paths = []
        for file in sorted(found.files):
            paths.append(f"p{index}/{file}")
            files[paths[-1]] = prefix_first_line(found.files[file], f"package p{index}; ")
        run_args.append((f"p{index}.{found.main}",))
        sources.append(tuple(paths))
    build = (
        _javac(list(files)),
        (jdk.tool("jar"), "--create", "--file", "tests.jar", "--no-manifest", "-C", "classes", "."),
        # Only the jar stays: each run links the build's files into a fresh directory.
        ("/bin/rm", "-rf", "classes", *sorted({path.split("/")[0] for path in files})),
    )
    return TestBatch(
        _program(files, build, _TEST_JVM, "tests.jar", ""), tuple(run_args), tuple(sources)
    )


def driver_program(source: str, function: str, inputs: str, support: Support) -> Program:
    found = _driver_files(source, function, inputs)
    if isinstance(found, str):
        return _failing(found)
    files, parsed = found
    return _program(
        files, (_javac(sorted(files)),), _JVM, "classes", _qualified(parsed, "PerforchDriver")
    )


def coverage_program(source: str, function: str, inputs: str, support: Support) -> Program:
    """The driver's classes plus a debugger (drivers/java_coverage.java, on the JDK's own JDI)
    that runs the driver's ``outputs`` mode in a second JVM with a one-shot breakpoint on each
    line of the source file, for the ``coverage`` mode only: the timing modes' program and its
    classes are the same as without it, and nothing is instrumented. The debugger reaches the
    driver over loopback TCP (JDWP), which the sandbox's network namespace still has."""
    found = _driver_files(source, function, inputs)
    if isinstance(found, str):
        return _failing(found)
    files, parsed = found
    files["PerforchCoverage.java"] = driver_source("java_coverage.java")
    program = _program(files, (_javac(sorted(files)),), _JVM, "classes", "PerforchCoverage")
    driver = _qualified(parsed, "PerforchDriver")
    return replace(program, run=(*program.run, parsed.file_name("Target"), driver))


def _driver_files(
    source: str, function: str, inputs: str
) -> tuple[dict[str, str], JavaSource] | str:
    """The driver's files and the parsed source, or what is wrong with them."""
    parsed = parse(source)
    methods = find(parsed, function)
    if isinstance(methods, str):
        return methods
    try:
        prepared = prepare_inputs(inputs, parsed)
    except ValueError as exc:
        return str(exc)
    files = {
        parsed.file_name("Target"): source,
        "PerforchInputs.java": prepared,
        "PerforchCalls.java": calls_java(parsed, methods, function),
        **{
            f"Perforch{part}.java": prefix_first_line(driver_source(template), package_line(parsed))
            for part, template in _DRIVER_FILES
        },
    }
    return files, parsed
