"""The command group. Each command lives in its own module and is listed here explicitly.

Commands are imported when they run, not when ``perforch`` starts: the pre-commit hook must
exit in a fraction of a second when there is nothing to check, and the pipeline's imports
(pydantic models, tree-sitter, the sandbox) cost more than that.
"""

from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of its click command
COMMANDS: dict[str, str] = {
    "setup": "perforch_bot.cli._setup_command:setup",
    "doctor": "perforch_bot.cli._setup_command:doctor",
    "bench": "perforch_bot.cli._bench_command:bench",
    "eval": "perforch_bot.cli._eval_command:eval_command",
    "targets": "perforch_bot.cli._targets_command:targets",
    "route": "perforch_bot.cli._route_command:route_command",
    "profile": "perforch_bot.cli._profile_command:profile_command",
    "optimize": "perforch_bot.cli._optimize_command:optimize_command",
    "implement": "perforch_bot.cli._implement_command:implement_command",
    "demo": "perforch_bot.cli._optimize_command:demo_command",
    "report": "perforch_bot.cli._report_command:report_command",
    "plan": "perforch_bot.cli._shard_commands:plan_command",
    "run": "perforch_bot.cli._run_command:run_command",
    "merge": "perforch_bot.cli._shard_commands:merge_command",
    "event": "perforch_bot.cli._event_command:event_command",
    "precommit": "perforch_bot.cli._precommit_command:precommit_command",
}


class _LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        where = COMMANDS.get(cmd_name)
        if where is None:
            return None
        module, _, attribute = where.partition(":")
        command = getattr(importlib.import_module(module), attribute)
        if not isinstance(command, click.Command):
            raise TypeError(f"{where} is not a click command")
        return command


@click.group(cls=_LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="perforch")
def cli() -> None:
    """PerfOrch: make code faster, safely, with measured speedups."""
