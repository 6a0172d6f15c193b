"""Asking a model: budget, cost cap, retries with backoff, replay and recording, fallback.

Every call, answered or not, leaves a ``CallRecord`` in the run's ``CostTracker``.
"""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from typing import Any, NoReturn

from perforch_bot.llm import _litellm, _replay
from perforch_bot.llm._budget import FittedPrompt, fit
from perforch_bot.llm._costs import CostTracker
from perforch_bot.llm._errors import (
    AllModelsFailed,
    CostCapReached,
    LLMConfigError,
    ModelCallError,
)
from perforch_bot.llm._model import (
    CallRecord,
    FailedModel,
    LLMRequest,
    LLMResponse,
    LLMSettings,
    Retry,
)
from perforch_bot.llm._retry import backoff_delay


def complete(request: LLMRequest, *, settings: LLMSettings, costs: CostTracker) -> LLMResponse:
    """Ask ``request.endpoint`` and return its answer, or raise the ``ModelCallError`` it
    ended with after its retries (its ``record`` says what happened).

    Retried, with backoff: 429 (honouring Retry-After up to ``max_retry_after_s``), 5xx,
    timeouts and connection failures. Not retried: everything else.
    """
    endpoint = request.endpoint
    count_as = endpoint.replayed_model if endpoint.is_replay else endpoint.model
    try:
        prompt = fit(
            request,
            settings.prompt_token_budget,
            lambda messages: _litellm.count_tokens(count_as, messages),
        )
    except ModelCallError as error:  # over budget even without context
        _fail(error, request, None, costs, attempts=0, retries=(), latency_s=0.0)
    if endpoint.is_replay:
        return _replayed(request, prompt, settings, costs)
    try:
        costs.check(
            endpoint.model,
            _litellm.estimate_cost(endpoint, prompt.prompt_tokens, settings.max_tokens),
        )
    except ModelCallError as error:
        _fail(error, request, prompt, costs, attempts=0, retries=(), latency_s=0.0)
    answer, attempts, retries, latency_s = _call_with_retries(request, prompt, settings, costs)
    record = CallRecord(
        model=endpoint.model,
        stage=request.stage,
        outcome="ok",
        attempts=attempts,
        retries=retries,
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
        tokens_reported=answer.tokens_reported,
        cost_usd=answer.cost_usd,
        cost_source=answer.cost_source,
        latency_s=latency_s,
        trimmed=prompt.trimmed,
        finish_reason=answer.finish_reason,
    )
    costs.add(record)
    if settings.record_to is not None:
        _replay.record(
            settings.record_to,
            _replay.ReplayEntry(
                model=endpoint.model,
                stage=request.stage,
                key=request.replay_key,
                prompt_sha256=_replay.prompt_hash(prompt.messages),
                response=answer.text,
                prompt_tokens=answer.prompt_tokens,
                completion_tokens=answer.completion_tokens,
            ),
        )
    return LLMResponse(answer.text, endpoint.model, record)


def _call_with_retries(
    request: LLMRequest, prompt: FittedPrompt, settings: LLMSettings, costs: CostTracker
) -> tuple[_litellm.Completion, int, tuple[Retry, ...], float]:
    """The answer, the attempts it took, the retries and the time it all took."""
    rng = random.Random()
    retries: list[Retry] = []
    started = time.monotonic()
    attempt = 0
    while True:
        attempt += 1
        try:
            answer = _litellm.call(
                request.endpoint,
                prompt.messages,
                timeout_s=settings.timeout_s,
                max_tokens=settings.max_tokens,
                temperature=settings.temperature,
            )
            return answer, attempt, tuple(retries), time.monotonic() - started
        except ModelCallError as error:
            wait = _wait_before_retry(error, attempt, settings, rng)
            if wait is None:
                _fail(
                    error,
                    request,
                    prompt,
                    costs,
                    attempts=attempt,
                    retries=tuple(retries),
                    latency_s=time.monotonic() - started,
                )
            retries.append(Retry(attempt, error.kind, error.status, wait, error.retry_after_s))
            time.sleep(wait)


def complete_with_fallback(
    requests: Sequence[LLMRequest], *, settings: LLMSettings, costs: CostTracker
) -> LLMResponse:
    """``complete`` the first request whose model answers, in ranking order.

    A model that fails (after its own retries) hands over to the next; the answer lists the
    ones that failed. A reached cost cap or a prompt over budget ends the search at once.
    """
    if not requests:
        raise LLMConfigError("no model to ask: the ranking for this stage is empty")
    failures: list[FailedModel] = []
    for request in requests:
        try:
            response = complete(request, settings=settings, costs=costs)
        except ModelCallError as error:
            failures.append(FailedModel(request.endpoint.model, error.kind, str(error)))
            if error.stops_fallback:
                raise
            continue
        return LLMResponse(response.text, response.model, response.record, tuple(failures))
    tried = "; ".join(f"{f.model}: {f.kind}" for f in failures)
    raise AllModelsFailed(
        f"every model for the {requests[0].stage} stage failed ({tried}); see each error "
        "above, fix the failing configuration or add another model to the ranking",
        tuple(failures),
    )


def _wait_before_retry(
    error: ModelCallError, attempt: int, settings: LLMSettings, rng: random.Random
) -> float | None:
    """Seconds to wait before trying again, or None to give up."""
    if not error.retryable or attempt >= settings.max_attempts:
        return None
    if error.retry_after_s is not None and error.retry_after_s > settings.max_retry_after_s:
        return None  # a quota reset far away: better to move on to the next model
    return backoff_delay(attempt, settings, rng, error.retry_after_s)


def _replayed(
    request: LLMRequest, prompt: FittedPrompt, settings: LLMSettings, costs: CostTracker
) -> LLMResponse:
    endpoint = request.endpoint
    started = time.monotonic()
    try:
        costs.check(endpoint.model, 0.0)
        entry = _replay.find(
            _replay.recording_path(endpoint.api_base, endpoint.model),
            endpoint.replayed_model,
            request.stage,
            request.replay_key,
            prompt.messages,
        )
        answer = _litellm.call(
            endpoint,
            prompt.messages,
            timeout_s=settings.timeout_s,
            max_tokens=settings.max_tokens,
            temperature=settings.temperature,
            recorded=_recorded_response(entry),
        )
    except ModelCallError as error:
        attempts = 0 if isinstance(error, CostCapReached) else 1
        _fail(error, request, prompt, costs, attempts=attempts, retries=(), latency_s=0.0)
    record = CallRecord(
        model=endpoint.model,
        stage=request.stage,
        outcome="ok",
        attempts=1,
        retries=(),
        prompt_tokens=answer.prompt_tokens,
        completion_tokens=answer.completion_tokens,
        tokens_reported=True,
        cost_usd=0.0,
        cost_source="replay",
        latency_s=time.monotonic() - started,
        trimmed=prompt.trimmed,
        recorded=True,
        finish_reason=answer.finish_reason,
    )
    costs.add(record)
    return LLMResponse(answer.text, endpoint.model, record)


def _recorded_response(entry: _replay.ReplayEntry) -> dict[str, Any]:
    return {
        "id": f"replay-{entry.prompt_sha256[:16]}",
        "object": "chat.completion",
        "created": int(time.time()),
        "model": entry.model,
        "choices": [
            {
                "index": 0,
                "message": {"role": "assistant", "content": entry.response},
                "finish_reason": "stop",
            }
        ],
        "usage": {
            "prompt_tokens": entry.prompt_tokens,
            "completion_tokens": entry.completion_tokens,
            "total_tokens": entry.prompt_tokens + entry.completion_tokens,
        },
    }


def _fail(
    error: ModelCallError,
    request: LLMRequest,
    prompt: FittedPrompt | None,
    costs: CostTracker,
    *,
    attempts: int,
    retries: tuple[Retry, ...],
    latency_s: float,
) -> NoReturn:
    endpoint = request.endpoint
    error.record = CallRecord(
        model=endpoint.model,
        stage=request.stage,
        outcome=error.kind,
        attempts=attempts,
        retries=retries,
        prompt_tokens=0 if prompt is None else prompt.prompt_tokens,
        completion_tokens=0,
        tokens_reported=False,
        cost_usd=0.0,
        cost_source="replay" if endpoint.is_replay else _litellm.price_source(endpoint),
        latency_s=latency_s,
        trimmed=() if prompt is None else prompt.trimmed,
        recorded=endpoint.is_replay,
        error=str(error),
    )
    costs.add(error.record)
    raise error
