"""``/perforch ...`` commands in comments and issue bodies, and target specs named in prose.

A command is the first line outside code fences that starts with the prefix (``/perforch``);
quoted lines (``> /perforch ...``, a reply quoting an earlier command) do not count. Its words
are split like a shell's, so a spec with spaces can be quoted:

    /perforch optimize src/stats.py::mean "src/lib.rs::<Parser as Display>::fmt" --max-cost 2
    /perforch help
    /perforch ignore src/stats.py::mean
"""

from __future__ import annotations

import math
import re
import shlex
from collections.abc import Callable
from dataclasses import replace
from pathlib import PurePosixPath
from typing import Any

from perforch_bot.events._model import Command, CommandName, CommandOptions
from perforch_bot.targets import SpecSyntaxError, language_for_path, parse_spec

COMMANDS: tuple[CommandName, ...] = ("optimize", "help", "ignore")
_NAMES: dict[str, CommandName] = {name: name for name in COMMANDS}

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"`([^`\n]+)`")
_TRAILING = ".,;:!?)]}>'\""
_LEADING = "([{<'\""


def _positive(value: str) -> float:
    number = float(value)
    if not math.isfinite(number) or number <= 0:
        raise ValueError("must be a number above 0")
    return number


def _effect(value: str) -> float:
    number = float(value)
    if not 0 <= number < 1:
        raise ValueError("must be a fraction from 0 to 1 (0.03 is 3 %)")
    return number


def _repo_path(value: str) -> str:
    _check_relative(value)
    return value


# option -> (CommandOptions field, converter, repeatable)
_OPTIONS: dict[str, tuple[str, Callable[[str], object], bool]] = {
    "--max-cost": ("max_cost", _positive, False),
    "--max-seconds": ("max_seconds", _positive, False),
    "--min-effect": ("min_effect", _effect, False),
    "--model": ("models", str, True),
    "--inputs": ("inputs", _repo_path, False),
    "--tests": ("tests", _repo_path, False),
}


def help_text(prefix: str = "/perforch") -> str:
    """What the commands are, for a reply to ``/perforch help`` or a malformed command."""
    options = ", ".join(f"`{name}`" for name in _OPTIONS)
    return (
        f"`{prefix} optimize [TARGET...] [OPTIONS]`: make functions faster (on a pull request, "
        "the functions it changes by default; on an issue, the ones the command or the issue "
        "names). A TARGET is `path/to/file::Function` (e.g. `src/stats.py::mean`, "
        f"`src/lib.rs::Parser::parse`). Options: {options}.\n"
        f"`{prefix} ignore TARGET...`: leave functions alone on this pull request.\n"
        f"`{prefix} help`: this message.\n"
        "Only people with write, maintain or admin permission can ask."
    )


def find_command_line(text: str, prefix: str = "/perforch") -> str | None:
    """The first line of ``text`` (outside code fences) that starts with ``prefix``."""
    fence: str | None = None
    for line in text.splitlines():
        match = _FENCE.match(line)
        if fence is not None:
            if match and match.group(1)[0] == fence[0] and len(match.group(1)) >= len(fence):
                fence = None
            continue
        if match:
            fence = match.group(1)
            continue
        stripped = line.strip()
        if stripped == prefix or stripped.startswith(prefix + " "):
            return stripped
    return None


def parse_command(text: str, prefix: str = "/perforch") -> Command | None:
    """The command in ``text``, or None when there is none. A malformed command comes back
    with ``error`` set (and ``name`` None when the command itself is unknown)."""
    line = find_command_line(text, prefix)
    if line is None:
        return None
    try:
        words = shlex.split(line[len(prefix) :])
    except ValueError as exc:
        return Command(None, (), CommandOptions(), line, f"cannot read the command ({exc})")
    if not words:
        return Command("help", (), CommandOptions(), line)
    name = _NAMES.get(words[0])
    if name is None:
        error = f"unknown command {words[0]!r}; the commands are {', '.join(COMMANDS)}"
        return Command(None, (), CommandOptions(), line, error)
    command = Command(name, (), CommandOptions(), line)
    if command.name == "help":  # "/perforch help please" is still a request for help
        return command
    try:
        targets, options = _arguments(words[1:])
    except ValueError as exc:
        return replace(command, error=str(exc))
    if command.name == "ignore" and not targets:
        return replace(command, error="`ignore` needs the functions to leave alone")
    if command.name == "ignore" and options != CommandOptions():
        return replace(command, error="`ignore` takes no options")
    return replace(command, targets=targets, options=options)


def _arguments(words: list[str]) -> tuple[tuple[str, ...], CommandOptions]:
    targets: list[str] = []
    values: dict[str, Any] = {}
    index = 0
    while index < len(words):
        word = words[index]
        index += 1
        if not word.startswith("--"):
            targets.append(_target(word))
            continue
        name, equals, value = word.partition("=")
        if name not in _OPTIONS:
            raise ValueError(f"unknown option {name}; the options are {', '.join(_OPTIONS)}")
        field, convert, repeatable = _OPTIONS[name]
        if not equals:
            if index >= len(words):
                raise ValueError(f"{name} needs a value")
            value = words[index]
            index += 1
        try:
            converted = convert(value)
        except ValueError as exc:
            raise ValueError(f"{name} {value!r}: {exc}") from None
        if repeatable:
            values[field] = (*values.get(field, ()), converted)
        elif field in values:
            raise ValueError(f"{name} is given twice")
        else:
            values[field] = converted
    return tuple(dict.fromkeys(targets)), CommandOptions(**values)


def _target(word: str) -> str:
    try:
        spec = parse_spec(word)
    except SpecSyntaxError as exc:
        raise ValueError(str(exc)) from None
    _check_relative(spec.path)
    return word


def _check_relative(path: str) -> None:
    pure = PurePosixPath(path)
    if pure.is_absolute() or ".." in pure.parts or "\\" in path:
        raise ValueError(f"{path!r} must be a path inside the repository, like src/stats.py")


def targets_in_text(text: str) -> tuple[str, ...]:
    """The target specs named in prose (an issue's body): code spans like
    ``src/lib.rs::<Parser as Display>::fmt`` first, then bare words like ``src/stats.py::mean``
    (punctuation around them dropped); only those whose file is in a language PerfOrch
    handles."""
    spans = [match.group(1).strip() for match in _CODE_SPAN.finditer(text)]
    words = [_unpunctuated(word) for word in _CODE_SPAN.sub(" ", text).split()]
    return tuple(dict.fromkeys(t for t in (*spans, *words) if _names_function(t)))


def _unpunctuated(word: str) -> str:
    word = word.lstrip(_LEADING)
    while word and word[-1] in _TRAILING:
        if word[-1] == ")" and word.count("(") >= word.count(")"):
            break  # the parameter list's own parenthesis
        word = word[:-1]
    return word


def _names_function(text: str) -> bool:
    try:
        spec = parse_spec(text)
        _check_relative(spec.path)
    except (SpecSyntaxError, ValueError):
        return False
    return " " not in spec.path and language_for_path(spec.path) is not None
