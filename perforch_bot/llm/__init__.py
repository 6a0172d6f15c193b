"""LLM calls through litellm: any provider litellm supports, local OpenAI-compatible servers
(``openai/<model>`` with ``api_base``) and recorded responses (``replay/<model>``).

``complete`` asks one model: the prompt is fitted to the token budget by trimming context
(never the function), the run's cost cap is checked, and 429/5xx/timeouts/connection errors are
retried with jittered exponential backoff (honouring Retry-After). ``complete_with_fallback``
moves down a ranking of models when one keeps failing. Every call leaves a ``CallRecord`` in
the run's ``CostTracker``: model, stage, tokens, cost and where the price came from, latency,
retries, what was trimmed, and whether the answer was recorded.

Model, key, api_base, timeout and max tokens are passed per call; no litellm global setting is
written. ``perforch_bot.llm._litellm`` is the only module that imports litellm.
"""

from __future__ import annotations

from perforch_bot.errors import LLMError
from perforch_bot.llm._complete import complete, complete_with_fallback
from perforch_bot.llm._costs import CostSummary, CostTracker
from perforch_bot.llm._errors import (
    AllModelsFailed,
    BadResponse,
    CostCapReached,
    LLMConfigError,
    LLMTimeout,
    ModelCallError,
    PromptTooLong,
    ProviderUnavailable,
    RateLimited,
    ReplayMiss,
    RequestRejected,
)
from perforch_bot.llm._litellm import silence_litellm_console
from perforch_bot.llm._model import (
    REPLAY_PREFIX,
    CallRecord,
    ContextPart,
    FailedModel,
    LLMRequest,
    LLMResponse,
    LLMSettings,
    Message,
    ModelEndpoint,
    Prices,
    Retry,
    Trimmed,
)
from perforch_bot.llm._replay import ReplayEntry, ReplayFile, prompt_hash

__all__ = [
    "REPLAY_PREFIX",
    "AllModelsFailed",
    "BadResponse",
    "CallRecord",
    "ContextPart",
    "CostCapReached",
    "CostSummary",
    "CostTracker",
    "FailedModel",
    "LLMConfigError",
    "LLMError",
    "LLMRequest",
    "LLMResponse",
    "LLMSettings",
    "LLMTimeout",
    "Message",
    "ModelCallError",
    "ModelEndpoint",
    "Prices",
    "PromptTooLong",
    "ProviderUnavailable",
    "RateLimited",
    "ReplayEntry",
    "ReplayFile",
    "ReplayMiss",
    "RequestRejected",
    "Retry",
    "Trimmed",
    "complete",
    "complete_with_fallback",
    "prompt_hash",
    "silence_litellm_console",
]
