"""Model profiles: what each model is good at, per language x stage x category, with sources.

One YAML file per model (``profiles/`` at the top of the repository holds the seed profiles,
built only from published figures by ``profiles/build_seed.py``). ``load_profiles`` reads a
folder of them, ``update_profile`` merges newly measured numbers into one.
"""

from __future__ import annotations

from perforch_bot.profiles._load import (
    ProfileError,
    default_profiles_dir,
    load_profile,
    load_profiles,
)
from perforch_bot.profiles._schema import (
    ALL,
    LANGUAGES,
    METRICS,
    STAGE_METRICS,
    STAGES,
    CategoryKey,
    FixMetrics,
    GenerateMetrics,
    Language,
    LanguageKey,
    Measurement,
    MetricSpec,
    Prices,
    Profile,
    RefineMetrics,
    Source,
    Stage,
    StageTable,
    check_name_of_env_var,
)
from perforch_bot.profiles._write import (
    MeasuredRun,
    MeasuredValue,
    dump_profile,
    update_profile,
    write_profile,
)

__all__ = [
    "ALL",
    "LANGUAGES",
    "METRICS",
    "STAGES",
    "STAGE_METRICS",
    "CategoryKey",
    "FixMetrics",
    "GenerateMetrics",
    "Language",
    "LanguageKey",
    "MeasuredRun",
    "MeasuredValue",
    "Measurement",
    "MetricSpec",
    "Prices",
    "Profile",
    "ProfileError",
    "RefineMetrics",
    "Source",
    "Stage",
    "StageTable",
    "check_name_of_env_var",
    "default_profiles_dir",
    "dump_profile",
    "load_profile",
    "load_profiles",
    "update_profile",
    "write_profile",
]
