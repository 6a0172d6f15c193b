"""Problem categories: a small fixed taxonomy and a deterministic classifier.

Profiles and routing rank models per (language, stage, category), as in the PerfOrch paper.
The classifier reads a function the way a reviewer would: its name, its description (doc
comments and docstrings), its signature and body. Each category has weighted keyword concepts; a
concept in the name counts 3x its weight, in the description 2x (up to twice, when the prose
repeats it), in the code 1x (once: code repeats its types and variables, so ``string`` in a
signature alone does not make string processing); a category's score is the sum. The best
score wins; ties go to the more specific category (the order of ``CATEGORIES``); a best score
under ``_MIN_SCORE`` is ``other``. Import/include/use lines are dropped first: they are
boilerplate (HumanEval-X's Rust prompts all ``use`` HashMap and Regex), not the problem.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal, get_args

from perforch_bot.errors import PerforchError
from perforch_bot.targets import Function

__all__ = [
    "CATEGORIES",
    "CATEGORY_LABELS",
    "Category",
    "CategoryError",
    "Classification",
    "classify",
    "classify_function",
    "classify_text",
    "parse_category",
]

Category = Literal[
    "dynamic_programming",
    "parsing_formatting",
    "sorting_searching",
    "data_structures",
    "string_processing",
    "math_number_theory",
    "array_list",
    "other",
]
# Most specific first: this order breaks ties.
CATEGORIES: tuple[Category, ...] = get_args(Category)

CATEGORY_LABELS: Mapping[Category, str] = {
    "dynamic_programming": "dynamic programming",
    "parsing_formatting": "parsing/formatting",
    "sorting_searching": "sorting/searching",
    "data_structures": "data structures",
    "string_processing": "string processing",
    "math_number_theory": "math/number theory",
    "array_list": "array/list manipulation",
    "other": "other",
}

_ALIASES: Mapping[str, Category] = {
    "dp": "dynamic_programming",
    "dynamic": "dynamic_programming",
    "parsing": "parsing_formatting",
    "formatting": "parsing_formatting",
    "parse": "parsing_formatting",
    "format": "parsing_formatting",
    "sorting": "sorting_searching",
    "searching": "sorting_searching",
    "sort": "sorting_searching",
    "search": "sorting_searching",
    "ds": "data_structures",
    "structures": "data_structures",
    "strings": "string_processing",
    "string": "string_processing",
    "text": "string_processing",
    "math": "math_number_theory",
    "maths": "math_number_theory",
    "number_theory": "math_number_theory",
    "numbers": "math_number_theory",
    "arrays": "array_list",
    "array": "array_list",
    "lists": "array_list",
    "list": "array_list",
    "array_list_manipulation": "array_list",
}


class CategoryError(PerforchError):
    """A category name that is not in the taxonomy."""


def parse_category(name: str) -> Category:
    """The category ``name`` means: an id (``string_processing``), its label
    (``string processing``) or an alias (``strings``, ``dp``, ``math``)."""
    key = re.sub(r"[\s/\-]+", "_", name.strip().lower())
    for category in CATEGORIES:
        if key == category or key == re.sub(r"[\s/\-]+", "_", CATEGORY_LABELS[category]):
            return category
    if key in _ALIASES:
        return _ALIASES[key]
    raise CategoryError(
        f"unknown category {name!r}; use one of {', '.join(CATEGORIES)} "
        f"(or an alias such as strings, math, arrays, sorting, dp, parsing)"
    )


# Keywords per category as (weight, synonyms): "word" matches that word exactly, "stem*" any
# word starting with it. Synonyms form one concept, counted once per part, so a function that
# says list, array, vector and elements does not score four times for one idea.
_KEYWORDS: Mapping[Category, tuple[tuple[float, str], ...]] = {
    "dynamic_programming": (
        (3, "dp memo* memoiz* recurrence knapsack kadane tabulat*"),
        (3, "fibfib fib4 tribonacci"),
        (2.5, "subarray* subsequence* substructure"),
        (1.5, "tri"),
        (1, "optimal ways path minpath"),
        (1, "cache"),
    ),
    "parsing_formatting": (
        (3, "pars* paren* bracket* brace* grammar json serial* deserial*"),
        (2, "nested nesting balanced"),
        (2, "format* roman notation syntax token* expression algebra*"),
        (2, "date fraction numerator denominator music note*"),
        (1.5, "valid* delimit* separated"),
        (1, "represent* hexadecimal binary decimal file"),
    ),
    "sorting_searching": (
        (3, "sort* bisect* search*"),
        (2, "order* ascending descending kth rank*"),
        (2, "smallest"),
        (1.5, "closest closer nearest"),
        (1.5, "median largest"),
        (1, "find lookup pluck locate"),
        (0.5, "max min maximum minimum"),
    ),
    "data_structures": (
        (3, "dict* hashmap hashset stack queue deque heap* tree* graph* linked trie"),
        (2, "map* set key* node* neighbo* unordered_map"),
        (1.5, "histogram frequen* occurrence*"),
        (0.5, "value* count tuple hash"),
    ),
    "string_processing": (
        (1.5, "string* str char* rune* text strlen"),
        (2.5, "substring* letter* vowel* consonant* alphabet* anagram* palindrom*"),
        (2, "word* sentence* space* whitespace"),
        (2, "prefix* suffix* concatenat*"),
        (2, "upper* lower* case capital*"),
        (2, "encod* decod* encrypt* cipher* ascii md5"),
        (1, "extension rotat* shift* reverse* xor"),
    ),
    "math_number_theory": (
        (3, "prime* divisor* divisible gcd lcm factorial collatz polynomial* modp"),
        (2.5, "factor* modulo mod"),
        (2, "digit*"),
        (2, "triangle area angle* geometry side*"),
        (2, "power* pow sqrt square* cube*"),
        (1.5, "average mean deviation round* arithmetic math"),
        (1.5, "product multipl* divid* fizz fib*"),
        (1, "base decimal binary coef*"),
        (0.5, "integer* number* sum* even odd float* abs zero"),
    ),
    "array_list": (
        (1, "list* array* vector* vec arr lst element* items sequence"),
        (2, "sublist intersperse rolling monotonic*"),
        (1.5, "grid matrix row* column*"),
        (1, "index indices"),
        (1, "positive negative"),
        (1, "pair* triple*"),
        (1, "filter* slice* append* push"),
        (1, "duplicate* unique common"),
        (1, "swap* exchange threshold"),
    ),
    "other": (),
}
_MIN_SCORE = 2.5
_PART_WEIGHTS = {"name": 3.0, "description": 2.0, "code": 1.0}
# Code repeats its types and variables; prose repeating a word means more.
_REPEATS = {"name": 1, "description": 2, "code": 1}

_BOILERPLATE = re.compile(
    r"^\s*(#\s*include\b.*|using\s+namespace\b.*|import\b[^\n(]*|import\s*\([^)]*\)|"
    r"from\s+\S+\s+import\b.*|use\s+[^;]*;|package\s+\w+.*|extern\s+crate\b.*)$",
    re.MULTILINE,
)
_COMMENTS = re.compile(
    r'"""(?P<dq>.*?)"""|\'\'\'(?P<sq>.*?)\'\'\'|/\*(?P<block>.*?)\*/|//(?P<line>[^\n]*)'
    r"|(?<![\w\"'])#(?P<hash>[^\n]*)",
    re.DOTALL,
)
# Doctest-style example calls repeat the name and show literals (Java's Arrays.asList), not
# what the function does.
_HYPHENATED = re.compile(r"\b([A-Za-z]+)-([A-Za-z]+)\b")  # "sub-array" is "subarray"
_EXAMPLES = re.compile(r">>>[^\n]*")
_WORD = re.compile(r"[A-Za-z][A-Za-z0-9]*")
_CAMEL = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z0-9]+|[A-Z]+")


@dataclass(frozen=True)
class Classification:
    """A category, the score of every category, and the words that counted for the winner."""

    category: Category
    scores: Mapping[Category, float]
    evidence: tuple[str, ...]


def classify(subject: Function | str) -> Classification:
    """Classify a ``perforch_bot.targets.Function`` or a function's source text."""
    if isinstance(subject, Function):
        return classify_function(subject)
    return classify_text(subject)


def classify_function(function: Function) -> Classification:
    """Classify an extracted function from its name, doc comments, signature and body."""
    return classify_text(function.text, name=function.name)


def classify_text(text: str, *, name: str = "") -> Classification:
    """Classify source text (a function with its doc comment, or a task's prompt plus code).
    ``name`` is the function's name when known; otherwise only the text is read."""
    text = _HYPHENATED.sub(r"\1\2", _BOILERPLATE.sub("", text))
    description = " ".join(
        next(group for group in match.groups() if group is not None) or ""
        for match in _COMMENTS.finditer(text)
    )
    description = _EXAMPLES.sub("", description)
    code = _COMMENTS.sub(" ", text)
    parts = {"name": _words(name), "description": _words(description), "code": _words(code)}
    scores: dict[Category, float] = dict.fromkeys(CATEGORIES, 0.0)
    evidence: dict[Category, list[str]] = {c: [] for c in CATEGORIES}
    for part, words in parts.items():
        counts = Counter(words)
        for category, concepts in _KEYWORDS.items():
            for weight, synonyms in concepts:
                hits = [w for w in counts if _matches(synonyms.split(), w)]
                if hits:
                    seen = min(sum(counts[w] for w in hits), _REPEATS[part])
                    scores[category] += weight * _PART_WEIGHTS[part] * seen
                    evidence[category].extend(f"{part}:{w}" for w in hits)
    best = max(CATEGORIES, key=lambda c: (scores[c], -CATEGORIES.index(c)))
    if scores[best] < _MIN_SCORE:
        best = "other"
    return Classification(best, scores, tuple(evidence[best]))


def _words(text: str) -> list[str]:
    words: list[str] = []
    for token in _WORD.findall(text):
        pieces = [p.lower() for p in _CAMEL.findall(token)]
        words.extend(pieces)
        if len(pieces) > 1:
            words.append(token.lower())  # "minSubArraySum" also as one word
    return words


def _matches(keywords: list[str], word: str) -> bool:
    return any(word.startswith(k[:-1]) if k.endswith("*") else word == k for k in keywords)
