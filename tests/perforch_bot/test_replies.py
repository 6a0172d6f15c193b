"""Reading model replies: prose and fences tolerated, exactly one function with the target's
name and signature required, in each of the five languages."""

from __future__ import annotations

import pytest

from perforch_bot.replies import Candidate, Rejection, code_blocks, parse_reply
from perforch_bot.targets import Function, extract

PYTHON = '''import math


def helper(x):
    return x * 2


def total(values, start=0):
    """Sum values."""
    result = start
    for v in values:
        result += v
    return result
'''

SOURCES = {
    "stats.py": PYTHON,
    "Stats.java": """import java.util.List;

public class Stats {
    public static long total(List<Integer> values) {
        long result = 0;
        for (int v : values) {
            result += v;
        }
        return result;
    }
}
""",
    "stats.cpp": """#include <vector>

long total(const std::vector<int>& values) {
    long result = 0;
    for (int v : values) result += v;
    return result;
}
""",
    "stats.go": """package stats

func total(values []int) int {
	result := 0
	for _, v := range values {
		result += v
	}
	return result
}
""",
    "stats.rs": """pub fn total(values: &[i64]) -> i64 {
    let mut result = 0;
    for v in values {
        result += v;
    }
    result
}
""",
}

# A faster version, as a model might write it, and one whose signature changed.
FASTER = {
    "stats.py": (
        "```python\nimport itertools\n\ndef total(values, start=0):\n"
        "    return start + sum(values)\n```",
        "```python\ndef total(values, start=0, step=1):\n    return start + sum(values)\n```",
    ),
    "Stats.java": (
        "```java\nimport java.util.stream.*;\n\nclass Stats {\n"
        "    public static long total(List<Integer> values) {\n"
        "        return values.stream().mapToLong(Integer::longValue).sum();\n    }\n}\n```",
        "```java\npublic static long total(List<Long> values) {\n"
        "    return values.stream().mapToLong(Long::longValue).sum();\n}\n```",
    ),
    "stats.cpp": (
        "```cpp\n#include <numeric>\n\nlong total(const std::vector<int>& values) {\n"
        "    return std::accumulate(values.begin(), values.end(), 0L);\n}\n```",
        "```cpp\nlong total(std::vector<int> values) {\n"
        "    return std::accumulate(values.begin(), values.end(), 0L);\n}\n```",
    ),
    "stats.go": (
        "```go\nfunc total(values []int) int {\n\tresult := 0\n"
        "\tfor i := range values {\n\t\tresult += values[i]\n\t}\n\treturn result\n}\n```",
        "```go\nfunc total(values []int) int64 {\n\treturn 0\n}\n```",
    ),
    "stats.rs": (
        "```rust\npub fn total(values: &[i64]) -> i64 {\n    values.iter().sum()\n}\n```",
        "```rust\npub fn total(values: &Vec<i64>) -> i64 {\n    values.iter().sum()\n}\n```",
    ),
}


# What only the faster version has, to find it in the updated file.
MARKERS = {
    "stats.py": "return start + sum(values)",
    "Stats.java": "mapToLong(Integer::longValue)",
    "stats.cpp": "std::accumulate",
    "stats.go": "result += values[i]",
    "stats.rs": "values.iter().sum()",
}


def target(path: str, name: str = "total") -> Function:
    [function] = [f for f in extract(path, SOURCES[path].encode()).functions if f.name == name]
    return function


def parse(path: str, reply: str) -> Candidate | Rejection:
    return parse_reply(reply, target=target(path), source=SOURCES[path].encode())


def accepted(path: str, reply: str) -> Candidate:
    result = parse(path, reply)
    assert isinstance(result, Candidate), result
    return result


def rejected(path: str, reply: str) -> Rejection:
    result = parse(path, reply)
    assert isinstance(result, Rejection), result
    return result


@pytest.mark.parametrize("path", sorted(SOURCES))
def test_a_faster_version_in_prose_is_accepted_and_placed(path: str) -> None:
    good, _ = FASTER[path]
    reply = f"Here is a faster version.\n\n{good}\n\nIt avoids the explicit loop."

    candidate = accepted(path, reply)

    new = candidate.edit.new_function
    assert new.name == "total" and MARKERS[path] in new.text
    assert MARKERS[path] in candidate.code and not candidate.code.startswith("```")
    assert MARKERS[path] not in SOURCES[path]
    assert extract(path, candidate.edit.updated).warnings == ()


@pytest.mark.parametrize("path", sorted(SOURCES))
def test_a_changed_signature_is_refused_with_both_versions(path: str) -> None:
    _, changed = FASTER[path]

    rejection = rejected(path, changed)

    assert rejection.kind == "signature_changed"
    assert rejection.reason.startswith(f"signature changed: it was `{target(path).signature.text}`")
    assert "the reply has `" in rejection.reason


def test_new_imports_are_reported_apart_from_the_code() -> None:
    java = accepted("Stats.java", FASTER["Stats.java"][0])
    assert java.imports == ("import java.util.stream.*;",)
    assert "import" not in java.code and "class Stats" not in java.code
    python = accepted("stats.py", FASTER["stats.py"][0] + "\n```python\nimport math\n```")
    assert python.imports == ("import itertools",)  # math is imported by the file already
    cpp = accepted("stats.cpp", FASTER["stats.cpp"][0])
    assert cpp.imports == ("#include <numeric>",)


def test_the_last_block_defining_the_function_is_the_answer() -> None:
    reply = (
        f"Your code:\n```python\n{PYTHON}```\nUsage:\n```bash\npython stats.py\n```\n"
        "Faster:\n```py\ndef total(values, start=0):\n    return start + sum(values)\n```\n"
        "Test:\n```python\nassert total([1, 2]) == 3\n```"
    )

    candidate = accepted("stats.py", reply)

    assert "sum(values)" in candidate.code


def test_a_reply_that_is_only_code_is_accepted() -> None:
    candidate = accepted(
        "stats.py", "def total(values, start=0):\n    return start + sum(values)\n"
    )
    assert candidate.code.endswith("return start + sum(values)")


def test_thinking_and_tildes_and_crlf_are_tolerated() -> None:
    reply = (
        "<think>Maybe:\n```python\ndef total(values, start=0):\n    draft(\n```\n</think>\r\n"
        "~~~python\r\ndef total(values, start=0):\r\n    return start + sum(values)\r\n~~~\r\n"
    )
    assert "return start + sum(values)" in accepted("stats.py", reply).code


def test_formatting_of_the_signature_does_not_matter() -> None:
    reply = "```python\ndef total( values,start = 0, ):\n    return start + sum(values)\n```"
    assert isinstance(parse("stats.py", reply), Candidate)


def test_helpers_nested_inside_are_part_of_the_function() -> None:
    reply = (
        "```python\ndef total(values, start=0):\n    def add(a, b):\n        return a + b\n"
        "    result = start\n    for v in values:\n        result = add(result, v)\n"
        "    return result\n```"
    )
    assert "def add" in accepted("stats.py", reply).code


@pytest.mark.parametrize(
    ("reply", "kind", "reason"),
    [
        ("I would use sum() here; it is implemented in C.", "no_code_block", "no code block: "),
        ("```python\nTOTAL = 3\n```", "no_function", "no function: "),
        (
            "```python\ndef fast_total(values, start=0):\n    return start + sum(values)\n```",
            "wrong_name",
            "wrong name: the reply defines fast_total, not total",
        ),
        (
            "```python\ndef _add(a, b):\n    return a + b\n\n"
            "def total(values, start=0):\n    return _add(start, sum(values))\n```",
            "several_functions",
            "2 functions (_add, total): reply with only total",
        ),
        (
            "```python\ndef total(values, start=0):\n    return start + sum(values\n```",
            "does_not_parse",
            "does not parse: syntax error at line 2 column 5 of the code: "
            "`return start + sum(values`",
        ),
        (
            "Sure:\n```python\ndef total(values, start=0):\n    result = start\n    for v in",
            "does_not_parse",
            "does not parse: syntax error at line 3",
        ),
    ],
    ids=["prose", "no-function", "renamed", "helper", "syntax", "cut-off"],
)
def test_unusable_replies_say_why(reply: str, kind: str, reason: str) -> None:
    rejection = rejected("stats.py", reply)

    assert rejection.kind == kind
    assert rejection.reason.startswith(reason), rejection.reason
    assert str(rejection) == rejection.reason


def test_a_java_method_returned_bare_or_in_its_class_is_the_same() -> None:
    body = (
        "public static long total(List<Integer> values) {\n"
        "    long result = 0;\n    for (int v : values) result += v;\n    return result;\n}"
    )
    bare = accepted("Stats.java", f"```java\n{body}\n```")
    wrapped = accepted("Stats.java", f"```java\nclass Stats {{\n{body}\n}}\n```")

    assert bare.edit.updated == wrapped.edit.updated


def test_code_blocks_lists_each_fence_with_its_tag() -> None:
    blocks = code_blocks("a\n```Python\nx = 1\n```\nb\n````\n```inner```\n````\n~~~go\nend")

    assert [(b.tag, b.code) for b in blocks] == [
        ("python", "x = 1\n"),
        ("", "```inner```\n"),
        ("go", "end"),
    ]
