from __future__ import annotations

import pytest

from sandbox._environment import is_secret, sandbox_environment


@pytest.mark.parametrize(
    "name",
    [
        "GITHUB_TOKEN",
        "GH_TOKEN",
        "ACTIONS_RUNTIME_TOKEN",
        "ACTIONS_ID_TOKEN_REQUEST_URL",
        "OPENAI_API_KEY",
        "anthropic_api_key",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "MY_SERVICE_SECRET",
        "DB_PASSWORD",
        "NPM_TOKEN",
        "SSH_AUTH_SOCK",
        "HF_TOKEN",
        "GOOGLE_APPLICATION_CREDENTIALS",
        "RUNNER_TEMP",
    ],
)
def test_secret_names_are_recognised(name: str) -> None:
    assert is_secret(name)


@pytest.mark.parametrize("name", ["PATH", "HOME", "LANG", "GOCACHE", "RUSTUP_HOME", "TMPDIR"])
def test_ordinary_names_are_kept(name: str) -> None:
    assert not is_secret(name)


def test_environment_is_built_from_scratch_and_filtered() -> None:
    env = sandbox_environment({"GOCACHE": "/c", "GITHUB_TOKEN": "ghp_x", "PATH": "/opt/go/bin"})
    assert env["GOCACHE"] == "/c"
    assert env["PATH"] == "/opt/go/bin"
    assert "GITHUB_TOKEN" not in env
    assert env["LANG"] == "C.UTF-8"
