"""Finding Rust's toolchain through rustup's proxies, in both of rustup's layouts."""

from __future__ import annotations

import shutil
from pathlib import Path

from sandbox.languages import _rust_toolchain
from tests.support.sandbox import linked_toolchain


def _rustup() -> Path:
    found = shutil.which("rustup") or str(Path.home() / ".cargo" / "bin" / "rustup")
    assert Path(found).is_file(), "these tests need rustup, which installs this machine's Rust"
    return Path(found)


def _rustup_layout(root: Path, cargo_home: str, rustup_home: str) -> Path:
    """A rustup install under ``root``: its proxy ``rustc`` in ``cargo_home/bin`` and, in
    ``rustup_home``, a default toolchain hard-linked from this machine's (rustc names its
    sysroot by its own resolved path, so a symbolic link would name this machine's). Returns
    the proxy."""
    default = _rust_toolchain.find_tools()
    assert not isinstance(default, str), default
    linked_toolchain(default.sysroot, root / rustup_home / "toolchains" / "perforch-linked")
    (root / rustup_home / "settings.toml").write_text(
        'version = "12"\ndefault_toolchain = "perforch-linked"\n'
    )
    proxy = root / cargo_home / "bin" / "rustc"
    proxy.parent.mkdir(parents=True)
    proxy.symlink_to(_rustup())
    return proxy


def test_a_proxy_in_usr_local_cargo_uses_the_rustup_home_beside_it(tmp_path: Path) -> None:
    # The official rust image's layout and the Action's Dockerfile's: CARGO_HOME=/usr/local/cargo,
    # RUSTUP_HOME=/usr/local/rustup. The sandbox passes neither variable on, so before the
    # rustup home was looked for beside the cargo home, the proxy fell back to ~/.rustup (the
    # wrong toolchain here; in the Action's container, none: `perforch setup` failed).
    proxy = _rustup_layout(tmp_path, "cargo", "rustup")
    tools = _rust_toolchain.find_tools(proxy)
    assert not isinstance(tools, str), tools
    assert tools.sysroot == tmp_path / "rustup" / "toolchains" / "perforch-linked"
    assert tools.rustc == tools.sysroot / "bin" / "rustc"
    assert tools.version.startswith("rustc 1.")


def test_a_proxy_in_dot_cargo_uses_dot_rustup_beside_it(tmp_path: Path) -> None:
    proxy = _rustup_layout(tmp_path, ".cargo", ".rustup")
    tools = _rust_toolchain.find_tools(proxy)
    assert not isinstance(tools, str), tools
    assert tools.sysroot == tmp_path / ".rustup" / "toolchains" / "perforch-linked"


def test_a_proxy_with_no_rustup_home_beside_it_is_not_given_one(tmp_path: Path) -> None:
    proxy = _rustup_layout(tmp_path, "cargo", "elsewhere")
    assert "RUSTUP_HOME" not in _rust_toolchain._proxy_env(proxy)
    assert _rust_toolchain._proxy_env(_rustup_layout(tmp_path / "b", "cargo", "rustup")) == {
        "PATH": f"{tmp_path / 'b' / 'cargo' / 'bin'}:/usr/bin:/bin",
        "RUSTUP_HOME": str(tmp_path / "b" / "rustup"),
        "CARGO_HOME": str(tmp_path / "b" / "cargo"),
    }
