"""Saved benchmark inputs: ``.perforch/inputs/<file>/<function>.<ext>`` in the repository.

``perforch optimize`` saves the inputs a model wrote (and the original accepted) there, so they
become reviewable files that later runs and the pre-commit hook reuse. Kept free of heavy
imports: the pre-commit hook reads it on its fast path.
"""

from __future__ import annotations

import re
from pathlib import Path

INPUTS_DIR = Path(".perforch") / "inputs"
SUFFIXES = {"python": ".py", "cpp": ".cpp", "java": ".java", "go": ".go", "rust": ".rs"}
_UNSAFE = re.compile(r"[^A-Za-z0-9_.]+")


def saved_inputs_path(root: Path, path: str, qualified_name: str, language: str) -> Path:
    """Where the inputs of ``path::qualified_name`` are saved, under the repository ``root``."""
    name = _UNSAFE.sub("_", qualified_name).strip("_") or "function"
    return root / INPUTS_DIR / path / f"{name}{SUFFIXES[language]}"


def load_saved_inputs(root: Path, path: str, qualified_name: str, language: str) -> str | None:
    saved = saved_inputs_path(root, path, qualified_name, language)
    try:
        return saved.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None


def save_inputs(
    root: Path, path: str, qualified_name: str, language: str, inputs: str
) -> Path | None:
    """Save ``inputs`` unless a file is already there (a reviewed file is never overwritten);
    returns the path written, or None."""
    saved = saved_inputs_path(root, path, qualified_name, language)
    if saved.exists():
        return None
    saved.parent.mkdir(parents=True, exist_ok=True)
    saved.write_text(inputs if inputs.endswith("\n") else inputs + "\n", encoding="utf-8")
    return saved
