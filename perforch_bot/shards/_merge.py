"""The shards' traces combined into the one trace the whole range would have given: functions
in plan order, calls, tokens and costs summed, the files' patches together (a file is never
split between shards, so its patch comes whole from one shard)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from perforch_bot.errors import PerforchError
from perforch_bot.pipeline import FunctionTrace, PlanTrace, RunTrace, read_trace
from perforch_bot.shards._patches import PatchError, split_patch


class MergeError(PerforchError):
    """Partial traces that do not make one whole plan."""


def read_partials(paths: Sequence[Path]) -> list[tuple[Path, RunTrace]]:
    return [(path, read_trace(path)) for path in paths]


def merge_traces(partials: Sequence[tuple[Path, RunTrace]]) -> RunTrace:
    """One trace from every shard's trace (``path``: where each was read, for errors)."""
    if not partials:
        raise MergeError("no partial traces to merge; give every shard's trace")
    plan = _one_plan(partials)
    by_shard = _every_shard(partials, plan)
    queues = {i: list(by_shard[i].functions) for i in by_shard}
    functions: list[FunctionTrace] = []
    for planned in plan.functions:
        queue = queues[planned.shard]
        traced = queue.pop(0) if queue else None
        if traced is None or traced.spec != planned.spec:
            got = "nothing" if traced is None else f"`{traced.spec}`"
            raise MergeError(
                f"shard {planned.shard}/{plan.shards} should have `{planned.spec}` next, "
                f"but its trace has {got}; was it written by `perforch run` for this plan?"
            )
        functions.append(traced)
    extra = [f"`{f.spec}` (shard {i})" for i, queue in queues.items() for f in queue]
    if extra:
        raise MergeError(f"the shards' traces hold functions the plan does not: {', '.join(extra)}")
    traces = [by_shard[i] for i in sorted(by_shard)]
    caps = [t.cost_cap_usd for t in traces]
    return RunTrace(
        id=f"merged-{plan.id}",
        started=min(t.started for t in traces),
        finished=max(t.finished for t in traces),
        command=f"perforch merge ({plan.shards} shard(s) of {plan.range})",
        recorded=any(t.recorded for t in traces),
        functions=tuple(functions),
        calls=sum(t.calls for t in traces),
        prompt_tokens=sum(t.prompt_tokens for t in traces),
        completion_tokens=sum(t.completion_tokens for t in traces),
        cost_usd=round(sum(t.cost_usd for t in traces), 6),
        cost_unknown_calls=sum(t.cost_unknown_calls for t in traces),
        cost_cap_usd=None if None in caps else round(sum(c or 0.0 for c in caps), 6),
        patch=_patch(traces, functions),
        machine=_machine(traces),
        plan=plan.model_copy(update={"shard": None}),
    )


def _one_plan(partials: Sequence[tuple[Path, RunTrace]]) -> PlanTrace:
    first_path, first = partials[0]
    for path, trace in partials:
        if trace.plan is None or trace.plan.shard is None:
            what = "a merged trace" if trace.plan else "not a shard's trace"
            raise MergeError(f"{path} is {what}; give the files `perforch run --shard I/N` wrote")
    assert first.plan is not None
    for path, trace in partials[1:]:
        assert trace.plan is not None
        if trace.plan.model_copy(update={"shard": None}) != first.plan.model_copy(
            update={"shard": None}
        ):
            raise MergeError(
                f"{path} and {first_path} come from different plans: {_describe(trace.plan)} "
                f"vs {_describe(first.plan)}; merge the shards of one plan (same range, head "
                "and settings)"
            )
    return first.plan


def _describe(plan: PlanTrace) -> str:
    return (
        f"plan {plan.id} ({plan.range} at {plan.head_sha[:12]}, {plan.shards} shard(s), "
        f"{len(plan.functions)} function(s))"
    )


def _every_shard(partials: Sequence[tuple[Path, RunTrace]], plan: PlanTrace) -> dict[int, RunTrace]:
    by_shard: dict[int, RunTrace] = {}
    paths: dict[int, Path] = {}
    for path, trace in partials:
        assert trace.plan is not None and trace.plan.shard is not None
        index = trace.plan.shard
        if index in paths:
            raise MergeError(
                f"shard {index}/{plan.shards} is given twice: {paths[index]} and {path}"
            )
        by_shard[index], paths[index] = trace, path
    missing = [i for i in range(1, plan.shards + 1) if i not in by_shard]
    if missing:
        lines = [
            f"shard {i}/{plan.shards} ("
            + ", ".join(f"`{f.spec}`" for f in plan.functions if f.shard == i)
            + ")"
            for i in missing
        ]
        raise MergeError(
            f"missing {len(missing)} of the plan's {plan.shards} shard(s): {'; '.join(lines)}; "
            f"give every shard's trace (plan {plan.id}, {plan.range})"
        )
    return by_shard


def _patch(traces: Sequence[RunTrace], functions: Sequence[FunctionTrace]) -> str | None:
    """The shards' patches, one file after another in plan order."""
    files: dict[str, str] = {}
    for trace in traces:
        assert trace.plan is not None
        try:
            parts = split_patch(trace.patch or "")
        except PatchError as exc:
            raise MergeError(f"shard {trace.plan.shard}'s patch: {exc}") from None
        for path, part in parts.items():
            if path in files:
                raise MergeError(f"{path} is patched by two shards; a file belongs to one")
            files[path] = part
    order = list(dict.fromkeys(f.path for f in functions))
    ordered = sorted(files, key=lambda p: order.index(p) if p in order else len(order))
    return "".join(files[p] for p in ordered) or None


def _machine(traces: Sequence[RunTrace]) -> dict[str, object]:
    """The first shard's machine, with every shard's under ``shards``; when their CPUs
    differ, ``cpu`` and ``cores`` list each distinct one."""
    machines = [t.machine for t in traces]
    kinds = list(
        dict.fromkeys((str(m.get("cpu", "?")), str(m.get("cores", "?"))) for m in machines)
    )
    merged = dict(machines[0])
    if len(kinds) > 1:
        merged["cpu"] = " / ".join(cpu for cpu, _ in kinds)
        merged["cores"] = " / ".join(cores for _, cores in kinds)
    merged["shards"] = machines
    return merged
