"""Shared by the bench scripts: machine info, result files, tables."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from perforch_bot.cli._tables import render_table  # noqa: E402
from sandbox import machine_info  # noqa: E402

RESULTS = ROOT / "bench" / "results"


def save(name: str, payload: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {
        "benchmark": name,
        "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "machine": machine_info(),
        **payload,
    }
    path.write_text(json.dumps(payload, indent=2) + "\n")
    return path


def table(headers: list[str], rows: list[list[str]]) -> str:
    return render_table(headers, rows)
