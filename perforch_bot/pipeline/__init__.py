"""The orchestrator: each target function through generate -> fix -> refine, every stage sent
to the model the profiles rank best for its language, stage and category, every candidate
validated in the sandbox, and anything wrong or not faster rolled back.

``implement`` writes a new function from a description, checked by its tests.
``optimize`` runs a list of ``Task``s and returns a ``RunTrace`` (``write_trace`` saves it
under ``.perforch/runs/``); ``render_report`` turns a trace into Markdown or JSON.
"""

from __future__ import annotations

from perforch_bot.pipeline._config import PipelineConfig, Progress, Task
from perforch_bot.pipeline._implement import NewFunctionTask, implement
from perforch_bot.pipeline._imports import add_imports
from perforch_bot.pipeline._prompts import LANGUAGE_NAMES
from perforch_bot.pipeline._report import render_markdown, render_report
from perforch_bot.pipeline._run import RunResult, optimize
from perforch_bot.pipeline._trace import (
    AttemptTrace,
    CallTrace,
    FunctionTrace,
    PlannedFunction,
    PlanTrace,
    RunTrace,
    TimingTrace,
    TraceError,
    WorkloadTrace,
    read_trace,
    write_trace,
)

__all__ = [
    "LANGUAGE_NAMES",
    "AttemptTrace",
    "CallTrace",
    "FunctionTrace",
    "NewFunctionTask",
    "PipelineConfig",
    "PlanTrace",
    "PlannedFunction",
    "Progress",
    "RunResult",
    "RunTrace",
    "Task",
    "TimingTrace",
    "TraceError",
    "WorkloadTrace",
    "add_imports",
    "implement",
    "optimize",
    "read_trace",
    "render_markdown",
    "render_report",
    "write_trace",
]
