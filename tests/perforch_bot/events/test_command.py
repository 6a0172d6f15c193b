"""``/perforch`` commands as people write them, and target specs named in prose."""

from __future__ import annotations

import pytest

from perforch_bot.events import (
    Command,
    CommandOptions,
    find_command_line,
    help_text,
    parse_command,
    targets_in_text,
)


def test_the_command_line_is_found_among_prose() -> None:
    text = "Nice work.\n\n  /perforch optimize src/a.py::f  \nThanks"
    assert find_command_line(text) == "/perforch optimize src/a.py::f"
    assert find_command_line("I used /perforch optimize yesterday") is None
    assert find_command_line("/perforchify") is None
    assert find_command_line("/perforch") == "/perforch"


def test_quoted_and_fenced_commands_do_not_count() -> None:
    assert find_command_line("> /perforch optimize src/a.py::f\nno thanks") is None
    fenced = "Try:\n```\n/perforch optimize src/a.py::f\n```\n~~~\n/perforch help\n~~~\n"
    assert find_command_line(fenced) is None
    assert find_command_line(fenced + "/perforch help") == "/perforch help"


def test_a_custom_prefix() -> None:
    command = parse_command("/faster optimize src/a.py::f", prefix="/faster")
    assert command is not None and command.targets == ("src/a.py::f",)


def test_every_option() -> None:
    command = parse_command(
        "/perforch optimize a.py::f b.rs::g a.py::f --max-cost=1 --max-seconds 30 "
        "--min-effect 0.05 --model m1 --model m2 --inputs bench/in.py --tests tests/t.py"
    )
    assert command == Command(
        name="optimize",
        targets=("a.py::f", "b.rs::g"),  # a repeated target counts once
        options=CommandOptions(
            max_cost=1.0,
            max_seconds=30.0,
            min_effect=0.05,
            models=("m1", "m2"),
            inputs="bench/in.py",
            tests="tests/t.py",
        ),
        text="/perforch optimize a.py::f b.rs::g a.py::f --max-cost=1 --max-seconds 30 "
        "--min-effect 0.05 --model m1 --model m2 --inputs bench/in.py --tests tests/t.py",
    )


@pytest.mark.parametrize("text", ["/perforch", "/perforch help", "/perforch help me --please"])
def test_help(text: str) -> None:
    command = parse_command(text)
    assert command is not None and (command.name, command.error) == ("help", None)


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("/perforch frobnicate", "unknown command 'frobnicate'"),
        ("/perforch optimize 'src/a.py::f", "cannot read the command (No closing quotation)"),
        ("/perforch optimize src/a.py", "'src/a.py' is not a target spec"),
        ("/perforch optimize /etc/passwd::x", "must be a path inside the repository"),
        ("/perforch optimize ../up.py::f", "must be a path inside the repository"),
        ("/perforch optimize --inputs ../../secret", "must be a path inside the repository"),
        ("/perforch optimize --fast", "unknown option --fast; the options are --max-cost"),
        ("/perforch optimize --max-cost", "--max-cost needs a value"),
        ("/perforch optimize --max-cost lots", "--max-cost 'lots': could not convert"),
        ("/perforch optimize --max-cost inf", "must be a number above 0"),
        ("/perforch optimize --min-effect 3", "must be a fraction from 0 to 1"),
        ("/perforch optimize --max-cost 1 --max-cost 2", "--max-cost is given twice"),
        ("/perforch ignore", "`ignore` needs the functions to leave alone"),
        ("/perforch ignore a.py::f --max-cost 1", "`ignore` takes no options"),
    ],
)
def test_malformed_commands_say_why(text: str, error: str) -> None:
    command = parse_command(text)
    assert command is not None and command.error is not None
    assert error in command.error
    assert command.targets == ()


def test_no_command() -> None:
    assert parse_command("LGTM") is None


def test_targets_in_prose() -> None:
    body = (
        "Profiling shows `src/lib.rs::<Parser as Display>::fmt` and src/stats.py::mean, "
        "also (src/Foo.java::Foo.bar(int[])). Not: README.md::intro, notes::x, /abs.py::f, "
        "`a b.py::f`. Again: src/stats.py::mean."
    )
    assert targets_in_text(body) == (
        "src/lib.rs::<Parser as Display>::fmt",
        "src/stats.py::mean",
        "src/Foo.java::Foo.bar(int[])",
    )


def test_help_text_names_every_command_and_option() -> None:
    text = help_text()
    for word in ("/perforch optimize", "/perforch ignore", "/perforch help", "--max-cost"):
        assert word in text
    assert "write, maintain or admin" in text
