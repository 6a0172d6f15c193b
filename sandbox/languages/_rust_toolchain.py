"""Rust's toolchain on this host, and the crates ``setup`` builds once for programs to link.

rustup installs proxies (``~/.cargo/bin/rustc``) that need ``RUSTUP_HOME``; the sandbox calls
the real compiler in the toolchain's sysroot instead, so only the sysroot has to be mounted.
The crates (HumanEval-X's ``rand``, ``regex``, ``md5``) are built by cargo, outside the sandbox
and with network, in both profiles; programs are then compiled by plain ``rustc`` against the
recorded rlibs, offline (``--extern name=path``), much faster than a cargo build each.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sandbox._process import run_process

# Upstream HumanEval-X's codegeex/benchmark/rust/Cargo.toml (edition 2021).
CRATES = {"rand": "0.4", "regex": "1", "md5": "0.7.0"}
PROFILES = ("debug", "release")
INSTALL_HINT = (
    "install Rust with rustup (curl --proto '=https' --tlsv1.2 -sSf "
    "https://sh.rustup.rs | sh -s -- -y) or the Debian packages (apt-get install "
    "rustc cargo)"
)
# Where rustup and distribution packages put rustc, after the PATH lookup.
_CANDIDATES = (
    Path("/usr/local/cargo/bin"),
    Path("/root/.cargo/bin"),
    Path("/usr/local/bin"),
    Path("/usr/bin"),
)
_MANIFEST = "crates.json"


@dataclass(frozen=True)
class RustTools:
    """The real compiler and cargo inside the toolchain's sysroot."""

    rustc: Path
    cargo: Path
    sysroot: Path
    version: str  # e.g. "rustc 1.95.0 (59807616e 2026-04-14)"


@dataclass(frozen=True)
class Crates:
    """The rlibs ``setup`` built for one profile: ``-L dependency=`` dir and ``--extern``s."""

    deps: Path
    externs: tuple[tuple[str, Path], ...]

    def flags(self) -> tuple[str, ...]:
        flags = ["-L", f"dependency={self.deps}"]
        for name, path in self.externs:
            flags += ["--extern", f"{name}={path}"]
        return tuple(flags)


@functools.cache
def find_tools(rustc: Path | None = None) -> RustTools | str:
    """The toolchain of ``rustc`` (a toolchain's compiler or a rustup proxy; by default the one
    on PATH, else in the usual install folders), or a problem naming what is missing and how
    to install it."""
    if rustc is not None and not rustc.is_file():
        return f"rustc not found at {rustc}: give the path of an installed rustc, or {INSTALL_HINT}"
    proxy = rustc or _find_rustc()
    if proxy is None:
        return f"rustc not found: {INSTALL_HINT}"
    env = _proxy_env(proxy)
    result = run_process(
        [str(proxy), "--print", "sysroot"], cwd=Path(tempfile.gettempdir()), env=env, timeout=60
    )
    if not result.ok:
        return (
            f"{proxy} --print sysroot failed: {result.stderr.strip() or result.reason}; "
            f"{INSTALL_HINT}"
        )
    sysroot = Path(result.stdout.strip())
    rustc, cargo = sysroot / "bin" / "rustc", sysroot / "bin" / "cargo"
    version = run_process(
        [str(rustc), "--version"],
        cwd=Path(tempfile.gettempdir()),
        env={"PATH": "/usr/bin:/bin"},
        timeout=60,
    )
    if not version.ok:
        return f"{rustc} --version failed: {version.stderr.strip() or version.reason}"
    if not Path("/usr/bin/cc").exists():
        return "rustc needs a C linker at /usr/bin/cc: apt-get install gcc"
    return RustTools(rustc, cargo, sysroot, version.stdout.strip())


def _find_rustc() -> Path | None:
    found = shutil.which("rustc")
    if found is not None:
        return Path(found)
    return next((d / "rustc" for d in _CANDIDATES if (d / "rustc").is_file()), None)


# rustup's two layouts: CARGO_HOME's name -> RUSTUP_HOME's name beside it. ``~/.cargo`` and
# ``~/.rustup`` by default; ``/usr/local/cargo`` and ``/usr/local/rustup`` in the official
# rust image and in PerfOrch's own Dockerfile, which set both variables.
_RUSTUP_HOMES = {".cargo": ".rustup", "cargo": "rustup"}


def _proxy_env(proxy: Path) -> dict[str, str]:
    """rustup's proxies find their toolchains through RUSTUP_HOME, which the sandbox does not
    inherit: the rustup home beside the proxy's cargo home. A distribution's rustc ignores it."""
    env = {"PATH": f"{proxy.parent}:/usr/bin:/bin"}
    cargo_home = proxy.parent.parent
    rustup_name = _RUSTUP_HOMES.get(cargo_home.name)
    if proxy.parent.name == "bin" and rustup_name is not None:
        rustup_home = cargo_home.parent / rustup_name
        if rustup_home.is_dir():
            env |= {"RUSTUP_HOME": str(rustup_home), "CARGO_HOME": str(cargo_home)}
    return env


@dataclass(frozen=True)
class _Manifest:
    rustc: str
    versions: dict[str, str]
    profiles: dict[str, Crates]


def crates(support_dir: Path, tools: RustTools, profile: str) -> Crates | None:
    """The crates ``setup`` built with this compiler, or None when not set up (or stale)."""
    manifest = _manifest(support_dir / _MANIFEST)
    if manifest is None or manifest.rustc != tools.version or profile not in manifest.profiles:
        return None
    built = manifest.profiles[profile]
    return built if all(path.is_file() for _, path in built.externs) else None


def crates_digest(support_dir: Path) -> str:
    """Changes whenever ``setup`` rebuilds the crates (part of every build's cache key)."""
    try:
        return hashlib.sha256((support_dir / _MANIFEST).read_bytes()).hexdigest()[:16]
    except OSError:
        return "no-crates"


def crate_versions(support_dir: Path) -> str | None:
    manifest = _manifest(support_dir / _MANIFEST)
    if manifest is None:
        return None
    return ", ".join(f"{name} {version}" for name, version in sorted(manifest.versions.items()))


@functools.cache
def _manifest_cached(path: Path, mtime_ns: int) -> _Manifest | None:
    try:
        raw = json.loads(path.read_text())
        return _Manifest(
            rustc=str(raw["rustc"]),
            versions={str(k): str(v) for k, v in raw["versions"].items()},
            profiles={
                profile: Crates(
                    Path(built["deps"]),
                    tuple((name, Path(rlib)) for name, rlib in sorted(built["externs"].items())),
                )
                for profile, built in raw["profiles"].items()
            },
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _manifest(path: Path) -> _Manifest | None:
    try:
        mtime = path.stat().st_mtime_ns
    except OSError:
        return None
    return _manifest_cached(path, mtime)


def build_crates(support_dir: Path, tools: RustTools) -> list[str]:
    """Build ``CRATES`` with cargo in both profiles (idempotent); problems, empty when ready."""
    if all(crates(support_dir, tools, profile) for profile in PROFILES):
        return []
    project = support_dir / "crates"
    (project / "src").mkdir(parents=True, exist_ok=True)
    dependencies = "\n".join(f'{name} = "{version}"' for name, version in CRATES.items())
    (project / "Cargo.toml").write_text(
        '[package]\nname = "perforch_crates"\nversion = "0.0.0"\nedition = "2021"\n'
        f"publish = false\n\n[dependencies]\n{dependencies}\n"
    )
    (project / "src" / "lib.rs").write_text("".join(f"pub use {name};\n" for name in CRATES))
    env = {
        "PATH": f"{tools.sysroot / 'bin'}:/usr/bin:/bin",
        "RUSTC": str(tools.rustc),
        "CARGO_HOME": str(support_dir / "cargo-home"),
        "HOME": str(support_dir),
        "CARGO_TERM_COLOR": "never",
    }
    profiles: dict[str, object] = {}
    versions: dict[str, str] = {}
    for profile in PROFILES:
        argv = [str(tools.cargo), "build", "--lib", "--message-format=json"]
        if profile == "release":
            argv.append("--release")
        result = run_process(argv, cwd=project, env=env, timeout=1800)
        if not result.ok:
            return [
                f"cargo could not build the crates {', '.join(CRATES)} ({result.reason}): "
                f"{result.stderr.strip()[-1500:]}; crates.io must be reachable once"
            ]
        externs = _artifacts(result.stdout, versions)
        missing = set(CRATES) - set(externs)
        if missing:
            return [f"cargo built no rlib for {', '.join(sorted(missing))}"]
        profiles[profile] = {"deps": str(project / "target" / profile / "deps"), "externs": externs}
    _readable(support_dir, project / "target")
    manifest = {"rustc": tools.version, "versions": versions, "profiles": profiles}
    temporary = support_dir / f"{_MANIFEST}.{os.getpid()}"
    temporary.write_text(json.dumps(manifest, indent=2, sort_keys=True))
    temporary.chmod(0o644)
    temporary.replace(support_dir / _MANIFEST)
    return []


def _artifacts(stdout: str, versions: dict[str, str]) -> dict[str, str]:
    """The rlib of each crate in ``CRATES`` from cargo's JSON messages (and its version)."""
    externs: dict[str, str] = {}
    for line in stdout.splitlines():
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if message.get("reason") != "compiler-artifact":
            continue
        name = message["target"]["name"]
        if name in CRATES:
            externs[name] = next(f for f in message["filenames"] if f.endswith(".rlib"))
            versions[name] = message["package_id"].rsplit("@", 1)[-1]
    return externs


def _readable(support_dir: Path, target: Path) -> None:
    """The sandbox's build user must read the rlibs: directories a+rx, files a+r."""
    for directory in (support_dir, support_dir / "crates"):
        directory.chmod(0o755)
    for folder, _dirs, files in os.walk(target):
        Path(folder).chmod(0o755)
        for file in files:
            path = Path(folder) / file
            path.chmod(path.stat().st_mode | 0o444)
