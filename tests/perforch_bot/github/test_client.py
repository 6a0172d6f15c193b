"""The PyGithub client against the loopback GitHub server: each call sends exactly the request
GitHub documents (path, query, JSON body), one per call (one per page for lists), and reads
GitHub's response shapes into PerfOrch's values."""

from __future__ import annotations

import pytest

from perforch_bot.github import (
    ChangedFile,
    GitHubNotFoundError,
    GitHubPermissionError,
    GitHubUnavailableError,
    GivenReaction,
    PostedReviewComment,
    PyGithubClient,
    ReviewComment,
    diff_from_files,
)
from perforch_bot.targets import Suggestion, replace_function, suggestion_for, targets_from_diff
from tests.perforch_bot.github.conftest import FAST
from tests.support import github_bodies as bodies
from tests.support.github_server import Fault, GitHubServer

REPO = "Codertocat/Hello-World"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"
STATS_PATCH = (
    "@@ -1,4 +1,5 @@\n"
    " def mean(xs):\n"
    "-    return sum(xs) / len(xs)\n"
    "+    total = sum(xs)\n"
    "+    return total / len(xs)\n"
    " \n"
    " \n"
)
STATS_NEW = "def mean(xs):\n    total = sum(xs)\n    return total / len(xs)\n\n\n"


def test_pull_request_is_one_get(client: PyGithubClient, github_server: GitHubServer) -> None:
    github_server.add_pull(2, head_sha=HEAD, draft=True, author="Codertocat")
    pull = client.pull_request(REPO, 2)
    assert (pull.number, pull.head_sha, pull.draft, pull.author) == (2, HEAD, True, "Codertocat")
    assert pull.base_sha == "f95f852bd8fca8fcc58a9a2d6c842781e32a215e"
    assert (pull.head_ref, pull.base_ref, pull.state) == ("new-topic", "master", "open")
    assert github_server.calls() == [("GET", f"/repos/{REPO}/pulls/2")]
    request = github_server.requests[0]
    assert request.authorized
    assert request.headers["user-agent"] == "perforch"


def test_files_every_page_and_the_diff_they_make(
    github_server: GitHubServer, sleeps: list[float]
) -> None:
    files = {f"src/m{i}.py": STATS_PATCH for i in range(4)} | {"logo.png": None}
    github_server.add_pull(2, files=files)
    settings = FAST.__class__(**{**FAST.__dict__, "per_page": 2})
    with PyGithubClient(github_server.token, github_server.base_url, settings=settings) as small:
        changed = small.pull_request_files(REPO, 2)
    assert [f.path for f in changed] == [*(f"src/m{i}.py" for i in range(4)), "logo.png"]
    assert changed[-1] == ChangedFile("logo.png", "modified", None, None)
    assert [(r.path, r.query) for r in github_server.requests] == [
        (f"/repos/{REPO}/pulls/2/files", {"per_page": "2"}),
        (f"/repos/{REPO}/pulls/2/files", {"per_page": "2", "page": "2"}),
        (f"/repos/{REPO}/pulls/2/files", {"per_page": "2", "page": "3"}),
    ]
    diff = diff_from_files(changed)
    assert diff.count("diff --git") == 4 and "logo.png" not in diff

    # the diff is what the targets layer reads: the changed function, and its suggestion
    found = targets_from_diff(diff, lambda path: STATS_NEW.encode())
    assert [t.function.qualified_name for t in found.targets] == ["mean"] * 4
    assert sleeps == []


def test_diff_from_files_added_removed_renamed() -> None:
    diff = diff_from_files(
        [
            ChangedFile("new.py", "added", None, "@@ -0,0 +1 @@\n+x = 1"),
            ChangedFile("old.py", "removed", None, "@@ -1 +0,0 @@\n-x = 1\n"),
            ChangedFile("b.py", "renamed", "a.py", "@@ -1 +1 @@\n-x = 1\n+x = 2\n"),
        ]
    )
    assert diff == (
        "diff --git a/new.py b/new.py\n--- /dev/null\n+++ b/new.py\n@@ -0,0 +1 @@\n+x = 1\n"
        "diff --git a/old.py b/old.py\n--- a/old.py\n+++ /dev/null\n@@ -1 +0,0 @@\n-x = 1\n"
        "diff --git a/a.py b/b.py\n--- a/a.py\n+++ b/b.py\n@@ -1 +1 @@\n-x = 1\n+x = 2\n"
    )


def test_issue_body_and_whether_it_is_a_pull_request(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    github_server.add_issue(1, body="Please make src/stats.py::mean faster", labels=("perforch",))
    github_server.add_pull(2)
    issue = client.issue(REPO, 1)
    assert issue.body == "Please make src/stats.py::mean faster"
    assert (issue.author, issue.labels, issue.is_pull_request) == (
        "Codertocat",
        ("perforch",),
        False,
    )
    assert client.issue(REPO, 2).is_pull_request
    assert github_server.calls() == [
        ("GET", f"/repos/{REPO}/issues/1"),
        ("GET", f"/repos/{REPO}/issues/2"),
    ]


@pytest.mark.parametrize(
    ("level", "role", "can_write"),
    [
        ("admin", "admin", True),
        ("write", "maintain", True),
        ("write", "write", True),
        ("read", "triage", False),
        ("read", "read", False),
        ("none", "none", False),
    ],
)
def test_permission(
    client: PyGithubClient, github_server: GitHubServer, level: str, role: str, can_write: bool
) -> None:
    github_server.set_permission("some one", level, role)
    permission = client.permission(REPO, "some one")
    assert (permission.level, permission.role, permission.can_write) == (level, role, can_write)
    assert github_server.calls() == [("GET", f"/repos/{REPO}/collaborators/some%20one/permission")]


def test_comments_create_find_update_react(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    github_server.add_issue(1)
    github_server.add_comment(1, "first, no marker")
    created = client.create_comment(REPO, 1, "<!-- m -->\nreport")
    assert (created.author, created.author_is_bot) == ("github-actions[bot]", True)
    assert created.url.endswith(f"/issues/1#issuecomment-{created.id}")
    assert client.find_comments(REPO, 1, "<!-- m -->") == (created,)
    updated = client.update_comment(REPO, created.id, "<!-- m -->\nnew report")
    assert (updated.id, updated.body) == (created.id, "<!-- m -->\nnew report")
    client.add_reaction(REPO, created.id, "eyes")
    client.add_reaction(REPO, created.id, "eyes")  # GitHub answers 200: it exists
    assert github_server.reactions == {created.id: ["eyes"]}
    assert [(r.method, r.path, r.query, r.body) for r in github_server.requests] == [
        ("POST", f"/repos/{REPO}/issues/1/comments", {}, {"body": "<!-- m -->\nreport"}),
        ("GET", f"/repos/{REPO}/issues/1/comments", {"per_page": "100"}, None),
        (
            "PATCH",
            f"/repos/{REPO}/issues/comments/{created.id}",
            {},
            {"body": "<!-- m -->\nnew report"},
        ),
        ("POST", f"/repos/{REPO}/issues/comments/{created.id}/reactions", {}, {"content": "eyes"}),
        ("POST", f"/repos/{REPO}/issues/comments/{created.id}/reactions", {}, {"content": "eyes"}),
    ]


def test_review_with_a_suggestion_from_the_targets_layer(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    """files -> diff -> changed function -> new version -> suggestion -> review request."""
    github_server.add_pull(2, head_sha=HEAD, files={"src/stats.py": STATS_PATCH})
    diff = diff_from_files(client.pull_request_files(REPO, 2))
    (target,) = targets_from_diff(diff, lambda path: STATS_NEW.encode()).targets
    edit = replace_function(
        STATS_NEW.encode(), target.function, "def mean(xs):\n    return sum(xs) / len(xs)\n"
    )
    suggestion = suggestion_for(edit, target.hunks, "1.3x faster")
    assert isinstance(suggestion, Suggestion)
    review = client.create_review(
        REPO,
        2,
        commit_sha=HEAD,
        body="PerfOrch found a faster version.",
        comments=[ReviewComment.from_suggestion(suggestion)],
    )
    assert review.url.endswith(f"/pull/2#pullrequestreview-{review.id}")
    request = github_server.requests[-1]
    assert (request.method, request.path) == ("POST", f"/repos/{REPO}/pulls/2/reviews")
    assert request.body == {
        "body": "PerfOrch found a faster version.",
        "event": "COMMENT",
        "commit_id": HEAD,
        "comments": [
            {
                "path": "src/stats.py",
                "body": "1.3x faster\n\n```suggestion\n"
                "def mean(xs):\n    return sum(xs) / len(xs)\n```",
                "line": 3,
                "side": "RIGHT",
                "start_line": 1,
                "start_side": "RIGHT",
            }
        ],
    }
    assert request.body["comments"][0] == {
        **suggestion.review_comment(),
        "start_side": "RIGHT",
    }


def test_a_single_line_comment_has_no_start(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    github_server.add_pull(2, head_sha=HEAD, files={"src/stats.py": STATS_PATCH})
    client.create_review(
        REPO, 2, commit_sha=HEAD, body="", comments=[ReviewComment("src/stats.py", 2, "hi", 2)]
    )
    assert github_server.requests[0].body["comments"] == [
        {"path": "src/stats.py", "body": "hi", "line": 2, "side": "RIGHT"}
    ]


def test_review_comments_every_page_with_their_thumbs_down(
    github_server: GitHubServer, sleeps: list[float]
) -> None:
    """``GET .../pulls/N/comments``, one request per page; the 👎 count is the ``-1`` of each
    comment's ``reactions`` summary."""
    github_server.add_pull(2, head_sha=HEAD, files={"src/stats.py": STATS_PATCH})
    settings = FAST.__class__(**{**FAST.__dict__, "per_page": 2})
    with PyGithubClient(
        github_server.token, github_server.base_url, settings=settings, sleep=sleeps.append
    ) as small:
        small.create_review(
            REPO,
            2,
            commit_sha=HEAD,
            body="PerfOrch",
            comments=[
                ReviewComment("src/stats.py", 3, "`src/stats.py::mean`: 1.3x faster", 1),
                ReviewComment("src/stats.py", 2, "`src/stats.py::other`: 1.1x faster"),
            ],
        )
        person = github_server.add_review_comment(2, "why?", path="src/stats.py", line=2)
        ours = [c["id"] for c in github_server.review_comments[2][:2]]
        github_server.add_review_reaction(ours[0], by="Codertocat")  # 👎
        github_server.add_review_reaction(ours[0], by="octocat")
        github_server.add_review_reaction(ours[1], "+1", by="octocat")  # not a 👎
        github_server.add_review_reaction(person["id"], by="Codertocat")
        del github_server.requests[:]
        listed = small.review_comments(REPO, 2)

    assert listed == (
        PostedReviewComment(
            ours[0], "`src/stats.py::mean`: 1.3x faster", "github-actions[bot]", True, 2
        ),
        PostedReviewComment(
            ours[1], "`src/stats.py::other`: 1.1x faster", "github-actions[bot]", True, 0
        ),
        PostedReviewComment(person["id"], "why?", "octocat", False, 1),
    )
    assert [(r.method, r.path, r.query, r.body) for r in github_server.requests] == [
        ("GET", f"/repos/{REPO}/pulls/2/comments", {"per_page": "2"}, None),
        ("GET", f"/repos/{REPO}/pulls/2/comments", {"per_page": "2", "page": "2"}, None),
    ]
    assert all(r.endpoint == bodies.REVIEW_COMMENTS for r in github_server.requests)
    assert sleeps == []


def test_review_comments_are_listed_as_github_shapes_them(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    github_server.add_pull(2, head_sha=HEAD, files={"src/stats.py": STATS_PATCH})
    assert client.review_comments(REPO, 2) == ()
    comment = github_server.add_review_comment(
        2, "hi", path="src/stats.py", line=3, start_line=2, author="perforch-bot", bot=True
    )
    github_server.add_review_reaction(comment["id"], by="octocat")
    assert comment["reactions"] == {
        "url": f"{github_server.base_url}/repos/{REPO}/pulls/comments/{comment['id']}/reactions",
        "total_count": 1,
        "+1": 0,
        "-1": 1,
        "laugh": 0,
        "hooray": 0,
        "confused": 0,
        "heart": 0,
        "rocket": 0,
        "eyes": 0,
    }
    assert comment["diff_hunk"] == STATS_PATCH.rstrip("\n")
    assert (comment["path"], comment["start_line"], comment["line"]) == ("src/stats.py", 2, 3)
    assert comment["commit_id"] == HEAD and comment["user"]["type"] == "Bot"
    (listed,) = client.review_comments(REPO, 2)
    assert (listed.author, listed.author_is_bot, listed.thumbs_down) == ("perforch-bot", True, 1)
    assert len(github_server.requests_to(bodies.REVIEW_COMMENTS)) == 2


def test_review_comments_fail_as_the_other_calls(
    client: PyGithubClient, github_server: GitHubServer, sleeps: list[float]
) -> None:
    with pytest.raises(GitHubNotFoundError, match=f"review comments of pull request {REPO}#7"):
        client.review_comments(REPO, 7)
    github_server.add_pull(2)
    github_server.fail(bodies.REVIEW_COMMENTS, Fault(502), Fault(502), Fault(502))
    with pytest.raises(GitHubUnavailableError) as raised:
        client.review_comments(REPO, 2)
    assert raised.value.attempts == 3 and sleeps == [1.0, 2.0]
    assert len(github_server.requests_to(bodies.REVIEW_COMMENTS)) == 4


def test_another_repository_is_not_found(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    with pytest.raises(GitHubNotFoundError, match="octo/other#1"):
        client.issue("octo/other", 1)
    assert github_server.calls() == [("GET", "/repos/octo/other/issues/1")]


def test_a_wrong_token_is_refused(github_server: GitHubServer, sleeps: list[float]) -> None:
    github_server.add_issue(1)
    wrong = PyGithubClient("ghs_wrong", github_server.base_url, settings=FAST)
    with pytest.raises(GitHubPermissionError, match="HTTP 401: Bad credentials") as raised:
        wrong.issue(REPO, 1)
    assert raised.value.status == 401
    assert len(github_server.requests) == 1 and not github_server.requests[0].authorized


def test_a_repository_name_is_checked_before_any_request(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    with pytest.raises(ValueError, match="OWNER/NAME"):
        client.issue("../../user", 1)
    assert github_server.requests == []


def test_examples_are_read_from_shared_data() -> None:
    assert bodies.REST_EXAMPLES.is_file(), "the REST examples live in ../shared/data"
    assert bodies.example(bodies.PULL)["head"]["sha"]


def test_who_reacted_to_a_review_comment_every_page(
    github_server: GitHubServer, sleeps: list[float]
) -> None:
    """``GET .../pulls/comments/ID/reactions``, one request per page, each reaction with who
    gave it and whether that account is a bot."""
    github_server.add_pull(2, head_sha=HEAD, files={"src/stats.py": STATS_PATCH})
    comment = github_server.add_review_comment(2, "hi", path="src/stats.py", line=2)
    github_server.add_review_reaction(comment["id"], by="Codertocat")
    github_server.add_review_reaction(comment["id"], "+1", by="octocat")
    github_server.add_review_reaction(comment["id"], by="dependabot[bot]", bot=True)
    settings = FAST.__class__(**{**FAST.__dict__, "per_page": 2})
    with PyGithubClient(
        github_server.token, github_server.base_url, settings=settings, sleep=sleeps.append
    ) as small:
        given = small.review_comment_reactions(REPO, comment["id"])

    assert given == (
        GivenReaction("Codertocat", False, "-1"),
        GivenReaction("octocat", False, "+1"),
        GivenReaction("dependabot[bot]", True, "-1"),
    )
    path = f"/repos/{REPO}/pulls/comments/{comment['id']}/reactions"
    assert [(r.method, r.path, r.query) for r in github_server.requests] == [
        ("GET", path, {"per_page": "2"}),
        ("GET", path, {"per_page": "2", "page": "2"}),
    ]
    assert all(r.endpoint == bodies.REVIEW_REACTIONS for r in github_server.requests)


def test_reactions_to_a_missing_review_comment_are_a_not_found_error(
    client: PyGithubClient, github_server: GitHubServer
) -> None:
    with pytest.raises(GitHubNotFoundError, match="review comment 404404"):
        client.review_comment_reactions(REPO, 404404)
