"""The pipeline end to end: models on a real OpenAI-compatible server on 127.0.0.1 (through
litellm), candidates validated and timed in the real sandbox. Each test scripts the models'
answers and checks the trace and the requests the server received."""

from __future__ import annotations

from perforch_bot.config import ModelSettings, Settings
from perforch_bot.llm import LLMSettings
from perforch_bot.pipeline import PipelineConfig, RunResult, Task, optimize
from perforch_bot.targets import extract
from sandbox import Budget, Executor
from tests.support.openai_server import Garbage, OpenAIServer, Reply, Stall, Status

OLD = "def total(xs):\n    s = 0\n    for x in xs:\n        s = s + x\n    return s\n"
INPUTS = "INPUTS = [(list(range(20000)),), ([],), ([5],)]\n"
TESTS = "assert total([1, 2, 3]) == 6\nassert total([]) == 0\n"
FAST = "def total(xs):\n    return sum(xs)\n"
SLOWER = (
    "import functools\n\n\ndef total(xs):\n    return functools.reduce(lambda a, b: a + b, xs, 0)\n"
)
WRONG = "def total(xs):\n    return sum(xs[1:])\n"
KEY_ENV = "PERFORCH_TEST_KEY"
QUICK_LLM = LLMSettings(timeout_s=2, max_attempts=2, backoff_base_s=0.01, backoff_max_s=0.05)


def answer(code: str) -> Reply:
    return Reply(f"Here is a faster version:\n\n```python\n{code}```\n")


def task(source: str = OLD, *, inputs: str | None = INPUTS, tests: str | None = TESTS) -> Task:
    found = extract("calc.py", source.encode())
    [function] = found.functions
    return Task(function, source.encode(), inputs, tests)


def run(
    server: OpenAIServer,
    executor: Executor,
    *tasks: Task,
    models: tuple[str, ...] = ("alpha", "beta"),
    fix_rounds: int = 2,
    refine_rounds: int = 0,
    llm: LLMSettings = QUICK_LLM,
    max_cost_usd: float = 1.0,
) -> RunResult:
    settings = Settings(
        models=tuple(
            ModelSettings(model=f"openai/{m}", api_base=server.api_base, api_key_env=KEY_ENV)
            for m in models
        ),
        fix_rounds=fix_rounds,
        refine_rounds=refine_rounds,
        max_cost_usd=max_cost_usd,
    )
    config = PipelineConfig(
        settings=settings,
        profiles=(),
        llm=llm,
        budget=Budget(max_seconds=30),
        keys={KEY_ENV: server.api_key},
    )
    return optimize(tasks or (task(),), config=config, executor=executor, command="test")


def outcomes(result: RunResult) -> list[tuple[str, str]]:
    [function] = result.trace.functions
    return [(a.stage, a.outcome) for a in function.attempts]


def test_right_first_time_is_kept_benchmarked_and_patched(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("alpha", answer(FAST))
    result = run(openai_server, executor)
    [function] = result.trace.functions
    assert function.result == "improved", function.reason
    assert outcomes(result) == [("generate", "kept")]
    assert function.final is not None and function.final.speedup_low > 1.2
    assert function.patch is not None and "+    return sum(xs)" in function.patch
    assert result.updated == {"calc.py": FAST.encode()}
    [request] = openai_server.requests
    assert request.model == "alpha" and request.authorized
    prompt = request.messages[-1]["content"]
    assert "s = s + x" in prompt and "`def total(xs)`" in prompt
    assert not openai_server.requests_for("beta")


CPP_OLD = """#include <vector>

long long equal_pairs(const std::vector<int>& xs) {
    long long pairs = 0;
    for (size_t i = 0; i < xs.size(); ++i)
        for (size_t j = i + 1; j < xs.size(); ++j)
            if (xs[i] == xs[j]) ++pairs;
    return pairs;
}
"""
CPP_FAST = """long long equal_pairs(const std::vector<int>& xs) {
    std::unordered_map<int, long long> seen;
    long long pairs = 0;
    for (int x : xs) pairs += seen[x]++;
    return pairs;
}
"""
CPP_INPUTS = """template <class Call>
void perforch_inputs(Call&& call) {
    call(std::vector<int>{});
    call(std::vector<int>{1, 1, 2, 1});
    perforch::Random rng(42);
    call(rng.integers<int>(3000, 0, 100));
}
"""


def test_build_error_is_fixed_with_the_compiler_message(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script(
        "alpha",
        Reply(f"```cpp\n{CPP_FAST}```"),  # forgets the header: does not compile
        Reply(f"```cpp\n#include <unordered_map>\n\n{CPP_FAST}```"),
    )
    found = extract("pairs.cpp", CPP_OLD.encode())
    [function] = found.functions
    result = run(openai_server, executor, Task(function, CPP_OLD.encode(), CPP_INPUTS))
    [function_trace] = result.trace.functions
    assert outcomes(result) == [("generate", "incorrect"), ("fix", "kept")]
    assert "does not build" in function_trace.attempts[0].reason
    fix_prompt = openai_server.requests[1].messages[-1]["content"]
    assert "unordered_map" in fix_prompt and "does not build" in fix_prompt
    assert function_trace.result == "improved", function_trace.reason
    assert "#include <unordered_map>" in result.updated["pairs.cpp"].decode()


def test_a_wrong_answer_is_fixed_only_by_the_second_ranked_model(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("alpha", answer(WRONG), answer(WRONG))
    openai_server.script("beta", answer(FAST))
    result = run(openai_server, executor)
    assert outcomes(result) == [("generate", "incorrect"), ("fix", "incorrect"), ("fix", "kept")]
    assert [r.model for r in openai_server.requests] == ["alpha", "alpha", "beta"]
    beta_prompt = openai_server.requests_for("beta")[0].messages[-1]["content"]
    assert "xs[1:]" in beta_prompt and "fails the tests" in beta_prompt
    [function] = result.trace.functions
    assert function.result == "improved" and function.code == FAST.rstrip()


def test_no_correct_version_rolls_back_to_the_original(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("alpha", answer(WRONG), answer(WRONG))
    openai_server.script("beta", answer(WRONG))
    result = run(openai_server, executor)
    [function] = result.trace.functions
    assert function.result == "rolled-back" and function.patch is None
    assert "no correct version after generate and 2 fix round(s)" in function.reason
    assert result.updated == {} and result.trace.patch is None


def test_a_slower_refinement_is_rolled_back(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("alpha", answer(FAST), answer(SLOWER))
    result = run(openai_server, executor, refine_rounds=1)
    assert outcomes(result) == [("generate", "kept"), ("refine", "not-faster")]
    [function] = result.trace.functions
    refine = function.attempts[1]
    assert refine.against == "previous" and refine.verdict == "slower"
    assert function.result == "improved" and function.code == FAST.rstrip()
    refine_prompt = openai_server.requests[1].messages[-1]["content"]
    assert "return sum(xs)" in refine_prompt and "speedup" in refine_prompt
    # the inputs go along, and which of them cost the most
    assert "The benchmark inputs" in refine_prompt and "list(range(20000))" in refine_prompt
    assert "Where its time goes, per input: case 0:" in refine_prompt


def test_a_wrong_refinement_is_rolled_back(openai_server: OpenAIServer, executor: Executor) -> None:
    openai_server.script("alpha", answer(FAST), answer(WRONG))
    result = run(openai_server, executor, refine_rounds=1)
    assert outcomes(result) == [("generate", "kept"), ("refine", "incorrect")]
    [function] = result.trace.functions
    assert function.result == "improved" and function.code == FAST.rstrip()


def test_rate_limit_then_success(openai_server: OpenAIServer, executor: Executor) -> None:
    openai_server.script("alpha", Status(429, retry_after=0.01), answer(FAST))
    result = run(openai_server, executor)
    [function] = result.trace.functions
    [call] = function.attempts[0].calls
    assert call.outcome == "ok" and call.attempts == 2 and call.retries == 1
    assert function.result == "improved"


def test_a_timeout_hands_the_stage_to_the_next_model(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("alpha", Stall(4), Stall(4))
    openai_server.script("beta", answer(FAST))
    result = run(openai_server, executor)
    [function] = result.trace.functions
    generate = function.attempts[0]
    assert generate.model == "openai/beta" and generate.outcome == "kept"
    assert [c.outcome for c in generate.calls] == ["timeout", "ok"]
    assert function.result == "improved"


def test_garbage_from_a_model_is_not_code(openai_server: OpenAIServer, executor: Executor) -> None:
    openai_server.script("alpha", Garbage())
    openai_server.script("beta", answer(FAST))
    result = run(openai_server, executor)
    [function] = result.trace.functions
    assert [c.outcome for c in function.attempts[0].calls] == ["bad_response", "ok"]
    assert function.result == "improved"


def test_a_changed_signature_is_rejected_and_the_reason_sent_back(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    changed = "def total(xs, start=0):\n    return sum(xs, start)\n"
    openai_server.script("alpha", answer(changed), answer(FAST))
    result = run(openai_server, executor)
    assert outcomes(result) == [("generate", "rejected"), ("fix", "kept")]
    [function] = result.trace.functions
    assert "signature changed" in function.attempts[0].reason
    fix_prompt = openai_server.requests[1].messages[-1]["content"]
    assert "signature changed" in fix_prompt


def test_the_cost_cap_stops_the_run_and_keeps_the_original(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("gpt-4o-mini", Reply(f"```python\n{WRONG}```", 1_000_000, 10))
    result = run(openai_server, executor, models=("gpt-4o-mini",), max_cost_usd=0.10)
    [function] = result.trace.functions
    assert outcomes(result) == [("generate", "incorrect"), ("fix", "llm-failed")]
    assert "cost cap" in function.attempts[1].reason
    assert function.result == "rolled-back" and "cost cap" in function.reason
    assert len(openai_server.requests) == 1
    assert result.trace.cost_usd > 0.10 and result.trace.cost_cap_usd == 0.10


def test_model_written_inputs_are_checked_on_the_original(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    broken = "INPUTS = [\n"
    raising = "INPUTS = [(None,)]\n"  # total(None) raises: such a call cannot be timed
    openai_server.script(
        "alpha",
        Reply(f"```python\n{broken}```"),
        Reply(f"```python\n{raising}```"),
        Reply(f"```python\n{INPUTS}```"),
        answer(FAST),
    )
    result = run(openai_server, executor, task(inputs=None))
    [function] = result.trace.functions
    assert outcomes(result) == [
        ("inputs", "inputs-bad"),
        ("inputs", "inputs-bad"),
        ("inputs", "inputs-ok"),
        ("generate", "kept"),
    ]
    second, third = (r.messages[-1]["content"] for r in openai_server.requests[1:3])
    assert "rejected" in second and "do not build" in second
    assert "1 of 1 inputs raise on the original (case 0: TypeError" in third
    assert function.workload is not None and function.workload.origin == "model"
    assert function.workload.inputs_cases == 3
    assert "they run 4 of the function's 4 lines" in function.workload.note
    assert function.result == "improved"


def test_functions_of_one_file_end_up_in_one_patch(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    source = OLD + "\n\n" + OLD.replace("total", "total2")
    found = extract("calc.py", source.encode())
    first, second = found.functions
    openai_server.script("alpha", answer(FAST), answer(FAST.replace("total", "total2")))
    result = run(
        openai_server,
        executor,
        Task(first, source.encode(), INPUTS, TESTS),
        Task(second, source.encode(), INPUTS.replace("total", "total2"), None),
    )
    assert [f.result for f in result.trace.functions] == ["improved", "improved"]
    updated = result.updated["calc.py"].decode()
    assert "return sum(xs)" in updated and updated.count("sum(xs)") == 2
    assert result.trace.patch is not None and result.trace.patch.count("+    return sum(xs)") == 2


def test_inputs_that_break_the_original_end_the_function_as_an_error(
    openai_server: OpenAIServer, executor: Executor
) -> None:
    openai_server.script("alpha", answer(FAST))
    broken = "raise RuntimeError('the inputs file is broken')\n"
    result = run(openai_server, executor, task(inputs=broken, tests=None))
    [function] = result.trace.functions
    assert function.result == "error"
    assert function.reason.startswith("the sandbox could not judge the candidate")
    assert "fix the inputs" in function.reason
    assert len(openai_server.requests) == 1  # no fix round spent on the model's answer
