"""The differential check: the new version must give the old version's outputs on every input.

Drivers print each call's result, its arguments after the call (so in-place mutation counts)
or the exception it raised, as canonical text. Texts are compared token by token: numbers
within a tolerance, everything else exactly. Exceptions match when their type matches (messages
often embed data and are reported, not compared). A case whose output differs between two runs
of the *old* version is nondeterministic: it is reported and left out of the check.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from sandbox._errors import WorkloadError

_NUMBER = re.compile(
    r"(?<![\w.])[-+]?(?:\d+\.\d*(?:[eE][-+]?\d+)?|\.\d+(?:[eE][-+]?\d+)?|\d+[eE][-+]?\d+|\d+"
    r"|inf(?:inity)?|nan)(?![\w.])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Tolerance:
    """Floats match when ``|a - b| <= max(relative * max(|a|, |b|), absolute)``."""

    relative: float = 1e-9
    absolute: float = 1e-12

    def describe(self) -> str:
        return f"floats equal within rel {self.relative:g} / abs {self.absolute:g}; ints exact"


@dataclass(frozen=True)
class CaseOutput:
    case: int
    result: str | None = None
    args: str | None = None
    error: str | None = None

    @property
    def error_type(self) -> str | None:
        return None if self.error is None else self.error.split(":", 1)[0].strip()


@dataclass(frozen=True)
class Mismatch:
    case: int
    field: Literal["result", "args", "error", "missing"]
    old: str
    new: str

    def describe(self, limit: int = 200) -> str:
        return (
            f"input #{self.case}: {self.field} differs: old {_clip(self.old, limit)} "
            f"vs new {_clip(self.new, limit)}"
        )


@dataclass(frozen=True)
class Differential:
    cases: int
    mismatches: tuple[Mismatch, ...]
    nondeterministic: tuple[int, ...]
    tolerance: Tolerance

    @property
    def ok(self) -> bool:
        return not self.mismatches


def parse_driver_output(stdout: str) -> tuple[list[CaseOutput], dict[str, Any]]:
    """The per-case records and the closing line of a driver's ``outputs`` run."""
    cases: list[CaseOutput] = []
    closing: dict[str, Any] = {}
    for line in stdout.splitlines():
        if not line.startswith("{"):
            continue
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if "case" in record:
            cases.append(
                CaseOutput(
                    int(record["case"]),
                    record.get("result"),
                    record.get("args"),
                    record.get("error"),
                )
            )
        elif "peak_rss_kb" in record:
            closing = record
    return cases, closing


def same_text(old: str, new: str, tolerance: Tolerance) -> bool:
    """Equal as canonical texts, numbers compared with ``tolerance``."""
    if old == new:
        return True
    old_parts, new_parts = _NUMBER.split(old), _NUMBER.split(new)
    old_numbers, new_numbers = _NUMBER.findall(old), _NUMBER.findall(new)
    if old_parts != new_parts or len(old_numbers) != len(new_numbers):
        return False
    return all(_same_number(a, b, tolerance) for a, b in zip(old_numbers, new_numbers, strict=True))


def _same_number(a: str, b: str, tolerance: Tolerance) -> bool:
    if a == b:
        return True
    if _is_integer(a) and _is_integer(b):
        return int(a) == int(b)
    x, y = float(a), float(b)
    if math.isnan(x) or math.isnan(y):
        return math.isnan(x) and math.isnan(y)
    if math.isinf(x) or math.isinf(y):
        return x == y
    return abs(x - y) <= max(tolerance.relative * max(abs(x), abs(y)), tolerance.absolute)


def _is_integer(token: str) -> bool:
    return token.lstrip("+-").isdigit()


def compare_outputs(
    old: Sequence[CaseOutput],
    new: Sequence[CaseOutput],
    old_again: Sequence[CaseOutput],
    tolerance: Tolerance,
) -> Differential:
    """Compare ``new`` with ``old``; ``old_again`` (a second old run) detects nondeterminism."""
    if not old:
        raise WorkloadError(
            "the old version produced no outputs: the inputs define no calls, "
            "or the driver crashed before the first one"
        )
    by_case_new = {c.case: c for c in new}
    by_case_again = {c.case: c for c in old_again}
    mismatches: list[Mismatch] = []
    unstable: list[int] = []
    for before in old:
        again = by_case_again.get(before.case)
        if again is None or _differences(before, again, tolerance):
            unstable.append(before.case)
            continue
        after = by_case_new.get(before.case)
        if after is None:
            mismatches.append(Mismatch(before.case, "missing", _show(before), "no output"))
            continue
        mismatches.extend(_differences(before, after, tolerance))
    return Differential(len(old), tuple(mismatches), tuple(unstable), tolerance)


def _differences(old: CaseOutput, new: CaseOutput, tolerance: Tolerance) -> list[Mismatch]:
    if old.error is not None or new.error is not None:
        if old.error_type != new.error_type:
            return [Mismatch(old.case, "error", old.error or _show(old), new.error or _show(new))]
        return []
    found = []
    if not same_text(old.result or "", new.result or "", tolerance):
        found.append(Mismatch(old.case, "result", old.result or "", new.result or ""))
    if not same_text(old.args or "", new.args or "", tolerance):
        found.append(Mismatch(old.case, "args", old.args or "", new.args or ""))
    return found


def _show(output: CaseOutput) -> str:
    return output.error or f"returned {output.result}"


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
