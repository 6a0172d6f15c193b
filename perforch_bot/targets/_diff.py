"""From a unified diff (``git diff``, or GitHub's diff of a pull request) to the functions on the
new side that the change adds or modifies."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Literal

from unidiff.errors import UnidiffParseError
from unidiff.patch import PatchedFile, PatchSet

from perforch_bot.targets._errors import DiffError
from perforch_bot.targets._extract import extract
from perforch_bot.targets._model import Function
from perforch_bot.targets._paths import PathFilter, looks_generated, skip_reason
from perforch_bot.targets.languages import language_for_path

_DEV_NULL = "/dev/null"
_PREFIXES = ("a/", "b/", "c/", "i/", "o/", "w/", "1/", "2/")


@dataclass(frozen=True)
class Hunk:
    """One hunk: old-side (LEFT) and new-side (RIGHT) line ranges, as in ``@@ -s,l +s,l @@``."""

    source_start: int
    source_length: int
    target_start: int
    target_length: int
    section: str = ""

    @property
    def target_end(self) -> int:
        return self.target_start + self.target_length - 1

    def covers(self, first: int, last: int) -> bool:
        """Whether new-side lines ``first..last`` all lie in this hunk (GitHub accepts a review
        comment on them)."""
        return self.target_length > 0 and self.target_start <= first and last <= self.target_end

    def __str__(self) -> str:
        return (
            f"@@ -{self.source_start},{self.source_length} "
            f"+{self.target_start},{self.target_length} @@"
        )


@dataclass(frozen=True)
class FileChange:
    """What the diff does to one file on the new side: its hunks, the line numbers it adds,
    and the new-side lines before which it removes lines."""

    path: str
    source_path: str | None
    hunks: tuple[Hunk, ...]
    added_lines: frozenset[int]
    removal_points: frozenset[int]


@dataclass(frozen=True)
class DiffTarget:
    """A function the diff touches. ``change`` is ``added`` when every line of it is new.
    ``hunks`` are the hunks whose new side overlaps it."""

    function: Function
    change: Literal["added", "modified"]
    hunks: tuple[Hunk, ...]
    added_lines: tuple[int, ...]


@dataclass(frozen=True)
class SkippedFile:
    path: str
    reason: str


@dataclass(frozen=True)
class DiffTargets:
    targets: tuple[DiffTarget, ...]
    skipped: tuple[SkippedFile, ...]
    warnings: tuple[str, ...]
    changes: Mapping[str, FileChange]


def parse_diff(diff_text: str) -> PatchSet:
    try:
        return PatchSet(diff_text)
    except UnidiffParseError as exc:
        raise DiffError(
            f"cannot parse the diff ({exc}); give a unified diff as `git diff` or GitHub's "
            "pull-request .diff produce"
        ) from None


def _strip_prefix(path: str) -> str:
    path = path.strip()
    if len(path) > 1 and path.startswith('"') and path.endswith('"'):
        path = path[1:-1]
    return path[2:] if path.startswith(_PREFIXES) else path


def file_change(patched: PatchedFile) -> FileChange:
    hunks: list[Hunk] = []
    added: set[int] = set()
    removals: set[int] = set()
    for hunk in patched:
        hunks.append(
            Hunk(
                hunk.source_start,
                hunk.source_length,
                hunk.target_start,
                hunk.target_length,
                (hunk.section_header or "").strip(),
            )
        )
        # the new-side line that follows a removal; an empty new side starts after target_start
        next_target = hunk.target_start + (1 if hunk.target_length == 0 else 0)
        for line in hunk:
            if line.target_line_no is not None and (line.is_added or line.is_context):
                if line.is_added:
                    added.add(line.target_line_no)
                next_target = line.target_line_no + 1
            elif line.is_removed:
                removals.add(next_target)
    source = None if patched.source_file == _DEV_NULL else _strip_prefix(patched.source_file)
    return FileChange(
        _strip_prefix(patched.target_file),
        source,
        tuple(hunks),
        frozenset(added),
        frozenset(removals),
    )


def _file_skip_reason(patched: PatchedFile, path_filter: PathFilter) -> str | None:
    if patched.target_file == _DEV_NULL or patched.is_removed_file:
        return "deleted"
    if patched.is_binary_file:
        return "binary"
    if getattr(patched, "is_submodule", False):
        return "submodule"
    if not len(patched):
        return "renamed without changes" if patched.is_rename else "no content change"
    path = _strip_prefix(patched.target_file)
    if language_for_path(path) is None:
        return "not a supported language"
    return skip_reason(path, path_filter)


def targets_from_diff(
    diff_text: str, read_new: Callable[[str], bytes | None], path_filter: PathFilter | None = None
) -> DiffTargets:
    """The functions ``diff_text`` adds or modifies. ``read_new(path)`` gives the new-side
    contents of a repository-relative path (None if it cannot be read).

    A function counts when a line is added inside it, or lines are removed from between two of
    its lines. Deleted, binary, renamed-only, vendored, generated and test files are skipped,
    as are test functions (``#[test]``, ``@Test``) unless the filter keeps tests.
    """
    path_filter = path_filter or PathFilter()
    targets: list[DiffTarget] = []
    skipped: list[SkippedFile] = []
    warnings: list[str] = []
    changes: dict[str, FileChange] = {}
    for patched in parse_diff(diff_text):
        shown = _strip_prefix(
            patched.target_file if patched.target_file != _DEV_NULL else patched.source_file
        )
        reason = _file_skip_reason(patched, path_filter)
        if reason is not None:
            skipped.append(SkippedFile(shown, reason))
            continue
        change = file_change(patched)
        changes[change.path] = change
        source = read_new(change.path)
        if source is None:
            skipped.append(SkippedFile(change.path, "cannot read the new version"))
            warnings.append(
                f"{change.path}: changed in the diff but its new version cannot "
                "be read; is the diff against this checkout?"
            )
            continue
        if path_filter.skip_generated and looks_generated(source):
            skipped.append(SkippedFile(change.path, "generated"))
            continue
        extracted = extract(change.path, source)
        warnings.extend(extracted.warnings)
        for function in extracted.functions:
            if function.is_test and path_filter.skip_tests:
                continue
            target = _touch(function, change)
            if target is not None:
                targets.append(target)
    return DiffTargets(tuple(targets), tuple(skipped), tuple(warnings), changes)


def _touch(function: Function, change: FileChange) -> DiffTarget | None:
    # the declaration (decorators, signature, body) counts; an edit to the doc comment alone
    # does not make a function worth optimizing
    first, last = function.declaration_span.start_line, function.declaration_span.end_line
    added = tuple(sorted(n for n in change.added_lines if first <= n <= last))
    removed_inside = [p for p in change.removal_points if first < p <= last]
    if not added and not removed_inside:
        return None
    span = function.span
    # new, not rewritten: all its lines are added and nothing was removed where it stands
    is_new = all(
        n in change.added_lines for n in range(span.start_line, span.end_line + 1)
    ) and not any(span.start_line <= p <= span.end_line + 1 for p in change.removal_points)
    hunks = tuple(
        h
        for h in change.hunks
        if (h.target_length and h.target_start <= span.end_line and span.start_line <= h.target_end)
        or any(
            first < p <= last and h.target_start <= p <= h.target_end + 1 for p in removed_inside
        )
    )
    return DiffTarget(function, "added" if is_new else "modified", hunks, added)
