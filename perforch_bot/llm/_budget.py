"""Fitting a prompt into its token budget by trimming context, never the messages.

Context parts are rendered as headed sections in front of the last user message's text. When
the whole prompt is over budget, parts are cut starting from the least important (the last):
first shortened to the lines that still fit, and dropped when none do. What was cut is
reported. If the messages alone exceed the budget, nothing more can go: ``PromptTooLong``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from perforch_bot.llm._errors import PromptTooLong
from perforch_bot.llm._model import ContextPart, LLMRequest, Message, Trimmed

ChatMessages = list[dict[str, str]]
TokenCounter = Callable[[ChatMessages], int]


@dataclass(frozen=True)
class FittedPrompt:
    messages: ChatMessages
    prompt_tokens: int
    trimmed: tuple[Trimmed, ...]


def render(messages: Sequence[Message], context: Sequence[ContextPart]) -> ChatMessages:
    """The chat messages with ``context`` as sections ahead of the last user message's text."""
    rendered = [{"role": m.role, "content": m.content} for m in messages]
    if not context:
        return rendered
    last_user = max(i for i, m in enumerate(messages) if m.role == "user")
    sections = [f"## {part.label}\n{part.text.rstrip()}" for part in context]
    rendered[last_user]["content"] = "\n\n".join([*sections, messages[last_user].content])
    return rendered


def fit(request: LLMRequest, budget: int | None, count: TokenCounter) -> FittedPrompt:
    """The request's prompt within ``budget`` tokens (as ``count`` measures them)."""
    parts = list(request.context)
    messages = render(request.messages, parts)
    tokens = count(messages)
    if budget is None or tokens <= budget:
        return FittedPrompt(messages, tokens, ())
    bare = count(render(request.messages, []))
    if bare > budget:
        raise PromptTooLong(
            f"the {request.stage} prompt for {request.endpoint.model} needs {bare} tokens "
            f"without any context, over the budget of {budget}; the function itself is never "
            "cut, so raise the prompt token budget (or choose a model with a larger window)",
            model=request.endpoint.model,
        )
    trimmed: list[Trimmed] = []
    while parts and count(render(request.messages, parts)) > budget:
        part = parts.pop()
        lines = part.text.splitlines()
        kept = _lines_that_fit(request.messages, parts, part, lines, budget, count)
        trimmed.append(Trimmed(part.label, kept, len(lines)))
        if kept:
            parts.append(_shortened(part, lines, kept))
            break
    messages = render(request.messages, parts)
    tokens = count(messages)
    return FittedPrompt(messages, tokens, tuple(reversed(trimmed)))


def _shortened(part: ContextPart, lines: list[str], kept: int) -> ContextPart:
    cut = len(lines) - kept
    text = "\n".join([*lines[:kept], f"[... {cut} more lines cut to fit the token budget]"])
    return ContextPart(part.label, text)


def _lines_that_fit(
    messages: Sequence[Message],
    before: list[ContextPart],
    part: ContextPart,
    lines: list[str],
    budget: int,
    count: TokenCounter,
) -> int:
    """The most leading lines of ``part`` that fit (binary search; 0 when none do)."""

    def fits(kept: int) -> bool:
        shortened = _shortened(part, lines, kept)
        return count(render(messages, [*before, shortened])) <= budget

    low, high = 0, len(lines) - 1  # all of them did not fit, or we would not be here
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low
