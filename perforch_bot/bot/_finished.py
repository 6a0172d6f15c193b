"""Posting a run that is already done: the merged trace of a sharded run (``perforch plan``,
``run --shard``, ``merge``), posted once as ``handle`` posts its own run."""

from __future__ import annotations

from pathlib import Path

from perforch_bot.bot._flow import BotOutcome, _summary_body
from perforch_bot.bot._memory import Memory
from perforch_bot.bot._post import Finished, publish
from perforch_bot.errors import PerforchError
from perforch_bot.events import Trigger
from perforch_bot.github import GitHubClient
from perforch_bot.pipeline import RunTrace
from perforch_bot.shards import apply_patch, split_patch
from perforch_bot.targets import (
    Function,
    PathFilter,
    diff_revisions,
    extract,
    find_function,
    parse_spec,
    read_at_revision,
    targets_from_diff,
)

# Every changed file's hunks: the trace's functions already passed the plan's filter.
_EVERY_FILE = PathFilter(skip_tests=False, skip_vendored=False, skip_generated=False)


def post_finished(
    trigger: Trigger,
    trace: RunTrace,
    *,
    client: GitHubClient,
    workspace: Path,
    suggest: bool = True,
    full_report: str = "the workflow run's summary",
    own_login: str | None = None,
) -> BotOutcome:
    """Post ``trace`` (a sharded run's merged trace) on the trigger's pull request: the review
    with a suggestion per improved function, unless the pull request's head moved past the
    plan's head commit (the summary then says the results are stale), and the summary comment
    with the bot's memory kept. The files, the pull request's hunks and the new versions are
    recomputed from the plan's commits, which ``workspace`` (a checkout) must hold."""
    if trigger.kind == "ignore" or trigger.number is None or not trigger.is_pull_request:
        return BotOutcome(trigger, f"nothing to post: not a pull request ({trigger.reason})")
    plan = trace.plan
    if plan is None:
        raise PerforchError(
            f"run {trace.id} has no plan (it is not a sharded run): `perforch merge` the "
            "shards' traces and post the merged one"
        )
    head = plan.head_sha
    diff = diff_revisions(workspace, f"{plan.base_sha}..{head}")
    found = targets_from_diff(diff, lambda p: read_at_revision(workspace, head, p), _EVERY_FILE)
    files: dict[str, bytes] = {}
    for path in dict.fromkeys(f.path for f in trace.functions):
        source = read_at_revision(workspace, head, path)
        if source is None:
            raise PerforchError(f"{path} is not in commit {head[:12]}; fetch the plan's commits")
        files[path] = source
    patches = split_patch(trace.patch or "")
    updated = {path: apply_patch(path, files[path], patch) for path, patch in patches.items()}
    functions: list[Function] = [
        find_function(extract(f.path, files[f.path], language=f.language), parse_spec(f.spec))
        for f in trace.functions
    ]
    number = trigger.number
    memory = Memory.read(_summary_body(client, trigger.repo, number, own_login))
    hunks = {path: change.hunks for path, change in found.changes.items()}
    report, suggestions = publish(
        client,
        trigger.repo,
        number,
        Finished(trace, functions, files, updated, hunks),
        head_sha=head,
        memory=memory,
        suggest=suggest,
        full_report=full_report,
        own_login=own_login,
    )
    return BotOutcome(trigger, "posted the merged run", trace, report, suggestions)
