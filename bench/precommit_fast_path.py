"""How long `perforch precommit` takes when there is nothing to do (target: <= 0.3 s).

Three cases in a temporary git repository, each run as the hook runs it (a fresh process):
no supported file staged; a supported file staged whose change touches no function; and, for
scale, `perforch --version` (interpreter + click start-up). Runs are interleaved, so machine
noise hits every case alike; the table shows the median and the worst of N runs.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import save, table

PERFORCH = Path(sys.executable).parent / "perforch"
TARGET = 0.3


def _git(repo: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "b",
        "GIT_AUTHOR_EMAIL": "b@e",
        "GIT_COMMITTER_NAME": "b",
        "GIT_COMMITTER_EMAIL": "b@e",
    }
    subprocess.run(["git", "-C", str(repo), *args], env=env, check=True, capture_output=True)


def _repo(root: Path) -> Path:
    repo = root / "repo"
    repo.mkdir()
    _git(repo, "init", "-q")
    (repo / "calc.py").write_text("LIMIT = 10\n\n\ndef total(xs):\n    return sum(xs)\n")
    (repo / "README.md").write_text("notes\n")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-q", "-m", "start")
    (repo / "calc.py").write_text("LIMIT = 20\n\n\ndef total(xs):\n    return sum(xs)\n")
    (repo / "README.md").write_text("more notes\n")
    _git(repo, "add", "-A")
    return repo


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        repo = _repo(Path(tmp))
        cases = {
            "no supported file staged": [str(PERFORCH), "precommit", "README.md"],
            "no function changed": [str(PERFORCH), "precommit", "calc.py"],
            "perforch --version (start-up)": [str(PERFORCH), "--version"],
        }
        times: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.runs):
            for name, argv in cases.items():
                started = time.perf_counter()
                result = subprocess.run(argv, cwd=repo, capture_output=True, check=False)
                times[name].append(time.perf_counter() - started)
                if result.returncode != 0:
                    raise SystemExit(f"{name}: exit {result.returncode}: {result.stderr!r}")
    rows = [
        [
            name,
            f"{statistics.median(t):.3f}",
            f"{max(t):.3f}",
            "yes" if statistics.median(t) <= TARGET or "start-up" in name else "NO",
        ]
        for name, t in times.items()
    ]
    print(table(["case", "median s", "worst s", f"median <= {TARGET} s"], rows))
    path = save(
        "precommit_fast_path",
        {
            "runs": args.runs,
            "target_seconds": TARGET,
            "seconds": {name: t for name, t in times.items()},
        },
    )
    print(f"saved {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
