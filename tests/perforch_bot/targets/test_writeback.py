"""Writing new versions back: round trips, re-indentation, line endings, refusals."""

from __future__ import annotations

import pytest

from perforch_bot.targets import (
    Edit,
    Function,
    ReplacementError,
    StaleTargetError,
    extract,
    replace_function,
    unified_diff,
)
from tests.perforch_bot.targets.languages import (
    test_cpp,
    test_go,
    test_java,
    test_python,
    test_rust,
)

HARD_CASES = {
    "hard.py": test_python.SOURCE,
    "Hard.java": test_java.SOURCE,
    "hard.cpp": test_cpp.SOURCE,
    "hard.go": test_go.SOURCE,
    "hard.rs": test_rust.SOURCE,
}


def _function(path: str, source: bytes, qualified_name: str, index: int = 0) -> Function:
    matches = [f for f in extract(path, source).functions if f.qualified_name == qualified_name]
    return matches[index]


def _only_range_changed(edit: Edit) -> None:
    """Everything before and after the replaced range is byte-for-byte the same."""
    start, end = edit.replaced.start_byte, edit.replaced.end_byte
    tail = len(edit.original) - end
    assert edit.updated[:start] == edit.original[:start]
    assert edit.updated[len(edit.updated) - tail :] == edit.original[end:]


@pytest.mark.parametrize("path", sorted(HARD_CASES))
def test_replacing_each_function_with_itself_changes_nothing(path: str) -> None:
    for line_ending in ("\n", "\r\n"):
        source = HARD_CASES[path].replace("\n", line_ending).encode()
        functions = extract(path, source).functions
        assert functions
        for function in functions:
            edit = replace_function(source, function, function.text)
            assert edit.updated == source, function.qualified_name
            assert not edit.changed
            # also when the model sends it back indented as in the file
            indented = function.indent + function.text.replace("\n", "\n" + function.indent)
            assert replace_function(source, function, indented).updated == source


def test_a_changed_body_changes_only_that_range() -> None:
    source = test_java.SOURCE.encode()
    function = _function("Hard.java", source, "Cache.get", 1)
    new = (
        "public V get(K key, V fallback) {\n    V found = get(key);\n"
        "    return found == null ? fallback : found;\n}"
    )
    edit = replace_function(source, function, new)
    _only_range_changed(edit)
    assert edit.new_function.qualified_name == "Cache.get"
    assert edit.new_function.text == new
    replaced = edit.updated[edit.replaced.start_byte :].decode()
    assert replaced.startswith(
        "public V get(K key, V fallback) {\n        V found = get(key);\n"
        "        return found == null ? fallback : found;\n    }\n"
    )


def test_unindented_python_method_is_placed_in_its_class() -> None:
    source = test_python.SOURCE.encode()
    function = _function("hard.py", source, "Outer.Inner.deep")
    edit = replace_function(
        source,
        function,
        "# comment about deep\ndef deep(self, x: int) -> int:\n"
        "    if x < 0:\n        return -x\n    return x\n",
    )
    _only_range_changed(edit)
    text = edit.updated.decode()
    assert (
        "        def deep(self, x: int) -> int:\n            if x < 0:\n"
        "                return -x\n            return x\n"
    ) in text
    assert extract("hard.py", edit.updated).warnings == ()


def test_indentation_units_follow_the_file() -> None:
    go = test_go.SOURCE.encode()
    edit = replace_function(
        go,
        _function("hard.go", go, "Map"),
        "func Map[T, U any](xs []T, f func(T) U) []U {\n"
        "    out := make([]U, len(xs))\n    for i, x := range xs {\n"
        "        out[i] = f(x)\n    }\n    return out\n}",
    )
    assert "\tout := make([]U, len(xs))\n\tfor i, x := range xs {\n\t\tout[i] = f(x)\n\t}\n" in (
        edit.updated.decode()
    )
    python = test_python.SOURCE.encode()
    edit = replace_function(
        python,
        _function("hard.py", python, "Outer.__init__"),
        "def __init__(self):\n  if True:\n    self.x = 2",
    )
    assert "    def __init__(self):\n        if True:\n            self.x = 2\n" in (
        edit.updated.decode()
    )


def test_multiline_strings_are_not_reindented() -> None:
    source = b"class A:\n    def f(self):\n        return 1\n"
    new = 'def f(self):\n    s = """\nflush left\n  two\n"""\n    return s'
    edit = replace_function(source, _function("s.py", source, "A.f"), new)
    assert edit.updated.decode() == (
        'class A:\n    def f(self):\n        s = """\nflush left\n  two\n"""\n        return s\n'
    )
    go = b"package p\n\nfunc init() {\n\tprintln(1)\n}\n"
    edit = replace_function(
        go, _function("r.go", go, "init"), "func init() {\n    println(`raw\n    kept`)\n}"
    )
    assert edit.updated.decode() == "package p\n\nfunc init() {\n\tprintln(`raw\n    kept`)\n}\n"


def test_crlf_files_keep_crlf() -> None:
    source = test_rust.SOURCE.replace("\n", "\r\n").encode()
    function = _function("hard.rs", source, "largest")
    new = (
        "pub fn largest<T: PartialOrd + Copy>(items: &[T]) -> Option<T> where T: Clone {\n"
        "    let mut best = None;\n    best\n}\n"
    )
    edit = replace_function(source, function, new)
    _only_range_changed(edit)
    replaced = edit.updated[edit.replaced.start_byte : edit.replaced.start_byte + 200]
    assert b"{\r\n    let mut best = None;\r\n    best\r\n}" in replaced
    assert b"\n" not in edit.updated.replace(b"\r\n", b"")


def test_a_missing_doc_comment_keeps_the_old_one() -> None:
    source = test_java.SOURCE.encode()
    constructor = _function("Hard.java", source, "Cache.Cache")
    edit = replace_function(
        source, constructor, "public Cache(int capacity) {\n    super(capacity * 2);\n}"
    )
    text = edit.updated.decode()
    assert (
        "    /** Builds one. */\n    public Cache(int capacity) {\n        super(capacity * 2);"
        in text
    )
    # given with a comment, the comment is replaced too
    edit = replace_function(
        source, constructor, "/** New. */\npublic Cache(int capacity) {\n    super(1);\n}"
    )
    assert "/** Builds one. */" not in edit.updated.decode()
    assert "    /** New. */\n    public Cache(int capacity) {" in edit.updated.decode()


def test_a_template_and_an_attribute_carrying_function() -> None:
    cpp = test_cpp.SOURCE.encode()
    edit = replace_function(
        cpp,
        _function("hard.cpp", cpp, "shapes::Vec::dot"),
        "template <typename T>\nT Vec<T>::dot(const Vec& other) const {\n"
        "    return x_ * other.x_;\n}",
    )
    assert "// Dot product, defined out of class.\ntemplate <typename T>\nT Vec<T>::dot" in (
        edit.updated.decode()
    )
    rust = test_rust.SOURCE.encode()
    edit = replace_function(
        rust,
        _function("hard.rs", rust, "Parser::new"),
        "#[inline]\npub(crate) fn new(input: &'a str) -> Self {\n    Self { input }\n}",
    )
    assert (
        "    /// Makes one.\n    #[inline]\n    pub(crate) fn new(input: &'a str) -> Self {\n"
        "        Self { input }\n    }"
    ) in edit.updated.decode()


def test_code_that_does_not_parse_is_refused() -> None:
    source = test_java.SOURCE.encode()
    function = _function("Hard.java", source, "Cache.Point.sum")
    with pytest.raises(
        ReplacementError, match=r"does not parse \(syntax error at line 2 of the new code"
    ):
        replace_function(source, function, "int sum() {\n    return x + ;\n}")
    # an unbalanced brace breaks the rest of the file: refused too
    with pytest.raises(ReplacementError, match="does not parse"):
        replace_function(source, function, "int sum() {\n    if (x > 0) {\n    return x + y;\n}")
    with pytest.raises(ReplacementError, match=r"Hard\.java was not changed"):
        replace_function(source, _function("Hard.java", source, "Cache.Cache"), "def f(): pass")


def test_renaming_empty_and_stale_are_refused() -> None:
    source = test_go.SOURCE.encode()
    function = _function("hard.go", source, "Sum")
    with pytest.raises(ReplacementError, match=r"does not define Sum \(it defines Total\)"):
        replace_function(source, function, "func Total(a, b int) int { return a + b }")
    with pytest.raises(ReplacementError, match="is empty"):
        replace_function(source, function, "\n  \n")
    changed = source.replace(b"package cache\n", b"package cache\n\n// moved down\n")
    with pytest.raises(StaleTargetError, match="extract it again"):
        replace_function(changed, function, function.text)


def test_a_function_at_the_end_without_a_final_newline() -> None:
    source = b"def a():\n    return 1\n\ndef b():\n    return 2"
    edit = replace_function(source, _function("e.py", source, "b"), "def b():\n    return 3\n")
    assert edit.updated == b"def a():\n    return 1\n\ndef b():\n    return 3"


GNU_STYLE = (
    "namespace n {\n  struct S {\n      int f(int x)\n      {\n\tif (x)\n\t  return 1;\n"
    "#if DEBUG\n\treturn 2;\n#endif\n\treturn 0;\n      }\n  };\n}\n"
)


def test_unchanged_lines_keep_their_exact_bytes() -> None:
    """GNU style mixes a 6-space indent with tabs, and #if sits at column 0: lines the new
    version does not change stay exactly as they were; the changed line follows the file."""
    source = GNU_STYLE.encode()
    function = _function("gnu.cpp", source, "n::S::f")
    assert replace_function(source, function, function.text).updated == source
    edit = replace_function(source, function, function.text.replace("return 0;", "return -1;"))
    patch = unified_diff("gnu.cpp", edit.original, edit.updated)
    changed = [line for line in patch.splitlines()[3:] if line[:1] in "+-"]
    assert changed[0] == "-\treturn 0;"
    # the changed line is placed relative to the function (6 spaces, then its tab: the same
    # column 8 in an editor)
    assert changed[1:] == ["+      \treturn -1;"]
