"""Does this machine run code at a steady speed? A probe for ``perforch doctor``.

Shared VMs can slow a vCPU for a while when a neighbour is busy on the same core: seen here,
interpreter-like code ran 1.9x slower for 0.1-1.5 s at a time, each vCPU on its own, while a
latency-bound arithmetic loop did not change. Fresh processes then land in either state, the
A/A guard sees the spread and small changes end inconclusive. The probe times the same
interpreter-like work in short windows (the slow spells are longer than a window) and compares
the slow windows with the fast ones, so a user learns before a comparison, not after it.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

WINDOW_NS = 20_000_000
# Slow windows this much longer than the fast ones make 3-5 % changes hard to tell here: the
# calm machines the benchmarks decided 5 % changes on stayed within a few per cent.
UNSTEADY_RATIO = 1.15


@dataclass(frozen=True)
class Steadiness:
    """``fast_ns`` and ``slow_ns``: the median window of the fastest and the slowest tenth."""

    windows: int
    fast_ns: float
    slow_ns: float
    slow_share: float  # of the windows, those over UNSTEADY_RATIO x the fast ones

    @property
    def ratio(self) -> float:
        return self.slow_ns / self.fast_ns

    @property
    def steady(self) -> bool:
        return self.ratio < UNSTEADY_RATIO

    def describe(self) -> str:
        if self.steady:
            return f"steady: {self.windows} windows of 20 ms within {(self.ratio - 1) * 100:.0f} %"
        return (
            f"unsteady: {self.slow_share * 100:.0f} % of {self.windows} windows of 20 ms ran "
            f"{self.ratio:.2f}x slower than the fastest; comparisons will need more time and "
            f"changes of a few per cent may end inconclusive: a quieter machine helps"
        )


def summarise(window_ns: list[float]) -> Steadiness:
    """The fastest and slowest tenth of the windows (each the time of one unit of work)."""
    if len(window_ns) < 10:
        raise ValueError(f"need at least 10 windows to judge steadiness, got {len(window_ns)}")
    ordered = sorted(window_ns)
    tenth = len(ordered) // 10
    fast = statistics.median(ordered[:tenth])
    slow = statistics.median(ordered[-tenth:])
    slowed = sum(1 for t in ordered if t > UNSTEADY_RATIO * fast)
    return Steadiness(len(ordered), fast, slow, slowed / len(ordered))


def probe_steadiness(seconds: float = 1.0) -> Steadiness:
    """Time interpreter-like work (integer arithmetic, dict and list traffic) in ~20 ms windows
    for about ``seconds``."""
    units = _units_per_window()
    windows: list[float] = []
    deadline = time.perf_counter_ns() + int(seconds * 1e9)
    while time.perf_counter_ns() < deadline or len(windows) < 10:
        start = time.perf_counter_ns()
        _work(units)
        windows.append(float(time.perf_counter_ns() - start))
    return summarise(windows)


def _units_per_window() -> int:
    units = 64
    while True:
        start = time.perf_counter_ns()
        _work(units)
        elapsed = time.perf_counter_ns() - start
        if elapsed >= WINDOW_NS // 4:
            return max(1, units * WINDOW_NS // elapsed)
        units *= 4


def _work(units: int) -> int:
    table: dict[int, int] = {}
    items: list[int] = []
    h = 0
    for i in range(units * 64):
        key = i & 255
        table[key] = table.get(key, 0) + 1
        h = (h * 0x100000001B3 + i) & 0xFFFFFFFFFFFFFFFF
        if key == 0:
            items.append(h)
    return h + len(items) + len(table)
