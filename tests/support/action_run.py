"""The Action's standard run for end-to-end checks: a repository whose pull request adds a slow
``calc.py::total``, configured for one model on the loopback model server, and the workflow
environment the Action reads. Used by tests/action/test_main.py and scripts/check_image.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.support.github_server import GitHubServer
from tests.support.openai_server import OpenAIServer
from tests.support.workspace import Workspace, make_workspace

OTHER = "def other():\n    return 1\n"
SLOW = "def total(xs):\n    s = 0\n    for x in xs:\n        s = s + x\n    return s\n"
FAST = "def total(xs):\n    return sum(xs)\n"
INPUTS = "INPUTS = [(list(range(20000)),), ([],)]\n"


def calc_workspace(root: Path, api_base: str) -> Workspace:
    """The repository under ``root``: base has ``other``, head adds ``total`` (SLOW), with
    ``.perforch.yml`` naming ``openai/alpha`` at ``api_base`` and saved inputs for ``total``."""
    config = (
        f"models:\n  - {{model: openai/alpha, api_base: '{api_base}', "
        "api_key_env: PERFORCH_TEST_KEY}\nrefine_rounds: 0\n"
    )
    files = {"calc.py": OTHER, ".perforch.yml": config}
    ws = make_workspace(root, files, {"calc.py": OTHER + "\n\n" + SLOW})
    saved = ws.path / ".perforch" / "inputs" / "calc.py"
    saved.mkdir(parents=True)
    (saved / "total.py").write_text(INPUTS)
    return ws


def environment(
    root: Path,
    github: GitHubServer,
    openai: OpenAIServer,
    ws: Workspace,
    event: str,
    payload: dict[str, Any],
    sandbox_cache: Path | None,
) -> dict[str, str]:
    """The workflow's environment for ``event`` (its payload written under ``root``, where the
    outputs and step summary go too); no PERFORCH_CACHE_DIR when ``sandbox_cache`` is None
    (the Action's image sets its own)."""
    event_path = root / "event.json"
    event_path.write_text(json.dumps(payload))
    env = {
        "PERFORCH_GITHUB_TOKEN": github.token,
        "GITHUB_EVENT_NAME": event,
        "GITHUB_EVENT_PATH": str(event_path),
        "GITHUB_WORKSPACE": str(ws.path),
        "GITHUB_API_URL": github.base_url,
        "GITHUB_OUTPUT": str(root / "output"),
        "GITHUB_STEP_SUMMARY": str(root / "summary.md"),
        "PERFORCH_TEST_KEY": openai.api_key,
    }
    if sandbox_cache is not None:
        env["PERFORCH_CACHE_DIR"] = str(sandbox_cache)
    return env
