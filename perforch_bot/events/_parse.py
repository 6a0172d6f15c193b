"""From a GitHub event (its name, from ``X-GitHub-Event`` or ``GITHUB_EVENT_NAME``, and its JSON
payload) to a ``Trigger``. Pure: nothing here calls GitHub.

- ``pull_request`` (and ``pull_request_target``) opened, synchronize, reopened,
  ready_for_review: the functions the pull request changes; drafts only when configured.
- ``issue_comment`` created, with a ``/perforch`` command: on a pull request (the payload's
  ``issue.pull_request`` is there) the command's targets, or the changed functions; on an issue
  the command's targets, or those the issue's body names.
- ``issues`` opened with the configured label, or labeled with it: the targets its body names.

Whatever a bot says is ignored (GitHub Apps, github-actions, dependabot, PerfOrch itself), as
is anything on a closed pull request or issue. Everything else is ``ignore`` with a reason.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from perforch_bot.errors import EventError
from perforch_bot.events._command import parse_command, targets_in_text
from perforch_bot.events._model import Command, EventSettings, Trigger, TriggerKind
from perforch_bot.github import SUMMARY_MARKER

PULL_REQUEST_ACTIONS = ("opened", "synchronize", "reopened", "ready_for_review")


def parse_event_json(
    name: str, text: str | bytes, settings: EventSettings | None = None
) -> Trigger:
    """``parse_event`` on a payload still in JSON."""
    try:
        payload = json.loads(text)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise EventError(f"the {name} payload is not JSON ({exc})") from None
    return parse_event(name, payload, settings)


def parse_event(name: str, payload: object, settings: EventSettings | None = None) -> Trigger:
    """The trigger for event ``name`` with ``payload`` (the webhook's JSON body)."""
    settings = settings or EventSettings()
    if not isinstance(payload, Mapping):
        raise EventError(f"the {name} payload must be a JSON object, not {type(payload).__name__}")
    sender = _field(payload, name, "sender", "login")
    base = Trigger(
        kind="ignore",
        event=name,
        action=str(payload.get("action") or ""),
        repo=_field(payload, name, "repository", "full_name"),
        number=None,
        is_pull_request=False,
        sender=sender,
        sender_is_bot=_is_bot(payload["sender"], settings),
        allowed=False,
        reason="",
    )
    if name in ("pull_request", "pull_request_target"):
        return _pull_request(base, payload, settings)
    if name == "issue_comment":
        return _comment(base, payload, settings)
    if name == "issues":
        return _issue(base, payload, settings)
    return _ignore(base, f"PerfOrch does not act on {name} events")


def _pull_request(base: Trigger, payload: Mapping[str, Any], settings: EventSettings) -> Trigger:
    pull = _object(payload, base.event, "pull_request")
    base = replace(
        base,
        number=_number(pull, base.event, "pull_request"),
        is_pull_request=True,
        head_sha=_field(payload, base.event, "pull_request", "head", "sha"),
        base_sha=_field(payload, base.event, "pull_request", "base", "sha"),
    )
    if base.action not in PULL_REQUEST_ACTIONS:
        shown = ", ".join(PULL_REQUEST_ACTIONS)
        return _ignore(base, f"pull request {base.action or 'event'}: PerfOrch runs on {shown}")
    if pull.get("state") == "closed":
        return _ignore(base, "the pull request is closed")
    if pull.get("draft") and not settings.draft_pull_requests:
        return _ignore(base, "the pull request is a draft (drafts run only when configured)")
    if base.sender_is_bot:
        return _ignore(base, f"{base.sender} is a bot; PerfOrch does not act for bots")
    return _pending(
        base, "pull_request", f"pull request {base.action}: optimize the functions it changes"
    )


def _comment(base: Trigger, payload: Mapping[str, Any], settings: EventSettings) -> Trigger:
    issue = _object(payload, base.event, "issue")
    comment = _object(payload, base.event, "comment")
    body = str(comment.get("body") or "")
    author = _object(comment, base.event, "user")
    base = replace(
        base,
        number=_number(issue, base.event, "issue"),
        is_pull_request=issue.get("pull_request") is not None,
        comment_id=_number(comment, base.event, "comment", key="id"),
        sender=str(author.get("login") or base.sender),
        sender_is_bot=base.sender_is_bot or _is_bot(author, settings),
    )
    where = "pull request" if base.is_pull_request else "issue"
    if base.action != "created":
        return _ignore(base, f"comment {base.action or 'event'}: only new comments are read")
    if SUMMARY_MARKER in body or base.sender == settings.app_login:
        return _ignore(base, "PerfOrch's own comment")
    if base.sender_is_bot:
        return _ignore(base, f"comment by a bot ({base.sender}); PerfOrch does not act for bots")
    command = parse_command(body, settings.command_prefix)
    if command is None:
        return _ignore(base, f"the comment has no {settings.command_prefix} command")
    base = replace(base, command=command)
    if issue.get("state") == "closed":
        return _ignore(base, f"the {where} is closed")
    if command.error is not None:
        return _pending(base, "help", f"the command cannot be run: {command.error}")
    if command.name == "help":
        return _pending(base, "help", "asked for help")
    if command.name == "ignore":
        return _pending(base, "comment_command", "leave the named functions alone", command)
    if command.targets or base.is_pull_request:
        what = "the named functions" if command.targets else "the functions it changes"
        return _pending(base, "comment_command", f"optimize {what}", command)
    named = _named_in_body(issue, settings)
    if not named:
        return _pending(
            base, "help", "the command and the issue name no function (write path::Function)"
        )
    return replace(
        _pending(base, "comment_command", "optimize the functions the issue names"),
        targets=named,
    )


def _issue(base: Trigger, payload: Mapping[str, Any], settings: EventSettings) -> Trigger:
    issue = _object(payload, base.event, "issue")
    base = replace(base, number=_number(issue, base.event, "issue"))
    label = settings.issue_label
    labels = [str(item.get("name")) for item in issue.get("labels") or () if isinstance(item, dict)]
    if base.action == "opened" and label not in labels:
        return _ignore(base, f"issue opened without the {label!r} label")
    if base.action == "labeled":
        added = payload.get("label")
        name = str(added.get("name")) if isinstance(added, Mapping) else ""
        if name != label:
            return _ignore(base, f"issue labeled {name!r}, not {label!r}")
    elif base.action != "opened":
        return _ignore(base, f"issue {base.action or 'event'}: PerfOrch runs on opened, labeled")
    if issue.get("state") == "closed":
        return _ignore(base, "the issue is closed")
    if base.sender_is_bot:
        return _ignore(base, f"{base.sender} is a bot; PerfOrch does not act for bots")
    named = _named_in_body(issue, settings)
    if not named:
        return _pending(base, "help", "the issue names no function (write path::Function)")
    return replace(_pending(base, "issue", "optimize the functions the issue names"), targets=named)


def _named_in_body(issue: Mapping[str, Any], settings: EventSettings) -> tuple[str, ...]:
    body = str(issue.get("body") or "")
    command = parse_command(body, settings.command_prefix)
    if command is not None and command.name == "optimize" and command.targets:
        return command.targets  # a command with an error has no targets
    return targets_in_text(body)


def _pending(
    base: Trigger, kind: TriggerKind, what: str, command: Command | None = None
) -> Trigger:
    targets = command.targets if command is not None else ()
    return replace(base, kind=kind, allowed=None, reason=what, targets=targets)


def _ignore(base: Trigger, reason: str) -> Trigger:
    return replace(base, kind="ignore", allowed=False, reason=reason)


def _is_bot(user: object, settings: EventSettings) -> bool:
    if not isinstance(user, Mapping):
        return False
    login = str(user.get("login") or "")
    return user.get("type") == "Bot" or login.endswith("[bot]") or login == settings.app_login


def _object(payload: Mapping[str, Any], event: str, *path: str) -> Mapping[str, Any]:
    value: Any = payload
    for key in path:
        value = value.get(key) if isinstance(value, Mapping) else None
    if not isinstance(value, Mapping):
        raise EventError(f"the {event} payload has no {'.'.join(path)} object")
    return value


def _field(payload: Mapping[str, Any], event: str, *path: str) -> str:
    value = _object(payload, event, *path[:-1]).get(path[-1])
    if not isinstance(value, str) or not value:
        raise EventError(f"the {event} payload has no {'.'.join(path)}")
    return value


def _number(item: Mapping[str, Any], event: str, where: str, key: str = "number") -> int:
    value = item.get(key)
    if isinstance(value, bool) or not isinstance(value, int):
        raise EventError(f"the {event} payload has no {where}.{key}")
    return value
