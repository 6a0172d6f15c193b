"""The Action's inputs: read from the environment once, bad values refused with what to do."""

from __future__ import annotations

from pathlib import Path

import pytest

from action._inputs import InputError, read_inputs

BASE = {
    "PERFORCH_GITHUB_TOKEN": "t",
    "GITHUB_EVENT_NAME": "pull_request",
    "GITHUB_EVENT_PATH": "/e.json",
    "GITHUB_WORKSPACE": "/w",
}


def test_defaults_and_lists() -> None:
    inputs = read_inputs(
        {**BASE, "PERFORCH_MODELS": "gpt-4.1, claude-x  o3", "PERFORCH_CONFIG": "ci/pf.yml"}
    )
    assert inputs.models == ("gpt-4.1", "claude-x", "o3")
    assert inputs.config == Path("/w/ci/pf.yml")
    assert (inputs.mode, inputs.max_functions, inputs.max_cost, inputs.drafts) == (
        "suggest",
        10,
        None,
        False,
    )
    assert inputs.api_url == "https://api.github.com"


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"PERFORCH_GITHUB_TOKEN": ""}, "no GitHub token"),
        ({"GITHUB_WORKSPACE": ""}, "GITHUB_WORKSPACE is not set"),
        ({"PERFORCH_MODE": "loud"}, "mode must be `suggest`, `report` or `merge`"),
        ({"PERFORCH_MODE": "merge"}, "mode `merge` needs `partials`"),
        ({"PERFORCH_MAX_COST": "cheap"}, "max-cost must be a number"),
        ({"PERFORCH_MAX_FUNCTIONS": "0"}, "max-functions must be positive"),
    ],
)
def test_bad_inputs_say_what_is_wrong(extra: dict[str, str], message: str) -> None:
    with pytest.raises(InputError, match=message):
        read_inputs({**BASE, **extra})
