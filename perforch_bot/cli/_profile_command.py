"""``perforch profile``: measure a model on HumanEval-X in the sandbox and merge the figures
into its profile (per language and category, with sample sizes and a source citing the run)."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import click

from perforch_bot.cli._context import sandbox_options, settings_from
from perforch_bot.cli._eval_command import DEFAULT_DATA
from perforch_bot.cli._tables import render_table
from perforch_bot.config import ConfigError, Settings, find_config, load_config
from perforch_bot.errors import PerforchError
from perforch_bot.llm import LLMSettings, ModelEndpoint, Prices, silence_litellm_console
from perforch_bot.profiles import (
    Profile,
    ProfileError,
    check_name_of_env_var,
    default_profiles_dir,
    load_profile,
)
from perforch_bot.profiling import (
    DEFAULT_MAX_SECONDS,
    FALLBACK_MAX_SECONDS,
    HEADERS,
    LANGUAGES,
    ProfileConfig,
    ProfileResult,
    ProfilingError,
    check_model_string,
    profile_model,
    profile_path,
    summary_json,
    summary_rows,
    write_measurements,
)
from sandbox import SandboxError

_ALIASES = {"c++": "cpp", "cxx": "cpp", "py": "python", "golang": "go", "rs": "rust"}
_FILES_HINT = "the folder holding humaneval_<language>.jsonl.gz"


@click.command(name="profile")
@click.option("--model", required=True, help="The litellm model string to measure.")
@click.option(
    "--benchmark",
    type=click.Choice(["humaneval-x"]),
    default="humaneval-x",
    show_default=True,
    help="What to measure it on.",
)
@click.option(
    "--language",
    "languages",
    multiple=True,
    metavar="LANG",
    help=f"Only these languages (repeatable): {', '.join(LANGUAGES)} [default: all five].",
)
@click.option("--limit", type=int, default=None, help="Only the first N problems per language.")
@click.option("--api-base", default=None, help="Server for the model (e.g. a local vLLM/Ollama).")
@click.option(
    "--api-key-env",
    default=None,
    metavar="NAME",
    help="Environment variable holding the key [default: the profile's, else litellm's].",
)
@click.option(
    "--profiles",
    "profiles_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="Folder of profiles to update [default: the config's profiles_dir, else the seeds].",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
    help=f"HumanEval-X: {_FILES_HINT}.",
)
@click.option("--max-cost", type=float, default=None, help="Most this run may spend, in USD.")
@click.option(
    "--max-seconds",
    type=float,
    default=None,
    help="Timing budget of each refinement's comparison "
    f"[default: {FALLBACK_MAX_SECONDS:g} s; Go {DEFAULT_MAX_SECONDS['go']:g} s, "
    f"Java {DEFAULT_MAX_SECONDS['java']:g} s].",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Settings file [default: ./.perforch.yml if present].",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@sandbox_options
def profile_command(
    model: str,
    benchmark: str,
    languages: tuple[str, ...],
    limit: int | None,
    api_base: str | None,
    api_key_env: str | None,
    profiles_dir: Path | None,
    data_dir: Path,
    max_cost: float | None,
    max_seconds: float | None,
    config_path: Path | None,
    as_json: bool,
    **sandbox: Any,
) -> int:
    """Measure a model on HumanEval-X (generate, fix, refine) and write its profile.

    Per problem: the model writes the function from its prompt (pass rate), repairs a failed
    answer once given the error (repair rate), and makes the canonical solution faster (share
    made measurably faster, median speedup, memory); HumanEval-X's tests judge every answer
    and sandbox.compare times refinements. Figures go into the model's profile per language and
    per category, with their sample sizes, citing this run; other figures are kept.
    """
    del benchmark  # one choice for now
    _check_usage(model, limit, max_cost, max_seconds, api_key_env, data_dir)
    chosen = _languages(languages)
    try:
        settings = _settings(config_path)
        folder = profiles_dir or settings.profiles_dir or default_profiles_dir()
        existing = _existing(folder, model)
    except (ConfigError, ProfileError, ProfilingError) as exc:
        raise click.ClickException(str(exc)) from exc
    key_env = api_key_env or (existing.api_key_env if existing else None)
    config = ProfileConfig(
        endpoint=ModelEndpoint(
            model,
            api_base or (existing.api_base if existing else None),
            _key(key_env, required=api_key_env is not None),
            _prices(existing),
        ),
        data_dir=data_dir,
        languages=chosen,
        limit=limit,
        llm=LLMSettings(),
        max_cost_usd=max_cost if max_cost is not None else settings.max_cost_usd,
        max_seconds=max_seconds,
        min_effect=settings.min_effect,
    )
    sandbox_settings = settings_from(**sandbox)
    started = datetime.now(UTC)

    def progress(message: str) -> None:
        click.echo(message, err=True)

    silence_litellm_console()  # its banners would land in the table or the JSON
    try:
        executor = sandbox_settings.executor()
        result = profile_model(config, executor, progress)
        path, _profile, source_id = write_measurements(
            result,
            config,
            folder,
            started=started,
            backend=executor.backend.name,  # the one "auto" chose
            api_key_env=api_key_env,
        )
    except (PerforchError, SandboxError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(summary_json(result, path, source_id), indent=2))
    else:
        _print_human(result, path, source_id)
    return 0


def _check_usage(
    model: str,
    limit: int | None,
    max_cost: float | None,
    max_seconds: float | None,
    api_key_env: str | None,
    data_dir: Path,
) -> None:
    try:
        check_model_string(model)
    except ProfilingError as exc:
        raise click.BadParameter(str(exc), param_hint="--model") from exc
    if limit is not None and limit < 1:
        raise click.BadParameter(
            f"{limit} problems per language measures nothing: give 1 or more, or leave out "
            "--limit for all 164",
            param_hint="--limit",
        )
    if max_cost is not None and not max_cost > 0:
        raise click.BadParameter(f"must be a positive number of USD, got {max_cost}")
    if max_seconds is not None and not max_seconds > 0:
        raise click.BadParameter(f"must be a positive number of seconds, got {max_seconds}")
    if api_key_env is not None:
        try:
            check_name_of_env_var(api_key_env)
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--api-key-env") from exc
    if not data_dir.is_dir():
        raise click.BadParameter(
            f"{data_dir} is not a folder: pass --data DIR, {_FILES_HINT} (HumanEval-X from "
            "github.com/THUDM/CodeGeeX)",
            param_hint="--data",
        )


def _languages(given: tuple[str, ...]) -> tuple[str, ...]:
    chosen: list[str] = []
    for language in given:
        name = _ALIASES.get(language.lower(), language.lower())
        if name not in LANGUAGES:
            raise click.BadParameter(
                f"{language!r} is not a HumanEval-X language here; choose from "
                f"{', '.join(LANGUAGES)}",
                param_hint="--language",
            )
        if name not in chosen:
            chosen.append(name)
    return tuple(chosen) or LANGUAGES


def _settings(config_path: Path | None) -> Settings:
    found = config_path or find_config(Path.cwd())
    return Settings() if found is None else load_config(found)


def _existing(folder: Path, model: str) -> Profile | None:
    path = profile_path(folder, model)
    return load_profile(path) if path.is_file() else None


def _key(name: str | None, *, required: bool) -> str | None:
    """The key in the variable ``name`` (read here, at the entry point)."""
    if name is None:
        return None
    key = os.environ.get(name)
    if key is None and required:
        raise click.BadParameter(
            f"{name} is not set; export the model's key in it, or leave out --api-key-env",
            param_hint="--api-key-env",
        )
    return key


def _prices(profile: Profile | None) -> Prices | None:
    if profile is None or profile.prices == "unknown":
        return None
    return Prices(profile.prices.input_per_million, profile.prices.output_per_million)


def _print_human(result: ProfileResult, path: Path, source_id: str) -> None:
    click.echo(f"Profile of {result.model} on HumanEval-X")
    click.echo(render_table(HEADERS, summary_rows(result)))
    skipped = [s for o in result.outcomes for s in o.skipped]
    if skipped:
        click.echo(f"not measured: {len(skipped)} stage(s) of problems (--json lists them)")
    if result.stopped:
        click.echo(f"stopped early: {result.stopped}")
    click.echo(f"profile: {path} (figures cite source {source_id})")
