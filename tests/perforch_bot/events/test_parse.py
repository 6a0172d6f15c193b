"""Real webhook payloads read as triggers: what each event asks for, and what is ignored."""

from __future__ import annotations

import json
from typing import Any

import pytest

from perforch_bot.events import (
    CommandOptions,
    EventError,
    EventSettings,
    Trigger,
    parse_event,
    parse_event_json,
)
from perforch_bot.github import SUMMARY_MARKER
from tests.perforch_bot.events.payloads import HEAD, REPO, comment, load


@pytest.mark.parametrize("action", ["opened", "synchronize", "reopened"])
def test_pull_request_events_ask_for_the_changed_functions(action: str) -> None:
    trigger = parse_event("pull_request", load("pull_request", action))
    assert trigger == Trigger(
        kind="pull_request",
        event="pull_request",
        action=action,
        repo=REPO,
        number=2,
        is_pull_request=True,
        sender="Codertocat",
        sender_is_bot=False,
        allowed=None,
        reason=f"pull request {action}: optimize the functions it changes",
        head_sha=HEAD,
        base_sha="f95f852bd8fca8fcc58a9a2d6c842781e32a215e",
    )
    assert trigger.needs_permission_check


def test_ready_for_review_and_pull_request_target() -> None:
    payload = load("pull_request", "opened")
    payload["action"] = "ready_for_review"
    assert parse_event("pull_request", payload).kind == "pull_request"
    assert parse_event("pull_request_target", load("pull_request", "opened")).head_sha == HEAD


def test_drafts_are_skipped_unless_configured() -> None:
    payload = load("pull_request", "synchronize")
    payload["pull_request"]["draft"] = True
    skipped = parse_event("pull_request", payload)
    assert (skipped.kind, skipped.allowed) == ("ignore", False)
    assert "draft" in skipped.reason and skipped.head_sha == HEAD
    kept = parse_event("pull_request", payload, EventSettings(draft_pull_requests=True))
    assert kept.kind == "pull_request" and kept.allowed is None


def test_other_pull_request_actions_are_ignored() -> None:
    trigger = parse_event("pull_request", load("pull_request", "labeled"))
    assert trigger.kind == "ignore"
    assert trigger.reason == (
        "pull request labeled: PerfOrch runs on opened, synchronize, reopened, ready_for_review"
    )


def test_a_closed_pull_request_and_a_bots_push_are_ignored() -> None:
    closed = load("pull_request", "reopened")
    closed["pull_request"]["state"] = "closed"
    assert parse_event("pull_request", closed).reason == "the pull request is closed"
    bot = load("pull_request", "synchronize")
    bot["sender"].update(login="dependabot[bot]", type="Bot")
    trigger = parse_event("pull_request", bot)
    assert (trigger.kind, trigger.sender_is_bot) == ("ignore", True)
    assert "dependabot[bot] is a bot" in trigger.reason


def test_a_comment_without_a_command_is_ignored() -> None:
    trigger = parse_event("issue_comment", load("issue_comment", "created"))
    assert (trigger.kind, trigger.allowed, trigger.number) == ("ignore", False, 1)
    assert trigger.reason == "the comment has no /perforch command"
    assert trigger.comment_id == 492700400 and not trigger.is_pull_request


def test_optimize_on_a_pull_request_defaults_to_the_changed_functions() -> None:
    trigger = parse_event("issue_comment", comment("/perforch optimize"))
    assert (trigger.kind, trigger.is_pull_request, trigger.targets) == (
        "comment_command",
        True,
        (),
    )
    assert trigger.head_sha is None  # a comment's payload has none: fetch the pull request
    assert trigger.command is not None and trigger.command.name == "optimize"
    assert trigger.reason == "optimize the functions it changes"
    assert trigger.allowed is None and trigger.comment_id == 492700400


def test_optimize_with_targets_and_flags() -> None:
    body = (
        "Thanks! Could you try:\n\n"
        "/perforch optimize src/stats.py::mean 'src/lib.rs::<Parser as Display>::fmt' "
        "--max-cost 2.5 --model gpt-4.1 --model=claude --inputs bench/inputs.py\n"
    )
    trigger = parse_event("issue_comment", comment(body))
    assert trigger.targets == ("src/stats.py::mean", "src/lib.rs::<Parser as Display>::fmt")
    assert trigger.command is not None
    assert trigger.command.options == CommandOptions(
        max_cost=2.5, models=("gpt-4.1", "claude"), inputs="bench/inputs.py"
    )
    assert trigger.reason == "optimize the named functions"


def test_help_and_ignore_commands() -> None:
    helped = parse_event("issue_comment", comment("/perforch help"))
    assert (helped.kind, helped.reason, helped.allowed) == ("help", "asked for help", None)
    ignored = parse_event("issue_comment", comment("/perforch ignore src/stats.py::mean"))
    assert ignored.kind == "comment_command" and ignored.targets == ("src/stats.py::mean",)
    assert ignored.command is not None and ignored.command.name == "ignore"


def test_a_malformed_command_gets_help_with_the_reason() -> None:
    trigger = parse_event("issue_comment", comment("/perforch optimise src/a.py::f"))
    assert trigger.kind == "help" and trigger.allowed is None
    assert trigger.reason == (
        "the command cannot be run: unknown command 'optimise'; the commands are optimize, "
        "help, ignore"
    )
    flags = parse_event("issue_comment", comment("/perforch optimize --max-cost -1"))
    assert flags.kind == "help" and "--max-cost '-1': must be a number above 0" in flags.reason


def test_on_an_issue_the_targets_come_from_the_command_or_the_body() -> None:
    named = parse_event(
        "issue_comment", comment("/perforch optimize src/a.go::Sum", on_pull_request=False)
    )
    assert (named.kind, named.targets, named.is_pull_request) == (
        "comment_command",
        ("src/a.go::Sum",),
        False,
    )
    payload = comment("/perforch optimize", on_pull_request=False)
    payload["issue"]["body"] = "Slow: `src/stats.py::mean` and src/Foo.java::Foo.bar(int[])."
    from_body = parse_event("issue_comment", payload)
    assert from_body.targets == ("src/stats.py::mean", "src/Foo.java::Foo.bar(int[])")
    assert from_body.reason == "optimize the functions the issue names"
    nothing = parse_event("issue_comment", comment("/perforch optimize", on_pull_request=False))
    assert nothing.kind == "help" and "name no function" in nothing.reason


@pytest.mark.parametrize(
    ("login", "kind", "settings", "reason"),
    [
        ("perforch[bot]", "Bot", EventSettings(), "comment by a bot (perforch[bot])"),
        ("github-actions[bot]", "Bot", EventSettings(), "comment by a bot"),
        ("renovate-bot", "Bot", EventSettings(), "comment by a bot"),
        ("perforch-user", "User", EventSettings(app_login="perforch-user"), "PerfOrch's own"),
    ],
)
def test_comments_from_bots_and_from_perforch_itself_are_ignored(
    login: str, kind: str, settings: EventSettings, reason: str
) -> None:
    payload = comment("/perforch optimize")
    payload["comment"]["user"].update(login=login, type=kind)
    payload["sender"].update(login=login, type=kind)
    trigger = parse_event("issue_comment", payload, settings)
    assert (trigger.kind, trigger.allowed, trigger.sender) == ("ignore", False, login)
    assert reason in trigger.reason


def test_perforchs_own_summary_is_never_a_command() -> None:
    body = f"{SUMMARY_MARKER}\n## PerfOrch\nAsk again with:\n/perforch optimize src/a.py::f"
    trigger = parse_event("issue_comment", comment(body))
    assert (trigger.kind, trigger.reason) == ("ignore", "PerfOrch's own comment")


def test_edited_comments_and_closed_threads_are_ignored() -> None:
    edited = parse_event("issue_comment", comment("/perforch optimize", name="edited"))
    assert edited.reason == "comment edited: only new comments are read"
    payload = comment("/perforch optimize")
    payload["issue"]["state"] = "closed"
    assert parse_event("issue_comment", payload).reason == "the pull request is closed"


def test_an_issue_opened_with_the_label_names_its_targets() -> None:
    payload = load("issues", "opened")
    payload["issue"]["body"] = "Please make `src/lib.rs::Parser::parse` faster."
    settings = EventSettings(issue_label="bug")
    trigger = parse_event("issues", payload, settings)
    assert (trigger.kind, trigger.number, trigger.targets) == (
        "issue",
        1,
        ("src/lib.rs::Parser::parse",),
    )
    assert trigger.allowed is None and trigger.head_sha is None
    without_label = parse_event("issues", payload)
    assert without_label.reason == "issue opened without the 'perforch' label"


def test_an_issue_labeled() -> None:
    payload = load("issues", "labeled")
    payload["issue"]["body"] = "/perforch optimize src/a.cpp::ns::Vec::dot\nthanks"
    trigger = parse_event("issues", payload, EventSettings(issue_label="bug"))
    assert (trigger.kind, trigger.targets) == ("issue", ("src/a.cpp::ns::Vec::dot",))
    other = parse_event("issues", payload)
    assert other.reason == "issue labeled 'bug', not 'perforch'"
    nothing = parse_event("issues", load("issues", "labeled"), EventSettings(issue_label="bug"))
    assert nothing.kind == "help" and "names no function" in nothing.reason


def test_organization_variants_read_the_same() -> None:
    payload = load("issues", "opened.with-organization")
    assert parse_event("issues", payload, EventSettings(issue_label="bug")).kind == "help"
    created = load("issue_comment", "created.with-organization")
    assert parse_event("issue_comment", created).kind == "ignore"


def test_other_events_are_ignored() -> None:
    trigger = parse_event("push", load("pull_request", "opened"))
    assert (trigger.kind, trigger.reason) == ("ignore", "PerfOrch does not act on push events")


def _broken(change: Any) -> dict[str, Any]:
    payload = load("pull_request", "opened")
    change(payload)
    return payload


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        ([], "must be a JSON object, not list"),
        (_broken(lambda p: p.pop("repository")), "no repository object"),
        (_broken(lambda p: p["sender"].pop("login")), "no sender.login"),
        (_broken(lambda p: p["pull_request"].update(number="2")), "no pull_request.number"),
        (_broken(lambda p: p["pull_request"].pop("head")), "no pull_request.head object"),
    ],
)
def test_malformed_payloads(payload: object, message: str) -> None:
    with pytest.raises(EventError, match=message):
        parse_event("pull_request", payload)


def test_json_text() -> None:
    text = json.dumps(load("pull_request", "opened"))
    assert parse_event_json("pull_request", text).number == 2
    with pytest.raises(EventError, match="not JSON"):
        parse_event_json("pull_request", "{nope")


def test_to_json_is_plain_data() -> None:
    data = parse_event("issue_comment", comment("/perforch optimize src/a.py::f --model m"))
    plain = data.to_json()
    assert json.loads(json.dumps(plain)) == plain
    assert plain["permission"] == "not checked" and plain["targets"] == ["src/a.py::f"]
    assert plain["command"]["options"]["models"] == ["m"]
