"""``perforch report RUN.json``: a run's trace rendered as the bot would post it."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import click

from perforch_bot.pipeline import TraceError, read_trace, render_report


@click.command("report")
@click.argument("run", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["markdown", "json"]),
    default="markdown",
    show_default=True,
    help="Markdown (as posted on a pull request) or the trace as JSON.",
)
def report_command(run: Path, fmt: Literal["markdown", "json"]) -> int:
    """Render RUN.json (a trace under .perforch/runs/) as Markdown or JSON."""
    try:
        trace = read_trace(run)
    except TraceError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(render_report(trace, fmt), nl=False)
    return 0
