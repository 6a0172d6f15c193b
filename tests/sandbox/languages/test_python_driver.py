"""The Python driver's argument copies: shared when the target leaves them alone, fresh when
it mutates them, deep when their shape is not plain (objects, iterators, aliasing)."""

from __future__ import annotations

import json
from typing import Any

from sandbox.languages.drivers import python_driver as driver


def total(xs: list[int]) -> int:
    return sum(xs)


def sort_in_place(xs: list[int]) -> None:
    xs.sort()


def grow_rows(rows: list[list[int]]) -> None:
    for row in rows:
        row.append(0)


def first(it: Any) -> Any:
    return next(it)


class Box:
    def __init__(self, items: list[int]) -> None:
        self.items = items


def empty_box(box: Box) -> None:
    box.items.clear()


def test_untouched_plain_arguments_are_shared_not_copied() -> None:
    case = (list(range(1000)),)
    fresh = driver.case_copier(total, case)
    assert fresh(case) is case


def test_mutated_flat_list_gets_a_fresh_copy_each_call() -> None:
    case = ([3, 1, 2],)
    fresh = driver.case_copier(sort_in_place, case)
    args = fresh(case)
    sort_in_place(*args)
    assert case == ([3, 1, 2],) and args == ([1, 2, 3],)
    assert fresh(case)[0] is not args[0]


def test_mutated_nested_lists_are_copied_at_every_level() -> None:
    case = ([[1], [2, 3]],)
    fresh = driver.case_copier(grow_rows, case)
    grow_rows(*fresh(case))
    assert case == ([[1], [2, 3]],)


def test_aliased_arguments_keep_their_aliasing_through_deepcopy() -> None:
    shared = [1, 2]
    case = (shared, shared)
    fresh = driver.case_copier(lambda a, b: a.append(len(b)), case)
    assert fresh is driver.deepcopy
    a, b = fresh(case)
    assert a is b and a is not shared


def test_objects_and_iterators_are_deep_copied() -> None:
    assert driver.case_copier(empty_box, (Box([1]),)) is driver.deepcopy
    assert driver.case_copier(first, (iter([1, 2]),)) is driver.deepcopy


def test_timed_passes_never_lets_a_mutation_leak_into_the_next_call() -> None:
    seen: list[int] = []

    def append_and_measure(xs: list[int]) -> None:
        seen.append(len(xs))
        xs.append(0)

    cases = [([1, 2, 3],)]
    copiers = [driver.case_copier(append_and_measure, case) for case in cases]
    seen.clear()
    driver.timed_passes(append_and_measure, cases, copiers, passes=5)
    assert seen == [3, 3, 3, 3, 3]


def test_calibration_scales_the_count_to_the_target_instead_of_overshooting(
    monkeypatch: Any,
) -> None:
    # 98.5 us a pass: 100 passes fall just short of 10 ms, and doubling to 200 would make every
    # sample ~2x longer than needed; the count that clears the minimum is scaled back to 1.2x.
    per_pass = 98_500
    tries: list[int] = []

    def fake_passes(target: Any, cases: Any, copiers: Any, passes: int) -> int:
        tries.append(passes)
        return passes * per_pass + (3_000_000 if len(tries) == 3 else 0)  # one preempted try

    monkeypatch.setattr(driver, "timed_passes", fake_passes)
    iterations = driver.calibrate(total, [([1],)], [])
    assert tries[:3] == [1, 100, 200]
    assert driver.MIN_SAMPLE_NS <= iterations * per_pass <= 1.25 * driver.MIN_SAMPLE_NS
    assert iterations == 122  # from the fastest of the three tries at 200, not the preempted one


def test_warm_up_raises_a_count_whose_rounds_fall_under_the_minimum(monkeypatch: Any) -> None:
    # A count calibrated in a slower process: 3 passes of 1 ms make a 3 ms round here. The
    # count is raised to 1.2x the minimum, and warm-up ends only once it clears 1.1x.
    per_pass = 1_000_000
    tries: list[int] = []

    def fake_passes(target: Any, cases: Any, copiers: Any, passes: int) -> int:
        tries.append(passes)
        return passes * per_pass

    monkeypatch.setattr(driver, "timed_passes", fake_passes)
    assert driver.warm_up(total, [([1],)], [], 3, warmup_ms=0) == 12
    assert tries == [3, 12, 12]  # a raised count is checked on the faster of two rounds
    tries.clear()
    assert driver.warm_up(total, [([1],)], [], 20, warmup_ms=0) == 20  # long enough: kept
    assert tries == [20]


def test_every_sample_carries_the_reference_timed_around_it(capsys: Any) -> None:
    driver.run_bench(total, [(list(range(1000)),)], iterations=0, samples=3, warmup_ms=0)
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    samples = [r for r in records if "ns" in r]
    assert len(samples) == 3
    # Each reading is one run of the fixed loop: well under a sample, and about alike.
    readings = [r["ref_ns"] for r in samples]
    assert all(0 < ref < r["ns"] / 4 for ref, r in zip(readings, samples, strict=True))
    assert max(readings) < 5 * min(readings)
    assert min(readings) >= min(driver.reference_ns() for _ in range(5)) / 5
