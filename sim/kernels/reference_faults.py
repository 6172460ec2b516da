"""Plain-numpy twin of :mod:`sim.kernels.faults`, used as a test oracle (never in a run).

Zone membership is vectorised over the points with the winding number of each outline (the
kernel counts even-odd crossings point by point; the two agree on simple polygons with
holes); the noise goes through :func:`sim.kernels.reference.normal_pair_ref`.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from sim.kernels.faults import FAULT_GNSS, FAULT_V2X, GNSS_COUNTER
from sim.kernels.reference import normal_pair_ref

F64 = npt.NDArray[np.float64]


def _winding(px: F64, py: F64, rx: F64, ry: F64) -> npt.NDArray[np.int64]:
    """Winding number of the closed ring (rx, ry) around each point (px, py)."""
    x0, y0 = rx[None, :], ry[None, :]
    x1, y1 = np.roll(rx, -1)[None, :], np.roll(ry, -1)[None, :]
    qx, qy = px[:, None], py[:, None]
    side = (x1 - x0) * (qy - y0) - (qx - x0) * (y1 - y0)
    up = (y0 <= qy) & (y1 > qy) & (side > 0)
    down = (y0 > qy) & (y1 <= qy) & (side < 0)
    return up.sum(axis=1) - down.sum(axis=1)


def _inside(
    v: int, px: F64, py: F64, vol_circle, cx, cy, radius, ring_start, ring_end, ring_off, vx, vy
) -> npt.NDArray[np.bool_]:
    """Whether each point is inside the horizontal outline of fence volume ``v``."""
    if vol_circle[v]:
        return np.hypot(px - cx[v], py - cy[v]) <= radius[v]
    count = np.zeros(len(px), dtype=np.int64)
    for r in range(ring_start[v], ring_end[v]):
        a, b = ring_off[r], ring_off[r + 1]
        count += np.abs(_winding(px, py, vx[a:b], vy[a:b])) % 2
    return count % 2 == 1


def fault_step_ref(
    idx: npt.NDArray[np.int64],
    tick: int,
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    key: npt.NDArray[np.uint64],
    f_kind,
    f_active,
    f_agent,
    f_factor,
    f_noise,
    f_bx,
    f_by,
    f_voff,
    f_vols,
    vol_circle,
    cx,
    cy,
    radius,
    ring_start,
    ring_end,
    ring_off,
    vx,
    vy,
    degrade,
    sensor_ok,
    gnss_ex,
    gnss_ey,
) -> None:
    """Twin of :func:`sim.kernels.faults.fault_step` (same arguments and outputs)."""
    idx = np.asarray(idx, dtype=np.int64)
    px, py = x[idx], y[idx]
    g = np.ones(len(idx))
    ok = np.ones(len(idx), dtype=bool)
    bx, by, var = np.zeros(len(idx)), np.zeros(len(idx)), np.zeros(len(idx))
    geo = (vol_circle, cx, cy, radius, ring_start, ring_end, ring_off, vx, vy)
    for k in range(len(f_kind)):
        if not f_active[k] or f_agent[k] == -2:
            continue
        hit = np.ones(len(idx), dtype=bool) if f_agent[k] < 0 else idx == f_agent[k]
        vols = f_vols[f_voff[k] : f_voff[k + 1]]
        if len(vols):
            hit &= np.any([_inside(int(v), px, py, *geo) for v in vols], axis=0)
        if f_kind[k] == FAULT_V2X:
            g = np.where(hit, g * f_factor[k], g)
        elif f_kind[k] == FAULT_GNSS:
            bx += np.where(hit, f_bx[k], 0.0)
            by += np.where(hit, f_by[k], 0.0)
            var += np.where(hit, f_noise[k] ** 2, 0.0)
        else:
            ok &= ~hit
    degrade[idx] = g
    sensor_ok[idx] = ok
    for n, i in enumerate(idx):
        ex, ey = bx[n], by[n]
        if var[n] > 0.0:
            n1, n2 = normal_pair_ref(int(key[i]), GNSS_COUNTER + int(tick))
            ex += math.sqrt(var[n]) * n1
            ey += math.sqrt(var[n]) * n2
        gnss_ex[i], gnss_ey[i] = ex, ey
