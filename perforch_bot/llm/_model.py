"""What goes into a model call and what comes out: requests, settings, responses, records.

All of it is immutable data. The only per-run mutable object of the package is the
``CostTracker`` (in ``_costs``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from perforch_bot.llm._errors import LLMConfigError

Role = Literal["system", "user", "assistant"]
CostSource = Literal["litellm", "profile", "replay", "unknown"]
REPLAY_PREFIX = "replay/"


@dataclass(frozen=True)
class Message:
    role: Role
    content: str


@dataclass(frozen=True)
class ContextPart:
    """Context the prompt can do without when it is too long (callers, types, tests, ...).

    A request lists its parts most important first; trimming starts from the last one.
    """

    label: str
    text: str


@dataclass(frozen=True)
class Prices:
    """USD per million tokens, as a profile states them (used when litellm has no price)."""

    input_per_million: float
    output_per_million: float

    def cost(self, prompt_tokens: int, completion_tokens: int) -> float:
        return (
            prompt_tokens * self.input_per_million + completion_tokens * self.output_per_million
        ) / 1_000_000


@dataclass(frozen=True)
class ModelEndpoint:
    """One model as litellm addresses it: ``openai/gpt-4o-mini``, ``anthropic/claude-...``,
    ``ollama/qwen2.5-coder`` or ``openai/<name>`` with ``api_base`` for any OpenAI-compatible
    server (vLLM, llama.cpp, LM Studio). ``replay/<model>`` serves recorded responses from the
    file named by ``api_base``. The key is passed per call. Without one, litellm uses its
    provider variable (``OPENAI_API_KEY``, ...), except for ``openai/`` models with an
    ``api_base`` (local or third-party OpenAI-compatible servers): they get none, so an OpenAI
    key is never sent to a server it was not meant for."""

    model: str
    api_base: str | None = None
    api_key: str | None = field(default=None, repr=False)
    prices: Prices | None = None

    @property
    def is_replay(self) -> bool:
        return self.model.startswith(REPLAY_PREFIX)

    @property
    def replayed_model(self) -> str:
        """The model whose recorded answers a ``replay/`` endpoint serves."""
        return self.model.removeprefix(REPLAY_PREFIX)


@dataclass(frozen=True)
class LLMRequest:
    """One stage's question to one model.

    ``messages`` are sent as written and never trimmed (they hold the function). ``context``
    is rendered into the last user message, ahead of its text, and trimmed to fit the token
    budget. ``stage`` (generate, fix, refine, ...) labels the call in records and recordings;
    ``replay_key`` identifies it in a recording when the prompt itself varies between runs
    (timings, paths); without it recordings match on a hash of the prompt.
    """

    endpoint: ModelEndpoint
    stage: str
    messages: tuple[Message, ...]
    context: tuple[ContextPart, ...] = ()
    replay_key: str | None = None

    def __post_init__(self) -> None:
        if not any(m.role == "user" for m in self.messages):
            raise LLMConfigError(
                f"{self.stage} request to {self.endpoint.model} has no user message; "
                "a request needs at least one"
            )


@dataclass(frozen=True)
class LLMSettings:
    """How calls are made: per-attempt timeout, output cap, retries with exponential backoff
    (``backoff_base_s`` doubling up to ``backoff_max_s``, jittered), the longest Retry-After
    worth waiting for, the prompt token budget, and where to record responses (None: don't)."""

    timeout_s: float = 120.0
    max_tokens: int = 4096
    temperature: float | None = 0.0
    max_attempts: int = 4
    backoff_base_s: float = 1.0
    backoff_max_s: float = 30.0
    max_retry_after_s: float = 120.0
    prompt_token_budget: int | None = None
    record_to: Path | None = None

    def __post_init__(self) -> None:
        positive = {
            "timeout_s": self.timeout_s,
            "max_tokens": self.max_tokens,
            "max_attempts": self.max_attempts,
            "prompt_token_budget": self.prompt_token_budget,
        }
        for name, value in positive.items():
            if value is not None and value <= 0:
                raise LLMConfigError(f"LLM setting {name} must be positive, got {value}")
        for name, value in {
            "backoff_base_s": self.backoff_base_s,
            "backoff_max_s": self.backoff_max_s,
            "max_retry_after_s": self.max_retry_after_s,
        }.items():
            if value < 0:
                raise LLMConfigError(f"LLM setting {name} must not be negative, got {value}")


@dataclass(frozen=True)
class Retry:
    """One failed attempt that was retried: why, and how long PerfOrch waited."""

    attempt: int
    kind: str
    status: int | None
    wait_s: float
    retry_after_s: float | None


@dataclass(frozen=True)
class Trimmed:
    """A context part cut to fit the token budget: dropped (``kept_lines`` 0) or shortened."""

    label: str
    kept_lines: int
    total_lines: int


@dataclass(frozen=True)
class CallRecord:
    """Everything reported about one call, successful or not. ``outcome`` is ``ok`` or the
    error kind. Token counts come from the provider's usage when it reports them
    (``tokens_reported``), else from litellm's token counter."""

    model: str
    stage: str
    outcome: str
    attempts: int
    retries: tuple[Retry, ...]
    prompt_tokens: int
    completion_tokens: int
    tokens_reported: bool
    cost_usd: float
    cost_source: CostSource
    latency_s: float
    trimmed: tuple[Trimmed, ...] = ()
    recorded: bool = False
    finish_reason: str | None = None
    error: str | None = None

    @property
    def cost_known(self) -> bool:
        return self.cost_source != "unknown"


@dataclass(frozen=True)
class FailedModel:
    """A model the fallback gave up on, and why."""

    model: str
    kind: str
    message: str


@dataclass(frozen=True)
class LLMResponse:
    """A model's answer. ``recorded`` marks a response served from a replay file: every output
    that shows it must say so (``label``). ``fallbacks`` lists the higher-ranked models that
    failed before this one answered."""

    text: str
    model: str
    record: CallRecord
    fallbacks: tuple[FailedModel, ...] = ()

    @property
    def recorded(self) -> bool:
        return self.record.recorded

    @property
    def label(self) -> str:
        return f"{self.model} (recorded response)" if self.recorded else self.model
