"""Target specs: parsing every form, resolving, close matches and ambiguity."""

from __future__ import annotations

from pathlib import Path

import pytest

from perforch_bot.targets import (
    AmbiguousTargetError,
    SpecSyntaxError,
    TargetError,
    TargetNotFoundError,
    TargetSpec,
    extract,
    find_function,
    is_spec,
    parse_spec,
    resolve_spec,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("path/to/file.go::(*Cache).Get", TargetSpec("path/to/file.go", "(*Cache).Get")),
        ("src/lib.rs::Parser::parse", TargetSpec("src/lib.rs", "Parser::parse")),
        ("Foo.java::Foo.bar(int[])", TargetSpec("Foo.java", "Foo.bar", ("int[]",))),
        ("file.py::Class.method", TargetSpec("file.py", "Class.method")),
        ("file.cpp::ns::Class::method", TargetSpec("file.cpp", "ns::Class::method")),
        ("Foo.java::Foo.bar()", TargetSpec("Foo.java", "Foo.bar", ())),
        (
            "m.java::M.put(Map<String, List<Integer>>, int)",
            TargetSpec("m.java", "M.put", ("Map<String, List<Integer>>", "int")),
        ),
        ("v.cpp::Vec::operator()", TargetSpec("v.cpp", "Vec::operator()")),
        (
            "v.cpp::Vec::operator()(int, int)",
            TargetSpec("v.cpp", "Vec::operator()", ("int", "int")),
        ),
        ("  a.py::f  ", TargetSpec("a.py", "f")),
    ],
)
def test_parses_every_form(text: str, expected: TargetSpec) -> None:
    assert parse_spec(text) == expected
    assert is_spec(text)


def test_round_trips_through_str() -> None:
    spec = parse_spec("Foo.java::Foo.bar(int[], String)")
    assert str(spec) == "Foo.java::Foo.bar(int[], String)"
    assert parse_spec(str(spec)) == spec


@pytest.mark.parametrize("text", ["file.py", "::f", "file.py::", "a.java::A.b(int"])
def test_bad_specs_say_what_to_write(text: str) -> None:
    with pytest.raises(SpecSyntaxError) as raised:
        parse_spec(text)
    message = str(raised.value)
    assert "PATH::QUALIFIED_NAME" in message or "unbalanced" in message
    assert isinstance(raised.value, TargetError)


JAVA = """\
class Foo {
    int bar(int[] a) { return 0; }
    int bar(String s) { return 1; }
    int baz() { return 2; }
    static class Inner { void run() {} }
}
"""


def test_unknown_name_lists_close_matches() -> None:
    extracted = extract("Foo.java", JAVA.encode())
    with pytest.raises(TargetNotFoundError) as raised:
        find_function(extracted, parse_spec("Foo.java::Foo.bax"))
    assert set(raised.value.suggestions[:3]) == {
        "Foo.java::Foo.bar(int[])",
        "Foo.java::Foo.bar(String)",
        "Foo.java::Foo.baz",
    }
    assert "did you mean Foo.java::Foo.ba" in str(raised.value)


def test_overloads_need_parameter_types() -> None:
    extracted = extract("Foo.java", JAVA.encode())
    with pytest.raises(AmbiguousTargetError) as raised:
        find_function(extracted, parse_spec("Foo.java::Foo.bar"))
    assert raised.value.candidates == ("Foo.java::Foo.bar(int[])", "Foo.java::Foo.bar(String)")
    assert "(line 2)" in str(raised.value) and "(line 3)" in str(raised.value)
    chosen = find_function(extracted, parse_spec("Foo.java::Foo.bar(String)"))
    assert chosen.span.start_line == 3
    with pytest.raises(TargetNotFoundError, match=r"no overload of Foo\.bar .* takes \(long\)"):
        find_function(extracted, parse_spec("Foo.java::Foo.bar(long)"))


def test_a_trailing_part_of_the_name_is_enough_when_unique() -> None:
    extracted = extract("Foo.java", JAVA.encode())
    assert find_function(extracted, parse_spec("Foo.java::Inner.run")).qualified_name == (
        "Foo.Inner.run"
    )
    assert find_function(extracted, parse_spec("Foo.java::baz")).qualified_name == "Foo.baz"


def test_file_without_functions() -> None:
    extracted = extract("empty.py", b"X = 1\n")
    with pytest.raises(TargetNotFoundError, match="the file has no functions"):
        find_function(extracted, parse_spec("empty.py::f"))


def test_resolve_reads_the_file_relative_to_the_root(tmp_path: Path) -> None:
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "m.py").write_text("class C:\n    def m(self):\n        return 1\n")
    function = resolve_spec("pkg/m.py::C.m", tmp_path)
    assert function.spec == "pkg/m.py::C.m"
    with pytest.raises(TargetNotFoundError, match=r"no such file 'pkg/missing\.py'"):
        resolve_spec("pkg/missing.py::f", tmp_path)
