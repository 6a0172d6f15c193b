"""The report renderer and the trace file format, on traces built by hand."""

from __future__ import annotations

from pathlib import Path

import pytest

from perforch_bot.pipeline import (
    AttemptTrace,
    FunctionTrace,
    RunTrace,
    TimingTrace,
    TraceError,
    read_trace,
    render_markdown,
    write_trace,
)

TIMING = TimingTrace(
    verdict="faster",
    speedup=4.0,
    speedup_low=3.5,
    speedup_high=None,
    blocks=7,
    seconds=5.0,
    old_ns_per_pass=2_000_000,
    new_ns_per_pass=500_000,
    old_peak_rss_kb=10_240,
    new_peak_rss_kb=11_264,
    summary="faster: 4x",
)


def trace(recorded: bool) -> RunTrace:
    attempt = AttemptTrace(
        stage="generate",
        round=1,
        model="replay/m" if recorded else "openai/m",
        recorded=recorded,
        outcome="kept",
        reason="faster | much",
        against="original",
        verdict="faster",
        timing=TIMING,
    )
    function = FunctionTrace(
        spec="a.py::f",
        qualified_name="f",
        path="a.py",
        language="python",
        category="other",
        result="improved",
        reason="faster: 4x",
        attempts=(attempt,),
        final=TIMING,
        code="def f(): ...",
        patch="--- a/a.py\n+++ b/a.py\n",
    )
    return RunTrace(
        id="run-1",
        started="2026-12-05T00:00:00+00:00",
        finished="2026-12-05T00:01:00+00:00",
        command="test",
        recorded=recorded,
        functions=(function,),
        calls=1,
        prompt_tokens=10,
        completion_tokens=5,
        cost_usd=0.0012,
        cost_unknown_calls=0,
        cost_cap_usd=1.0,
        patch="--- a/a.py\n+++ b/a.py\n",
    )


def test_markdown_has_the_table_details_patch_and_cost() -> None:
    text = render_markdown(trace(recorded=False))
    assert "| `a.py::f` (python) | faster | generate (openai/m): kept | 2 ms → 500 µs |" in text
    assert "4.00x (3.50–∞)" in text and "10.0 → 11.0 MiB (+10%)" in text
    assert "```diff\n--- a/a.py" in text and "$0.0012 of a $1.00 cap" in text
    assert "Recorded model responses" not in text


def test_recorded_answers_are_labelled_everywhere() -> None:
    text = render_markdown(trace(recorded=True))
    assert text.count("Recorded model responses") == 1
    assert "generate (replay/m, recorded): kept" in text
    assert "replay/m (recorded response)" in text


def test_a_trace_survives_the_round_trip_and_a_wrong_file_is_refused(tmp_path: Path) -> None:
    original = trace(recorded=False)
    path = write_trace(original, tmp_path / "runs")
    assert path.name == "run-1.json" and read_trace(path) == original
    path.write_text('{"format": "perforch-run/1", "id": 3}')
    with pytest.raises(TraceError, match="is not a PerfOrch run"):
        read_trace(path)
    with pytest.raises(TraceError, match="cannot read"):
        read_trace(tmp_path / "missing.json")
