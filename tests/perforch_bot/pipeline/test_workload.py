"""The workload's coverage note: which of the function's lines the inputs reach."""

from __future__ import annotations

from perforch_bot.pipeline._config import Task
from perforch_bot.pipeline._workload import coverage_note
from perforch_bot.targets import extract
from sandbox import Probe

SIGN_CPP = """// the sign of x
int sign(int x) {
    if (x > 0) {
        return 1;
    }
    return -1;
}
"""


def sign_task() -> Task:
    [function] = extract("sign.cpp", SIGN_CPP.encode()).functions
    return Task(function, SIGN_CPP.encode())


def test_only_lines_with_code_count_when_the_tool_says_which() -> None:
    # gcov's view: lines 2 (the entry), 3, 4 and 6 hold code; the lone `}` (5) and the closing
    # brace (7) do not.
    checked = Probe(
        True, 1, 0, "1 inputs run", covered_lines=(2, 3, 4), executable_lines=(2, 3, 4, 6)
    )
    assert coverage_note(sign_task(), checked) == (
        "they run 3 of the function's 4 lines (not reached: lines 6)"
    )


def test_every_non_blank_line_counts_without_the_tools_list() -> None:
    # The body's lines from its `{` to its `}`, brace-only lines included.
    checked = Probe(True, 1, 0, "1 inputs run", covered_lines=(3, 4))
    assert coverage_note(sign_task(), checked) == (
        "they run 2 of the function's 6 lines (not reached: lines 2, 5, 6, 7)"
    )


def test_no_coverage_is_said_so() -> None:
    checked = Probe(True, 1, 0, "1 inputs run")
    assert coverage_note(sign_task(), checked) == ("line coverage could not be measured for cpp")
