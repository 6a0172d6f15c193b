"""An issue that asks for a new function: it names a function its file does not have yet
(``src/stats.py::median``), describes it, and gives its tests in a fenced block tagged
``tests`` (```` ```python tests ````). PerfOrch writes the function and posts it as a patch
only when it builds and those tests pass; without tests it says what to add and writes
nothing, since nothing else could show the code does what was asked."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from perforch_bot.errors import TargetError
from perforch_bot.github import Issue
from perforch_bot.pipeline import LANGUAGE_NAMES, NewFunctionTask
from perforch_bot.replies import fences, language_tags
from perforch_bot.targets import (
    TargetNotFoundError,
    extract,
    find_function,
    language_for_path,
    parse_spec,
)

HOW = (
    "to have PerfOrch write it, describe it in the issue and give its tests in a fenced block "
    "tagged `tests` (```` ```python tests ````, a tests file as in the README); it posts a new "
    "function only when they pass"
)


@dataclass(frozen=True)
class NewFunctions:
    """The issue's request (None when there is none to run) and notes for the summary."""

    task: NewFunctionTask | None
    notes: tuple[str, ...]
    specs: tuple[str, ...] = ()  # the specs that name functions not in their files yet


def missing_functions(specs: tuple[str, ...], workspace: Path) -> tuple[str, ...]:
    """The ``specs`` whose file exists in ``workspace`` and does not define them yet."""
    return tuple(spec for spec in specs if _is_new(spec, workspace))


def new_functions(issue: Issue, specs: tuple[str, ...], workspace: Path) -> NewFunctions:
    """The new function ``issue`` asks for among ``specs``: one whose file exists in
    ``workspace`` and does not define it. One per run (each is checked by the issue's tests,
    which name all of them); the others are listed."""
    missing = missing_functions(specs, workspace)
    if not missing:
        return NewFunctions(None, ())
    blocks, description = _split(issue.body)
    if not blocks:
        notes = tuple(f"`{spec}` is not in its file yet: {HOW}" for spec in missing)
        return NewFunctions(None, notes, tuple(missing))
    spec, *others = missing
    path = parse_spec(spec).path
    module = language_for_path(path)
    assert module is not None  # _is_new checked it
    wrong = sorted({t for tags, _ in blocks for t in tags} - language_tags(module.name))
    if wrong:  # tests in another language could never pass: say so before any model is paid
        name = LANGUAGE_NAMES[module.name]
        note = (
            f"`{spec}` is {name}, but its tests block is tagged `{'`, `'.join(wrong)}`: write "
            f"the tests in {name} (```` ```{module.name} tests ````) and ask again"
        )
        return NewFunctions(None, (note,), tuple(missing))
    tests = "\n".join(code for _, code in blocks)
    task = NewFunctionTask(
        spec=spec,
        language=module.name,
        source=(workspace / path).read_bytes(),
        description=f"{issue.title.strip()}\n\n{description.strip()}".strip(),
        tests=tests,
    )
    notes = tuple(
        f"`{other}`: one new function per run; ask again once `{spec}` is in" for other in others
    )
    return NewFunctions(task, notes, tuple(missing))


def _is_new(spec: str, workspace: Path) -> bool:
    try:
        parsed = parse_spec(spec)
        path = workspace / parsed.path
        if not path.is_file() or language_for_path(parsed.path) is None:
            return False
        find_function(extract(parsed.path, path.read_bytes()), parsed)
    except TargetNotFoundError:
        return True
    except (TargetError, OSError):
        return False
    return False


def _split(body: str) -> tuple[list[tuple[frozenset[str], str]], str]:
    """The body's ``tests`` blocks (the other words of each one's info string, and its code),
    and the body without them."""
    text = body.replace("\r\n", "\n")
    tests: list[tuple[frozenset[str], str]] = []
    kept: list[str] = []
    position = 0
    for block in fences(text):
        words = block.info.lower().split()
        if "tests" in words:
            tests.append((frozenset(words) - {"tests"}, block.code))
            kept.append(text[position : block.start])
            position = block.end
    kept.append(text[position:])
    return tests, "".join(kept)
