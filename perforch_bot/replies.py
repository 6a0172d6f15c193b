"""Reading a model's reply: tolerant of how it is written, strict about what it contains.

Tolerated: prose around the code, several fenced blocks (```` ``` ```` or ``~~~``, tagged with
the language or not), a last fence left open (a reply cut off), ``<think>`` sections, a class
wrapped around a method, ``import`` lines above the function, a reply that is only code.

Required: the reply defines exactly one function, with the target's name and signature, and
it parses in place. The rule on helpers is the simplest safe one: a second top-level function
is refused (it could clash with or shadow names in the file, and the sandbox validates one
function); helpers nested inside the function are part of it and fine. Import lines are taken
out of the code and reported separately in ``Candidate.imports`` (those the file lacks), for
the caller to add; other top-level code in the block (constants, a ``main``) is ignored.

Which block: the last one that defines a function with the target's name, among blocks tagged
with the target's language or untagged (models often quote the original first and give the
answer last).

A refusal is a ``Rejection`` whose ``reason`` is short enough to log and to send back to the
model in a fix prompt.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from perforch_bot.targets import (
    Edit,
    Function,
    ReplacementError,
    SourceFile,
    extract,
    replace_function,
)

RejectionKind = Literal[
    "no_code_block",
    "no_function",
    "wrong_name",
    "several_functions",
    "does_not_parse",
    "signature_changed",
]

_FENCE = re.compile(r"^[ \t]*(?P<fence>`{3,}|~{3,})(?P<info>[^\n]*)$", re.MULTILINE)
_TAG = re.compile(r"[ \t]*(?P<tag>[^\s`]*)")
_THINK = re.compile(r"<think>.*?(</think>|\Z)", re.DOTALL | re.IGNORECASE)
_LANGUAGE_TAGS = {
    "python": frozenset({"python", "py", "python3"}),
    "java": frozenset({"java"}),
    "cpp": frozenset({"cpp", "c++", "cc", "cxx", "hpp", "c", "h"}),
    "go": frozenset({"go", "golang"}),
    "rust": frozenset({"rust", "rs"}),
}
_SYNTAX_ERROR = re.compile(r"syntax error at line (?P<line>\d+) column (?P<column>\d+)")
_PUNCTUATION_SPACE = re.compile(r"\s*([()\[\]<>{},:;=*&])\s*")


@dataclass(frozen=True)
class CodeBlock:
    tag: str
    code: str


@dataclass(frozen=True)
class Candidate:
    """An accepted reply: the function as the model wrote it (``code``), the target's file
    with it in place (``edit``), and import lines the reply added that the file lacks."""

    code: str
    edit: Edit
    imports: tuple[str, ...]


@dataclass(frozen=True)
class Rejection:
    kind: RejectionKind
    reason: str

    def __str__(self) -> str:
        return self.reason


def language_tags(language: str) -> frozenset[str]:
    """The fence tags that mark a block as ``language``'s code (``py``, ``c++``, ``golang``...)."""
    return _LANGUAGE_TAGS.get(language, frozenset({language}))


@dataclass(frozen=True)
class Fence:
    """A fenced block of ``text``: ``info`` is what follows the opening fence on its line
    (``python tests``), ``code`` its content, and ``text[start:end]`` the whole block, fences
    included."""

    info: str
    code: str
    start: int
    end: int


def fences(text: str) -> list[Fence]:
    """The fenced blocks of ``text`` (``\n`` line endings) in order; a fence left open runs to
    the end."""
    found: list[Fence] = []
    position = 0
    while opening := _FENCE.search(text, position):
        fence = opening["fence"]
        start = opening.end() + 1
        closing = re.compile(rf"^[ \t]*{re.escape(fence[0])}{{{len(fence)},}}[ \t]*$", re.M)
        end_match = closing.search(text, start)
        end = end_match.start() if end_match else len(text)
        position = end_match.end() if end_match else len(text)
        found.append(Fence(opening["info"], text[start:end], opening.start(), position))
    return found


def code_blocks(reply: str) -> list[CodeBlock]:
    """The fenced blocks of ``reply`` in order (a fence left open runs to the end)."""
    text = _THINK.sub("", reply.replace("\r\n", "\n"))
    return [CodeBlock(_tag(f.info), f.code) for f in fences(text)]


def _tag(info: str) -> str:
    matched = _TAG.match(info)
    return matched["tag"].lower() if matched else ""


def parse_reply(reply: str, *, target: Function, source: bytes) -> Candidate | Rejection:
    """The new version of ``target`` in ``reply``, checked in place in ``source`` (the file
    ``target`` was extracted from), or why it cannot be used."""
    blocks = code_blocks(reply)
    if not blocks:
        bare = _THINK.sub("", reply.replace("\r\n", "\n"))
        if not _defines(_extract(bare, target), target.name):
            return Rejection(
                "no_code_block",
                f"no code block: reply with the whole new version of {target.name} in one "
                f"```{target.language} fenced block",
            )
        blocks = [CodeBlock("", bare)]
    tags = language_tags(target.language)
    ours = [b for b in blocks if not b.tag or b.tag in tags]
    extracted = [(block, _extract(block.code, target)) for block in ours]
    defining = [(b, found) for b, found in extracted if _defines(found, target.name)]
    if not defining:
        return _nothing_defined(extracted, target)
    block, found = defining[-1]
    if len(found.functions) > 1:
        names = ", ".join(f.qualified_name for f in found.functions)
        return Rejection(
            "several_functions",
            f"{len(found.functions)} functions ({names}): reply with only {target.name}; "
            "put helpers inside it or inline them",
        )
    function = found.functions[0]
    if function.has_syntax_error or found.warnings:
        return _unparsable(block, found)
    return _in_place(function, found, target, source)


def _in_place(
    function: Function, found: SourceFile, target: Function, source: bytes
) -> Candidate | Rejection:
    try:
        edit = replace_function(source, target, function.text)
    except ReplacementError as error:
        kind: RejectionKind = "does_not_parse" if "does not parse" in str(error) else "wrong_name"
        return Rejection(kind, f"{kind.replace('_', ' ')}: {error}")
    old = _normalized(target.signature.text)
    new = _normalized(edit.new_function.signature.text)
    if old != new:
        return Rejection(
            "signature_changed",
            f"signature changed: it was `{target.signature.text}`, the reply has "
            f"`{edit.new_function.signature.text}`; keep the signature exactly as it was",
        )
    known = {line.strip() for line in target.imports}
    imports = tuple(line for line in found.imports if line.strip() not in known)
    return Candidate(function.text, edit, imports)


def _extract(code: str, target: Function) -> SourceFile:
    return extract(target.path, code.encode(), language=target.language)


def _defines(found: SourceFile, name: str) -> bool:
    return any(f.name == name for f in found.functions)


def _nothing_defined(extracted: list[tuple[CodeBlock, SourceFile]], target: Function) -> Rejection:
    others = [f.qualified_name for _, found in extracted for f in found.functions]
    if others:
        return Rejection(
            "wrong_name",
            f"wrong name: the reply defines {', '.join(others)}, not {target.name}; keep the "
            "function's name",
        )
    broken = [(block, found) for block, found in extracted if found.warnings]
    if broken:
        return _unparsable(*broken[-1])
    return Rejection(
        "no_function",
        f"no function: the reply's {target.language} code blocks define no function; reply "
        f"with the whole new version of {target.name}",
    )


def _unparsable(block: CodeBlock, found: SourceFile) -> Rejection:
    """Where the block stops parsing, with the line, as the extractor's warning locates it."""
    where = _SYNTAX_ERROR.search(" ".join(found.warnings))
    if where is None:
        return Rejection("does_not_parse", "does not parse: the code has a syntax error")
    line, column = int(where["line"]), int(where["column"])
    lines = block.code.splitlines()
    shown = lines[line - 1].strip() if 0 < line <= len(lines) else ""
    return Rejection(
        "does_not_parse",
        f"does not parse: syntax error at line {line} column {column} of the code"
        + (f": `{shown}`" if shown else " (the code ends too early; was the reply cut off?)"),
    )


def _normalized(signature: str) -> str:
    """The signature with formatting differences removed (whitespace, a trailing comma)."""
    collapsed = " ".join(signature.split())
    tight = _PUNCTUATION_SPACE.sub(r"\1", collapsed)
    return tight.replace(",)", ")")
