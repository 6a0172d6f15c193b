"""Response bodies for the loopback GitHub server, shaped like GitHub's own examples.

They are read at test time from ``../shared/data/github-rest-examples.json`` (the example
responses of GitHub's REST API description, keyed ``"METHOD path"``) and, for ``GET`` of an
issue, which that file lacks, from the ``issue`` of the ``issues/opened`` webhook payload in
``../shared/data/github-webhooks``. Nothing is copied into the repository.

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

ENDPOINTS = (
    PULL,
    PULL_FILES,
    REVIEWS,
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
    """A fresh copy of the example body of ``endpoint`` (one of ``ENDPOINTS``)."""
    if endpoint == ISSUE:
        return copy.deepcopy(_issue_example())
    response = _rest_examples()[endpoint]["responses"][_ANSWERED[endpoint]]
    examples = response["content"]["application/json"]["examples"]
    first = next(iter(examples.values()))
    return copy.deepcopy(first["value"])


def status_of(endpoint: str) -> int:
    """The success status GitHub answers ``endpoint`` with (201 for creations)."""
    return 200 if endpoint == ISSUE else int(_ANSWERED[endpoint])


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
