"""The one summary comment: trimmed to GitHub's limit with a pointer to the full report, found
by its marker among PerfOrch's own comments, updated in place (through the real client and the
loopback server, and through the in-memory fake)."""

from __future__ import annotations

import pytest

from perforch_bot.github import (
    COMMENT_LIMIT,
    SUMMARY_MARKER,
    Comment,
    GitHubValidationError,
    PyGithubClient,
    comment_length,
    is_own_comment,
    trim_report,
    upsert_summary,
)
from tests.perforch_bot.github.conftest import FAST
from tests.support import github_bodies as bodies
from tests.support.github_fake import FakeGitHub
from tests.support.github_server import GitHubServer

REPO = "Codertocat/Hello-World"
POINTER = "[the run's artifacts](https://example.test/run/1)"


def _big_report(rows: int) -> str:
    """A results table of 100 rows, then a collapsed patch of ``rows`` lines."""
    table = "".join(f"| `src/m.py::f{i}` | faster | 1.{i % 10}x |\n" for i in range(100))
    diff = "".join(f"+    line {i}\n" for i in range(rows))
    return (
        "## PerfOrch\n\n| function | result | speedup |\n| --- | --- | --- |\n"
        f"{table}\n<details><summary>patch</summary>\n\n```diff\n{diff}```\n\n</details>\n"
    )


def test_a_report_that_fits_is_left_alone() -> None:
    report = _big_report(10)
    assert trim_report(report, full_report=POINTER) == report
    exact = "x" * COMMENT_LIMIT
    assert trim_report(exact) == exact


def test_an_oversized_report_is_cut_at_a_line_with_blocks_closed_and_a_pointer() -> None:
    report = _big_report(6000)
    assert comment_length(report) > COMMENT_LIMIT
    trimmed = trim_report(report, full_report=POINTER)
    assert comment_length(trimmed) <= COMMENT_LIMIT
    assert comment_length(trimmed) > COMMENT_LIMIT - 1000  # not cut more than it must
    head, notice = trimmed.split("\n---\n> **This report was trimmed**")
    kept = head.removesuffix("```\n\n</details>\n")  # the diff's fence, then <details>, closed
    assert kept != head and kept.endswith("\n") and report.startswith(kept)
    assert kept.splitlines()[-1].startswith("+    line ")  # cut inside the diff block
    assert head.count("```") % 2 == 0 and head.count("<details>") == head.count("</details>")
    shown = comment_length(kept)
    assert f"{shown:,} of its {comment_length(report):,} characters are shown" in notice
    assert notice.endswith(f"The full report: {POINTER}.\n")


def test_a_cut_outside_any_block_adds_no_closers() -> None:
    report = "".join(f"line {i}\n" for i in range(20_000))
    trimmed = trim_report(report, limit=5_000)
    head = trimmed.split("\n---\n")[0]
    assert report.startswith(head) and head.endswith("\n")
    assert "```" not in trimmed and "</details>" not in trimmed
    assert "perforch report .perforch/runs/<id>.json" in trimmed  # the default pointer


def test_a_longer_fence_is_closed_with_as_many_backticks() -> None:
    report = "intro\n````python\n```\nnot a close\n" + "x = 1\n" * 5_000
    trimmed = trim_report(report, limit=2_000)
    assert "x = 1\n````\n\n---\n" in trimmed


def test_one_giant_line_is_cut_inside() -> None:
    trimmed = trim_report("y" * 100_000, limit=3_000)
    assert trimmed.startswith("y" * 1_000) and comment_length(trimmed) <= 3_000


def test_characters_outside_the_bmp_count_twice() -> None:
    emoji = "🚀" * 40_000  # 40,000 characters, 80,000 UTF-16 units
    assert comment_length(emoji) == 80_000
    assert comment_length(trim_report(emoji)) <= COMMENT_LIMIT


def test_a_tiny_limit_is_refused() -> None:
    with pytest.raises(ValueError, match="no room"):
        trim_report("z" * 1_000, limit=200)


def test_own_comments() -> None:
    bot = Comment(1, SUMMARY_MARKER, "github-actions[bot]", True, "u")
    person = Comment(2, SUMMARY_MARKER, "mallory", False, "u")
    assert is_own_comment(bot) and not is_own_comment(person)
    assert is_own_comment(person, own_login="mallory")


def test_first_run_creates_then_later_runs_update_in_place(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    github_server.add_pull(2)
    created = upsert_summary(client, REPO, 2, "run 1")
    assert created.body == f"{SUMMARY_MARKER}\nrun 1"
    updated = upsert_summary(client, REPO, 2, "run 2")
    assert (updated.id, updated.body) == (created.id, f"{SUMMARY_MARKER}\nrun 2")
    same = upsert_summary(client, REPO, 2, "run 2")  # unchanged: no write
    assert same == updated
    assert [(r.method, r.path, r.body) for r in github_server.requests] == [
        ("GET", f"/repos/{REPO}/issues/2/comments", None),
        ("POST", f"/repos/{REPO}/issues/2/comments", {"body": f"{SUMMARY_MARKER}\nrun 1"}),
        ("GET", f"/repos/{REPO}/issues/2/comments", None),
        (
            "PATCH",
            f"/repos/{REPO}/issues/comments/{created.id}",
            {"body": f"{SUMMARY_MARKER}\nrun 2"},
        ),
        ("GET", f"/repos/{REPO}/issues/2/comments", None),
    ]
    assert [c["body"] for c in github_server.comments[2]] == [f"{SUMMARY_MARKER}\nrun 2"]


def test_a_persons_comment_with_the_marker_is_not_taken_over(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    github_server.add_issue(1)
    github_server.add_comment(1, f"copied: {SUMMARY_MARKER} ha", author="mallory")
    ours = github_server.add_comment(1, f"{SUMMARY_MARKER}\nold", author="perforch[bot]", bot=True)
    posted = upsert_summary(client, REPO, 1, "new")
    assert posted.id == ours["id"]
    assert github_server.comments[1][0]["body"] == f"copied: {SUMMARY_MARKER} ha"
    assert [r.method for r in github_server.requests] == ["GET", "PATCH"]


def test_a_personal_tokens_own_comment_is_found_by_login(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    github_server.add_issue(1)
    mine = github_server.add_comment(1, f"{SUMMARY_MARKER}\nold", author="perforch-user")
    upsert_summary(client, REPO, 1, "new", own_login="perforch-user")
    assert github_server.requests[-1].path == f"/repos/{REPO}/issues/comments/{mine['id']}"


def test_the_summary_is_found_on_a_later_page(
    github_server: GitHubServer, sleeps: list[float]
) -> None:
    github_server.add_issue(1)
    for index in range(5):
        github_server.add_comment(1, f"chatter {index}")
    ours = github_server.add_comment(1, f"{SUMMARY_MARKER}\nold", author="x[bot]", bot=True)
    settings = FAST.__class__(**{**FAST.__dict__, "per_page": 2})
    with PyGithubClient(github_server.token, github_server.base_url, settings=settings) as client:
        assert upsert_summary(client, REPO, 1, "new").id == ours["id"]
    assert [r.query.get("page", "1") for r in github_server.requests_to(bodies.COMMENTS)] == [
        "1",
        "2",
        "3",
    ]


def test_an_oversized_report_is_posted_trimmed_and_github_takes_it(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    github_server.add_pull(2)
    report = _big_report(6000)
    posted = upsert_summary(client, REPO, 2, report, full_report=POINTER)
    (post,) = github_server.requests_to(bodies.NEW_COMMENT)
    body = post.body["body"]
    assert body == posted.body and len(body) <= 65_536
    assert body.startswith(f"{SUMMARY_MARKER}\n## PerfOrch") and POINTER in body
    # GitHub itself refuses the untrimmed body
    with pytest.raises(GitHubValidationError, match="too long"):
        client.create_comment(REPO, 2, f"{SUMMARY_MARKER}\n{report}")


def test_with_the_fake_client() -> None:
    fake = FakeGitHub()
    first = upsert_summary(fake, REPO, 3, "one")
    upsert_summary(fake, REPO, 3, "two")
    assert [name for name, _ in fake.calls] == [
        "find_comments",
        "create_comment",
        "find_comments",
        "update_comment",
    ]
    assert fake.comments[(REPO, 3)][0].id == first.id
    assert fake.comments[(REPO, 3)][0].body == f"{SUMMARY_MARKER}\ntwo"
