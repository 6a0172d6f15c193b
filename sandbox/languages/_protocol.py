"""What every language module provides. Modules are pure: they describe programs; the sandbox's
executor builds (with a content-hash cache) and runs them through a backend.

The driver protocol every ``driver_program`` must speak on stdout, one JSON object per line:

``<run argv> outputs``
    For each case i (in order): call the function once on a fresh copy of the case's arguments
    and print ``{"case": i, "result": R, "args": A}`` where R is the canonical text of the return
    value and A of the arguments after the call (so in-place mutation is compared), or
    ``{"case": i, "error": E}`` where E is ``"<ExceptionType>: <message>"`` (a panic, an
    exception). Then the same closing line as ``bench`` (below).
``<run argv> bench ITERATIONS SAMPLES WARMUP_MS``
    ITERATIONS 0 means calibrate: grow n until one sample (n passes over all cases) takes at
    least 10 ms, scale it to about 1.2x that, print ``{"calibrated": n}``. Then warm up: at
    least one round, for WARMUP_MS (JIT languages: until steady, print ``{"warmup_samples": k,
    "steady": bool}``); a round under 10 ms raises n to about 1.2x the minimum and warm-up goes
    on (a count calibrated in another process, or under load, can be too small here). Then
    print SAMPLES lines
    ``{"ns": T}``: T is the time of n passes over all cases, each call on a fresh copy of its
    arguments made outside the timed region, each result kept alive in a sink the compiler
    cannot remove. A driver may add ``"ref_ns": R`` to every sample line: the time of a fixed
    reference workload, the same in every process, run just before and just after the sample
    (the slower of the two); the measurement sets aside samples whose R shows the core running
    slow for everyone (``sandbox/_measure.py``). Then
    ``{"peak_rss_kb": N, "cpu_ns": C, "iterations": n}`` where N is the
    process's own peak RSS (VmHWM, reset by writing "5" to /proc/self/clear_refs at start, so
    the size of whatever spawned it is not counted) and C its own user+system CPU time
    (getrusage(RUSAGE_SELF) or the runtime's equivalent).

Optional modes (a module lists the ones its driver has in ``optional_modes``):

``<run argv> coverage``
    Run each case once, as ``outputs`` does, and print ``{"lines": [...]}``: the line numbers
    of the file under test that ran (only during the calls: not while the inputs are built).
    It may add ``"executable": [...]``, the lines that hold code at all (a brace or ``else``
    line may hold none). This mode runs on ``coverage_program``'s build: except in Python, a
    program of its own (an instrumented build, or the driver under a tracer), so the program
    the other modes run, and time, stays as it is.
``<run argv> cases``
    Time each case on its own (calls on fresh copies until at least 2 ms, after one untimed
    call) and print ``{"case": i, "ns_per_call": T}`` per case: which inputs cost the most.

A language whose versions can share one process (an interpreter: each version is a module of
its own) may offer ``paired_program``: a program holding old, new and a copy of old, whose
``paired`` mode times them in chunks taken in turns (see ``drivers/python_paired.py``), so a
core's slow spells fall on every version alike.

Anything the driver writes to stderr is diagnostics. Exit 0 on success.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from sandbox.backends._protocol import Mount

MIN_SAMPLE_NS = 10_000_000


@dataclass(frozen=True)
class Support:
    """Where the sandbox's language support lives on this host (immutable, passed down).

    ``cache_dir`` holds build outputs and scratch run directories; ``deps_dir`` the
    per-language dependency caches that ``perforch setup`` fills once (Rust crates built,
    Go modules), shared by every cache (tests use a fresh ``cache_dir`` but the same
    ``deps_dir``); ``python`` is the interpreter that runs Python code under test, ``rustc``
    the compiler that builds Rust code (a toolchain's ``bin/rustc`` or a rustup proxy; None
    looks on PATH, then in the usual install folders).
    """

    cache_dir: Path
    python: Path
    deps_dir: Path | None = None
    rustc: Path | None = None

    def dir_for(self, language: str) -> Path:
        return (self.deps_dir or self.cache_dir / "support") / language


@dataclass(frozen=True)
class Toolchain:
    """A language's tools as found on this host: ``problem`` says what is missing and how to
    install it when the language cannot be used."""

    language: str
    tool: str
    version: str | None
    problem: str | None = None
    details: Mapping[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.problem is None


@dataclass(frozen=True)
class Program:
    """Everything needed to build and run one program.

    ``files`` are written into a fresh build directory; ``build`` commands run there in order
    (under the backend, no network); ``run`` is the argv that runs the result in a copy of that
    directory. ``cache_key_extra`` adds toolchain versions to the content hash. ``memory_flags``
    are not used here: a language that needs heap flags puts them into ``run``.
    """

    language: str
    files: Mapping[str, str]
    build: tuple[tuple[str, ...], ...]
    run: tuple[str, ...]
    env: Mapping[str, str] = field(default_factory=dict)
    mounts: tuple[Mount, ...] = ()
    cache_key_extra: str = ""
    # Some runtimes reserve address space up front: the JVM needs at least this much RLIMIT_AS
    # (``address_space_bytes``), Go this much on top of the job's memory limit (``..._extra``).
    address_space_bytes: int | None = None
    address_space_extra: int = 0


@dataclass(frozen=True)
class TestBatch:
    """Many test programs built by one ``program`` (optional, for languages whose compiler
    start-up dominates a small build: a module may offer ``test_batch(items, support)`` taking
    (source, tests) pairs). Item i runs as ``program.run + run_args[i]``; when the build fails,
    its output names ``sources[i]`` (item i's files) if item i is to blame."""

    program: Program
    run_args: tuple[tuple[str, ...], ...]
    sources: tuple[tuple[str, ...], ...]


class Language(Protocol):
    """Implemented by a module per language (module attributes and functions)."""

    @property
    def name(self) -> str: ...

    @property
    def extensions(self) -> tuple[str, ...]: ...

    @property
    def optional_modes(self) -> frozenset[str]:
        """The optional driver modes (``coverage``, ``cases``) this language's driver has."""
        ...

    @property
    def runs_machine_code(self) -> bool:
        """True when the build's output is machine code the CPU runs in place: where its pages
        land can change its speed, so the A/A guard's copy gets a build of its own. False when
        the runtime reads it as data (class files, sources): the copy shares old's build."""
        ...

    def toolchain(self, support: Support) -> Toolchain:
        """Find the tools and their versions (through sandbox._process.run_process)."""
        ...

    def test_program(self, source: str, tests: str, support: Support) -> Program:
        """``source`` with ``tests`` appended the language's way (HumanEval-X's test layout):
        the program exits 0 exactly when the tests pass."""
        ...

    def driver_program(self, source: str, function: str, inputs: str, support: Support) -> Program:
        """A program speaking the driver protocol above for ``function`` in ``source``, with the
        calls defined by ``inputs`` (a file in this language; see the README)."""
        ...

    def coverage_program(
        self, source: str, function: str, inputs: str, support: Support
    ) -> Program:
        """The program whose ``coverage`` mode (above) measures ``driver_program``'s calls: the
        driver itself where it traces its own calls (Python), else one built apart from the
        same files (instrumented, or run under a tracer). Used only when ``optional_modes``
        has ``coverage``."""
        ...

    @property
    def paired_program(self) -> Callable[[str, str, str, str, Support], Program] | None:
        """``paired_program(old, new, function, inputs, support)``: the program whose
        ``paired`` mode times the versions side by side in one process; None when versions
        cannot share one (machine code and the JVM: a JIT's profiles would be shared too)."""
        ...

    def setup(self, support: Support) -> list[str]:
        """Fetch and build what this language's programs compile against (idempotent; offline
        once done). Returns problems, empty when ready."""
        ...
