"""Strategic deconfliction of UAV operational intents in 4-D (ASTM F3548-21 style).

In ASTM F3548-21 ("Standard Specification for UAS Traffic Management (UTM) UAS Service
Supplier (USS) Interoperability") an operational intent is a list of 4-D volumes (``Volume4D``:
an outline, an altitude band and a time window), and strategic deconfliction finds the
intersecting volumes of different intents before flight. Here a volume is a corridor segment
capsule (SI units, local ENU frame):

- horizontally, the closed set of points within ``r`` (m) of the segment ``(x0, y0)-(x1, y1)``
  (m); a zero-length segment is a disc (a hover, take-off or landing volume);
- vertically, the closed band ``[zlo, zhi]`` (m AMSL);
- in time, the half-open window ``[t0, t1)`` (s after the scenario start); ``t1 <= t0`` is an
  empty volume that meets nothing.

Two volumes of different plans conflict (:func:`plan_pairs`) when all three parts intersect:
the distance between the segments is ``<= r_a + r_b`` (touching counts: the safe side), the
bands overlap or touch (``zlo_a <= zhi_b`` and ``zlo_b <= zhi_a``), and the windows share a
positive length (``max(t0) < min(t1)``: windows that only touch, ``[0, 10)`` and ``[10, 20)``,
do not conflict). A volume meets a zone volume (:func:`zone_hits`) when the capsule meets the
zone's closed 2-D region (a circle, or rings under the even-odd rule, outer rings and holes
together, as :mod:`sim.kernels.fences`), the bands overlap or touch, and the window shares a
positive length with one of the zone's active windows (from ``sim.geo.intents.zone_windows``).

Geometry (all exact up to floating-point rounding; no polygonisation of the capsules):

- segment-segment distance: 0 when the segments properly cross (orientation signs, Ericson,
  *Real-Time Collision Detection*, 2005, sec. 5.1.9.1), else the least of the four
  endpoint-to-segment distances (Ericson sec. 5.1.2); collinear and touching cases fall into
  the endpoint distances, which are then 0;
- capsule vs rings: the segment is within ``r`` of some ring edge, or (when it is farther than
  ``r`` from every edge, so it cannot cross the boundary) its first endpoint is inside by the
  even-odd crossing test (Haines, "Point in Polygon Strategies", Graphics Gems IV, 1994);
- capsule vs circle: segment-to-centre distance ``<= r + radius``.

Broadphase: :func:`plan_pairs` hashes the volumes' ``(x, y, t)`` bounding boxes into a uniform
grid of ``cell`` x ``cell`` x ``tcell`` (Ericson sec. 7.1): every volume is entered in each cell
its box covers, by a counting sort into the cells (or, when the grid is mostly empty, a sort of
the entries by cell number), and the pairs inside each cell are tested; a pair is kept only in
the cell that holds the lower corner of the intersection of the two boxes (Ericson
sec. 7.1.6), so it is reported once without a hash set. Volumes are entered in the order of
their first time cell and cells are numbered time-major, so the grid is filled one time slice
after the other (cache friendly). :func:`zone_hits` enters the zone volumes in a dense 2-D
grid (CSR lists) and each intent volume visits the cells of its box, with the same
lower-corner rule. Boxes are padded by ``1e-9`` relative so rounding can never drop a pair
that the exact test accepts: the results equal the all-pairs answer of the plain-numpy twins
in :mod:`sim.kernels.reference_deconflict`, in the same order.

Cost: with cells about the size of a typical volume or twice that
(``sim.geo.intents.suggest_cells``), each volume lands in a handful of cells and meets only
its space-time neighbours, so the work is ``O(entries + cells)`` plus the pairs per cell:
about linear in the number of plans at a fixed traffic density. The grid sizes are hints:
they are doubled while a grid would need more than ``64 n + 2^20`` entries (or cell numbers
beyond int64). Measured on one core (``python benchmarks/compare.py deconflict-10k``): a day
of 10,000 plans (75,000 volumes) against each other and 1,000 zones in about 0.05 s.

Outputs are built in buffers that double when full, then sorted by their index pairs.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.kernels.fences import in_rings

PAD_REL = 1.0e-9
"""Relative padding of bounding boxes so that rounding never hides a pair the exact test keeps."""
PAD_ABS = 1.0e-12
"""Absolute padding (m) of bounding boxes, for coordinates near 0."""
MAX_CELLS = 2.0**62
"""Largest number of (x, y, t) cells whose numbers still fit in an int64."""


# --- geometry --------------------------------------------------------------------------------
@njit(cache=True, inline="always")
def orient(ax, ay, bx, by, cx, cy):
    """Twice the signed area (m^2) of triangle a, b, c: > 0 when c is left of a -> b."""
    return (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)


@njit(cache=True, inline="always")
def point_segment_dist2(px, py, ax, ay, bx, by):
    """Squared distance (m^2) from point ``p`` to segment ``a-b`` (a point if ``a == b``)."""
    dx = bx - ax
    dy = by - ay
    l2 = dx * dx + dy * dy
    u = 0.0
    if l2 > 0.0:
        u = ((px - ax) * dx + (py - ay) * dy) / l2
        u = min(1.0, max(0.0, u))
    ex = ax + u * dx - px
    ey = ay + u * dy - py
    return ex * ex + ey * ey


@njit(cache=True, inline="always")
def segments_cross(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1):
    """Whether segments ``a`` and ``b`` properly cross (each strictly separates the other's ends).

    Touching and collinear cases are ``False``; their distance comes from the endpoints.
    """
    o1 = orient(ax0, ay0, ax1, ay1, bx0, by0)
    o2 = orient(ax0, ay0, ax1, ay1, bx1, by1)
    o3 = orient(bx0, by0, bx1, by1, ax0, ay0)
    o4 = orient(bx0, by0, bx1, by1, ax1, ay1)
    ab = ((o1 > 0.0) & (o2 < 0.0)) | ((o1 < 0.0) & (o2 > 0.0))
    ba = ((o3 > 0.0) & (o4 < 0.0)) | ((o3 < 0.0) & (o4 > 0.0))
    return ab & ba


@njit(cache=True, inline="always")
def segment_distance(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1):
    """Distance (m) between segments ``(ax0, ay0)-(ax1, ay1)`` and ``(bx0, by0)-(bx1, by1)``.

    Either may have zero length (a point). 0 when they cross; otherwise the least of the four
    endpoint-to-segment distances.
    """
    if segments_cross(ax0, ay0, ax1, ay1, bx0, by0, bx1, by1):
        return 0.0
    d2 = point_segment_dist2(ax0, ay0, bx0, by0, bx1, by1)
    d2 = min(d2, point_segment_dist2(ax1, ay1, bx0, by0, bx1, by1))
    d2 = min(d2, point_segment_dist2(bx0, by0, ax0, ay0, ax1, ay1))
    d2 = min(d2, point_segment_dist2(bx1, by1, ax0, ay0, ax1, ay1))
    return math.sqrt(d2)


@njit(cache=True)
def segment_rings_distance(x0, y0, x1, y1, ring_off, vx, vy, r0, r1):
    """Distance (m) from segment ``(x0, y0)-(x1, y1)`` to the edges of rings ``r0 .. r1-1``.

    Rings are ``vx/vy[ring_off[k]:ring_off[k+1]]`` (m), closed implicitly (a repeated closing
    vertex is harmless). ``inf`` when there are no edges. This is the distance to the
    *boundary*: a segment deep inside the region is far from it.
    """
    best = math.inf
    for k in range(r0, r1):
        a = ring_off[k]
        b = ring_off[k + 1]
        j = b - 1
        for i in range(a, b):
            d = segment_distance(x0, y0, x1, y1, vx[j], vy[j], vx[i], vy[i])
            best = min(best, d)
            j = i
    return best


@njit(cache=True)
def segment_rings_within(x0, y0, x1, y1, lim, ring_off, vx, vy, r0, r1):
    """Whether segment ``(x0, y0)-(x1, y1)`` comes within ``lim`` (m) of a ring edge.

    Same answer as ``segment_rings_distance(...) <= lim``, with an early exit and a padded
    bounding-box rejection of far edges.
    """
    bx0 = min(x0, x1) - lim
    by0 = min(y0, y1) - lim
    bx1 = max(x0, x1) + lim
    by1 = max(y0, y1) + lim
    px = _pad(0.5 * (bx0 + bx1), 0.5 * (bx1 - bx0))
    py = _pad(0.5 * (by0 + by1), 0.5 * (by1 - by0))
    bx0 -= px
    bx1 += px
    by0 -= py
    by1 += py
    for k in range(r0, r1):
        a = ring_off[k]
        b = ring_off[k + 1]
        j = b - 1
        for i in range(a, b):
            ex0 = vx[j]
            ey0 = vy[j]
            ex1 = vx[i]
            ey1 = vy[i]
            j = i
            if (
                (min(ex0, ex1) > bx1)
                | (max(ex0, ex1) < bx0)
                | (min(ey0, ey1) > by1)
                | (max(ey0, ey1) < by0)
            ):
                continue
            if segment_distance(x0, y0, x1, y1, ex0, ey0, ex1, ey1) <= lim:
                return True
    return False


@njit(cache=True)
def capsule_meets_region(
    x0, y0, x1, y1, r, v, vol_circle, cx, cy, radius, ring_start, ring_end, ring_off, vx, vy
):
    """Whether the capsule (segment, radius ``r`` m) meets zone volume ``v``'s closed 2-D region.

    Circle: segment-to-centre distance ``<= r + radius``. Rings (even-odd, holes included):
    within ``r`` of an edge, or the first endpoint inside.
    """
    if vol_circle[v]:
        d = math.sqrt(point_segment_dist2(cx[v], cy[v], x0, y0, x1, y1))
        return d <= r + radius[v]
    r0 = ring_start[v]
    r1 = ring_end[v]
    if segment_rings_within(x0, y0, x1, y1, r, ring_off, vx, vy, r0, r1):
        return True
    return in_rings(x0, y0, ring_off, vx, vy, r0, r1)


@njit(cache=True, inline="always")
def first_overlap(t0, t1, z, win_off, win_t0, win_t1):
    """First window of zone ``z`` sharing a positive length with ``[t0, t1)`` (s).

    Returns ``(found, lo, hi)``: the overlap ``[lo, hi)`` with the first such window in stored
    order (the earliest, for sorted windows as ``zone_windows`` makes them).
    """
    for w in range(win_off[z], win_off[z + 1]):
        lo = max(t0, win_t0[w])
        hi = min(t1, win_t1[w])
        if lo < hi:
            return True, lo, hi
    return False, 0.0, 0.0


# --- grid helpers ----------------------------------------------------------------------------
@njit(cache=True, inline="always")
def _pad(v, r) -> float:
    """Absolute padding (m) of a box edge near coordinate ``v`` for a box of half size ``r``."""
    return PAD_REL * (abs(v) + abs(r)) + PAD_ABS


@njit(cache=True, inline="always")
def _cell(v, origin, inv, hi) -> int:
    """Cell number of coordinate ``v``, clamped to ``[-1, hi]`` (monotone in ``v``)."""
    f = (v - origin) * inv
    if f < -1.0:
        return np.int64(-1)
    if f > hi:
        return np.int64(hi)
    return np.int64(math.floor(f))


@njit(cache=True)
def _grow(a) -> np.ndarray:
    """A copy of ``a`` with twice the room."""
    out = np.empty(2 * len(a), dtype=a.dtype)
    out[: len(a)] = a
    return out


@njit(cache=True)
def _check_volumes(x0, y0, x1, y1, r, zlo, zhi, t0, t1) -> None:
    """Raise ``ValueError`` on coordinates, radii or times that are not finite, or NaN bands."""
    for i in range(len(x0)):
        if not (
            math.isfinite(x0[i])
            and math.isfinite(y0[i])
            and math.isfinite(x1[i])
            and math.isfinite(y1[i])
            and math.isfinite(r[i])
            and math.isfinite(t0[i])
            and math.isfinite(t1[i])
        ):
            raise ValueError("intent volume with a non-finite position, radius or time")
        if r[i] < 0.0:
            raise ValueError("intent volume with a negative radius")
        if math.isnan(zlo[i]) or math.isnan(zhi[i]):
            raise ValueError("intent volume with a NaN altitude band")


# --- plan against plan -----------------------------------------------------------------------
@njit(cache=True)
def _plan_cells(
    bx0, by0, bt0, bx1, by1, bt1, live, ox, oy, ot, cell, tcell, budget, c0, c1
) -> tuple:
    """Cell ranges of the live boxes into ``c0``/``c1`` (n, 3); returns (entries, nx, ny, nt).

    The entry count is ``-1`` when the grid would not fit int64 cell numbers, and only known
    to exceed ``budget`` once it does.
    """
    inv = 1.0 / cell
    tinv = 1.0 / tcell
    ex = 0.0
    ey = 0.0
    et = 0.0
    for i in range(len(bx0)):
        if live[i]:
            ex = max(ex, (bx1[i] - ox) * inv)
            ey = max(ey, (by1[i] - oy) * inv)
            et = max(et, (bt1[i] - ot) * tinv)
    if (ex + 2.0) * (ey + 2.0) * (et + 2.0) > MAX_CELLS:
        return -1, 0, 0, 0
    nx = np.int64(math.floor(ex)) + 1
    ny = np.int64(math.floor(ey)) + 1
    nt = np.int64(math.floor(et)) + 1
    total = np.int64(0)
    for i in range(len(bx0)):
        if not live[i]:
            continue
        c0[i, 0] = _cell(bx0[i], ox, inv, nx - 1)
        c0[i, 1] = _cell(by0[i], oy, inv, ny - 1)
        c0[i, 2] = _cell(bt0[i], ot, tinv, nt - 1)
        c1[i, 0] = _cell(bx1[i], ox, inv, nx - 1)
        c1[i, 1] = _cell(by1[i], oy, inv, ny - 1)
        c1[i, 2] = _cell(bt1[i], ot, tinv, nt - 1)
        total += (c1[i, 0] - c0[i, 0] + 1) * (c1[i, 1] - c0[i, 1] + 1) * (c1[i, 2] - c0[i, 2] + 1)
        if total > budget:
            break  # the caller doubles the cells; stop before the sum could overflow
    return total, nx, ny, nt


# fmt: off
@njit(cache=True, inline="always")
def _cell_pairs(
    vols, p, q, qx, qy, qt, x0, y0, x1, y1, r, zlo, zhi, t0, t1, plan, bx0, by0, bx1, by1, c0,
    out_a, out_b, m,
) -> tuple:
    # fmt: on
    """Test the pairs of the entries ``vols[p:q]`` of cell ``(qx, qy, qt)``; append the hits.

    ``bx0 .. by1`` are the padded boxes (m) and ``c0`` (n, 3) their lowest cells. A pair is
    tested only in the cell that holds the lower corner of the intersection of the two boxes
    (so once over the grid). Returns ``(m, out_a, out_b)``, the buffers doubled when full.
    """
    for u in range(p, q):
        a = vols[u]
        for w in range(u + 1, q):
            b = vols[w]
            if (
                (max(c0[a, 0], c0[b, 0]) != qx)
                | (max(c0[a, 1], c0[b, 1]) != qy)
                | (max(c0[a, 2], c0[b, 2]) != qt)
                | (plan[a] == plan[b])
            ):
                continue
            if (bx0[a] > bx1[b]) | (bx0[b] > bx1[a]) | (by0[a] > by1[b]) | (by0[b] > by1[a]):
                continue
            if not (max(t0[a], t0[b]) < min(t1[a], t1[b])):
                continue
            if (zlo[a] > zhi[b]) | (zlo[b] > zhi[a]):
                continue
            d = segment_distance(x0[a], y0[a], x1[a], y1[a], x0[b], y0[b], x1[b], y1[b])
            if d <= r[a] + r[b]:
                if m == len(out_a):
                    out_a = _grow(out_a)
                    out_b = _grow(out_b)
                out_a[m] = min(a, b)
                out_b[m] = max(a, b)
                m += 1
    return m, out_a, out_b


@njit(cache=True)
def plan_pairs(x0, y0, x1, y1, r, zlo, zhi, t0, t1, plan, cell, tcell):
    """All pairs of volumes of different plans that intersect in 4-D (grid broadphase).

    Inputs, float64 arrays over the ``n`` volumes: ``x0, y0, x1, y1`` the segment ends (m, local
    ENU); ``r`` the horizontal buffer radius (m, >= 0); ``zlo, zhi`` the altitude band (m AMSL,
    may be infinite); ``t0, t1`` the window ``[t0, t1)`` (s after the scenario start); ``plan``
    (int) the plan (flight) of each volume: volumes of one plan never pair. ``cell`` (m) and
    ``tcell`` (s) are the grid sizes (> 0), best one to two times the median box size and
    window length of a volume (``sim.geo.intents.suggest_cells``).

    Returns ``(a, b)``, int64 arrays of volume indices with ``a < b``, sorted by ``(a, b)``:
    the pairs whose segments are within ``r[a] + r[b]`` (closed), whose bands overlap or touch
    and whose windows overlap with a positive length.

    Raises ``ValueError`` on a non-finite position, radius or time, a negative radius, a NaN
    band, or a grid size that is not positive and finite.
    """
    n = len(x0)
    if not (cell > 0.0 and tcell > 0.0 and math.isfinite(cell) and math.isfinite(tcell)):
        raise ValueError("cell and tcell must be positive and finite")
    _check_volumes(x0, y0, x1, y1, r, zlo, zhi, t0, t1)
    bx0 = np.empty(n)
    by0 = np.empty(n)
    bx1 = np.empty(n)
    by1 = np.empty(n)
    live = np.zeros(n, dtype=np.bool_)
    ox = math.inf
    oy = math.inf
    ot = math.inf
    n_live = 0
    for i in range(n):
        if not (t0[i] < t1[i]):
            continue  # an empty window meets nothing
        lx = min(x0[i], x1[i]) - r[i]
        hx = max(x0[i], x1[i]) + r[i]
        ly = min(y0[i], y1[i]) - r[i]
        hy = max(y0[i], y1[i]) + r[i]
        px = _pad(0.5 * (lx + hx), 0.5 * (hx - lx))
        py = _pad(0.5 * (ly + hy), 0.5 * (hy - ly))
        bx0[i] = lx - px
        bx1[i] = hx + px
        by0[i] = ly - py
        by1[i] = hy + py
        live[i] = True
        n_live += 1
        ox = min(ox, bx0[i])
        oy = min(oy, by0[i])
        ot = min(ot, t0[i])
    empty = np.empty(0, dtype=np.int64)
    if n_live < 2:
        return empty, empty.copy()
    # grid: double the cells while the entries exceed the budget (or cell numbers overflow)
    c0 = np.zeros((n, 3), dtype=np.int64)
    c1 = np.zeros((n, 3), dtype=np.int64)
    budget = 64 * n_live + (1 << 20)
    while True:
        total, nx, ny, nt = _plan_cells(
            bx0, by0, t0, bx1, by1, t1, live, ox, oy, ot, cell, tcell, budget, c0, c1
        )
        if 0 <= total <= budget:
            break
        cell *= 2.0
        tcell *= 2.0
    # order the live volumes by the time cell of their start (a counting sort): the grid is
    # then filled one time slice after the other (t-major cell numbers), which keeps the
    # counts being written in the cache
    tstart = np.zeros(nt + 1, dtype=np.int64)
    for i in range(n):
        if live[i]:
            tstart[c0[i, 2] + 1] += 1
    for c in range(nt):
        tstart[c + 1] += tstart[c]
    srt = np.empty(n_live, dtype=np.int64)
    for i in range(n):
        if live[i]:
            srt[tstart[c0[i, 2]]] = i
            tstart[c0[i, 2]] += 1
    ncell = nx * ny * nt
    nxy = nx * ny
    vols = np.empty(total, dtype=np.int64)
    out_a = np.empty(1024, dtype=np.int64)
    out_b = np.empty(1024, dtype=np.int64)
    m = 0
    if ncell <= 4 * total + 4096:
        # counting sort of the entries into the dense cells (t-major): O(entries + cells)
        start = np.zeros(ncell + 1, dtype=np.int64)
        for s in range(n_live):
            i = srt[s]
            for gt in range(c0[i, 2], c1[i, 2] + 1):
                for gx in range(c0[i, 0], c1[i, 0] + 1):
                    base = (gt * nx + gx) * ny
                    for gy in range(c0[i, 1], c1[i, 1] + 1):
                        start[base + gy + 1] += 1
        for c in range(ncell):
            start[c + 1] += start[c]
        fill = start[:-1].copy()
        for s in range(n_live):
            i = srt[s]
            for gt in range(c0[i, 2], c1[i, 2] + 1):
                for gx in range(c0[i, 0], c1[i, 0] + 1):
                    base = (gt * nx + gx) * ny
                    for gy in range(c0[i, 1], c1[i, 1] + 1):
                        vols[fill[base + gy]] = i
                        fill[base + gy] += 1
        for c in range(ncell):
            if start[c + 1] - start[c] >= 2:
                m, out_a, out_b = _cell_pairs(
                    vols, start[c], start[c + 1], (c // ny) % nx, c % ny, c // nxy,
                    x0, y0, x1, y1, r, zlo, zhi, t0, t1, plan, bx0, by0, bx1, by1, c0,
                    out_a, out_b, m,
                )  # fmt: skip
    else:
        # a sparse grid (few entries for its cells): sort the entries by cell number
        keys = np.empty(total, dtype=np.int64)
        e = 0
        for s in range(n_live):
            i = srt[s]
            for gt in range(c0[i, 2], c1[i, 2] + 1):
                for gx in range(c0[i, 0], c1[i, 0] + 1):
                    base = (gt * nx + gx) * ny
                    for gy in range(c0[i, 1], c1[i, 1] + 1):
                        keys[e] = base + gy
                        vols[e] = i
                        e += 1
        by_key = np.argsort(keys)
        keys = keys[by_key]
        vols = vols[by_key]
        p = 0
        while p < total:
            k = keys[p]
            q = p + 1
            while q < total and keys[q] == k:
                q += 1
            if q - p >= 2:
                m, out_a, out_b = _cell_pairs(
                    vols, p, q, (k // ny) % nx, k % ny, k // nxy,
                    x0, y0, x1, y1, r, zlo, zhi, t0, t1, plan, bx0, by0, bx1, by1, c0,
                    out_a, out_b, m,
                )  # fmt: skip
            p = q
    out = np.argsort(out_a[:m] * n + out_b[:m])
    return out_a[:m][out], out_b[:m][out]


# --- plans against zones ---------------------------------------------------------------------
@njit(cache=True)
def _zone_grid_fits(zx0, zy0, zx1, zy1, zlive, ox, oy, ex, ey, cell) -> bool:
    """Whether a grid of ``cell`` m has at most ``16 n + 2^20`` cells, ``64 n + 2^20`` entries."""
    n = len(zx0)
    if ((ex - ox) / cell + 2.0) * ((ey - oy) / cell + 2.0) > 16.0 * n + 2.0**20:
        return False
    total = 0.0
    for k in range(n):
        if zlive[k]:
            wx = math.floor((zx1[k] - ox) / cell) - math.floor((zx0[k] - ox) / cell) + 1.0
            wy = math.floor((zy1[k] - oy) / cell) - math.floor((zy0[k] - oy) / cell) + 1.0
            total += wx * wy
    return total <= 64.0 * n + 2.0**20


@njit(cache=True)
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
):
    """Every (intent volume, zone volume) pair that intersects in 4-D (2-D grid over the zones).

    Inputs: the intent volumes ``x0 .. t1`` as in :func:`plan_pairs`; the zone volumes as
    ``sim.geo.fences.FenceArrays`` packs them: ``vol_zone`` the zone number, ``vol_circle``
    circle (else rings), ``cx, cy, radius`` the circle (m), rings ``ring_start[k]:ring_end[k]``
    of ``ring_off`` into ``vx, vy`` (m, even-odd rule over outer rings and holes), the band
    ``[floor, ceiling]`` (m AMSL) and ``bbox`` (n_zvol, 4) = (xmin, ymin, xmax, ymax) (m),
    which must hold the region; the active windows ``[win_t0[w], win_t1[w])`` (s) of zone ``z``
    for ``w`` in ``win_off[z]:win_off[z+1]`` (sorted, as ``sim.geo.intents.zone_windows`` makes
    them); ``cell`` (m, > 0) the grid cell, doubled while the grid would exceed ``16 n_zvol +
    2^20`` cells or ``64 n_zvol + 2^20`` entries.

    Returns ``(vol, zvol, ot0, ot1)``: int64 intent and zone volume indices, sorted by
    ``(vol, zvol)``, and the first overlap ``[ot0, ot1)`` (s) of the intent's window with the
    zone's active windows. A pair is reported when the capsule meets the closed region, the
    bands overlap or touch, and the windows share a positive length.

    Raises ``ValueError`` on bad intent volumes (see :func:`plan_pairs`) or a bad cell.
    """
    nv = len(x0)
    nzv = len(vol_zone)
    if not (cell > 0.0 and math.isfinite(cell)):
        raise ValueError("cell must be positive and finite")
    _check_volumes(x0, y0, x1, y1, r, zlo, zhi, t0, t1)
    e_i = np.empty(0, dtype=np.int64)
    e_f = np.empty(0, dtype=np.float64)
    zx0 = np.empty(nzv)
    zy0 = np.empty(nzv)
    zx1 = np.empty(nzv)
    zy1 = np.empty(nzv)
    zlive = np.zeros(nzv, dtype=np.bool_)
    ox = math.inf
    oy = math.inf
    ex = -math.inf
    ey = -math.inf
    for k in range(nzv):
        z = vol_zone[k]
        if win_off[z + 1] <= win_off[z]:
            continue  # never active
        lx = bbox[k, 0]
        ly = bbox[k, 1]
        hx = bbox[k, 2]
        hy = bbox[k, 3]
        if not (lx <= hx and ly <= hy):
            continue  # empty region
        px = _pad(0.5 * (lx + hx), 0.5 * (hx - lx))
        py = _pad(0.5 * (ly + hy), 0.5 * (hy - ly))
        zx0[k] = lx - px
        zx1[k] = hx + px
        zy0[k] = ly - py
        zy1[k] = hy + py
        zlive[k] = True
        ox = min(ox, zx0[k])
        oy = min(oy, zy0[k])
        ex = max(ex, zx1[k])
        ey = max(ey, zy1[k])
    if nv == 0 or ox == math.inf:
        return e_i, e_i.copy(), e_f, e_f.copy()
    while not _zone_grid_fits(zx0, zy0, zx1, zy1, zlive, ox, oy, ex, ey, cell):
        cell *= 2.0
    inv = 1.0 / cell
    nx = np.int64(math.floor((ex - ox) * inv)) + 1
    ny = np.int64(math.floor((ey - oy) * inv)) + 1
    zc = np.zeros((nzv, 4), dtype=np.int64)
    start = np.zeros(nx * ny + 1, dtype=np.int64)
    for k in range(nzv):
        if not zlive[k]:
            continue
        zc[k, 0] = _cell(zx0[k], ox, inv, nx - 1)
        zc[k, 1] = _cell(zy0[k], oy, inv, ny - 1)
        zc[k, 2] = _cell(zx1[k], ox, inv, nx - 1)
        zc[k, 3] = _cell(zy1[k], oy, inv, ny - 1)
        for gx in range(zc[k, 0], zc[k, 2] + 1):
            for gy in range(zc[k, 1], zc[k, 3] + 1):
                start[gx * ny + gy + 1] += 1
    for c in range(nx * ny):
        start[c + 1] += start[c]
    fill = start[:-1].copy()
    items = np.empty(start[-1], dtype=np.int64)
    for k in range(nzv):
        if not zlive[k]:
            continue
        for gx in range(zc[k, 0], zc[k, 2] + 1):
            for gy in range(zc[k, 1], zc[k, 3] + 1):
                c = gx * ny + gy
                items[fill[c]] = k
                fill[c] += 1
    cap = 1024
    out_v = np.empty(cap, dtype=np.int64)
    out_z = np.empty(cap, dtype=np.int64)
    out_t0 = np.empty(cap)
    out_t1 = np.empty(cap)
    m = 0
    for i in range(nv):
        if not (t0[i] < t1[i]):
            continue
        lx = min(x0[i], x1[i]) - r[i]
        hx = max(x0[i], x1[i]) + r[i]
        ly = min(y0[i], y1[i]) - r[i]
        hy = max(y0[i], y1[i]) + r[i]
        px = _pad(0.5 * (lx + hx), 0.5 * (hx - lx))
        py = _pad(0.5 * (ly + hy), 0.5 * (hy - ly))
        ax0 = lx - px
        ax1 = hx + px
        ay0 = ly - py
        ay1 = hy + py
        qx0 = _cell(ax0, ox, inv, nx)
        qy0 = _cell(ay0, oy, inv, ny)
        qx1 = _cell(ax1, ox, inv, nx)
        qy1 = _cell(ay1, oy, inv, ny)
        for gx in range(max(qx0, 0), min(qx1, nx - 1) + 1):
            for gy in range(max(qy0, 0), min(qy1, ny - 1) + 1):
                c = gx * ny + gy
                for p in range(start[c], start[c + 1]):
                    k = items[p]
                    if (max(qx0, zc[k, 0]) != gx) | (max(qy0, zc[k, 1]) != gy):
                        continue
                    if (ax0 > zx1[k]) | (zx0[k] > ax1) | (ay0 > zy1[k]) | (zy0[k] > ay1):
                        continue
                    if (zlo[i] > ceiling[k]) | (floor[k] > zhi[i]):
                        continue
                    found, lo, hi = first_overlap(
                        t0[i], t1[i], vol_zone[k], win_off, win_t0, win_t1
                    )
                    if not found:
                        continue
                    if not capsule_meets_region(
                        x0[i], y0[i], x1[i], y1[i], r[i], k, vol_circle, cx, cy, radius,
                        ring_start, ring_end, ring_off, vx, vy,
                    ):  # fmt: skip
                        continue
                    if m == len(out_v):
                        out_v = _grow(out_v)
                        out_z = _grow(out_z)
                        out_t0 = _grow(out_t0)
                        out_t1 = _grow(out_t1)
                    out_v[m] = i
                    out_z[m] = k
                    out_t0[m] = lo
                    out_t1[m] = hi
                    m += 1
    srt = np.argsort(out_v[:m] * nzv + out_z[:m])
    return out_v[:m][srt], out_z[:m][srt], out_t0[:m][srt], out_t1[:m][srt]
