"""The environment untrusted code sees: the host's, minus anything that looks like a secret."""

from __future__ import annotations

import fnmatch
from collections.abc import Mapping

# Names are matched case-insensitively. A sandboxed program gets none of these, whatever its
# language: code from pull requests and models must never see the workflow's credentials.
SECRET_PATTERNS: tuple[str, ...] = (
    "GITHUB_TOKEN",
    "GH_TOKEN",
    "ACTIONS_*",
    "RUNNER_*",
    "GITHUB_*",
    "*_API_KEY",
    "*_APIKEY",
    "*_TOKEN",
    "*_TOKEN_*",
    "*SECRET*",
    "*PASSWORD*",
    "*PASSWD*",
    "*CREDENTIAL*",
    "*_KEY",
    "*_PAT",
    "AWS_*",
    "AZURE_*",
    "GOOGLE_*",
    "GCP_*",
    "GCLOUD_*",
    "OPENAI_*",
    "ANTHROPIC_*",
    "HF_*",
    "HUGGING*",
    "SSH_AUTH_SOCK",
    "SSH_AGENT_*",
    "NPM_CONFIG_*",
    "PYPI_*",
    "TWINE_*",
    "DOCKER_AUTH_CONFIG",
    "KUBECONFIG",
    "LITELLM_*",
    "PERFORCH_*_KEY",
)


def is_secret(name: str) -> bool:
    upper = name.upper()
    return any(fnmatch.fnmatchcase(upper, pattern) for pattern in SECRET_PATTERNS)


def sandbox_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """The whole environment of a sandboxed command: nothing from the host, only a fixed base and
    the language's own ``extra`` (PATH, caches). ``extra`` is filtered too, so a language module
    cannot pass a secret through by mistake.
    """
    env = {"LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "PATH": "/usr/local/bin:/usr/bin:/bin"}
    env.update(extra)
    return {name: value for name, value in env.items() if not is_secret(name)}
