"""A plan: the functions a revision range changes, split into shards that run as separate jobs.

Whole files go to a shard (functions of one file run one after another on the file as the
earlier ones left it, so one shard's patch of a file holds all of them), and files are spread
over the shards by function count: the largest first, each to the shard with the fewest
functions so far. The same range, settings and shard count always give the same plan, so
``perforch run --shard I/N`` recomputes what ``perforch plan`` printed."""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from perforch_bot.errors import PerforchError
from perforch_bot.pipeline import PlannedFunction, PlanTrace
from perforch_bot.targets import (
    Function,
    PathFilter,
    SkippedFile,
    diff_revisions,
    read_at_revision,
    resolve_range,
    targets_from_diff,
)

_SHARD = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\s*$")


class PlanError(PerforchError):
    """A shard that does not exist, or a plan that cannot be made as asked."""


@dataclass(frozen=True)
class Changed:
    """What a range changes: the functions to work on (plan order: the diff's file order,
    then source order), the commits compared, and what was left out and why."""

    range: str
    base_sha: str
    head_sha: str
    functions: tuple[Function, ...]
    skipped: tuple[SkippedFile, ...]
    notes: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    changed: Changed
    shards: tuple[tuple[Function, ...], ...]  # each shard's functions, in plan order

    @property
    def id(self) -> str:
        text = json.dumps(
            [self.changed.base_sha, self.changed.head_sha, [_specs(s) for s in self.shards]]
        )
        return hashlib.sha256(text.encode()).hexdigest()[:12]

    @property
    def matrix(self) -> dict[str, list[str]]:
        """The GitHub Actions matrix: ``{"shard": ["1/3", "2/3", "3/3"]}``."""
        count = len(self.shards)
        return {"shard": [f"{i}/{count}" for i in range(1, count + 1)]}

    def shard(self, index: int, count: int) -> tuple[Function, ...]:
        """Shard ``index`` (1-based) of ``count``; ``count`` must be this plan's."""
        if count != len(self.shards):
            raise PlanError(
                f"shard {index}/{count} does not exist: {self.changed.range} plans "
                f"{len(self.shards)} shard(s) here ({len(self.changed.functions)} function(s)); "
                "run the shards `perforch plan` printed, with the same range and settings"
            )
        return self.shards[index - 1]

    def trace(self, shard: int | None) -> PlanTrace:
        """What a shard's trace (``shard``) or the merged trace (None) records of the plan."""
        of = {f.path: i for i, functions in enumerate(self.shards, 1) for f in functions}
        return PlanTrace(
            id=self.id,
            range=self.changed.range,
            base_sha=self.changed.base_sha,
            head_sha=self.changed.head_sha,
            shards=len(self.shards),
            functions=tuple(
                PlannedFunction(spec=f.spec, shard=of[f.path]) for f in self.changed.functions
            ),
            shard=shard,
        )


def parse_shard(text: str) -> tuple[int, int]:
    """``I/N`` -> (I, N), with 1 <= I <= N."""
    match = _SHARD.match(text)
    if match is None or not 1 <= int(match.group(1)) <= int(match.group(2)):
        raise PlanError(f"{text!r} is not a shard: write I/N with 1 <= I <= N, e.g. 2/3")
    return int(match.group(1)), int(match.group(2))


def changed_functions(
    repository: Path, revision_range: str, path_filter: PathFilter, languages: Sequence[str]
) -> Changed:
    """The functions ``revision_range`` adds or modifies, read at its head, as the bot picks
    them: tests, vendored and generated files skipped, ``path_filter``'s globs applied, and
    only ``languages``."""
    base_sha, head_sha = resolve_range(repository, revision_range)
    diff = diff_revisions(repository, f"{base_sha}..{head_sha}")
    found = targets_from_diff(
        diff, lambda path: read_at_revision(repository, head_sha, path), path_filter
    )
    notes = list(found.warnings)
    functions = []
    for target in found.targets:
        if target.function.language in languages:
            functions.append(target.function)
        else:
            notes.append(f"`{target.function.spec}`: {target.function.language} is not listed")
    return Changed(
        revision_range, base_sha, head_sha, tuple(functions), found.skipped, tuple(notes)
    )


def make_plan(changed: Changed, *, shards: int | None = None, per_shard: int | None = None) -> Plan:
    """``changed`` split into at most ``shards`` shards, or into shards of about ``per_shard``
    functions; never more shards than files (a file is never split), none when nothing
    changed."""
    if (shards is None) == (per_shard is None):
        raise PlanError("give either a number of shards or a number of functions per shard")
    for given in (shards, per_shard):
        if given is not None and given < 1:
            raise PlanError(f"shards and functions per shard must be at least 1, not {given}")
    files: dict[str, list[Function]] = {}
    for function in changed.functions:
        files.setdefault(function.path, []).append(function)
    if shards is None:
        assert per_shard is not None
        shards = math.ceil(len(changed.functions) / per_shard)
    count = min(shards, len(files))
    loads = [0] * count
    members: list[set[str]] = [set() for _ in range(count)]
    position = {path: i for i, path in enumerate(files)}
    for path in sorted(files, key=lambda p: (-len(files[p]), position[p])):
        lightest = min(range(count), key=lambda i: (loads[i], i))
        loads[lightest] += len(files[path])
        members[lightest].add(path)
    return Plan(
        changed,
        tuple(tuple(f for f in changed.functions if f.path in paths) for paths in members),
    )


def _specs(functions: Sequence[Function]) -> list[str]:
    return [f.spec for f in functions]
