"""The Java module against the real JDK, through the Executor and the namespace backend."""

from __future__ import annotations

import json
import os
import socket
import statistics
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from sandbox import RUN_LIMITS, Executor, time_cases
from sandbox._executor import Built
from sandbox._failures import classify
from sandbox._limits import MIB, Limits
from sandbox._process import ProcessResult
from sandbox.languages import MIN_SAMPLE_NS, java
from tests.support.hostile import connection_errors
from tests.support.sandbox import SHORTEST_SAMPLE_NS, per_pass_ns

SOLUTION = """import java.util.*;

class Solution {
    public boolean hasCloseElements(List<Double> numbers, double threshold) {
        for (int i = 0; i < numbers.size(); i++) {
            for (int j = i + 1; j < numbers.size(); j++) {
                if (Math.abs(numbers.get(i) - numbers.get(j)) < threshold) return true;
            }
        }
        return false;
    }
}
"""
TESTS = """public class Main {
    public static void main(String[] args) {
        Solution s = new Solution();
        if (!s.hasCloseElements(new ArrayList<>(Arrays.asList(1.0, 2.0, 3.9, 4.0, 5.0, 2.2)), 0.3)
                || s.hasCloseElements(new ArrayList<>(Arrays.asList(1.0, 2.0, 5.9)), 0.5)) {
            throw new AssertionError("hasCloseElements is wrong");
        }
    }
}
"""

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


def run_main(executor: Executor, body: str, limits: Limits, *extra: str) -> ProcessResult:
    """Runs ``body`` as a Java main method (in the tests layout) with ``extra`` as arguments."""
    tests = (
        "import java.io.*;\nimport java.net.*;\nimport java.nio.file.*;\nimport java.util.*;\n\n"
        "public class Main {\n    public static void main(String[] args) throws Exception {\n"
        f"{body}\n    }}\n}}\n"
    )
    built = executor.build(java.test_program("class Solution {}\n", tests, executor.support))
    assert built.ok, built.failure
    return executor.run(built, list(extra), limits)


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


# ---- hostile programs: each contained and reported, and the next job runs normally ----


@pytest.fixture
def listener() -> Iterator[int]:
    with socket.create_server(("127.0.0.1", 0)) as server:
        yield server.getsockname()[1]


def assert_next_job_runs(executor: Executor) -> None:
    built = executor.build(java.test_program(SOLUTION, TESTS, executor.support))
    assert classify(executor.run(built, [], RUN_LIMITS), "test") is None


def test_hostile_network_is_unreachable(hostile_executor: Executor, listener: int) -> None:
    body = """
        for (String target : new String[] {"127.0.0.1:" + args[0], "1.1.1.1:53", "8.8.8.8:443"}) {
            String[] parts = target.split(":");
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress(parts[0], Integer.parseInt(parts[1])), 10000);
                System.out.println("connected " + target);
            } catch (SocketTimeoutException e) {
                System.out.println("timed-out " + target);
            } catch (IOException e) {
                System.out.println("blocked " + parts[0] + ": " + e.getMessage());
            }
        }
        try {
            InetAddress.getByName("github.com");
            System.out.println("resolved");
        } catch (IOException e) {
            System.out.println("no-dns");
        }"""
    result = run_main(hostile_executor, body, RUN_LIMITS, str(listener))
    assert result.ok, result
    # Not the host's listener on loopback (the job's loopback is its own, or it cannot make a
    # socket at all), nothing else, and every attempt fails at once rather than by timing out.
    loopback, elsewhere = connection_errors(hostile_executor)
    assert result.stdout.splitlines() == [
        f"blocked 127.0.0.1: {loopback}",
        f"blocked 1.1.1.1: {elsewhere}",
        f"blocked 8.8.8.8: {elsewhere}",
        "no-dns",
    ], result.stdout
    assert_next_job_runs(hostile_executor)


def test_hostile_process_spawning_is_refused(hostile_executor: Executor) -> None:
    token = f"hostile-{uuid.uuid4().hex}"
    body = """
        int started = 0;
        try {
            for (; started < 1000; started++) {
                new ProcessBuilder("/bin/sh", "-c", "sleep 60", args[0]).start();
            }
            System.out.println("spawned " + started);
        } catch (IOException | OutOfMemoryError e) {  // the JVM needs a thread per child too
            System.out.println("refused " + started + " " + e);
        }"""
    limits = Limits(wall_seconds=60, cpu_seconds=30, max_processes=48)
    result = run_main(hostile_executor, body, limits, token)
    assert result.ok and result.stdout.startswith("refused "), result
    # The limit refused a child (fork: EAGAIN is errno 11) or a thread the JVM wanted for it.
    output = result.stdout + result.stderr
    assert "pthread_create failed (EAGAIN)" in output or "error=11" in output, output
    assert int(result.stdout.split()[1]) < 48
    assert not _processes_with(token), "children of the program outlived it"
    assert_next_job_runs(hostile_executor)


def test_hostile_allocation_past_the_memory_limit_is_stopped(hostile_executor: Executor) -> None:
    hog = "List<long[]> kept = new ArrayList<>();\nwhile (true) kept.add(new long[1 << 23]);"
    limits = Limits(wall_seconds=60, cpu_seconds=30, memory_bytes=512 * MIB)
    result = run_main(hostile_executor, hog, limits)
    failure = classify(result, "test")
    assert failure is not None and failure.kind == "out-of-memory", result
    # The heap is sized under the limit (from RLIMIT_AS, or from the container's cgroup limit
    # when there is none), so the JVM stops the program itself, saying why, before the kernel
    # would have to kill it.
    assert result.reason == "exited" and result.returncode == 1, result
    assert "java.lang.OutOfMemoryError: Java heap space" in result.stderr, result.stderr
    assert_next_job_runs(hostile_executor)


def _processes_with(token: str) -> list[Path]:
    """Host processes whose command line holds ``token``, after a short grace for the kernel to
    finish killing a namespace's processes."""
    deadline = time.monotonic() + 10
    while True:
        found = []
        for process in Path("/proc").iterdir():
            try:
                if process.name.isdigit() and token.encode() in (process / "cmdline").read_bytes():
                    found.append(process)
            except OSError:
                continue
        if not found or time.monotonic() > deadline:
            return found
        time.sleep(0.2)


def test_hostile_writes_stay_inside_the_working_directory(
    hostile_executor: Executor, tmp_path: Path
) -> None:
    token = uuid.uuid4().hex
    home = str(java.toolchain(hostile_executor.support).details["java_home"])
    body = """
        for (String dir : new String[] {"/etc", "/usr", "/", args[1], args[2], "/tmp", "."}) {
            try {
                Files.writeString(Paths.get(dir, "written-" + args[0]), "pwned");
                System.out.println("wrote " + dir);
            } catch (IOException e) {
                System.out.println("denied " + dir);
            }
        }"""
    result = run_main(hostile_executor, body, RUN_LIMITS, token, home, str(tmp_path))
    assert result.ok, result
    for place in ("/etc", "/usr", "/", home, str(tmp_path), "/tmp"):
        assert not Path(place, f"written-{token}").exists(), f"reached the host: {place}"
    for place in ("/etc", "/usr", "/", home, str(tmp_path)):
        assert f"denied {place}\n" in result.stdout, result.stdout
    assert "wrote .\n" in result.stdout
    assert_next_job_runs(hostile_executor)


def test_hostile_reads_find_no_secrets(
    hostile_executor: Executor, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = f"ghp_FAKE{uuid.uuid4().hex}"
    monkeypatch.setenv("GITHUB_TOKEN", secret)
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    (tmp_path / "token.txt").write_text(secret)
    body = """
        System.out.println("env " + System.getenv());
        System.out.println("home " + System.getProperty("user.home"));
        for (String file : new String[] {args[0] + "/token.txt", "/proc/1/environ",
                "/root/.git-credentials", "/root/.ssh/id_rsa", "/etc/shadow",
                System.getProperty("user.home") + "/.netrc"}) {
            try {
                byte[] content = Files.readAllBytes(Paths.get(file));
                System.out.println("read " + file + " " + new String(content));
            } catch (IOException e) {
                System.out.println("unreadable " + file);
            }
        }"""
    result = run_main(hostile_executor, body, RUN_LIMITS, str(tmp_path))
    assert result.ok, result
    assert secret not in result.stdout + result.stderr
    assert "GITHUB_TOKEN" not in result.stdout and "OPENAI_API_KEY" not in result.stdout
    assert f"unreadable {tmp_path}/token.txt" in result.stdout
    assert os.environ["GITHUB_TOKEN"] == secret  # the host's own environment is untouched
    assert_next_job_runs(hostile_executor)


def test_hostile_sleep_forever_times_out(hostile_executor: Executor) -> None:
    body = 'System.out.println("sleeping");\nSystem.out.flush();\nThread.sleep(Long.MAX_VALUE);'
    result = run_main(hostile_executor, body, Limits(wall_seconds=5, cpu_seconds=20))
    failure = classify(result, "test")
    assert failure is not None and failure.kind == "timeout", result
    assert "sleeping" in result.stdout
    assert_next_job_runs(hostile_executor)


def test_hostile_stdout_flood_is_cut(hostile_executor: Executor) -> None:
    body = 'String block = "x".repeat(65536);\nwhile (true) System.out.print(block);'
    result = run_main(hostile_executor, body, Limits(wall_seconds=60, output_bytes=256 * 1024))
    failure = classify(result, "test")
    assert failure is not None and failure.kind == "output-limit", result
    assert 0 < len(result.stdout) <= 256 * 1024
    assert_next_job_runs(hostile_executor)
