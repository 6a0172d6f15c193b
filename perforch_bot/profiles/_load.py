"""Loading profiles: one file, or every ``*.yml``/``*.yaml`` in a directory."""

from __future__ import annotations

from pathlib import Path

from pydantic import ValidationError

from perforch_bot._yaml_files import explain, read_mapping
from perforch_bot.errors import PerforchError
from perforch_bot.profiles._schema import METRICS, Profile


class ProfileError(PerforchError):
    """A profile file (or directory of them) that cannot be used."""


def default_profiles_dir() -> Path:
    """The seed profiles shipped at the top of the PerfOrch repository (``profiles/``)."""
    return Path(__file__).resolve().parents[2] / "profiles"


def load_profile(path: Path) -> Profile:
    data = read_mapping(path, ProfileError)
    try:
        return Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(explain(path, exc, Profile, _hint)) from exc


def load_profiles(directory: Path) -> tuple[Profile, ...]:
    """Every profile in ``directory``, ordered by model; two files for one model is an error."""
    if not directory.is_dir():
        raise ProfileError(
            f"{directory}: no such profiles directory; set `profiles_dir` in .perforch.yml "
            "or pass --profiles DIR (a folder of one YAML file per model)"
        )
    files = sorted([*directory.glob("*.yml"), *directory.glob("*.yaml")])
    seen: dict[str, Path] = {}
    profiles: list[Profile] = []
    for path in files:
        profile = load_profile(path)
        if profile.model in seen:
            raise ProfileError(
                f"{path}: model {profile.model!r} already has a profile in {seen[profile.model]}; "
                "keep one file per model (merge or delete one)"
            )
        seen[profile.model] = path
        profiles.append(profile)
    return tuple(sorted(profiles, key=lambda p: p.model))


def _hint(location: str) -> str | None:
    parts = location.split(".")
    if location.endswith(".source") or location == "prices.source":
        return "write the id of an entry under `sources:`"
    if location.startswith("metrics.") and len(parts) >= 5:
        metric = parts[4].split("[")[0]
        if metric in METRICS:
            return (
                f"write `{metric}: unknown` or a list of measurements "
                "`- {value: 0.8, source: ID, sample_size: 164}`"
            )
        return f"metrics of a stage are: {', '.join(METRICS)}"
    if location.startswith("metrics."):
        return (
            "metrics are keyed language (python, java, cpp, go, rust, all) -> stage "
            "(generate, fix, refine) -> category (a category id or all)"
        )
    if location.startswith("sources."):
        return "each source needs citation, table, date and benchmark (strings)"
    if location.startswith("prices"):
        return "write `prices: unknown` or input_per_million, output_per_million (USD) and source"
    return None
