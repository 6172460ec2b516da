"""Small sweeps over the bundled scenarios, short enough for tests."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from tests.conftest import ROOT

MIXED = ROOT / "scenarios" / "mixed-zone-day.toml"
UAV = ROOT / "scenarios" / "uav-corridor-deliveries.toml"

SMALL = """
name = "small"
scenario = "{scenario}"
replications = 2
seed = 7
until = "{until}"

[[parameter]]
path = "flow[bg-grid].rate"
name = "grid_rate"
values = ["300 /h", "1200 /h"]
"""
"""2 points x 2 seeds of the mixed scenario."""


def write_sweep(folder: Path, body: str, name: str = "sweep.toml", **fmt: object) -> Path:
    """Write a sweep file; ``{scenario}`` defaults to the mixed scenario, ``{until}`` to 60 s."""
    values = {"scenario": MIXED.as_posix(), "until": "60 s", **fmt}
    path = folder / name
    path.write_text(body.format(**values), encoding="utf-8")
    return path


def reproducible(df: pd.DataFrame) -> pd.DataFrame:
    """The results without the wall-clock column, rows by run number."""
    return df.drop(columns=["wall_time"]).sort_values("run").reset_index(drop=True)
