"""HumanEval-X (Python, C++, Java, Go, Rust): loading records and assembling runnable programs.

Each language's quirks (import blocks, missing includes, test layouts) live in one small
assembler module, registered in ``ASSEMBLERS``; see the dataset README for the layout.
``KNOWN_DATASET_BUGS`` lists the tasks whose canonical solution fails for dataset reasons.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from sandbox._errors import DatasetError
from sandbox.humaneval_x import _cpp, _go, _java, _python, _rust
from sandbox.humaneval_x._assembled import Assembled
from sandbox.humaneval_x._known_bugs import KNOWN_DATASET_BUGS, KnownBug

__all__ = ["ASSEMBLERS", "KNOWN_DATASET_BUGS", "Assembled", "KnownBug", "Problem", "load_problems"]

ASSEMBLERS: dict[str, Callable[[Mapping[str, str]], Assembled]] = {
    "python": _python.assemble,
    "cpp": _cpp.assemble,
    "java": _java.assemble,
    "go": _go.assemble,
    "rust": _rust.assemble,
}

_FILES = {
    "python": "humaneval_python.jsonl.gz",
    "cpp": "humaneval_cpp.jsonl.gz",
    "java": "humaneval_java.jsonl.gz",
    "go": "humaneval_go.jsonl.gz",
    "rust": "humaneval_rust.jsonl.gz",
}


@dataclass(frozen=True)
class Problem:
    """One HumanEval-X task in one language, as a program the sandbox can test."""

    task_id: str
    language: str
    record: Mapping[str, str]
    program: Assembled

    @property
    def number(self) -> int:
        return int(self.task_id.rsplit("/", 1)[1])


def load_problems(data_dir: Path, language: str) -> list[Problem]:
    """All 164 problems of ``language`` from ``data_dir`` (the folder holding the .jsonl.gz)."""
    if language not in _FILES:
        raise DatasetError(f"HumanEval-X has no {language!r}; choose from {', '.join(_FILES)}")
    path = data_dir / _FILES[language]
    if not path.is_file():
        raise DatasetError(
            f"{path} not found: pass --data DIR pointing at the HumanEval-X folder "
            f"(the one holding {_FILES[language]})"
        )
    problems = []
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            for line in handle:
                if not line.strip():
                    continue
                record = json.loads(line)
                problems.append(
                    Problem(record["task_id"], language, record, ASSEMBLERS[language](record))
                )
    except (OSError, ValueError, KeyError) as exc:
        raise DatasetError(f"{path}: not HumanEval-X JSON Lines ({exc})") from exc
    return problems
