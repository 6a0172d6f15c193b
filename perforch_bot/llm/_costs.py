"""The per-run ledger of model calls, and the run's cost cap.

One ``CostTracker`` per run, passed to every call. Before a call, the call's estimated worst
case (prompt plus ``max_tokens`` of output, at the model's prices) is checked against what is
left; after a call, the actual cost is added, and once the total reaches the cap no further
call is made. Calls whose model has no known price count as zero and make the total
incomplete (``cost_complete``), which every summary says.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from perforch_bot.llm._errors import CostCapReached, LLMConfigError
from perforch_bot.llm._model import CallRecord


@dataclass(frozen=True)
class CostSummary:
    calls: int
    failed_calls: int
    recorded_calls: int
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float
    cost_complete: bool  # False when some call's model had no known price
    cap_usd: float | None
    cap_reached: bool
    latency_s: float
    retries: int


class CostTracker:
    """Calls made during one run, their tokens and cost, and the cap (None: no cap)."""

    def __init__(self, cap_usd: float | None = None) -> None:
        if cap_usd is not None and cap_usd < 0:
            raise LLMConfigError(f"the cost cap must not be negative, got {cap_usd} USD")
        self.cap_usd = cap_usd
        self._records: list[CallRecord] = []
        self._lock = threading.Lock()

    @property
    def records(self) -> tuple[CallRecord, ...]:
        with self._lock:
            return tuple(self._records)

    @property
    def spent_usd(self) -> float:
        with self._lock:
            return sum(r.cost_usd for r in self._records)

    @property
    def cap_reached(self) -> bool:
        return self.cap_usd is not None and self.spent_usd >= self.cap_usd

    def check(self, model: str, estimate_usd: float | None) -> None:
        """Refuse a call when the cap is reached, or when its estimate would cross it
        (``estimate_usd`` None: the model's price is unknown, nothing to check)."""
        if self.cap_usd is None:
            return
        spent = self.spent_usd
        if spent >= self.cap_usd:
            raise CostCapReached(
                f"the run's cost cap of ${self.cap_usd:.4f} is reached (${spent:.4f} spent); "
                f"not calling {model}. Raise the cap (--max-cost) to continue",
                model=model,
                already_reached=True,
            )
        if estimate_usd is not None and spent + estimate_usd > self.cap_usd:
            raise CostCapReached(
                f"calling {model} could cost up to ${estimate_usd:.4f} (prompt plus max_tokens "
                f"of output), over the ${self.cap_usd - spent:.4f} left of the run's "
                f"${self.cap_usd:.4f} cap; raise the cap or lower max_tokens",
                model=model,
                already_reached=False,
            )

    def add(self, record: CallRecord) -> None:
        with self._lock:
            self._records.append(record)

    def summary(self) -> CostSummary:
        records = self.records
        return CostSummary(
            calls=len(records),
            failed_calls=sum(r.outcome != "ok" for r in records),
            recorded_calls=sum(r.recorded for r in records),
            prompt_tokens=sum(r.prompt_tokens for r in records),
            completion_tokens=sum(r.completion_tokens for r in records),
            cost_usd=sum(r.cost_usd for r in records),
            cost_complete=all(r.cost_known for r in records),
            cap_usd=self.cap_usd,
            cap_reached=self.cap_reached,
            latency_s=sum(r.latency_s for r in records),
            retries=sum(len(r.retries) for r in records),
        )
