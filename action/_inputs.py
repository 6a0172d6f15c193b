"""The Action's inputs and GitHub's environment variables, read once into immutable data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# action.yml passes each input as one of these (docker actions get INPUT_* too, but named
# variables keep the contract explicit and testable).
INPUT_VARIABLES = {
    "token": "PERFORCH_GITHUB_TOKEN",
    "config": "PERFORCH_CONFIG",
    "models": "PERFORCH_MODELS",
    "max_functions": "PERFORCH_MAX_FUNCTIONS",
    "max_cost": "PERFORCH_MAX_COST",
    "min_speedup": "PERFORCH_MIN_SPEEDUP",
    "languages": "PERFORCH_LANGUAGES",
    "mode": "PERFORCH_MODE",
    "label": "PERFORCH_LABEL",
    "drafts": "PERFORCH_DRAFTS",
    "partials": "PERFORCH_PARTIALS",
}


class InputError(Exception):
    """An input or environment variable that is missing or malformed."""


@dataclass(frozen=True)
class ActionInputs:
    token: str
    event_name: str
    event_path: Path
    workspace: Path
    api_url: str
    config: Path | None
    models: tuple[str, ...]
    max_functions: int
    max_cost: float | None
    min_speedup: float | None
    languages: tuple[str, ...]
    mode: str
    label: str
    drafts: bool
    output_file: Path | None
    summary_file: Path | None
    run_url: str | None
    cache_dir: Path | None
    partials: str = ""  # merge mode: a glob of shard traces, relative to the workspace


def read_inputs(environ: Mapping[str, str]) -> ActionInputs:
    def value(name: str) -> str:
        return environ.get(INPUT_VARIABLES[name], "").strip()

    token = value("token")
    if not token:
        raise InputError(
            "no GitHub token: pass `github-token` (it defaults to the workflow's GITHUB_TOKEN; "
            "check the workflow's `permissions:` block)"
        )
    for required in ("GITHUB_EVENT_NAME", "GITHUB_EVENT_PATH", "GITHUB_WORKSPACE"):
        if not environ.get(required):
            raise InputError(f"{required} is not set: run PerfOrch as a GitHub Action step")
    mode = value("mode") or "suggest"
    if mode not in ("suggest", "report", "merge"):
        raise InputError(f"mode must be `suggest`, `report` or `merge`, not {mode!r}")
    if mode == "merge" and not value("partials"):
        raise InputError(
            "mode `merge` needs `partials`: a glob of the shards' traces relative to the "
            "workspace, e.g. `partials: perforch-shards/*.json`"
        )
    workspace = Path(environ["GITHUB_WORKSPACE"])
    config = value("config")
    server = environ.get("GITHUB_SERVER_URL", "https://github.com")
    run = environ.get("GITHUB_RUN_ID")
    return ActionInputs(
        token=token,
        event_name=environ["GITHUB_EVENT_NAME"],
        event_path=Path(environ["GITHUB_EVENT_PATH"]),
        workspace=workspace,
        api_url=environ.get("GITHUB_API_URL", "https://api.github.com"),
        config=workspace / config if config else None,
        models=_words(value("models")),
        max_functions=int(_number(value("max_functions") or "10", "max-functions", int)),
        max_cost=_number(value("max_cost"), "max-cost", float) if value("max_cost") else None,
        min_speedup=(
            _number(value("min_speedup"), "min-speedup", float) if value("min_speedup") else None
        ),
        languages=_words(value("languages")),
        mode=mode,
        label=value("label") or "perforch",
        drafts=value("drafts").lower() in ("true", "1", "yes"),
        output_file=_path(environ.get("GITHUB_OUTPUT")),
        summary_file=_path(environ.get("GITHUB_STEP_SUMMARY")),
        run_url=f"{server}/{environ.get('GITHUB_REPOSITORY', '')}/actions/runs/{run}"
        if run
        else None,
        cache_dir=_path(environ.get("PERFORCH_CACHE_DIR")),
        partials=value("partials"),
    )


def _words(text: str) -> tuple[str, ...]:
    return tuple(w for w in text.replace(",", " ").split() if w)


def _number(text: str, name: str, kind: type[int] | type[float]) -> float:
    try:
        number = kind(text)
    except ValueError:
        raise InputError(f"{name} must be a number, not {text!r}") from None
    if number <= 0:
        raise InputError(f"{name} must be positive, not {text!r}")
    return number


def _path(text: str | None) -> Path | None:
    return Path(text) if text else None
