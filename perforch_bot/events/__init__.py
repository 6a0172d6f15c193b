"""GitHub events as triggers: which event asks PerfOrch for what, and whether it may.

``parse_event(name, payload, settings)`` reads a webhook payload (pure; nothing is fetched)
into a ``Trigger``: its kind (``pull_request``, ``comment_command``, ``issue``, ``help``,
``ignore``), repository, number, head commit, the ``/perforch`` command, the targets, the
sender, and whether it is allowed and why. A trigger that needs the sender's permission has
``allowed`` None until ``authorize(client, trigger)`` asks GitHub.
"""

from __future__ import annotations

from perforch_bot.errors import EventError
from perforch_bot.events._authorize import authorize
from perforch_bot.events._command import (
    COMMANDS,
    find_command_line,
    help_text,
    parse_command,
    targets_in_text,
)
from perforch_bot.events._model import (
    Command,
    CommandName,
    CommandOptions,
    EventSettings,
    Trigger,
    TriggerKind,
)
from perforch_bot.events._parse import PULL_REQUEST_ACTIONS, parse_event, parse_event_json

__all__ = [
    "COMMANDS",
    "PULL_REQUEST_ACTIONS",
    "Command",
    "CommandName",
    "CommandOptions",
    "EventError",
    "EventSettings",
    "Trigger",
    "TriggerKind",
    "authorize",
    "find_command_line",
    "help_text",
    "parse_command",
    "parse_event",
    "parse_event_json",
    "targets_in_text",
]
