"""Plain-numpy twins of :mod:`sim.kernels.deconflict`, used as test oracles (same signatures).

No broadphase at all: :func:`plan_pairs` tests every pair of volumes (one row of pairs at a
time, vectorised), :func:`zone_hits` every (intent volume, zone volume) pair. The geometric
predicates use the same formulas with the same operations in the same order as the kernels
(orientation signs, endpoint-to-segment distances, the even-odd crossing test), so the
answers are identical, touching cases included; what the twins check is the grid, the
lower-corner deduplication, the padding of the boxes and the output order. They are
``O(n^2)``: never call them in a run.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


# --- geometry (vectorised) -------------------------------------------------------------------
def orient(ax, ay, bx, by, cx, cy) -> F64:
    """Twice the signed area (m^2) of triangles a, b, c (> 0: c left of a -> b)."""
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


def point_segment_dist2(px, py, ax, ay, bx, by) -> F64:
    """Squared distances (m^2) from points ``p`` to segments ``a-b`` (points where ``a == b``)."""
    px, py, ax, ay, bx, by = np.broadcast_arrays(
        *(np.asarray(v, float) for v in (px, py, ax, ay, bx, by))
    )
    dx = bx - ax
    dy = by - ay
    l2 = dx * dx + dy * dy
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(l2 > 0.0, ((px - ax) * dx + (py - ay) * dy) / l2, 0.0)
    u = np.minimum(1.0, np.maximum(0.0, u))
    ex = ax + u * dx - px
    ey = ay + u * dy - py
    return ex * ex + ey * ey


def segments_cross(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1) -> B:
    """Whether segments ``a`` and ``b`` properly cross (touching and collinear: ``False``)."""
    o1 = orient(ax0, ay0, ax1, ay1, bx0, by0)
    o2 = orient(ax0, ay0, ax1, ay1, bx1, by1)
    o3 = orient(bx0, by0, bx1, by1, ax0, ay0)
    o4 = orient(bx0, by0, bx1, by1, ax1, ay1)
    return (np.sign(o1) * np.sign(o2) < 0) & (np.sign(o3) * np.sign(o4) < 0)


def segment_distance(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1) -> F64:
    """Distances (m) between segments ``a`` and ``b`` (either may be a point)."""
    d2 = np.minimum(
        np.minimum(
            point_segment_dist2(ax0, ay0, bx0, by0, bx1, by1),
            point_segment_dist2(ax1, ay1, bx0, by0, bx1, by1),
        ),
        np.minimum(
            point_segment_dist2(bx0, by0, ax0, ay0, ax1, ay1),
            point_segment_dist2(bx1, by1, ax0, ay0, ax1, ay1),
        ),
    )
    cross = segments_cross(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1)
    return np.where(cross, 0.0, np.sqrt(d2))


def _edges(ring_off, vx, vy, r0, r1) -> tuple[F64, F64, F64, F64]:
    """Edges ``(x0, y0, x1, y1)`` (m) of rings ``r0 .. r1-1``, each closed implicitly."""
    a, b = [], []
    for k in range(int(r0), int(r1)):
        idx = np.arange(ring_off[k], ring_off[k + 1])
        if len(idx):
            a.append(np.roll(idx, 1))
            b.append(idx)
    if not a:
        e = np.zeros(0)
        return e, e, e, e
    ia, ib = np.concatenate(a), np.concatenate(b)
    return vx[ia], vy[ia], vx[ib], vy[ib]


def in_rings(px, py, ring_off, vx, vy, r0, r1) -> B:
    """Even-odd point-in-polygon over rings ``r0 .. r1-1`` for arrays of points."""
    px, py = np.asarray(px, float), np.asarray(py, float)
    inside = np.zeros(px.shape, dtype=bool)
    xj, yj, xi, yi = _edges(ring_off, vx, vy, r0, r1)
    for e in range(len(xi)):
        straddle = (yi[e] > py) != (yj[e] > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xc = xi[e] + (py - yi[e]) * (xj[e] - xi[e]) / (yj[e] - yi[e])
        inside ^= straddle & (px < xc)
    return inside


def segment_rings_distance(x0, y0, x1, y1, ring_off, vx, vy, r0, r1) -> F64:
    """Distances (m) from segments to the edges of rings ``r0 .. r1-1`` (``inf``: no edges)."""
    best = np.full(np.shape(x0), math.inf)
    ex0, ey0, ex1, ey1 = _edges(ring_off, vx, vy, r0, r1)
    for e in range(len(ex0)):
        best = np.minimum(best, segment_distance(x0, y0, x1, y1, ex0[e], ey0[e], ex1[e], ey1[e]))
    return best


def _check_volumes(x0, y0, x1, y1, r, zlo, zhi, t0, t1) -> None:
    for v in (x0, y0, x1, y1, r, t0, t1):
        if not np.all(np.isfinite(v)):
            raise ValueError("intent volume with a non-finite position, radius or time")
    if np.any(np.asarray(r) < 0.0):
        raise ValueError("intent volume with a negative radius")
    if np.any(np.isnan(zlo)) or np.any(np.isnan(zhi)):
        raise ValueError("intent volume with a NaN altitude band")


# --- twins of the kernels --------------------------------------------------------------------
def plan_pairs(x0, y0, x1, y1, r, zlo, zhi, t0, t1, plan, cell, tcell) -> tuple[I64, I64]:
    """Twin of :func:`sim.kernels.deconflict.plan_pairs`: every pair tested.

    ``cell`` and ``tcell`` are only checked, not used.
    """
    if not (cell > 0.0 and tcell > 0.0 and math.isfinite(cell) and math.isfinite(tcell)):
        raise ValueError("cell and tcell must be positive and finite")
    _check_volumes(x0, y0, x1, y1, r, zlo, zhi, t0, t1)
    n = len(x0)
    out_a: list[I64] = []
    out_b: list[I64] = []
    for a in range(n - 1):
        b = np.arange(a + 1, n)
        time = np.maximum(t0[a], t0[b]) < np.minimum(t1[a], t1[b])
        band = (zlo[a] <= zhi[b]) & (zlo[b] <= zhi[a])
        other = plan[b] != plan[a]
        d = segment_distance(x0[a], y0[a], x1[a], y1[a], x0[b], y0[b], x1[b], y1[b])
        hit = time & band & other & (d <= r[a] + r[b])
        out_a.append(np.full(int(hit.sum()), a, dtype=np.int64))
        out_b.append(b[hit].astype(np.int64))
    if not out_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_a), np.concatenate(out_b)


def zone_hits(
    x0,
    y0,
    x1,
    y1,
    r,
    zlo,
    zhi,
    t0,
    t1,
    vol_zone,
    vol_circle,
    cx,
    cy,
    radius,
    ring_start,
    ring_end,
    ring_off,
    vx,
    vy,
    floor,
    ceiling,
    bbox,
    win_off,
    win_t0,
    win_t1,
    cell,
) -> tuple[I64, I64, F64, F64]:
    """Twin of :func:`sim.kernels.deconflict.zone_hits`: every (volume, zone volume) pair tested.

    ``bbox`` and ``cell`` are not used (``cell`` is only checked).
    """
    if not (cell > 0.0 and math.isfinite(cell)):
        raise ValueError("cell must be positive and finite")
    _check_volumes(x0, y0, x1, y1, r, zlo, zhi, t0, t1)
    x0, y0, x1, y1, r = (np.asarray(v, float) for v in (x0, y0, x1, y1, r))
    nv = len(x0)
    vols: list[I64] = []
    zvols: list[I64] = []
    lo_all: list[F64] = []
    hi_all: list[F64] = []
    for k in range(len(vol_zone)):
        z = int(vol_zone[k])
        found = np.zeros(nv, dtype=bool)
        lo = np.zeros(nv)
        hi = np.zeros(nv)
        for w in range(win_off[z], win_off[z + 1]):
            a = np.maximum(t0, win_t0[w])
            b = np.minimum(t1, win_t1[w])
            first = (a < b) & ~found
            lo = np.where(first, a, lo)
            hi = np.where(first, b, hi)
            found |= first
        band = (zlo <= ceiling[k]) & (floor[k] <= zhi)
        if vol_circle[k]:
            d = np.sqrt(point_segment_dist2(cx[k], cy[k], x0, y0, x1, y1))
            flat = d <= r + radius[k]
        else:
            r0, r1 = ring_start[k], ring_end[k]
            near = segment_rings_distance(x0, y0, x1, y1, ring_off, vx, vy, r0, r1) <= r
            flat = near | in_rings(x0, y0, ring_off, vx, vy, r0, r1)
        hit = np.nonzero(found & band & flat)[0]
        vols.append(hit.astype(np.int64))
        zvols.append(np.full(len(hit), k, dtype=np.int64))
        lo_all.append(lo[hit])
        hi_all.append(hi[hit])
    if not vols:
        e = np.zeros(0, np.int64)
        return e, e.copy(), np.zeros(0), np.zeros(0)
    v, zv = np.concatenate(vols), np.concatenate(zvols)
    lo_c, hi_c = np.concatenate(lo_all), np.concatenate(hi_all)
    order = np.lexsort((zv, v))
    return v[order], zv[order], lo_c[order], hi_c[order]
