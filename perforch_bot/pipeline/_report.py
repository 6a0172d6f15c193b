"""A run trace as Markdown (what the CLI prints and the bot posts) or JSON."""

from __future__ import annotations

from typing import Literal

from perforch_bot.pipeline._trace import AttemptTrace, FunctionTrace, RunTrace, TimingTrace

RECORDED_BANNER = (
    "> **Recorded model responses.** The model answers in this run were replayed from a "
    "recording, not asked of a live model. Everything after the model (validation, fixes, "
    "rollbacks, benchmarks) ran for real."
)
_RESULT = {
    "improved": "faster",
    "rolled-back": "original kept",
    "error": "error",
    "skipped": "skipped",
    "implemented": "new function, tests pass",
    "not-implemented": "not written",
}


def render_report(trace: RunTrace, fmt: Literal["markdown", "json"] = "markdown") -> str:
    if fmt == "json":
        return trace.model_dump_json(indent=2) + "\n"
    return render_markdown(trace)


def render_markdown(trace: RunTrace) -> str:
    lines = ["## PerfOrch results", ""]
    if trace.recorded:
        lines += [RECORDED_BANNER, ""]
    lines += [
        "| function | result | stages (model) | old → new per pass | speedup (95% interval) "
        "| peak memory |",
        "| --- | --- | --- | --- | --- | --- |",
    ]
    lines += [_row(function) for function in trace.functions]
    lines.append("")
    for function in trace.functions:
        lines += _details(function)
    lines.append(_footer(trace))
    return "\n".join(lines) + "\n"


def _row(function: FunctionTrace) -> str:
    timing = function.final if function.result == "improved" else None
    cells = [
        f"`{function.spec}` ({function.language})",
        _RESULT[function.result],
        _stages(function.attempts) or "—",
        _times(timing) if timing else "—",
        _speedup(timing) if timing else "—",
        _memory(timing) if timing else "—",
    ]
    return "| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |"


def _stages(attempts: tuple[AttemptTrace, ...]) -> str:
    parts = []
    for attempt in attempts:
        model = attempt.model or "no model"
        if attempt.recorded:
            model += ", recorded"
        parts.append(f"{attempt.stage} ({model}): {attempt.outcome}")
    return "; ".join(parts)


def _times(timing: TimingTrace) -> str:
    return f"{duration_text(timing.old_ns_per_pass)} → {duration_text(timing.new_ns_per_pass)}"


def _speedup(timing: TimingTrace) -> str:
    high = "∞" if timing.speedup_high is None else f"{timing.speedup_high:.2f}"
    return f"{timing.speedup:.2f}x ({timing.speedup_low:.2f}–{high})"


def _memory(timing: TimingTrace) -> str:
    old, new = timing.old_peak_rss_kb, timing.new_peak_rss_kb
    if not (old > 0 and new > 0):  # 0 or NaN: not reported
        return "—"
    change = (new - old) / old * 100
    return f"{old / 1024:.1f} → {new / 1024:.1f} MiB ({change:+.0f}%)"


def duration_text(ns: float) -> str:
    for unit, size in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= size:
            return f"{ns / size:.3g} {unit}"
    return f"{ns:.3g} ns"


def _details(function: FunctionTrace) -> list[str]:
    lines = [f"### `{function.spec}`: {_RESULT[function.result]}", "", function.reason, ""]
    if function.workload is not None:
        tests = "with its tests" if function.workload.tests else "no tests given"
        lines += [f"Workload: {function.workload.note}; {tests}.", ""]
    for attempt in function.attempts:
        model = attempt.model or "no model"
        if attempt.recorded:
            model += " (recorded response)"
        against = f" vs {attempt.against}" if attempt.against else ""
        lines.append(
            f"- {attempt.stage} {attempt.round} — {model}: **{attempt.outcome}**{against}. "
            f"{_one_line(attempt.reason)}"
        )
    if function.attempts:
        lines.append("")
    if function.patch:
        lines += [
            "<details><summary>Patch</summary>",
            "",
            "```diff",
            function.patch.rstrip("\n"),
            "```",
            "",
            "</details>",
            "",
        ]
    return lines


def _one_line(text: str, limit: int = 300) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _footer(trace: RunTrace) -> str:
    cost = f"${trace.cost_usd:.4f}"
    if trace.cost_unknown_calls:
        cost += f" (+ {trace.cost_unknown_calls} call(s) without a known price)"
    cap = f" of a ${trace.cost_cap_usd:.2f} cap" if trace.cost_cap_usd is not None else ""
    machine = trace.machine
    where = f"{machine.get('cpu', '?')}, {machine.get('cores', '?')} cores"
    return (
        f"{trace.calls} model call(s), {trace.prompt_tokens} prompt + "
        f"{trace.completion_tokens} completion tokens, {cost}{cap}. Measured on {where}. "
        f"Run `{trace.id}`.{_plan(trace)}"
    )


def _plan(trace: RunTrace) -> str:
    plan = trace.plan
    if plan is None:
        return ""
    part = "merged" if plan.shard is None else f"shard {plan.shard}/{plan.shards}"
    return (
        f" Sharded ({part}): {len(plan.functions)} function(s) of `{plan.range}` in "
        f"{plan.shards} shard(s), plan `{plan.id}`."
    )
