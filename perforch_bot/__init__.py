"""PerfOrch's core: targets, profiles, routing, LLM calls, stages, reports and the CLI."""

from __future__ import annotations

__all__: list[str] = []
