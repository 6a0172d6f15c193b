"""What the bot posts once a run is done: the summary comment, and a review whose suggestions
are exactly the improved functions (when GitHub can take them as suggestions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

from perforch_bot.bot._memory import Memory, fingerprint, without_memory
from perforch_bot.errors import TargetError
from perforch_bot.github import (
    GitHubClient,
    GitHubValidationError,
    ReviewComment,
    upsert_summary,
)
from perforch_bot.pipeline import FunctionTrace, RunTrace, render_markdown
from perforch_bot.targets import (
    Function,
    Hunk,
    Suggestion,
    extract,
    find_function,
    parse_spec,
    replace_function,
    suggestion_for,
)

STALE_NOTE = (
    "> **Stale.** The pull request's head moved while PerfOrch worked; these results are for "
    "`{sha}` and nothing was suggested. Run `/perforch optimize` again for the new head."
)


@dataclass(frozen=True)
class Posted:
    suggestions: int
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Finished:
    """A finished run and what posting it needs: the functions run (in the trace's order),
    their files as the run found them and as it left them (path -> bytes), the pull request's
    hunks of those files, and notes for the summary."""

    trace: RunTrace
    functions: Sequence[Function]
    files: Mapping[str, bytes]
    updated: Mapping[str, bytes]
    hunks: Mapping[str, tuple[Hunk, ...]]
    notes: Sequence[str] = ()


def publish(
    client: GitHubClient,
    repo: str,
    number: int,
    finished: Finished,
    *,
    head_sha: str | None,
    memory: Memory,
    suggest: bool,
    full_report: str,
    own_login: str | None,
) -> tuple[str, int]:
    """Post ``finished``: the review (when ``suggest`` and ``head_sha`` is still the pull
    request's head; a moved head makes the summary say the results are stale), then the
    summary comment with ``memory`` updated. Returns the report and the suggestions made."""
    trace = finished.trace
    report = render_markdown(trace) + "".join(f"\n- {n}" for n in finished.notes)
    suggestions = 0
    if head_sha is not None and client.pull_request(repo, number).head_sha != head_sha:
        report = STALE_NOTE.format(sha=head_sha[:12]) + "\n\n" + report
    elif head_sha is not None and suggest:
        posted = post_review(
            client,
            repo,
            number,
            head_sha=head_sha,
            functions=trace.functions,
            files=finished.files,
            updated=finished.updated,
            hunks=finished.hunks,
        )
        suggestions = posted.suggestions
        report += "".join(f"\n- {n}" for n in posted.notes)
    done = {
        fingerprint(f)
        for f, t in zip(finished.functions, trace.functions, strict=True)
        if t.result != "error"
    }
    run = {f.spec for f in finished.functions}
    still = {s for s in memory.seen if s.partition("@")[0] not in run}
    report += f"\n{replace(memory, seen=frozenset(done | still)).lines()}"
    upsert_summary(client, repo, number, report, full_report=full_report, own_login=own_login)
    return report, suggestions


def with_memory(summary_body: str | None, marker: str, memory: Memory) -> str:
    """The summary's report (without its marker line) with ``memory`` as its hidden lines."""
    report = without_memory((summary_body or "").removeprefix(marker).lstrip("\n")).rstrip()
    return f"{report}\n{memory.lines()}\n".lstrip("\n")


def post_review(
    client: GitHubClient,
    repo: str,
    number: int,
    *,
    head_sha: str,
    functions: Sequence[FunctionTrace],
    files: Mapping[str, bytes],
    updated: Mapping[str, bytes],
    hunks: Mapping[str, tuple[Hunk, ...]],
) -> Posted:
    """A review with one suggestion per improved function inside the diff's hunks. A file
    whose new version holds more than its functions' new bodies (an import the model added)
    gets no suggestions: a suggestion replaces only the function's lines, so it would not
    build; the patch in the summary has it all."""
    comments: list[ReviewComment] = []
    notes: list[str] = []
    for path, original in files.items():
        improved = [f for f in functions if f.path == path and f.result == "improved" and f.code]
        if not improved:
            continue
        suggestions = _suggestions(original, updated.get(path), improved, hunks.get(path, ()))
        if isinstance(suggestions, str):
            notes.append(f"`{path}`: {suggestions}")
            continue
        comments += [ReviewComment.from_suggestion(s) for s in suggestions]
    if not comments:
        return Posted(0, tuple(notes))
    body = (
        "PerfOrch: faster versions of the functions below, each built, tested, checked "
        "against the old outputs and benchmarked at this commit. Details in the summary comment."
    )
    try:
        client.create_review(repo, number, commit_sha=head_sha, body=body, comments=comments)
    except GitHubValidationError as exc:
        notes.append(f"GitHub refused the suggestions ({exc.message}); apply the patch instead")
        return Posted(0, tuple(notes))
    return Posted(len(comments), tuple(notes))


def _suggestions(
    original: bytes,
    updated: bytes | None,
    improved: Sequence[FunctionTrace],
    hunks: Sequence[Hunk],
) -> list[Suggestion] | str:
    result: list[Suggestion] = []
    current = original
    for traced in improved:
        try:
            function = _function(original, traced)
            edit = replace_function(original, function, traced.code or "")
            current = replace_function(
                current, _function(current, traced), traced.code or ""
            ).updated
        except TargetError as exc:
            return f"no suggestion ({exc}); apply the patch"
        found = suggestion_for(edit, hunks, f"`{traced.spec}`: {traced.reason}")
        if not isinstance(found, Suggestion):
            return f"no suggestion: {found.reason}"
        result.append(found)
    if current != updated:
        return "the new version adds lines outside the functions (imports); apply the patch"
    return result


def _function(source: bytes, traced: FunctionTrace) -> Function:
    extracted = extract(traced.path, source, language=traced.language)
    return find_function(extracted, parse_spec(traced.spec))
