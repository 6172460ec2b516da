"""Helpers shared by the trace tests: a valid header and a small, fully known trace."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from sim.trace import TraceWriter

HEADER: dict[str, Any] = {
    "scenario_hash": "sha256:0f1e2d",
    "seed": 42,
    "dt": 0.1,
    "record_every": 10,
    "start": "2026-12-01T09:00:00+08:00",
    "scenario": "lingang-demo",
}


@dataclass
class RawFrame:
    t: float
    ids: np.ndarray
    values: np.ndarray
    status: np.ndarray


def make_frames(n_frames: int, n_agents: int = 3, n_fields: int = 5, seed: int = 0) -> list:
    """Frames one second apart; agent k appears from frame k on (traffic spawning)."""
    rng = np.random.default_rng(seed)
    frames = []
    for i in range(n_frames):
        ids = np.arange(min(i + 1, n_agents), dtype=np.int32)
        values = rng.normal(0, 100, (len(ids), n_fields)).astype(np.float32)
        status = rng.integers(-3, 4, len(ids)).astype(np.int8)
        frames.append(RawFrame(float(i), ids, values, status))
    return frames


def write_small(path: Path, n_frames: int = 20, chunk_frames: int = 8, **kw: Any) -> list:
    """Write a small trace with 3 agents, 2 events and a summary; return its frames."""
    frames = make_frames(n_frames)
    with TraceWriter(path, HEADER, chunk_frames=chunk_frames, **kw) as w:
        w.add_agent(0, "icv-01", "car", "car", "P-ICV-001", 4.8, 1.9, safety_driver=True)
        w.add_agent(1, "uav-01", "uav", "uav-small-delivery", "P-UAV-101", 1.2, 1.2)
        for f in frames:
            if f.t == 2.0:
                w.add_agent(2, "bg-expressway-0", "truck", "truck", None, 12.0, 2.5, spawned_at=2.0)
            w.add_frame(f.t, f.ids, f.values, f.status)
        w.add_event(9.5, "breach", "uav-01", zone="no-fly-airport", where=[1.0, 2.0, 90.0])
        w.add_event(3.0, "scripted", None, action="close_zone", zone="cond-park")
        w.close({"verdict": "failed", "breaches": 1, "min_separation_m": 12.5})
    return frames
