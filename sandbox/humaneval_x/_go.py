"""Go: the solution and its tests as two files of ``package main``, each importing what it uses.

The records' ``import`` field cannot be trusted (empty in 77 records, missing packages the
solutions use, packages they do not use), so, like upstream's harness, the prompt's import
block is dropped and the imports are rebuilt from the packages the code refers to (``pkg.X``).
The tests' imports are ``test_setup``'s, filtered the same way (Go rejects unused imports).
``test_program`` puts them next to each other as ``solution.go`` and ``solution_test.go``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from sandbox.humaneval_x._assembled import Assembled
from sandbox.languages._go_source import default_name, imports, qualifiers_used, without_imports

# Packages HumanEval-X code refers to by name: upstream's list and what the records import.
KNOWN_PACKAGES = (
    "bytes",
    "crypto/md5",
    "errors",
    "fmt",
    "math",
    "math/rand",
    "regexp",
    "sort",
    "strconv",
    "strings",
    "time",
    "unicode",
    "unicode/utf8",
    "testing",
    "github.com/stretchr/testify/assert",
)


def assemble(record: Mapping[str, str]) -> Assembled:
    task = record["task_id"]
    code = without_imports(record["prompt"] + record["canonical_solution"])
    declared = re.findall(r"^func\s+(\w+)\s*\(", record["prompt"], re.MULTILINE)
    if not declared:
        raise ValueError(f"{task}: the prompt declares no function")
    source = _file(code, KNOWN_PACKAGES)
    setup_paths = [path for _alias, path in imports(record["test_setup"])]
    tests = _file(record["test"], [*setup_paths, *KNOWN_PACKAGES])
    return Assembled(source=source, tests=tests, function=declared[-1])


def _file(code: str, candidates: Iterable[str]) -> str:
    """``package main``, the imports among ``candidates`` that ``code`` uses, then ``code``."""
    used = qualifiers_used(code)
    by_name: dict[str, str] = {}
    for path in candidates:
        by_name.setdefault(default_name(path), path)
    paths = sorted(path for package, path in by_name.items() if package in used)
    block = "import (\n" + "".join(f'\t"{path}"\n' for path in paths) + ")\n\n" if paths else ""
    return f"package main\n\n{block}{code.strip()}\n"
