"""The Rust driver's per-function glue (perforch_call.rs), generated from the target's signature.

tree-sitter finds the function (``name``, ``Type::method``, ``module::name``) and how each
parameter is passed; the glue then calls it on each case's fields: ``&mut T`` gets
``&mut c.i``, ``&T`` (also ``&str``, ``&[T]`` by deref coercion) gets ``&c.i``, an owned
parameter gets the field moved out of the fresh copy. Mistakes (unknown function, wrong case
shape) raise ``GlueError`` with a plain message; the build then fails saying what to fix.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Literal

import tree_sitter_rust
from tree_sitter import Language, Node, Parser

Mode = Literal["owned", "shared", "mutable"]
DRIVER = "super::__perforch_driver"
INPUTS_FORM = (
    "inputs.rs must define `fn perforch_inputs() -> Vec<CASE>`, CASE being a tuple "
    "with one field per argument (for one argument, the argument itself)"
)


class GlueError(ValueError):
    """The function cannot be called as asked (the message says why and what to do)."""


@dataclass(frozen=True)
class Target:
    path: str
    modes: tuple[Mode, ...]
    parameters: tuple[str, ...]
    unsafe: bool
    # The result may borrow from the arguments (`-> &str`, `-> Option<&T>`, `-> Iter<'a, T>`).
    borrows: bool


@functools.cache
def _language() -> Language:
    return Language(tree_sitter_rust.language())


def _parse(text: str) -> Node:
    # A parser per call: builds run on worker threads and a Parser is not thread-safe.
    return Parser(_language()).parse(text.encode()).root_node


def _text(node: Node | None) -> str:
    return "" if node is None or node.text is None else node.text.decode()


def _functions(scope: Node, prefix: str) -> list[tuple[str, Node]]:
    """Every function in ``scope`` with its path: free functions, methods of inherent and trait
    impls (``Type::method``) and functions in inline modules (``module::name``)."""
    found: list[tuple[str, Node]] = []
    for item in scope.named_children:
        name = _text(item.child_by_field_name("name"))
        body = item.child_by_field_name("body")
        if item.type == "function_item":
            found.append((prefix + name, item))
        elif item.type == "mod_item" and body is not None:
            found += _functions(body, f"{prefix}{name}::")
        elif item.type == "impl_item" and body is not None:
            implemented = item.child_by_field_name("type")
            if implemented is not None and implemented.type == "generic_type":
                implemented = implemented.child_by_field_name("type")
            found += [
                (f"{prefix}{_text(implemented)}::{_text(f.child_by_field_name('name'))}", f)
                for f in body.named_children
                if f.type == "function_item"
            ]
    return found


def _mode(parameter: Node) -> Mode:
    if parameter.type == "self_parameter":
        kinds = {child.type for child in parameter.children}
    else:
        declared = parameter.child_by_field_name("type")
        if declared is None or declared.type != "reference_type":
            return "owned"
        kinds = {"&", *(child.type for child in declared.children)}
    if "&" not in kinds:
        return "owned"
    return "mutable" if "mutable_specifier" in kinds else "shared"


def find_target(source: str, function: str) -> Target | str:
    """The function named ``function`` in ``source``, or why it cannot be called."""
    functions = _functions(_parse(source), "")
    matches = [node for path, node in functions if path == function]
    if not matches:
        known = ", ".join(path for path, _ in functions) or "none"
        return (
            f"no function `{function}` in the source (functions found: {known}); name a "
            "method `Type::method` and a function in a module `module::function`"
        )
    if len(matches) > 1:
        return (
            f"`{function}` is defined {len(matches)} times (impls of different traits?); "
            "wrap the one to measure in a function of its own and name that"
        )
    node = matches[0]
    modifiers = {
        child.type
        for child in node.children
        if child.type == "function_modifiers"
        for child in child.children
    }
    if "async" in modifiers:
        return (
            f"`{function}` is async; the driver calls functions synchronously: wrap it in "
            "a plain function that runs it to completion and name that"
        )
    parameters = node.child_by_field_name("parameters")
    params = [
        p
        for p in (parameters.named_children if parameters else ())
        if p.type in ("parameter", "self_parameter")
    ]
    return Target(
        function,
        tuple(_mode(p) for p in params),
        tuple(_text(p) for p in params),
        "unsafe" in modifiers,
        any(mark in _text(node.child_by_field_name("return_type")) for mark in ("&", "'", "impl")),
    )


def has_tests(tests: str) -> bool:
    """Whether ``tests`` has a ``#[test]`` function outside comments."""
    pending = [_parse(tests)]
    while pending:
        node = pending.pop()
        if node.type == "attribute_item" and _text(node).replace(" ", "") == "#[test]":
            return True
        pending += node.named_children
    return False


def case_arity(inputs: str) -> int | str | None:
    """How many fields the cases of ``perforch_inputs()`` have when they are tuples (None when
    they are not, or the type cannot be seen), or why the inputs file is wrong."""
    root = _parse(inputs)
    aliases = {
        _text(item.child_by_field_name("name")): item.child_by_field_name("type")
        for item in root.named_children
        if item.type == "type_item"
    }
    found = [
        item
        for item in root.named_children
        if item.type == "function_item"
        and _text(item.child_by_field_name("name")) == "perforch_inputs"
    ]
    if not found:
        return f"no `perforch_inputs` function: {INPUTS_FORM}"
    returned = found[0].child_by_field_name("return_type")
    if returned is None:
        return f"`perforch_inputs` returns nothing: {INPUTS_FORM}"
    if returned.type == "type_identifier" and _text(returned) in aliases:
        returned = aliases[_text(returned)]
    if (
        returned is None
        or returned.type != "generic_type"
        or not _text(returned.child_by_field_name("type")).endswith("Vec")
    ):
        return None
    arguments = returned.child_by_field_name("type_arguments")
    element = arguments.named_children[0] if arguments and arguments.named_children else None
    if element is not None and element.type == "type_identifier" and _text(element) in aliases:
        element = aliases[_text(element)]
    if element is None:
        return None
    if element.type == "unit_type":
        return 0
    return len(element.named_children) if element.type == "tuple_type" else None


def glue(source: str, function: str, inputs: str) -> str:
    """perforch_call.rs for ``function``: the cases, the call and the rendering."""
    target = find_target(source, function)
    if isinstance(target, str):
        raise GlueError(target)
    arity = case_arity(inputs)
    if isinstance(arity, str):
        raise GlueError(arity)
    count = len(target.modes)
    if arity != count and not (count == 1 or arity is None):
        raise GlueError(
            f"`{function}` takes {count} argument(s) ({', '.join(target.parameters) or 'none'})"
            f" but the cases of perforch_inputs() are {arity}-tuples: {INPUTS_FORM}"
        )
    return _calling(target, tupled=arity == count or count != 1)


def _calling(target: Target, *, tupled: bool) -> str:
    arguments: list[str] = []
    kept: list[str] = []
    shown: list[str] = []
    for index, mode in enumerate(target.modes):
        field = f"c.{index}" if tupled else "c"
        arguments.append({"owned": "", "shared": "&", "mutable": "&mut "}[mode] + field)
        if mode == "owned":  # moved into the call: shown as it was (the original case `o`)
            shown.append(f"&o.{index}" if tupled else "o")
        else:
            shown.append(f"&{field}")
            kept.append(field)
    call = f"super::{target.path}({', '.join(arguments)})"
    if target.unsafe:
        call = f"unsafe {{ {call} }}"
    rest = "(" + "".join(f"{k}, " for k in kept) + ")"
    # The sink keeps the result (dropped after the clock stops) and the borrowed arguments; a
    # result that borrows from them can only be looked at (black_box) before they move.
    sink = (
        f"std::hint::black_box(&r);\n            drop(r);\n            {rest}"
        if target.borrows
        else f"(r, {rest})"
    )
    shown_texts = ", ".join(f"(&{DRIVER}::Probe({value})).text()" for value in shown)
    return f"""// Generated by PerfOrch: calls `{target.path}` on the cases from inputs.rs.
use super::*;
use {DRIVER}::perforch;
use {DRIVER}::{{ByDebug as _, ByRender as _}};

include!("inputs.rs");

pub(crate) fn __perforch_run() -> i32 {{
    {DRIVER}::drive(
        perforch_inputs,
        |mut c| {{
            let r = {call};
            {sink}
        }},
        |mut c, o| {{
            let r = {call};
            let result = (&{DRIVER}::Probe(&r)).text();
            drop(r);
            let args: Vec<String> = vec![{shown_texts}];
            (result, format!("[{{}}]", args.join(", ")))
        }},
    )
}}
"""
