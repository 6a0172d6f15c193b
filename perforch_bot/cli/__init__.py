"""The ``perforch`` command line: thin click commands that parse, call the core and print."""

from __future__ import annotations

from collections.abc import Sequence

import click

from perforch_bot.cli._group import cli

__all__ = ["cli", "main"]


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point: run the CLI and return its exit code instead of exiting."""
    try:
        result = cli.main(
            args=list(argv) if argv is not None else None,
            prog_name="perforch",
            standalone_mode=False,
        )
    except click.exceptions.Abort:
        click.echo("Aborted.", err=True)
        return 130
    except click.ClickException as exc:
        exc.show()
        return exc.exit_code
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    return int(result) if isinstance(result, int) else 0
