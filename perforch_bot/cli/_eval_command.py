"""``perforch eval humaneval-x``: build and test HumanEval-X solutions in the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from perforch_bot.cli._context import sandbox_options, settings_from
from perforch_bot.cli._tables import render_table
from sandbox import RUN_LIMITS, SandboxError
from sandbox.humaneval_x import ASSEMBLERS, load_problems
from sandbox.humaneval_x._evaluate import LanguageResult, evaluate

# The dataset is read where the project's shared data lives; never copied into the repo.
DEFAULT_DATA = Path("../shared/data/humaneval-x")


@click.command(name="eval")
@click.argument("benchmark", type=click.Choice(["humaneval-x"]))
@click.option(
    "--solutions",
    type=click.Choice(["canonical"]),
    default="canonical",
    show_default=True,
    help="Which solutions to test.",
)
@click.option(
    "--language",
    "languages",
    multiple=True,
    type=click.Choice(sorted(ASSEMBLERS)),
    help="Only these languages (repeatable) [default: all five].",
)
@click.option(
    "--data",
    "data_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=DEFAULT_DATA,
    show_default=True,
    help="Folder holding humaneval_<language>.jsonl.gz.",
)
@click.option("--limit", type=int, default=None, help="Only the first N problems per language.")
@click.option("--jobs", type=int, default=2, show_default=True, help="Parallel builds/runs.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@sandbox_options
def eval_command(
    benchmark: str,
    solutions: str,
    languages: tuple[str, ...],
    data_dir: Path,
    limit: int | None,
    jobs: int,
    as_json: bool,
    **sandbox: Any,
) -> int:
    """Build and test a benchmark's solutions; print pass counts per language and every
    failure with its reason."""
    executor = settings_from(**sandbox).executor()
    results: list[LanguageResult] = []
    for language in languages or tuple(ASSEMBLERS):
        try:
            problems = load_problems(data_dir, language)[:limit]
        except SandboxError as exc:
            raise click.ClickException(str(exc)) from exc
        if not as_json:
            click.echo(f"{language}: testing {len(problems)} {solutions} solutions…", err=True)
        results.append(evaluate(problems, executor, RUN_LIMITS, workers=jobs))
    if as_json:
        click.echo(json.dumps([_as_json(r) for r in results], indent=2))
    else:
        click.echo(
            render_table(
                ["language", "passed", "failed", "seconds", "toolchain"],
                [
                    [
                        r.language,
                        f"{r.passed}/{len(r.results)}",
                        str(len(r.failed)),
                        f"{r.seconds:.1f}",
                        r.toolchain,
                    ]
                    for r in results
                ],
            )
        )
        for r in results:
            for failed in r.failed:
                reason = failed.failure.describe() if failed.failure else "failed"
                click.echo(f"- {failed.task_id}: {reason.splitlines()[0][:300]}")
    return 0 if all(not r.failed for r in results) else 1


def _as_json(result: LanguageResult) -> dict[str, object]:
    return {
        "language": result.language,
        "passed": result.passed,
        "total": len(result.results),
        "seconds": round(result.seconds, 2),
        "toolchain": result.toolchain,
        "failures": [
            {
                "task_id": f.task_id,
                "kind": f.failure.kind if f.failure else None,
                "message": f.failure.message if f.failure else None,
            }
            for f in result.failed
        ],
    }
