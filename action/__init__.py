"""GitHub event glue: reads the event and the inputs, calls perforch_bot, reports to GitHub."""

from __future__ import annotations

from action._main import main

__all__ = ["main"]
