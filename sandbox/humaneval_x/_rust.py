"""Rust: upstream's ``fn main(){}`` + declaration + prompt + solution, then the test module.

The declaration ends with the signature and the prompt is only a comment, so it lands inside
the function body, as upstream (codegeex/benchmark/humaneval-x) assembles it. The ``use`` lines
need the crates ``rand``, ``regex`` and ``md5``, which ``perforch setup`` builds.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sandbox.humaneval_x._assembled import Assembled

# Records whose declaration is a helper rather than the function under test (the entry point
# of OpenAI HumanEval): the solution defines the entry point after finishing the helper.
ENTRY_POINTS = {10: "make_palindrome", 32: "find_zero", 38: "decode_cyclic", 50: "decode_shift"}
_FUNCTION = re.compile(r"\bfn\s+(\w+)")


def assemble(record: Mapping[str, str]) -> Assembled:
    number = int(record["task_id"].rsplit("/", 1)[1])
    declared = _FUNCTION.findall(record["declaration"])
    if not declared:
        raise ValueError(f"{record['task_id']}: the declaration has no function signature")
    function = ENTRY_POINTS.get(number, declared[-1])
    source = (
        "fn main(){}\n" + record["declaration"] + record["prompt"] + record["canonical_solution"]
    )
    if function not in _FUNCTION.findall(source):
        raise ValueError(f"{record['task_id']}: no function {function!r} in the solution")
    return Assembled(source=source, tests=record["test"], function=function)
