"""The bot: a GitHub event handled end to end (who asked, which functions, the pipeline, the
summary comment and the review). ``handle`` takes the GitHub client as a parameter; the Action
(``action/``) builds it and everything else from the workflow's environment."""

from __future__ import annotations

from perforch_bot.bot._flow import BotConfig, BotOutcome, handle
from perforch_bot.bot._post import IGNORED_LINE, ignored_specs

__all__ = ["IGNORED_LINE", "BotConfig", "BotOutcome", "handle", "ignored_specs"]
