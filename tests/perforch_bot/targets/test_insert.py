"""Inserting new functions: where each language puts them, exact bytes, refusals, and that the
result compiles with the real toolchains."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from perforch_bot.targets import Insertion, InsertionError, extract, insert_function, parse_spec
from perforch_bot.targets._insert import _check_kept
from sandbox import run_process


def _insert(path: str, source: str, name: str, code: str) -> Insertion:
    insertion = insert_function(path, source.encode(), f"{path}::{name}", code)
    assert insertion.original == source.encode()
    assert insertion.new_function.spec == f"{path}::{name}"
    assert extract(path, insertion.updated).warnings == ()
    return insertion


def _refused(path: str, source: str, name: str, code: str) -> str:
    with pytest.raises(InsertionError) as raised:
        insert_function(path, source.encode(), f"{path}::{name}", code)
    return str(raised.value)


# Python

PY_MODULE = "import math\n\n\ndef mean(xs):\n    return sum(xs) / len(xs)\n\n\n\n"


def test_python_function_goes_at_the_end_of_the_module() -> None:
    insertion = _insert(
        "src/stats.py", PY_MODULE, "median", "def median(xs):\n  return sorted(xs)[len(xs) // 2]\n"
    )
    assert insertion.updated == (
        b"import math\n\n\ndef mean(xs):\n    return sum(xs) / len(xs)\n\n\n"
        b"def median(xs):\n    return sorted(xs)[len(xs) // 2]\n"
    )
    assert insertion.container is None
    assert insertion.new_function.qualified_name == "median"
    # into a file without a final newline, or an empty one
    assert _insert("a.py", "x = 1", "f", "def f():\n    pass").updated == (
        b"x = 1\n\n\ndef f():\n    pass\n"
    )
    assert _insert("a.py", "", "f", "def f():\n    pass").updated == b"def f():\n    pass\n"


def test_python_function_goes_before_the_main_guard() -> None:
    source = (
        "def main():\n    print(median([1]))\n\n\n"
        "# Run it.\nif __name__ == '__main__':\n    main()\n"
    )
    insertion = _insert("run.py", source, "median", "def median(xs):\n    return xs[0]")
    assert insertion.updated == (
        b"def main():\n    print(median([1]))\n\n\ndef median(xs):\n    return xs[0]\n\n\n"
        b"# Run it.\nif __name__ == '__main__':\n    main()\n"
    )


PY_CLASS = (
    "class Stats:\n"
    '    """Numbers."""\n'
    "\n"
    "    def mean(self):\n"
    "        return 0\n"
    "\n"
    "\n"
    "def median(xs):\n"
    "    return xs[0]\n"
)


def test_python_method_goes_at_the_end_of_its_class() -> None:
    code = (
        "@staticmethod\n"
        "def median(xs):\n"
        '    """The middle one.\n'
        "\n"
        "    Example:\n"
        "        >>> Stats.median([3, 1, 2])\n"
        "        2\n"
        '    """\n'
        "    return sorted(xs)[len(xs) // 2]\n"
    )
    # ``median`` exists at module level: ``Stats.median`` is still new
    insertion = _insert("stats.py", PY_CLASS, "Stats.median", code)
    assert insertion.updated.decode() == (
        "class Stats:\n"
        '    """Numbers."""\n'
        "\n"
        "    def mean(self):\n"
        "        return 0\n"
        "\n"
        "    @staticmethod\n"
        "    def median(xs):\n"
        '        """The middle one.\n'
        # the docstring's inside is part of its value: left as written
        "\n"
        "    Example:\n"
        "        >>> Stats.median([3, 1, 2])\n"
        "        2\n"
        '    """\n'
        "        return sorted(xs)[len(xs) // 2]\n"
        "\n"
        "\n"
        "def median(xs):\n"
        "    return xs[0]\n"
    )
    assert insertion.container == "Stats"
    assert insertion.new_function.kind == "method"


def test_tab_indented_and_crlf_python() -> None:
    source = "class A:\r\n\tdef f(self):\r\n\t\treturn 1\r\n"
    insertion = _insert("t.py", source, "A.g", "def g(self):\n    if self:\n        return 2\n")
    assert insertion.updated == (
        b"class A:\r\n\tdef f(self):\r\n\t\treturn 1\r\n\r\n"
        b"\tdef g(self):\r\n\t\tif self:\r\n\t\t\treturn 2\r\n"
    )


def test_a_shortened_name_is_not_an_existing_function() -> None:
    # ``mean`` at module level is new although ``Stats.mean`` ends with it
    insertion = _insert("stats.py", PY_CLASS, "mean", "def mean(xs):\n    return 0")
    assert insertion.updated.decode() == PY_CLASS + "\n\ndef mean(xs):\n    return 0\n"


def test_losing_a_function_is_refused() -> None:
    """The syntax check and the only-the-function check stop the ways code could lose the
    file's functions; this last check is tried on its own."""
    old = extract("k.py", b"def f():\n    pass\n\n\ndef g():\n    pass\n").functions
    target = parse_spec("k.py::h")
    with pytest.raises(InsertionError) as raised:
        _check_kept(old, [old[0]], target)
    assert str(raised.value) == (
        "putting h into k.py would change or lose g; give only the new function, complete. "
        "k.py was not changed"
    )
    _check_kept(old, list(old), target)


def test_python_refusals() -> None:
    assert "already exists; use optimize" in _refused(
        "stats.py", PY_CLASS, "Stats.mean", "def mean(self):\n    return 1"
    )
    assert _refused("stats.py", PY_CLASS, "Numbers.median", "def median(self):\n    pass") == (
        "there is no class Numbers in stats.py; create the class first or name an existing one"
    )
    assert "not into a nested class" in _refused(
        "stats.py", PY_CLASS, "Stats.Inner.f", "def f(self):\n    pass"
    )
    assert _refused("stats.py", PY_CLASS, "f", "def f(:\n    pass").startswith(
        "the new function f does not parse (syntax error at line 1 of the new code"
    )
    assert _refused("stats.py", PY_CLASS, "f", "def g():\n    pass") == (
        "the code does not define f (it defines g); write the function the spec names. "
        "stats.py was not changed"
    )
    assert "holds more than the function f ('def g():')" in _refused(
        "stats.py", PY_CLASS, "f", "def f():\n    pass\n\n\ndef g():\n    pass"
    )
    assert "holds more than the function f ('print(f())')" in _refused(
        "stats.py", PY_CLASS, "f", "def f():\n    return 1\n\n\nprint(f())\n"
    )
    assert "is empty" in _refused("stats.py", PY_CLASS, "f", "\n  \n")
    with pytest.raises(InsertionError, match=r"names a function of b\.py, not of a\.py"):
        insert_function("a.py", b"", "b.py::f", "def f():\n    pass")


# Java

JAVA = """package demo;

/** Statistics. */
public class Stats {
    private final int[] xs;

    public Stats(int[] xs) {
        this.xs = xs;
    }

    static class Window {
        int size;
    }

    enum Kind { MEAN, MEDIAN }

    record Point(int x, int y) {}
}
"""

JAVA_MEDIAN = "/** The middle value. */\npublic int median() {\n    return xs[xs.length / 2];\n}"


def test_java_method_goes_before_the_closing_brace_of_its_class() -> None:
    insertion = _insert("src/Stats.java", JAVA, "Stats.median", JAVA_MEDIAN)
    assert insertion.updated.decode() == JAVA.replace(
        "    record Point(int x, int y) {}\n}\n",
        "    record Point(int x, int y) {}\n\n"
        "    /** The middle value. */\n    public int median() {\n"
        "        return xs[xs.length / 2];\n    }\n}\n",
    )
    assert insertion.container == "Stats"


def test_java_nested_enum_and_record_bodies() -> None:
    code = "int twice() {\n    return 2 * size;\n}"
    window = _insert("Stats.java", JAVA, "Stats.Window.twice", code)
    assert (
        "    static class Window {\n        int size;\n\n        int twice() {\n"
        "            return 2 * size;\n        }\n    }\n"
    ) in window.updated.decode()
    assert window.container == "Stats.Window"
    # an enum with constants only gets the ``;`` its methods need; a one-line body opens up
    kind = _insert("Stats.java", JAVA, "Stats.Kind.label", "String label() {\n  return name();\n}")
    assert (
        "    enum Kind { MEAN, MEDIAN;\n\n        String label() {\n            return name();\n"
        "        }\n    }\n"
    ) in kind.updated.decode()
    point = _insert("Stats.java", JAVA, "Stats.Point.sum", "int sum() { return x + y; }")
    assert "    record Point(int x, int y) {\n        int sum() { return x + y; }\n    }\n" in (
        point.updated.decode()
    )


def test_java_crlf_and_overloads() -> None:
    source = "class A {\r\n\tint f(int x) {\r\n\t\treturn x;\r\n\t}\r\n}\r\n"
    insertion = _insert("A.java", source, "A.f(long)", "int f(long x) {\n    return 1;\n}")
    assert insertion.updated == (
        b"class A {\r\n\tint f(int x) {\r\n\t\treturn x;\r\n\t}\r\n\r\n"
        b"\tint f(long x) {\r\n\t\treturn 1;\r\n\t}\r\n}\r\n"
    )
    assert insertion.new_function.spec == "A.java::A.f(long)"  # overloaded now
    message = _refused("A.java", source, "A.f", "int f(long x) {\n    return 1;\n}")
    assert message == (
        "A.java::A.f (line 2) already exists; use optimize to improve it, or give the new "
        "function a name the file does not have (for another overload, give its parameter "
        "types: A.java::A.f(TYPES))"
    )


def test_java_refusals() -> None:
    assert _refused("src/Stats.java", JAVA, "median", JAVA_MEDIAN) == (
        "Java methods live in a class: name it src/Stats.java::Class.median"
    )
    assert _refused("src/Stats.java", JAVA, "Numbers.median", JAVA_MEDIAN) == (
        "there is no class Numbers in src/Stats.java; create the class first or name an "
        "existing one"
    )
    # an unbalanced brace would close the class early
    assert "does not parse" in _refused(
        "Stats.java", JAVA, "Stats.median", "int median() {\n    if (true) {\n    return 1;\n}"
    )
    # ... and an extra one would end it and open another: the rest is no longer the same
    assert "holds more than the function Stats.median" in _refused(
        "Stats.java", JAVA, "Stats.median", "int median() {\n    return 1;\n}\n}\nclass More {"
    )


# Go

GO = "package cache\n\ntype Cache struct {\n\titems map[string]int\n}\n"


def test_go_functions_and_methods_go_at_the_end() -> None:
    insertion = _insert(
        "cache.go",
        GO,
        "(*Cache).Get",
        "// Get returns the item.\nfunc (c *Cache) Get(key string) int {\n"
        "    return c.items[key]\n}\n",
    )
    assert insertion.updated == (
        b"package cache\n\ntype Cache struct {\n\titems map[string]int\n}\n\n"
        b"// Get returns the item.\nfunc (c *Cache) Get(key string) int {\n"
        b"\treturn c.items[key]\n}\n"
    )
    assert insertion.container is None
    assert _insert("cache.go", GO, "Cache.Len", "func (c Cache) Len() int { return 0 }").updated
    assert _insert("cache.go", GO, "New", "func New() *Cache { return nil }").updated.endswith(
        b"}\n\nfunc New() *Cache { return nil }\n"
    )
    # the receiver the code declares must be the one the spec names
    assert _refused(
        "cache.go", GO, "(*Cache).Get", "func (c Cache) Get(key string) int { return 0 }"
    ).startswith("the code does not define (*Cache).Get (it defines Cache.Get)")


# Rust

RUST = """use std::fmt;

pub struct Parser {
    pos: usize,
}

impl Parser {
    pub fn new() -> Self {
        Parser { pos: 0 }
    }
}

impl fmt::Display for Parser {
    fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result {
        write!(f, "{}", self.pos)
    }
}

pub struct Token;
pub struct Stack<T>(Vec<T>);

mod helpers {}
"""


def test_rust_method_goes_into_the_inherent_impl() -> None:
    insertion = _insert(
        "src/lib.rs",
        RUST,
        "Parser::parse",
        "/// Parses.\n#[inline]\npub fn parse(&mut self) -> usize {\n"
        "  self.pos += 1;\n  self.pos\n}",
    )
    assert insertion.updated.decode() == RUST.replace(
        "        Parser { pos: 0 }\n    }\n}\n",
        "        Parser { pos: 0 }\n    }\n\n    /// Parses.\n    #[inline]\n"
        "    pub fn parse(&mut self) -> usize {\n        self.pos += 1;\n        self.pos\n"
        "    }\n}\n",
    )
    assert insertion.container == "Parser"


def test_rust_function_and_new_impl_go_at_the_end() -> None:
    free = _insert("lib.rs", RUST, "tokenize", "fn tokenize() -> Vec<Token> {\n    vec![]\n}")
    assert free.updated.decode() == RUST + "\nfn tokenize() -> Vec<Token> {\n    vec![]\n}\n"
    assert free.container is None
    method = _insert("lib.rs", RUST, "Token::len", "fn len(&self) -> usize {\n    1\n}")
    assert method.updated.decode() == RUST + (
        "\nimpl Token {\n    fn len(&self) -> usize {\n        1\n    }\n}\n"
    )
    assert method.container == "Token"


def test_rust_refusals() -> None:
    code = "fn f() {}"
    assert "not into a module or a trait impl" in _refused("lib.rs", RUST, "a::b::f", code)
    assert "not into a module or a trait impl" in _refused(
        "lib.rs", RUST, "<Parser as fmt::Display>::f", code
    )
    assert _refused("lib.rs", RUST, "helpers::f", code).startswith("helpers is a module of lib.rs")
    assert _refused("lib.rs", RUST, "Stack::f", code) == (
        "Stack is generic and lib.rs has no `impl Stack` block to put f in; add one "
        "(impl<...> Stack<...> {}) first"
    )
    assert "already exists" in _refused("lib.rs", RUST, "Parser::new", "fn new() -> Self {}")


# C++

CPP = """#include <vector>

namespace stats {

class Summary {
public:
    double mean() const;
    double spread() const { return 0; }
};

}  // namespace stats

int count(const std::vector<int>& xs) { return xs.size(); }
"""


def test_cpp_free_and_namespaced_functions_go_at_the_end() -> None:
    free = _insert("s.cpp", CPP, "total", "int total(int a, int b) {\n  return a + b;\n}")
    assert free.updated.decode() == CPP + "\nint total(int a, int b) {\n    return a + b;\n}\n"
    namespaced = _insert(
        "s.cpp",
        CPP,
        "stats::median",
        "double median(std::vector<double> xs) {\n    return xs[xs.size() / 2];\n}",
    )
    assert namespaced.updated.decode() == CPP + (
        "\nnamespace stats {\ndouble median(std::vector<double> xs) {\n"
        "    return xs[xs.size() / 2];\n}\n}  // namespace stats\n"
    )
    assert namespaced.container == "stats"
    nested = _insert("s.cpp", CPP, "a::b::one", "int one() { return 1; }")
    assert nested.updated.decode() == CPP + (
        "\nnamespace a::b {\nint one() { return 1; }\n}  // namespace a::b\n"
    )


def test_cpp_member_functions_need_their_declaration() -> None:
    assert _refused(
        "s.cpp", CPP, "stats::Summary::median", "double Summary::median() const { return 0; }"
    ) == (
        "s.cpp::stats::Summary::median: a member function must be declared in its class: add "
        "the declaration to class Summary first"
    )
    # declared in the class: the definition goes into the class's namespace
    defined = _insert(
        "s.cpp", CPP, "stats::Summary::mean", "double Summary::mean() const {\n    return 1;\n}"
    )
    assert defined.updated.decode() == CPP + (
        "\nnamespace stats {\ndouble Summary::mean() const {\n    return 1;\n}\n"
        "}  // namespace stats\n"
    )
    assert "already exists" in _refused(
        "s.cpp", CPP, "stats::Summary::spread", "double Summary::spread() const { return 1; }"
    )


# The results compile with the real toolchains.


def _compile(tmp_path: Path, tool: str, argv: list[str], files: dict[str, bytes]) -> None:
    if shutil.which(tool) is None:
        pytest.skip(f"{tool} is not installed")
    for name, content in files.items():
        (tmp_path / name).write_bytes(content)
    env = {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "HOME": os.environ.get("HOME", str(tmp_path)),
        "GOTOOLCHAIN": "local",
        "GOFLAGS": "-mod=mod",
    }
    result = run_process([tool, *argv], cwd=tmp_path, env=env, timeout=120)
    assert result.ok, result.stderr


def test_cpp_result_compiles(tmp_path: Path) -> None:
    updated = _insert(
        "s.cpp", CPP, "stats::Summary::mean", "double Summary::mean() const { return 1; }"
    ).updated
    updated = insert_function(
        "s.cpp", updated, "s.cpp::a::b::one", "int one() {\n    return 1;\n}"
    ).updated
    _compile(tmp_path, "g++", ["-std=c++17", "-fsyntax-only", "s.cpp"], {"s.cpp": updated})


def test_java_result_compiles(tmp_path: Path) -> None:
    updated = _insert("Stats.java", JAVA, "Stats.median", JAVA_MEDIAN).updated
    updated = insert_function(
        "Stats.java", updated, "Stats.java::Stats.Kind.label", "String label() { return name(); }"
    ).updated
    _compile(tmp_path, "javac", ["-d", "out", "Stats.java"], {"Stats.java": updated})


def test_go_result_compiles(tmp_path: Path) -> None:
    updated = _insert(
        "cache.go",
        GO,
        "(*Cache).Get",
        "func (c *Cache) Get(k string) int {\n  return c.items[k]\n}",
    ).updated
    _compile(
        tmp_path,
        "go",
        ["build", "./..."],
        {"go.mod": b"module example.com/cache\n\ngo 1.21\n", "cache.go": updated},
    )


def test_rust_result_compiles(tmp_path: Path) -> None:
    updated = _insert("lib.rs", RUST, "Parser::parse", "pub fn parse(&mut self) {}").updated
    updated = insert_function(
        "lib.rs", updated, "lib.rs::Token::len", "pub fn len(&self) -> usize { 1 }"
    ).updated
    _compile(
        tmp_path,
        "rustc",
        ["--crate-type", "lib", "--emit=metadata", "--edition=2021", "lib.rs"],
        {"lib.rs": updated},
    )
