"""HumanEval-X tasks whose canonical solution fails because of the dataset, not the harness.

Each entry names the task, says why (``reason``, shown by ``perforch eval``), and says how the
failure shows (``kind`` and a piece of its message), so that a task on the list which fails in
some *other* way (a timeout, a missing toolchain, a harness regression) is still reported as a
failure. A listed task that passes is reported as passing. The list describes the canonical
solutions: pass it to ``evaluate`` only when testing those.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

from sandbox._failures import Failure, FailureKind


@dataclass(frozen=True)
class KnownBug:
    """Why a task fails for dataset reasons, and how that failure looks."""

    reason: str
    kind: FailureKind
    evidence: str

    def explains(self, failure: Failure | None) -> bool:
        """Whether ``failure`` is this bug (and not some other failure of the same task)."""
        return (
            failure is not None and failure.kind == self.kind and self.evidence in failure.message
        )


KNOWN_DATASET_BUGS: Mapping[str, KnownBug] = MappingProxyType(
    {
        # The canonical CheckDictCase stops after comparing two keys of the map, so its answer
        # depends on Go's randomised map iteration order: the same binary passes or fails
        # (about half the time each) from one run to the next.
        "Go/95": KnownBug(
            reason="the canonical solution looks at only two keys of a map, so it passes or "
            "fails depending on Go's random map iteration order",
            kind="test-failed",
            evidence="TestCheckDictCase",
        ),
        # Upstream's test is inside /* ... */: the tests file has no #[test] function, and the
        # harness refuses it because it would check nothing. (Uncommented, the canonical Newton
        # iteration fails or never converges on ~58 % of the random polynomials, which is
        # presumably why it was disabled.)
        "Rust/32": KnownBug(
            reason="the upstream tests are commented out, so the tests file has no #[test] "
            "function and is refused (it would check nothing)",
            kind="compile-error",
            evidence="no #[test] function outside comments",
        ),
    }
)
