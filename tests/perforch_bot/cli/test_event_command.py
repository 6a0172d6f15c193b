"""``perforch event EVENT_NAME PAYLOAD.json``: the trigger of real webhook payloads, printed
without calling GitHub."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from perforch_bot.cli import main
from tests.perforch_bot.events.payloads import HEAD, WEBHOOKS, comment, load


def _run(capsys: pytest.CaptureFixture[str], *argv: str | Path) -> tuple[int, str, str]:
    code = main(["event", *(str(a) for a in argv)])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def _write(tmp_path: Path, payload: object) -> Path:
    path = tmp_path / "payload.json"
    path.write_text(json.dumps(payload))
    return path


def test_a_pull_request(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "pull_request", WEBHOOKS / "pull_request" / "opened.payload.json")
    assert code == 0
    assert out == (
        "event:      pull_request (opened)\n"
        "kind:       pull_request\n"
        "repo:       Codertocat/Hello-World\n"
        "number:     #2 (pull request)\n"
        f"head SHA:   {HEAD}\n"
        "command:    -\n"
        "targets:    the functions the pull request changes\n"
        "sender:     Codertocat\n"
        "permission: not checked (perforch event does not call GitHub)\n"
        "allowed:    if the sender has write, maintain or admin permission\n"
        "reason:     pull request opened: optimize the functions it changes\n"
    )


def test_a_command_on_a_pull_request(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = comment("/perforch optimize src/stats.py::mean --max-cost 1")
    code, out, _ = _run(capsys, "issue_comment", _write(tmp_path, payload))
    assert code == 0
    lines = dict(line.split(":", 1) for line in out.splitlines())
    assert {k: v.strip() for k, v in lines.items()} == {
        "event": "issue_comment (created)",
        "kind": "comment_command",
        "repo": "Codertocat/Hello-World",
        "number": "#1 (pull request)",
        "head SHA": "not in the payload (fetched from the pull request)",
        "command": "/perforch optimize src/stats.py::mean --max-cost 1",
        "targets": "src/stats.py::mean",
        "sender": "Codertocat",
        "permission": "not checked (perforch event does not call GitHub)",
        "allowed": "if the sender has write, maintain or admin permission",
        "reason": "optimize the named functions",
    }


def test_json(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = comment("/perforch optimize --model m", on_pull_request=True)
    code, out, _ = _run(capsys, "issue_comment", _write(tmp_path, payload), "--json")
    assert code == 0
    data = json.loads(out)
    assert data["kind"] == "comment_command" and data["allowed"] is None
    assert data["permission"] == "not checked"
    assert data["command"]["options"]["models"] == ["m"]
    assert (data["number"], data["comment_id"], data["head_sha"]) == (1, 492700400, None)


def test_ignored_events_say_why(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(
        capsys, "issue_comment", WEBHOOKS / "issue_comment" / "created.payload.json"
    )
    assert code == 0
    assert "kind:       ignore\n" in out and "allowed:    no\n" in out
    assert "reason:     the comment has no /perforch command\n" in out


def test_issue_label_and_drafts_options(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    issue = WEBHOOKS / "issues" / "labeled.payload.json"
    assert "issue labeled 'bug', not 'perforch'" in _run(capsys, "issues", issue)[1]
    assert "kind:       help\n" in _run(capsys, "issues", issue, "--label", "bug")[1]
    draft = load("pull_request", "synchronize")
    draft["pull_request"]["draft"] = True
    path = _write(tmp_path, draft)
    assert "kind:       ignore\n" in _run(capsys, "pull_request", path)[1]
    assert "kind:       pull_request\n" in _run(capsys, "pull_request", path, "--drafts")[1]


def test_app_login(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    payload = comment("/perforch optimize")
    path = _write(tmp_path, payload)
    _, out, _ = _run(capsys, "issue_comment", path, "--app-login", "Codertocat")
    assert "reason:     PerfOrch's own comment\n" in out


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "is not JSON"), ("[1, 2]", "must be a JSON object")],
)
def test_a_bad_payload_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    path = tmp_path / "bad.json"
    path.write_text(content)
    code, out, err = _run(capsys, "pull_request", path)
    assert code == 2 and out == ""
    assert message in err and "PAYLOAD" in err


def test_a_missing_payload(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = _run(capsys, "pull_request", tmp_path / "missing.json")
    assert code == 2 and "does not exist" in err


def test_registered_with_its_help(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["event", "--help"]) == 0
    out = capsys.readouterr().out
    assert "Usage: perforch event [OPTIONS] EVENT_NAME PAYLOAD" in out and "--json" in out
