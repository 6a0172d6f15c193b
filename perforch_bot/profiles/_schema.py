"""The profile format: one YAML file per model, validated with pydantic.

A profile names the model (its litellm model string), how to reach it, its prices, and
measurements per language x stage x category. Every number cites a source defined in the file;
a metric no source gives is written ``unknown``. Measurements from different benchmarks are
never compared with each other (see ``perforch_bot.routing``), so each source names its
benchmark.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from perforch_bot.categories import Category

Language = Literal["python", "java", "cpp", "go", "rust"]
LANGUAGES: tuple[Language, ...] = get_args(Language)
LanguageKey = Language | Literal["all"]
CategoryKey = Category | Literal["all"]
Stage = Literal["generate", "fix", "refine"]
STAGES: tuple[Stage, ...] = get_args(Stage)
ALL: Literal["all"] = "all"

_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")


@dataclass(frozen=True)
class MetricSpec:
    """What a metric measures, its allowed range and which way is better."""

    stage: Stage | None  # None: every stage has it
    unit: str
    higher_is_better: bool
    minimum: float
    maximum: float | None
    minimum_inclusive: bool = True


METRICS: Mapping[str, MetricSpec] = {
    "pass_rate": MetricSpec("generate", "fraction of tasks solved", True, 0.0, 1.0),
    "efficiency": MetricSpec(
        "generate", "efficiency score of generated code vs expert code (0..1)", True, 0.0, 1.0
    ),
    "repair_rate": MetricSpec("fix", "fraction of failing solutions repaired", True, 0.0, 1.0),
    "improved_share": MetricSpec(
        "refine", "fraction of correct solutions made measurably faster", True, 0.0, 1.0
    ),
    "median_speedup": MetricSpec(
        "refine", "median old/new run time (1.2 = 20% faster)", True, 0.0, None, False
    ),
    "median_memory_ratio": MetricSpec(
        "refine", "median new/old peak memory (0.9 = 10% less)", False, 0.0, None, False
    ),
    "latency_seconds": MetricSpec(None, "seconds per task", False, 0.0, None, False),
}


def check_name_of_env_var(value: str | None) -> str | None:
    """An environment variable's NAME (``OPENAI_API_KEY``), never the key itself."""
    if value is None:
        return None
    if not _ENV_NAME.match(value) or value.startswith(("sk-", "sk_")):
        raise ValueError(
            "must be the NAME of an environment variable that holds the key "
            "(e.g. OPENAI_API_KEY), never the key itself"
        )
    return value


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Source(_Frozen):
    """Where numbers come from: enough to find them again."""

    citation: str = Field(min_length=1)
    table: str = Field(min_length=1)
    date: str = Field(min_length=1)
    benchmark: str = Field(min_length=1)
    url: str | None = None
    license: str | None = None
    notes: str | None = None


class Measurement(_Frozen):
    """One figure from one source. ``sample_size`` is None when the source gives none."""

    value: float
    source: str
    sample_size: int | None = Field(default=None, ge=1)
    note: str | None = None

    @field_validator("value")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


Unknown = Literal["unknown"]
UNKNOWN: Unknown = "unknown"
Metric = Annotated[tuple[Measurement, ...], Field(min_length=1)] | Unknown


class _StageMetrics(_Frozen):
    @model_validator(mode="after")
    def _in_range(self) -> _StageMetrics:
        for name, metric in self.metric_items():
            spec = METRICS[name]
            for measurement in metric:
                _check_range(name, spec, measurement.value)
        return self

    def metric_items(self) -> Iterator[tuple[str, tuple[Measurement, ...]]]:
        """(metric name, measurements) for each metric that has a value."""
        for name in type(self).model_fields:
            metric = getattr(self, name)
            if metric != "unknown":
                yield name, metric


def _check_range(name: str, spec: MetricSpec, value: float) -> None:
    low_ok = value >= spec.minimum if spec.minimum_inclusive else value > spec.minimum
    high_ok = spec.maximum is None or value <= spec.maximum
    if not (low_ok and high_ok):
        bound = ">=" if spec.minimum_inclusive else ">"
        upper = f" and <= {spec.maximum:g}" if spec.maximum is not None else ""
        raise ValueError(
            f"{name} is {spec.unit}: it must be {bound} {spec.minimum:g}{upper}, got {value:g}"
            + (" (write fractions, e.g. 0.83 for 83%)" if spec.maximum == 1.0 else "")
        )


class GenerateMetrics(_StageMetrics):
    pass_rate: Metric = UNKNOWN
    efficiency: Metric = UNKNOWN
    latency_seconds: Metric = UNKNOWN


class FixMetrics(_StageMetrics):
    repair_rate: Metric = UNKNOWN
    latency_seconds: Metric = UNKNOWN


class RefineMetrics(_StageMetrics):
    improved_share: Metric = UNKNOWN
    median_speedup: Metric = UNKNOWN
    median_memory_ratio: Metric = UNKNOWN
    latency_seconds: Metric = UNKNOWN


StageMetrics = GenerateMetrics | FixMetrics | RefineMetrics
STAGE_METRICS: Mapping[Stage, type[_StageMetrics]] = {
    "generate": GenerateMetrics,
    "fix": FixMetrics,
    "refine": RefineMetrics,
}


class StageTable(_Frozen):
    """One language's metrics: per stage, per category (``all`` = every category)."""

    generate: dict[CategoryKey, GenerateMetrics] = Field(default_factory=dict)
    fix: dict[CategoryKey, FixMetrics] = Field(default_factory=dict)
    refine: dict[CategoryKey, RefineMetrics] = Field(default_factory=dict)

    def cells(self, stage: Stage) -> Mapping[CategoryKey, _StageMetrics]:
        table: Mapping[CategoryKey, _StageMetrics] = getattr(self, stage)
        return table


class Prices(_Frozen):
    """USD per 1M tokens, as the cited price list gives them."""

    input_per_million: float = Field(ge=0)
    output_per_million: float = Field(ge=0)
    source: str
    note: str | None = None


class Profile(_Frozen):
    """Everything PerfOrch knows about one model."""

    profile_format: Literal[1] = 1
    model: str = Field(min_length=1, description="litellm model string")
    name: str | None = None
    api_base: str | None = None
    api_key_env: str | None = None
    source_names: dict[str, str] = Field(default_factory=dict)
    notes: tuple[str, ...] = ()
    sources: dict[str, Source] = Field(default_factory=dict)
    prices: Prices | Unknown = "unknown"
    metrics: dict[LanguageKey, StageTable] = Field(default_factory=dict)

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        return check_name_of_env_var(value)

    @model_validator(mode="after")
    def _sources_defined(self) -> Profile:
        defined = set(self.sources)
        used: list[tuple[str, str]] = [(f"source_names.{s}", s) for s in self.source_names]
        if self.prices != "unknown":
            used.append(("prices.source", self.prices.source))
        for language, table in self.metrics.items():
            for stage in STAGES:
                for category, cell in table.cells(stage).items():
                    for name, metric in cell.metric_items():
                        where = f"metrics.{language}.{stage}.{category}.{name}"
                        used.extend(
                            (f"{where}[{i}].source", m.source) for i, m in enumerate(metric)
                        )
        for where, source in used:
            if source not in defined:
                listed = ", ".join(sorted(defined)) or "none"
                raise ValueError(
                    f"{where}: source {source!r} is not defined under `sources:` "
                    f"(defined: {listed}); add it there with citation, table, date, benchmark"
                )
        return self

    def measurements(
        self, language: LanguageKey, stage: Stage, category: CategoryKey, metric: str
    ) -> tuple[Measurement, ...]:
        """The figures for one metric in one cell (empty when unknown or absent)."""
        table = self.metrics.get(language)
        if table is None:
            return ()
        cell = table.cells(stage).get(category)
        if cell is None or metric not in type(cell).model_fields:
            return ()
        value: tuple[Measurement, ...] | str = getattr(cell, metric)
        return () if isinstance(value, str) else value
