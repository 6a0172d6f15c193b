"""Rust extraction: inherent and trait impls, generics, visibility, attributes, doc comments,
nested modules, test modules."""

from __future__ import annotations

from perforch_bot.targets import find_function, parse_spec
from perforch_bot.targets._errors import AmbiguousTargetError
from tests.perforch_bot.targets.support import by_name, extract_text, text_of

SOURCE = """\
//! Crate docs.
use std::collections::HashMap;
use std::fmt::{self, Display};

/// A parser.
#[derive(Debug)]
pub struct Parser<'a> {
    input: &'a str,
}

impl<'a> Parser<'a> {
    /// Makes one.
    #[inline]
    #[must_use]
    pub(crate) fn new(input: &'a str) -> Self {
        Parser { input }
    }

    pub fn parse(&mut self) -> Result<Vec<u8>, String> {
        fn helper(x: u8) -> u8 { x }
        Ok(self.input.bytes().map(helper).collect())
    }
}

impl<'a> Display for Parser<'a> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.input)
    }
}

impl fmt::Debug for Parser<'_> { fn fmt(&self, f: &mut fmt::Formatter) -> fmt::Result { Ok(()) } }

pub trait Shape {
    fn area(&self) -> f64;
    fn describe(&self) -> String {
        format!("area {}", self.area())
    }
}

pub fn largest<T: PartialOrd + Copy>(items: &[T]) -> Option<T> where T: Clone {
    items.iter().copied().fold(None, |m, x| match m { None => Some(x), Some(y) => Some(y) })
}

mod outer {
    pub mod inner {
        pub(super) fn deep() -> &'static str {
            "deep"
        }
    }
}

extern "C" {
    fn c_abs(x: i32) -> i32;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses() {
        assert!(Parser::new("x").parse().is_ok());
    }
}
"""


def test_impls_traits_and_modules() -> None:
    functions = by_name(extract_text("src/lib.rs", SOURCE))
    assert list(functions) == [
        "Parser::new",
        "Parser::parse",
        "<Parser as Display>::fmt",
        "<Parser as fmt::Debug>::fmt",
        "Shape::describe",
        "largest",
        "outer::inner::deep",
        "tests::parses",
    ]
    assert functions["Parser::new"].kind == "method"
    assert functions["largest"].kind == "function"
    assert "fn helper" in functions["Parser::parse"].text  # nested fn belongs to parse


def test_specs_and_trait_method_aliases() -> None:
    extracted = extract_text("src/lib.rs", SOURCE)
    assert find_function(extracted, parse_spec("src/lib.rs::Parser::parse")).name == "parse"
    display = find_function(extracted, parse_spec("src/lib.rs::<Parser as Display>::fmt"))
    assert display.enclosing_type is not None and "impl<'a> Display for" in display.enclosing_type
    try:
        find_function(extracted, parse_spec("src/lib.rs::Parser::fmt"))
    except AmbiguousTargetError as exc:
        assert len(exc.candidates) == 2
    else:
        raise AssertionError("two impls define Parser::fmt")
    deep = find_function(extracted, parse_spec("src/lib.rs::inner::deep"))
    assert deep.qualified_name == "outer::inner::deep"


def test_attributes_and_doc_comments_belong_to_the_function() -> None:
    functions = by_name(extract_text("src/lib.rs", SOURCE))
    new = functions["Parser::new"]
    assert text_of(SOURCE, new.span).startswith("/// Makes one.\n    #[inline]\n    #[must_use]")
    assert text_of(SOURCE, new.declaration_span).startswith("#[inline]")
    assert new.signature.text == "pub(crate) fn new(input: &'a str) -> Self"
    assert new.signature.return_type == "Self"
    assert new.signature.parameter_types == ("&'a str",)


def test_signatures_and_tests() -> None:
    functions = by_name(extract_text("src/lib.rs", SOURCE))
    parse = functions["Parser::parse"].signature
    assert parse.parameters[0].is_self and parse.parameters[0].type == "&mut self"
    assert parse.return_type == "Result<Vec<u8>, String>"
    assert functions["largest"].signature.text.endswith("where T: Clone")
    assert functions["tests::parses"].is_test
    assert not functions["largest"].is_test


def test_context() -> None:
    extracted = extract_text("src/lib.rs", SOURCE)
    assert extracted.imports == (
        "use std::collections::HashMap;",
        "use std::fmt::{self, Display};",
        "use super::*;",
    )
    new = by_name(extracted)["Parser::new"]
    # the struct's declaration and the impl's header
    assert (
        new.enclosing_type
        == "pub struct Parser<'a> {\n    input: &'a str,\n}\n\nimpl<'a> Parser<'a>"
    )
    assert by_name(extracted)["Shape::describe"].enclosing_type == "pub trait Shape"
