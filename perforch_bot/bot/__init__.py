"""The bot: a GitHub event handled end to end (who asked, which functions, the pipeline, the
summary comment and the review). ``handle`` takes the GitHub client as a parameter; the Action
(``action/``) builds it and everything else from the workflow's environment."""

from __future__ import annotations

from perforch_bot.bot._flow import BotConfig, BotOutcome, handle
from perforch_bot.bot._memory import Memory, fingerprint

__all__ = ["BotConfig", "BotOutcome", "Memory", "fingerprint", "handle"]
