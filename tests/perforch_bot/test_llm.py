"""LLM calls through litellm's ``openai/`` provider against a real scripted server on loopback:
retries, backoff, fallback, typed errors, token budget, costs and the cost cap."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import litellm
import pytest

from perforch_bot.llm import (
    AllModelsFailed,
    BadResponse,
    ContextPart,
    CostCapReached,
    CostTracker,
    LLMConfigError,
    LLMRequest,
    LLMSettings,
    LLMTimeout,
    Message,
    ModelEndpoint,
    Prices,
    PromptTooLong,
    ProviderUnavailable,
    RateLimited,
    RequestRejected,
    Trimmed,
    complete,
    complete_with_fallback,
)
from sandbox._process import run_process
from tests.support.openai_server import Garbage, OpenAIServer, Reply, Stall, Status

FUNCTION = (
    "def total(values):\n    result = 0\n    for v in values:\n        result += v\n"
    "    return result\n"
)
MESSAGES = (
    Message("system", "You make functions faster without changing what they do."),
    Message("user", f"Make this faster:\n```python\n{FUNCTION}```"),
)
FAST = LLMSettings(timeout_s=5, max_tokens=256, backoff_base_s=0.01, backoff_max_s=0.05)


def request(
    server: OpenAIServer,
    model: str,
    *,
    api_key: str | None = None,
    prices: Prices | None = None,
    context: tuple[ContextPart, ...] = (),
) -> LLMRequest:
    """A generate request for ``openai/<model>`` on the test server."""
    endpoint = ModelEndpoint(
        f"openai/{model}",
        api_base=server.api_base,
        api_key=api_key or server.api_key,
        prices=prices,
    )
    return LLMRequest(endpoint, "generate", MESSAGES, context)


def test_right_first_time_sends_what_was_asked_and_reports_it(openai_server: OpenAIServer) -> None:
    openai_server.script(
        "coder", Reply("```python\ndef total(values):\n    return sum(values)\n```", 120, 30)
    )
    costs = CostTracker()

    response = complete(request(openai_server, "coder"), settings=FAST, costs=costs)

    assert "return sum(values)" in response.text
    assert response.model == "openai/coder" and not response.recorded
    [sent] = openai_server.requests
    assert sent.path == "/v1/chat/completions" and sent.authorized
    assert "authorization" not in sent.headers
    assert sent.body is not None
    assert sent.body["model"] == "coder"
    assert sent.body["max_tokens"] == 256 and sent.body["temperature"] == 0
    assert sent.messages == [{"role": m.role, "content": m.content} for m in MESSAGES]
    record = response.record
    assert (record.outcome, record.attempts, record.retries) == ("ok", 1, ())
    assert (record.prompt_tokens, record.completion_tokens, record.tokens_reported) == (
        120,
        30,
        True,
    )
    assert record.finish_reason == "stop"
    assert costs.records == (record,)


def test_without_usage_from_the_server_tokens_are_counted(openai_server: OpenAIServer) -> None:
    openai_server.script("local", Reply("def total(values):\n    return sum(values)", usage=False))

    record = complete(request(openai_server, "local"), settings=FAST, costs=CostTracker()).record

    assert not record.tokens_reported
    sent = openai_server.requests[0].messages
    assert record.prompt_tokens == litellm.token_counter(model="openai/local", messages=sent)
    assert record.completion_tokens > 0


def test_rate_limit_then_success_waits_for_retry_after(openai_server: OpenAIServer) -> None:
    openai_server.script("coder", Status(429, retry_after=1), Reply("ok"))
    costs = CostTracker()

    response = complete(request(openai_server, "coder"), settings=FAST, costs=costs)

    first, second = openai_server.requests_for("coder")
    assert second.received_at - first.received_at >= 1.0
    [retry] = response.record.retries
    assert (retry.kind, retry.status, retry.retry_after_s) == ("rate_limited", 429, 1.0)
    assert retry.wait_s >= 1.0
    assert response.record.attempts == 2


def test_server_errors_are_retried_with_backoff(openai_server: OpenAIServer) -> None:
    openai_server.script("coder", Status(500), Status(503), Reply("ok"))

    response = complete(request(openai_server, "coder"), settings=FAST, costs=CostTracker())

    assert len(openai_server.requests_for("coder")) == 3
    assert [(r.kind, r.status) for r in response.record.retries] == [
        ("unavailable", 500),
        ("unavailable", 503),
    ]
    assert all(r.wait_s > 0 for r in response.record.retries)


def test_server_errors_on_every_attempt_end_in_a_typed_error(openai_server: OpenAIServer) -> None:
    openai_server.script("coder", Status(502), Status(502), Status(502))
    costs = CostTracker()
    settings = LLMSettings(timeout_s=5, max_attempts=3, backoff_base_s=0.01)

    with pytest.raises(ProviderUnavailable, match="openai/coder is unavailable") as caught:
        complete(request(openai_server, "coder"), settings=settings, costs=costs)

    assert len(openai_server.requests_for("coder")) == 3
    assert caught.value.record is not None
    assert caught.value.record.attempts == 3 and caught.value.record.outcome == "unavailable"
    assert costs.records == (caught.value.record,)


def test_timeouts_hand_over_to_the_next_model(openai_server: OpenAIServer) -> None:
    openai_server.script("slow", Stall(30), Stall(30))
    openai_server.script("fast", Reply("ok"))
    settings = LLMSettings(timeout_s=0.5, max_attempts=2, backoff_base_s=0.01)
    costs = CostTracker()

    response = complete_with_fallback(
        [request(openai_server, "slow"), request(openai_server, "fast")],
        settings=settings,
        costs=costs,
    )

    assert response.model == "openai/fast"
    [failed] = response.fallbacks
    assert (failed.model, failed.kind) == ("openai/slow", "timeout")
    assert len(openai_server.requests_for("slow")) == 2
    slow_record, fast_record = costs.records
    assert (slow_record.outcome, slow_record.attempts) == ("timeout", 2)
    assert [r.kind for r in slow_record.retries] == ["timeout"]
    assert fast_record.outcome == "ok"


def test_a_timeout_alone_is_a_typed_error(openai_server: OpenAIServer) -> None:
    openai_server.script("slow", Stall(30))
    settings = LLMSettings(timeout_s=0.5, max_attempts=1)

    with pytest.raises(LLMTimeout, match="did not answer in time"):
        complete(request(openai_server, "slow"), settings=settings, costs=CostTracker())


def test_garbage_is_a_bad_response_and_not_retried(openai_server: OpenAIServer) -> None:
    openai_server.script("broken", Garbage())
    openai_server.script("coder", Reply("ok"))

    with pytest.raises(BadResponse, match="not a chat completion"):
        complete(request(openai_server, "broken"), settings=FAST, costs=CostTracker())
    assert len(openai_server.requests_for("broken")) == 1

    openai_server.script("broken", Garbage())
    response = complete_with_fallback(
        [request(openai_server, "broken"), request(openai_server, "coder")],
        settings=FAST,
        costs=CostTracker(),
    )
    assert response.model == "openai/coder"
    assert [f.kind for f in response.fallbacks] == ["bad_response"]


def test_an_empty_answer_is_a_bad_response(openai_server: OpenAIServer) -> None:
    openai_server.script("coder", Reply("", finish_reason="length"))

    with pytest.raises(BadResponse, match="finish_reason=length"):
        complete(request(openai_server, "coder"), settings=FAST, costs=CostTracker())


def test_a_wrong_key_is_rejected_without_retrying(openai_server: OpenAIServer) -> None:
    openai_server.script("coder", Reply("never sent"))

    with pytest.raises(RequestRejected, match="API key"):
        complete(
            request(openai_server, "coder", api_key="sk-wrong"), settings=FAST, costs=CostTracker()
        )
    [sent] = openai_server.requests
    assert not sent.authorized


def test_a_far_retry_after_moves_on_instead_of_waiting(openai_server: OpenAIServer) -> None:
    openai_server.script("quota", Status(429, retry_after=3600))
    openai_server.script("coder", Reply("ok"))

    with pytest.raises(RateLimited, match="Retry-After 3600s"):
        complete(request(openai_server, "quota"), settings=FAST, costs=CostTracker())
    assert len(openai_server.requests_for("quota")) == 1


def test_a_server_that_is_down_is_unavailable() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    endpoint = ModelEndpoint("openai/coder", api_base=f"http://127.0.0.1:{port}/v1", api_key="k")
    settings = LLMSettings(timeout_s=2, max_attempts=2, backoff_base_s=0.01)

    with pytest.raises(ProviderUnavailable) as caught:
        complete(LLMRequest(endpoint, "generate", MESSAGES), settings=settings, costs=CostTracker())
    assert caught.value.record is not None and caught.value.record.attempts == 2


def test_cost_of_a_priced_model_comes_from_litellm(openai_server: OpenAIServer) -> None:
    openai_server.script("gpt-4o-mini", Reply("ok", prompt_tokens=10_000, completion_tokens=2_000))

    response = complete(request(openai_server, "gpt-4o-mini"), settings=FAST, costs=CostTracker())

    prompt_cost, completion_cost = litellm.cost_per_token(
        model="openai/gpt-4o-mini", prompt_tokens=10_000, completion_tokens=2_000
    )
    assert response.record.cost_source == "litellm" and response.record.cost_known
    assert response.record.cost_usd == pytest.approx(prompt_cost + completion_cost)
    assert response.record.cost_usd > 0


def test_a_model_without_a_price_costs_zero_and_says_so(openai_server: OpenAIServer) -> None:
    openai_server.script("local-coder", Reply("ok", 1_000, 500))
    costs = CostTracker(cap_usd=0.0001)

    response = complete(request(openai_server, "local-coder"), settings=FAST, costs=costs)

    assert (response.record.cost_usd, response.record.cost_source) == (0.0, "unknown")
    assert not response.record.cost_known
    summary = costs.summary()
    assert not summary.cost_complete and not summary.cap_reached


def test_profile_prices_fill_in_for_a_model_litellm_cannot_price(
    openai_server: OpenAIServer,
) -> None:
    openai_server.script("local-coder", Reply("ok", 1_000, 500))

    response = complete(
        request(openai_server, "local-coder", prices=Prices(2.0, 8.0)),
        settings=FAST,
        costs=CostTracker(),
    )

    assert response.record.cost_source == "profile"
    assert response.record.cost_usd == pytest.approx((1_000 * 2.0 + 500 * 8.0) / 1_000_000)


def test_cost_cap_stops_calls_after_it_is_crossed(openai_server: OpenAIServer) -> None:
    openai_server.script("gpt-4o-mini", Reply("ok", prompt_tokens=1_000_000, completion_tokens=0))
    openai_server.script("local-coder", Reply("never sent"))
    costs = CostTracker(cap_usd=0.10)

    first = complete(request(openai_server, "gpt-4o-mini"), settings=FAST, costs=costs)
    assert first.record.cost_usd > 0.10 and costs.cap_reached

    with pytest.raises(CostCapReached, match=r"cap of \$0.1000 is reached") as caught:
        complete_with_fallback(
            [request(openai_server, "gpt-4o-mini"), request(openai_server, "local-coder")],
            settings=FAST,
            costs=costs,
        )
    assert caught.value.already_reached
    assert len(openai_server.requests) == 1  # neither model was asked again
    assert [r.outcome for r in costs.records] == ["ok", "cost_cap"]
    assert costs.summary().cap_reached


def test_cost_cap_refuses_a_call_whose_estimate_would_cross_it(openai_server: OpenAIServer) -> None:
    openai_server.script("local-coder", Reply("ok"))
    costs = CostTracker(cap_usd=0.001)
    settings = LLMSettings(timeout_s=5, max_tokens=100_000)

    response = complete_with_fallback(
        [request(openai_server, "gpt-4o-mini"), request(openai_server, "local-coder")],
        settings=settings,
        costs=costs,
    )

    assert openai_server.requests_for("gpt-4o-mini") == []
    assert response.model == "openai/local-coder"
    [refused] = response.fallbacks
    assert refused.kind == "cost_cap" and "could cost up to" in refused.message


def test_context_is_trimmed_to_the_budget_and_the_function_never(
    openai_server: OpenAIServer,
) -> None:
    callers = "\n".join(f"total(row_{i})" for i in range(5))
    tests = "\n".join(f"assert total([{i}, {i + 1}]) == {2 * i + 1}" for i in range(400))
    bare = litellm.token_counter(
        model="openai/coder", messages=[{"role": m.role, "content": m.content} for m in MESSAGES]
    )
    budget = bare + 300
    openai_server.script("coder", Reply("ok"))

    response = complete(
        request(
            openai_server,
            "coder",
            context=(ContextPart("callers", callers), ContextPart("tests", tests)),
        ),
        settings=LLMSettings(timeout_s=5, prompt_token_budget=budget),
        costs=CostTracker(),
    )

    [trimmed] = response.record.trimmed
    assert trimmed.label == "tests" and 0 < trimmed.kept_lines < trimmed.total_lines == 400
    sent = openai_server.requests[0].messages
    assert litellm.token_counter(model="openai/coder", messages=sent) <= budget
    last = sent[-1]["content"]
    assert FUNCTION in last and f"## callers\n{callers}" in last
    assert f"{400 - trimmed.kept_lines} more lines cut" in last
    assert sent[0]["content"] == MESSAGES[0].content


def test_context_that_cannot_fit_at_all_is_dropped(openai_server: OpenAIServer) -> None:
    bare = litellm.token_counter(
        model="openai/coder", messages=[{"role": m.role, "content": m.content} for m in MESSAGES]
    )
    openai_server.script("coder", Reply("ok"))

    response = complete(
        request(openai_server, "coder", context=(ContextPart("types", "x" * 4000),)),
        settings=LLMSettings(timeout_s=5, prompt_token_budget=bare + 20),
        costs=CostTracker(),
    )

    assert response.record.trimmed == (Trimmed("types", 0, 1),)
    assert "## types" not in openai_server.requests[0].messages[-1]["content"]


def test_a_function_over_the_budget_is_refused_before_any_call(
    openai_server: OpenAIServer,
) -> None:
    costs = CostTracker()

    with pytest.raises(PromptTooLong, match="the function itself is never cut"):
        complete(
            request(openai_server, "coder"),
            settings=LLMSettings(prompt_token_budget=10),
            costs=costs,
        )
    assert openai_server.requests == []
    assert [r.outcome for r in costs.records] == ["prompt_too_long"]


def test_importing_the_package_does_not_import_litellm() -> None:
    code = "import sys, perforch_bot.llm, perforch_bot.replies; print('litellm' in sys.modules)"
    result = run_process(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        env={"PATH": "/usr/bin:/bin"},
        timeout=120,
    )
    assert result.ok, result
    assert result.stdout.strip() == "False"


def test_a_local_server_never_gets_the_environment_key(
    openai_server: OpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The server accepts only the key in OPENAI_API_KEY: an endpoint with an api_base and no key
    # of its own must not send it there.
    monkeypatch.setenv("OPENAI_API_KEY", openai_server.api_key)
    openai_server.script("coder", Reply("never sent"))
    endpoint = ModelEndpoint("openai/coder", api_base=openai_server.api_base)

    with pytest.raises(RequestRejected):
        complete(LLMRequest(endpoint, "generate", MESSAGES), settings=FAST, costs=CostTracker())
    [sent] = openai_server.requests
    assert not sent.authorized


def test_a_missing_key_is_rejected_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    endpoint = ModelEndpoint("openai/gpt-4o-mini")

    with pytest.raises(RequestRejected, match="has no API key") as caught:
        complete(LLMRequest(endpoint, "generate", MESSAGES), settings=FAST, costs=CostTracker())
    assert caught.value.record is not None and caught.value.record.attempts == 1


def test_when_every_model_fails_each_failure_is_reported(openai_server: OpenAIServer) -> None:
    openai_server.script("broken", Garbage())
    openai_server.script("quota", Status(429, retry_after=3600))

    with pytest.raises(
        AllModelsFailed, match="every model for the generate stage failed"
    ) as caught:
        complete_with_fallback(
            [request(openai_server, "broken"), request(openai_server, "quota")],
            settings=FAST,
            costs=CostTracker(),
        )
    assert [(f.model, f.kind) for f in caught.value.failures] == [
        ("openai/broken", "bad_response"),
        ("openai/quota", "rate_limited"),
    ]


def test_bad_settings_and_empty_rankings_say_what_is_wrong() -> None:
    with pytest.raises(LLMConfigError, match="timeout_s must be positive, got 0"):
        LLMSettings(timeout_s=0)
    with pytest.raises(LLMConfigError, match="ranking for this stage is empty"):
        complete_with_fallback([], settings=FAST, costs=CostTracker())
    with pytest.raises(LLMConfigError, match="has no user message"):
        LLMRequest(ModelEndpoint("openai/coder"), "fix", (Message("system", "hi"),))
