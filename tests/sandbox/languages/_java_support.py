"""Java programs the module's tests, its hostile tests and bench/java_warmup.py share: a
HumanEval-X style solution with its tests, a comparator sort whose JIT takes long to settle, and
a main method run in the tests layout."""

from __future__ import annotations

from sandbox import Executor
from sandbox._limits import Limits
from sandbox._process import ProcessResult
from sandbox.languages import java

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

# Boxed integers sorted through a comparator: TimSort's methods are big, and C2 takes a second
# or so to compile them while C1's code runs at a plateau several times slower.
COMPARATOR_SORT = """import java.util.*;

class Work {
    static long run(int[] data) {
        Integer[] boxed = new Integer[data.length];
        for (int i = 0; i < data.length; i++) boxed[i] = data[i];
        Arrays.sort(boxed, (a, b) -> Integer.compare(a, b));
        long h = 0;
        for (int x : boxed) h = h * 31 + x;
        return h;
    }
}
"""
SORT_INPUTS = """import java.util.*;

class PerforchInputs {
    static List<Object[]> cases() {
        Random random = new Random(7);
        int[] data = new int[2000];
        for (int i = 0; i < data.length; i++) data[i] = random.nextInt(1_000_000);
        return List.<Object[]>of(new Object[] {data});
    }
}
"""


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
