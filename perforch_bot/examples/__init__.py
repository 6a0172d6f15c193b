"""Bundled example pairs (old and optimized versions of one function per language): the
embedded default that ``perforch bench --examples`` and the README's first command run."""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path


@dataclass(frozen=True)
class Example:
    language: str
    title: str
    function: str
    old: str
    new: str
    inputs: str
    tests: str | None
    folder: str = ""
    old_name: str = ""


def load_examples() -> list[Example]:
    root = files(__package__)
    examples = []
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        manifest = folder.joinpath("example.json")
        if not folder.is_dir() or not manifest.is_file():
            continue
        meta = json.loads(manifest.read_text())
        tests = folder.joinpath(meta["tests"]) if meta.get("tests") else None
        examples.append(
            Example(
                language=meta["language"],
                title=meta["title"],
                function=meta["function"],
                old=folder.joinpath(meta["old"]).read_text(),
                new=folder.joinpath(meta["new"]).read_text(),
                inputs=folder.joinpath(meta["inputs"]).read_text(),
                tests=tests.read_text() if tests is not None else None,
                folder=folder.name,
                old_name=meta["old"],
            )
        )
    return examples


def demo_recording() -> Path:
    """The scripted model answers ``perforch demo`` replays (scripts/write-demo-recording)."""
    # The replay provider reads a file by path; the package is installed as plain files.
    return Path(str(files(__package__).joinpath("replay.yml")))
