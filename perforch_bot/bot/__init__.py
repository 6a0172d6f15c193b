"""The bot: a GitHub event handled end to end (who asked, which functions, the pipeline, the
summary comment and the review). ``handle`` takes the GitHub client as a parameter; the Action
(``action/``) builds it and everything else from the workflow's environment. ``post_finished``
posts a run that is already done (a sharded run's merged trace) the same way."""

from __future__ import annotations

from perforch_bot.bot._finished import post_finished
from perforch_bot.bot._flow import BotConfig, BotOutcome, handle
from perforch_bot.bot._memory import Memory, fingerprint

__all__ = ["BotConfig", "BotOutcome", "Memory", "fingerprint", "handle", "post_finished"]
