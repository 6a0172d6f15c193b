"""A profiling run end to end: the model on a real OpenAI-compatible server on 127.0.0.1
(through litellm), every answer judged in the real sandbox on HumanEval-X problems, and the
figures written into a profile."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import pytest

from perforch_bot.llm import LLMSettings, ModelEndpoint, Prices
from perforch_bot.profiles import Profile, load_profile
from perforch_bot.profiling import (
    BENCHMARK,
    ProfileConfig,
    ProfileResult,
    ProfilingError,
    measured_values,
    profile_model,
    run_source,
    write_measurements,
)
from sandbox import Executor
from tests.perforch_bot.profiling.support import (
    DATA,
    P0_REFINE_WRONG,
    P0_STILL_WRONG,
    P0_WRONG,
    P2_RENAMED,
    P2_RIGHT,
    P55_FAST,
    QUICK_LLM,
    answer,
)
from tests.support.openai_server import OpenAIServer, RecordedRequest, Reply, serve_openai

TASKS = ("Python/0", "Python/2", "Python/55")


def config(server: OpenAIServer, **changes: Any) -> ProfileConfig:
    base = ProfileConfig(
        endpoint=ModelEndpoint("openai/m", server.api_base, server.api_key),
        data_dir=DATA,
        languages=("python",),
        tasks=TASKS,
        llm=QUICK_LLM,
        max_seconds=20.0,
    )
    return replace(base, **changes)


class Run:
    def __init__(self, result: ProfileResult, requests: list[RecordedRequest], profile: Profile):
        self.result = result
        self.requests = requests
        self.profile = profile
        self.by_task = {o.task_id: o for o in result.outcomes}

    def value(self, stage: str, category: str, metric: str) -> tuple[float, int | None]:
        [found] = self.profile.measurements("python", stage, category, metric)  # type: ignore[arg-type]
        return found.value, found.sample_size


@pytest.fixture(scope="module")
def run(executor: Executor, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Run]:
    """Python/0: wrong, still wrong after the fix, a wrong refinement. Python/2: a renamed
    parameter (refused), fixed, a refinement with no code. Python/55: right first time, and an
    iterative fib that is far faster than the canonical recursive one."""
    with serve_openai() as server:
        server.script(
            "m",
            answer(P0_WRONG),
            answer(P2_RENAMED),
            answer(P55_FAST),
            answer(P0_STILL_WRONG),
            answer(P2_RIGHT),
            answer(P0_REFINE_WRONG),
            Reply("It is already as fast as it can be.", prompt_tokens=100, completion_tokens=20),
            answer(P55_FAST),
        )
        chosen = config(server)
        result = profile_model(chosen, executor)
        folder = tmp_path_factory.mktemp("profiles")
        path, written, _source = write_measurements(
            result,
            chosen,
            folder,
            started=datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
            backend="namespace",
            api_key_env="M_KEY",
        )
        assert path == folder / "openai__m.yml"
        assert load_profile(path) == written
        assert server.remaining("m") == 0
        yield Run(result, list(server.requests), written)


def test_each_problem_goes_through_generate_fix_and_refine(run: Run) -> None:
    p0, p2, p55 = (run.by_task[t] for t in TASKS)
    assert (p0.generate, p0.fix, p0.refine) == ("failed", "failed", "wrong")
    assert (p2.generate, p2.fix, p2.refine) == ("failed", "repaired", "wrong")
    assert (p55.generate, p55.fix, p55.refine) == ("passed", None, "faster")
    assert p0.generate_problem is not None and "test-failed" in p0.generate_problem
    assert p2.generate_problem is not None and "signature changed" in p2.generate_problem
    assert p2.refine_summary is not None and "no code block" in p2.refine_summary
    assert p0.refine_summary is not None and "fails the tests" in p0.refine_summary
    assert p55.speedup is not None and p55.speedup > 2
    assert (p0.category, p2.category, p55.category) == (
        "array_list",
        "math_number_theory",
        "math_number_theory",
    )
    assert [len(o.calls) for o in (p0, p2, p55)] == [3, 3, 2]
    assert all(not o.skipped for o in run.result.outcomes)


def test_language_level_figures_with_sample_sizes(run: Run) -> None:
    assert run.value("generate", "all", "pass_rate") == (pytest.approx(1 / 3), 3)
    assert run.value("fix", "all", "repair_rate") == (0.5, 2)
    assert run.value("refine", "all", "improved_share") == (pytest.approx(1 / 3), 3)
    speedup, size = run.value("refine", "all", "median_speedup")
    assert speedup > 2 and size == 1
    assert run.value("generate", "all", "latency_seconds")[1] == 3
    assert run.value("fix", "all", "latency_seconds")[1] == 2
    assert run.value("refine", "all", "latency_seconds")[1] == 3
    assert run.profile.measurements("python", "generate", "all", "efficiency") == ()


def test_category_figures(run: Run) -> None:
    assert run.value("generate", "math_number_theory", "pass_rate") == (0.5, 2)
    assert run.value("fix", "math_number_theory", "repair_rate") == (1.0, 1)
    assert run.value("refine", "math_number_theory", "improved_share") == (0.5, 2)
    assert run.value("generate", "array_list", "pass_rate") == (0.0, 1)
    assert run.value("refine", "array_list", "improved_share") == (0.0, 1)
    assert run.profile.measurements("python", "refine", "array_list", "median_speedup") == ()


def test_the_profile_cites_the_run(run: Run) -> None:
    profile = run.profile
    # A new profile records how the model was reached: the server, the key's variable.
    assert (profile.model, profile.api_key_env) == ("openai/m", "M_KEY")
    assert profile.api_base is not None and profile.api_base.startswith("http://127.0.0.1:")
    [(source_id, source)] = profile.sources.items()
    assert source_id == "perforch-profile-20260102T030405Z"
    assert (source.benchmark, source.date) == (BENCHMARK, "2026-01-02")
    assert "python 3" in source.table
    assert (
        source.notes is not None and "8 calls, 800 prompt and 160 completion tokens" in source.notes
    )
    [rate] = profile.measurements("python", "generate", "all", "pass_rate")
    assert rate.source == source_id and rate.note is not None and "1 of 3" in rate.note


def test_the_requests_the_model_received(run: Run) -> None:
    assert [r.model for r in run.requests] == ["m"] * 8
    assert all(r.authorized for r in run.requests)
    prompts = [r.messages[-1]["content"] for r in run.requests]
    assert "Complete this Python function `has_close_elements`" in prompts[0]
    assert "Check if in given list of numbers" in prompts[0]
    assert "`def fib(n: int)`" in prompts[2]
    # fix: the failing code and the error, once
    assert "return False" in prompts[3] and "AssertionError" in prompts[3]
    assert "def truncate_number(x: float)" in prompts[4] and "signature changed" in prompts[4]
    # refine: the canonical solution, to be made faster
    assert "return fib(n - 1) + fib(n - 2)" in prompts[7] and "faster" in prompts[7]
    assert all(r.body is not None and r.body["temperature"] == 0 for r in run.requests)


def test_the_cost_cap_stops_asking_and_keeps_what_was_measured(executor: Executor) -> None:
    with serve_openai() as server:
        server.script("m", *(answer(P55_FAST) for _ in range(3)))
        priced = ModelEndpoint("openai/m", server.api_base, server.api_key, Prices(0, 1000))
        # Each call costs 20 completion tokens x $0.001 = $0.02, and may cost up to
        # max_tokens (20) x $0.001: the third call would cross $0.05.
        capped = config(
            server,
            endpoint=priced,
            tasks=("Python/55", "Python/53"),
            llm=LLMSettings(timeout_s=5, max_attempts=1, max_tokens=20),
            max_cost_usd=0.05,
        )
        result = profile_model(capped, executor)
        assert len(server.requests) == 2
    assert result.stopped is not None and "cost cap" in result.stopped
    p53, p55 = result.outcomes
    assert (p53.generate, p55.generate) == ("failed", "passed")  # fib is not add
    assert p53.fix is None and p55.refine is None
    assert any("not asked" in s for s in p53.skipped)
    assert any(s.startswith("refine: not asked") for s in p55.skipped)
    # What was measured is kept, and the source says the run stopped early.
    values = {(v.stage, v.category, v.metric): v for v in measured_values(result, capped)}
    rate = values["generate", "all", "pass_rate"]
    assert (rate.value, rate.sample_size) == (0.5, 2)
    assert not any(stage != "generate" for stage, _category, _metric in values)
    _source_id, source = run_source(result, capped, datetime.now(UTC), "namespace")
    assert source.notes is not None and "$0.0400" in source.notes
    assert "stopped early: the cost cap was reached" in source.notes


def test_a_first_call_that_fails_stops_the_run(executor: Executor) -> None:
    with serve_openai() as server:  # nothing scripted: the server refuses every request
        with pytest.raises(ProfilingError, match="the first call to openai/m failed"):
            profile_model(config(server), executor)
        assert len(server.requests) == 1


CPP_RIGHT = """bool has_close_elements(vector<float> numbers, float threshold){
    sort(numbers.begin(), numbers.end());
    for (size_t i = 1; i < numbers.size(); i++)
        if (numbers[i] - numbers[i - 1] < threshold) return true;
    return false;
}
"""
CPP_BROKEN = """bool has_close_elements(vector<float> numbers, float threshold){
    return numbers.fast_contains(threshold);
}
"""


def test_cpp_problem(executor: Executor) -> None:
    with serve_openai() as server:
        server.script("m", answer(CPP_RIGHT, "cpp"), answer(CPP_BROKEN, "cpp"))
        result = profile_model(config(server, languages=("cpp",), tasks=("CPP/0",)), executor)
        prompts = [r.messages[-1]["content"] for r in server.requests]
    [outcome] = result.outcomes
    assert (outcome.task_id, outcome.category) == ("CPP/0", "array_list")
    assert (outcome.generate, outcome.fix, outcome.refine) == ("passed", None, "wrong")
    assert outcome.refine_summary is not None and "does not build" in outcome.refine_summary
    assert "Complete this C++ function `has_close_elements`" in prompts[0]
    assert "```cpp" in prompts[1] and "Make it faster" in prompts[1]
