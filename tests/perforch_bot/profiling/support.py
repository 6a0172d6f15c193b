"""Shared by the profiling tests: the dataset, scripted answers and a quick LLM setting."""

from __future__ import annotations

from pathlib import Path

from perforch_bot.llm import LLMSettings
from tests.support.openai_server import Reply

DATA = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "humaneval-x"
QUICK_LLM = LLMSettings(timeout_s=5, max_attempts=1)

# Python/0 has_close_elements: canonical O(n^2)
P0_WRONG = (
    "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n    return False\n"
)
P0_STILL_WRONG = (
    "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
    "    return len(numbers) > 1\n"
)
P0_RIGHT = (
    "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n"
    "    ordered = sorted(numbers)\n"
    "    return any(b - a < threshold for a, b in zip(ordered, ordered[1:]))\n"
)
P0_REFINE_WRONG = (
    "def has_close_elements(numbers: List[float], threshold: float) -> bool:\n    return True\n"
)
# Python/2 truncate_number
P2_RENAMED = "def truncate_number(x: float) -> float:\n    return x % 1.0\n"
P2_RIGHT = "def truncate_number(number: float) -> float:\n    return number % 1.0\n"
# Python/55 fib: canonical recursive (exponential), so an iterative one is much faster
P55_FAST = (
    "def fib(n: int):\n"
    "    a, b = 0, 1\n"
    "    for _ in range(n):\n"
    "        a, b = b, a + b\n"
    "    return a\n"
)


def answer(code: str, language: str = "python") -> Reply:
    return Reply(
        f"Here it is:\n\n```{language}\n{code}```\n", prompt_tokens=100, completion_tokens=20
    )
