"""The real webhook payloads (octokit/webhooks' examples in ../shared/data/github-webhooks),
read fresh for each test so that a test may change its copy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

WEBHOOKS = Path(__file__).resolve().parents[4] / "shared" / "data" / "github-webhooks"
REPO = "Codertocat/Hello-World"
HEAD = "ec26c3e57ca3a959ca5aad62de7213c562f8c821"


def load(event: str, name: str) -> dict[str, Any]:
    """``WEBHOOKS/<event>/<name>.payload.json``."""
    payload: dict[str, Any] = json.loads((WEBHOOKS / event / f"{name}.payload.json").read_text())
    return payload


def comment(body: str, *, on_pull_request: bool = True, name: str = "created") -> dict[str, Any]:
    """The issue_comment payload with ``body`` as the comment; on a pull request, the issue
    gets the ``pull_request`` key GitHub adds there (none of the examples has it)."""
    payload = load("issue_comment", f"{name}")
    payload["comment"]["body"] = body
    if on_pull_request:
        number = payload["issue"]["number"]
        api = f"https://api.github.com/repos/{REPO}"
        payload["issue"]["pull_request"] = {
            "url": f"{api}/pulls/{number}",
            "html_url": f"https://github.com/{REPO}/pull/{number}",
            "diff_url": f"https://github.com/{REPO}/pull/{number}.diff",
            "patch_url": f"https://github.com/{REPO}/pull/{number}.patch",
        }
    return payload
