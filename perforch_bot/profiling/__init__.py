"""Measuring a model on HumanEval-X (``perforch profile``) and writing what it shows into the
model's profile.

For each chosen problem the model writes the function from its prompt (generate: pass rate),
repairs a failed answer once given the error (fix: repair rate), and makes the canonical
solution faster (refine: share made measurably faster, median speedup, memory), every answer
judged in the sandbox. ``profile_model`` runs it; ``write_measurements`` merges the figures,
per language and per category with their sample sizes, into the profile with a source citing
the run.
"""

from __future__ import annotations

from perforch_bot.profiling._figures import (
    Figures,
    figures,
    language_figures,
    measured_values,
    run_source,
)
from perforch_bot.profiling._files import profile_path, write_measurements
from perforch_bot.profiling._inputs import inputs_from_tests
from perforch_bot.profiling._model import (
    BENCHMARK,
    DEFAULT_MAX_SECONDS,
    FALLBACK_MAX_SECONDS,
    ProblemOutcome,
    ProfileConfig,
    ProfileResult,
    ProfilingError,
    Progress,
    check_model_string,
)
from perforch_bot.profiling._report import HEADERS, summary_json, summary_rows
from perforch_bot.profiling._run import profile_model
from perforch_bot.profiling._subjects import LANGUAGES, Subject, load_subjects

__all__ = [
    "BENCHMARK",
    "DEFAULT_MAX_SECONDS",
    "FALLBACK_MAX_SECONDS",
    "HEADERS",
    "LANGUAGES",
    "Figures",
    "ProblemOutcome",
    "ProfileConfig",
    "ProfileResult",
    "ProfilingError",
    "Progress",
    "Subject",
    "check_model_string",
    "figures",
    "inputs_from_tests",
    "language_figures",
    "load_subjects",
    "measured_values",
    "profile_model",
    "profile_path",
    "run_source",
    "summary_json",
    "summary_rows",
    "write_measurements",
]
