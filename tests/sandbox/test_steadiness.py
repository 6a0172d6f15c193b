"""The machine-steadiness probe: its summary of window times, and the probe on this machine."""

from __future__ import annotations

import pytest

from sandbox import probe_steadiness
from sandbox._steadiness import summarise


def test_windows_of_one_speed_are_steady() -> None:
    found = summarise([20e6 * (1 + 0.002 * (i % 5)) for i in range(50)])
    assert found.steady and found.ratio < 1.01 and found.slow_share == 0
    assert found.describe().startswith("steady: 50 windows of 20 ms within 1 %")


def test_spells_at_a_slower_speed_are_unsteady_and_say_how_much() -> None:
    # As seen on a shared VM: 40 % of the windows ran 1.9x slower.
    found = summarise([20e6] * 30 + [38e6] * 20)
    assert not found.steady
    assert found.ratio == pytest.approx(1.9) and found.slow_share == pytest.approx(0.4)
    assert "40 % of 50 windows of 20 ms ran 1.90x slower" in found.describe()
    assert "a quieter machine helps" in found.describe()


def test_too_few_windows_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match="at least 10 windows"):
        summarise([20e6] * 9)


def test_the_probe_times_windows_of_about_20_ms() -> None:
    found = probe_steadiness(0.3)
    assert found.windows >= 10
    # ~20 ms of work per window; a loaded machine stretches the slow ones, not the fast ones.
    assert 5e6 < found.fast_ns < 60e6 and found.slow_ns >= found.fast_ns
