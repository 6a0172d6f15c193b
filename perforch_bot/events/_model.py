"""A GitHub event read as a ``Trigger``: what was asked, by whom, on what, and whether to act."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Literal

TriggerKind = Literal["pull_request", "comment_command", "issue", "help", "ignore"]
CommandName = Literal["optimize", "help", "ignore"]


@dataclass(frozen=True)
class EventSettings:
    """How events are read (immutable; ``action/`` builds it from the workflow's inputs).

    ``issue_label``: the label that puts an issue in PerfOrch's hands. ``draft_pull_requests``:
    whether drafts run too. ``app_login``: the login PerfOrch posts as when it is not a bot
    account (a personal token's user); its comments are never read as commands.
    """

    issue_label: str = "perforch"
    draft_pull_requests: bool = False
    app_login: str | None = None
    command_prefix: str = "/perforch"


@dataclass(frozen=True)
class CommandOptions:
    """The ``--flags`` of ``/perforch optimize`` (None: the repository's settings decide)."""

    max_cost: float | None = None
    max_seconds: float | None = None
    min_effect: float | None = None
    models: tuple[str, ...] = ()
    inputs: str | None = None
    tests: str | None = None


@dataclass(frozen=True)
class Command:
    """A ``/perforch`` command as written (``text``) and as understood. ``error`` says why a
    malformed one cannot be run; ``name`` is None when the command word itself is unknown."""

    name: CommandName | None
    targets: tuple[str, ...]
    options: CommandOptions
    text: str
    error: str | None = None


@dataclass(frozen=True)
class Trigger:
    """What one event asks of PerfOrch.

    ``kind``: ``pull_request`` (optimize the functions the pull request changes),
    ``comment_command`` (a ``/perforch optimize`` or ``/perforch ignore`` comment),
    ``issue`` (an issue, labelled for PerfOrch, naming functions), ``help`` (reply with the
    commands and ``reason``: asked for, or a command that cannot be run), ``ignore`` (nothing
    to do; ``reason`` says why).

    ``targets``: target specs; empty on a pull request means the functions it changes.
    ``head_sha``: the pull request's head commit when the payload carries it (a comment's
    payload does not: fetch the pull request). ``comment_id``: the comment to react to.

    ``allowed``: None until the sender's permission is checked (``authorize``), then True or
    False; False already for ``ignore``. ``reason`` says why, ``permission`` what GitHub
    said (None: not checked).
    """

    kind: TriggerKind
    event: str
    action: str
    repo: str
    number: int | None
    is_pull_request: bool
    sender: str
    sender_is_bot: bool
    allowed: bool | None
    reason: str
    head_sha: str | None = None
    base_sha: str | None = None
    command: Command | None = None
    targets: tuple[str, ...] = ()
    comment_id: int | None = None
    permission: str | None = None

    @property
    def needs_permission_check(self) -> bool:
        return self.allowed is None

    def to_json(self) -> dict[str, Any]:
        """Plain data for ``--json`` and logs."""
        data = asdict(self)
        data["targets"] = list(self.targets)
        data["permission"] = self.permission or "not checked"
        if self.command is not None:
            data["command"]["targets"] = list(self.command.targets)
            data["command"]["options"]["models"] = list(self.command.options.models)
        return data
