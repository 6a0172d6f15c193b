"""The llm package's exceptions, all under ``perforch_bot.errors.LLMError``.

Each carries the model it concerns and, once a call was attempted, the ``CallRecord`` of what
happened (attempts, retries, latency), so a failed call is reported like a successful one.
``retryable`` says whether the same model may be asked again after a pause;
``stops_fallback`` says whether asking the next model in the ranking would be pointless.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from perforch_bot.errors import LLMError

if TYPE_CHECKING:
    from perforch_bot.llm._model import CallRecord, FailedModel


class ModelCallError(LLMError):
    """Base of the errors one model call can end with."""

    kind = "error"
    retryable = False
    stops_fallback = False

    def __init__(
        self,
        message: str,
        *,
        model: str,
        status: int | None = None,
        retry_after_s: float | None = None,
    ) -> None:
        super().__init__(message)
        self.model = model
        self.status = status
        self.retry_after_s = retry_after_s
        self.record: CallRecord | None = None


class RateLimited(ModelCallError):
    """HTTP 429 from the provider, still there after the retries (or a Retry-After too long to
    wait for)."""

    kind = "rate_limited"
    retryable = True


class LLMTimeout(ModelCallError):
    """No answer within the configured timeout, on every attempt."""

    kind = "timeout"
    retryable = True


class ProviderUnavailable(ModelCallError):
    """5xx answers or connection failures (server down, DNS, refused), on every attempt."""

    kind = "unavailable"
    retryable = True


class BadResponse(ModelCallError):
    """An answer that is not a usable completion: not JSON, no choices, no text."""

    kind = "bad_response"


class RequestRejected(ModelCallError):
    """The provider refused the request itself (bad key, unknown model, bad parameters, context
    window exceeded): asking again will not help, another model might."""

    kind = "rejected"


class ReplayMiss(ModelCallError):
    """A ``replay/`` model has no recorded response for this request."""

    kind = "replay_miss"


class PromptTooLong(ModelCallError):
    """The prompt exceeds the token budget even with all trimmable context removed. The
    function itself is never trimmed, so this needs a larger budget."""

    kind = "prompt_too_long"
    stops_fallback = True


class CostCapReached(ModelCallError):
    """The run's cost cap: already reached, or this call's estimated cost would cross it.

    ``already_reached`` is False when only this call's estimate is too high; a cheaper model
    further down the ranking may still fit.
    """

    kind = "cost_cap"

    def __init__(self, message: str, *, model: str, already_reached: bool) -> None:
        super().__init__(message, model=model)
        self.already_reached = already_reached
        self.stops_fallback = already_reached


class AllModelsFailed(LLMError):
    """Every model in the ranking failed; ``failures`` says how each one did."""

    def __init__(self, message: str, failures: tuple[FailedModel, ...]) -> None:
        super().__init__(message)
        self.failures = failures


class LLMConfigError(LLMError):
    """Settings or a request that cannot be used as given (says which value and why)."""
