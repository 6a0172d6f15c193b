"""The Action's ``merge`` mode: the shards' traces (``partials``, a glob in the workspace)
merged into one run and posted once on the pull request, as the one-job mode posts its run."""

from __future__ import annotations

from typing import TYPE_CHECKING

from action._inputs import ActionInputs

if TYPE_CHECKING:
    from perforch_bot.bot import BotOutcome


def merge_and_post(inputs: ActionInputs) -> BotOutcome:
    from perforch_bot.bot import post_finished
    from perforch_bot.errors import PerforchError
    from perforch_bot.events import EventSettings, parse_event_json
    from perforch_bot.github import PyGithubClient
    from perforch_bot.pipeline import write_trace
    from perforch_bot.shards import merge_traces, read_partials

    try:
        paths = sorted(p for p in inputs.workspace.glob(inputs.partials) if p.is_file())
    except (ValueError, NotImplementedError) as exc:
        raise PerforchError(
            f"`partials: {inputs.partials}` is not a relative glob ({exc})"
        ) from None
    if not paths:
        raise PerforchError(
            f"no shard traces match `{inputs.partials}` in {inputs.workspace}: download the "
            "shards' artifacts there first (actions/download-artifact)"
        )
    print(f"perforch: merging {len(paths)} shard trace(s): {', '.join(p.name for p in paths)}")
    merged = merge_traces(read_partials(paths))
    saved = write_trace(merged, inputs.workspace / ".perforch" / "runs")
    if merged.patch:
        saved.with_suffix(".patch").write_text(merged.patch)
    print(f"perforch: merged trace {saved}")
    trigger = parse_event_json(
        inputs.event_name,
        inputs.event_path.read_bytes(),
        EventSettings(issue_label=inputs.label, draft_pull_requests=inputs.drafts),
    )
    print(f"perforch: {trigger.kind} {trigger.repo}#{trigger.number}: {trigger.reason}")
    return post_finished(
        trigger,
        merged,
        client=PyGithubClient(inputs.token, inputs.api_url),
        workspace=inputs.workspace,
        full_report=f"the [workflow run]({inputs.run_url})" if inputs.run_url else "",
    )
