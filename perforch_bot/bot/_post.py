"""What the bot posts once a run is done: the summary comment, and a review whose suggestions
are exactly the improved functions (when GitHub can take them as suggestions)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from perforch_bot.bot._memory import Memory, without_memory
from perforch_bot.errors import TargetError
from perforch_bot.github import GitHubClient, GitHubValidationError, ReviewComment
from perforch_bot.pipeline import FunctionTrace
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


@dataclass(frozen=True)
class Posted:
    suggestions: int
    notes: tuple[str, ...]


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
