"""Asking the profiled model, and what is noted per problem while it is measured.

Only the model's answers are measured, never the harness: a call that fails (after the LLM
layer's retries) leaves that stage of that problem unmeasured rather than failed; the first
call failing stops the run (a wrong model string, key or server would fail every call); the
cost cap stops asking and keeps what was measured.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from dataclasses import replace as replaced

from perforch_bot.llm import (
    CallRecord,
    ContextPart,
    CostCapReached,
    CostTracker,
    LLMError,
    LLMRequest,
    Message,
    complete,
)
from perforch_bot.profiling._model import ProblemOutcome, ProfileConfig, ProfilingError


@dataclass
class Notes:
    """One problem's findings while it is being measured (frozen into a ProblemOutcome)."""

    outcome: ProblemOutcome
    attempt: str = ""
    calls: list[CallRecord] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)

    def set(self, **changes: object) -> None:
        self.outcome = replaced(self.outcome, **changes)  # type: ignore[arg-type]

    def frozen(self) -> ProblemOutcome:
        return replaced(self.outcome, calls=tuple(self.calls), skipped=tuple(self.skipped))


class Asker:
    """Asks the profiled model, once per question (the LLM layer retries transient errors)."""

    def __init__(self, config: ProfileConfig, costs: CostTracker) -> None:
        self.config = config
        self.costs = costs
        self.stopped: str | None = None
        self.answered = False

    def ask(
        self,
        notes: Notes,
        stage: str,
        messages: tuple[Message, ...],
        context: tuple[ContextPart, ...] = (),
    ) -> str | None:
        """The reply's text, or None (the reason is added to ``notes.skipped``)."""
        if self.stopped is not None:
            notes.skipped.append(f"{stage}: not asked, {self.stopped}")
            return None
        task = notes.outcome.task_id
        request = LLMRequest(self.config.endpoint, stage, messages, context, f"{task}:{stage}")
        before = len(self.costs.records)
        try:
            response = complete(request, settings=self.config.llm, costs=self.costs)
        except CostCapReached as error:
            self.stopped = f"the cost cap was reached ({error})"
            notes.skipped.append(f"{stage}: not asked, {self.stopped}")
            return None
        except LLMError as error:
            if not self.answered:
                raise ProfilingError(
                    f"the first call to {self.config.model} failed, so nothing was measured: "
                    f"{error}"
                ) from error
            notes.skipped.append(f"{stage}: the call failed: {error}")
            return None
        finally:
            notes.calls.extend(self.costs.records[before:])
        self.answered = True
        return response.text
