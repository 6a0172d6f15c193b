"""``.perforch.yml``: the settings of a repository, as frozen pydantic models.

Everything has a default, so a missing file (or an empty one) means the defaults. Keys are
checked strictly: a misspelt key is an error that names the file, the key and the valid keys.
API keys never appear here: a model names the environment variable that holds its key, and
only ``action/`` reads the environment.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from perforch_bot._yaml_files import explain, read_mapping
from perforch_bot.errors import PerforchError
from perforch_bot.profiles import LANGUAGES, Language, Stage, check_name_of_env_var

__all__ = [
    "CONFIG_FILE_NAMES",
    "ConfigError",
    "ExpectedTokens",
    "ModelSettings",
    "Settings",
    "TokenEstimate",
    "Weights",
    "find_config",
    "load_config",
    "settings_for",
]

CONFIG_FILE_NAMES = (".perforch.yml", ".perforch.yaml")

_LANGUAGE_ALIASES: Mapping[str, Language] = {
    "c++": "cpp",
    "cxx": "cpp",
    "py": "python",
    "golang": "go",
    "rs": "rust",
}


class ConfigError(PerforchError):
    """A ``.perforch.yml`` that cannot be used."""


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Weights(_Frozen):
    """How much each term counts when ranking models (scaled to sum 1 for each stage)."""

    correctness: float = Field(default=0.4, ge=0)
    speed: float = Field(default=0.3, ge=0)
    memory: float = Field(default=0.1, ge=0)
    cost: float = Field(default=0.1, ge=0)
    latency: float = Field(default=0.1, ge=0)

    @model_validator(mode="after")
    def _usable(self) -> Weights:
        values = self.as_mapping().values()
        if not all(math.isfinite(v) for v in values):
            raise ValueError("weights must be finite numbers")
        if sum(values) <= 0:
            raise ValueError("at least one weight must be above 0")
        return self

    def as_mapping(self) -> dict[str, float]:
        return {
            "correctness": self.correctness,
            "speed": self.speed,
            "memory": self.memory,
            "cost": self.cost,
            "latency": self.latency,
        }


class ModelSettings(_Frozen):
    """A model the router may choose. ``api_base`` and ``api_key_env`` override the profile's."""

    model: str = Field(min_length=1)
    api_base: str | None = None
    api_key_env: str | None = None

    @field_validator("api_key_env")
    @classmethod
    def _env_name(cls, value: str | None) -> str | None:
        return check_name_of_env_var(value)


class TokenEstimate(_Frozen):
    """Rough size of one call, used only to compare models' cost (runs report actual cost)."""

    prompt: int = Field(ge=0)
    completion: int = Field(ge=0)


class ExpectedTokens(_Frozen):
    generate: TokenEstimate = TokenEstimate(prompt=1500, completion=1000)
    fix: TokenEstimate = TokenEstimate(prompt=2500, completion=1000)
    refine: TokenEstimate = TokenEstimate(prompt=3000, completion=1200)

    def for_stage(self, stage: Stage) -> TokenEstimate:
        estimate: TokenEstimate = getattr(self, stage)
        return estimate


class Settings(_Frozen):
    """All of ``.perforch.yml``. ``models`` None means every model that has a profile;
    ``profiles_dir`` None means the seed profiles shipped with PerfOrch."""

    weights: Weights = Weights()
    models: tuple[ModelSettings, ...] | None = None
    max_cost_usd: float = Field(default=1.0, gt=0)
    fix_rounds: int = Field(default=2, ge=0, le=10)
    refine_rounds: int = Field(default=2, ge=0, le=10)
    min_effect: float = Field(default=0.03, ge=0, lt=1)
    # The pre-commit hook blocks a commit that makes a function slower by more than this.
    max_slowdown: float = Field(default=0.10, gt=0, lt=1)
    languages: tuple[Language, ...] = LANGUAGES
    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    profiles_dir: Path | None = None
    expected_tokens: ExpectedTokens = ExpectedTokens()

    @field_validator("models", mode="before")
    @classmethod
    def _model_strings(cls, value: Any) -> Any:
        # A bare string is the common case: `- gpt-4.1`.
        if isinstance(value, list):
            return [{"model": v} if isinstance(v, str) else v for v in value]
        return value

    @field_validator("models")
    @classmethod
    def _distinct_models(
        cls, value: tuple[ModelSettings, ...] | None
    ) -> tuple[ModelSettings, ...] | None:
        if value is not None:
            if not value:
                raise ValueError("list at least one model, or leave `models` out to use all")
            names = [m.model for m in value]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"model(s) listed twice: {', '.join(twice)}")
        return value

    @field_validator("languages", mode="before")
    @classmethod
    def _language_aliases(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [
                _LANGUAGE_ALIASES.get(v.lower(), v.lower()) if isinstance(v, str) else v
                for v in value
            ]
        return value

    @field_validator("languages")
    @classmethod
    def _some_languages(cls, value: tuple[Language, ...]) -> tuple[Language, ...]:
        if not value:
            raise ValueError("list at least one language")
        return tuple(dict.fromkeys(value))

    @field_validator("max_cost_usd", "min_effect", "max_slowdown")
    @classmethod
    def _finite(cls, value: float) -> float:
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return value


_HINTS: Mapping[str, str] = {
    "weights": "write e.g. `weights: {correctness: 0.4, speed: 0.3, memory: 0.1, cost: 0.1, "
    "latency: 0.1}`",
    "models": "write a list, e.g. `models: [gpt-4.1, {model: ollama/qwen2.5-coder, "
    "api_base: 'http://localhost:11434'}]`",
    "max_cost_usd": "write the most one run may spend in USD, e.g. `max_cost_usd: 0.50`",
    "fix_rounds": "write a whole number from 0 to 10, e.g. `fix_rounds: 2`",
    "refine_rounds": "write a whole number from 0 to 10, e.g. `refine_rounds: 2`",
    "min_effect": "write the smallest speedup worth keeping as a fraction, e.g. "
    "`min_effect: 0.03` for 3%",
    "max_slowdown": "write the largest slowdown a commit may bring as a fraction, e.g. "
    "`max_slowdown: 0.10` for 10%",
    "languages": f"write a list from {', '.join(LANGUAGES)}, e.g. `languages: [python, go]`",
    "include": "write a list of globs, e.g. `include: ['src/**']`",
    "exclude": "write a list of globs, e.g. `exclude: ['**/vendor/**']`",
    "profiles_dir": "write a folder path relative to this file, e.g. `profiles_dir: profiles`",
    "expected_tokens": "write e.g. `expected_tokens: {refine: {prompt: 3000, completion: 1200}}`",
}


def _hint(location: str) -> str | None:
    key = location.partition(".")[0].partition("[")[0]
    if location.startswith("models") and location.endswith("api_key_env"):
        return "write e.g. `api_key_env: OPENAI_API_KEY`"
    return _HINTS.get(key)


def load_config(path: Path) -> Settings:
    """The settings in ``path``; ``profiles_dir`` is resolved against the file's folder."""
    if not path.is_file():
        raise ConfigError(
            f"{path}: no such config file; create it (every key is optional) or leave out "
            "--config to use the defaults"
        )
    data = read_mapping(path, ConfigError)
    try:
        settings = Settings.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(explain(path, exc, Settings, _hint)) from exc
    if settings.profiles_dir is not None and not settings.profiles_dir.is_absolute():
        resolved = (path.parent / settings.profiles_dir).resolve()
        settings = settings.model_copy(update={"profiles_dir": resolved})
    return settings


def find_config(directory: Path) -> Path | None:
    """``.perforch.yml`` (or ``.yaml``) in ``directory``, if there is one."""
    for name in CONFIG_FILE_NAMES:
        candidate = directory / name
        if candidate.is_file():
            return candidate
    return None


def settings_for(directory: Path) -> Settings:
    """The settings of the repository at ``directory``: its config file, else the defaults."""
    found = find_config(directory)
    return Settings() if found is None else load_config(found)
