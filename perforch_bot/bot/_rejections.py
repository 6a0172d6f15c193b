"""Suggestions rejected with a 👎: the functions PerfOrch should not offer again on a pull
request. A 👎 counts from the pull request's author or from someone who may ask PerfOrch for
work (write, maintain or admin); on a public repository anyone can react, and a passer-by's
👎 must not hide a suggestion from the maintainers."""

from __future__ import annotations

import re
from collections.abc import Callable

from perforch_bot.github import (
    GitHubClient,
    GitHubNotFoundError,
    GitHubPermissionError,
    PostedReviewComment,
    is_own_comment,
)
from perforch_bot.targets import is_spec

# A suggestion's review comment starts with "`<spec>`: <reason>" (see ``_post.post_review``).
_SUGGESTED_SPEC = re.compile(r"\A`([^`\n]+)`:")
THUMBS_DOWN = "-1"


def rejected_specs(
    client: GitHubClient, repo: str, number: int, author: str, own_login: str | None
) -> tuple[str, ...]:
    """The specs of PerfOrch's suggestions on pull request ``number`` that ``author`` or a
    writer gave a 👎, in the order they were posted. Only PerfOrch's own review comments count
    (anyone can write one that starts like a suggestion), and the reactions are listed only
    for comments whose summary shows a 👎, so a run without any costs one request."""
    may_reject = _may_reject(client, repo, author)
    specs: list[str] = []
    for comment in client.review_comments(repo, number):
        spec = _suggested_spec(comment, own_login)
        if spec is None or spec in specs:
            continue
        reactions = client.review_comment_reactions(repo, comment.id)
        if any(
            r.content == THUMBS_DOWN and not r.user_is_bot and may_reject(r.user) for r in reactions
        ):
            specs.append(spec)
    return tuple(specs)


def _suggested_spec(comment: PostedReviewComment, own_login: str | None) -> str | None:
    if comment.thumbs_down < 1 or not is_own_comment(comment, own_login):
        return None
    match = _SUGGESTED_SPEC.match(comment.body)
    return match.group(1) if match is not None and is_spec(match.group(1)) else None


def _may_reject(client: GitHubClient, repo: str, author: str) -> Callable[[str], bool]:
    """Whether a user's 👎 counts: the author's always; anyone else's when GitHub says they
    can write (asked once per user; unknown or unreadable permission does not count)."""
    known: dict[str, bool] = {author: True}

    def may_reject(user: str) -> bool:
        if user not in known:
            try:
                known[user] = client.permission(repo, user).can_write
            except (GitHubNotFoundError, GitHubPermissionError):
                known[user] = False
        return known[user]

    return may_reject
