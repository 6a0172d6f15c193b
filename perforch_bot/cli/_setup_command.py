"""``perforch setup`` and ``perforch doctor``: prepare and check the toolchains and backends."""

from __future__ import annotations

import json
from typing import Any

import click

from perforch_bot.cli._context import sandbox_options, settings_from
from perforch_bot.cli._tables import render_table
from sandbox import BACKENDS, LANGUAGES, SandboxError, make_backend, probe_steadiness


@click.command()
@click.option("--quiet", is_flag=True, help="Print only problems.")
@sandbox_options
def setup(quiet: bool, **sandbox: Any) -> int:
    """Fetch and build what each language's programs compile against (idempotent; offline
    afterwards): HumanEval-X's Rust crates, Go's testify module."""
    support = settings_from(**sandbox).support()
    problems = []
    for name, language in LANGUAGES.items():
        found = language.setup(support)
        problems += [f"{name}: {p}" for p in found]
        if not quiet and not found:
            click.echo(f"{name}: ready")
    for problem in problems:
        click.echo(problem, err=True)
    return 1 if problems else 0


@click.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@sandbox_options
def doctor(as_json: bool, **sandbox: Any) -> int:
    """Each language's toolchain and version, each sandbox backend (does it work here?), and
    whether this machine runs code at a steady speed (about a second of timing)."""
    settings = settings_from(**sandbox)
    support = settings.support()
    toolchains = [language.toolchain(support) for language in LANGUAGES.values()]
    backends = []
    for name in BACKENDS:
        try:
            backends.append(make_backend(name, settings.backend_options).health())
        except SandboxError as exc:
            backends.append(_unavailable(name, str(exc)))
    timing = probe_steadiness()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "languages": [
                        {
                            "language": t.language,
                            "tool": t.tool,
                            "version": t.version,
                            "ok": t.ok,
                            "problem": t.problem,
                        }
                        for t in toolchains
                    ],
                    "backends": [
                        {
                            "backend": b.name,
                            "works": b.works,
                            "detail": b.detail,
                            "isolation": list(b.isolation),
                        }
                        for b in backends
                    ],
                    "timing": {
                        "steady": timing.steady,
                        "windows": timing.windows,
                        "slow_over_fast": round(timing.ratio, 3),
                        "slow_share": round(timing.slow_share, 3),
                        "detail": timing.describe(),
                    },
                },
                indent=2,
            )
        )
    else:
        click.echo(
            render_table(
                ["language", "status", "tool", "version / problem"],
                [
                    [t.language, "ok" if t.ok else "MISSING", t.tool, t.version or t.problem or ""]
                    for t in toolchains
                ],
            )
        )
        click.echo()
        click.echo(
            render_table(
                ["backend", "status", "isolation", "detail"],
                [
                    [
                        b.name,
                        "works" if b.works else "unavailable",
                        ", ".join(b.isolation),
                        b.detail,
                    ]
                    for b in backends
                ],
            )
        )
        click.echo()
        click.echo(f"timing: {timing.describe()}")
    ok = all(t.ok for t in toolchains) and any(b.works for b in backends)
    return 0 if ok else 1


def _unavailable(name: str, detail: str):  # type: ignore[no-untyped-def]
    from sandbox import BackendHealth

    return BackendHealth(name, False, detail)
