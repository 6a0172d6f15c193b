"""Import lines a reply needs go where the language expects them."""

from __future__ import annotations

from perforch_bot.pipeline import add_imports


def test_python_after_the_last_import() -> None:
    text = '"""Doc."""\nimport os\nfrom sys import argv\n\n\ndef f():\n    pass\n'
    assert add_imports("python", text, ["import heapq"]) == (
        '"""Doc."""\nimport os\nfrom sys import argv\nimport heapq\n\n\ndef f():\n    pass\n'
    )


def test_cpp_include_goes_after_the_includes_or_at_the_top() -> None:
    assert add_imports("cpp", "#include <vector>\nint f();\n", ["#include <map>"]) == (
        "#include <vector>\n#include <map>\nint f();\n"
    )
    assert add_imports("cpp", "int f();\n", ["#include <map>"]) == "#include <map>\nint f();\n"


def test_go_joins_the_import_block_or_follows_the_package_line() -> None:
    block = 'package p\n\nimport (\n\t"fmt"\n)\n'
    assert add_imports("go", block, ['import "sort"']) == (
        'package p\n\nimport (\n\t"fmt"\n\t"sort"\n)\n'
    )
    assert add_imports("go", "package p\n\nfunc F() {}\n", ['import "sort"']) == (
        'package p\nimport "sort"\n\nfunc F() {}\n'
    )


def test_java_after_the_package_line_and_rust_after_its_uses() -> None:
    assert add_imports("java", "package a;\n\nclass A {}\n", ["import java.util.*;"]) == (
        "package a;\nimport java.util.*;\n\nclass A {}\n"
    )
    assert add_imports(
        "rust", "use std::fmt;\nfn f() {}\n", ["use std::collections::HashSet;"]
    ) == ("use std::fmt;\nuse std::collections::HashSet;\nfn f() {}\n")


def test_nothing_to_add_leaves_the_text_alone() -> None:
    assert add_imports("python", "x = 1\n", ["", "  "]) == "x = 1\n"
