"""What a pipeline run is given: the functions (tasks) and immutable settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal

from perforch_bot.config import Settings
from perforch_bot.llm import LLMSettings
from perforch_bot.profiles import Profile
from perforch_bot.targets import Function
from sandbox import Budget

Progress = Callable[[str], None]


@dataclass(frozen=True)
class Task:
    """One function to optimize: it, the file it is in, and its workload when one is known
    (``inputs``: calls to time and compare; ``tests``: a tests file), both in its language.
    Without inputs a model writes them."""

    function: Function
    source: bytes
    inputs: str | None = None
    tests: str | None = None
    origin: Literal["given", "bundled", "saved"] = "given"


@dataclass(frozen=True)
class PipelineConfig:
    """``keys`` maps the names in ``api_key_env`` to keys (the entry point reads them)."""

    settings: Settings
    profiles: tuple[Profile, ...]
    llm: LLMSettings = field(default_factory=LLMSettings)
    budget: Budget = field(default_factory=Budget)
    keys: Mapping[str, str] = field(default_factory=dict, repr=False)
    seed: int = 0
