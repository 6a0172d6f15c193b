"""Which 👎 on PerfOrch's suggestions count: the pull request author's and writers', on
PerfOrch's own suggestions only (a recording fake client; the loopback server's side of the
same calls is in tests/perforch_bot/github/test_client.py)."""

from __future__ import annotations

import pytest

from perforch_bot.bot._rejections import rejected_specs
from perforch_bot.github import (
    GitHubError,
    GitHubNotFoundError,
    GitHubPermissionError,
    Permission,
    PostedReviewComment,
    ReviewComment,
)
from tests.support.github_fake import FakeGitHub

REPO = "Codertocat/Hello-World"
AUTHOR = "octocat"


def suggest(client: FakeGitHub, *specs: str) -> list[int]:
    """PerfOrch's review with one suggestion per spec; the posted comments' ids."""
    comments = [ReviewComment("calc.py", 3, f"`{spec}`: 1.4x faster") for spec in specs]
    client.create_review(REPO, 2, commit_sha="abc", body="PerfOrch", comments=comments)
    return [c.id for c in client.review_comments_of[(REPO, 2)][-len(specs) :]]


def rejected(client: FakeGitHub) -> tuple[str, ...]:
    return rejected_specs(client, REPO, 2, AUTHOR, client.login)


def test_the_authors_and_a_writers_thumbs_down_count() -> None:
    client = FakeGitHub()
    client.permissions[(REPO, "maintainer")] = Permission("maintainer", "write", "maintain")
    first, second, third = suggest(client, "calc.py::a", "calc.py::b", "calc.py::c")
    client.thumbs_down(first, by=AUTHOR)
    client.thumbs_down(third, by="maintainer")
    assert rejected(client) == ("calc.py::a", "calc.py::c")
    # the author's own 👎 needs no permission lookup; the writer's is asked once
    assert [a for name, a in client.calls if name == "permission"] == [(REPO, "maintainer")]
    # reactions are listed only for comments whose summary shows a 👎
    listed = [a[1] for name, a in client.calls if name == "review_comment_reactions"]
    assert listed == [first, third] and second not in listed


def test_a_passers_by_and_a_bots_thumbs_down_do_not_count() -> None:
    client = FakeGitHub()
    client.permissions[(REPO, "writer-bot[bot]")] = Permission("writer-bot[bot]", "write", "write")
    [only] = suggest(client, "calc.py::a")
    client.thumbs_down(only, by="passerby")  # read, as anyone on a public repository
    client.thumbs_down(only, by="writer-bot[bot]", bot=True)
    assert rejected(client) == ()
    assert [a[1] for name, a in client.calls if name == "permission"] == ["passerby"]


@pytest.mark.parametrize(
    "error",
    [
        GitHubNotFoundError("get permission", 404, "Not Found"),  # not a collaborator
        GitHubPermissionError("get permission", 403, "Forbidden"),  # the token may not read it
    ],
)
def test_a_thumbs_down_whose_permission_cannot_be_read_does_not_count(error: GitHubError) -> None:
    client = FakeGitHub()
    [only] = suggest(client, "calc.py::a")
    client.thumbs_down(only, by="stranger")
    client.fail("permission", error)
    assert rejected(client) == ()
    assert [a[1] for name, a in client.calls if name == "permission"] == ["stranger"]


def test_only_perforchs_own_suggestions_with_a_spec_count() -> None:
    client = FakeGitHub()
    [ours] = suggest(client, "calc.py::a")
    posted = client.review_comments_of[(REPO, 2)]
    # a comment made to look like a suggestion, and one of ours that names no function
    posted.append(PostedReviewComment(90, "`calc.py::b`: mine", "mallory", False))
    posted.append(PostedReviewComment(91, "`not a spec`: note", client.login, True))
    for comment_id in (ours, 90, 91):
        client.thumbs_down(comment_id, by=AUTHOR)
    assert rejected(client) == ("calc.py::a",)
    listed = [a[1] for name, a in client.calls if name == "review_comment_reactions"]
    assert listed == [ours]


def test_a_function_suggested_twice_is_named_once() -> None:
    client = FakeGitHub()
    [first] = suggest(client, "calc.py::a")
    [second] = suggest(client, "calc.py::a")
    client.thumbs_down(first, by=AUTHOR)
    client.thumbs_down(second, by=AUTHOR)
    assert rejected(client) == ("calc.py::a",)
