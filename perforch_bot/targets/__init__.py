"""Targets: the functions a change touches, and writing new versions of them back.

Extraction (tree-sitter) lists every function of a Python, Java, C++, Go or Rust file with its
exact range, signature and context; a target spec (``src/lib.rs::Parser::parse``) names one;
a unified diff maps to the functions it adds or modifies; a new version is spliced back into the
file and offered as a patch (``git apply``) or a GitHub suggestion; a new function is inserted
where its spec says it belongs.
"""

from __future__ import annotations

from perforch_bot.errors import TargetError
from perforch_bot.targets._diff import (
    DiffTarget,
    DiffTargets,
    FileChange,
    Hunk,
    SkippedFile,
    targets_from_diff,
)
from perforch_bot.targets._errors import (
    AmbiguousTargetError,
    DiffError,
    InsertionError,
    ReplacementError,
    SpecSyntaxError,
    StaleTargetError,
    TargetNotFoundError,
    UnsupportedLanguageError,
)
from perforch_bot.targets._extract import extract, extract_path
from perforch_bot.targets._git import (
    check_out,
    diff_revisions,
    diff_staged,
    head_revision,
    read_at_revision,
    read_staged,
    repository_root,
    resolve_range,
    split_range,
)
from perforch_bot.targets._insert import Insertion, insert_function
from perforch_bot.targets._model import (
    Function,
    FunctionKind,
    Parameter,
    Signature,
    SourceFile,
    Span,
)
from perforch_bot.targets._patch import unified_diff
from perforch_bot.targets._paths import PathFilter, skip_directory, skip_reason
from perforch_bot.targets._spec import (
    TargetSpec,
    find_function,
    is_spec,
    parse_spec,
    resolve_spec,
)
from perforch_bot.targets._suggest import OutsideHunks, Suggestion, suggestion_for
from perforch_bot.targets._writeback import Edit, replace_function
from perforch_bot.targets.languages import LANGUAGES, language_for_path

__all__ = [
    "LANGUAGES",
    "AmbiguousTargetError",
    "DiffError",
    "DiffTarget",
    "DiffTargets",
    "Edit",
    "FileChange",
    "Function",
    "FunctionKind",
    "Hunk",
    "Insertion",
    "InsertionError",
    "OutsideHunks",
    "Parameter",
    "PathFilter",
    "ReplacementError",
    "Signature",
    "SkippedFile",
    "SourceFile",
    "Span",
    "SpecSyntaxError",
    "StaleTargetError",
    "Suggestion",
    "TargetError",
    "TargetNotFoundError",
    "TargetSpec",
    "UnsupportedLanguageError",
    "check_out",
    "diff_revisions",
    "diff_staged",
    "extract",
    "extract_path",
    "find_function",
    "head_revision",
    "insert_function",
    "is_spec",
    "language_for_path",
    "parse_spec",
    "read_at_revision",
    "read_staged",
    "replace_function",
    "repository_root",
    "resolve_range",
    "resolve_spec",
    "skip_directory",
    "skip_reason",
    "split_range",
    "suggestion_for",
    "targets_from_diff",
    "unified_diff",
]
