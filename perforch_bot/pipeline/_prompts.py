"""What each stage asks a model: generate, fix, refine, inputs (a workload for a function
that has none), and implement / fix a new function from a description. The function (or the
description) always goes in the messages (never trimmed); the file around it and the tests go
in as context, which the LLM layer trims to the token budget."""

from __future__ import annotations

from collections.abc import Mapping

from perforch_bot.llm import ContextPart, Message
from perforch_bot.targets import Function

LANGUAGE_NAMES: Mapping[str, str] = {
    "python": "Python",
    "cpp": "C++",
    "java": "Java",
    "go": "Go",
    "rust": "Rust",
}

SYSTEM = (
    "You are a senior performance engineer. You rewrite one function at a time so that it runs "
    "faster while behaving exactly as before: the same return value for every input, the same "
    "changes to its arguments, the same exceptions or panics. You keep its name and signature, "
    "use only the standard library and what the file already imports, and reply with the whole "
    "function in one fenced code block."
)

# How an inputs file looks in each language (the reference is docs/inputs.md).
INPUTS_FORMAT: Mapping[str, str] = {
    "python": (
        "a Python module defining INPUTS, a list of tuples of positional arguments; the code "
        "under test is importable as `target`; build large inputs with random.Random(42)"
    ),
    "cpp": (
        "a C++ file defining `template <class Call> void perforch_inputs(Call&& call)` that "
        "calls `call(arguments...)` once per case; `perforch::Random rng(42)` offers "
        "rng.integers<T>(n, lo, hi), rng.reals<T>(n, lo, hi), rng.string(n, alphabet)"
    ),
    "java": (
        "a Java file with `class PerforchInputs` and `static List<Object[]> cases()` returning "
        "one Object[] of arguments per call (same package as the code; use java.util.Random(42))"
    ),
    "go": (
        "a Go file of the same package defining `var perforchInputs = [][]any{...}` (or a "
        "`func() [][]any`), one []any of arguments per call; use rand.New(rand.NewSource(42))"
    ),
    "rust": (
        "a Rust file defining `fn perforch_inputs() -> Vec<(A, B, ...)>` with one tuple field "
        "per parameter (owned values); use a small hand-written LCG seeded with 42 for data"
    ),
}


def fence(language: str, code: str) -> str:
    return f"```{language}\n{code.rstrip()}\n```"


def context_for(
    function: Function, file_text: str, tests: str | None, inputs: str | None = None
) -> tuple[ContextPart, ...]:
    parts = [ContextPart(f"The file {function.path}, for reference", file_text)]
    if inputs is not None:
        parts.append(ContextPart("The benchmark inputs (cases count from 0)", inputs))
    if tests is not None:
        parts.append(ContextPart("Its tests", tests))
    return tuple(parts)


def generate(function: Function) -> tuple[Message, ...]:
    name = LANGUAGE_NAMES[function.language]
    return (
        Message("system", SYSTEM),
        Message(
            "user",
            f"Make this {name} function `{function.qualified_name}` faster. Keep its "
            f"signature `{function.signature.text}` exactly; behaviour must not change.\n\n"
            f"{fence(function.language, function.text)}\n\n"
            f"Reply with the whole new version of `{function.name}` in one ```"
            f"{function.language} block, and nothing else in code blocks.",
        ),
    )


def fix(function: Function, attempt: str, problem: str) -> tuple[Message, ...]:
    name = LANGUAGE_NAMES[function.language]
    return (
        Message("system", SYSTEM),
        Message(
            "user",
            f"This is the original {name} function `{function.qualified_name}`:\n\n"
            f"{fence(function.language, function.text)}\n\n"
            "A faster version was attempted, but it is not acceptable:\n\n"
            f"{fence(function.language, attempt)}\n\n"
            f"What went wrong:\n{problem}\n\n"
            "Fix it so that it behaves exactly like the original (same results, same argument "
            f"changes, same errors) and stays fast. Keep the signature "
            f"`{function.signature.text}`. Reply with the whole function in one ```"
            f"{function.language} block.",
        ),
    )


def refine(
    function: Function, current: str, timing: str, slowest: str | None = None
) -> tuple[Message, ...]:
    name = LANGUAGE_NAMES[function.language]
    return (
        Message("system", SYSTEM),
        Message(
            "user",
            f"This {name} function `{function.qualified_name}` is correct:\n\n"
            f"{fence(function.language, current)}\n\n"
            f"Measured against the original on the benchmark inputs: {timing}\n"
            + (f"Where its time goes, per input: {slowest}\n" if slowest else "")
            + "\n"
            "Make it faster still (better algorithm or data structure first, then constant "
            "factors) without changing its behaviour or its signature "
            f"`{function.signature.text}`. Reply with the whole function in one ```"
            f"{function.language} block.",
        ),
    )


def inputs(function: Function, problem: str | None = None) -> tuple[Message, ...]:
    name = LANGUAGE_NAMES[function.language]
    retry = (
        f"\n\nA previous inputs file was rejected: {problem}\nWrite one that works."
        if problem
        else ""
    )
    return (
        Message(
            "system",
            "You write benchmark inputs for performance tests: realistic, deterministic "
            "(fixed seeds), covering edge cases and a few large cases that dominate the time.",
        ),
        Message(
            "user",
            f"Write the benchmark inputs for this {name} function `{function.qualified_name}`"
            f":\n\n{fence(function.language, function.text)}\n\n"
            f"The inputs file is {INPUTS_FORMAT[function.language]}. Include 5 to 12 cases: "
            "edge cases (empty, one element, duplicates) and 2 or 3 large cases that take "
            "about a millisecond each. Every case must be valid for the function (no case may "
            f"crash it or run for long).{retry}\n\nReply with the whole inputs file in one ```"
            f"{function.language} block.",
        ),
    )


IMPLEMENT_SYSTEM = (
    "You are a senior software engineer who writes correct, fast code. You write one new "
    "function at a time, exactly as described, using only the standard library and what the "
    "file already imports, and reply with the whole function in one fenced code block."
)


def context_for_new(path: str, file_text: str, tests: str) -> tuple[ContextPart, ...]:
    return (
        ContextPart(f"The file {path}, where the function goes", file_text),
        ContextPart("The tests it must pass", tests),
    )


def implement(spec: str, language: str, description: str) -> tuple[Message, ...]:
    name = LANGUAGE_NAMES[language]
    path, _, qualified = spec.partition("::")
    return (
        Message("system", IMPLEMENT_SYSTEM),
        Message(
            "user",
            f"Write the new {name} function `{qualified}` for the file {path}. What it must "
            f"do:\n\n{description.strip()}\n\nIt must pass the tests given with this request. "
            "Choose an efficient algorithm. Write only this one function (helpers inside it), "
            f"with its doc comment; for a method, only the method. Reply with it in one ```"
            f"{language} block, and nothing else in code blocks.",
        ),
    )


def fix_new(
    spec: str, language: str, description: str, attempt: str, problem: str
) -> tuple[Message, ...]:
    name = LANGUAGE_NAMES[language]
    _, _, qualified = spec.partition("::")
    return (
        Message("system", IMPLEMENT_SYSTEM),
        Message(
            "user",
            f"The new {name} function `{qualified}` must do this:\n\n{description.strip()}\n\n"
            f"This attempt is not acceptable:\n\n{fence(language, attempt)}\n\n"
            f"What went wrong:\n{problem}\n\nFix it so that it builds and passes the tests. "
            f"Reply with the whole function in one ```{language} block.",
        ),
    )
