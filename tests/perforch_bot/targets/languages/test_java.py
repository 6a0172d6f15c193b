"""Java extraction: overloads, inner and anonymous classes, generics, annotations, javadoc,
interfaces, enums and records."""

from __future__ import annotations

from perforch_bot.targets import find_function, parse_spec
from tests.perforch_bot.targets.support import by_name, extract_text, text_of

SOURCE = """\
package com.example;

import java.util.*;
import java.util.function.Function;

/**
 * A cache.
 */
@SuppressWarnings("unchecked")
public class Cache<K extends Comparable<K>, V> extends Base implements Store<K, V> {
    private static final Comparator<String> ORDER = new Comparator<String>() {
        @Override
        public int compare(String a, String b) { return a.compareTo(b); }
    };

    /** Builds one. */
    public Cache(int capacity) {
        super(capacity);
    }

    // Looks up one key.
    @Override
    public V get(K key) {
        Runnable r = new Runnable() {
            public void run() { System.out.println(key); }
        };
        return null;
    }

    public V get(K key, V fallback) { return fallback; }

    public static <T> List<T> get(int[] keys, List<? extends T> values, String... names) {
        return new ArrayList<>();
    }

    abstract static class Node<T> {
        abstract T value();
        T cached() { return value(); }

        class Leaf { int depth(final int[][] grid, int base[]) { return 0; } }
    }

    interface Visitor { default void visit() {} void leave(); }

    enum Color {
        RED { @Override String label() { return "r"; } };
        String label() { return "c"; }
    }

    record Point(int x, int y) {
        Point { if (x < 0) throw new IllegalArgumentException(); }
        int sum() { return x + y; }
    }

    @org.junit.Test
    void checksSomething() {}
}
"""


def test_finds_methods_constructors_and_nested_types() -> None:
    extracted = extract_text("Cache.java", SOURCE)
    names = [f.qualified_name for f in extracted.functions]
    assert sorted(set(names)) == sorted(
        {
            "Cache.<anonymous Comparator>.compare",
            "Cache.Cache",
            "Cache.get",
            "Cache.Node.cached",
            "Cache.Node.Leaf.depth",
            "Cache.Visitor.visit",
            "Cache.Color.RED.label",
            "Cache.Color.label",
            "Cache.Point.Point",
            "Cache.Point.sum",
            "Cache.checksSomething",
        }
    )
    assert names.count("Cache.get") == 3
    # abstract and interface methods have no body; the anonymous class inside get() is get's
    assert not {"Cache.Node.value", "Cache.Visitor.leave", "Cache.run"} & set(names)
    functions = by_name(extracted)
    assert functions["Cache.Cache"].kind == "constructor"
    assert functions["Cache.Point.Point"].kind == "constructor"
    assert functions["Cache.Node.cached"].kind == "method"


def test_overloads_are_told_apart_by_parameter_types() -> None:
    extracted = extract_text("src/Cache.java", SOURCE)
    specs = [f.spec for f in extracted.functions if f.qualified_name == "Cache.get"]
    assert specs == [
        "src/Cache.java::Cache.get(K)",
        "src/Cache.java::Cache.get(K, V)",
        "src/Cache.java::Cache.get(int[], List<? extends T>, String...)",
    ]
    two = find_function(extracted, parse_spec("src/Cache.java::Cache.get(K,V)"))
    assert two.signature.text == "public V get(K key, V fallback)"
    erased = find_function(
        extracted, parse_spec("src/Cache.java::Cache.get(int[], List, String...)")
    )
    assert erased.signature.return_type == "List<T>"
    assert [p.type for p in erased.signature.parameters] == [
        "int[]",
        "List<? extends T>",
        "String...",
    ]


def test_annotations_and_comments_are_part_of_the_method() -> None:
    extracted = extract_text("Cache.java", SOURCE)
    first_get = next(f for f in extracted.functions if f.qualified_name == "Cache.get")
    assert text_of(SOURCE, first_get.span).startswith("// Looks up one key.\n    @Override")
    assert text_of(SOURCE, first_get.declaration_span).startswith("@Override\n    public V get")
    assert text_of(SOURCE, first_get.span).endswith("return null;\n    }")
    assert "public void run()" in text_of(SOURCE, first_get.body_span)
    assert first_get.signature.text == "public V get(K key)"  # annotations left out
    constructor = by_name(extracted)["Cache.Cache"]
    assert text_of(SOURCE, constructor.span).startswith("/** Builds one. */")


def test_array_dimensions_after_the_name_and_tests() -> None:
    functions = by_name(extract_text("Cache.java", SOURCE))
    assert functions["Cache.Node.Leaf.depth"].signature.parameter_types == ("int[][]", "int[]")
    assert functions["Cache.checksSomething"].is_test
    assert not functions["Cache.Node.cached"].is_test


def test_context() -> None:
    extracted = extract_text("Cache.java", SOURCE)
    assert extracted.imports == (
        "package com.example;",
        "import java.util.*;",
        "import java.util.function.Function;",
    )
    functions = by_name(extracted)
    assert functions["Cache.Cache"].enclosing_type == (
        '@SuppressWarnings("unchecked")\npublic class Cache<K extends Comparable<K>, V> '
        "extends Base implements Store<K, V>"
    )
    assert functions["Cache.Node.cached"].enclosing_type == "abstract static class Node<T>"
    assert functions["Cache.Point.sum"].enclosing_type == "record Point(int x, int y)"
