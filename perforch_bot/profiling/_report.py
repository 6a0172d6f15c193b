"""A profiling run as the command prints it: a table per language, or JSON."""

from __future__ import annotations

from pathlib import Path

from perforch_bot.profiling._figures import Figures, language_figures
from perforch_bot.profiling._model import ProfileResult

STAGES = ("generate", "fix", "refine")
HEADERS = (
    "LANGUAGE",
    "PROBLEMS",
    "GENERATE",
    "FIX",
    "REFINE FASTER",
    "SPEEDUP",
    "MEMORY",
    "LATENCY S (G/F/R)",
    "TOKENS IN/OUT",
)


def summary_rows(result: ProfileResult) -> list[list[str]]:
    """One row per language under ``HEADERS``: passed/asked (rate) per stage, medians."""
    return [
        [
            row.language,
            str(row.problems),
            _rate(row.passed, row.generated),
            _rate(row.repaired, row.fix_asked),
            _rate(row.faster, row.refined),
            _number(row.median_speedup),
            _number(row.median_memory_ratio),
            "/".join(_number(row.median_latency(s), ".1f") for s in STAGES),
            f"{row.prompt_tokens}/{row.completion_tokens}",
        ]
        for row in language_figures(result)
    ]


def summary_json(result: ProfileResult, path: Path, source_id: str) -> dict[str, object]:
    return {
        "schema": 1,
        "model": result.model,
        "benchmark": "humaneval-x",
        "profile": str(path),
        "source": source_id,
        "stopped": result.stopped,
        "languages": [_language_json(row) for row in language_figures(result)],
        "problems": [
            {
                "task_id": o.task_id,
                "category": o.category,
                "generate": o.generate,
                "generate_problem": o.generate_problem,
                "fix": o.fix,
                "fix_problem": o.fix_problem,
                "refine": o.refine,
                "refine_summary": o.refine_summary,
                "speedup": o.speedup,
                "memory_ratio": o.memory_ratio,
                "not_measured": list(o.skipped),
                "calls": len(o.calls),
            }
            for o in result.outcomes
        ],
    }


def _language_json(row: Figures) -> dict[str, object]:
    return {
        "language": row.language,
        "problems": row.problems,
        "generate": {"passed": row.passed, "asked": row.generated},
        "fix": {"repaired": row.repaired, "asked": row.fix_asked},
        "refine": {
            "faster": row.faster,
            "correct": row.correct_refinements,
            "judged": row.refined,
            "median_speedup": row.median_speedup,
            "median_memory_ratio": row.median_memory_ratio,
        },
        "median_latency_seconds": {s: row.median_latency(s) for s in STAGES},
        "prompt_tokens": row.prompt_tokens,
        "completion_tokens": row.completion_tokens,
        "cost_usd": row.cost_usd,
    }


def _rate(part: int, whole: int) -> str:
    return f"{part}/{whole} ({part / whole:.2f})" if whole else "-"


def _number(value: float | None, digits: str = ".2f") -> str:
    return "-" if value is None else format(value, digits)
