"""``check``: each changed function's staged version timed against its base version on its
saved inputs; a slowdown beyond the threshold blocks the commit."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from perforch_bot.precommit._changes import Changed
from perforch_bot.workloads import load_saved_inputs, saved_inputs_path
from sandbox import Budget, Comparison, Executor, Workload, compare

CheckStatus = Literal["slower", "ok", "no-workload", "new", "behaviour-changed", "error"]


@dataclass(frozen=True)
class CheckResult:
    spec: str
    status: CheckStatus
    detail: str
    comparison: Comparison | None = None

    @property
    def blocks(self) -> bool:
        return self.status == "slower"


def check(
    changed: Sequence[Changed],
    *,
    root: Path,
    executor: Executor,
    max_slowdown: float,
    max_seconds: float,
    progress: Callable[[str], None],
) -> list[CheckResult]:
    return [_check_one(c, root, executor, max_slowdown, max_seconds, progress) for c in changed]


def _check_one(
    changed: Changed,
    root: Path,
    executor: Executor,
    max_slowdown: float,
    max_seconds: float,
    progress: Callable[[str], None],
) -> CheckResult:
    function = changed.function
    spec = function.spec
    if changed.base_file is None or changed.base_function is None:
        return CheckResult(spec, "new", "new function: nothing to compare against")
    inputs = load_saved_inputs(root, function.path, function.qualified_name, function.language)
    if inputs is None:
        where = saved_inputs_path(
            root, function.path, function.qualified_name, function.language
        ).relative_to(root)
        return CheckResult(
            spec,
            "no-workload",
            f"no saved inputs: run `perforch optimize {spec}` once (it saves the inputs a model "
            f"writes) or write {where} (see docs/inputs.md)",
        )
    progress(f"{spec}: timing the staged version against the base")
    # min_effect = the threshold: "slower" then means slower by more than it, with confidence.
    comparison = compare(
        changed.base_file.decode(),
        changed.staged_file.decode(),
        language=function.language,
        workload=Workload(function.qualified_name, inputs),
        executor=executor,
        budget=Budget(max_seconds=max_seconds, min_effect=max_slowdown),
    )
    status = comparison.status
    if status == "slower":
        return CheckResult(spec, "slower", comparison.summary, comparison)
    if status == "incorrect":
        return CheckResult(
            spec,
            "behaviour-changed",
            f"the staged version gives other outputs than the base, so it was not timed "
            f"({comparison.summary})",
            comparison,
        )
    if status == "error":
        return CheckResult(spec, "error", comparison.summary, comparison)
    return CheckResult(spec, "ok", comparison.summary, comparison)


def render_checks(results: Sequence[CheckResult], max_slowdown: float) -> str:
    header = f"{'function':<40} {'verdict':<18} {'staged/base time (95% interval)':<34} note"
    lines = [header, "-" * len(header)]
    for result in results:
        timing = result.comparison.timing if result.comparison is not None else None
        interval = (
            f"{timing.interval_95.ratio:.3f} ({timing.interval_95.low:.3f}–"
            f"{timing.interval_95.high:.3f})"
            if timing is not None
            else "—"
        )
        verdict = "BLOCKS: slower" if result.blocks else result.status
        note = result.detail if timing is None else ""
        lines.append(f"{result.spec:<40} {verdict:<18} {interval:<34} {note}".rstrip())
    blocked = [r for r in results if r.blocks]
    if blocked:
        lines.append(
            f"\n{len(blocked)} function(s) slower by more than {max_slowdown:.0%} with 95% "
            "confidence: the commit is blocked. Fix them, or commit with --no-verify if the "
            "slowdown is intended."
        )
    return "\n".join(lines) + "\n"
