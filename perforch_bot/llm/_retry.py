"""How long to wait before asking the same model again."""

from __future__ import annotations

import random

from perforch_bot.llm._model import LLMSettings


def backoff_delay(
    attempt: int,
    settings: LLMSettings,
    rng: random.Random,
    retry_after_s: float | None = None,
) -> float:
    """Seconds to wait after failed attempt number ``attempt`` (1-based).

    A provider's Retry-After is honoured as a minimum, with up to 10% added so parallel
    clients do not return in lockstep. Otherwise the wait doubles from ``backoff_base_s`` up to
    ``backoff_max_s`` with "equal jitter" (half fixed, half random), which keeps a floor under
    the wait while still spreading retries out.
    """
    if retry_after_s is not None:
        return retry_after_s + rng.uniform(0.0, 0.1 * retry_after_s)
    ceiling = min(settings.backoff_max_s, settings.backoff_base_s * 2.0 ** (attempt - 1))
    return ceiling / 2 + rng.uniform(0.0, ceiling / 2)
