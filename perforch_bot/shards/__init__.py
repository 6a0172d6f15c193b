"""Scale-out: a range's changed functions split into shards that run as separate jobs
(``perforch plan``, ``perforch run --shard I/N``), and their traces merged back into one
(``perforch merge``) that the bot posts once.

``changed_functions`` lists what a revision range changes (as the bot picks functions),
``make_plan`` assigns whole files to shards balanced by function count, ``merge_traces``
combines the shards' traces, refusing a missing or repeated shard and mixed plans;
``split_patch``/``apply_patch`` handle the run patches a merged trace carries.
"""

from __future__ import annotations

from perforch_bot.shards._merge import MergeError, merge_traces, read_partials
from perforch_bot.shards._patches import PatchError, apply_patch, split_patch
from perforch_bot.shards._plan import (
    Changed,
    Plan,
    PlanError,
    changed_functions,
    make_plan,
    parse_shard,
)

__all__ = [
    "Changed",
    "MergeError",
    "PatchError",
    "Plan",
    "PlanError",
    "apply_patch",
    "changed_functions",
    "make_plan",
    "merge_traces",
    "parse_shard",
    "read_partials",
    "split_patch",
]
