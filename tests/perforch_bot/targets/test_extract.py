"""Extraction across languages: broken files, line endings, odd bytes, unknown languages."""

from __future__ import annotations

from pathlib import Path

import pytest

from perforch_bot.targets import (
    LANGUAGES,
    UnsupportedLanguageError,
    extract,
    extract_path,
    language_for_path,
)
from tests.perforch_bot.targets.support import by_name, text_of

# Each file: a good function, one with a syntax error in its body, and a good one after it.
BROKEN = {
    "broken.py": "def good():\n    return 1\n\ndef broken():\n    x = 1 +\n\ndef after():\n"
    "    return 2\n",
    "Broken.java": "class A {\n  int good() { return 1; }\n  int broken() { return 2 + ; }\n"
    "  int after() { return 3; }\n}\n",
    "broken.cpp": "int good() { return 1; }\nint broken() { return 2 +  ; }\n"
    "int after() { return 3; }\n",
    "broken.go": "package p\n\nfunc good() int { return 1 }\n\nfunc broken() int { return 2 + }\n\n"
    "func after() int { return 3 }\n",
    "broken.rs": "fn good() -> i32 { 1 }\nfn broken() { let x = ; }\nfn after() -> i32 { 3 }\n",
}


@pytest.mark.parametrize("path", sorted(BROKEN))
def test_a_file_with_a_syntax_error_yields_what_parses_and_a_warning(path: str) -> None:
    source = BROKEN[path]
    extracted = extract(path, source.encode())
    assert len(extracted.warnings) == 1
    assert "does not parse cleanly (syntax error at line" in extracted.warnings[0]
    names = [f.name for f in extracted.functions]
    assert names[0] == "good" and names[-1] == "after"
    good = extracted.functions[0]
    assert not good.has_syntax_error
    assert text_of(source, good.span).endswith(("return 1; }", "return 1 }", "{ 1 }", "return 1"))
    broken = [f for f in extracted.functions if f.name == "broken"]
    assert all(f.has_syntax_error for f in broken)


@pytest.mark.parametrize(
    "source",
    [
        "def f(:\n",
        "class {{{{",
        "fn ))) {",
        "\x00\x01\x02",
        "'''never closed\ndef g(): pass\n",
    ],
)
def test_garbage_never_crashes(source: str) -> None:
    for module in LANGUAGES.values():
        extract("garbage" + module.extensions[0], source.encode())


def test_crlf_files_keep_exact_byte_ranges() -> None:
    source = (
        "class A:\r\n    def f(self):\r\n        return 1\r\n\r\n    def g(self):\r\n"
        "        return 2\r\n"
    )
    functions = by_name(extract("crlf.py", source.encode()))
    f = functions["A.f"]
    assert text_of(source, f.span) == "def f(self):\r\n        return 1"
    assert (f.span.start_line, f.span.end_line) == (2, 3)
    assert f.text == "def f(self):\n    return 1"  # the model sees \n line endings
    assert (functions["A.g"].span.start_line, functions["A.g"].span.end_line) == (5, 6)


def test_bytes_that_are_not_utf8_survive() -> None:
    source = b"def f():\n    return '\xff\xfe'\n"
    function = extract("latin.py", source).functions[0]
    assert function.text.encode("utf-8", "surrogateescape") == source.rstrip(b"\n")


def test_empty_file_and_multibyte_characters() -> None:
    assert extract("empty.go", b"").functions == ()
    source = "# é\ndef f():\n    return 'ü'\n"
    function = extract("u.py", source.encode()).functions[0]
    assert function.declaration_span.start_byte == len("# é\n".encode())
    assert text_of(source, function.declaration_span) == "def f():\n    return 'ü'"
    assert text_of(source, function.span) == source.rstrip("\n")


def test_unknown_extension_is_a_clear_error() -> None:
    with pytest.raises(UnsupportedLanguageError, match=r"notes\.txt: cannot tell its language"):
        extract("notes.txt", b"hello")
    assert language_for_path("README.md") is None
    assert language_for_path("src/Main.JAVA") is LANGUAGES["java"]
    # named explicitly, any file name works
    assert extract("script", b"def f(): pass\n", language="python").functions[0].name == "f"
    with pytest.raises(UnsupportedLanguageError, match="unknown language 'cobol'"):
        extract("x.cbl", b"", language="cobol")


def test_extract_path_records_the_given_display_path(tmp_path: Path) -> None:
    file = tmp_path / "lib.rs"
    file.write_text("fn main() {}\n")
    extracted = extract_path(file, display="src/lib.rs")
    assert extracted.path == "src/lib.rs"
    assert extracted.functions[0].spec == "src/lib.rs::main"
