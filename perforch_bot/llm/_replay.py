"""Recordings of model responses: the file format, lookup for ``replay/`` models, recording.

A recording is a JSON or YAML file (by its suffix)::

    format: perforch-replay/1
    entries:
      - model: openai/gpt-4o-mini      # the model that answered
        stage: refine
        key: python/example:refine:1   # the request's replay_key, or null
        prompt_sha256: 3f5c...         # hash of the messages as sent
        response: "```python\\n...```"
        prompt_tokens: 812
        completion_tokens: 240
        recorded_at: "2026-11-22T04:00:00+00:00"

A ``replay/<model>`` request is answered by the entry with the same model and stage and, when
the request has a ``replay_key``, the same key, else the same prompt hash. Recording the same
request again replaces its entry. Files are small and calls are few, so the file is read on
every lookup: nothing is cached between calls.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from perforch_bot.llm._errors import LLMConfigError, ReplayMiss

FORMAT: Literal["perforch-replay/1"] = "perforch-replay/1"


class ReplayEntry(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str
    stage: str
    key: str | None = None
    prompt_sha256: str
    response: str
    prompt_tokens: int = 0
    completion_tokens: int = 0
    recorded_at: str | None = None

    def answers(self, model: str, stage: str, key: str | None, prompt_sha256: str) -> bool:
        if (self.model, self.stage) != (model, stage):
            return False
        return self.key == key if key is not None else self.prompt_sha256 == prompt_sha256


class ReplayFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    format: Literal["perforch-replay/1"] = FORMAT
    entries: list[ReplayEntry] = []


def prompt_hash(messages: list[dict[str, str]]) -> str:
    """sha256 of the messages as sent (role and content, in order)."""
    canonical = json.dumps(
        [[m["role"], m["content"]] for m in messages], ensure_ascii=False, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


def recording_path(api_base: str | None, model: str) -> Path:
    """The file a ``replay/`` endpoint names in its api_base (a path or a file:// URL)."""
    if not api_base:
        raise LLMConfigError(
            f"{model} is a replay model but names no recording: set its api_base to the "
            "recording file (JSON or YAML)"
        )
    return Path(api_base.removeprefix("file://"))


def load(path: Path) -> ReplayFile:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise LLMConfigError(f"cannot read the recording {path}: {error.strerror}") from None
    try:
        data: Any = yaml.safe_load(text) if _is_yaml(path) else json.loads(text)
        return ReplayFile.model_validate(data)
    except (yaml.YAMLError, json.JSONDecodeError, ValidationError) as error:
        raise LLMConfigError(
            f"{path} is not a PerfOrch recording ({FORMAT}): {error}; re-record it, or fix "
            "the entry named above"
        ) from None


def find(
    path: Path, model: str, stage: str, key: str | None, messages: list[dict[str, str]]
) -> ReplayEntry:
    """The recorded answer to this request, or ``ReplayMiss`` saying what was looked for."""
    digest = prompt_hash(messages)
    for entry in reversed(load(path).entries):
        if entry.answers(model, stage, key, digest):
            return entry
    wanted = f"key {key!r}" if key is not None else f"prompt hash {digest[:12]}"
    raise ReplayMiss(
        f"{path} has no recorded {stage} response of {model} for {wanted}; record one with "
        "settings.record_to while calling the real model, or use a real model",
        model=f"replay/{model}",
    )


def record(path: Path, entry: ReplayEntry) -> None:
    """Add ``entry`` to the recording at ``path`` (created if missing), replacing an entry for
    the same request. The file is replaced atomically; concurrent recorders are not merged."""
    current = load(path) if path.exists() else ReplayFile()
    kept = [
        e
        for e in current.entries
        if not e.answers(entry.model, entry.stage, entry.key, entry.prompt_sha256)
    ]
    stamped = entry.model_copy(update={"recorded_at": datetime.now(UTC).isoformat()})
    updated = ReplayFile(entries=[*kept, stamped]).model_dump(mode="json")
    if _is_yaml(path):
        text = yaml.dump(updated, Dumper=_BlockDumper, sort_keys=False, allow_unicode=True)
    else:
        text = json.dumps(updated, indent=2, ensure_ascii=False) + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        Path(temporary).replace(path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def _is_yaml(path: Path) -> bool:
    return path.suffix.lower() in (".yaml", ".yml")


class _BlockDumper(yaml.SafeDumper):
    """Writes multi-line strings (code) as ``|`` blocks, so recordings read like the code."""


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_BlockDumper.add_representer(str, _represent_str)
