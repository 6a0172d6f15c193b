"""Which changed files are worth optimizing: not tests, not vendored or generated code, and
within the user's include/exclude globs."""

from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass
from pathlib import PurePosixPath

_VENDORED_DIRS = frozenset(
    {
        "vendor",
        "vendors",
        "third_party",
        "third-party",
        "thirdparty",
        "3rdparty",
        "external",
        "extern",
        "node_modules",
        "site-packages",
        ".venv",
        "venv",
        ".git",
        ".cargo",
    }
)
_GENERATED_NAME = re.compile(
    r"(\.pb\.(go|cc|h)|_pb2(_grpc)?\.py|\.pb\.gw\.go|_grpc\.pb\.go|\.gen\.go|_generated\.\w+"
    r"|\.generated\.\w+|\.g\.\w+|_gen\.go|zz_generated[\w.]*)$"
)
_GENERATED_DIRS = frozenset({"generated", "__generated__"})
# Go's convention ("Code generated ... DO NOT EDIT."), and the common @generated marker.
_GENERATED_MARKER = re.compile(rb"(Code generated .* DO NOT EDIT|@generated)")
_MARKER_WINDOW = 2048
_TEST_DIRS = frozenset({"test", "tests", "__tests__", "testdata", "benches"})
_TEST_NAME = re.compile(
    r"(^test_.*\.py$|_test\.py$|^conftest\.py$|_test\.go$|Tests?\.java$|^Test[A-Z]\w*\.java$"
    r"|[a-z]IT\.java$|_test\.(cc|cpp|cxx)$|_unittest\.(cc|cpp)$|_tests?\.rs$|^test_\w+\.(cc|cpp)$)"
)


@dataclass(frozen=True)
class PathFilter:
    """What to skip. ``include``/``exclude`` are ``fnmatch`` globs on the repository-relative
    path (``*`` also matches ``/``): a file must match an ``include`` (when any is given) and no
    ``exclude``."""

    include: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    skip_tests: bool = True
    skip_vendored: bool = True
    skip_generated: bool = True


def skip_reason(path: str, path_filter: PathFilter) -> str | None:
    """Why ``path`` is skipped, judging by its name only, or None to keep it."""
    parts = PurePosixPath(path).parts
    directories, file_name = parts[:-1], parts[-1] if parts else ""
    if path_filter.include and not any(fnmatch.fnmatch(path, g) for g in path_filter.include):
        return "not matched by --include"
    if any(fnmatch.fnmatch(path, g) for g in path_filter.exclude):
        return "excluded by --exclude"
    if path_filter.skip_vendored and any(d in _VENDORED_DIRS for d in directories):
        return "vendored"
    if path_filter.skip_generated and (
        _GENERATED_NAME.search(file_name) or any(d in _GENERATED_DIRS for d in directories)
    ):
        return "generated"
    if path_filter.skip_tests and (
        _TEST_NAME.search(file_name)
        or any(d in _TEST_DIRS for d in directories)
        or "src/test" in "/".join(directories)
    ):
        return "test"
    return None


def skip_directory(name: str, path_filter: PathFilter) -> bool:
    """Whether a directory walk should not enter directory ``name`` at all: hidden, and (as the
    filter says) vendored, generated or test directories."""
    return (
        name.startswith(".")
        or (path_filter.skip_vendored and name in _VENDORED_DIRS)
        or (path_filter.skip_generated and name in _GENERATED_DIRS)
        or (path_filter.skip_tests and name in _TEST_DIRS)
    )


def looks_generated(source: bytes) -> bool:
    """Whether the file says it is generated, in its first lines."""
    return _GENERATED_MARKER.search(source[:_MARKER_WINDOW]) is not None
