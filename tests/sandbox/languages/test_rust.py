"""The Rust module against the real toolchain: rustc builds in the namespace sandbox, real runs."""

from __future__ import annotations

import json
import statistics
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from sandbox import time_cases
from sandbox._executor import Built, Executor
from sandbox._failures import classify
from sandbox._limits import Limits
from sandbox._process import ProcessResult
from sandbox.backends import Mount
from sandbox.languages import MIN_SAMPLE_NS, _rust_toolchain, get_language, language_for_path, rust
from tests.support.sandbox import (
    SHORTEST_SAMPLE_NS,
    linked_toolchain,
    per_pass_ns,
)

RUN = Limits(wall_seconds=60, cpu_seconds=60)


@pytest.fixture(scope="session")
def executor(rust_session_executor: Executor) -> Executor:
    return rust_session_executor


def driver(executor: Executor, source: str, function: str, inputs: str) -> Built:
    return executor.build(rust.driver_program(source, function, inputs, executor.support))


def outputs(executor: Executor, source: str, function: str, inputs: str) -> list[dict[str, Any]]:
    built = driver(executor, source, function, inputs)
    assert built.ok, built.failure and built.failure.stderr
    result = executor.run(built, ["outputs"], RUN)
    assert result.ok, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert "peak_rss_kb" in records[-1]
    return records[:-1]


def build_error(executor: Executor, source: str, function: str, inputs: str) -> str:
    built = driver(executor, source, function, inputs)
    assert not built.ok and built.failure is not None
    return built.failure.stderr


# --- toolchain ------------------------------------------------------------------------------


def test_toolchain_is_found_with_its_version_and_crates(executor: Executor) -> None:
    found = rust.toolchain(executor.support)
    assert found.ok, found.problem
    assert found.version is not None and found.version.split(".")[0] == "1"
    assert Path(found.tool).is_file() and Path(found.tool).parent.name == "bin"
    assert "regex 1." in found.details["crates"]
    assert get_language("rust") is rust and language_for_path("src/lib.rs") is rust


def test_a_missing_toolchain_says_how_to_install_it(tmp_path: Path) -> None:
    problem = _rust_toolchain.find_tools(tmp_path / "rustc")
    assert isinstance(problem, str)
    assert problem.startswith(f"rustc not found at {tmp_path / 'rustc'}")
    assert "rustup" in problem and "apt-get" in problem


def test_the_chosen_rustc_builds_and_names_its_toolchain(
    executor: Executor, tmp_path: Path
) -> None:
    default = _rust_toolchain.find_tools()
    assert not isinstance(default, str), default
    chosen = tmp_path / "toolchain"
    rustc = linked_toolchain(default.sysroot, chosen)
    support = replace(executor.support, rustc=rustc)
    found = rust.toolchain(support)
    assert found.ok and found.tool == str(rustc), found
    assert found.details["sysroot"] == str(chosen)
    inputs = "fn perforch_inputs() -> Vec<Vec<f64>> {\n    vec![vec![1.0, 2.0]]\n}\n"
    program = rust.driver_program(DRIVER_SOURCE, "mean", inputs, support)
    assert program.build[-1][0] == str(rustc) and Mount(chosen) in program.mounts
    built = executor.build(program)  # the build commands are in its key: a build of its own
    assert built.ok, built.failure and built.failure.stderr
    result = executor.run(built, ["outputs"], RUN)
    assert result.ok and '"result": "1.5"' in result.stdout, result.stderr


def test_setup_is_idempotent(executor: Executor) -> None:
    assert rust.setup(executor.support) == []


# --- tests (HumanEval-X layout) ---------------------------------------------------------------

SOURCE = "fn add(a: i32, b: i32) -> i32 {\n    a + b\n}\n"
TESTS = (
    "#[cfg(test)]\nmod tests {\n    use super::*;\n    #[test]\n"
    "    fn adds() {\n        assert_eq!(add(2, 3), 5);\n    }\n}\n"
)


def run_tests(executor: Executor, source: str, tests: str) -> tuple[Built, ProcessResult | None]:
    built = executor.build(rust.test_program(source, tests, executor.support))
    return built, (executor.run(built, [], RUN) if built.ok else None)


def test_tests_pass_for_a_correct_function(executor: Executor) -> None:
    built, result = run_tests(executor, SOURCE, TESTS)
    assert built.ok and result is not None and result.ok, result
    assert "1 passed" in result.stdout


def test_tests_fail_for_a_wrong_function(executor: Executor) -> None:
    built, result = run_tests(executor, SOURCE.replace("a + b", "a - b"), TESTS)
    assert built.ok and result is not None
    failure = classify(result, "test")
    assert failure is not None and failure.kind == "test-failed"
    assert "left: -1" in failure.message and "right: 5" in failure.message


def test_tests_can_use_the_crates(executor: Executor) -> None:
    source = (
        'use regex::Regex;\nfn digits(s: &str) -> bool { Regex::new(r"^\\d+$").unwrap()'
        '.is_match(s) }\nfn hex(s: &str) -> String { format!("{:x}", md5::compute(s)) }\n'
    )
    tests = TESTS.replace(
        "assert_eq!(add(2, 3), 5);",
        'assert!(digits("123") && !digits("1a"));'
        ' assert_eq!(hex(""), "d41d8cd98f00b204e9800998ecf8427e");',
    )
    built, result = run_tests(executor, source, tests)
    assert result is not None and result.ok, built.failure or result


def test_tests_without_a_test_function_do_not_pass(executor: Executor) -> None:
    built, _ = run_tests(executor, SOURCE, "/*\n" + TESTS + "*/\n")
    assert not built.ok and built.failure is not None
    assert "no #[test] function" in built.failure.stderr


def test_compile_error_gives_the_compiler_message(executor: Executor) -> None:
    built, _ = run_tests(executor, SOURCE.replace("a + b", 'a + "b"'), TESTS)
    assert not built.ok and built.failure is not None
    failure = classify(built.failure, "build")
    assert failure is not None and failure.kind == "compile-error"
    assert "error[E0277]" in failure.message and "main.rs:2" in failure.message


# --- driver: outputs ------------------------------------------------------------------------

DRIVER_SOURCE = """
use std::collections::{HashMap, HashSet};

/// Sorts in place and returns how many elements are negative.
fn sort_count(values: &mut Vec<i64>, label: &str, limit: usize) -> usize {
    values.sort();
    let negative = values.iter().filter(|v| **v < 0).count();
    if negative > limit {
        panic!("{}: {} negatives is more than {}", label, negative, limit);
    }
    println!("noise on stdout must not break the protocol");
    negative
}

fn mean(values: &[f64]) -> f64 {
    values.iter().sum::<f64>() / values.len() as f64
}

fn histogram(words: Vec<String>) -> (HashMap<String, usize>, HashSet<char>) {
    let mut counts = HashMap::new();
    let mut letters = HashSet::new();
    for word in words {
        letters.extend(word.chars());
        *counts.entry(word).or_insert(0) += 1;
    }
    (counts, letters)
}

fn first_keys(n: u32) -> Vec<u32> {
    let map: HashMap<u32, u32> = (0..n).map(|i| (i, i)).collect();
    map.keys().copied().collect()
}

#[derive(Clone, Debug)]
struct Counter { total: i64 }

impl Counter {
    fn add(&mut self, amount: i64) -> i64 { self.total += amount; self.total }
}

fn longest<'a>(a: &'a str, b: &'a str) -> &'a str {
    if b.len() > a.len() { b } else { a }
}

fn largest(values: &mut [i32]) -> Option<&mut i32> {
    let top = values.iter_mut().max()?;
    *top *= 10;
    Some(top)
}

mod geometry {
    pub fn area(width: u32, height: u32) -> u64 { width as u64 * height as u64 }
}
"""


def test_outputs_report_results_mutated_arguments_and_panics(executor: Executor) -> None:
    inputs = """
fn perforch_inputs() -> Vec<(Vec<i64>, String, usize)> {
    vec![(vec![3, -1, 2], "a".to_string(), 5), (vec![-1, -2], "b\\"q".to_string(), 1)]
}
"""
    records = outputs(executor, DRIVER_SOURCE, "sort_count", inputs)
    assert records == [
        {"case": 0, "result": "1", "args": '[[-1, 2, 3], "a", 5]'},
        {"case": 1, "error": 'panic: b"q: 2 negatives is more than 1'},
    ]


def test_outputs_print_floats_round_trippably(executor: Executor) -> None:
    inputs = (
        "fn perforch_inputs() -> Vec<Vec<f64>> {\n    vec![vec![0.1, 0.2], vec![1e-9], vec![]]\n}\n"
    )
    records = outputs(executor, DRIVER_SOURCE, "mean", inputs)
    assert [r["result"] for r in records] == ["0.15000000000000002", "1e-9", "NaN"]
    assert records[0]["args"] == "[[0.1, 0.2]]"


def test_outputs_sort_unordered_containers(executor: Executor) -> None:
    inputs = """
fn perforch_inputs() -> Vec<(Vec<String>,)> {
    let words = ["pear", "fig", "apple", "fig", "kiwi", "date"];
    vec![(words.iter().map(|w| w.to_string()).collect(),)]
}
"""
    records = outputs(executor, DRIVER_SOURCE, "histogram", inputs)
    assert records[0]["result"] == (
        '({"apple": 1, "date": 1, "fig": 2, "kiwi": 1, "pear": 1}, '
        "{'a', 'd', 'e', 'f', 'g', 'i', 'k', 'l', 'p', 'r', 't', 'w'})"
    )


def test_hash_seeds_are_fixed_so_iteration_order_repeats(executor: Executor) -> None:
    inputs = "fn perforch_inputs() -> Vec<u32> {\n    vec![50]\n}\n"
    built = driver(executor, DRIVER_SOURCE, "first_keys", inputs)
    runs = {executor.run(built, ["outputs"], RUN).stdout.splitlines()[0] for _ in range(3)}
    assert len(runs) == 1
    keys = json.loads(json.loads(runs.pop())["result"])
    assert sorted(keys) == list(range(50)) and keys != sorted(keys)


def test_methods_modules_and_user_types(executor: Executor) -> None:
    inputs = """
fn perforch_inputs() -> Vec<(Counter, i64)> {
    vec![(Counter { total: 10 }, 5)]
}
"""
    records = outputs(executor, DRIVER_SOURCE, "Counter::add", inputs)
    assert records == [{"case": 0, "result": "15", "args": "[Counter { total: 15 }, 5]"}]
    inputs = "fn perforch_inputs() -> Vec<(u32, u32)> {\n    vec![(70000, 70000)]\n}\n"
    records = outputs(executor, DRIVER_SOURCE, "geometry::area", inputs)
    assert records[0]["result"] == "4900000000"


def test_results_that_borrow_from_the_arguments(executor: Executor) -> None:
    inputs = """
fn perforch_inputs() -> Vec<(String, &'static str)> {
    vec![("ab".into(), "abc")]
}
"""
    records = outputs(executor, DRIVER_SOURCE, "longest", inputs)
    assert records == [{"case": 0, "result": '"abc"', "args": '["ab", "abc"]'}]
    inputs = "fn perforch_inputs() -> Vec<Vec<i32>> {\n    vec![vec![1, 7, 3], vec![]]\n}\n"
    built = driver(executor, DRIVER_SOURCE, "largest", inputs)
    result = executor.run(built, ["outputs"], RUN)
    assert [json.loads(line).get("result") for line in result.stdout.splitlines()[:2]] == [
        "Some(70)",
        "None",
    ]
    assert json.loads(result.stdout.splitlines()[0])["args"] == "[[1, 70, 3]]"
    assert executor.run(built, ["bench", "3", "2", "0"], RUN).ok


def test_inputs_can_use_the_seeded_generator(executor: Executor) -> None:
    inputs = """
fn perforch_inputs() -> Vec<(Vec<i64>, String, usize)> {
    let mut rng = perforch::Rng::new(42);
    (0..3).map(|_| (rng.vec(1000, |r| r.int(-5, 5)), rng.string(4, "xyz"), 10_000)).collect()
}
"""
    first = outputs(executor, DRIVER_SOURCE, "sort_count", inputs)
    again = outputs(executor, DRIVER_SOURCE + "\n", "sort_count", inputs)
    assert first == again and len({r["args"] for r in first}) == 3


@pytest.mark.parametrize(
    ("function", "inputs", "message"),
    [
        (
            "sort_cnt",
            "fn perforch_inputs() -> Vec<u8> { vec![] }",
            "no function `sort_cnt` in the source (functions found: sort_count, mean,",
        ),
        (
            "sort_count",
            "fn perforch_inputs() -> Vec<(Vec<i64>, usize)> { vec![] }",
            "takes 3 argument(s) (values: &mut Vec<i64>, label: &str, limit: usize) but the "
            "cases of perforch_inputs() are 2-tuples",
        ),
        ("mean", "fn cases() -> Vec<Vec<f64>> { vec![] }", "no `perforch_inputs` function"),
        ("mean", "fn perforch_inputs() -> Vec<Vec<i32>> { vec![vec![1]] }", "error[E0308]"),
    ],
)
def test_wrong_inputs_or_function_fail_the_build_clearly(
    executor: Executor, function: str, inputs: str, message: str
) -> None:
    assert message in build_error(executor, DRIVER_SOURCE, function, inputs)


def test_no_cases_stops_the_driver_with_a_message(executor: Executor) -> None:
    built = driver(
        executor, DRIVER_SOURCE, "mean", "fn perforch_inputs() -> Vec<Vec<f64>> { vec![] }"
    )
    result = executor.run(built, ["outputs"], RUN)
    assert result.returncode == 3 and "returned no cases" in result.stderr


# --- driver: bench --------------------------------------------------------------------------

WORK = """
fn work(n: u64) -> u64 {
    let mut x = 0u64;
    for i in 0..n * REPEAT {
        x = std::hint::black_box(x.wrapping_mul(6364136223846793005).wrapping_add(i));
    }
    x
}
const REPEAT: u64 = 1;
"""
WORK_INPUTS = "fn perforch_inputs() -> Vec<u64> {\n    vec![20_000, 40_000]\n}\n"


def bench(executor: Executor, built: Built, samples: int) -> list[dict[str, Any]]:
    result = executor.run(built, ["bench", "0", str(samples), "50"], RUN)
    assert result.ok, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_bench_gives_calibrated_samples_and_a_closing_line(executor: Executor) -> None:
    records = bench(executor, driver(executor, WORK, "work", WORK_INPUTS), 5)
    assert "calibrated" in records[0] and records[0]["calibrated"] >= 1
    samples = [r["ns"] for r in records if "ns" in r]
    assert len(samples) == 5 and min(samples) >= SHORTEST_SAMPLE_NS
    closing = records[-1]
    # raised only if warm-up ran under 10 ms
    assert closing["iterations"] >= records[0]["calibrated"]
    assert closing["peak_rss_kb"] > 0 and closing["cpu_ns"] > 0


def test_a_count_too_small_for_10_ms_is_raised_during_warm_up(executor: Executor) -> None:
    built = driver(executor, WORK, "work", WORK_INPUTS)
    result = executor.run(built, ["bench", "1", "3", "0"], RUN)
    records = [json.loads(line) for line in result.stdout.splitlines()]
    # One pass is far under 10 ms (the premise), so warm-up had to raise the count.
    assert max(per_pass_ns(records)) < MIN_SAMPLE_NS / 4 and records[-1]["iterations"] > 4
    assert min(r["ns"] for r in records if "ns" in r) >= SHORTEST_SAMPLE_NS


def test_twice_the_work_measures_about_twice_the_time(executor: Executor) -> None:
    fast = driver(executor, WORK, "work", WORK_INPUTS)
    slow = driver(executor, WORK.replace("REPEAT: u64 = 1", "REPEAT: u64 = 2"), "work", WORK_INPUTS)
    iterations = str(bench(executor, fast, 1)[0]["calibrated"])
    times: dict[str, list[float]] = {"fast": [], "slow": []}
    for _ in range(3):  # interleaved, so load on the machine hits both alike
        for name, built in (("fast", fast), ("slow", slow)):
            result = executor.run(built, ["bench", iterations, "5", "20"], RUN)
            times[name] += per_pass_ns(json.loads(line) for line in result.stdout.splitlines())
    ratio = statistics.median(times["slow"]) / statistics.median(times["fast"])
    assert 1.5 <= ratio <= 2.7, times


def test_results_are_kept_so_the_work_is_not_optimised_away(executor: Executor) -> None:
    # Without a sink the compiler could drop the pure loop; one pass over 60k steps of a
    # dependent chain cannot take under ~10 µs.
    source = WORK.replace("x = std::hint::black_box(x", "x = (x")
    records = bench(executor, driver(executor, source, "work", WORK_INPUTS), 3)
    assert min(per_pass_ns(records)) > 10_000


def test_each_case_is_timed_on_its_own_and_a_panicking_case_too(executor: Executor) -> None:
    source = (
        "fn total(xs: &[i64]) -> i64 {\n"
        '    assert!(!xs.is_empty(), "empty");\n'
        "    xs.iter().sum()\n"
        "}\n"
    )
    inputs = (
        "fn perforch_inputs() -> Vec<Vec<i64>> {\n"
        "    vec![vec![1, 2, 3], (0..1_000_000).map(|i| i % 1000).collect(), vec![]]\n"
        "}\n"
    )
    timings = time_cases(
        source, language="rust", function="total", inputs=inputs, executor=executor
    )
    assert timings is not None and len(timings) == 3 and min(timings) > 0
    assert timings[1] > 10 * max(timings[0], timings[2]), timings


COVERED = """\
pub fn sign(x: i64) -> i64 {
    if x > 0 {
        1
    } else if x < 0 {
        panic!("negative {}", x)
    } else {
        let zero = x * 2;
        zero
    }
}

pub fn unused(x: i64) -> i64 {
    let doubled = x * 2;
    doubled * 7
}

fn main() { println!("{}", sign(1)); }
"""


def coverage(executor: Executor, function: str, inputs: str) -> dict[str, Any]:
    program = rust.coverage_program(COVERED, function, inputs, executor.support)
    built = executor.build(program)
    assert built.ok, built.failure and built.failure.stderr
    result = executor.run(built, ["coverage"], RUN)
    assert result.ok, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 1, records
    record: dict[str, Any] = records[0]
    return record


def test_coverage_reports_the_lines_of_the_source_that_ran(executor: Executor) -> None:
    # One input panics. The `else` arm never runs; unused() runs only while the inputs are
    # built, which does not count; main() is never called. The closing brace (10) holds the
    # return; line 1 is the file's own although the driver puts #![no_main] in front of it.
    inputs = "fn perforch_inputs() -> Vec<i64> {\n    let _ = unused(3);\n    vec![5, -2, 9]\n}\n"
    assert coverage(executor, "sign", inputs)["lines"] == [1, 2, 3, 4, 5, 10]
    zero = "fn perforch_inputs() -> Vec<i64> {\n    vec![0]\n}\n"
    assert coverage(executor, "sign", zero)["lines"] == [1, 2, 4, 7, 8, 10]
    assert coverage(executor, "unused", zero)["lines"] == [12, 13, 14, 15]


def test_coverage_is_a_separate_build_and_the_timing_build_is_not_instrumented(
    executor: Executor,
) -> None:
    inputs = "fn perforch_inputs() -> Vec<i64> {\n    vec![1]\n}\n"
    plain = rust.driver_program(COVERED, "sign", inputs, executor.support)
    instrumented = rust.coverage_program(COVERED, "sign", inputs, executor.support)
    assert "opt-level=3" in plain.build[-1] and "debuginfo=0" in plain.build[-1]
    assert "opt-level=0" in instrumented.build[0] and rust.COVERED in instrumented.build[0]
    assert plain.run == ("./perforch_driver",) and "perforch_coverage.rs" not in plain.files
    built = driver(executor, COVERED, "sign", inputs)
    assert built.ok
    assert not executor.run(built, ["coverage"], RUN).ok
