"""GitHub suggestions inside a pull request's hunks, the patch outside them."""

from __future__ import annotations

from pathlib import Path

from perforch_bot.targets import (
    Function,
    Hunk,
    OutsideHunks,
    Suggestion,
    extract,
    replace_function,
    suggestion_for,
    targets_from_diff,
)
from tests.perforch_bot.targets.gitrepo import GitRepo

BASE = """\
def small(x):
    return x


def big(values):
    total = 0
    for value in values:
        total += value
    count = len(values)
    mean = total / count
    spread = max(values) - min(values)
    return mean, spread
"""


def _pull_request(tmp_path: Path) -> tuple[GitRepo, dict[str, Function], tuple[Hunk, ...]]:
    """A PR that rewrites small() entirely and changes one line deep inside big()."""
    repo = GitRepo(tmp_path / "repo")
    repo.write("stats.py", BASE)
    repo.commit("base")
    head = BASE.replace("def small(x):\n    return x", "def small(x):\n    y = x\n    return y")
    head = head.replace("spread = max(values) - min(values)", "spread = max(values)")
    repo.write("stats.py", head)
    repo.commit("pr")
    result = targets_from_diff(repo.diff("HEAD~1"), repo.read)
    functions = {t.function.name: t.function for t in result.targets}
    return repo, functions, result.changes["stats.py"].hunks


def _apply_suggestion(source: bytes, suggestion: Suggestion) -> bytes:
    """What GitHub does when the suggestion is committed: lines start..end become the block."""
    lines = source.decode().split("\n")
    block = suggestion.body.split("suggestion\n", 1)[1].rsplit("\n", 1)[0]
    lines[suggestion.start_line - 1 : suggestion.end_line] = block.split("\n")
    return "\n".join(lines).encode()


def test_inside_a_hunk_gives_a_suggestion_on_the_right_side(tmp_path: Path) -> None:
    repo, functions, hunks = _pull_request(tmp_path)
    small = functions["small"]
    source = repo.read("stats.py")
    edit = replace_function(source, small, "def small(x):\n    return x\n")
    result = suggestion_for(edit, hunks, "Faster: no temporary.")
    assert isinstance(result, Suggestion)
    assert (result.start_line, result.end_line) == (small.span.start_line, small.span.end_line)
    assert result.body == "Faster: no temporary.\n\n```suggestion\ndef small(x):\n    return x\n```"
    assert result.review_comment() == {
        "path": "stats.py",
        "body": result.body,
        "line": small.span.end_line,
        "side": "RIGHT",
        "start_line": small.span.start_line,
        "start_side": "RIGHT",
    }
    assert _apply_suggestion(source, result) == edit.updated


def test_outside_the_hunks_falls_back_to_the_patch(tmp_path: Path) -> None:
    repo, functions, hunks = _pull_request(tmp_path)
    big = functions["big"]
    # the PR's hunk for big() holds only its last lines, not the whole function
    assert not any(h.covers(big.span.start_line, big.span.end_line) for h in hunks)
    source = repo.read("stats.py")
    edit = replace_function(
        source,
        big,
        big.text.replace(
            "total = 0\n    for value in values:\n        total += value", "total = sum(values)"
        ),
    )
    result = suggestion_for(edit, hunks)
    assert isinstance(result, OutsideHunks)
    assert f"lines {big.span.start_line}-{big.span.end_line} of stats.py are not inside" in (
        result.reason
    )
    assert "GitHub refuses review comments outside the diff" in result.reason
    repo.apply(result.patch)
    assert repo.read("stats.py") == edit.updated


def test_backticks_in_the_code_get_a_longer_fence() -> None:
    source = b'def doc():\n    return "x"\n'
    function = extract("d.py", source).functions[0]
    edit = replace_function(source, function, 'def doc():\n    return """```\ncode\n```"""')
    result = suggestion_for(edit, (Hunk(1, 2, 1, 2),))
    assert isinstance(result, Suggestion)
    assert result.body.startswith("````suggestion\n") and result.body.endswith("\n````")


def test_a_one_line_function_has_no_start_line() -> None:
    source = b"package p\n\nfunc One() int { return 1 }\n"
    function = extract("one.go", source).functions[0]
    edit = replace_function(source, function, "func One() int { return 2 - 1 }")
    result = suggestion_for(edit, (Hunk(1, 3, 1, 3),))
    assert isinstance(result, Suggestion)
    assert result.review_comment() == {
        "path": "one.go",
        "body": result.body,
        "line": 3,
        "side": "RIGHT",
    }
