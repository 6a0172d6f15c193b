"""``perforch event EVENT_NAME PAYLOAD.json``: what PerfOrch would make of a GitHub event, read
from the payload alone (GitHub is not called, so the sender's permission is "not checked")."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:
    from perforch_bot.events import Trigger


@click.command("event")
@click.argument("event_name")
@click.argument("payload", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--label",
    "issue_label",
    default="perforch",
    show_default=True,
    help="The label that puts an issue in PerfOrch's hands.",
)
@click.option("--drafts", is_flag=True, help="Draft pull requests run too.")
@click.option("--app-login", help="The login PerfOrch posts as (its comments are ignored).")
@click.option("--json", "as_json", is_flag=True, help="Print the trigger as JSON.")
def event_command(
    event_name: str,
    payload: Path,
    issue_label: str,
    drafts: bool,
    app_login: str | None,
    as_json: bool,
) -> int:
    """Print the trigger of EVENT_NAME (pull_request, issue_comment, issues, ...) with the
    webhook body PAYLOAD.json: kind, repository, number, head commit, command, targets, sender,
    and whether it is allowed and why."""
    from perforch_bot.events import EventError, EventSettings, parse_event_json

    settings = EventSettings(
        issue_label=issue_label, draft_pull_requests=drafts, app_login=app_login
    )
    try:
        trigger = parse_event_json(event_name, payload.read_bytes(), settings)
    except EventError as exc:
        raise click.BadParameter(str(exc), param_hint="PAYLOAD") from None
    if as_json:
        click.echo(json.dumps(trigger.to_json(), indent=2))
    else:
        click.echo(describe(trigger))
    return 0


def describe(trigger: Trigger) -> str:
    """The trigger as aligned ``name: value`` lines."""
    where = "pull request" if trigger.is_pull_request else "issue"
    number = f"#{trigger.number} ({where})" if trigger.number is not None else "-"
    if trigger.head_sha:
        head = trigger.head_sha
    elif trigger.is_pull_request:
        head = "not in the payload (fetched from the pull request)"
    else:
        head = "-"
    command = trigger.command.text if trigger.command is not None else "-"
    if trigger.targets:
        targets = ", ".join(trigger.targets)
    elif trigger.kind in ("pull_request", "comment_command") and trigger.is_pull_request:
        targets = "the functions the pull request changes"
    else:
        targets = "-"
    sender = trigger.sender + (" (bot)" if trigger.sender_is_bot else "")
    if trigger.allowed is None:
        allowed = "if the sender has write, maintain or admin permission"
    else:
        allowed = "yes" if trigger.allowed else "no"
    rows = [
        ("event", f"{trigger.event} ({trigger.action})" if trigger.action else trigger.event),
        ("kind", trigger.kind),
        ("repo", trigger.repo),
        ("number", number),
        ("head SHA", head),
        ("command", command),
        ("targets", targets),
        ("sender", sender),
        ("permission", trigger.permission or "not checked (perforch event does not call GitHub)"),
        ("allowed", allowed),
        ("reason", trigger.reason),
    ]
    width = max(len(name) for name, _ in rows) + 1
    return "\n".join(f"{name + ':':<{width}} {value}" for name, value in rows)
