"""Categories: the taxonomy, name parsing, and the classifier on HumanEval-X and real code.

The expected labels below were assigned by hand from each task's description (a set where a
task honestly fits two categories), before tuning; the classifier must agree on nearly all of
them in every language, and give a task the same category across languages most of the time.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from perforch_bot.categories import (
    CATEGORIES,
    CategoryError,
    classify,
    classify_function,
    classify_text,
    parse_category,
)
from perforch_bot.targets import extract
from sandbox.humaneval_x import Problem, load_problems

DATA = Path(__file__).resolve().parents[3] / "shared" / "data" / "humaneval-x"
LANGUAGES = ("python", "cpp", "java", "go", "rust")
A, S, T, M = "array_list", "sorting_searching", "string_processing", "math_number_theory"
P, DS, DP, OT = "parsing_formatting", "data_structures", "dynamic_programming", "other"

# Every 5th task (0..145) plus a few chosen to cover each category: task -> acceptable labels.
HAND_LABELS: dict[int, set[str]] = {
    0: {A, S},  # has_close_elements
    5: {A},  # intersperse
    10: {T},  # make_palindrome
    15: {T, P},  # string_sequence: "0 1 2 3"
    20: {S, A},  # find_closest_elements
    25: {M},  # factorize
    30: {A},  # get_positive
    35: {A},  # max_element
    40: {A},  # triples_sum_to_zero
    45: {M},  # triangle_area
    50: {T},  # decode_shift
    55: {M, DP},  # fib
    60: {M},  # sum_to_n
    65: {T, M},  # circular_shift of an integer's digits
    70: {S},  # strange_sort_list
    75: {M},  # is_multiply_prime
    80: {T},  # is_happy
    85: {A},  # add even elements at odd indices
    90: {S},  # next_smallest
    95: {DS, T},  # check_dict_case
    100: {M, A},  # make_a_pile
    105: {S, A},  # by_length: sort, reverse, map to names
    110: {A},  # exchange
    115: {A, M},  # max_fill on a grid
    120: {S},  # maximum k numbers, sorted
    125: {T, P},  # split_words
    130: {DP, M},  # tri (Tribonacci-like recurrence)
    135: {A},  # can_arrange
    140: {T},  # fix_spaces
    145: {S},  # order_by_points
    1: {P},  # separate_paren_groups
    17: {P},  # parse_music
    46: {DP},  # fib4
    111: {DS, T},  # histogram
    114: {DP, A},  # minSubArraySum
    148: {OT, A, DS},  # bf: planets between two orbits
    156: {P, T},  # int_to_mini_roman
    162: {T, OT},  # string_to_md5
}


def _task_text(problem: Problem) -> str:
    record = problem.record
    if problem.language == "rust":  # the prompt is only a comment; the signature is apart
        return record["prompt"] + record["declaration"] + record["canonical_solution"]
    return record["prompt"] + record["canonical_solution"]


@pytest.fixture(scope="module")
def labels() -> dict[str, list[str]]:
    return {
        language: [classify_text(_task_text(p)).category for p in load_problems(DATA, language)]
        for language in LANGUAGES
    }


def test_taxonomy_and_names() -> None:
    assert CATEGORIES == (DP, P, S, DS, T, M, A, OT)
    assert parse_category("strings") == T
    assert parse_category("String Processing") == T
    assert parse_category("math/number theory") == M
    assert parse_category("DP") == DP
    assert parse_category("sorting-searching") == S
    assert parse_category("array/list manipulation") == A
    with pytest.raises(CategoryError, match="unknown category 'graphs'; use one of"):
        parse_category("graphs")


@pytest.mark.parametrize("language", LANGUAGES)
def test_hand_checked_sample(labels: dict[str, list[str]], language: str) -> None:
    wrong = {
        n: labels[language][n] for n, ok in HAND_LABELS.items() if labels[language][n] not in ok
    }
    # 37 of 38 in every language when this was written (task 148, "sorted by proximity to
    # the sun", comes out as sorting/searching)
    assert len(wrong) <= 2, wrong


def test_a_task_gets_the_same_category_in_every_language(labels: dict[str, list[str]]) -> None:
    same = sum(len({labels[lang][n] for lang in LANGUAGES}) == 1 for n in range(164))
    assert same >= 0.85 * 164  # 150 of 164 when this was written


def test_distribution_uses_the_whole_taxonomy(labels: dict[str, list[str]]) -> None:
    for language in LANGUAGES:
        counts = Counter(labels[language])
        assert set(counts) == set(CATEGORIES), counts
        assert counts[OT] <= 5  # "other" is the exception, not the bin


def test_deterministic(labels: dict[str, list[str]]) -> None:
    again = [classify_text(_task_text(p)).category for p in load_problems(DATA, "go")]
    assert again == labels["go"]


GO_SOURCE = """\
package lib

import "sort"

// TopK returns the k largest values in ascending order.
func TopK(values []int, k int) []int {
\tsorted := append([]int(nil), values...)
\tsort.Ints(sorted)
\treturn sorted[len(sorted)-k:]
}

// IsPrime reports whether n is a prime number.
func IsPrime(n int) bool {
\tif n < 2 {
\t\treturn false
\t}
\tfor d := 2; d*d <= n; d++ {
\t\tif n%d == 0 {
\t\t\treturn false
\t\t}
\t}
\treturn true
}

func CountVowels(word string) int {
\tcount := 0
\tfor _, letter := range word {
\t\tif letter == 'a' || letter == 'e' || letter == 'i' || letter == 'o' || letter == 'u' {
\t\t\tcount++
\t\t}
\t}
\treturn count
}

func Get(c map[string]int, k string) int { return c[k] }
"""


def test_real_functions_from_their_name_doc_and_body() -> None:
    source = extract("lib.go", GO_SOURCE.encode())
    found = {f.name: classify_function(f).category for f in source.functions}
    # A map lookup's only words are its types: too little to call it anything.
    assert found == {"TopK": S, "IsPrime": M, "CountVowels": T, "Get": OT}
    [top_k] = [f for f in source.functions if f.name == "TopK"]
    assert classify(top_k) == classify_function(top_k)
    assert classify(top_k.text).category == S  # plain text works too
    assert "description:ascending" in classify_function(top_k).evidence


def test_imports_do_not_count() -> None:
    boilerplate = "use std::collections::HashMap;\nuse regex::Regex;\n#include <string>\n"
    assert classify_text(boilerplate + "fn f(x: i32) -> i32 { x }").category == OT
