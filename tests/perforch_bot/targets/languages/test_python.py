"""Python extraction: nested classes, decorators, async defs, comments, strings; and every
function of real standard-library modules against ``ast``."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest

from perforch_bot.targets import extract
from tests.perforch_bot.targets.support import by_name, extract_text, line_of, text_of

SOURCE = '''\
import os
from typing import (
    Any,
)


class Outer(Base, metaclass=Meta):  # trailing comment
    """Outer doc."""

    class Inner:
        # comment about deep
        def deep(self, x: int) -> int:
            return x

    @staticmethod
    @functools.lru_cache(maxsize=None)
    def cached(n: int = 3, *args: str, key: "K" = None, **kwargs: Any) -> list[int]:
        def helper():
            return 1
        return [helper()]

    async def fetch(self, url):
        async with session() as s:
            return await s.get(url)

    def __init__(self):
        self.x = 1


# a module comment, separated by a blank line

def plain(a, /, b, *, c):
    text = """
no indent inside the string
    """
    return text


if TYPE_CHECKING:
    def conditional() -> None: ...
'''


def test_finds_every_function_not_nested_in_a_function() -> None:
    functions = by_name(extract_text("mod.py", SOURCE))
    assert set(functions) == {
        "Outer.Inner.deep",
        "Outer.cached",
        "Outer.fetch",
        "Outer.__init__",
        "plain",
        "conditional",
    }
    assert "def helper" in text_of(SOURCE, functions["Outer.cached"].span)


def test_kinds_and_specs() -> None:
    functions = by_name(extract_text("pkg/mod.py", SOURCE))
    assert functions["Outer.Inner.deep"].kind == "method"
    assert functions["Outer.__init__"].kind == "constructor"
    assert functions["plain"].kind == "function"
    assert functions["Outer.Inner.deep"].spec == "pkg/mod.py::Outer.Inner.deep"


def test_decorators_and_leading_comments_belong_to_the_function() -> None:
    functions = by_name(extract_text("mod.py", SOURCE))
    cached = functions["Outer.cached"]
    assert text_of(SOURCE, cached.span).startswith("@staticmethod\n    @functools.lru_cache")
    assert text_of(SOURCE, cached.span).endswith("return [helper()]")
    deep = functions["Outer.Inner.deep"]
    assert text_of(SOURCE, deep.span).startswith("# comment about deep\n")
    assert text_of(SOURCE, deep.declaration_span).startswith("def deep")
    assert deep.span.start_line == line_of(SOURCE, "# comment about deep")
    # a comment followed by a blank line is not the function's
    assert text_of(SOURCE, functions["plain"].span).startswith("def plain")


def test_signatures() -> None:
    functions = by_name(extract_text("mod.py", SOURCE))
    cached = functions["Outer.cached"].signature
    assert cached.text.startswith("def cached(n: int = 3")
    assert cached.return_type == "list[int]"
    assert [(p.name, p.type) for p in cached.parameters] == [
        ("n", "int"),
        ("*args", "str"),
        ("key", '"K"'),
        ("**kwargs", "Any"),
    ]
    assert not any(p.is_self for p in cached.parameters)  # a staticmethod has no self
    fetch = functions["Outer.fetch"].signature
    assert fetch.text == "async def fetch(self, url)"
    assert fetch.parameters[0].is_self
    assert fetch.parameter_types == ("",)
    plain = functions["plain"].signature
    assert [p.name for p in plain.parameters] == ["a", "b", "c"]


def test_context_imports_and_enclosing_class() -> None:
    extracted = extract_text("mod.py", SOURCE)
    assert extracted.imports == ("import os", "from typing import (\n    Any,\n)")
    functions = by_name(extracted)
    assert functions["Outer.cached"].enclosing_type == "class Outer(Base, metaclass=Meta):"
    assert functions["Outer.Inner.deep"].enclosing_type == "class Inner:"
    assert functions["plain"].enclosing_type is None
    assert functions["plain"].imports == extracted.imports


def test_text_is_dedented_except_inside_strings() -> None:
    functions = by_name(extract_text("mod.py", SOURCE))
    deep = functions["Outer.Inner.deep"]
    assert deep.indent == " " * 8
    assert deep.text == "# comment about deep\ndef deep(self, x: int) -> int:\n    return x"
    assert "\nno indent inside the string\n" in functions["plain"].text


def _stdlib_modules() -> list[Path]:
    stdlib = Path(sysconfig.get_paths()["stdlib"])
    return [
        stdlib / name
        for name in (
            "textwrap.py",
            "difflib.py",
            "dataclasses.py",
            "argparse.py",
            "json/decoder.py",
            "asyncio/tasks.py",
        )
    ]


@pytest.mark.parametrize("path", _stdlib_modules(), ids=lambda p: p.name)
def test_real_modules_match_ast(path: Path) -> None:
    """Every function ast sees (not nested in a function) is found, with the same start
    (decorators included) and end."""
    source = path.read_bytes()
    tree = ast.parse(source)
    starts = [0]
    for line in source.split(b"\n")[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    expected: dict[tuple[str, int], int] = {}

    def visit(body: list[ast.stmt], scope: tuple[str, ...]) -> None:
        for node in body:
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                first_line = min(n.lineno for n in [node, *node.decorator_list])
                expected[(".".join((*scope, node.name)), first_line)] = node.end_lineno or 0
            elif isinstance(node, ast.ClassDef):
                visit(node.body, (*scope, node.name))
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for field in ("body", "orelse", "finalbody"):
                    visit(getattr(node, field, []), scope)
                for handler in getattr(node, "handlers", []):
                    visit(handler.body, scope)

    visit(tree.body, ())
    extracted = extract(path.name, source)
    assert extracted.warnings == ()
    got = {
        (f.qualified_name, f.declaration_span.start_line): f.declaration_span.end_line
        for f in extracted.functions
    }
    assert set(got) == set(expected)
    for key, end_line in expected.items():
        # tree-sitter keeps comments indented under the last statement in the block
        assert got[key] >= end_line, key
        trailing = source.split(b"\n")[end_line : got[key]]
        assert all(not line.strip() or line.strip().startswith(b"#") for line in trailing), key
    assert len(got) >= 5
