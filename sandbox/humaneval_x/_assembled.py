from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Assembled:
    """A HumanEval-X record made runnable: ``source`` holds the solution (with whatever imports
    or includes it needs) and ``tests`` the test driver, in the layout the language module's
    ``test_program(source, tests, support)`` expects; ``function`` is the entry function's name
    (qualified as the language's driver expects, e.g. ``Solution.hasCloseElements`` in Java)."""

    source: str
    tests: str
    function: str
