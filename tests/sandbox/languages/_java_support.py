"""Java programs the module's tests and its hostile tests share: a HumanEval-X style solution
with its tests, and a main method run in the tests layout."""

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
