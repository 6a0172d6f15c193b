"""What a profiling run asks: write a HumanEval-X function from its description (generate),
and repair a failed one once with the error (fix). Refine reuses the pipeline's prompt."""

from __future__ import annotations

from perforch_bot.llm import Message
from perforch_bot.pipeline._prompts import LANGUAGE_NAMES, fence
from perforch_bot.targets import Function
from sandbox.humaneval_x import Problem

SYSTEM = (
    "You are an expert programmer. You implement one function at a time from its "
    "description: correct on every valid input, using only the standard library and what the "
    "file already imports. You keep the given name and signature, and reply with the whole "
    "function in one fenced code block."
)
# The longest error text sent back in a fix prompt (compiler output can be very long).
MAX_ERROR_CHARS = 3000
REFINE_TIMING = (
    "not measured yet: this is the reference solution; your version will be timed against "
    "it on the calls of its tests"
)


def task_text(problem: Problem) -> str:
    """The problem as a model sees it: HumanEval-X's prompt (the signature with its
    documentation); in Rust the prompt is only the comment, so the declaration follows it."""
    if problem.language == "rust":
        return problem.record["prompt"].strip() + "\n" + problem.record["declaration"].strip()
    return problem.record["prompt"].rstrip()


def generate(problem: Problem, target: Function) -> tuple[Message, ...]:
    name = LANGUAGE_NAMES[problem.language]
    return (
        Message("system", SYSTEM),
        Message(
            "user",
            f"Complete this {name} function `{target.name}` so that it does what its "
            f"documentation says:\n\n{fence(problem.language, task_text(problem))}\n\n"
            f"Keep its signature `{target.signature.text}` exactly. Any other function shown is "
            "already defined: do not repeat it, and define any helper you need inside "
            f"`{target.name}`. Reply with the whole function `{target.name}` in one "
            f"```{problem.language} block, and nothing else in code blocks.",
        ),
    )


def fix(problem: Problem, target: Function, attempt: str, problem_text: str) -> tuple[Message, ...]:
    name = LANGUAGE_NAMES[problem.language]
    error = problem_text.strip()
    if len(error) > MAX_ERROR_CHARS:
        error = error[:MAX_ERROR_CHARS] + "\n[... cut]"
    return (
        Message("system", SYSTEM),
        Message(
            "user",
            f"This {name} function `{target.name}` was to be completed:\n\n"
            f"{fence(problem.language, task_text(problem))}\n\n"
            "This attempt is not acceptable:\n\n"
            f"{fence(problem.language, attempt)}\n\n"
            f"What went wrong:\n{error}\n\n"
            f"Fix it so that it does what the documentation says. Keep the signature "
            f"`{target.signature.text}`. Reply with the whole function `{target.name}` in one "
            f"```{problem.language} block.",
        ),
    )
