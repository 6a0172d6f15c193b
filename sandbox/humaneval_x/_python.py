"""Python: the upstream harness's import block, then prompt + solution, then the tests."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sandbox.humaneval_x._assembled import Assembled

# Upstream's fixed import block (evaluate_humaneval_x.py), so solutions relying on it run.
IMPORTS = (
    "import math\nimport re\nimport sys\nimport copy\nimport datetime\nimport itertools\n"
    "import collections\nimport heapq\nimport statistics\nimport functools\nimport hashlib\n"
    "import numpy\nimport numpy as np\nimport string\nfrom typing import *\n"
    "from collections import *\n"
)


def assemble(record: Mapping[str, str]) -> Assembled:
    tests = record["test"]
    called = re.search(r"^check\((\w+)\)", tests, re.MULTILINE)
    if called is None:
        raise ValueError(f"{record['task_id']}: the tests do not end with check(<function>)")
    return Assembled(
        source=IMPORTS + record["prompt"] + record["canonical_solution"],
        tests=tests,
        function=called.group(1),
    )
