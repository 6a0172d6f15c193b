"""The C++ module against the real g++, built and run through the namespace backend."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from sandbox import Executor, Limits, Support, WorkloadError, time_cases
from sandbox._executor import Built
from sandbox._failures import classify
from sandbox.languages import MIN_SAMPLE_NS, cpp
from tests.support.sandbox import SHORTEST_SAMPLE_NS, built_driver, per_pass_ns

pytestmark = pytest.mark.usefixtures("cpp_ready")


def build(executor: Executor, source: str, function: str, inputs: str) -> Built:
    return built_driver(executor, cpp, source, function, inputs)


def inputs_file(calls: str) -> str:
    return f"template <class Call> void perforch_inputs(Call&& call) {{\n{calls}\n}}\n"


def outputs(executor: Executor, source: str, function: str, calls: str) -> list[dict[str, Any]]:
    result = executor.run(
        build(executor, source, function, inputs_file(calls)), ["outputs"], Limits()
    )
    assert result.ok, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert "peak_rss_kb" in records[-1]
    return records[:-1]


def build_error(executor: Executor, source: str, function: str, inputs: str) -> str:
    built = executor.build(cpp.driver_program(source, function, inputs, executor.support))
    assert not built.ok and built.failure is not None
    failure = classify(built.failure, "build")
    assert failure is not None and failure.kind == "compile-error"
    return built.failure.stderr


LIBRARY = r"""
#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <queue>
#include <set>
#include <stdexcept>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <vector>
using namespace std;

void sort_in_place(vector<int>& xs) { sort(xs.begin(), xs.end()); }

int append_and_count(vector<int>& xs, int x) {
    xs.push_back(x);
    if (xs.size() > 3) abort();  // only if a call saw another call's argument
    return (int)xs.size();
}

double mean(const vector<double>& xs) {
    if (xs.empty()) throw invalid_argument("mean of nothing");
    double total = 0;
    for (double x : xs) total += x;
    return total / xs.size();
}

int at(const vector<int>& xs, int i) { return xs.at(i); }
int raw_throw(int code) { throw code; }

double third(double x) { return x / 3; }
float third_f(float x) { return x / 3; }

unordered_map<string, int> histogram(const vector<string>& words) {
    unordered_map<string, int> counts;
    for (const auto& w : words) counts[w]++;
    return counts;
}
unordered_set<int> distinct(vector<int> xs) { return {xs.begin(), xs.end()}; }
map<int, vector<string>> by_length(const vector<string>& words) {
    map<int, vector<string>> out;
    for (const auto& w : words) out[(int)w.size()].push_back(w);
    return out;
}

tuple<string, char, bool> describe(const string& s, optional<int> limit) {
    return {s + "\n\"end\"", s.empty() ? '\'' : s[0], limit.has_value()};
}
optional<int> find_first(const vector<int>& xs, int x) {
    for (size_t i = 0; i < xs.size(); ++i) if (xs[i] == x) return (int)i;
    return nullopt;
}
priority_queue<int> heap(const vector<int>& xs) { return {xs.begin(), xs.end()}; }

struct Counter {
    map<string, int> seen;
    int add(const string& word) { return ++seen[word]; }
};

namespace geo {
struct Point { double x, y; };
inline std::ostream& operator<<(std::ostream& out, const Point& p) {
    return out << "Point(" << p.x << ", " << p.y << ")";
}
Point midpoint(Point a, Point b) { return {(a.x + b.x) / 2, (a.y + b.y) / 2}; }
}

int scale(int x) { return x * 2; }
double scale(double x) { return x * 3; }
template <class T> T twice(T x) { return x + x; }
int power(int base, int exponent = 2) { int r = 1; while (exponent--) r *= base; return r; }

int main() { return 42; }  // a whole program: the driver must not run this
"""


def test_toolchain_is_found_with_the_precompiled_header(support: Support) -> None:
    found = cpp.toolchain(support)
    assert found.ok, found.problem
    assert found.version is not None and found.version[0].isdigit()
    assert "-std=c++17" in found.details["flags"] and "-O2" in found.details["flags"]
    header = Path(found.details["precompiled_header"])
    assert header.name == cpp.PCH_NAME and Path(f"{header}.gch").is_file()


def test_setup_is_idempotent(support: Support) -> None:
    pch = Path(cpp.toolchain(support).details["precompiled_header"])
    before = Path(f"{pch}.gch").stat().st_mtime_ns
    assert cpp.setup(support) == []
    assert Path(f"{pch}.gch").stat().st_mtime_ns == before


def test_builds_use_release_flags_and_are_deterministic(support: Support) -> None:
    first = cpp.driver_program(LIBRARY, "third", inputs_file("call(1.0);"), support)
    second = cpp.driver_program(LIBRARY, "third", inputs_file("call(1.0);"), support)
    assert first == second
    assert first.build[0][:3] == ("g++", "-std=c++17", "-O2")
    assert "-include" in first.build[0]
    assert first.cache_key_extra == f"g++ {cpp.toolchain(support).version}"


def test_tests_pass_and_a_failing_assertion_fails(executor: Executor) -> None:
    # The source may be a whole program: its own main is not the one that runs.
    source = "int add(int a, int b) { return a + b; }\nint main() { return 1; }\n"
    tests = "#include <cassert>\nint main() { assert(add(2, 3) == 5); }\n"
    passing = executor.build(cpp.test_program(source, tests, executor.support))
    assert passing.ok, passing.failure and passing.failure.stderr
    assert executor.run(passing, [], Limits()).ok
    wrong = source.replace("a + b", "a - b")
    failing = executor.build(cpp.test_program(wrong, tests, executor.support))
    failure = classify(executor.run(failing, [], Limits()), "test")
    assert failure is not None and failure.kind == "crash"  # assert() aborts: SIGABRT
    assert "Assertion `add(2, 3) == 5' failed" in failure.message


def test_compile_error_gives_the_compiler_message(executor: Executor) -> None:
    source = "int add(int a, int b) {\n    return a + c;\n}\n"
    built = executor.build(cpp.test_program(source, "int main() {}\n", executor.support))
    assert not built.ok and built.failure is not None
    failure = classify(built.failure, "build")
    assert failure is not None and failure.kind == "compile-error"
    assert "source.cpp:2:16: error: ‘c’ was not declared in this scope" in failure.message
    message = build_error(executor, source, "add", inputs_file("call(1, 2);"))
    assert "target.cpp:2:16: error: ‘c’ was not declared in this scope" in message


def test_outputs_report_results_and_arguments_after_the_call(executor: Executor) -> None:
    records = outputs(executor, LIBRARY, "sort_in_place", "call({3, 1, 2});\ncall({});")
    assert records == [
        {"case": 0, "result": "void", "args": "([1, 2, 3])"},
        {"case": 1, "result": "void", "args": "([])"},
    ]


def test_each_call_gets_a_fresh_copy_of_its_arguments(executor: Executor) -> None:
    calls = "std::vector<int> shared{1, 2};\ncall(shared, 7);\ncall(shared, 8);"
    records = outputs(executor, LIBRARY, "append_and_count", calls)
    assert [r["args"] for r in records] == ["([1, 2, 7], 7)", "([1, 2, 8], 8)"]
    built = build(executor, LIBRARY, "append_and_count", inputs_file(calls))
    result = executor.run(built, ["bench", "2000", "3", "0"], Limits())  # aborts if shared
    assert result.ok, result.stderr


def test_exceptions_are_reported_with_their_type(executor: Executor) -> None:
    mean = outputs(executor, LIBRARY, "mean", "call({1.0, 2.0});\ncall({});")
    assert mean == [
        {"case": 0, "result": "1.5", "args": "([1.0, 2.0])"},
        {"case": 1, "error": "std::invalid_argument: mean of nothing"},
    ]
    at = outputs(executor, LIBRARY, "at", "call({1, 2}, 5);")
    assert at[0]["error"].startswith("std::out_of_range: vector::_M_range_check")
    assert outputs(executor, LIBRARY, "raw_throw", "call(7);") == [{"case": 0, "error": "int: 7"}]


def test_floats_round_trip_and_arguments_convert_to_the_parameter_types(executor: Executor) -> None:
    records = outputs(executor, LIBRARY, "third", "call(1);\ncall(1.5);\ncall(3e300);")
    assert [r["result"] for r in records[:3]] == ["0.3333333333333333", "0.5", "1e+300"]
    assert records[0]["args"] == "(1.0)"
    single = outputs(executor, LIBRARY, "third_f", "call(1);\ncall(0.1);")
    assert [r["result"] for r in single] == ["0.33333334", "0.033333335"]


def test_unordered_containers_render_sorted(executor: Executor) -> None:
    words = 'call({"pear", "fig", "pear", "apple"});'
    histogram = outputs(executor, LIBRARY, "histogram", words)
    assert histogram[0]["result"] == '{"apple": 1, "fig": 1, "pear": 2}'
    distinct = outputs(executor, LIBRARY, "distinct", "call({10, 9, 2, 10, 1});")
    assert distinct[0]["result"] == "{1, 10, 2, 9}"  # sorted as text: the order is canonical
    by_length = outputs(executor, LIBRARY, "by_length", words)
    assert by_length[0]["result"] == '{3: ["fig"], 4: ["pear", "pear"], 5: ["apple"]}'


def test_strings_chars_tuples_optionals_and_adapters(executor: Executor) -> None:
    described = outputs(executor, LIBRARY, "describe", 'call("a\\tb", 3);\ncall("", std::nullopt);')
    assert described[0]["result"] == '("a\\tb\\n\\"end\\"", \'a\', true)'
    assert described[0]["args"] == '("a\\tb", 3)'
    assert described[1]["result"] == '("\\n\\"end\\"", \'\\\'\', false)'
    assert described[1]["args"] == '("", nullopt)'
    found = outputs(executor, LIBRARY, "find_first", "call({4, 5}, 5);\ncall({}, 1);")
    assert [r["result"] for r in found] == ["1", "nullopt"]
    heap = outputs(executor, LIBRARY, "heap", "call({3, 9, 1, 7});")
    assert heap[0]["result"] == "[9, 7, 3, 1]"


def test_members_overloads_templates_defaults_and_streamable_types(executor: Executor) -> None:
    counted = outputs(executor, LIBRARY, "Counter::add", 'call("a");')
    assert counted == [{"case": 0, "result": "1", "args": '("a")'}]  # a fresh Counter per call
    midpoint = outputs(executor, LIBRARY, "geo::midpoint", "call({0, 0}, {3, 4});")
    assert midpoint[0]["result"] == "Point(1.5, 2)"
    scaled = outputs(executor, LIBRARY, "scale", "call(2);\ncall(2.0);")
    assert [r["result"] for r in scaled] == ["4", "6.0"]
    doubled = outputs(executor, LIBRARY, "twice", 'call(21);\ncall(std::string("ab"));')
    assert [r["result"] for r in doubled] == ["42", '"abab"']
    instantiated = outputs(executor, LIBRARY, "twice<double>", "call(1);")  # converts to double
    assert instantiated == [{"case": 0, "result": "2.0", "args": "(1.0)"}]
    powers = outputs(executor, LIBRARY, "power", "call(3);\ncall(2, 10);")
    assert [r["result"] for r in powers] == ["9", "1024"]


def test_inputs_can_build_large_cases_with_the_seeded_generator(executor: Executor) -> None:
    calls = (
        "perforch::Random rng(7);\n"
        "call(rng.integers<int>(1000, -50, 50));\n"
        "call(rng.integers<int>(1000, -50, 50));"
    )
    records = outputs(executor, LIBRARY, "sort_in_place", calls)
    first, second = ([int(n) for n in r["args"].strip("([])").split(", ")] for r in records)
    assert len(first) == 1000 and first == sorted(first) and min(first) >= -50
    assert first != second
    again = outputs(executor, LIBRARY, "sort_in_place", calls + "\n")  # a separate build
    assert again == records


def test_bad_function_names_and_inputs_are_clear_errors(executor: Executor) -> None:
    good = inputs_file("call(1.0);")
    assert "‘nothing’ was not declared in this scope" in build_error(
        executor, LIBRARY, "nothing", good
    )
    with pytest.raises(WorkloadError, match="not a C\\+\\+ function name"):
        cpp.driver_program(LIBRARY, "third(1)", good, executor.support)
    missing = build_error(executor, LIBRARY, "third", "int cases = 1;\n")
    assert "inputs.cpp must define `template <class Call> void perforch_inputs" in missing
    typo = build_error(
        executor,
        LIBRARY,
        "third",
        "template <class Call> void perforch_inputs(Call&& call) { call(1.0) }\n",
    )
    assert "inputs.cpp:1:" in typo and "expected ‘;’" in typo
    arity = build_error(executor, LIBRARY, "mean", inputs_file("call({1.0}, 2);"))
    assert "inputs.cpp:2:" in arity and "no match for call" in arity
    unrenderable = build_error(
        executor,
        "struct Opaque { int x; };\nOpaque make(int x) { return {x}; }\n",
        "make",
        inputs_file("call(1);"),
    )
    assert "perforch cannot render this type" in unrenderable and "Opaque" in unrenderable
    no_cases = executor.run(
        build(executor, LIBRARY, "third", inputs_file("")), ["outputs"], Limits()
    )
    assert no_cases.returncode == 3 and "made no call(...)" in no_cases.stderr


def test_inputs_that_throw_stop_the_driver_with_exit_3(executor: Executor) -> None:
    inputs = inputs_file('throw std::runtime_error("no data file");')
    result = executor.run(build(executor, LIBRARY, "third", inputs), ["outputs"], Limits())
    assert result.returncode == 3
    assert "threw std::runtime_error: no data file" in result.stderr


BUSY = """
#include <vector>
long long work(const std::vector<long long>& xs, int rounds) {
    long long h = 0;
    for (int r = 0; r < rounds * ROUNDS; ++r)
        for (long long x : xs) h = h * 31 + (x ^ (h >> 7));
    return h;
}
"""
BUSY_INPUTS = inputs_file(
    "perforch::Random rng(3);\n"
    "call(rng.integers<long long>(4000, 0, 1 << 20), 3);\n"
    "call(rng.integers<long long>(100, 0, 1 << 20), 5);"
)


def bench(executor: Executor, built: Built, args: list[str]) -> list[dict[str, Any]]:
    result = executor.run(built, ["bench", *args], Limits(wall_seconds=120, cpu_seconds=240))
    assert result.ok, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_bench_calibrates_samples_of_at_least_10_ms(executor: Executor) -> None:
    built = build(executor, BUSY.replace("ROUNDS", "1"), "work", BUSY_INPUTS)
    records = bench(executor, built, ["0", "5", "50"])
    calibrated = records[0]["calibrated"]
    samples = [r["ns"] for r in records[1:-1]]
    assert calibrated >= 1 and len(samples) == 5
    assert min(samples) >= SHORTEST_SAMPLE_NS
    closing = records[-1]
    assert closing["iterations"] >= calibrated  # raised only if warm-up ran under 10 ms
    assert 500 < closing["peak_rss_kb"] < 200_000 and closing["cpu_ns"] > 5 * MIN_SAMPLE_NS


def test_a_count_too_small_for_10_ms_is_raised_during_warm_up(executor: Executor) -> None:
    built = build(executor, BUSY.replace("ROUNDS", "1"), "work", BUSY_INPUTS)
    records = bench(executor, built, ["1", "3", "0"])
    # One pass is far under 10 ms (the premise), so warm-up had to raise the count.
    assert max(per_pass_ns(records)) < MIN_SAMPLE_NS / 4 and records[-1]["iterations"] > 4
    assert min(r["ns"] for r in records if "ns" in r) >= SHORTEST_SAMPLE_NS


def test_twice_the_work_measures_about_twice_the_time(executor: Executor) -> None:
    # 4 and 8 rounds over the data, not 1 and 2: every call works on a fresh copy of its
    # argument, a fixed cost that would otherwise pull the ratio well below 2.
    once = build(executor, BUSY.replace("ROUNDS", "4"), "work", BUSY_INPUTS)
    twice = build(executor, BUSY.replace("ROUNDS", "8"), "work", BUSY_INPUTS)
    iterations = bench(executor, once, ["0", "1", "0"])[0]["calibrated"]
    times: dict[str, list[float]] = {"once": [], "twice": []}
    for _ in range(5):  # interleaved, so a change in machine load hits both
        for name, built in (("once", once), ("twice", twice)):
            times[name] += per_pass_ns(bench(executor, built, [str(iterations), "10", "20"]))
    # The fastest samples: on a shared machine the others include time spent descheduled.
    ratio = min(times["twice"]) / min(times["once"])
    assert 1.5 < ratio < 2.7, ratio


def test_each_case_is_timed_on_its_own_and_a_throwing_case_too(executor: Executor) -> None:
    source = (
        "#include <stdexcept>\n#include <vector>\n"
        "long long total(const std::vector<long long>& xs) {\n"
        '    if (xs.empty()) throw std::invalid_argument("empty");\n'
        "    long long sum = 0;\n    for (long long x : xs) sum += x;\n    return sum;\n}\n"
    )
    calls = (
        "call({1, 2, 3});\n"
        "perforch::Random rng(5);\n"
        "call(rng.integers<long long>(1000000, 0, 999));\n"
        "call({});"
    )
    timings = time_cases(
        source, language="cpp", function="total", inputs=inputs_file(calls), executor=executor
    )
    assert timings is not None and len(timings) == 3 and min(timings) > 0
    assert timings[1] > 10 * max(timings[0], timings[2]), timings


# Line numbers are the file's own: the driver includes it after its prelude.
COVERED = """\
#include <stdexcept>
#include <vector>
#include <string>
template <class T> T twice(T x) { return x + x; }

int sign(int x) {
    if (x > 0) {
        return 1;
    } else if (x < 0) {
        throw std::invalid_argument("negative");
    }
    int zero = twice(x);
    return zero;
}

int unused(int x) {
    return x * 7;
}
static const int seeded = unused(3);
"""


def coverage(executor: Executor, source: str, function: str, calls: str) -> dict[str, Any]:
    program = cpp.coverage_program(source, function, inputs_file(calls), executor.support)
    built = executor.build(program)
    assert built.ok, built.failure and built.failure.stderr
    result = executor.run(built, ["coverage"], Limits())
    assert result.ok, result.stderr
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(records) == 1, records
    record: dict[str, Any] = records[0]
    return record


def test_coverage_reports_the_lines_of_the_source_that_ran(executor: Executor) -> None:
    # Positive and negative inputs (one throws): the `x == 0` tail never runs, nor twice(),
    # whose only caller is that tail; unused() runs only in a static initialiser, before the
    # calls, which does not count.
    record = coverage(executor, COVERED, "sign", "call(5);\ncall(-2);\ncall(9);")
    assert record["lines"] == [6, 7, 8, 9, 10]
    assert {4, 6, 7, 8, 9, 10, 12, 13, 16, 17} <= set(record["executable"])
    assert not {1, 2, 5, 11, 15} & set(record["executable"])
    # Zero reaches the tail and the template; still not unused().
    record = coverage(executor, COVERED, "sign", "call(0);")
    assert record["lines"] == [4, 6, 7, 9, 12, 13]
    # Called directly, unused() runs in full.
    assert coverage(executor, COVERED, "unused", "call(1);")["lines"] == [16, 17]


def test_coverage_is_a_separate_build_and_the_timing_build_is_not_instrumented(
    executor: Executor,
) -> None:
    inputs = inputs_file("call(1);")
    plain = cpp.driver_program(COVERED, "sign", inputs, executor.support)
    instrumented = cpp.coverage_program(COVERED, "sign", inputs, executor.support)
    gcov = cpp.toolchain(executor.support).details["gcov"]
    assert Path(gcov).is_file() and f'-DPERFORCH_GCOV="{gcov}"' in instrumented.build[0]
    assert "--coverage" in instrumented.build[0] and "-O0" in instrumented.build[0]
    assert not any("coverage" in arg for arg in plain.build[0]) and "-O2" in plain.build[0]
    assert "perforch_coverage.hpp" not in plain.files and not plain.env
    built = build(executor, COVERED, "sign", inputs)
    assert built.directory is not None
    assert not list(built.directory.glob("*.gcno"))
    # The plain driver has no coverage mode at all; the instrumented one still gives outputs.
    assert not executor.run(built, ["coverage"], Limits()).ok
    result = executor.run(executor.build(instrumented), ["outputs"], Limits())
    assert result.ok and json.loads(result.stdout.splitlines()[0])["result"] == "1"
