"""A HumanEval-X problem as a target function: where it sits in the assembled program, its
category, and a model's reply made into a whole program (the reply's function in place of the
canonical one, so the prompt's helpers and the harness around it stay as they are)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from perforch_bot.categories import Category, classify_text
from perforch_bot.errors import PerforchError
from perforch_bot.pipeline import add_imports
from perforch_bot.profiling._model import ProfilingError
from perforch_bot.profiling._prompts import task_text
from perforch_bot.replies import Rejection, code_blocks, parse_reply
from perforch_bot.targets import Function, extract, find_function, parse_spec
from sandbox import DatasetError
from sandbox.humaneval_x import ASSEMBLERS, Problem, load_problems
from sandbox.humaneval_x._go import KNOWN_PACKAGES
from sandbox.languages._go_source import default_name, imports, qualifiers_used, without_imports

# The Python harness imports numpy for every program; importing it costs each timed process
# ~0.25 s, more than the code under test. Timing leaves it out when no version uses it.
_NUMPY_IMPORTS = "import numpy\nimport numpy as np\n"
_NUMPY_USE = re.compile(r"\b(numpy|np)\b")
EXTENSIONS = {"python": "py", "cpp": "cpp", "java": "java", "go": "go", "rust": "rs"}
LANGUAGES = tuple(ASSEMBLERS)


@dataclass(frozen=True)
class Subject:
    problem: Problem
    target: Function
    category: Category

    @property
    def source(self) -> str:
        """The canonical program: the reference solution in the harness's file."""
        return self.problem.program.source


@dataclass(frozen=True)
class Candidate:
    """A reply made into a program: the function as the model wrote it, and the whole file."""

    code: str
    file: str


def load_subjects(
    data_dir: Path, language: str, limit: int | None, tasks: tuple[str, ...] = ()
) -> list[Subject]:
    """The first ``limit`` problems of ``language`` (all without a limit; only ``tasks`` when
    given) as subjects."""
    try:
        problems = load_problems(data_dir, language)
    except DatasetError as exc:
        raise ProfilingError(str(exc)) from exc
    if tasks:
        wanted = {task.lower() for task in tasks}
        problems = [p for p in problems if p.task_id.lower() in wanted]
    return [subject_for(problem) for problem in problems[:limit]]


def subject_for(problem: Problem) -> Subject:
    path = f"humaneval-x/{problem.task_id.replace('/', '_')}.{EXTENSIONS[problem.language]}"
    try:
        found = extract(path, problem.program.source.encode(), language=problem.language)
        target = find_function(found, parse_spec(f"{path}::{problem.program.function}"))
    except PerforchError as exc:
        raise ProfilingError(f"{problem.task_id}: cannot find its function: {exc}") from exc
    category = classify_text(task_text(problem), name=target.name).category
    return Subject(problem, target, category)


def candidate(subject: Subject, reply: str) -> Candidate | Rejection:
    """The program with the reply's function in place, or why the reply cannot be used."""
    parsed = parse_reply(reply, target=subject.target, source=subject.source.encode())
    if isinstance(parsed, Rejection):
        return parsed
    language = subject.problem.language
    file = add_imports(language, parsed.edit.updated.decode(), parsed.imports)
    return Candidate(parsed.code, _go_imports(file) if language == "go" else file)


def _go_imports(file: str) -> str:
    """The Go file with its imports rebuilt from the packages its code uses, as HumanEval-X's
    harness assembles Go (Go refuses unused imports, and answers often use other packages
    than the canonical solution): the file's own imports first, then the harness's list."""
    own = [path for _alias, path in imports(file)]
    code = re.sub(r"^\s*package\s+\w+[ \t]*\n", "", without_imports(file), count=1)
    used = qualifiers_used(code)
    by_name: dict[str, str] = {}
    for path in [*own, *KNOWN_PACKAGES]:
        by_name.setdefault(default_name(path), path)
    paths = sorted(path for name, path in by_name.items() if name in used)
    block = "import (\n" + "".join(f'\t"{path}"\n' for path in paths) + ")\n\n" if paths else ""
    return f"package main\n\n{block}{code.strip()}\n"


def attempt_text(reply: str, language: str) -> str:
    """What a rejected reply offered, to show it back in a fix prompt: its last code block in
    the language (or untagged), else the reply itself."""
    blocks = [b for b in code_blocks(reply) if b.tag in ("", language, EXTENSIONS[language])]
    text = blocks[-1].code if blocks else reply
    return text.strip() or "(an empty reply)"


def for_timing(language: str, *sources: str) -> tuple[str, ...]:
    """``sources`` as timed: Python without the harness's numpy imports when none of them
    uses numpy (the same programs otherwise; both versions always get the same treatment)."""
    if language != "python":
        return sources
    lean = tuple(source.replace(_NUMPY_IMPORTS, "", 1) for source in sources)
    return sources if any(_NUMPY_USE.search(source) for source in lean) else lean
