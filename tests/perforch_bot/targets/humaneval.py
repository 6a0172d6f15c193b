"""HumanEval-X programs assembled the way the dataset's README says, with where their parts are.

Expected function ranges come from the data itself (where the prompt, declaration and canonical
solution sit in the assembled file) and from independent oracles (Python's ``ast``; a small
brace matcher for the other languages), never from the code under test.
"""

from __future__ import annotations

import gzip
import json
import re
from dataclasses import dataclass
from pathlib import Path

DATA = Path(__file__).resolve().parents[4] / "shared" / "data" / "humaneval-x"
EXTENSIONS = {"python": "py", "cpp": "cpp", "java": "java", "go": "go", "rust": "rs"}

_PYTHON_IMPORTS = (
    "import math\nimport re\nimport sys\nimport copy\nimport datetime\nimport itertools\n"
    "import collections\nimport heapq\nimport statistics\nimport functools\nimport hashlib\n"
    "import numpy\nimport numpy as np\nimport string\nfrom typing import *\n"
    "from collections import *\n"
)
_CPP_HEADERS = (
    "stdlib.h",
    "algorithm",
    "math.h",
    "stdio.h",
    "vector",
    "string",
    "climits",
    "cstring",
    "iostream",
)
_GO_PACKAGES = (
    "math",
    "strings",
    "fmt",
    "strconv",
    "time",
    "bytes",
    "regexp",
    "sort",
    "math/rand",
    "crypto/md5",
)
_GO_IMPORT_BLOCK = re.compile(r'^\s*import\s*(\([^)]*\)|"[^"]*")\s*', re.DOTALL)


@dataclass(frozen=True)
class Program:
    task_id: str
    language: str
    source: str
    prompt_start: int  # where the prompt (or, in Rust, the declaration) starts in ``source``
    solution_end: int  # where the canonical solution ends (trailing whitespace excluded)
    declaration: str

    @property
    def path(self) -> str:
        number = self.task_id.split("/")[1]
        return f"task_{number}.{EXTENSIONS[self.language]}"


def load(language: str) -> list[dict[str, str]]:
    with gzip.open(DATA / f"humaneval_{language}.jsonl.gz", "rt", encoding="utf-8") as file:
        return [json.loads(line) for line in file]


def assemble(language: str, record: dict[str, str]) -> Program:
    prompt, solution = record["prompt"], record["canonical_solution"]
    if language == "python":
        head = _PYTHON_IMPORTS
        body, tail = prompt + solution, "\n" + record["test"]
    elif language == "cpp":
        missing = [h for h in _CPP_HEADERS if f"<{h}>" not in prompt]
        head = "".join(f"#include<{h}>\n" for h in missing) + "\n"
        body, tail = prompt + solution, "\n" + record["test"]
    elif language == "java":
        head, body, tail = "", prompt + solution, "\n" + record["test"]
    elif language == "go":
        prompt = _GO_IMPORT_BLOCK.sub("", prompt, count=1)
        setup = record["test_setup"]
        wanted = [
            p
            for p in _GO_PACKAGES
            if f"{p.rsplit('/', 1)[-1]}." in solution and f'"{p}"' not in setup
        ]
        extra = "import (\n" + "".join(f'    "{p}"\n' for p in wanted) + ")\n" if wanted else ""
        head = setup + "\n" + extra + "\n"
        body, tail = prompt + solution, "\n" + record["test"]
    else:
        head = "fn main(){}\n"
        body, tail = record["declaration"] + prompt + solution, record["test"]
    return Program(
        task_id=record["task_id"],
        language=language,
        source=head + body + tail,
        prompt_start=len(head),
        solution_end=len(head) + len(body.rstrip()),
        declaration=record["declaration"],
    )


def matching_brace(source: str, opening: int) -> int:
    """The offset just past the ``}`` closing the ``{`` at ``opening``, skipping comments,
    strings and character literals."""
    depth = 0
    index = opening
    while index < len(source):
        char = source[index]
        pair = source[index : index + 2]
        if pair == "//":
            index = source.find("\n", index)
            index = len(source) if index == -1 else index
            continue
        if pair == "/*":
            index = source.index("*/", index + 2) + 2
            continue
        if char in '"`':
            index = _string_end(source, index, char)
            continue
        if char == "'":
            literal = re.match(r"'(\\.[^']*|[^'\\])'", source[index:])
            if literal:
                index += literal.end()
                continue
        if char == "{":
            depth += 1
        elif char == "}":
            depth -= 1
            if depth == 0:
                return index + 1
        index += 1
    raise ValueError("unbalanced braces")


def _string_end(source: str, start: int, quote: str) -> int:
    index = start + 1
    while source[index] != quote:
        index += 2 if source[index] == "\\" and quote != "`" else 1
    return index + 1


def declared_headers(program: Program) -> list[str]:
    """The function header lines of the ``declaration`` field: lines holding a ``(`` whose
    ``{`` opens a block at the top level (inside ``class Solution`` for Java)."""
    text = program.declaration
    level = 1 if program.language == "java" else 0
    headers: list[str] = []
    depth = 0
    index = 0
    while index < len(text):
        char = text[index]
        if text.startswith("//", index) or text.startswith("/*", index):
            end = text.find("\n" if text[index + 1] == "/" else "*/", index + 2)
            index = len(text) if end == -1 else end + 1
            continue
        if char == '"':
            index = text.find(char, index + 1) + 1 or len(text)
            continue
        if char == "{":
            line_start = text.rfind("\n", 0, index) + 1
            line_end = text.find("\n", index)
            line = text[line_start : len(text) if line_end == -1 else line_end].strip()
            if depth == level and "(" in line and line.endswith("{") and line not in headers:
                headers.append(line)
            depth += 1
        elif char == "}":
            depth -= 1
        index += 1
    return headers


def header_offsets(program: Program, header: str) -> tuple[int, int]:
    """Where ``header`` starts in the assembled file and where its ``{`` is (whitespace may
    differ from the declaration's, as in Go/65)."""
    pattern = r"\s*".join(re.escape(part) for part in header.split())
    match = re.compile(pattern).search(program.source, program.prompt_start)
    if match is None:
        raise AssertionError(f"{program.task_id}: header {header!r} not in the program")
    return match.start(), match.end() - 1
