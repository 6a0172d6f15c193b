"""An issue that asks for a new function: found in the issue's text, written by a model on a
loopback server, built and tested in the real sandbox, posted as a patch in the summary (a
recording fake GitHub client)."""

from __future__ import annotations

from pathlib import Path

from perforch_bot.bot import BotConfig, handle
from perforch_bot.bot._new_function import new_functions
from perforch_bot.config import ModelSettings, Settings
from perforch_bot.events import EventSettings, parse_event
from perforch_bot.github import Issue, Permission
from perforch_bot.llm import LLMSettings
from perforch_bot.pipeline import PipelineConfig
from sandbox import Budget, Executor
from tests.perforch_bot.events.payloads import REPO, load
from tests.support.github_fake import FakeGitHub
from tests.support.openai_server import OpenAIServer, Reply

FILE = "def mean(xs):\n    return sum(xs) / len(xs)\n"
MEDIAN = (
    "def median(xs):\n"
    "    s = sorted(xs)\n"
    "    n = len(s)\n"
    "    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2\n"
)
BODY = (
    "Please add `stats.py::median`: the middle value of a non-empty list of numbers, the mean "
    "of the two middle ones when the count is even.\n\n"
    "```python tests\nassert median([3, 1, 2]) == 2\nassert median([4, 1, 3, 2]) == 2.5\n```\n\n"
    "```python\n# an example, not tests\nmedian([1])\n```\n"
)


def issue(body: str = BODY) -> Issue:
    return Issue(1, "Add median to stats", body, "Codertocat", "open", ("perforch",), False)


def workspace(tmp_path: Path) -> Path:
    (tmp_path / "stats.py").write_text(FILE)
    return tmp_path


def test_the_request_is_the_missing_function_with_the_tests_block(tmp_path: Path) -> None:
    found = new_functions(issue(), ("stats.py::median", "stats.py::mean"), workspace(tmp_path))
    assert found.task is not None and found.specs == ("stats.py::median",)
    assert found.task.tests == "assert median([3, 1, 2]) == 2\nassert median([4, 1, 3, 2]) == 2.5\n"
    assert found.task.language == "python" and found.task.source == FILE.encode()
    assert found.task.description.startswith("Add median to stats\n\nPlease add `stats.py::median`")
    assert "assert median" not in found.task.description  # the tests are not the description
    assert "# an example, not tests" in found.task.description
    assert found.notes == ()


def test_without_tests_nothing_is_written_and_the_note_says_what_to_add(tmp_path: Path) -> None:
    body = "Please add `stats.py::median`, the middle value.\n"
    found = new_functions(issue(body), ("stats.py::median",), workspace(tmp_path))
    assert found.task is None
    [note] = found.notes
    assert note.startswith("`stats.py::median` is not in its file yet: to have PerfOrch write it")
    assert "tagged `tests`" in note


def test_missing_files_and_existing_functions_are_not_new(tmp_path: Path) -> None:
    found = new_functions(issue(), ("other.py::f", "stats.py::mean"), workspace(tmp_path))
    assert found == new_functions(issue(), (), workspace(tmp_path))
    assert found.task is None and found.specs == ()


def test_one_new_function_per_run(tmp_path: Path) -> None:
    found = new_functions(issue(), ("stats.py::median", "stats.py::mode"), workspace(tmp_path))
    assert found.task is not None and found.task.spec == "stats.py::median"
    assert found.notes == (
        "`stats.py::mode`: one new function per run; ask again once `stats.py::median` is in",
    )


def test_an_issue_asking_for_a_new_function_gets_it_as_a_patch(
    tmp_path: Path, openai_server: OpenAIServer, executor: Executor
) -> None:
    client = FakeGitHub()
    client.permissions[(REPO, "Codertocat")] = Permission("Codertocat", "write", "write")
    client.issues[(REPO, 1)] = issue()
    payload = load("issues", "opened")
    payload["issue"]["body"] = BODY
    payload["issue"]["labels"] = [{"name": "perforch"}]
    openai_server.script("alpha", Reply(f"```python\n{MEDIAN}```"))
    settings = Settings(
        models=(
            ModelSettings(model="openai/alpha", api_base=openai_server.api_base, api_key_env="K"),
        ),
    )
    pipeline = PipelineConfig(
        settings=settings,
        profiles=(),
        llm=LLMSettings(timeout_s=5, max_attempts=1),
        budget=Budget(max_seconds=30),
        keys={"K": openai_server.api_key},
    )
    outcome = handle(
        parse_event("issues", payload),
        client=client,
        workspace=workspace(tmp_path),
        executor=executor,
        config=BotConfig(events=EventSettings(), pipeline=pipeline),
        progress=lambda _m: None,
    )
    assert outcome.trace is not None
    [function] = outcome.trace.functions
    assert function.result == "implemented", [a.reason for a in function.attempts]
    [summary] = client.comments[(REPO, 1)]
    assert "| `stats.py::median` (python) | new function, tests pass |" in summary.body
    assert "+def median(xs):" in summary.body and "```diff" in summary.body
    assert "no function 'median'" not in summary.body  # not reported as "not found"
    assert (tmp_path / "stats.py").read_text() == FILE  # the workspace is left as it was
    prompt = openai_server.requests[0].messages[-1]["content"]
    assert "the middle value of a non-empty list" in prompt
    assert client.reviews == []  # an issue has no diff to suggest on


def test_tests_in_another_language_are_refused_with_what_to_change(tmp_path: Path) -> None:
    body = "Please add `stats.py::median`.\n\n```java tests\nassert median(1) == 1;\n```\n"
    found = new_functions(issue(body), ("stats.py::median",), workspace(tmp_path))
    assert found.task is None and found.specs == ("stats.py::median",)
    assert found.notes == (
        "`stats.py::median` is Python, but its tests block is tagged `java`: write the tests in "
        "Python (```` ```python tests ````) and ask again",
    )
    # `py` is one of Python's tags, and a block tagged only `tests` is taken as it is
    for info in ("py tests", "tests"):
        body = f"Add `stats.py::median`.\n\n```{info}\nassert median([1]) == 1\n```\n"
        found = new_functions(issue(body), ("stats.py::median",), workspace(tmp_path))
        assert found.task is not None and found.task.tests == "assert median([1]) == 1\n"
