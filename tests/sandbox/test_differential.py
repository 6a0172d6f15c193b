from __future__ import annotations

import pytest

from sandbox._differential import (
    CaseOutput,
    Tolerance,
    compare_outputs,
    parse_driver_output,
    same_text,
)
from sandbox._errors import WorkloadError

TOL = Tolerance()


@pytest.mark.parametrize(
    ("old", "new", "same"),
    [
        ("[1, 2, 3]", "[1, 2, 3]", True),
        ("[1, 2, 3]", "[1, 2, 4]", False),
        ("0.30000000000000004", "0.3", True),  # within rel 1e-9
        ("0.3", "0.31", False),
        ("[1.0, x1]", "[1.0, x2]", False),  # digits inside names are not numbers
        ("nan", "NaN", True),
        ("inf", "-inf", False),
        ("10", "10.0", True),
        ("12345678901234567890", "12345678901234567891", False),  # big ints compare exactly
        ("{'a': 1}", "{'a': 1, 'b': 2}", False),
        ("1e-300", "0.0", True),  # absolute tolerance
    ],
)
def test_same_text(old: str, new: str, same: bool) -> None:
    assert same_text(old, new, TOL) is same


def test_parse_driver_output_skips_noise() -> None:
    stdout = (
        'hello from the program\n{"case": 0, "result": "1", "args": "[1]"}\n'
        '{"case": 1, "error": "ValueError: bad"}\n{"peak_rss_kb": 10, "cpu_ns": 5, '
        '"iterations": 1}\n{broken json\n'
    )
    cases, closing = parse_driver_output(stdout)
    assert cases == [CaseOutput(0, "1", "[1]"), CaseOutput(1, error="ValueError: bad")]
    assert closing["peak_rss_kb"] == 10


def test_mutation_of_arguments_is_a_mismatch() -> None:
    old = [CaseOutput(0, "None", "[[1, 2]]")]
    new = [CaseOutput(0, "None", "[[2, 1]]")]
    diff = compare_outputs(old, new, old, TOL)
    assert not diff.ok
    assert diff.mismatches[0].field == "args"


def test_exceptions_match_by_type_not_message() -> None:
    old = [CaseOutput(0, error="IndexError: list index out of range")]
    same_type = [CaseOutput(0, error="IndexError: index 5")]
    other_type = [CaseOutput(0, error="KeyError: 5")]
    returned = [CaseOutput(0, result="0", args="[]")]
    assert compare_outputs(old, same_type, old, TOL).ok
    assert compare_outputs(old, other_type, old, TOL).mismatches[0].field == "error"
    assert compare_outputs(old, returned, old, TOL).mismatches[0].field == "error"


def test_nondeterministic_cases_are_reported_and_left_out() -> None:
    old = [CaseOutput(0, "{1, 2}", "[]"), CaseOutput(1, "5", "[]")]
    again = [CaseOutput(0, "{2, 1}", "[]"), CaseOutput(1, "5", "[]")]
    new = [CaseOutput(0, "{9}", "[]"), CaseOutput(1, "5", "[]")]
    diff = compare_outputs(old, new, again, TOL)
    assert diff.ok
    assert diff.nondeterministic == (0,)


def test_missing_case_in_new_is_a_mismatch() -> None:
    old = [CaseOutput(0, "1", "[]"), CaseOutput(1, "2", "[]")]
    diff = compare_outputs(old, old[:1], old, TOL)
    assert [m.field for m in diff.mismatches] == ["missing"]


def test_no_old_outputs_is_a_workload_error() -> None:
    with pytest.raises(WorkloadError, match="no outputs"):
        compare_outputs([], [], [], TOL)
