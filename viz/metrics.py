"""Time series of a run for the report, gathered in one pass over the trace's frames.

Frames are read in order through the reader (one chunk in memory at a time), so a trace larger
than memory can be summarised. Per frame: the smallest car-following TTC, the number of agents
of each kind; for a few chosen agents (those under a permit first, UAVs for altitude): speed
and altitude.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from viz.agents import KIND_CODES, KIND_UAV
from viz.replay import Replay

F64 = npt.NDArray[np.float64]

MAX_PROFILES = 10
"""Agents drawn in each profile chart."""


@dataclass
class Series:
    """One agent's samples: times (s) and values."""

    t: list[float] = field(default_factory=list)
    v: list[float] = field(default_factory=list)


@dataclass
class RunSeries:
    """What the report plots.

    Attributes:
        t: frame times (s).
        min_ttc: smallest finite TTC of the frame (s; NaN when none).
        counts: agents present per frame, by kind name.
        speed: speed (m/s) of chosen agents, by id.
        altitude: height above ground (m) of chosen UAVs, by id.
    """

    t: F64
    min_ttc: F64
    counts: dict[str, F64]
    speed: dict[str, Series]
    altitude: dict[str, Series]


def _chosen(replay: Replay) -> tuple[list[int], list[int]]:
    table = replay.agents
    order = [i for i, name in enumerate(table.ids) if name]
    tested = [i for i in order if table.tested[i]]
    speed = (tested or order)[:MAX_PROFILES]
    uavs = [i for i in order if table.kind[i] == KIND_UAV]
    uavs = ([i for i in uavs if table.tested[i]] or uavs)[:MAX_PROFILES]
    return speed, uavs


def gather(replay: Replay, progress: Callable[[int, int], None] | None = None) -> RunSeries:
    """Read every frame once and collect the series.

    Raises:
        TraceError: when a chunk is corrupt.
    """
    reader = replay.reader
    fields = reader.fields
    col = {name: fields.index(name) for name in fields}
    n = reader.n_frames
    min_ttc = np.full(n, np.nan)
    counts = {name: np.zeros(n) for name in KIND_CODES}
    code_name = {code: name for name, code in KIND_CODES.items()}
    speed_ids, uav_ids = _chosen(replay)
    watched = np.array(sorted(set(speed_ids) | set(uav_ids)), dtype=np.int64)
    speed_set, uav_set = set(speed_ids), set(uav_ids)
    table = replay.agents
    speed: dict[int, Series] = {i: Series() for i in speed_ids}
    alt_raw: dict[int, tuple[list[float], list[float], list[float], list[float]]] = {
        i: ([], [], [], []) for i in uav_ids
    }
    for k, frame in enumerate(reader.frames()):
        ids = frame.ids
        if "ttc" in col and len(ids):
            ttc = frame.values[:, col["ttc"]]
            finite = ttc[np.isfinite(ttc)]
            if len(finite):
                min_ttc[k] = float(finite.min())
        kinds = np.bincount(table.kind[ids], minlength=4)
        for code, name in code_name.items():
            counts[name][k] = kinds[code]
        if len(watched):
            rows = np.nonzero(np.isin(ids, watched))[0]
            for r in rows.tolist():
                i = int(ids[r])
                vals = frame.values[r]
                if i in speed_set and "speed" in col:
                    speed[i].t.append(frame.t)
                    speed[i].v.append(float(vals[col["speed"]]))
                if i in uav_set and "z" in col:
                    a = alt_raw[i]
                    a[0].append(frame.t)
                    a[1].append(float(vals[col["x"]]))
                    a[2].append(float(vals[col["y"]]))
                    a[3].append(float(vals[col["z"]]))
        if progress is not None and (k % 256 == 0 or k == n - 1):
            progress(k + 1, n)
    altitude: dict[str, Series] = {}
    for i, (ts, xs, ys, zs) in alt_raw.items():
        if ts:
            ground = replay.ground_at(np.array(xs), np.array(ys))
            altitude[table.ids[i]] = Series(ts, (np.array(zs) - ground).tolist())
    return RunSeries(
        t=np.array(reader.times, dtype=np.float64),
        min_ttc=min_ttc,
        counts={name: c for name, c in counts.items() if c.any()},
        speed={table.ids[i]: s for i, s in speed.items() if s.t},
        altitude=altitude,
    )
