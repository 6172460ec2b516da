"""Collision kernels: uniform-grid broadphase, OBB and cylinder narrowphase, swept checks.

Shapes (SI units; headings in rad from east, counter-clockwise; x east, y north, z up):

- Road vehicles and ships are rectangles: centre ``(x, y)`` (m), ``heading`` (rad), ``length``
  along the heading and ``width`` across it (m). Two rectangles collide when their closed
  footprints intersect: **touching counts** (a shared edge or corner is a collision).
- UAVs are vertical cylinders: centre ``(x, y, z)`` (m, ``z`` the centre altitude), radius
  ``span / 2`` with ``span = max(length, width)`` (m), ``height`` (m). Two UAVs collide when the
  horizontal distance of their axes is ``< r_i + r_j`` and ``|z_i - z_j| < h_i / 2 + h_j / 2``
  (strict: cylinders that only touch do not collide).
- Agents only collide with agents of their own kind (``kind`` as in ``sim.state.fleet``).

Broadphase (agents): a uniform grid rebuilt on every call by a counting sort of the agents
into the cells of their centres (Ericson, *Real-Time Collision Detection*, 2005, sec. 7.1).
Cells are numbered row-major while the grid spans at most ``4 n + 1024`` cells, and are
hashed into ``2^k >= 2 n`` buckets otherwise (the hash of Teschner et al., "Optimized Spatial
Hashing for Collision Detection of Deformable Objects", VMV 2003), so memory stays O(n) on a
sparse map. The default cell is the largest bounding-circle diameter: a circle then meets
only circles of its own and the 8 neighbouring cells, and scanning its own cell and 4 of the
neighbours finds each pair exactly once; the expected cost is O(n) at bounded density. With a
given, smaller cell, circles wider than a cell scan all cells in their reach and are paired
with each other directly. Candidates are pairs of the same kind whose bounding circles
overlap (``d <= r_i + r_j``; circles about the swept path when agents move). Obstacles are
entered in every cell their bounding box touches, and an agent-obstacle pair is tested only
in the cell holding the lower-left corner of the intersection of their boxes (Ericson
sec. 7.1.6), so each is found once.

Narrowphase for rectangles: the separating-axis test of Gottschalk, Lin & Manocha, "OBBTree",
SIGGRAPH 1996, in the 2-D form of Ericson sec. 4.4.1 (face normals of both boxes). It is
written with the same operations in the same order as CommonRoad's drivability checker
(``collision::primitive_queries::collisionDetection(RectangleOBB, RectangleOBB)``, which
``pycrcc.RectOBB.collide`` calls): an axis separates only when ``|t| > r_a + r_b``, so touching
boxes collide there too, and the first box of a pair (the lower agent index here) is the
reference frame. The results are therefore bit-for-bit the same as CommonRoad's, including
boxes that touch exactly.

Swept check: between the previous pose (``prev_*``) and the current one, centres and ``z``
move linearly and the heading turns linearly along the shorter arc. Rectangles use
conservative advancement (Mirtich, "Impulse-based dynamic simulation of rigid body systems",
PhD thesis, UC Berkeley 1996): from ``t = 0`` the exact test is evaluated at times
``t_{k+1} = t_k + max(g_k, tol) / V`` where ``g_k`` is the separating-axis gap (a lower bound
of the distance) and ``V = |dc_i| + R_i |dtheta_i| + |dc_j| + R_j |dtheta_j|`` bounds the speed
(m per tick) at which the gap can close (``R`` the half-diagonal). Guarantee: every pair that
overlaps at the end of the tick is reported (exact test), and every pair whose footprints'
intersection contains a disc of diameter ``tol`` at some instant of the tick is reported;
every reported pair does overlap at one of the sampled instants (no false alarm). Only
grazing contacts thinner than ``tol`` can be missed. UAV cylinders are tested exactly: the
times of horizontal and vertical overlap are intervals (a quadratic and a linear inequality
in ``t``) and the pair collides when they intersect inside ``[0, 1]``.

Static obstacles are polygons (convex or not, one ring each, vertices in order, the ring
closed implicitly) given as ``obs_off`` / ``obs_x`` / ``obs_y`` (vertices of obstacle ``o`` are
``obs_off[o]:obs_off[o+1]``), with a base altitude ``obs_base`` and a height ``obs_height`` (m)
and a bit mask ``obs_mask`` of the kinds they stop (bit ``k`` for kind ``k``). A rectangle
hits a polygon when one of its edges meets the closed rectangle (separating axes of the edge:
the box axes and the edge normal) or the rectangle's centre is inside the polygon (crossing
number test, Haines, "Point in Polygon Strategies", Graphics Gems IV, 1994). A UAV hits a
polygon prism when its axis is inside the polygon or closer than ``r`` to an edge, and its
bottom ``z - h/2`` is below ``base + H`` while its top is above ``base`` (strict, as for UAV
pairs). The same swept check applies (the obstacle does not move).

Output protocol: results go to preallocated ``out_*`` arrays; the return value is the number
of results found. When it exceeds ``len(out_*)``, only the first ``len(out_*)`` were written:
grow the buffers to at least that size and call again. :func:`collide` also takes int64 and
float64 workspaces (:func:`collision_workspace`) that the caller keeps between ticks: fresh
memory on every call costs page faults that were half the time of a 10,000-box query.

Numba note: value-returning ``and``/``or`` chains compile to code about ten times slower than
``&``/``|`` on booleans here, so the hot predicates use the bitwise form.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

KIND_UAV = 1
"""The kind tested as cylinders (must match ``sim.state.fleet.KIND_UAV``)."""
RADIUS_MARGIN = 1.0e-9
"""Relative inflation of bounding radii so that rounding can never hide a touching pair."""
MIN_TOL = 1.0e-6
"""Smallest swept-check tolerance (m) used, whatever is passed."""
_HX = 73856093
_HY = 19349663
_HG = 83492791


# --- shapes --------------------------------------------------------------------------------
@njit(cache=True)
def bounding_radius(length, width):
    """Radius (m) of the circle about the centre that holds a ``length`` x ``width`` box."""
    return 0.5 * math.sqrt(length * length + width * width) * (1.0 + RADIUS_MARGIN)


@njit(cache=True)
def uav_radius(length, width):
    """Cylinder radius (m) of a UAV: half its span, the larger of ``length`` and ``width``."""
    return 0.5 * max(length, width)


@njit(cache=True)
def wrap_angle(a):
    """``a`` (rad) wrapped to ``[-pi, pi)``."""
    return (a + math.pi) % (2.0 * math.pi) - math.pi


@njit(cache=True)
def _obb_overlap_cs(xa, ya, ca, sa, hla, hwa, xb, yb, cb, sb, hlb, hwb) -> bool:
    """Closed OBB-OBB test with the axes given as cos/sin; ``a`` is the reference frame.

    Same arithmetic as CommonRoad's ``collisionDetection(RectangleOBB, RectangleOBB)``
    (Ericson 2005, pp. 101-105): ``R = A^T B``, ``t = A^T (c_b - c_a)``, with the local axes
    ``A = [[c, -s], [s, c]]``.
    """
    r00 = ca * cb + sa * sb
    r01 = ca * (-sb) + sa * cb
    r10 = (-sa) * cb + ca * sb
    r11 = (-sa) * (-sb) + ca * cb
    dx = xb - xa
    dy = yb - ya
    t0 = ca * dx + sa * dy
    t1 = (-sa) * dx + ca * dy
    a00 = abs(r00)
    a01 = abs(r01)
    a10 = abs(r10)
    a11 = abs(r11)
    if abs(t0) > hla + (hlb * a00 + hwb * a01):
        return False
    if abs(t1) > hwa + (hlb * a10 + hwb * a11):
        return False
    if abs(t0 * r00 + t1 * r10) > (hla * a00 + hwa * a10) + hlb:
        return False
    return not abs(t0 * r01 + t1 * r11) > (hla * a01 + hwa * a11) + hwb


@njit(cache=True)
def _obb_gap_cs(xa, ya, ca, sa, hla, hwa, xb, yb, cb, sb, hlb, hwb) -> float:
    """Largest separating-axis gap (m) of two boxes: ``> 0`` exactly when they are disjoint.

    The gap is a lower bound of their Euclidean distance. Same terms as
    :func:`_obb_overlap_cs`, so ``gap <= 0`` iff that test reports an overlap.
    """
    r00 = ca * cb + sa * sb
    r01 = ca * (-sb) + sa * cb
    r10 = (-sa) * cb + ca * sb
    r11 = (-sa) * (-sb) + ca * cb
    dx = xb - xa
    dy = yb - ya
    t0 = ca * dx + sa * dy
    t1 = (-sa) * dx + ca * dy
    a00 = abs(r00)
    a01 = abs(r01)
    a10 = abs(r10)
    a11 = abs(r11)
    g = abs(t0) - (hla + (hlb * a00 + hwb * a01))
    g = max(g, abs(t1) - (hwa + (hlb * a10 + hwb * a11)))
    g = max(g, abs(t0 * r00 + t1 * r10) - ((hla * a00 + hwa * a10) + hlb))
    return max(g, abs(t0 * r01 + t1 * r11) - ((hla * a01 + hwa * a11) + hwb))


@njit(cache=True)
def obb_overlap(xa, ya, ha, la, wa, xb, yb, hb, lb, wb):
    """Whether two closed rectangles intersect (touching counts).

    Each box: centre (m), heading (rad), length along the heading and width (m). ``a`` is
    the reference frame, as in ``pycrcc.RectOBB(la/2, wa/2, ha, xa, ya).collide(b)``.
    """
    return _obb_overlap_cs(
        xa,
        ya,
        math.cos(ha),
        math.sin(ha),
        0.5 * la,
        0.5 * wa,
        xb,
        yb,
        math.cos(hb),
        math.sin(hb),
        0.5 * lb,
        0.5 * wb,
    )


@njit(cache=True)
def obb_pairs(pair_i, pair_j, x, y, heading, length, width, out):
    """Narrowphase over given pairs: ``out[k]`` = boxes ``pair_i[k]`` and ``pair_j[k]`` touch.

    Boxes are rows of the fleet arrays (m, rad); ``pair_i[k]`` is the reference frame.
    Returns the number of colliding pairs.
    """
    n = 0
    for k in range(len(pair_i)):
        i = pair_i[k]
        j = pair_j[k]
        hit = obb_overlap(
            x[i], y[i], heading[i], length[i], width[i], x[j], y[j], heading[j], length[j], width[j]
        )
        out[k] = hit
        if hit:
            n += 1
    return n


@njit(cache=True)
def cylinder_overlap(xa, ya, za, ra, ha, xb, yb, zb, rb, hb):
    """UAV separation breached: horizontal distance ``< ra + rb`` and ``|dz| < (ha + hb) / 2``.

    Centres (m; ``z`` mid-height), radii and heights (m).
    """
    dx = xb - xa
    dy = yb - ya
    rr = ra + rb
    # bitwise on bools: numba compiles value-returning ``and``/``or`` chains to slow code
    return (dx * dx + dy * dy < rr * rr) & (abs(zb - za) < 0.5 * (ha + hb))


# --- broadphase ----------------------------------------------------------------------------
@njit(cache=True)
def _hash(cx, cy, g, mask) -> int:
    return ((cx * _HX) ^ (cy * _HY) ^ (g * _HG)) & mask


@njit(cache=True)
def _cell(v, origin, inv) -> int:
    return np.int64(math.floor((v - origin) * inv))


@njit(cache=True)
def _bucket(cx, cy, g, nx, ny, mask) -> int:
    """Bucket of cell ``(cx, cy)``: dense row-major when ``mask < 0``, else hashed; -1 if none."""
    if mask < 0:
        if cx < 0 or cy < 0 or cx >= nx or cy >= ny:
            return -1
        return cx * ny + cy
    return _hash(cx, cy, g, mask)


@njit(cache=True)
def _build_grid(bx0, by0, bx1, by1, group, cell, ox, oy) -> tuple:
    """Grid of boxes ``[bx0, bx1] x [by0, by1]`` (m) with square cells of ``cell`` m.

    Cells are counted from the origin ``(ox, oy)`` (m, at or below every box). When the
    cells spanned by all boxes are at most ``4 * entries + 1024``, buckets are those cells
    (row-major, ``mask = -1``); otherwise cells are hashed (Teschner et al. 2003) into
    ``mask + 1 >= 2 * entries`` buckets together with ``group``, and ``ecx``/``ecy`` tell an
    entry's cell. Buckets are filled by a counting sort: the entries of bucket ``b`` are
    ``start[b]:start[b+1]`` of ``ent`` (item index). Returns
    ``(start, ent, ecx, ecy, cx0, cy0, cx1, cy1, nx, ny, mask)`` with the cell range of each
    item.
    """
    m = len(bx0)
    inv = 1.0 / cell
    cx0 = np.empty(m, dtype=np.int64)
    cy0 = np.empty(m, dtype=np.int64)
    cx1 = np.empty(m, dtype=np.int64)
    cy1 = np.empty(m, dtype=np.int64)
    total = 0
    nx = 0
    ny = 0
    for k in range(m):
        cx0[k] = _cell(bx0[k], ox, inv)
        cy0[k] = _cell(by0[k], oy, inv)
        cx1[k] = _cell(bx1[k], ox, inv)
        cy1[k] = _cell(by1[k], oy, inv)
        total += (cx1[k] - cx0[k] + 1) * (cy1[k] - cy0[k] + 1)
        nx = max(nx, cx1[k] + 1)
        ny = max(ny, cy1[k] + 1)
    mask = -1
    if nx * ny <= 4 * total + 1024 and nx * ny < 2**40:
        nb = nx * ny
        ecx = np.empty(0, dtype=np.int64)
        ecy = np.empty(0, dtype=np.int64)
    else:
        nb = 16
        while nb < 2 * total:
            nb *= 2
        mask = nb - 1
        ecx = np.empty(total, dtype=np.int64)
        ecy = np.empty(total, dtype=np.int64)
    start = np.zeros(nb + 1, dtype=np.int64)
    for k in range(m):
        g = group[k]
        for cx in range(cx0[k], cx1[k] + 1):
            for cy in range(cy0[k], cy1[k] + 1):
                start[_bucket(cx, cy, g, nx, ny, mask) + 1] += 1
    for b in range(nb):
        start[b + 1] += start[b]
    fill = start[:nb].copy()
    ent = np.empty(total, dtype=np.int64)
    for k in range(m):
        g = group[k]
        for cx in range(cx0[k], cx1[k] + 1):
            for cy in range(cy0[k], cy1[k] + 1):
                h = _bucket(cx, cy, g, nx, ny, mask)
                p = fill[h]
                ent[p] = k
                if mask >= 0:
                    ecx[p] = cx
                    ecy[p] = cy
                fill[h] = p + 1
    return start, ent, ecx, ecy, cx0, cy0, cx1, cy1, nx, ny, mask


@njit(cache=True)
def _pad(v, r) -> float:
    """Absolute padding (m) of a bounding box edge at coordinate ``v`` for radius ``r``."""
    return 1.0e-9 * (abs(v) + r) + 1.0e-12


@njit(cache=True)
def _take(ws, lo, size) -> tuple:
    """``ws[lo:lo + size]`` and the next free offset, or a new array when ``ws`` is short."""
    if lo + size <= len(ws):
        return ws[lo : lo + size], lo + size
    return np.empty(size, dtype=ws.dtype), lo


@njit(cache=True, inline="always")
def _emit_pairs(p, q0, q1, sx, sy, sr, sg, order, lim, has_big, pa, pb, n) -> int:
    """Test item ``p`` against sorted items ``q0..q1-1``; record overlapping pairs from ``n``.

    Writes only while ``pa`` has room and returns the new count.
    """
    xa = sx[p]
    ya = sy[p]
    ra = sr[p]
    ga = sg[p]
    cap = len(pa)
    for q in range(q0, q1):
        if sg[q] != ga or (has_big and sr[q] > lim):
            continue
        dx = sx[q] - xa
        dy = sy[q] - ya
        rr = ra + sr[q]
        if dx * dx + dy * dy <= rr * rr:
            if n < cap:
                pa[n] = order[p]
                pb[n] = order[q]
            n += 1
    return n


@njit(cache=True)
def _scan_cells(
    sx, sy, sr, sg, order, start, nx, ny, mask, ox, oy, inv, lim, has_big, pa, pb
) -> int:
    """All small-small pairs: each item against its own cell (later items) and 4 neighbours.

    Returns the number of pairs; only the first ``len(pa)`` are written.
    """
    n = 0
    if mask < 0:  # dense cells: look the neighbour ranges up once per cell
        for qx in range(nx):
            for qy in range(ny):
                b = qx * ny + qy
                s = start[b]
                e = start[b + 1]
                if s == e:
                    continue
                n0 = start[b + 1] if qy + 1 < ny else e  # (0, 1)
                n1 = start[b + 2] if qy + 1 < ny else e
                m0 = e  # (1, -1), (1, 0), (1, 1): consecutive cells of the next column
                m1 = e
                if qx + 1 < nx:
                    lo = b + ny - 1 if qy > 0 else b + ny
                    hi = b + ny + 1 if qy + 1 < ny else b + ny
                    m0 = start[lo]
                    m1 = start[hi + 1]
                for p in range(s, e):
                    if has_big and sr[p] > lim:
                        continue
                    n = _emit_pairs(p, p + 1, e, sx, sy, sr, sg, order, lim, has_big, pa, pb, n)
                    n = _emit_pairs(p, n0, n1, sx, sy, sr, sg, order, lim, has_big, pa, pb, n)
                    n = _emit_pairs(p, m0, m1, sx, sy, sr, sg, order, lim, has_big, pa, pb, n)
        return n
    cap = len(pa)
    for p in range(len(sx)):  # hashed cells: filter the entries of other cells in a bucket
        xa = sx[p]
        ya = sy[p]
        ra = sr[p]
        ga = sg[p]
        if has_big and ra > lim:
            continue
        qx = _cell(xa, ox, inv)
        qy = _cell(ya, oy, inv)
        for t in range(5):  # own cell (later entries only), then (0,1), (1,-1), (1,0), (1,1)
            tx = qx if t < 2 else qx + 1
            ty = qy + 1 if t == 1 else (qy + t - 3 if t >= 2 else qy)
            b = _hash(tx, ty, 0, mask)
            for q in range(p + 1 if t == 0 else start[b], start[b + 1]):
                if sg[q] != ga or (has_big and sr[q] > lim):
                    continue
                dx = sx[q] - xa
                dy = sy[q] - ya
                rr = ra + sr[q]
                if dx * dx + dy * dy <= rr * rr:
                    if _cell(sx[q], ox, inv) != tx or _cell(sy[q], oy, inv) != ty:
                        continue  # another cell hashed to the same bucket
                    if n < cap:
                        pa[n] = order[p]
                        pb[n] = order[q]
                    n += 1
    return n


@njit(cache=True)
def _scan_big(
    big, n_big, sx, sy, sr, sg, order, start, nx, ny, mask, ox, oy, inv, lim, pa, pb
) -> int:
    """Pairs with a circle wider than a cell: every cell in its reach, and each other.

    Returns the number of pairs; only the first ``len(pa)`` are written.
    """
    n = 0
    cap = len(pa)
    for u in range(n_big):
        p = big[u]
        xa = sx[p]
        ya = sy[p]
        ra = sr[p]
        ga = sg[p]
        reach = ra + lim
        px = _pad(xa, reach)
        py = _pad(ya, reach)
        tx0 = max(_cell(xa - reach - px, ox, inv), 0)
        tx1 = min(_cell(xa + reach + px, ox, inv), nx - 1)
        ty0 = max(_cell(ya - reach - py, oy, inv), 0)
        ty1 = min(_cell(ya + reach + py, oy, inv), ny - 1)
        for tx in range(tx0, tx1 + 1):
            for ty in range(ty0, ty1 + 1):
                b = _bucket(tx, ty, 0, nx, ny, mask)
                for q in range(start[b], start[b + 1]):
                    if sg[q] != ga or sr[q] > lim:
                        continue
                    dx = sx[q] - xa
                    dy = sy[q] - ya
                    rr = ra + sr[q]
                    if dx * dx + dy * dy <= rr * rr:
                        if mask >= 0 and (
                            _cell(sx[q], ox, inv) != tx or _cell(sy[q], oy, inv) != ty
                        ):
                            continue
                        if n < cap:
                            pa[n] = order[p]
                            pb[n] = order[q]
                        n += 1
        for w in range(u + 1, n_big):
            q = big[w]
            if sg[q] != ga:
                continue
            dx = sx[q] - xa
            dy = sy[q] - ya
            rr = ra + sr[q]
            if dx * dx + dy * dy <= rr * rr:
                if n < cap:
                    pa[n] = order[p]
                    pb[n] = order[q]
                n += 1
    return n


CELL_SLACK = 1.0e-6
"""Relative slack between the cell size and the largest diameter it serves (rounding room)."""


@njit(cache=True)
def _circle_pairs(cx, cy, r, group, cell_size, ws_i, ws_f) -> tuple:
    """Item pairs ``(a, b)`` of equal ``group`` whose circles overlap (``d <= r_a + r_b``).

    Circles: centres ``cx``, ``cy`` and radii ``r`` (m), items ``0..m-1``. Each circle goes
    to the cell of its centre by a counting sort; cells are ``cell_size`` m (<= 0: the largest
    diameter plus ``CELL_SLACK``), numbered row-major when the cells spanned are at most
    ``4 m + 1024``, else hashed (Teschner et al. 2003) into ``2^k >= 2 m`` buckets. A circle
    at most a cell across meets only circles of its own and the 8 neighbouring cells: it
    scans its own cell and 4 of the neighbours (half the neighbourhood), so each pair is
    found once (Ericson 2005, sec. 7.1). Circles wider than a cell (only with a given
    ``cell_size``) scan every cell within their reach for the others, and each other pairwise.
    ``ws_i``/``ws_f`` are int64/float64 workspaces; what does not fit is allocated.
    Returns ``(n, pa, pb)``.
    """
    m = len(cx)
    if m < 2:
        return 0, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    rmax = 0.0
    ox = math.inf
    oy = math.inf
    x1 = -math.inf
    y1 = -math.inf
    for k in range(m):
        if math.isfinite(cx[k]) and math.isfinite(cy[k]) and math.isfinite(r[k]):
            rmax = max(rmax, r[k])
            ox = min(ox, cx[k])
            oy = min(oy, cy[k])
            x1 = max(x1, cx[k])
            y1 = max(y1, cy[k])
    if ox == math.inf:
        return 0, np.empty(0, dtype=np.int64), np.empty(0, dtype=np.int64)
    cell = cell_size
    if cell <= 0.0:
        cell = 2.0 * rmax * (1.0 + CELL_SLACK)
        if cell <= 0.0:
            cell = 1.0
    lim = 0.5 * cell / (1.0 + CELL_SLACK)  # circles up to this radius (m) are "small"
    inv = 1.0 / cell
    nx = _cell(x1, ox, inv) + 1
    ny = _cell(y1, oy, inv) + 1
    mask = -1
    nb = nx * ny
    if nb > 4 * m + 1024 or nx >= 2**31 or ny >= 2**31:
        nb = 16
        while nb < 2 * m:
            nb *= 2
        mask = nb - 1
    oi = 0
    key, oi = _take(ws_i, oi, m)
    order, oi = _take(ws_i, oi, m)
    sg, oi = _take(ws_i, oi, m)
    big, oi = _take(ws_i, oi, m)
    start, oi = _take(ws_i, oi, nb + 1)
    pa, oi = _take(ws_i, oi, max(16, m))
    pb, oi = _take(ws_i, oi, max(16, m))
    of = 0
    sx, of = _take(ws_f, of, m)
    sy, of = _take(ws_f, of, m)
    sr, of = _take(ws_f, of, m)
    # counting sort by the cell of the centre: counts, prefix sums, placement, shift back
    start[:] = 0
    for k in range(m):
        b = 0  # agents at a non-finite place go to bucket 0, where every test fails
        if math.isfinite(cx[k]) and math.isfinite(cy[k]) and math.isfinite(r[k]):
            b = _bucket(_cell(cx[k], ox, inv), _cell(cy[k], oy, inv), 0, nx, ny, mask)
        key[k] = b
        start[b + 1] += 1
    for b in range(nb):
        start[b + 1] += start[b]
    for k in range(m):
        b = key[k]
        p = start[b]
        start[b] = p + 1
        order[p] = k  # sorted copies, so that the scans read memory in sequence
        sx[p] = cx[k]
        sy[p] = cy[k]
        sr[p] = r[k]
        sg[p] = group[k]
    for b in range(nb, 0, -1):
        start[b] = start[b - 1]
    start[0] = 0
    n_big = 0
    for p in range(m):
        if sr[p] > lim:
            big[n_big] = p
            n_big += 1
    grid = (sx, sy, sr, sg, order, start, nx, ny, mask, ox, oy, inv, lim)
    n = _scan_cells(*grid, n_big > 0, pa, pb)
    if n > len(pa):  # rare: more candidates than agents; size the buffers and scan again
        pa = np.empty(2 * n, dtype=np.int64)
        pb = np.empty(2 * n, dtype=np.int64)
        n = _scan_cells(*grid, n_big > 0, pa, pb)
    if n_big > 0:
        pa_b = pa[n:]
        pb_b = pb[n:]
        n_b = _scan_big(big, n_big, *grid, pa_b, pb_b)
        if n_b > len(pa_b):
            pa_b = np.empty(n_b, dtype=np.int64)
            pb_b = np.empty(n_b, dtype=np.int64)
            _scan_big(big, n_big, *grid, pa_b, pb_b)
            pa2 = np.empty(n + n_b, dtype=np.int64)
            pb2 = np.empty(n + n_b, dtype=np.int64)
            pa2[:n] = pa[:n]
            pb2[:n] = pb[:n]
            pa2[n:] = pa_b
            pb2[n:] = pb_b
            pa = pa2
            pb = pb2
        n += n_b
    return n, pa, pb


def collision_workspace(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Workspaces ``(ws_i, ws_f)`` (int64, float64) for :func:`collide` over ``n`` agents.

    Keep and reuse them between ticks (fresh memory on every tick costs page faults); they
    hold everything the grid needs for up to ``n`` agents, whatever the cell size.
    """
    n = max(int(n), 16)
    return np.zeros(12 * n + 1100, dtype=np.int64), np.zeros(8 * n + 16, dtype=np.float64)


@njit(cache=True)
def grid_pairs(idx, x, y, radius, group, cell_size, out_i, out_j):
    """Broadphase: pairs of agents ``idx`` whose bounding circles overlap, each pair once.

    ``x``, ``y`` (m) centres, ``radius`` (m) bounding radii, ``group`` (int) only equal groups
    pair up (e.g. ``kind``), all indexed by agent row. ``cell_size`` (m) <= 0 uses the largest
    diameter. Writes agent rows ``out_i[k] < out_j[k]`` and returns the number of pairs (grow
    the buffers and call again when it exceeds their length). Order: unspecified, repeatable.
    """
    m = len(idx)
    cx = np.empty(m)
    cy = np.empty(m)
    r = np.empty(m)
    g = np.empty(m, dtype=np.int64)
    for k in range(m):
        i = idx[k]
        cx[k] = x[i]
        cy[k] = y[i]
        r[k] = radius[i]
        g[k] = group[i]
    empty_i = np.empty(0, dtype=np.int64)
    n, pa, pb = _circle_pairs(cx, cy, r, g, cell_size, empty_i, np.empty(0))
    cap = len(out_i)
    for p in range(min(n, cap)):
        i = idx[pa[p]]
        j = idx[pb[p]]
        out_i[p] = min(i, j)
        out_j[p] = max(i, j)
    return n


@njit(cache=True)
def grid_pairs_3d(idx, x, y, z, radius, half_height, group, cell_size, out_i, out_j):
    """3-D broadphase for UAVs: :func:`grid_pairs` in x/y, then ``|dz| <= hh_i + hh_j``.

    ``z`` (m) centre altitude and ``half_height`` (m); the vertical test is closed (a
    conservative filter: the cylinder narrowphase is strict). Same output protocol.
    """
    m = len(idx)
    cx = np.empty(m)
    cy = np.empty(m)
    r = np.empty(m)
    g = np.empty(m, dtype=np.int64)
    for k in range(m):
        i = idx[k]
        cx[k] = x[i]
        cy[k] = y[i]
        r[k] = radius[i]
        g[k] = group[i]
    empty_i = np.empty(0, dtype=np.int64)
    n_c, pa, pb = _circle_pairs(cx, cy, r, g, cell_size, empty_i, np.empty(0))
    cap = len(out_i)
    n = 0
    for p in range(n_c):
        i = idx[pa[p]]
        j = idx[pb[p]]
        if abs(z[j] - z[i]) <= half_height[i] + half_height[j]:
            if n < cap:
                out_i[n] = min(i, j)
                out_j[n] = max(i, j)
            n += 1
    return n


# --- swept tests ---------------------------------------------------------------------------
@njit(cache=True)
def _swept_obb(i, j, x, y, heading, length, width, prev_x, prev_y, prev_heading, tol) -> bool:
    """Whether boxes ``i`` and ``j`` overlap at some time of the tick (conservative advancement).

    The end pose (``t = 1``) must already have been tested. See the module docstring for the
    guarantee.
    """
    hli = 0.5 * length[i]
    hwi = 0.5 * width[i]
    hlj = 0.5 * length[j]
    hwj = 0.5 * width[j]
    dxi = x[i] - prev_x[i]
    dyi = y[i] - prev_y[i]
    dxj = x[j] - prev_x[j]
    dyj = y[j] - prev_y[j]
    dti = wrap_angle(heading[i] - prev_heading[i])
    dtj = wrap_angle(heading[j] - prev_heading[j])
    v = (
        math.sqrt(dxi * dxi + dyi * dyi)
        + math.sqrt(hli * hli + hwi * hwi) * abs(dti)
        + math.sqrt(dxj * dxj + dyj * dyj)
        + math.sqrt(hlj * hlj + hwj * hwj) * abs(dtj)
    )
    if not (v > 0.0 and math.isfinite(v)):
        return False
    t = 0.0
    while t < 1.0:
        ai = prev_heading[i] + t * dti
        aj = prev_heading[j] + t * dtj
        gap = _obb_gap_cs(
            prev_x[i] + t * dxi,
            prev_y[i] + t * dyi,
            math.cos(ai),
            math.sin(ai),
            hli,
            hwi,
            prev_x[j] + t * dxj,
            prev_y[j] + t * dyj,
            math.cos(aj),
            math.sin(aj),
            hlj,
            hwj,
        )
        if gap <= 0.0:
            return True
        t += (gap if gap > tol else tol) / v  # (a NaN gap steps by tol)
    return False


@njit(cache=True)
def _interval_lt(a, b, c) -> tuple:
    """Times ``t`` with ``a t^2 + 2 b t + c < 0`` as an open interval ``(lo, hi)`` (maybe empty).

    ``a >= 0``. Returns ``(lo, hi)`` with ``lo >= hi`` for none.
    """
    if a <= 0.0:
        if b == 0.0:
            return (-math.inf, math.inf) if c < 0.0 else (1.0, 0.0)
        root = -c / (2.0 * b)
        return (-math.inf, root) if b > 0.0 else (root, math.inf)
    disc = b * b - a * c
    if disc <= 0.0:
        return 1.0, 0.0
    sq = math.sqrt(disc)
    return (-b - sq) / a, (-b + sq) / a


@njit(cache=True)
def _swept_cyl(i, j, x, y, z, ri, rj, hi, hj, prev_x, prev_y, prev_z) -> bool:
    """Whether UAV cylinders ``i`` and ``j`` overlap at some ``t`` in ``[0, 1]`` (exact).

    Horizontal overlap ``|p0 + t dp| < r_i + r_j`` is an open interval of a quadratic in ``t``;
    vertical overlap ``|dz0 + t ddz| < (h_i + h_j) / 2`` an open interval of a linear one.
    """
    px = prev_x[j] - prev_x[i]
    py = prev_y[j] - prev_y[i]
    vx = (x[j] - prev_x[j]) - (x[i] - prev_x[i])
    vy = (y[j] - prev_y[j]) - (y[i] - prev_y[i])
    rr = ri + rj
    h_lo, h_hi = _interval_lt(vx * vx + vy * vy, px * vx + py * vy, px * px + py * py - rr * rr)
    dz0 = prev_z[j] - prev_z[i]
    dvz = (z[j] - prev_z[j]) - (z[i] - prev_z[i])
    hh = 0.5 * (hi + hj)
    if dvz == 0.0:
        if abs(dz0) < hh:
            v_lo, v_hi = -math.inf, math.inf
        else:
            v_lo, v_hi = 1.0, 0.0
    else:
        ta = (-hh - dz0) / dvz
        tb = (hh - dz0) / dvz
        v_lo, v_hi = min(ta, tb), max(ta, tb)
    lo = max(h_lo, v_lo)
    hi_ = min(h_hi, v_hi)
    return (lo < hi_) & (lo < 1.0) & (hi_ > 0.0)


# --- all agents ----------------------------------------------------------------------------
@njit(cache=True)
def _moved(i, x, y, z, heading, prev_x, prev_y, prev_z, prev_heading) -> bool:
    """Whether agent ``i`` moved or turned during the tick."""
    return (
        (x[i] != prev_x[i])
        | (y[i] != prev_y[i])
        | (z[i] != prev_z[i])
        | (heading[i] != prev_heading[i])
    )


@njit(cache=True)
def _swept_circles(idx, kind, x, y, length, width, prev_x, prev_y, cx, cy, r, g) -> None:
    """Fill ``cx``, ``cy``, ``r`` (m) with a circle holding agent ``idx[k]`` all tick long.

    ``g[k]`` gets its kind.
    """
    for k in range(len(idx)):
        i = idx[k]
        if kind[i] == KIND_UAV:
            rk = uav_radius(length[i], width[i]) * (1.0 + RADIUS_MARGIN)
        else:
            rk = bounding_radius(length[i], width[i])
        dx = x[i] - prev_x[i]
        dy = y[i] - prev_y[i]
        if dx != 0.0 or dy != 0.0:
            cx[k] = prev_x[i] + 0.5 * dx
            cy[k] = prev_y[i] + 0.5 * dy
            rk += 0.5 * math.sqrt(dx * dx + dy * dy) * (1.0 + RADIUS_MARGIN)
        else:
            cx[k] = x[i]
            cy[k] = y[i]
        r[k] = rk
        g[k] = kind[i]


@njit(cache=True)
def collide(
    idx,
    kind,
    x,
    y,
    z,
    heading,
    length,
    width,
    height,
    prev_x,
    prev_y,
    prev_z,
    prev_heading,
    cell_size,
    tol,
    ws_i,
    ws_f,
    out_i,
    out_j,
):
    """Colliding pairs among agents ``idx`` during the last tick; the engine calls it each tick.

    Arrays are fleet columns indexed by agent row: ``kind`` (0 road, 1 UAV, 2 ship), current
    pose ``x``, ``y``, ``z`` (m), ``heading`` (rad), pose at the start of the tick ``prev_x``,
    ``prev_y``, ``prev_z`` (m), ``prev_heading`` (rad), size ``length``, ``width``, ``height``
    (m). ``cell_size`` (m) of the grid, <= 0 for the largest swept bounding diameter;
    ``tol`` (m) the swept-check tolerance (see the module docstring; e.g. 0.01).
    ``ws_i``/``ws_f``: int64/float64 workspaces from :func:`collision_workspace`, kept between
    ticks (any length works, even 0: what does not fit is allocated for the call).

    Only agents of the same kind collide: rectangles (closed) for road vehicles and ships,
    cylinders (strict) for UAVs. Writes agent rows ``out_i[k] < out_j[k]`` and returns the
    number of colliding pairs; when that exceeds ``len(out_i)`` only the first ones were
    written: grow both buffers to at least that size and call again.
    """
    m = len(idx)
    if m < 2:
        return 0
    tol = max(tol, MIN_TOL)
    g, oi = _take(ws_i, 0, m)
    mv, oi = _take(ws_i, oi, m)
    cx, of = _take(ws_f, 0, m)
    cy, of = _take(ws_f, of, m)
    r, of = _take(ws_f, of, m)
    cos_h, of = _take(ws_f, of, m)
    sin_h, of = _take(ws_f, of, m)
    _swept_circles(idx, kind, x, y, length, width, prev_x, prev_y, cx, cy, r, g)
    n_c, pa, pb = _circle_pairs(cx, cy, r, g, cell_size, ws_i[oi:], ws_f[of:])
    for k in range(m):
        cos_h[k] = 2.0  # not yet computed
        mv[k] = _moved(idx[k], x, y, z, heading, prev_x, prev_y, prev_z, prev_heading)
    cap = len(out_i)
    n = 0
    n_late = 0
    for p in range(n_c):  # the end poses; pairs that may have met earlier are kept for later
        ka = pa[p]
        kb = pb[p]
        if idx[kb] < idx[ka]:
            ka, kb = kb, ka
        i = idx[ka]
        j = idx[kb]
        if kind[i] == KIND_UAV:
            ri = uav_radius(length[i], width[i])
            rj = uav_radius(length[j], width[j])
            hit = cylinder_overlap(x[i], y[i], z[i], ri, height[i], x[j], y[j], z[j], rj, height[j])
        else:
            for k in (ka, kb):
                if cos_h[k] > 1.5:
                    cos_h[k] = math.cos(heading[idx[k]])
                    sin_h[k] = math.sin(heading[idx[k]])
            hit = _obb_overlap_cs(
                x[i],
                y[i],
                cos_h[ka],
                sin_h[ka],
                0.5 * length[i],
                0.5 * width[i],
                x[j],
                y[j],
                cos_h[kb],
                sin_h[kb],
                0.5 * length[j],
                0.5 * width[j],
            )
        if hit:
            if n < cap:
                out_i[n] = i
                out_j[n] = j
            n += 1
        elif mv[ka] or mv[kb]:
            pa[n_late] = i  # (n_late <= p: the slots are free)
            pb[n_late] = j
            n_late += 1
    for p in range(n_late):  # swept checks
        i = pa[p]
        j = pb[p]
        if kind[i] == KIND_UAV:
            hit = _swept_cyl(
                i,
                j,
                x,
                y,
                z,
                uav_radius(length[i], width[i]),
                uav_radius(length[j], width[j]),
                height[i],
                height[j],
                prev_x,
                prev_y,
                prev_z,
            )
        else:
            hit = _swept_obb(i, j, x, y, heading, length, width, prev_x, prev_y, prev_heading, tol)
        if hit:
            if n < cap:
                out_i[n] = i
                out_j[n] = j
            n += 1
    return n


# --- static obstacles ----------------------------------------------------------------------
@njit(cache=True)
def point_in_polygon(px, py, lo, hi, vx, vy):
    """Whether ``(px, py)`` is inside the ring ``vx/vy[lo:hi]`` (crossing number, Haines 1994).

    Works for non-convex rings; points exactly on the boundary may go either way.
    """
    inside = False
    j = hi - 1
    for i in range(lo, hi):
        yi = vy[i]
        yj = vy[j]
        if (yi > py) != (yj > py):
            xc = (vx[j] - vx[i]) * (py - yi) / (yj - yi) + vx[i]
            if px < xc:
                inside = not inside
        j = i
    return inside


@njit(cache=True)
def _obb_poly_gap(bx, by, c, s, hl, hw, lo, hi, vx, vy) -> float:
    """Gap (m) between a closed box and a polygon: ``<= 0`` iff they intersect.

    When positive it is a lower bound of their distance (the smallest separating-axis gap
    of the box and one polygon edge: the box axes and the edge normal).
    """
    best = math.inf
    j = hi - 1
    for i in range(lo, hi):
        ux = vx[j] - bx
        uy = vy[j] - by
        p0x = c * ux + s * uy
        p0y = -s * ux + c * uy
        ux = vx[i] - bx
        uy = vy[i] - by
        p1x = c * ux + s * uy
        p1y = -s * ux + c * uy
        gap = max(min(p0x, p1x) - hl, -max(p0x, p1x) - hl)
        gap = max(gap, max(min(p0y, p1y) - hw, -max(p0y, p1y) - hw))
        nx = -(p1y - p0y)
        ny = p1x - p0x
        ln = math.sqrt(nx * nx + ny * ny)
        if ln > 0.0:
            gap = max(gap, (abs(nx * p0x + ny * p0y) - (hl * abs(nx) + hw * abs(ny))) / ln)
        if gap <= 0.0:
            return gap
        best = min(best, gap)
        j = i
    if point_in_polygon(bx, by, lo, hi, vx, vy):
        return -1.0
    return best


@njit(cache=True)
def _disc_poly_gap(px, py, rad, lo, hi, vx, vy) -> float:
    """Horizontal gap (m) of a disc of radius ``rad`` and a polygon: ``< 0`` iff they overlap.

    It is the distance from the centre to the ring minus ``rad``, or -1 when the centre is
    inside.
    """
    if point_in_polygon(px, py, lo, hi, vx, vy):
        return -1.0
    best = math.inf
    j = hi - 1
    for i in range(lo, hi):
        ax = vx[j]
        ay = vy[j]
        dx = vx[i] - ax
        dy = vy[i] - ay
        seg2 = dx * dx + dy * dy
        u = 0.0
        if seg2 > 0.0:
            u = min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / seg2))
        ex = ax + u * dx - px
        ey = ay + u * dy - py
        best = min(best, ex * ex + ey * ey)
        j = i
    return math.sqrt(best) - rad


@njit(cache=True)
def _vertical_gap(zc, h, base, top) -> float:
    """Gap (m) between ``[zc - h/2, zc + h/2]`` and ``[base, top]``: ``< 0`` iff they overlap."""
    return max((zc - 0.5 * h) - top, base - (zc + 0.5 * h))


@njit(cache=True)
def _hit_obstacle(
    i,
    o,
    is_uav,
    x,
    y,
    z,
    heading,
    length,
    width,
    height,
    prev_x,
    prev_y,
    prev_z,
    prev_heading,
    obs_off,
    obs_x,
    obs_y,
    obs_base,
    obs_height,
    tol,
) -> bool:
    """Whether agent ``i`` meets obstacle ``o`` during the tick (end pose exact, then swept)."""
    lo = obs_off[o]
    hi = obs_off[o + 1]
    if hi - lo < 2:
        return False
    if is_uav:
        rad = uav_radius(length[i], width[i])
        base = obs_base[o]
        top = base + obs_height[o]
        gh = _disc_poly_gap(x[i], y[i], rad, lo, hi, obs_x, obs_y)
        gv = _vertical_gap(z[i], height[i], base, top)
        if gh < 0.0 and gv < 0.0:
            return True
        dx = x[i] - prev_x[i]
        dy = y[i] - prev_y[i]
        vh = math.sqrt(dx * dx + dy * dy)
        vz = abs(z[i] - prev_z[i])
        if not (vh + vz > 0.0 and math.isfinite(vh + vz)):
            return False
        t = 0.0
        while t < 1.0:
            gh = _disc_poly_gap(prev_x[i] + t * dx, prev_y[i] + t * dy, rad, lo, hi, obs_x, obs_y)
            gv = _vertical_gap(prev_z[i] + t * (z[i] - prev_z[i]), height[i], base, top)
            if gh < 0.0 and gv < 0.0:
                return True
            step = tol / (vh + vz)
            if gh >= 0.0:
                if vh <= 0.0:
                    return False
                step = max(step, gh / vh)
            if gv >= 0.0:
                if vz <= 0.0:
                    return False
                step = max(step, gv / vz)
            t += step
        return False
    hl = 0.5 * length[i]
    hw = 0.5 * width[i]
    c = math.cos(heading[i])
    s = math.sin(heading[i])
    if _obb_poly_gap(x[i], y[i], c, s, hl, hw, lo, hi, obs_x, obs_y) <= 0.0:
        return True
    dx = x[i] - prev_x[i]
    dy = y[i] - prev_y[i]
    dth = wrap_angle(heading[i] - prev_heading[i])
    v = math.sqrt(dx * dx + dy * dy) + math.sqrt(hl * hl + hw * hw) * abs(dth)
    if not (v > 0.0 and math.isfinite(v)):
        return False
    t = 0.0
    while t < 1.0:
        a = prev_heading[i] + t * dth
        gap = _obb_poly_gap(
            prev_x[i] + t * dx,
            prev_y[i] + t * dy,
            math.cos(a),
            math.sin(a),
            hl,
            hw,
            lo,
            hi,
            obs_x,
            obs_y,
        )
        if gap <= 0.0:
            return True
        t += (gap if gap > tol else tol) / v
    return False


@njit(cache=True)
def obstacle_hits(
    idx,
    kind,
    x,
    y,
    z,
    heading,
    length,
    width,
    height,
    prev_x,
    prev_y,
    prev_z,
    prev_heading,
    obs_off,
    obs_x,
    obs_y,
    obs_base,
    obs_height,
    obs_mask,
    cell_size,
    tol,
    out_agent,
    out_obs,
):
    """Agents of ``idx`` that meet a static obstacle during the tick, as (agent row, obstacle).

    Agent arrays as in :func:`collide`. Obstacle ``o`` is the polygon
    ``obs_x/obs_y[obs_off[o]:obs_off[o+1]]`` (m, one ring, convex or not) standing from
    ``obs_base[o]`` (m, same datum as ``z``) up ``obs_height[o]`` (m); ``obs_mask[o]`` has bit
    ``k`` set when it stops agents of kind ``k``. Heights only matter for UAVs. The obstacles
    are entered in a hash grid with ``cell_size`` (m; <= 0: the largest swept agent diameter),
    doubled until they fill at most ``4 (agents + obstacles) + 1024`` cells. Returns the
    number of hits (same grow-and-retry protocol as :func:`collide`).
    """
    m = len(idx)
    n_obs = len(obs_off) - 1
    if m == 0 or n_obs <= 0:
        return 0
    tol = max(tol, MIN_TOL)
    cx = np.empty(m)
    cy = np.empty(m)
    r = np.empty(m)
    _swept_circles(idx, kind, x, y, length, width, prev_x, prev_y, cx, cy, r, np.empty(m, np.int64))
    bx0 = np.empty(n_obs)
    by0 = np.empty(n_obs)
    bx1 = np.empty(n_obs)
    by1 = np.empty(n_obs)
    ox = math.inf
    oy = math.inf
    for o in range(n_obs):
        lo = obs_off[o]
        hi = obs_off[o + 1]
        x0 = math.inf
        y0 = math.inf
        x1 = -math.inf
        y1 = -math.inf
        for v in range(lo, hi):
            x0 = min(x0, obs_x[v])
            y0 = min(y0, obs_y[v])
            x1 = max(x1, obs_x[v])
            y1 = max(y1, obs_y[v])
        if hi <= lo:
            x0 = y0 = x1 = y1 = 0.0
        px = _pad(0.5 * (x0 + x1), 0.5 * (x1 - x0))
        py = _pad(0.5 * (y0 + y1), 0.5 * (y1 - y0))
        bx0[o] = x0 - px
        by0[o] = y0 - py
        bx1[o] = x1 + px
        by1[o] = y1 + py
        ox = min(ox, bx0[o])
        oy = min(oy, by0[o])
    cell = cell_size
    if cell <= 0.0:
        cell = 0.0
        for k in range(m):
            cell = max(cell, 2.0 * r[k])
        if cell <= 0.0:
            cell = 1.0
    budget = 4 * (m + n_obs) + 1024
    while True:
        total = 0
        for o in range(n_obs):
            total += (int((bx1[o] - bx0[o]) / cell) + 2) * (int((by1[o] - by0[o]) / cell) + 2)
        if total <= budget:
            break
        cell *= 2.0
    grp = np.zeros(n_obs, dtype=np.int64)
    start, ent, ecx, ecy, ocx0, ocy0, _, _, nx, ny, mask = _build_grid(
        bx0, by0, bx1, by1, grp, cell, ox, oy
    )
    inv = 1.0 / cell
    cap = len(out_agent)
    n = 0
    for k in range(m):
        i = idx[k]
        bit = np.int64(1) << np.int64(kind[i])
        rk = r[k]
        if not (math.isfinite(cx[k]) and math.isfinite(cy[k]) and math.isfinite(rk)):
            continue
        pxk = _pad(cx[k], rk)
        pyk = _pad(cy[k], rk)
        ax0 = cx[k] - rk - pxk
        ay0 = cy[k] - rk - pyk
        ax1 = cx[k] + rk + pxk
        ay1 = cy[k] + rk + pyk
        qx0 = _cell(ax0, ox, inv)
        qy0 = _cell(ay0, oy, inv)
        qx1 = _cell(ax1, ox, inv)
        qy1 = _cell(ay1, oy, inv)
        is_uav = kind[i] == KIND_UAV
        for qx in range(qx0, qx1 + 1):
            for qy in range(qy0, qy1 + 1):
                b = _bucket(qx, qy, 0, nx, ny, mask)
                if b < 0:
                    continue
                for p in range(start[b], start[b + 1]):
                    if mask >= 0 and (ecx[p] != qx or ecy[p] != qy):
                        continue
                    o = ent[p]
                    if max(qx0, ocx0[o]) != qx or max(qy0, ocy0[o]) != qy:
                        continue
                    if (obs_mask[o] & bit) == 0:
                        continue
                    if ax0 > bx1[o] or bx0[o] > ax1 or ay0 > by1[o] or by0[o] > ay1:
                        continue
                    if _hit_obstacle(
                        i,
                        o,
                        is_uav,
                        x,
                        y,
                        z,
                        heading,
                        length,
                        width,
                        height,
                        prev_x,
                        prev_y,
                        prev_z,
                        prev_heading,
                        obs_off,
                        obs_x,
                        obs_y,
                        obs_base,
                        obs_height,
                        tol,
                    ):
                        if n < cap:
                            out_agent[n] = i
                            out_obs[n] = o
                        n += 1
    return n
