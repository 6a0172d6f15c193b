"""Who may ask PerfOrch for work: people with write, maintain or admin permission on the
repository, checked through the GitHub client (a feature function: the client is a parameter,
so tests hand it a fake or a client of the loopback server)."""

from __future__ import annotations

from dataclasses import replace

from perforch_bot.events._model import Trigger
from perforch_bot.github import GitHubClient, GitHubNotFoundError, GitHubPermissionError

NEEDED = "write, maintain or admin"


def authorize(client: GitHubClient, trigger: Trigger) -> Trigger:
    """``trigger`` with ``allowed``, ``permission`` and ``reason`` settled: the sender's
    permission is asked of GitHub when the trigger waits for it (``allowed is None``); any
    other trigger comes back as it is. A sender GitHub does not know as a collaborator (404),
    or whose permission the token may not read (403), is refused with the reason; other
    failures (GitHub down, rate limited) propagate."""
    if trigger.allowed is not None:
        return trigger
    sender, repo = trigger.sender, trigger.repo
    try:
        permission = client.permission(repo, sender)
    except GitHubNotFoundError:
        reason = (
            f"@{sender} is not a collaborator on {repo}; PerfOrch acts only for people with "
            f"{NEEDED} permission"
        )
        return replace(trigger, allowed=False, permission="none", reason=reason)
    except GitHubPermissionError as exc:
        reason = (
            f"could not check @{sender}'s permission on {repo} (GitHub said: {exc.message}); "
            f"PerfOrch acts only for people with {NEEDED} permission"
        )
        return replace(trigger, allowed=False, permission="unknown", reason=reason)
    if permission.can_write:
        reason = f"{trigger.reason}; @{sender} has {permission.role} permission"
        return replace(trigger, allowed=True, permission=permission.role, reason=reason)
    reason = (
        f"@{sender} has {permission.role} permission on {repo}; PerfOrch acts only for "
        f"people with {NEEDED} permission"
    )
    return replace(trigger, allowed=False, permission=permission.role, reason=reason)
