"""Review comments from the targets layer's suggestions."""

from __future__ import annotations

from perforch_bot.github import ReviewComment
from perforch_bot.targets import Suggestion


def test_a_multi_line_suggestion() -> None:
    comment = ReviewComment.from_suggestion(Suggestion("a.py", 3, 9, "```suggestion\nx\n```"))
    assert comment == ReviewComment("a.py", 9, "```suggestion\nx\n```", 3)
    assert comment.fields() == {
        "path": "a.py",
        "body": "```suggestion\nx\n```",
        "line": 9,
        "side": "RIGHT",
        "start_line": 3,
        "start_side": "RIGHT",
    }
    assert comment.fields() == {**Suggestion("a.py", 3, 9, comment.body).review_comment()}


def test_a_one_line_suggestion() -> None:
    comment = ReviewComment.from_suggestion(Suggestion("a.py", 4, 4, "b"))
    assert comment.start_line is None
    assert comment.fields() == {"path": "a.py", "body": "b", "line": 4, "side": "RIGHT"}
