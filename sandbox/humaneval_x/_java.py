"""Java: ``prompt + canonical_solution`` is the source (imports and ``class Solution``), ``test`` is
``public class Main`` (upstream writes both into one Main.java; the java module puts them in two
files, as javac allows one public class per file, and gives the tests the source's imports)."""

from __future__ import annotations

import re
from collections.abc import Mapping

from sandbox.humaneval_x._assembled import Assembled

# The declaration ends with the entry method's signature, e.g.
# "public boolean hasCloseElements(List<Double> numbers, double threshold) {"; earlier methods
# in it (Java/32's poly, Java/38's encodeCyclic, Java/50's encodeShift) are helpers.
_SIGNATURE = re.compile(r"(\w+)\s*\([^()]*\)\s*(?:throws\s+[\w.,\s]+?)?\s*\{\s*$")


def assemble(record: Mapping[str, str]) -> Assembled:
    found = _SIGNATURE.search(record["declaration"].rstrip())
    if found is None:
        raise ValueError(
            f"{record['task_id']}: the declaration does not end with a method signature"
        )
    return Assembled(
        source=record["prompt"] + record["canonical_solution"],
        tests=record["test"],
        function=f"Solution.{found.group(1)}",
    )
