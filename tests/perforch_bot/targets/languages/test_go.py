"""Go extraction: value and pointer receivers, generics, doc comments, tabs."""

from __future__ import annotations

from perforch_bot.targets import find_function, parse_spec
from tests.perforch_bot.targets.support import by_name, extract_text, text_of

SOURCE = """\
// Package cache caches.
package cache

import (
\t"fmt"
\t"sync"
)

// Cache holds values.
type Cache[K comparable, V any] struct {
\tmu    sync.Mutex
\titems map[K]V
}

// Get returns the value for k.
//
// It locks.
func (c *Cache[K, V]) Get(k K) (V, bool) {
\tc.mu.Lock()
\tdefer c.mu.Unlock()
\tv, ok := c.items[k]
\treturn v, ok
}

// Len is on a value receiver.
func (c Cache[K, V]) Len() int { return len(c.items) }

func (Cache[K, V]) Name() string { return fmt.Sprint("cache") }

func Map[T, U any](xs []T, f func(T) U) []U {
\tout := make([]U, 0, len(xs))
\tfor _, x := range xs {
\t\tout = append(out, f(x))
\t}
\treturn out
}

func Sum(a, b int, rest ...int) (total int, err error) {
\tinner := func() int { return a }
\treturn inner() + b, nil
}
"""


def test_receivers_and_names() -> None:
    extracted = extract_text("cache/cache.go", SOURCE)
    functions = by_name(extracted)
    assert list(functions) == ["(*Cache).Get", "Cache.Len", "Cache.Name", "Map", "Sum"]
    assert functions["(*Cache).Get"].kind == "method"
    assert functions["Map"].kind == "function"
    assert functions["(*Cache).Get"].signature.parameters[0].is_self
    assert functions["(*Cache).Get"].signature.parameter_types == ("K",)
    # a pointer-receiver method is found by either name
    assert find_function(extracted, parse_spec("cache/cache.go::Cache.Get")).name == "Get"
    assert find_function(extracted, parse_spec("cache/cache.go::(*Cache[K, V]).Get")).name == "Get"
    assert find_function(extracted, parse_spec("cache/cache.go::Len")).qualified_name == "Cache.Len"


def test_doc_comment_block_belongs_to_the_function() -> None:
    functions = by_name(extract_text("cache.go", SOURCE))
    get = functions["(*Cache).Get"]
    assert text_of(SOURCE, get.span).startswith("// Get returns the value for k.\n//\n// It locks.")
    assert text_of(SOURCE, get.declaration_span).startswith("func (c *Cache[K, V]) Get")
    assert text_of(SOURCE, get.span).endswith("\treturn v, ok\n}")
    assert text_of(SOURCE, functions["Cache.Name"].span).startswith("func (Cache[K, V]) Name")


def test_signatures_generics_and_variadics() -> None:
    functions = by_name(extract_text("cache.go", SOURCE))
    assert functions["(*Cache).Get"].signature.return_type == "(V, bool)"
    map_signature = functions["Map"].signature
    assert map_signature.text == "func Map[T, U any](xs []T, f func(T) U) []U"
    assert map_signature.parameter_types == ("[]T", "func(T) U")
    assert map_signature.return_type == "[]U"
    total = functions["Sum"].signature
    assert [(p.name, p.type) for p in total.parameters] == [
        ("a", "int"),
        ("b", "int"),
        ("rest", "...int"),
    ]
    assert total.return_type == "(total int, err error)"
    assert "inner := func()" in functions["Sum"].text  # a closure is part of its function


def test_context_and_tabs() -> None:
    extracted = extract_text("cache.go", SOURCE)
    assert extracted.imports == ("package cache", 'import (\n\t"fmt"\n\t"sync"\n)')
    get = by_name(extracted)["(*Cache).Get"]
    assert get.enclosing_type is not None
    assert get.enclosing_type.startswith("type Cache[K comparable, V any] struct {")
    assert "items map[K]V" in get.enclosing_type
    assert get.indent == ""
    assert "\n\tdefer c.mu.Unlock()\n" in get.text
