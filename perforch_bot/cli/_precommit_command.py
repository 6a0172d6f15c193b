"""``perforch precommit``: the pre-commit hook. Fast when there is nothing to do: only click is
imported until a staged file in a supported language shows up."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import click

from perforch_bot.cli._context import sandbox_options

# The extensions of the five languages (kept in step with perforch_bot.targets by a test):
# importing that package costs more than this hook may take when it has nothing to do.
SOURCE_SUFFIXES = (
    ".py",
    ".java",
    ".go",
    ".rs",
    ".cpp",
    ".cc",
    ".cxx",
    ".c++",
    ".hpp",
    ".hh",
    ".hxx",
    ".h",
    ".ipp",
    ".tpp",
)


@click.command("precommit")
@click.argument("files", nargs=-1)
@click.option(
    "--mode",
    type=click.Choice(["check", "suggest"]),
    default="check",
    show_default=True,
    help="check: block a commit that slows a function down; suggest: write optimized patches.",
)
@click.option("--base", default="HEAD", show_default=True, help="Compare the staged files to this.")
@click.option(
    "--max-slowdown",
    type=float,
    default=None,
    help="Block above this slowdown (a fraction) [default: max_slowdown in .perforch.yml, 0.10].",
)
@click.option(
    "--max-seconds", type=float, default=20.0, show_default=True, help="Timing budget per function."
)
@click.option(
    "--max-cost", type=float, default=0.10, show_default=True, help="suggest: most to spend, USD."
)
@sandbox_options
def precommit_command(
    files: tuple[str, ...],
    mode: Literal["check", "suggest"],
    base: str,
    max_slowdown: float | None,
    max_seconds: float,
    max_cost: float,
    **sandbox: Any,
) -> int:
    """Check (or optimize) the functions a commit changes. FILES: the staged files pre-commit
    passes [default: all staged files]."""
    wanted = [f for f in files if f.lower().endswith(SOURCE_SUFFIXES)]
    if files and not wanted:
        return 0  # nothing in a supported language: the common case must cost nothing
    from perforch_bot.cli._precommit_run import run_precommit

    return run_precommit(
        wanted,
        mode=mode,
        base=base,
        max_slowdown=max_slowdown,
        max_seconds=max_seconds,
        max_cost=max_cost,
        sandbox=sandbox,
        cwd=Path.cwd(),
    )
