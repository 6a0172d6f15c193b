"""The command group. Each command lives in its own module and is added here explicitly."""

from __future__ import annotations

import click

from perforch_bot.cli._bench_command import bench
from perforch_bot.cli._eval_command import eval_command
from perforch_bot.cli._optimize_command import demo_command, optimize_command
from perforch_bot.cli._report_command import report_command
from perforch_bot.cli._route_command import route_command
from perforch_bot.cli._setup_command import doctor, setup
from perforch_bot.cli._targets_command import targets


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="perforch")
def cli() -> None:
    """PerfOrch: make code faster, safely, with measured speedups."""


for command in (setup, doctor, bench, eval_command):
    cli.add_command(command)
cli.add_command(targets)
cli.add_command(route_command)
for pipeline_command in (optimize_command, demo_command, report_command):
    cli.add_command(pipeline_command)
