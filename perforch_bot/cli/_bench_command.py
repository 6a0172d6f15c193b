"""``perforch bench``: compare two versions of a function and print the verdict table."""

from __future__ import annotations

import dataclasses
import json
import math
from pathlib import Path
from typing import Any

import click

from perforch_bot.cli._context import sandbox_options, settings_from
from perforch_bot.cli._tables import render_table
from perforch_bot.examples import Example, load_examples
from perforch_bot.sources import SourceError, read_source
from sandbox import Budget, Comparison, SandboxError, Workload, compare
from sandbox.languages import LANGUAGES, get_language, language_for_path


@click.command()
@click.argument("old", required=False)
@click.argument("new", required=False)
@click.option(
    "--function",
    "function",
    help="The function to compare (qualified the language's way, e.g. Solution.sortArray in Java).",
)
@click.option(
    "--language",
    type=click.Choice(sorted(LANGUAGES)),
    default=None,
    help="Language of OLD and NEW [default: from the file extension].",
)
@click.option(
    "--inputs",
    "inputs_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Calls to time and compare, written in the language (see README: inputs files).",
)
@click.option(
    "--tests",
    "tests_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Tests appended to each version; must pass on both.",
)
@click.option(
    "--examples",
    is_flag=True,
    help="Compare the bundled example pairs (one per language, or only --language's).",
)
@click.option("--max-seconds", type=float, default=None, help="Timing budget per comparison.")
@click.option(
    "--min-effect",
    type=float,
    default=0.03,
    show_default=True,
    help="Smallest relative change that counts as faster or slower.",
)
@click.option("--seed", type=int, default=0, show_default=True, help="Seed of the run order.")
@click.option("--json", "as_json", is_flag=True, help="Print the full results as JSON.")
@sandbox_options
def bench(
    old: str | None,
    new: str | None,
    function: str | None,
    language: str | None,
    inputs_path: Path | None,
    tests_path: Path | None,
    examples: bool,
    max_seconds: float | None,
    min_effect: float,
    seed: int,
    as_json: bool,
    **sandbox: Any,
) -> int:
    """Compare OLD and NEW versions of a function: correctness, then speed.

    OLD and NEW are files or git revisions (REV:PATH, e.g. HEAD~1:src/sort.py).
    """
    jobs = (
        _example_jobs(language)
        if examples
        else [_job(old, new, function, language, inputs_path, tests_path)]
    )
    executor = settings_from(**sandbox).executor()
    results = []
    for label, lang, old_text, new_text, workload in jobs:
        budget = Budget(
            min_effect=min_effect,
            max_seconds=max_seconds if max_seconds else _default_seconds(lang),
        )
        click.echo(f"{label}:", err=True)
        try:
            results.append(
                compare(
                    old_text,
                    new_text,
                    language=lang,
                    workload=workload,
                    executor=executor,
                    budget=budget,
                    seed=seed,
                    progress=lambda m: click.echo(f"  {m}", err=True),
                )
            )
        except SandboxError as exc:
            raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps([comparison_json(c) for c in results], indent=2))
    else:
        click.echo(verdict_table(results))
        for comparison in results:
            click.echo(f"- {comparison.function} ({comparison.language}): {comparison.summary}")
    return 1 if any(c.status == "error" for c in results) else 0


Job = tuple[str, str, str, str, Workload]


def _job(
    old: str | None,
    new: str | None,
    function: str | None,
    language: str | None,
    inputs_path: Path | None,
    tests_path: Path | None,
) -> Job:
    if old is None or new is None:
        raise click.UsageError("give OLD and NEW (files or REV:PATH), or --examples")
    if function is None:
        raise click.UsageError("--function is required: the name of the function to compare")
    if inputs_path is None and tests_path is None:
        raise click.UsageError(
            "give --inputs (calls to time) and/or --tests; see the README "
            "for the inputs file form in each language"
        )
    try:
        lang = language or language_for_path(new.split(":", 1)[-1]).name
        old_text, new_text = read_source(old), read_source(new)
    except (SourceError, SandboxError) as exc:
        raise click.UsageError(str(exc)) from exc
    workload = Workload(
        function=function,
        inputs=inputs_path.read_text() if inputs_path else None,
        tests=tests_path.read_text() if tests_path else None,
    )
    return f"{old} -> {new}", lang, old_text, new_text, workload


def _example_jobs(language: str | None) -> list[Job]:
    chosen: list[Example] = [
        e for e in load_examples() if language is None or e.language == language
    ]
    return [
        (
            f"example {e.language}: {e.title}",
            e.language,
            e.old,
            e.new,
            Workload(e.function, e.inputs, e.tests),
        )
        for e in chosen
    ]


def _default_seconds(language: str) -> float:
    # The JVM needs a warm-up per fresh process, so its pairs cost more.
    return 120.0 if get_language(language).name == "java" else 60.0


def verdict_table(results: list[Comparison]) -> str:
    rows = []
    for c in results:
        t = c.timing
        if t is None:
            rows.append([c.function, c.language, c.status, "-", "-", "-", "-", "-", "-"])
            continue
        ci = t.interval_95
        rows.append(
            [
                c.function,
                c.language,
                c.status,
                format_ns(t.median("old", "center")),
                format_ns(t.median("new", "center")),
                f"{ci.speedup:.2f}x [{1 / ci.high:.2f}–{1 / ci.low:.2f}]" if ci.bounded else "n/a",
                f"{t.median('old', 'peak') / 1024:.1f}→{t.median('new', 'peak') / 1024:.1f} MiB",
                (t.aa_verdict or "off"),
                f"{t.blocks} / {t.seconds:.1f}s",
            ]
        )
    return render_table(
        [
            "function",
            "language",
            "verdict",
            "old/pass",
            "new/pass",
            "speedup [95% CI]",
            "peak RSS",
            "A/A",
            "blocks / time",
        ],
        rows,
    )


def format_ns(ns: float) -> str:
    if math.isnan(ns):
        return "-"
    for unit, scale in (("s", 1e9), ("ms", 1e6), ("µs", 1e3)):
        if ns >= scale:
            return f"{ns / scale:.3g} {unit}"
    return f"{ns:.3g} ns"


def comparison_json(comparison: Comparison) -> dict[str, Any]:
    data = dataclasses.asdict(comparison)
    if comparison.timing is not None:
        for key in ("decision", "guarded", "interval_95", "aa"):
            estimate = getattr(comparison.timing, key)
            if estimate is not None:
                data["timing"][key]["speedup"] = estimate.speedup
    finite: dict[str, Any] = _finite(data)
    return finite


def _finite(value: Any) -> Any:
    """JSON has no infinities: unbounded interval ends become null."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
