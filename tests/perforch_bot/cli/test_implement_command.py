"""`perforch implement` through main(argv): real files, a real OpenAI-compatible server on
127.0.0.1, the real sandbox."""

from __future__ import annotations

from pathlib import Path

import pytest

from perforch_bot.cli import main
from tests.perforch_bot.cli.test_optimize_command import OLD, cache_args, project
from tests.support.openai_server import OpenAIServer, Reply

__all__ = ["project"]  # the fixture, shared

DOUBLE = "def double_total(xs):\n    return 2 * total(xs)\n"


def test_implement_writes_the_function_when_the_tests_pass(
    project: Path,
    openai_server: OpenAIServer,
    sandbox_cache: Path,
    capsys: pytest.CaptureFixture[str],
) -> None:
    (project / "tests.py").write_text("assert double_total([1, 2]) == 6\n")
    openai_server.script("alpha", Reply(f"```python\n{DOUBLE}```"))
    code = main(
        [
            "implement",
            "calc.py::double_total",
            "--description",
            "Twice the total of xs.",
            "--tests",
            "tests.py",
            "--apply",
            "--quiet",
            *cache_args(sandbox_cache),
        ]
    )
    out, err = capsys.readouterr()
    assert code == 0, err
    assert (project / "calc.py").read_text() == OLD + "\n\n" + DOUBLE
    assert "| `calc.py::double_total` (python) | new function, tests pass |" in out
    [trace_path] = (project / ".perforch" / "runs").glob("*.json")
    assert "+def double_total(xs):" in trace_path.with_suffix(".patch").read_text()
    assert "applied to calc.py" in err


def test_implement_says_what_is_wrong_with_its_input(
    project: Path, openai_server: OpenAIServer, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "tests.py").write_text("assert True\n")
    base = ["implement", "--tests", "tests.py"]
    assert main([*base, "calc.py::double_total"]) == 2
    assert "--description or --description-file" in capsys.readouterr().err
    assert main([*base, "nope.py::f", "--description", "x"]) == 1
    assert "nope.py: no such file; PerfOrch adds a new function to an existing file" in (
        capsys.readouterr().err
    )
    assert main([*base, "calc.py::total", "--description", "x"]) == 1
    assert "calc.py::total already exists in calc.py; use `perforch optimize" in (
        capsys.readouterr().err
    )
    assert openai_server.requests == []
