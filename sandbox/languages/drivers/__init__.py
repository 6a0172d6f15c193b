"""Driver sources, shipped as package data and written next to the code under test."""

from __future__ import annotations

from importlib.resources import files


def driver_source(name: str) -> str:
    return files(__package__).joinpath(name).read_text()
