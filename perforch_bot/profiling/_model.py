"""What a profiling run is given and what it finds, per problem (immutable data)."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from perforch_bot.categories import Category
from perforch_bot.errors import PerforchError
from perforch_bot.llm import REPLAY_PREFIX, CallRecord, LLMSettings, ModelEndpoint
from sandbox import Budget

Progress = Callable[[str], None]
GenerateOutcome = Literal["passed", "failed"]
FixOutcome = Literal["repaired", "failed"]
# faster: measurably faster than the canonical solution; correct: passes the tests and gives
# the canonical outputs, but not measurably faster; wrong: rejected, fails the tests or
# gives other outputs.
RefineOutcome = Literal["faster", "correct", "wrong"]

BENCHMARK = "HumanEval-X (perforch profile)"
# A litellm model string: ``name`` or ``provider/name`` (names may hold further slashes, e.g.
# ``hosted_vllm/Qwen/Qwen3-32B``), no spaces, no empty part.
_MODEL_STRING = re.compile(r"^[A-Za-z0-9][\w.:@+-]*(/[\w.:@+-]+)*$")


class ProfilingError(PerforchError):
    """A profiling run that cannot start or cannot give any figure."""


def check_model_string(model: str) -> str:
    """``model`` when it reads as a litellm model string, else a ProfilingError saying what to
    write instead."""
    if model.startswith(REPLAY_PREFIX):
        raise ProfilingError(
            f"{model!r} serves recorded answers, which measure nothing about a model; "
            f"profile the model itself ({model.removeprefix(REPLAY_PREFIX)!r})"
        )
    if not _MODEL_STRING.match(model):
        raise ProfilingError(
            f"{model!r} is not a litellm model string: write provider/model (e.g. "
            "openai/gpt-4o-mini, anthropic/claude-3-5-sonnet-20241022, or openai/<served name> "
            "with --api-base for a local OpenAI-compatible server), without spaces"
        )
    return model


# Seconds each refinement's comparison may time, per language: enough for a clear change to
# reach a verdict (the JVM warms up first; Go and Java processes start slower).
DEFAULT_MAX_SECONDS: dict[str, float] = {"java": 60.0, "go": 30.0}
FALLBACK_MAX_SECONDS = 20.0


@dataclass(frozen=True)
class ProfileConfig:
    """One profiling run: which model (``endpoint``, with its key and prices), which problems
    (``tasks``: only these IDs, e.g. ``Python/55``; ``limit``: the first N per language; None:
    all), how calls are made, the cost cap, and the timing budget of each refinement's
    comparison (``max_seconds``; None: ``DEFAULT_MAX_SECONDS`` per language)."""

    endpoint: ModelEndpoint
    data_dir: Path
    languages: tuple[str, ...]
    limit: int | None = None
    tasks: tuple[str, ...] = ()
    llm: LLMSettings = field(default_factory=LLMSettings)
    max_cost_usd: float | None = None
    max_seconds: float | None = None
    min_effect: float = 0.03
    workers: int = 2

    @property
    def model(self) -> str:
        return self.endpoint.model

    def budget(self, language: str) -> Budget:
        seconds = self.max_seconds or DEFAULT_MAX_SECONDS.get(language, FALLBACK_MAX_SECONDS)
        return Budget(max_seconds=seconds, min_effect=self.min_effect)


@dataclass(frozen=True)
class ProblemOutcome:
    """What one problem showed about the model. A stage left ``None`` was not measured on it
    (``skipped`` says why); ``calls`` are the model calls made for it."""

    task_id: str
    language: str
    category: Category
    generate: GenerateOutcome | None = None
    generate_problem: str | None = None
    fix: FixOutcome | None = None
    fix_problem: str | None = None
    refine: RefineOutcome | None = None
    refine_summary: str | None = None
    speedup: float | None = None
    memory_ratio: float | None = None
    skipped: tuple[str, ...] = ()
    calls: tuple[CallRecord, ...] = ()


@dataclass(frozen=True)
class ProfileResult:
    """Every problem's outcome, in order, and why the run stopped early (None: it did not)."""

    model: str
    languages: tuple[str, ...]
    outcomes: tuple[ProblemOutcome, ...]
    problems_per_language: dict[str, int]
    stopped: str | None = None
