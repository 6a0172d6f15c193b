"""Writing profiles, and merging measured numbers into one (``perforch profile`` uses this)."""

from __future__ import annotations

import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from perforch_bot._yaml_files import explain
from perforch_bot.profiles._load import ProfileError, load_profile
from perforch_bot.profiles._schema import (
    STAGE_METRICS,
    CategoryKey,
    LanguageKey,
    Measurement,
    Profile,
    Source,
    Stage,
)


@dataclass(frozen=True)
class MeasuredValue:
    """One number a measurement run produced for one cell of a profile."""

    language: LanguageKey
    stage: Stage
    category: CategoryKey
    metric: str
    value: float
    sample_size: int | None
    note: str | None = None


@dataclass(frozen=True)
class MeasuredRun:
    """The numbers of one run and the source they cite (``source_id`` must be new or the same
    run's; its ``benchmark`` decides which older figures the new ones replace)."""

    source_id: str
    source: Source
    values: tuple[MeasuredValue, ...]


def dump_profile(profile: Profile, header: Sequence[str] = ()) -> str:
    """The profile as YAML, keys in schema order, with ``header`` as leading comments."""
    data = profile.model_dump(mode="json")
    comments = "".join(f"# {line}\n" if line else "#\n" for line in header)
    body = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)
    return comments + body


def write_profile(path: Path, profile: Profile, header: Sequence[str] = ()) -> None:
    """Write atomically: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, prefix=f".{path.name}.", delete=False
    ) as handle:
        handle.write(dump_profile(profile, header))
    Path(handle.name).replace(path)


def update_profile(
    path: Path,
    run: MeasuredRun,
    *,
    model: str | None = None,
    header: Sequence[str] = (),
) -> Profile:
    """Merge ``run`` into the profile at ``path`` (created for ``model`` if missing) and write it.

    A measured value replaces, in its cell and metric, the figures from sources with the same
    benchmark (an older run of the same measurement); figures from other benchmarks and every
    other cell stay as they are, with their sources. Sources no figure cites any more are
    dropped. Returns the written profile.
    """
    if path.exists():
        profile = load_profile(path)
        if model is not None and model != profile.model:
            raise ProfileError(
                f"{path}: holds model {profile.model!r}, not {model!r}; pick that model's file"
            )
    elif model is None:
        raise ProfileError(f"{path}: no such profile; give the model to create one for")
    else:
        profile = Profile(model=model)
    data = profile.model_dump(mode="json")
    replaced = {
        source_id
        for source_id, source in profile.sources.items()
        if source.benchmark == run.source.benchmark
    }
    data["sources"][run.source_id] = run.source.model_dump(mode="json")
    for value in run.values:
        _merge(data, value, run.source_id, replaced | {run.source_id})
    _drop_unused_sources(data)
    try:
        merged = Profile.model_validate(data)
    except ValidationError as exc:
        raise ProfileError(explain(path, exc, Profile, lambda _: None)) from exc
    write_profile(path, merged, header)
    return merged


def _merge(data: dict[str, Any], value: MeasuredValue, source_id: str, replaced: set[str]) -> None:
    fields = STAGE_METRICS[value.stage].model_fields
    if value.metric not in fields:
        raise ProfileError(
            f"{value.stage} has no metric {value.metric!r}; it has {', '.join(fields)}"
        )
    table = data["metrics"].setdefault(value.language, {"generate": {}, "fix": {}, "refine": {}})
    cell = table[value.stage].setdefault(value.category, dict.fromkeys(fields, "unknown"))
    existing = cell.get(value.metric, "unknown")
    kept = [] if existing == "unknown" else [m for m in existing if m["source"] not in replaced]
    new = Measurement(
        value=value.value, source=source_id, sample_size=value.sample_size, note=value.note
    )
    cell[value.metric] = [new.model_dump(mode="json"), *kept]


def _drop_unused_sources(data: dict[str, Any]) -> None:
    used = set(data["source_names"])
    if isinstance(data["prices"], dict):
        used.add(data["prices"]["source"])
    for table in data["metrics"].values():
        for stage_cells in table.values():
            for cell in stage_cells.values():
                for metric in cell.values():
                    if metric != "unknown":
                        used.update(m["source"] for m in metric)
    data["sources"] = {k: v for k, v in data["sources"].items() if k in used}
