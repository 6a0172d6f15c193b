"""Response bodies for the loopback GitHub server, shaped like GitHub's own examples.

They are read at test time from ``../shared/data/github-rest-examples.json`` (the example
responses of GitHub's REST API description, keyed ``"METHOD path"``) and, for ``GET`` of an
issue, which that file lacks, from the ``issue`` of the ``issues/opened`` webhook payload in
``../shared/data/github-webhooks``. The review comments of a pull request (``GET`` of
``pulls/{pull_number}/comments``), which that file lacks too, are built field by field after
GitHub's ``pull-request-review-comment`` schema (``review_comment``), with the user of the
comment example and the ``reactions`` summary object of the webhook issue. Nothing is copied
into the repository.

Each body is the example, deep-copied, with its ``https://api.github.com`` URLs pointed at the
test server and its repository at the served one, then the fields the test set laid over it.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared" / "data"
REST_EXAMPLES = SHARED_DATA / "github-rest-examples.json"
WEBHOOKS = SHARED_DATA / "github-webhooks"

PULL = "GET /repos/{owner}/{repo}/pulls/{pull_number}"
PULL_FILES = "GET /repos/{owner}/{repo}/pulls/{pull_number}/files"
REVIEWS = "POST /repos/{owner}/{repo}/pulls/{pull_number}/reviews"
ISSUE = "GET /repos/{owner}/{repo}/issues/{issue_number}"
COMMENTS = "GET /repos/{owner}/{repo}/issues/{issue_number}/comments"
NEW_COMMENT = "POST /repos/{owner}/{repo}/issues/{issue_number}/comments"
EDIT_COMMENT = "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}"
REACTIONS = "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions"
PERMISSION = "GET /repos/{owner}/{repo}/collaborators/{username}/permission"
REVIEW_COMMENTS = "GET /repos/{owner}/{repo}/pulls/{pull_number}/comments"
REVIEW_REACTIONS = "GET /repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions"

ENDPOINTS = (
    PULL,
    PULL_FILES,
    REVIEWS,
    REVIEW_COMMENTS,
    REVIEW_REACTIONS,
    ISSUE,
    COMMENTS,
    NEW_COMMENT,
    EDIT_COMMENT,
    REACTIONS,
    PERMISSION,
)

_EXAMPLE_REPO = "octocat/Hello-World"
_API = "https://api.github.com"
_ANSWERED = {  # the status whose example each endpoint answers with
    PULL: "200",
    PULL_FILES: "200",
    REVIEWS: "200",
    COMMENTS: "200",
    NEW_COMMENT: "201",
    EDIT_COMMENT: "200",
    REACTIONS: "201",
    PERMISSION: "200",
}


@functools.cache
def _rest_examples() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(REST_EXAMPLES.read_text(encoding="utf-8"))
    return loaded


@functools.cache
def _issue_example() -> dict[str, Any]:
    payload = json.loads((WEBHOOKS / "issues" / "opened.payload.json").read_text("utf-8"))
    issue: dict[str, Any] = payload["issue"]
    return issue


def example(endpoint: str) -> Any:
    """A fresh copy of the example body of ``endpoint`` (one of ``ENDPOINTS`` but
    ``REVIEW_COMMENTS`` and ``REVIEW_REACTIONS``, whose items ``review_comment`` and
    ``reaction`` build)."""
    if endpoint == ISSUE:
        return copy.deepcopy(_issue_example())
    response = _rest_examples()[endpoint]["responses"][_ANSWERED[endpoint]]
    examples = response["content"]["application/json"]["examples"]
    first = next(iter(examples.values()))
    return copy.deepcopy(first["value"])


def status_of(endpoint: str) -> int:
    """The success status GitHub answers ``endpoint`` with (201 for creations)."""
    listed = (ISSUE, REVIEW_COMMENTS, REVIEW_REACTIONS)
    return 200 if endpoint in listed else int(_ANSWERED[endpoint])


def rebase(value: Any, base_url: str, repo: str) -> Any:
    """``value`` with GitHub's API URLs pointed at ``base_url`` and the examples' repository
    (``octocat/Hello-World``, ``Codertocat/Hello-World``) replaced by ``repo``."""
    if isinstance(value, dict):
        return {key: rebase(item, base_url, repo) for key, item in value.items()}
    if isinstance(value, list):
        return [rebase(item, base_url, repo) for item in value]
    if isinstance(value, str):
        for example_repo in (_EXAMPLE_REPO, "Codertocat/Hello-World"):
            value = value.replace(f"/{example_repo}/", f"/{repo}/")
            value = value.replace(f"/{example_repo}#", f"/{repo}#")
            if value.endswith(f"/{example_repo}"):
                value = value[: -len(example_repo)] + repo
        return value.replace(_API, base_url)
    return value


def user(base_url: str, login: str, kind: str = "User") -> dict[str, Any]:
    """A user object like GitHub's, for ``login`` (``kind`` "Bot" for an app's account)."""
    shaped: dict[str, Any] = example(NEW_COMMENT)["user"]
    for key, value in list(shaped.items()):
        if isinstance(value, str):
            shaped[key] = value.replace("octocat", login).replace(_API, base_url)
    shaped.update(login=login, type=kind)
    return shaped


def reactions_summary(url: str) -> dict[str, Any]:
    """GitHub's ``reactions`` object (``reaction-rollup``: ``url``, ``total_count`` and a count
    per reaction, ``"+1"`` and ``"-1"`` among them), all counts 0, for the item at ``url``."""
    summary: dict[str, Any] = copy.deepcopy(_issue_example()["reactions"])
    for key in summary:
        if key != "url":
            summary[key] = 0
    summary["url"] = f"{url}/reactions"
    return summary


def review_comment(
    base_url: str,
    repo: str,
    number: int,
    comment_id: int,
    *,
    review_id: int,
    commit_id: str,
    path: str,
    line: int,
    start_line: int | None,
    body: str,
    author: dict[str, Any],
    diff_hunk: str,
) -> dict[str, Any]:
    """One item of "list review comments on a pull request": a comment of review
    ``review_id`` on new-side (RIGHT) lines ``start_line..line`` of ``path``, with no
    reactions yet."""
    api = f"{base_url}/repos/{repo}"
    url = f"{api}/pulls/comments/{comment_id}"
    html_url = f"https://github.com/{repo}/pull/{number}#discussion_r{comment_id}"
    pull_url = f"{api}/pulls/{number}"
    stamp = "2026-01-02T03:04:05Z"
    return {
        "url": url,
        "pull_request_review_id": review_id,
        "id": comment_id,
        "node_id": f"PRRC_test{comment_id}",
        "diff_hunk": diff_hunk,
        "path": path,
        "commit_id": commit_id,
        "original_commit_id": commit_id,
        "user": author,
        "body": body,
        "created_at": stamp,
        "updated_at": stamp,
        "html_url": html_url,
        "pull_request_url": pull_url,
        "author_association": "NONE" if author.get("type") == "Bot" else "CONTRIBUTOR",
        "_links": {
            "self": {"href": url},
            "html": {"href": html_url},
            "pull_request": {"href": pull_url},
        },
        "start_line": start_line,
        "original_start_line": start_line,
        "start_side": "RIGHT" if start_line is not None else None,
        "line": line,
        "original_line": line,
        "side": "RIGHT",
        "subject_type": "line",
        "reactions": reactions_summary(url),
    }


def reaction(reaction_id: int, content: str, who: dict[str, Any]) -> dict[str, Any]:
    """A reaction object as GitHub lists and creates them: ``who`` gave ``content``."""
    given: dict[str, Any] = example(REACTIONS)
    given.update(id=reaction_id, node_id=f"REA_test{reaction_id}", content=content, user=who)
    return given


def file_entry(
    base_url: str,
    filename: str,
    patch: str | None,
    status: str = "modified",
    previous_filename: str | None = None,
) -> dict[str, Any]:
    """One item of a pull request's file list; ``patch`` None leaves the key out, as GitHub
    does for binary files and diffs too large to show."""
    entry: dict[str, Any] = example(PULL_FILES)[0]
    lines = (patch or "").splitlines()
    additions = sum(1 for line in lines if line.startswith("+"))
    deletions = sum(1 for line in lines if line.startswith("-"))
    entry.update(
        filename=filename,
        status=status,
        additions=additions,
        deletions=deletions,
        changes=additions + deletions,
    )
    for key in ("blob_url", "raw_url", "contents_url"):
        entry[key] = entry[key].replace("file1.txt", filename).replace(_API, base_url)
    if patch is None:
        del entry["patch"]
    else:
        entry["patch"] = patch
    if previous_filename is not None:
        entry["previous_filename"] = previous_filename
    return entry


def error_body(message: str, errors: tuple[str, ...] = ()) -> dict[str, Any]:
    """GitHub's error shape (``basic-error``, or ``validation-error-simple`` with errors)."""
    body: dict[str, Any] = {
        "message": message,
        "documentation_url": "https://docs.github.com/rest",
    }
    if errors:
        body["errors"] = list(errors)
    return body
