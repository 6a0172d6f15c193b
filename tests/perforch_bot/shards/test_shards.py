"""Plans (whole files spread over shards by function count) and the patches a merge carries,
on functions extracted from real source."""

from __future__ import annotations

import pytest

from perforch_bot.shards import (
    Changed,
    PatchError,
    PlanError,
    apply_patch,
    make_plan,
    parse_shard,
    split_patch,
)
from perforch_bot.targets import extract, unified_diff


def changed(sizes: dict[str, int]) -> Changed:
    """Files with ``sizes[path]`` functions each, in the given (diff) order."""
    functions = []
    for path, size in sizes.items():
        source = "".join(f"def f{i}(x):\n    return x\n\n\n" for i in range(size))
        functions += list(extract(path, source.encode()).functions)
    return Changed("a..b", "a" * 40, "b" * 40, tuple(functions), (), ())


def test_files_go_whole_to_the_lightest_shard_largest_first() -> None:
    plan = make_plan(
        changed({"f.py": 1, "a.py": 5, "e.py": 2, "b.py": 4, "c.py": 3, "d.py": 3}), shards=3
    )
    files = [sorted({f.path for f in shard}) for shard in plan.shards]
    assert files == [["a.py", "f.py"], ["b.py", "e.py"], ["c.py", "d.py"]]
    assert [len(shard) for shard in plan.shards] == [6, 6, 6]
    # within a shard, plan (diff) order
    assert next(f.path for f in plan.shards[0]) == "f.py"
    assert plan.matrix == {"shard": ["1/3", "2/3", "3/3"]}
    trace = plan.trace(2)
    assert trace.shard == 2 and trace.shards == 3
    assert [p.shard for p in trace.functions][:2] == [1, 1]  # f.py's one, then a.py's first


def test_ties_and_ids_are_deterministic() -> None:
    sizes = {"a.py": 2, "b.py": 2, "c.py": 2, "d.py": 2}
    first, again = make_plan(changed(sizes), shards=2), make_plan(changed(sizes), shards=2)
    assert [[f.spec for f in s] for s in first.shards] == [
        [f.spec for f in s] for s in again.shards
    ]
    assert first.id == again.id != make_plan(changed(sizes), shards=3).id
    assert [sorted({f.path for f in s}) for s in first.shards] == [
        ["a.py", "c.py"],
        ["b.py", "d.py"],
    ]


def test_no_functions_no_shards() -> None:
    plan = make_plan(changed({}), shards=4)
    assert plan.shards == () and plan.matrix == {"shard": []}
    with pytest.raises(PlanError, match="plans 0 shard"):
        plan.shard(1, 4)


@pytest.mark.parametrize("text", ["0/2", "3/2", "1", "a/b", "1/0", "-1/2"])
def test_a_shard_is_i_of_n(text: str) -> None:
    with pytest.raises(PlanError, match="is not a shard"):
        parse_shard(text)
    assert parse_shard(" 2/3 ") == (2, 3)


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (b"a\nb\nc\nd\ne\nf\ng\nh\n", b"a\nB\nc\nd\ne\nf\ng\nH\nI\n"),
        (b"x = 1\r\ny = 2\r\n", b"x = 1\r\ny = 3\r\n"),  # CRLF kept
        (b"one\ntwo", b"one\nthree"),  # no newline at the end, on both sides
        (b"one\ntwo\n", b"one\ntwo"),
        (b"", b"new\n"),
        ("caf\u00e9 = 1\n".encode(), "caf\u00e9 = 2\n".encode()),
    ],
)
def test_a_files_patch_applies_back_byte_for_byte(before: bytes, after: bytes) -> None:
    patch = unified_diff("m.py", before, after)
    assert apply_patch("m.py", before, patch) == after


def test_a_run_patch_splits_per_file_and_refuses_a_wrong_base() -> None:
    one = unified_diff("a.py", b"a\n", b"b\n")
    two = unified_diff("dir/b.py", b"x\ny\n", b"x\nz\n")
    assert split_patch(one + two) == {"a.py": one, "dir/b.py": two}
    assert split_patch("") == {}
    with pytest.raises(PatchError, match=r"a\.py is patched twice"):
        split_patch(one + one)
    with pytest.raises(PatchError, match="does not apply at line 1"):
        apply_patch("a.py", b"c\n", one)
