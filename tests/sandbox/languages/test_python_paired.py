"""The Python driver's ``paired`` mode, in the sandbox: old, new and a copy of old timed side by
side in one process, and what a version changes that the others would run with."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from sandbox import Executor, Limits
from sandbox._process import run_process
from sandbox.languages import python

WORK = """
def work(xs, rounds={rounds}):
    total = 0
    for _ in range(rounds):
        for x in xs:
            total = (total * 31 + x) & 0xFFFF
    return total
"""
INPUTS = "INPUTS = [(list(range(200)),)]\n"


def paired_run(
    executor: Executor, old: str, new: str, args: list[str], function: str = "work"
) -> list[dict[str, Any]]:
    program = python.paired_program(old, new, function, INPUTS, executor.support)
    built = executor.build(program)
    assert built.ok, built.failure and built.failure.stderr
    result = executor.run(built, ["paired", *args], Limits())
    assert result.ok, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_each_version_gets_its_samples_and_twice_the_work_takes_twice_the_time(
    executor: Executor,
) -> None:
    old, new = WORK.format(rounds=20), WORK.format(rounds=40)
    records = paired_run(executor, old, new, ["7", "3", "10", "10", "40", "20", "40"])
    samples = {v: [r["ns"] for r in records if r.get("v") == v and "ns" in r] for v in range(3)}
    used = {r["v"]: r["iterations"] for r in records if "iterations" in r}
    assert [len(samples[v]) for v in range(3)] == [3, 3, 3]
    # Each count is cut into 10 chunks of whole passes: a sample is never under what was asked.
    assert used[0] >= 40 and used[1] >= 20 and used[0] % 10 == used[1] % 10 == 0
    per_pass = {v: sorted(ns / used[v] for ns in samples[v])[1] for v in range(3)}
    # Taken side by side, whatever slowed the core slowed all three alike.
    assert 1.6 < per_pass[1] / per_pass[0] < 2.5
    assert 0.85 < per_pass[2] / per_pass[0] < 1.18
    assert records[-1]["peak_rss_kb"] > 0 and records[-1]["cpu_ns"] > 0
    assert not any("changed" in r for r in records)


def test_without_a_copy_only_old_and_new_are_timed(executor: Executor) -> None:
    old = WORK.format(rounds=20)
    records = paired_run(executor, old, old, ["1", "2", "10", "4", "40", "40"])
    assert {r["v"] for r in records if "ns" in r} == {0, 1}


@pytest.mark.parametrize(
    ("new", "changed"),
    [
        # at import: every version would run without the garbage collector
        ("import gc\ngc.disable()\n" + WORK.format(rounds=20), "gc.isenabled()"),
        # during the calls: a builtin the other versions call, replaced
        (
            "import builtins\n_sum = sum\n"
            + WORK.format(rounds=20).replace(
                "total = 0", "builtins.sum = lambda *a: _sum(*a)\n    total = 0"
            ),
            "builtins.sum",
        ),
        # an attribute of a module the driver had loaded before the versions
        ("import math\nmath.floor = abs\n" + WORK.format(rounds=20), "math.floor"),
        ("import sys\nsys.setrecursionlimit(12345)\n" + WORK.format(rounds=20), "sys.getrec"),
    ],
)
def test_a_version_changing_what_the_others_share_is_reported(
    executor: Executor, new: str, changed: str
) -> None:
    old = WORK.format(rounds=20)
    records = paired_run(executor, old, new, ["3", "1", "10", "4", "40", "40", "40"])
    assert next(r["changed"] for r in records if "changed" in r).startswith(changed)


def test_a_version_keeping_state_of_its_own_is_not_reported(executor: Executor) -> None:
    # Its own globals, and a submodule newly imported into a package, change nothing the
    # other versions had.
    new = "import importlib.util\n_memo = {}\n" + WORK.format(rounds=20).replace(
        "total = 0", "global _memo\n    _memo = {len(xs): 1}\n    total = 0"
    )
    records = paired_run(executor, WORK.format(rounds=20), new, ["5", "1", "10", "4", "40", "40"])
    assert not any("changed" in r for r in records)


PAIRED_ARGS = ("1", "1", "1", "2", "40", "40", "40")  # seed, samples, warm-up, chunks, counts


def test_the_paired_mode_imports_nothing_it_can_do_without(
    executor: Executor, tmp_path: Path
) -> None:
    old = WORK.format(rounds=20)
    program = python.paired_program(old, old, "work", INPUTS, executor.support)
    built = executor.build(program)
    assert built.ok and built.directory is not None
    copy = shutil.copytree(built.directory, tmp_path / "run")
    result = run_process(
        [
            program.run[0],
            "-X",
            "importtime",
            *program.run[1:],
            "paired",
            *["1", "1", "1", "2", "40", "40", "40"],
        ],
        cwd=copy,
        env={"PYTHONDONTWRITEBYTECODE": "1", "PYTHONHASHSEED": "0"},
        timeout=60,
    )
    assert result.ok, result.stderr
    imported = {line.rsplit("|", 1)[-1].strip() for line in result.stderr.splitlines()}
    assert {"perforch_paired", "perforch_driver"} <= imported
    assert not imported & {"json", "copy", "contextlib", "runpy", "typing", "random"}


def test_a_wrong_argument_count_is_a_usage_error(executor: Executor) -> None:
    old = WORK.format(rounds=20)
    built = executor.build(python.paired_program(old, old, "work", INPUTS, executor.support))
    result = executor.run(built, ["paired", "1", "1"], Limits())
    assert result.returncode == 2 and "usage: paired SEED" in result.stderr


BOX_OLD = """
class Box:
    def __init__(self, items):
        self.items = list(items)

    def total(self):
        return sum(self.items)
"""
# Stores its items under another name, and sums them twice over: each version must be called
# on boxes of its own class (on old's boxes this one raises AttributeError).
BOX_NEW = """
class Box:
    def __init__(self, items):
        self.values = list(items)

    def total(self):
        s = 0
        for _ in range(2):
            s = 0
            for v in self.values:
                s += v
        return s
"""
BOX_INPUTS = "from target import Box\n\nINPUTS = [(Box(range(2000)),)]\n"


def test_each_version_is_called_on_objects_of_its_own_classes(executor: Executor) -> None:
    program = python.paired_program(BOX_OLD, BOX_NEW, "Box.total", BOX_INPUTS, executor.support)
    built = executor.build(program)
    assert built.ok, built.failure and built.failure.stderr
    result = executor.run(built, ["paired", "3", "3", "10", "10", "20", "20", "20"], Limits())
    assert result.ok, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    used = {r["v"]: r["iterations"] for r in records if "iterations" in r}
    per_pass = {
        v: min(r["ns"] for r in records if r.get("v") == v and "ns" in r) / used[v]
        for v in range(3)
    }
    assert per_pass[1] > 1.5 * per_pass[0]  # a loop twice over, against the built-in sum
    assert 0.8 < per_pass[2] / per_pass[0] < 1.25
