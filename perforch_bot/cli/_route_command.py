"""``perforch route``: which model the profiles rank best for a language, stage and category,
with every term of the weighted sum so the choice can be checked."""

from __future__ import annotations

import json
from pathlib import Path

import click

from perforch_bot.categories import CATEGORY_LABELS, CategoryError, parse_category
from perforch_bot.cli._tables import render_table
from perforch_bot.config import ConfigError, Settings, find_config, load_config
from perforch_bot.profiles import (
    LANGUAGES,
    STAGES,
    ProfileError,
    default_profiles_dir,
    load_profiles,
)
from perforch_bot.routing import Figure, Ranking, RoutingError, TermBasis, route

_LANGUAGE_ALIASES = {"c++": "cpp", "cxx": "cpp", "py": "python", "golang": "go", "rs": "rust"}


@click.command(name="route")
@click.option(
    "--language",
    required=True,
    metavar="LANG",
    help=f"The code's language: {', '.join(LANGUAGES)}.",
)
@click.option("--stage", required=True, type=click.Choice(STAGES), help="The pipeline stage.")
@click.option(
    "--category",
    default=None,
    metavar="NAME",
    help="The problem category (e.g. strings, math, arrays, sorting, dp, parsing); "
    "without it the language-level figures are used.",
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Settings file [default: ./.perforch.yml if present, else built-in defaults].",
)
@click.option(
    "--profiles",
    "profiles_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of model profiles [default: the config's profiles_dir, else the seed profiles].",
)
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def route_command(
    language: str,
    stage: str,
    category: str | None,
    config_path: Path | None,
    profiles_dir: Path | None,
    as_json: bool,
) -> int:
    """Rank the configured models for one stage of the pipeline, showing each term's part."""
    language_key = _LANGUAGE_ALIASES.get(language.lower(), language.lower())
    if language_key not in LANGUAGES:
        raise click.BadParameter(
            f"{language!r} is not supported; use one of {', '.join(LANGUAGES)}",
            param_hint="--language",
        )
    try:
        parsed_category = parse_category(category) if category is not None else None
    except CategoryError as exc:
        raise click.BadParameter(str(exc), param_hint="--category") from exc
    try:
        settings = _settings(config_path)
        folder = profiles_dir or settings.profiles_dir or default_profiles_dir()
        ranking = route(
            settings,
            load_profiles(folder),
            language=language_key,
            stage=stage,  # type: ignore[arg-type]  # click.Choice(STAGES)
            category=parsed_category,
        )
    except (ConfigError, ProfileError, RoutingError) as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(
            json.dumps({"schema": 1, "profiles_dir": str(folder), **ranking.to_json()}, indent=2)
        )
    else:
        _print_human(ranking, folder)
    return 0


def _settings(config_path: Path | None) -> Settings:
    if config_path is not None:
        return load_config(config_path)
    found = find_config(Path.cwd())
    return Settings() if found is None else load_config(found)


def _print_human(ranking: Ranking, folder: Path) -> None:
    category = "all categories" if ranking.category is None else CATEGORY_LABELS[ranking.category]
    click.echo(
        f"Route: {ranking.language} / {ranking.stage} / {category} "
        f"({len(ranking.models)} models, profiles from {folder})"
    )
    used = [t for t in ranking.terms if t.used]
    headers = ["RANK", "MODEL", "SCORE", *(f"{t.term.upper()} ({t.weight:.2f})" for t in used)]
    rows = [
        [str(m.rank), m.model, f"{m.score:.3f}", *(_cell(m.figures[t.term]) for t in used)]
        for m in ranking.models
    ]
    click.echo(render_table(headers, rows))
    click.echo(
        "\nEach cell: weight x score (0 worst .. 1 best) = contribution, then the raw value."
    )
    click.echo("Terms:")
    for basis in ranking.terms:
        click.echo(f"  {basis.term:<11} {_describe(basis)}")
    for note in ranking.notes:
        click.echo(f"note: {note}")


def _cell(figure: Figure) -> str:
    if not figure.known:
        return "0.000 (unknown)"
    assert figure.value is not None
    return f"{figure.contribution:.3f} ({figure.value:.4g})"


def _describe(basis: TermBasis) -> str:
    if basis.metric is None:
        return f"not used: {basis.reason}"
    direction = "higher is better" if basis.higher_is_better else "lower is better"
    text = f"{basis.metric} [{basis.unit}; {direction}]: {basis.reason}"
    if basis.used and basis.lowest is not None and basis.highest is not None:
        text += f"; range {basis.lowest:.4g}..{basis.highest:.4g}"
    return text
