"""A new function written from a description: models on a real OpenAI-compatible server on
127.0.0.1 (through litellm), every attempt built and tested in the real sandbox."""

from __future__ import annotations

import pytest

from perforch_bot.config import ModelSettings, Settings
from perforch_bot.errors import TargetError
from perforch_bot.pipeline import NewFunctionTask, PipelineConfig, RunResult, implement
from sandbox import Budget, Executor
from tests.perforch_bot.pipeline.test_stages import KEY_ENV, QUICK_LLM
from tests.support.openai_server import OpenAIServer, Reply, Status

FILE = "import math\n\n\ndef mean(xs):\n    return sum(xs) / len(xs)\n"
TESTS = (
    "assert median([3, 1, 2]) == 2\nassert median([4, 1, 3, 2]) == 2.5\nassert mean([1, 3]) == 2\n"
)
MEDIAN = (
    "def median(xs):\n"
    '    """The middle value of xs (the mean of the two middle ones for an even count)."""\n'
    "    s = sorted(xs)\n"
    "    n = len(s)\n"
    "    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2\n"
)
WRONG = "def median(xs):\n    return sorted(xs)[len(xs) // 2]\n"
DESCRIPTION = "Add median: the middle value of a non-empty list of numbers."


def new_task(source: str = FILE, tests: str = TESTS) -> NewFunctionTask:
    return NewFunctionTask("stats.py::median", "python", source.encode(), DESCRIPTION, tests)


def run(
    server: OpenAIServer,
    executor: Executor,
    task: NewFunctionTask,
    *,
    models: tuple[str, ...] = ("alpha", "beta"),
    max_cost_usd: float = 1.0,
) -> RunResult:
    settings = Settings(
        models=tuple(
            ModelSettings(model=f"openai/{m}", api_base=server.api_base, api_key_env=KEY_ENV)
            for m in models
        ),
        fix_rounds=2,
        max_cost_usd=max_cost_usd,
    )
    config = PipelineConfig(
        settings=settings,
        profiles=(),
        llm=QUICK_LLM,
        budget=Budget(max_seconds=30),
        keys={KEY_ENV: server.api_key},
    )
    return implement(task, config=config, executor=executor, command="test")


def steps(result: RunResult) -> list[tuple[str, str | None, str]]:
    [function] = result.trace.functions
    return [(a.stage, a.model, a.outcome) for a in function.attempts]


def test_a_function_that_passes_the_tests_is_added_as_a_patch(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("alpha", Reply(f"Here it is:\n\n```python\n{MEDIAN}```\n"))
    result = run(openai_server, executor, new_task())
    [function] = result.trace.functions
    assert function.result == "implemented", function.reason
    assert steps(result) == [("implement", "openai/alpha", "correct")]
    assert result.updated == {"stats.py": (FILE + "\n\n" + MEDIAN).encode()}
    assert function.patch is not None and "+def median(xs):" in function.patch
    assert function.patch.startswith("diff --git a/stats.py b/stats.py\n--- a/stats.py\n")
    assert result.trace.patch == function.patch
    [request] = openai_server.requests
    prompt = request.messages[-1]["content"]
    assert "`median`" in prompt and DESCRIPTION in prompt and TESTS.strip() in prompt


def test_failing_tests_go_back_to_the_next_model_with_the_failure(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("alpha", Reply(f"```python\n{WRONG}```"))
    openai_server.script("beta", Reply(f"```python\n{MEDIAN}```"))
    result = run(openai_server, executor, new_task())
    assert steps(result) == [
        ("implement", "openai/alpha", "incorrect"),
        ("fix", "openai/beta", "correct"),
    ]
    fix_prompt = openai_server.requests[-1].messages[-1]["content"]
    assert "the tests fail" in fix_prompt and "return sorted(xs)[len(xs) // 2]" in fix_prompt
    assert result.trace.functions[0].result == "implemented"


def test_nothing_is_returned_when_no_version_passes(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("alpha", Reply(f"```python\n{WRONG}```"), Reply(f"```python\n{WRONG}```"))
    openai_server.script("beta", Reply(f"```python\n{WRONG}```"))
    result = run(openai_server, executor, new_task())
    [function] = result.trace.functions
    assert function.result == "not-implemented"
    assert "no version passed the tests after the first try and 2 fix round(s)" in function.reason
    assert result.updated == {} and result.trace.patch is None and function.patch is None


def test_a_reply_with_a_helper_function_or_the_wrong_name_is_refused(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    helper = "def _mid(s):\n    return s[len(s) // 2]\n\n\n" + WRONG
    openai_server.script("alpha", Reply(f"```python\n{helper}```"))
    openai_server.script("alpha", Reply("```python\ndef middle(xs):\n    return 0\n```"))
    openai_server.script("beta", Reply(f"```python\n{MEDIAN}```"))
    result = run(openai_server, executor, new_task())
    [function] = result.trace.functions
    reasons = [a.reason for a in function.attempts]
    # The second fix round goes to the next model in the fix ranking.
    assert [(a.stage, a.model, a.outcome) for a in function.attempts] == [
        ("implement", "openai/alpha", "rejected"),
        ("fix", "openai/alpha", "rejected"),
        ("fix", "openai/beta", "correct"),
    ]
    assert "2 functions (_mid, median): reply with only median" in reasons[0]
    assert "no python code block defines median" in reasons[1]


def test_a_function_that_already_exists_is_refused_before_any_model_is_asked(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    with pytest.raises(TargetError, match=r"stats.py::median already exists in stats.py; use"):
        run(openai_server, executor, new_task(FILE + "\n\n" + MEDIAN))
    assert openai_server.requests == []


def test_a_model_that_fails_is_passed_over_for_the_next(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("alpha", Status(500), Status(500), Status(500))
    openai_server.script("beta", Reply(f"```python\n{MEDIAN}```"))
    result = run(openai_server, executor, new_task())
    assert steps(result) == [("implement", "openai/beta", "correct")]
    [function] = result.trace.functions
    assert [c.model for c in function.attempts[0].calls][-1] == "openai/beta"


def test_the_cost_cap_stops_the_run_with_nothing_written(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("gpt-4o-mini", Reply(f"```python\n{WRONG}```", 1_000_000, 10))
    result = run(openai_server, executor, new_task(), models=("gpt-4o-mini",), max_cost_usd=0.10)
    [function] = result.trace.functions
    assert steps(result) == [
        ("implement", "openai/gpt-4o-mini", "incorrect"),
        ("fix", None, "llm-failed"),
    ]
    assert function.result == "not-implemented"
    assert function.reason.startswith("the cost cap was reached; the last problem before it: ")
    assert "the tests fail" in function.reason
    assert len(openai_server.requests) == 1 and result.updated == {}


GO_FILE = (
    "package stats\n\n"
    "func Sum(xs []int) int {\n\ts := 0\n\tfor _, x := range xs {\n\t\ts += x\n\t}\n"
    "\treturn s\n}\n"
)
GO_MAX = (
    "func Max(xs []int) int {\n\tm := xs[0]\n\tfor _, x := range xs[1:] {\n"
    "\t\tif x > m {\n\t\t\tm = x\n\t\t}\n\t}\n\treturn m\n}\n"
)
GO_TESTS = (
    'import "testing"\n\n'
    "func TestMax(t *testing.T) {\n"
    "\tif Max([]int{3, 9, 2}) != 9 || Max([]int{-4}) != -4 || Sum([]int{1, 2}) != 3 {\n"
    '\t\tt.Fatal("wrong")\n'
    "\t}\n"
    "}\n"
)


def test_a_go_function_that_does_not_compile_is_fixed(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    broken = GO_MAX.replace("return m", "return n")
    openai_server.script("alpha", Reply(f"```go\n{broken}```"), Reply(f"```go\n{GO_MAX}```"))
    task = NewFunctionTask("stats.go::Max", "go", GO_FILE.encode(), "The largest of xs.", GO_TESTS)
    result = run(openai_server, executor, task, models=("alpha",))
    assert steps(result) == [
        ("implement", "openai/alpha", "incorrect"),
        ("fix", "openai/alpha", "correct"),
    ]
    [function] = result.trace.functions
    assert "undefined: n" in function.attempts[0].reason
    assert result.updated == {"stats.go": (GO_FILE + "\n" + GO_MAX).encode()}
