"""PerfOrch's sandbox: build, test and measure code in Python, Java, C++, Go and Rust.

It knows nothing of LLMs or GitHub. The main entry is ``compare(old, new, ...)``, which checks
that the new version is correct (builds, passes the tests, gives the old outputs) and measures it
against the old one with an interleaved, sequential design and an A/A guard. Code under test
runs through an isolation ``Backend`` (``namespace`` by default, ``docker`` optionally).

Errors: ``SandboxError`` is the root of everything raised here; failures of the code under test
are returned as data (``Comparison.status``, ``Failure``), never raised.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from sandbox._errors import (
    BackendUnavailableError,
    DatasetError,
    SandboxError,
    UnknownLanguageError,
    WorkloadError,
)
from sandbox._limits import BUILD_LIMITS, RUN_LIMITS, Limits
from sandbox._process import ProcessResult, run_process

if TYPE_CHECKING:
    from sandbox._compare import METHOD, Comparison, Correctness, Workload, compare
    from sandbox._differential import Differential, Mismatch, Tolerance
    from sandbox._executor import Built, Executor
    from sandbox._failures import Failure, classify
    from sandbox._machine import machine_info
    from sandbox._measure import Budget, Timing
    from sandbox._probe import Probe, probe, run_tests, time_cases
    from sandbox._processes import ProcessRun
    from sandbox._stats import Estimate, Verdict
    from sandbox._steadiness import Steadiness, probe_steadiness
    from sandbox.backends import BACKENDS, Backend, BackendHealth, BackendOptions, make_backend
    from sandbox.languages import LANGUAGES, Language, Support, Toolchain, get_language

# Imported on first use: the whole package (numpy for the statistics, every language module)
# takes a third of a second to import, more than the pre-commit hook may spend when only git
# and the process wrapper are needed.
_LAZY: dict[str, str] = {
    "BACKENDS": "sandbox.backends",
    "Backend": "sandbox.backends",
    "BackendHealth": "sandbox.backends",
    "BackendOptions": "sandbox.backends",
    "Budget": "sandbox._measure",
    "Built": "sandbox._executor",
    "Comparison": "sandbox._compare",
    "Correctness": "sandbox._compare",
    "Differential": "sandbox._differential",
    "Estimate": "sandbox._stats",
    "Executor": "sandbox._executor",
    "Failure": "sandbox._failures",
    "LANGUAGES": "sandbox.languages",
    "Language": "sandbox.languages",
    "METHOD": "sandbox._compare",
    "Mismatch": "sandbox._differential",
    "Probe": "sandbox._probe",
    "ProcessRun": "sandbox._processes",
    "Steadiness": "sandbox._steadiness",
    "Support": "sandbox.languages",
    "Timing": "sandbox._measure",
    "Tolerance": "sandbox._differential",
    "Toolchain": "sandbox.languages",
    "Verdict": "sandbox._stats",
    "Workload": "sandbox._compare",
    "classify": "sandbox._failures",
    "compare": "sandbox._compare",
    "get_language": "sandbox.languages",
    "machine_info": "sandbox._machine",
    "make_backend": "sandbox.backends",
    "probe": "sandbox._probe",
    "probe_steadiness": "sandbox._steadiness",
    "run_tests": "sandbox._probe",
    "time_cases": "sandbox._probe",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'sandbox' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value


__all__ = [
    "BACKENDS",
    "BUILD_LIMITS",
    "LANGUAGES",
    "METHOD",
    "RUN_LIMITS",
    "Backend",
    "BackendHealth",
    "BackendOptions",
    "BackendUnavailableError",
    "Budget",
    "Built",
    "Comparison",
    "Correctness",
    "DatasetError",
    "Differential",
    "Estimate",
    "Executor",
    "Failure",
    "Language",
    "Limits",
    "Mismatch",
    "Probe",
    "ProcessResult",
    "ProcessRun",
    "SandboxError",
    "Steadiness",
    "Support",
    "Timing",
    "Tolerance",
    "Toolchain",
    "UnknownLanguageError",
    "Verdict",
    "Workload",
    "WorkloadError",
    "classify",
    "compare",
    "get_language",
    "machine_info",
    "make_backend",
    "probe",
    "probe_steadiness",
    "run_process",
    "run_tests",
    "time_cases",
]
