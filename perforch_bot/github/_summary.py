"""The one summary comment per pull request or issue: found by a hidden marker, updated in place
on every run, and trimmed to GitHub's comment limit with a pointer to the full report."""

from __future__ import annotations

import re
from dataclasses import dataclass

from perforch_bot.github._client import GitHubClient
from perforch_bot.github._model import Comment, PostedReviewComment

SUMMARY_MARKER = "<!-- perforch:summary -->"

# GitHub refuses a comment body over 65,536 characters. Lengths are counted in UTF-16 code
# units, which is never less than GitHub's count, so a body that fits here fits there.
COMMENT_LIMIT = 65_536

DEFAULT_POINTER = "the run's trace (`perforch report .perforch/runs/<id>.json` renders it whole)"

_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_DETAILS_OPEN = re.compile(r"<details[\s>]", re.IGNORECASE)
_DETAILS_CLOSE = re.compile(r"</details\s*>", re.IGNORECASE)


def comment_length(text: str) -> int:
    """The length GitHub's limit is checked against (UTF-16 code units)."""
    return len(text.encode("utf-16-le")) // 2


def trim_report(
    text: str, *, limit: int = COMMENT_LIMIT, full_report: str = DEFAULT_POINTER
) -> str:
    """``text`` as it is when it fits in ``limit``; otherwise its beginning, cut at a line, with
    any open code fence and ``<details>`` closed, and a note saying it was trimmed and where
    the full report is (``full_report``: a link, or where to find it)."""
    total = comment_length(text)
    if total <= limit:
        return text
    room = limit - comment_length(_notice(total, total, limit, full_report)) - 16
    if room < 100:
        raise ValueError(f"a {limit}-character limit leaves no room for the report")
    lines = text.splitlines(keepends=True)
    kept = _lines_within(lines, room)
    while kept > 0:
        candidate = _finish("".join(lines[:kept]), total, limit, full_report)
        if comment_length(candidate) <= limit:
            return candidate
        kept -= 1
    # not even the first line fits: cut inside it (with room for a fence and the notice)
    return _finish(_cut(lines[0], room - 16), total, limit, full_report)


def _lines_within(lines: list[str], room: int) -> int:
    used = 0
    for index, line in enumerate(lines):
        used += comment_length(line)
        if used > room:
            return index
    return len(lines)


def _cut(text: str, room: int) -> str:
    """The longest beginning of ``text`` within ``room`` UTF-16 units."""
    units = 0
    for index, char in enumerate(text):
        units += 2 if ord(char) > 0xFFFF else 1
        if units > room:
            return text[:index]
    return text


def _finish(head: str, total: int, limit: int, full_report: str) -> str:
    return head + _closers(head) + _notice(comment_length(head), total, limit, full_report)


@dataclass
class _Open:
    fence: str | None = None
    details: int = 0


def _open_blocks(text: str) -> _Open:
    state = _Open()
    for line in text.splitlines():
        match = _FENCE.match(line)
        if state.fence is not None:
            run = match.group(1) if match else ""
            # a closing fence: the same character, at least as many, and nothing after it
            if run[:1] == state.fence[0] and len(run) >= len(state.fence):
                state.fence = None if not line.strip()[len(run) :] else state.fence
            continue
        if match is not None:
            state.fence = match.group(1)
            continue
        state.details += len(_DETAILS_OPEN.findall(line)) - len(_DETAILS_CLOSE.findall(line))
        state.details = max(state.details, 0)
    return state


def _closers(head: str) -> str:
    state = _open_blocks(head)
    closing = "" if head.endswith("\n") else "\n"
    if state.fence is not None:
        closing += state.fence + "\n"
    return closing + "\n</details>\n" * state.details


def _notice(shown: int, total: int, limit: int, full_report: str) -> str:
    return (
        f"\n---\n> **This report was trimmed** to fit GitHub's {limit:,}-character limit for "
        f"a comment: {shown:,} of its {total:,} characters are shown. "
        f"The full report: {full_report}.\n"
    )


def is_own_comment(comment: Comment | PostedReviewComment, own_login: str | None = None) -> bool:
    """Whether PerfOrch wrote ``comment`` (a conversation or a review comment): a bot account
    (a GitHub App, github-actions[bot]) or the login PerfOrch posts as (a personal token's
    user). Anyone can type the marker, so a person's comment that carries it is never taken for
    the summary."""
    return comment.author_is_bot or (own_login is not None and comment.author == own_login)


def upsert_summary(
    client: GitHubClient,
    repo: str,
    number: int,
    report: str,
    *,
    full_report: str = DEFAULT_POINTER,
    own_login: str | None = None,
    marker: str = SUMMARY_MARKER,
) -> Comment:
    """Post ``report`` as the summary comment of ``repo#number``: the first comment of ours
    that carries ``marker`` is updated in place (left alone when unchanged), else a new one is
    created. The body is the marker, then the report, trimmed to GitHub's limit."""
    body = trim_report(f"{marker}\n{report}", full_report=full_report)
    ours = [c for c in client.find_comments(repo, number, marker) if is_own_comment(c, own_login)]
    if not ours:
        return client.create_comment(repo, number, body)
    if ours[0].body == body:
        return ours[0]
    return client.update_comment(repo, ours[0].id, body)
