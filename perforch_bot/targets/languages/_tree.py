"""Small helpers over tree-sitter nodes shared by the language walkers."""

from __future__ import annotations

import re
from collections.abc import Iterator

from tree_sitter import Node

from perforch_bot.targets._text import decode

_SPACE_AFTER_OPENING = re.compile(r"([<(\[])\s+")
_SPACE_BEFORE_CLOSING = re.compile(r"\s+([>)\[\],*&])")


def text(node: Node | None, source: bytes) -> str:
    if node is None:
        return ""
    return decode(source[node.start_byte : node.end_byte])


def between(source: bytes, start: int, end: int) -> str:
    return decode(source[start:end])


def header(node: Node, body: Node | None, source: bytes) -> str:
    """The declaration of ``node`` up to its body: ``class Foo(Base):``, ``impl<T> X for Y``."""
    end = body.start_byte if body is not None else node.end_byte
    return between(source, node.start_byte, end).strip()


def compact_type(written: str) -> str:
    """A type as written, with whitespace collapsed and none around punctuation:
    ``const  std::vector< int > &`` becomes ``const std::vector<int>&``."""
    collapsed = " ".join(written.split())
    collapsed = _SPACE_BEFORE_CLOSING.sub(r"\1", _SPACE_AFTER_OPENING.sub(r"\1", collapsed))
    return collapsed.replace(",", ", ").replace(",  ", ", ")


def children_of_type(node: Node, *types: str) -> Iterator[Node]:
    return (child for child in node.children if child.type in types)


def first_of_type(node: Node, *types: str) -> Node | None:
    return next(children_of_type(node, *types), None)


def strip_generics(name: str) -> str:
    """``Stack<T>::push`` -> ``Stack::push``; ``List[T]`` -> ``List``. Operators are kept:
    ``operator<`` and ``operator()`` are names, not type arguments."""
    result: list[str] = []
    depth = 0
    index = 0
    while index < len(name):
        at_segment_start = index == 0 or name[index - 1] in ":.~"
        if depth == 0 and at_segment_start and name.startswith("operator", index):
            # copy the operator token verbatim: everything up to the next "::", "." or end
            end = len(name)
            for separator in ("::", "."):
                found = name.find(separator, index + len("operator"))
                if found != -1:
                    end = min(end, found)
            result.append(name[index:end])
            index = end
            continue
        char = name[index]
        if char in "<[":
            depth += 1
        elif char in ">]" and depth:
            depth -= 1
        elif depth == 0:
            result.append(char)
        index += 1
    return "".join(result)
