"""The one module that talks to litellm: the call, token counts, prices, error translation.

litellm is imported inside the functions: importing it takes seconds, and commands that never
call a model should not pay for that. Everything is passed per call (model, api_base, key,
timeout, output cap); no ``litellm.*`` setting is written, except by
``silence_litellm_console``, which an entry point may call once.

litellm reads ``LITELLM_LOCAL_MODEL_COST_MAP`` when it is first imported: set to ``True`` it
uses the price map shipped in the package instead of fetching the current one from the
internet. PerfOrch does not write the environment; the entry points that must work offline or
reproducibly (the Action, the Docker image, the tests) set it themselves.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any

from perforch_bot.llm._errors import (
    BadResponse,
    LLMTimeout,
    ModelCallError,
    ProviderUnavailable,
    RateLimited,
    RequestRejected,
)
from perforch_bot.llm._model import CostSource, ModelEndpoint

ChatMessages = list[dict[str, str]]
# litellm fetches these tokenizers from the Hugging Face hub (retrying for ~25 s when offline);
# for them the prompt is counted with tiktoken's cl100k instead, an estimate that needs no
# network and is close enough for a budget.
_HUB_TOKENIZERS = frozenset({"llama2", "llama3", "cohere"})
_MESSAGE_LIMIT = 400
# litellm reports a missing key as a 401, a 500 or a connection error depending on the provider.
_MISSING_KEY = re.compile(r"missing (\w+ )?(credentials|api key)", re.IGNORECASE)
# Sent to an OpenAI-compatible api_base given no key (local servers need none), instead of
# letting litellm fall back to OPENAI_API_KEY and send that key to someone else's server.
NO_KEY = "no-key"


@dataclass(frozen=True)
class Completion:
    text: str
    prompt_tokens: int
    completion_tokens: int
    tokens_reported: bool
    finish_reason: str | None
    cost_usd: float
    cost_source: CostSource


def silence_litellm_console() -> None:
    """Stop litellm printing "Give Feedback / Get Help" to stdout with every error it maps.

    This is a process-wide litellm setting, so only an entry point's ``main`` should call it
    (the CLI does, so that ``--format json`` output stays JSON).
    """
    import litellm

    litellm.suppress_debug_info = True


def count_tokens(model: str, messages: ChatMessages) -> int:
    """Prompt tokens as litellm counts them for ``model`` (tiktoken for unknown models)."""
    import litellm
    from litellm._lazy_imports import get_default_encoding
    from litellm.utils import huggingface_tokenizer_kind

    tokenizer: dict[str, Any] | None = None
    if huggingface_tokenizer_kind(model) in _HUB_TOKENIZERS:
        tokenizer = {"type": "openai_tokenizer", "tokenizer": get_default_encoding()}
    return int(litellm.token_counter(model=model, messages=messages, custom_tokenizer=tokenizer))


def estimate_cost(endpoint: ModelEndpoint, prompt_tokens: int, max_tokens: int) -> float | None:
    """The most a call can cost: its prompt plus ``max_tokens`` of output (None: no price)."""
    cost, source = _price(endpoint, prompt_tokens, max_tokens)
    return None if source == "unknown" else cost


def call(
    endpoint: ModelEndpoint,
    messages: ChatMessages,
    *,
    timeout_s: float,
    max_tokens: int,
    temperature: float | None,
    recorded: dict[str, Any] | None = None,
) -> Completion:
    """One attempt at a chat completion; failures come out as ``ModelCallError``s.

    ``recorded`` is a complete response (OpenAI format) for litellm to return instead of
    calling the provider: litellm's per-call ``mock_response``, which is how ``replay/``
    models are served without registering a provider in litellm's global provider map.
    """
    import litellm

    model = endpoint.replayed_model if recorded is not None else endpoint.model
    options: dict[str, Any] = {
        "timeout": timeout_s,
        "max_tokens": max_tokens,
        # PerfOrch retries itself (with backoff and reporting): no hidden retries below it.
        "max_retries": 0,
        "num_retries": 0,
        # Some models refuse some parameters (temperature on reasoning models): drop them.
        "drop_params": True,
    }
    if temperature is not None:
        options["temperature"] = temperature
    if recorded is not None:
        options["mock_response"] = recorded
        options["custom_llm_provider"] = "openai"  # a label only: nothing leaves the process
    else:
        options["api_base"] = endpoint.api_base
        options["api_key"] = endpoint.api_key
        if endpoint.api_key is None and endpoint.api_base and model.startswith("openai/"):
            options["api_key"] = NO_KEY
    try:
        response = litellm.completion(model=model, messages=messages, **options)
    except Exception as error:  # litellm raises its own types and a few plain Exceptions
        raise translate(error, endpoint.model) from error
    return _completion(response, endpoint, messages, recorded is not None)


def _completion(
    response: Any, endpoint: ModelEndpoint, messages: ChatMessages, recorded: bool
) -> Completion:
    choices = getattr(response, "choices", None) or []
    message = getattr(choices[0], "message", None) if choices else None
    text = getattr(message, "content", None)
    finish_reason = getattr(choices[0], "finish_reason", None) if choices else None
    if not isinstance(text, str) or not text.strip():
        raise BadResponse(
            f"{endpoint.model} answered without any text (finish_reason={finish_reason}); "
            "check that it is a chat model and that max_tokens leaves room for an answer",
            model=endpoint.model,
        )
    usage = getattr(response, "usage", None)
    reported_prompt = getattr(usage, "prompt_tokens", None)
    reported_completion = getattr(usage, "completion_tokens", None)
    # litellm fills a missing usage (some local servers send none) with zeros; a real prompt
    # is never 0 tokens.
    if (
        isinstance(reported_prompt, int)
        and isinstance(reported_completion, int)
        and reported_prompt
    ):
        prompt_tokens, completion_tokens, reported = reported_prompt, reported_completion, True
    else:
        prompt_tokens = count_tokens(endpoint.model, messages)
        completion_tokens = count_tokens(endpoint.model, [{"role": "assistant", "content": text}])
        reported = False
    source: CostSource = "replay"
    cost = 0.0
    if not recorded:
        cost, source = _actual_cost(response, endpoint, prompt_tokens, completion_tokens)
    return Completion(text, prompt_tokens, completion_tokens, reported, finish_reason, cost, source)


def _actual_cost(
    response: Any, endpoint: ModelEndpoint, prompt_tokens: int, completion_tokens: int
) -> tuple[float, CostSource]:
    """What the call cost by litellm's price map (which also knows cached and reasoning token
    prices), else by the profile's prices, else unknown (0)."""
    import litellm

    try:
        cost = litellm.completion_cost(completion_response=response, model=endpoint.model)
    except Exception:  # litellm raises for any model missing from its map (local servers)
        return _profile_price(endpoint, prompt_tokens, completion_tokens)
    return float(cost), "litellm"


def _price(
    endpoint: ModelEndpoint, prompt_tokens: int, completion_tokens: int
) -> tuple[float, CostSource]:
    import litellm

    try:
        prompt_cost, completion_cost = litellm.cost_per_token(
            model=endpoint.model, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )
    except Exception:  # not in litellm's price map
        return _profile_price(endpoint, prompt_tokens, completion_tokens)
    return float(prompt_cost) + float(completion_cost), "litellm"


def _profile_price(
    endpoint: ModelEndpoint, prompt_tokens: int, completion_tokens: int
) -> tuple[float, CostSource]:
    if endpoint.prices is None:
        return 0.0, "unknown"
    return endpoint.prices.cost(prompt_tokens, completion_tokens), "profile"


def price_source(endpoint: ModelEndpoint) -> CostSource:
    """Where a price for ``endpoint`` would come from (for calls that failed)."""
    return _price(endpoint, 0, 0)[1]


def translate(error: Exception, model: str) -> ModelCallError:
    """The PerfOrch error for whatever litellm raised, with what to do about it."""
    from litellm import exceptions

    status = getattr(error, "status_code", None)
    status = status if isinstance(status, int) else None
    detail = " ".join(str(error).split())[:_MESSAGE_LIMIT]
    if _MISSING_KEY.search(detail):
        return RequestRejected(
            f"{model} has no API key: {detail}; {_hint(error, 401)}", model=model, status=status
        )
    if isinstance(error, exceptions.Timeout):
        return LLMTimeout(f"{model} did not answer in time: {detail}", model=model, status=status)
    if isinstance(error, exceptions.RateLimitError) or status == 429:
        retry_after = retry_after_seconds(error)
        return RateLimited(
            f"{model} is rate limited (HTTP 429"
            + (f", Retry-After {retry_after:g}s" if retry_after is not None else "")
            + f"): {detail}",
            model=model,
            status=429,
            retry_after_s=retry_after,
        )
    if "invalid response from LLM endpoint" in detail:
        return BadResponse(
            f"{model} answered with something that is not a chat completion: {detail}",
            model=model,
            status=status,
        )
    if isinstance(error, exceptions.APIConnectionError) or (status or 0) >= 500:
        return ProviderUnavailable(
            f"{model} is unavailable ({'HTTP ' + str(status) if status else 'no connection'})"
            f": {detail}; check its api_base and that the server is up",
            model=model,
            status=status,
        )
    return RequestRejected(
        f"{model} refused the request: {detail}; {_hint(error, status)}", model=model, status=status
    )


def _hint(error: Exception, status: int | None) -> str:
    from litellm import exceptions

    if isinstance(error, exceptions.ContextWindowExceededError):
        return "the prompt is too long for this model: lower the prompt token budget"
    if status in (401, 403):
        return "check the API key (the env var its profile names) and that it may use the model"
    if status == 404:
        return "check the model name and api_base"
    return "check the model string (provider/model), api_base and parameters"


def retry_after_seconds(error: Exception) -> float | None:
    """The provider's Retry-After (seconds or an HTTP date; ``retry-after-ms`` too)."""
    headers = getattr(error, "litellm_response_headers", None)
    if headers is None:
        response = getattr(error, "response", None)
        headers = getattr(response, "headers", None)
    if headers is None:
        return None
    milliseconds = headers.get("retry-after-ms")
    if milliseconds is not None:
        try:
            return max(0.0, float(milliseconds) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None
