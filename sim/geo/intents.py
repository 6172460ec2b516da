"""Operational intents as 4-D volumes (struct of arrays), and zone schedules as time windows.

These are the Python-side inputs of the strategic-deconfliction kernels in
``sim.kernels.deconflict`` (ASTM F3548-21 style): :class:`IntentVolumes` holds corridor
segment capsules (segment, horizontal buffer, altitude band, time window) with the plan each
belongs to; :func:`zone_windows` turns each zone's schedule into packed active windows in
seconds after the scenario start. Units: metres in the local ENU frame, metres AMSL, seconds.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, fields
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.geo.fences import FenceArrays

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]

_FLOAT_FIELDS = ("x0", "y0", "x1", "y1", "r", "zlo", "zhi", "t0", "t1")


@dataclass
class IntentVolumes:
    """The 4-D volumes of a set of flight plans, one row per volume.

    Attributes:
        x0, y0, x1, y1: the corridor segment (m, local ENU); equal ends for a hover,
            take-off or landing volume.
        r: horizontal buffer: the volume holds the points within ``r`` of the segment (m).
        zlo, zhi: altitude band (m AMSL).
        t0, t1: time window ``[t0, t1)`` (s after the scenario start).
        plan: the plan (flight) number of each volume (int32).
    """

    x0: F64
    y0: F64
    x1: F64
    y1: F64
    r: F64
    zlo: F64
    zhi: F64
    t0: F64
    t1: F64
    plan: I32

    def __post_init__(self) -> None:
        """Coerce to contiguous float64 / int32 arrays and check the lengths agree."""
        for name in _FLOAT_FIELDS:
            setattr(self, name, np.ascontiguousarray(getattr(self, name), dtype=np.float64))
        self.plan = np.ascontiguousarray(self.plan, dtype=np.int32)
        n = len(self.x0)
        for f in fields(self):
            arr = getattr(self, f.name)
            if arr.ndim != 1 or len(arr) != n:
                raise ValueError(f"IntentVolumes.{f.name}: expected {n} values, got {arr.shape}")

    @property
    def n(self) -> int:
        """Number of volumes."""
        return len(self.x0)

    def kernel_args(self) -> tuple[F64, F64, F64, F64, F64, F64, F64, F64, F64]:
        """``(x0, y0, x1, y1, r, zlo, zhi, t0, t1)`` in the kernels' argument order."""
        return (
            self.x0, self.y0, self.x1, self.y1, self.r, self.zlo, self.zhi, self.t0, self.t1,
        )  # fmt: skip

    @classmethod
    def empty(cls) -> IntentVolumes:
        """No volumes."""
        z = np.zeros(0)
        return cls(z, z, z, z, z, z, z, z, z, np.zeros(0, dtype=np.int32))

    @classmethod
    def concat(cls, parts: Sequence[IntentVolumes]) -> IntentVolumes:
        """The volumes of ``parts`` one after the other (plan numbers kept as they are)."""
        if not parts:
            return cls.empty()
        cols: dict[str, Any] = {
            f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(cls)
        }
        return cls(**cols)

    @classmethod
    def from_path(
        cls,
        x: Sequence[float] | F64,
        y: Sequence[float] | F64,
        t: Sequence[float] | F64,
        zlo: float | Sequence[float] | F64,
        zhi: float | Sequence[float] | F64,
        r: float | Sequence[float] | F64,
        time_buffer: float,
        plan: int,
    ) -> IntentVolumes:
        """One volume per leg of a 4-D path: waypoints ``(x, y)`` (m) reached at times ``t`` (s).

        Leg ``k`` (waypoint ``k`` to ``k+1``) gets the window ``[t[k] - time_buffer,
        t[k+1] + time_buffer)`` (s); ``zlo``, ``zhi`` (m AMSL) and ``r`` (m) are per leg or
        one value for all. A path of one waypoint gives no volume.
        """
        xa, ya, ta = (np.asarray(v, dtype=np.float64) for v in (x, y, t))
        if not (len(xa) == len(ya) == len(ta)):
            raise ValueError("from_path: x, y and t need the same number of waypoints")
        m = max(len(xa) - 1, 0)
        if m and np.any(np.diff(ta) < 0.0):
            raise ValueError("from_path: waypoint times must not decrease")

        def per_leg(v: float | Sequence[float] | F64) -> F64:
            return np.broadcast_to(np.asarray(v, dtype=np.float64), (m,)).copy()

        return cls(
            xa[:-1] if m else np.zeros(0), ya[:-1] if m else np.zeros(0),
            xa[1:], ya[1:], per_leg(r), per_leg(zlo), per_leg(zhi),
            ta[:-1] - time_buffer if m else np.zeros(0), ta[1:] + time_buffer,
            np.full(m, plan, dtype=np.int32),
        )  # fmt: skip


def suggest_cells(iv: IntentVolumes, factor: float = 2.0) -> tuple[float, float]:
    """Grid sizes ``(cell m, tcell s)`` for ``plan_pairs``: ``factor`` x the median box and window.

    A volume whose box is ``w`` m wide and whose window lasts ``d`` s lands in about
    ``(w / cell + 1)^2 (d / tcell + 1)`` cells: ~8 for cells of the median size, ~3.4 for
    twice that. Every entry costs a counting-sort step and every pair sharing a cell a
    cheap test, so small cells pay for entries and large ones for pairs; with a day of
    traffic (``benchmarks/deconflict_side.py``) twice the median was 1.5-2.5x faster than
    the median itself from 1,000 to 100,000 plans, and within ~20 % of the best of the
    sizes tried. Floors of 1 m and 1 s keep the grid finite for point-like volumes.
    """
    if iv.n == 0:
        return 1000.0, 600.0
    w = np.maximum(np.abs(iv.x1 - iv.x0), np.abs(iv.y1 - iv.y0)) + 2.0 * iv.r
    d = iv.t1 - iv.t0
    d = d[d > 0.0]
    cell = max(factor * float(np.median(w)), 1.0)
    tcell = max(factor * float(np.median(d)) if len(d) else 1.0, 1.0)
    return cell, tcell


def zone_windows(fa: FenceArrays, start: dt.datetime, horizon_s: float) -> tuple[I32, F64, F64]:
    """Active windows of each zone during ``[0, horizon_s]`` s after ``start``, packed as CSR.

    A zone is active when any of its schedules is (``Zone.is_active``);
    ``Schedule.active_intervals`` gives the exact instants, daylight-saving changes included.
    The windows of zone ``z`` are ``[win_t0[w], win_t1[w])`` for ``w`` in
    ``win_off[z]:win_off[z+1]`` (s after ``start``), sorted, disjoint (touching windows
    merged) and clipped to ``[0, horizon_s]``; a permanent zone has the one window
    ``[0, horizon_s]``. ``start`` must be timezone-aware.

    Returns ``(win_off int32 (n_zones + 1), win_t0 float64, win_t1 float64)``.
    """
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("zone_windows: start must be a timezone-aware datetime")
    horizon_s = float(horizon_s)
    # in UTC: Python adds to and subtracts aware datetimes of one tzinfo on the wall clock,
    # which is off by the DST jump for a start given in a zone such as Europe/Berlin
    start = start.astimezone(dt.UTC)
    end = start + dt.timedelta(seconds=horizon_s)
    off = [0]
    w0: list[float] = []
    w1: list[float] = []
    for zone in fa.zones:
        pieces: list[tuple[float, float]] = []
        if horizon_s > 0.0:
            if any(s.permanent for s in zone.schedule):
                pieces.append((0.0, horizon_s))
            else:
                for s in zone.schedule:
                    for a, b in s.active_intervals(start, end):
                        sa = (a.astimezone(dt.UTC) - start).total_seconds()
                        sb = (b.astimezone(dt.UTC) - start).total_seconds()
                        lo = min(max(sa, 0.0), horizon_s)
                        hi = min(max(sb, 0.0), horizon_s)
                        if hi > lo:
                            pieces.append((lo, hi))
        merged: list[tuple[float, float]] = []
        for lo, hi in sorted(pieces):
            if merged and lo <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], hi))
            else:
                merged.append((lo, hi))
        for lo, hi in merged:
            w0.append(lo)
            w1.append(hi)
        off.append(len(w0))
    return (
        np.array(off, dtype=np.int32),
        np.array(w0, dtype=np.float64),
        np.array(w1, dtype=np.float64),
    )
