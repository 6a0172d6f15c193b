"""``perforch eval humaneval-x``: build and test HumanEval-X solutions in the sandbox."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from perforch_bot.cli._context import sandbox_options, settings_from
from perforch_bot.cli._tables import render_table
from sandbox import RUN_LIMITS, SandboxError
from sandbox.humaneval_x import ASSEMBLERS, KNOWN_DATASET_BUGS, load_problems
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
@click.option(
    "--task",
    "tasks",
    multiple=True,
    metavar="ID",
    help="Only these tasks (repeatable), e.g. --task Go/95; their languages by default.",
)
@click.option("--jobs", type=int, default=2, show_default=True, help="Parallel builds/runs.")
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@sandbox_options
def eval_command(
    benchmark: str,
    solutions: str,
    languages: tuple[str, ...],
    data_dir: Path,
    limit: int | None,
    tasks: tuple[str, ...],
    jobs: int,
    as_json: bool,
    **sandbox: Any,
) -> int:
    """Build and test a benchmark's solutions; print pass counts per language and every
    failure with its reason.

    Tasks whose canonical solution fails for a known dataset reason (see
    sandbox.humaneval_x.KNOWN_DATASET_BUGS) are reported as "known dataset bug" and counted
    apart; they do not make the exit code 1.
    """
    wanted = _task_languages(tasks)
    executor = settings_from(**sandbox).executor()
    results: list[LanguageResult] = []
    for language in languages or tuple(wanted) or tuple(ASSEMBLERS):
        try:
            problems = load_problems(data_dir, language)
        except SandboxError as exc:
            raise click.ClickException(str(exc)) from exc
        if tasks:
            chosen = {t.lower() for t in wanted.get(language, ())}
            problems = [p for p in problems if p.task_id.lower() in chosen]
            if not problems:
                continue
        problems = problems[:limit]
        if not as_json:
            click.echo(f"{language}: testing {len(problems)} {solutions} solutions…", err=True)
        results.append(
            evaluate(problems, executor, RUN_LIMITS, workers=jobs, known_bugs=KNOWN_DATASET_BUGS)
        )
    if not results:
        raise click.UsageError(f"no task {', '.join(tasks)} in the chosen languages")
    if as_json:
        click.echo(json.dumps([_as_json(r) for r in results], indent=2))
    else:
        click.echo(
            render_table(
                ["language", "passed", "failed", "known dataset bugs", "seconds", "toolchain"],
                [
                    [
                        r.language,
                        f"{r.passed}/{len(r.results)}",
                        str(len(r.failed)),
                        str(len(r.known_bugs)),
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
            for known in r.known_bugs:
                click.echo(f"- {known.task_id}: known dataset bug: {known.known_bug}")
    return 0 if all(not r.failed for r in results) else 1


def _task_languages(tasks: tuple[str, ...]) -> dict[str, list[str]]:
    """``--task`` IDs (``Go/95``, ``CPP/0``) grouped by language, in the order given."""
    by_language: dict[str, list[str]] = {}
    for task in tasks:
        prefix, _, number = task.partition("/")
        if prefix.lower() not in ASSEMBLERS or not number.isdigit():
            raise click.BadParameter(
                f"{task!r} is not a HumanEval-X task ID such as Python/0, CPP/12 or Go/95",
                param_hint="--task",
            )
        by_language.setdefault(prefix.lower(), []).append(task)
    return by_language


def _as_json(result: LanguageResult) -> dict[str, object]:
    return {
        "language": result.language,
        "passed": result.passed,
        "failed": len(result.failed),
        "known_dataset_bugs": len(result.known_bugs),
        "total": len(result.results),
        "seconds": round(result.seconds, 2),
        "toolchain": result.toolchain,
        "failures": [
            {
                "task_id": f.task_id,
                "status": f.status,
                "kind": f.failure.kind if f.failure else None,
                "message": f.failure.message if f.failure else None,
            }
            for f in result.failed
        ],
        "known_dataset_bug_failures": [
            {
                "task_id": k.task_id,
                "status": k.status,
                "reason": k.known_bug,
                "kind": k.failure.kind if k.failure else None,
                "message": k.failure.message if k.failure else None,
            }
            for k in result.known_bugs
        ],
    }
