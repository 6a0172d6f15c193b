"""The Java module against the real JDK, through the Executor and the namespace backend."""

from __future__ import annotations

import json
import statistics
from typing import Any

from sandbox import RUN_LIMITS, Executor, time_cases
from sandbox._executor import Built
from sandbox._failures import classify
from sandbox._limits import MIB, Limits
from sandbox._process import ProcessResult
from sandbox.languages import MIN_SAMPLE_NS, java
from tests.sandbox.languages._java_support import (
    COMPARATOR_SORT,
    SOLUTION,
    SORT_INPUTS,
    TESTS,
    run_main,
)
from tests.support.sandbox import SHORTEST_SAMPLE_NS, per_pass_ns

ALGORITHMS = """import java.util.*;

public class Algorithms {
    record Point(int x, double y) {}

    static class Node {
        int value;
        Node next;
        Node(int value, Node next) { this.value = value; this.next = next; }
    }

    static void sortInPlace(int[] values) { Arrays.sort(values); }
    static int append(List<Integer> xs) {
        if (xs.size() != 1) Runtime.getRuntime().halt(7);  // not a fresh copy
        xs.add(xs.size());
        return xs.size();
    }
    static int divide(int a, int b) { return a / b; }
    static double mean(List<Double> xs) {
        double s = 0;
        for (double x : xs) s += x;
        return s / xs.size();
    }
    static Set<String> words(String text) { return new HashSet<>(Arrays.asList(text.split(" "))); }
    static Map<String, Integer> counts(String text) {
        Map<String, Integer> counts = new HashMap<>();
        for (String w : text.split(" ")) counts.merge(w, 1, Integer::sum);
        return counts;
    }
    static Node reverse(Node head) {
        Node previous = null;
        while (head != null) {
            Node next = head.next;
            head.next = previous;
            previous = head;
            head = next;
        }
        return previous;
    }
    static Optional<Point> farthest(List<Point> points) {
        return points.stream().max(Comparator.comparingDouble(p -> Math.hypot(p.x(), p.y())));
    }
    private static long square(long x) { return x * x; }
    static int kind(int x) { return 1; }
    static int kind(long x) { return 2; }
    static int kind(String x) { return 3; }
    int depth(int n) { return n == 0 ? 0 : 1 + depth(n - 1); }
}
"""

WORK = """class Work {
    static long mix(int[] data) {
        long h = 0;
        for (int round = 0; round < ROUNDS; round++) {
            for (int x : data) h = h * 31 + x;
        }
        return h;
    }
}
"""
WORK_INPUTS = """import java.util.*;

class PerforchInputs {
    static List<Object[]> cases() {
        Random random = new Random(7);
        int[] data = new int[20_000];
        for (int i = 0; i < data.length; i++) data[i] = random.nextInt();
        return List.<Object[]>of(new Object[] {data});
    }
}
"""


def inputs(*cases: str) -> str:
    rows = "\n".join(f"        cases.add(new Object[] {{{case}}});" for case in cases)
    return (
        "import java.util.*;\n\nclass PerforchInputs {\n    static List<Object[]> cases() {\n"
        f"        List<Object[]> cases = new ArrayList<>();\n{rows}\n        return cases;\n"
        "    }\n}\n"
    )


def build(executor: Executor, source: str, function: str, inputs_file: str) -> Built:
    built = executor.build(java.driver_program(source, function, inputs_file, executor.support))
    assert built.ok, built.failure
    return built


def records(result: ProcessResult) -> list[dict[str, Any]]:
    assert result.ok, result
    return [json.loads(line) for line in result.stdout.splitlines()]


def outputs(executor: Executor, function: str, *cases: str) -> list[dict[str, Any]]:
    built = build(executor, ALGORITHMS, function, inputs(*cases))
    found = records(executor.run(built, ["outputs"], RUN_LIMITS))
    assert set(found[-1]) == {"peak_rss_kb", "cpu_ns", "iterations"}
    return [{k: v for k, v in r.items() if k != "case"} for r in found[:-1]]


def test_toolchain_is_found_with_its_version(executor: Executor) -> None:
    toolchain = java.toolchain(executor.support)
    assert toolchain.ok, toolchain.problem
    assert toolchain.tool.endswith("/bin/javac")
    assert toolchain.version is not None
    assert int(toolchain.version.split(".")[0]) >= java.MIN_MAJOR
    assert java.setup(executor.support) == []


def test_tests_pass_and_fail(executor: Executor) -> None:
    passing = executor.build(java.test_program(SOLUTION, TESTS, executor.support))
    assert passing.ok, passing.failure
    assert classify(executor.run(passing, [], RUN_LIMITS), "test") is None
    wrong = SOLUTION.replace("return false;", "return true;")
    failing = executor.build(java.test_program(wrong, TESTS, executor.support))
    failure = classify(executor.run(failing, [], RUN_LIMITS), "test")
    assert failure is not None and failure.kind == "test-failed"
    assert "AssertionError: hasCloseElements is wrong" in failure.message


def test_compile_error_gives_the_compiler_message(executor: Executor) -> None:
    broken = SOLUTION.replace("return false;", 'return "no";')
    built = executor.build(java.test_program(broken, TESTS, executor.support))
    assert not built.ok and built.failure is not None
    failure = classify(built.failure, "build")
    assert failure is not None and failure.kind == "compile-error"
    assert "Solution.java:10: error: incompatible types" in failure.message


def test_outputs_report_mutated_arguments(executor: Executor) -> None:
    found = outputs(executor, "Algorithms.sortInPlace", "new int[] {3, 1, 2}", "new int[0]")
    assert found == [{"result": "void", "args": "[[1, 2, 3]]"}, {"result": "void", "args": "[[]]"}]
    found = outputs(
        executor,
        "Algorithms.reverse",
        "new Algorithms.Node(1, new Algorithms.Node(2, null))",
    )
    assert found == [
        {
            "result": "Node{value=2, next=Node{value=1, next=null}}",
            "args": "[Node{value=1, next=null}]",
        }
    ]


def test_each_call_gets_a_fresh_deep_copy(executor: Executor) -> None:
    case = "shared"  # the same list object in both cases and nested twice in a third
    built = build(
        executor,
        ALGORITHMS,
        "Algorithms.append",
        inputs(case, case).replace(
            "List<Object[]> cases = new ArrayList<>();",
            "List<Object[]> cases = new ArrayList<>();\n"
            "        List<Integer> shared = new ArrayList<>(List.of(7));",
        ),
    )
    found = records(executor.run(built, ["outputs"], RUN_LIMITS))
    assert [(r["result"], r["args"]) for r in found[:2]] == [("2", "[[7, 1]]"), ("2", "[[7, 1]]")]
    bench = records(executor.run(built, ["bench", "1000", "2", "0"], RUN_LIMITS))  # no halt
    assert len([r for r in bench if "ns" in r]) == 2
    assert [r["iterations"] >= 1000 for r in bench if "iterations" in r] == [True]


def test_outputs_report_exceptions_as_type_and_message(executor: Executor) -> None:
    found = outputs(executor, "Algorithms.divide", "7, 2", "1, 0")
    assert found == [
        {"result": "3", "args": "[7, 2]"},
        {"error": "java.lang.ArithmeticException: / by zero"},
    ]
    deep = outputs(executor, "Algorithms.depth", "10", "100_000_000")
    assert deep == [{"result": "10", "args": "[10]"}, {"error": "java.lang.StackOverflowError: "}]


def test_outputs_render_floats_round_trippably(executor: Executor) -> None:
    # Integers are converted to the parameter's element type (List<Double>).
    found = outputs(executor, "Algorithms.mean", "List.of(1, 2, 4)", "List.of(0.1, 0.2)")
    assert [float(r["result"]) for r in found] == [7 / 3, (0.1 + 0.2) / 2]
    assert found[0]["args"] == "[[1.0, 2.0, 4.0]]"


def test_outputs_sort_unordered_containers(executor: Executor) -> None:
    assert outputs(executor, "Algorithms.words", '"pear fig apple fig"') == [
        {"result": '{"apple", "fig", "pear"}', "args": '["pear fig apple fig"]'}
    ]
    assert outputs(executor, "Algorithms.counts", '"b a c a"')[0]["result"] == (
        '{"a": 2, "b": 1, "c": 1}'
    )


def test_outputs_of_records_optionals_private_methods_and_overloads(executor: Executor) -> None:
    points = "List.of(new Algorithms.Point(1, 1.5), new Algorithms.Point(-4, 0.25))"
    assert outputs(executor, "Algorithms.farthest", points, "List.of()") == [
        {
            "result": "Optional[Point[x=-4, y=0.25]]",
            "args": "[[Point[x=1, y=1.5], Point[x=-4, y=0.25]]]",
        },
        {"result": "Optional.empty", "args": "[[]]"},
    ]
    assert outputs(executor, "Algorithms.square", "3", "3_000_000_000L")[1]["result"] == (
        "9000000000000000000"
    )
    assert [r["result"] for r in outputs(executor, "Algorithms.kind", "5", "5L", '"5"')] == [
        "1",
        "2",
        "3",
    ]
    # An overload named with its parameter types; the int argument is widened to long.
    assert outputs(executor, "Algorithms.kind(long)", "5") == [{"result": "2", "args": "[5]"}]


def test_bad_function_or_inputs_fail_with_a_clear_message(executor: Executor) -> None:
    support = executor.support
    unknown = executor.build(
        java.driver_program(ALGORITHMS, "Algorithms.nope", inputs("1"), support)
    )
    assert unknown.failure is not None and "no method Algorithms.nope" in unknown.failure.stderr
    assert "Algorithms.divide" in unknown.failure.stderr  # what there is instead
    no_class = executor.build(
        java.driver_program(ALGORITHMS, "Algorithms.divide", "class Cases {}", support)
    )
    assert no_class.failure is not None and "class PerforchInputs" in no_class.failure.stderr
    built = build(executor, ALGORITHMS, "Algorithms.divide", inputs('"seven", 2'))
    result = executor.run(built, ["outputs"], RUN_LIMITS)
    assert result.returncode == 3
    assert "case 0 (String, Integer) does not fit Algorithms.divide" in result.stderr


def test_bench_gives_calibrated_samples_and_a_closing_line(executor: Executor) -> None:
    built = build(executor, WORK.replace("ROUNDS", "1"), "Work.mix", WORK_INPUTS)
    found = records(executor.run(built, ["bench", "0", "3", "0"], RUN_LIMITS))
    calibrated = found[0]["calibrated"]
    assert calibrated >= 1
    assert set(found[1]) == {"warmup_samples", "steady"} and found[1]["warmup_samples"] >= 1
    samples = [r["ns"] for r in found[2:5]]
    assert len(samples) == 3 and min(samples) >= SHORTEST_SAMPLE_NS
    closing = found[5]
    assert closing["iterations"] >= calibrated  # raised only if warm-up ran under 10 ms
    assert closing["peak_rss_kb"] > 1000
    # calibration, warm-up and samples: several times 10 ms of work on the CPU, at least
    assert closing["cpu_ns"] >= MIN_SAMPLE_NS


def test_a_count_too_small_for_10_ms_is_raised_during_warm_up(executor: Executor) -> None:
    built = build(executor, WORK.replace("ROUNDS", "1"), "Work.mix", WORK_INPUTS)
    found = records(executor.run(built, ["bench", "1", "3", "0"], RUN_LIMITS))
    # One pass is far under 10 ms (the premise), so warm-up had to raise the count.
    assert max(per_pass_ns(found)) < MIN_SAMPLE_NS / 4 and found[-1]["iterations"] > 4
    assert min(r["ns"] for r in found if "ns" in r) >= SHORTEST_SAMPLE_NS


def test_twice_the_work_measures_about_twice(executor: Executor) -> None:
    # 4 and 8 rounds over the data, not 1 and 2: every call reads a fresh (cache-cold) copy
    # of its argument, a fixed cost that would otherwise pull the ratio well below 2.
    once = build(executor, WORK.replace("ROUNDS", "4"), "Work.mix", WORK_INPUTS)
    twice = build(executor, WORK.replace("ROUNDS", "8"), "Work.mix", WORK_INPUTS)
    calibration = records(executor.run(once, ["bench", "0", "1", "0"], RUN_LIMITS))
    n = str(calibration[0]["calibrated"])
    centers: dict[str, list[float]] = {"once": [], "twice": []}
    # Interleaved processes, so a change in machine load hits both. Each JVM compiles the code
    # its own way (one may inline better than the next), so the typical process is compared,
    # not the single fastest sample, which one lucky JIT decision can set.
    for _round in range(5):
        for name, program in (("once", once), ("twice", twice)):
            found = records(executor.run(program, ["bench", n, "15", "100"], RUN_LIMITS))
            centers[name].append(statistics.median(per_pass_ns(found)))
    ratio = statistics.median(centers["twice"]) / statistics.median(centers["once"])
    assert 1.5 <= ratio <= 2.7, centers


def test_warm_up_waits_for_the_jit_not_only_for_rounds_that_agree(executor: Executor) -> None:
    built = build(executor, COMPARATOR_SORT, "Work.run", SORT_INPUTS)
    n = str(records(executor.run(built, ["bench", "0", "1", "0"], RUN_LIMITS))[0]["calibrated"])
    default, settled = [], []
    for warm_up_ms in ("0", "4000", "0", "4000", "0"):
        found = records(executor.run(built, ["bench", n, "5", warm_up_ms], RUN_LIMITS))
        (settled if warm_up_ms == "4000" else default).append(statistics.median(per_pass_ns(found)))
    # Rounds that only agreed were timed on the plateau: 4.5-6.6x slower than after 4 s, here
    # and under the whole suite's load. Settled JVMs differ by up to 1.7x among themselves (the
    # JIT compiles each its own way), and default ones within 2.1x of them.
    assert statistics.median(default) < 2.5 * statistics.median(settled), (default, settled)


TOTAL = """class Sums {
    static long total(int[] xs) {
        if (xs.length == 0) throw new IllegalArgumentException("empty");
        long sum = 0;
        for (int x : xs) sum += x;
        return sum;
    }
}
"""
TOTAL_INPUTS = """import java.util.*;

class PerforchInputs {
    static List<Object[]> cases() {
        int[] big = new int[1_000_000];
        for (int i = 0; i < big.length; i++) big[i] = i % 1000;
        return List.<Object[]>of(new Object[] {new int[] {1, 2, 3}}, new Object[] {big},
                new Object[] {new int[0]});
    }
}
"""


def test_each_case_is_timed_on_its_own_and_a_throwing_case_too(executor: Executor) -> None:
    timings = time_cases(
        TOTAL, language="java", function="Sums.total", inputs=TOTAL_INPUTS, executor=executor
    )
    assert timings is not None and len(timings) == 3 and min(timings) > 0
    # A million-element sum against a three-element one and a throw: a throw builds a stack
    # trace (~5-70 us here, the slow end in the host's slow spells), so 5x, not 10x.
    assert timings[1] > 5 * max(timings[0], timings[2]), timings


def test_jvm_runs_under_small_memory_limits_and_stops_at_them(executor: Executor) -> None:
    small = Limits(wall_seconds=60, cpu_seconds=30, memory_bytes=128 * MIB)
    fits = run_main(executor, "byte[] b = new byte[64 << 20]; System.out.println(b.length);", small)
    assert fits.ok and fits.stdout == f"{64 << 20}\n", fits
    hog = "List<long[]> kept = new ArrayList<>();\nwhile (true) kept.add(new long[1 << 23]);"
    result = run_main(
        executor, hog, Limits(wall_seconds=60, cpu_seconds=30, memory_bytes=2048 * MIB)
    )
    failure = classify(result, "test")
    assert failure is not None and failure.kind == "out-of-memory", result
    assert "java.lang.OutOfMemoryError: Java heap space" in result.stderr


COVERED = """\
package geo;

public class Signs {
    static final int SEEDED = unused(3);

    static int sign(int x) {
        if (x > 0) {
            return 1;
        } else if (x < 0) {
            throw new IllegalArgumentException("negative " + x);
        }
        int zero = x * 2;
        return zero;
    }

    static int unused(int x) {
        int doubled = x * 2;
        return doubled * 7;
    }
}
"""


def coverage(executor: Executor, function: str, *cases: str) -> dict[str, Any]:
    inputs_file = "package geo;\n" + inputs(*cases)
    program = java.coverage_program(COVERED, function, inputs_file, executor.support)
    built = executor.build(program)
    assert built.ok, built.failure
    found = records(executor.run(built, ["coverage"], RUN_LIMITS))
    assert len(found) == 1, found
    return found[0]


def test_coverage_reports_the_lines_of_the_source_that_ran(executor: Executor) -> None:
    # One input throws. The `x == 0` tail never runs; unused() runs only while the class
    # initialises, as the driver looks the function up before the calls, which does not count.
    record = coverage(executor, "Signs.sign", "5", "-2", "9")
    assert record["lines"] == [7, 8, 9, 10]
    # Lines with code: the implicit constructor (3), the static initialiser, the methods.
    assert record["executable"] == [3, 4, 7, 8, 9, 10, 12, 13, 17, 18]
    assert coverage(executor, "Signs.sign", "0")["lines"] == [7, 9, 12, 13]
    assert coverage(executor, "Signs.unused", "0")["lines"] == [17, 18]


def test_coverage_is_a_separate_program_and_the_timing_one_is_unchanged(
    executor: Executor,
) -> None:
    inputs_file = "package geo;\n" + inputs("1")
    plain = java.driver_program(COVERED, "Signs.sign", inputs_file, executor.support)
    traced = java.coverage_program(COVERED, "Signs.sign", inputs_file, executor.support)
    # The same classes compiled the same way, plus the debugger; the driver runs unchanged.
    assert set(traced.files) - set(plain.files) == {"PerforchCoverage.java"}
    assert all(traced.files[name] == text for name, text in plain.files.items())
    assert plain.run[-1] == "geo.PerforchDriver" and "PerforchCoverage" in traced.run
    built = build(executor, COVERED, "Signs.sign", inputs_file)
    assert not executor.run(built, ["coverage"], RUN_LIMITS).ok
