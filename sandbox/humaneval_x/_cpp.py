"""C++: the upstream harness's missing includes, then prompt + solution; the tests (with their
own ``main``) follow in the same file (see ``sandbox.languages.cpp.test_program``)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sandbox.humaneval_x._assembled import Assembled

# Upstream's IMPORT_HELPER["cpp"] (evaluate_humaneval_x.py): each line the prompt lacks is put
# first, checked as upstream does, by the exact text of the line.
HARNESS_INCLUDES = (
    "#include<stdlib.h>",
    "#include<algorithm>",
    "#include<math.h>",
    "#include<stdio.h>",
    "#include<vector>",
    "#include<string>",
    "#include<climits>",
    "#include<cstring>",
    "#include<iostream>",
)

# A function definition's head: name, parameter list, opening brace. The target is the last one
# in the prompt (in CPP/10, 32, 38 and 50 helpers come first).
_DEFINITION = re.compile(r"\b([A-Za-z_]\w*)\s*\([^(){};]*\)\s*\{")


def assemble(record: Mapping[str, str]) -> Assembled:
    prompt = record["prompt"]
    definitions = _DEFINITION.findall(prompt)
    if not definitions:
        raise ValueError(f"{record['task_id']}: no function definition found in the prompt")
    missing = "".join(f"{line}\n" for line in HARNESS_INCLUDES if line not in prompt)
    return Assembled(
        source=f"{missing}\n{prompt}{record['canonical_solution']}",
        tests=record["test"],
        function=definitions[-1],
    )
