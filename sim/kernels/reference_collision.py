"""Plain-numpy twins of :mod:`sim.kernels.collision`, used as test oracles (same signatures).

They are written independently where numpy allows it: the broadphase is brute force over all
O(n^2) pairs instead of a hashed grid; the separating-axis test projects the eight corners of
both boxes on the four face normals (Gottschalk, Lin & Manocha 1996) instead of Ericson's
rotation-matrix form; polygons use a vectorised crossing-number test; the UAV interval test
solves its quadratic with numpy. The swept check follows the same conservative-advancement
schedule (it defines which instants are sampled) with these independent gap functions. They
are slow; never call them in a run.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

KIND_UAV = 1
RADIUS_MARGIN = 1.0e-9
MIN_TOL = 1.0e-6
F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]


def bounding_radius_ref(length, width) -> F64:
    """Bounding-circle radius (m) of ``length`` x ``width`` boxes (same inflation as the kernel)."""
    length, width = np.asarray(length, float), np.asarray(width, float)
    return 0.5 * np.sqrt(length * length + width * width) * (1.0 + RADIUS_MARGIN)


def uav_radius_ref(length, width) -> F64:
    """UAV cylinder radius (m): half the span ``max(length, width)``."""
    return 0.5 * np.maximum(np.asarray(length, float), np.asarray(width, float))


def wrap_angle_ref(a) -> F64:
    """Angles (rad) wrapped to ``[-pi, pi)``."""
    return np.mod(np.asarray(a, float) + math.pi, 2.0 * math.pi) - math.pi


# --- separating axes -------------------------------------------------------------------------
def _corners(x, y, h, hl, hw) -> tuple[F64, F64]:
    """Corner coordinates (m), shape ``(n, 4)``, of boxes with half sizes ``hl``, ``hw``."""
    c, s = np.cos(h), np.sin(h)
    sx = np.array([1.0, -1.0, -1.0, 1.0])
    sy = np.array([1.0, 1.0, -1.0, -1.0])
    cx = x[:, None] + (hl[:, None] * sx) * c[:, None] - (hw[:, None] * sy) * s[:, None]
    cy = y[:, None] + (hl[:, None] * sx) * s[:, None] + (hw[:, None] * sy) * c[:, None]
    return cx, cy


def obb_gap_ref(xa, ya, ha, la, wa, xb, yb, hb, lb, wb) -> F64:
    """Largest gap (m) of the corner projections on the 4 face normals; ``<= 0``: overlap."""
    xa, ya, ha, la, wa, xb, yb, hb, lb, wb = (
        np.atleast_1d(np.asarray(v, float)) for v in (xa, ya, ha, la, wa, xb, yb, hb, lb, wb)
    )
    ax, ay = _corners(xa, ya, ha, 0.5 * la, 0.5 * wa)
    bx, by = _corners(xb, yb, hb, 0.5 * lb, 0.5 * wb)
    gap = np.full(len(xa), -np.inf)
    ca, sa, cb, sb = np.cos(ha), np.sin(ha), np.cos(hb), np.sin(hb)
    for ux, uy in ((ca, sa), (-sa, ca), (cb, sb), (-sb, cb)):
        ux, uy = ux[:, None], uy[:, None]
        pa = ax * ux + ay * uy
        pb = bx * ux + by * uy
        g = np.maximum(pb.min(axis=1) - pa.max(axis=1), pa.min(axis=1) - pb.max(axis=1))
        gap = np.maximum(gap, g)
    return gap


def obb_overlap_ref(xa, ya, ha, la, wa, xb, yb, hb, lb, wb) -> B:
    """Closed rectangles intersect (touching counts); vectorised over pairs."""
    return obb_gap_ref(xa, ya, ha, la, wa, xb, yb, hb, lb, wb) <= 0.0


def obb_pairs_ref(pair_i, pair_j, x, y, heading, length, width, out) -> int:
    """Twin of :func:`sim.kernels.collision.obb_pairs`."""
    i, j = np.asarray(pair_i), np.asarray(pair_j)
    hit = obb_overlap_ref(
        x[i], y[i], heading[i], length[i], width[i], x[j], y[j], heading[j], length[j], width[j]
    )
    out[: len(i)] = hit
    return int(hit.sum())


def cylinder_overlap_ref(xa, ya, za, ra, ha, xb, yb, zb, rb, hb) -> B:
    """UAV cylinders overlap: ``hypot < ra + rb`` and ``|dz| < (ha + hb) / 2`` (strict)."""
    dx = np.asarray(xb, float) - xa
    dy = np.asarray(yb, float) - ya
    rr = np.asarray(ra, float) + rb
    return (dx * dx + dy * dy < rr * rr) & (np.abs(np.asarray(zb, float) - za) < 0.5 * (ha + hb))


# --- broadphase -------------------------------------------------------------------------------
def _all_pairs(cx, cy, r, g) -> tuple[I64, I64]:
    """Positions ``(a, b)``, ``a < b``, of equal group whose circles overlap: brute force."""
    m = len(cx)
    out_a, out_b = [], []
    block = 2048
    for s in range(0, m, block):
        a = np.arange(s, min(m, s + block))
        dx = cx[None, :] - cx[a][:, None]
        dy = cy[None, :] - cy[a][:, None]
        rr = r[a][:, None] + r[None, :]
        ok = (dx * dx + dy * dy <= rr * rr) & (g[a][:, None] == g[None, :])
        ok &= np.arange(m)[None, :] > a[:, None]
        ia, ib = np.nonzero(ok)
        out_a.append(a[ia])
        out_b.append(ib)
    if not out_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    return np.concatenate(out_a).astype(np.int64), np.concatenate(out_b).astype(np.int64)


def _emit(i, j, out_i, out_j) -> int:
    lo, hi = np.minimum(i, j), np.maximum(i, j)
    order = np.lexsort((hi, lo))
    lo, hi = lo[order], hi[order]
    k = min(len(lo), len(out_i))
    out_i[:k] = lo[:k]
    out_j[:k] = hi[:k]
    return len(lo)


def grid_pairs_ref(idx, x, y, radius, group, cell_size, out_i, out_j) -> int:
    """Twin of :func:`sim.kernels.collision.grid_pairs` (pairs sorted)."""
    idx = np.asarray(idx)
    a, b = _all_pairs(x[idx], y[idx], radius[idx], np.asarray(group)[idx])
    return _emit(idx[a], idx[b], out_i, out_j)


def grid_pairs_3d_ref(idx, x, y, z, radius, half_height, group, cell_size, out_i, out_j) -> int:
    """Twin of :func:`sim.kernels.collision.grid_pairs_3d` (pairs sorted)."""
    idx = np.asarray(idx)
    a, b = _all_pairs(x[idx], y[idx], radius[idx], np.asarray(group)[idx])
    i, j = idx[a], idx[b]
    keep = np.abs(z[j] - z[i]) <= half_height[i] + half_height[j]
    return _emit(i[keep], j[keep], out_i, out_j)


# --- swept checks -----------------------------------------------------------------------------
def _swept_circles_ref(idx, kind, x, y, length, width, prev_x, prev_y) -> tuple:
    i = np.asarray(idx)
    r = np.where(
        kind[i] == KIND_UAV,
        uav_radius_ref(length[i], width[i]) * (1.0 + RADIUS_MARGIN),
        bounding_radius_ref(length[i], width[i]),
    )
    dx, dy = x[i] - prev_x[i], y[i] - prev_y[i]
    moved = (dx != 0.0) | (dy != 0.0)
    cx = np.where(moved, prev_x[i] + 0.5 * dx, x[i])
    cy = np.where(moved, prev_y[i] + 0.5 * dy, y[i])
    r = np.where(moved, r + 0.5 * np.sqrt(dx * dx + dy * dy) * (1.0 + RADIUS_MARGIN), r)
    return cx, cy, r, kind[i].astype(np.int64)


def _advance(gap_at, speed, tol) -> B:
    """Conservative advancement over many pairs at once.

    ``gap_at(t, sel)`` returns the gaps of the pairs ``sel`` at times ``t`` (a contact when
    ``<= 0``); ``speed`` bounds how fast each gap closes (m per tick).
    """
    n = len(speed)
    hit = np.zeros(n, dtype=bool)
    t = np.zeros(n)
    live = (speed > 0.0) & np.isfinite(speed)
    while live.any():
        sel = np.nonzero(live)[0]
        g = gap_at(t[sel], sel)
        touch = g <= 0.0
        hit[sel[touch]] = True
        live[sel[touch]] = False
        rest = sel[~touch]
        t[rest] += np.where(g[~touch] > tol, g[~touch], tol) / speed[rest]
        live[rest[t[rest] >= 1.0]] = False
    return hit


def _swept_obb_ref(i, j, x, y, heading, length, width, prev_x, prev_y, prev_heading, tol) -> B:
    dxi, dyi = x[i] - prev_x[i], y[i] - prev_y[i]
    dxj, dyj = x[j] - prev_x[j], y[j] - prev_y[j]
    dti = wrap_angle_ref(heading[i] - prev_heading[i])
    dtj = wrap_angle_ref(heading[j] - prev_heading[j])
    speed = (
        np.hypot(dxi, dyi)
        + 0.5 * np.sqrt(length[i] ** 2 + width[i] ** 2) * np.abs(dti)
        + np.hypot(dxj, dyj)
        + 0.5 * np.sqrt(length[j] ** 2 + width[j] ** 2) * np.abs(dtj)
    )

    def gap_at(t: F64, s: I64) -> F64:
        a, b = i[s], j[s]
        return obb_gap_ref(
            prev_x[a] + t * dxi[s],
            prev_y[a] + t * dyi[s],
            prev_heading[a] + t * dti[s],
            length[a],
            width[a],
            prev_x[b] + t * dxj[s],
            prev_y[b] + t * dyj[s],
            prev_heading[b] + t * dtj[s],
            length[b],
            width[b],
        )

    return _advance(gap_at, speed, tol)


def _open_interval(a, b, c) -> tuple[F64, F64]:
    """Roots of ``a t^2 + 2 b t + c`` bounding where it is negative (``lo >= hi``: never)."""
    disc = b * b - a * c
    with np.errstate(divide="ignore", invalid="ignore"):
        sq = np.sqrt(np.maximum(disc, 0.0))
        lo = np.where(disc > 0.0, (-b - sq) / a, 1.0)
        hi = np.where(disc > 0.0, (-b + sq) / a, 0.0)
    still = a <= 0.0
    lo = np.where(still, np.where(c < 0.0, -np.inf, 1.0), lo)
    hi = np.where(still, np.where(c < 0.0, np.inf, 0.0), hi)
    return lo, hi


def _swept_cyl_ref(i, j, x, y, z, ri, rj, hi, hj, prev_x, prev_y, prev_z) -> B:
    p = np.stack([prev_x[j] - prev_x[i], prev_y[j] - prev_y[i]])
    v = np.stack([(x[j] - prev_x[j]) - (x[i] - prev_x[i]), (y[j] - prev_y[j]) - (y[i] - prev_y[i])])
    rr = ri + rj
    h_lo, h_hi = _open_interval((v * v).sum(0), (p * v).sum(0), (p * p).sum(0) - rr * rr)
    dz0 = prev_z[j] - prev_z[i]
    dvz = (z[j] - prev_z[j]) - (z[i] - prev_z[i])
    hh = 0.5 * (hi + hj)
    with np.errstate(divide="ignore", invalid="ignore"):
        ta, tb = (-hh - dz0) / dvz, (hh - dz0) / dvz
    flat = dvz == 0.0
    inside = np.abs(dz0) < hh
    v_lo = np.where(flat, np.where(inside, -np.inf, 1.0), np.minimum(ta, tb))
    v_hi = np.where(flat, np.where(inside, np.inf, 0.0), np.maximum(ta, tb))
    lo, up = np.maximum(h_lo, v_lo), np.minimum(h_hi, v_hi)
    return (lo < up) & (lo < 1.0) & (up > 0.0)


def collide_ref(
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
) -> int:
    """Twin of :func:`sim.kernels.collision.collide`: all pairs, then the same tests.

    The workspaces ``ws_i``, ``ws_f`` are not used.
    """
    idx = np.asarray(idx)
    if len(idx) < 2:
        return 0
    tol = max(tol, MIN_TOL)
    cx, cy, r, g = _swept_circles_ref(idx, kind, x, y, length, width, prev_x, prev_y)
    a, b = _all_pairs(cx, cy, r, g)
    i, j = np.minimum(idx[a], idx[b]), np.maximum(idx[a], idx[b])
    hit = np.zeros(len(i), dtype=bool)
    uav = kind[i] == KIND_UAV
    ui, uj = i[uav], j[uav]
    ri, rj = uav_radius_ref(length[ui], width[ui]), uav_radius_ref(length[uj], width[uj])
    hit[uav] = cylinder_overlap_ref(
        x[ui], y[ui], z[ui], ri, height[ui], x[uj], y[uj], z[uj], rj, height[uj]
    ) | _swept_cyl_ref(ui, uj, x, y, z, ri, rj, height[ui], height[uj], prev_x, prev_y, prev_z)
    box = ~uav
    bi, bj = i[box], j[box]
    static = obb_overlap_ref(
        x[bi],
        y[bi],
        heading[bi],
        length[bi],
        width[bi],
        x[bj],
        y[bj],
        heading[bj],
        length[bj],
        width[bj],
    )
    swept = np.zeros(len(bi), dtype=bool)
    todo = ~static
    swept[todo] = _swept_obb_ref(
        bi[todo], bj[todo], x, y, heading, length, width, prev_x, prev_y, prev_heading, tol
    )
    hit[box] = static | swept
    return _emit(i[hit], j[hit], out_i, out_j)


# --- static obstacles -------------------------------------------------------------------------
def point_in_polygon_ref(px, py, vx, vy) -> B:
    """Crossing-number test of points ``px``, ``py`` against one ring ``vx``, ``vy`` (numpy)."""
    px, py = np.atleast_1d(px)[:, None], np.atleast_1d(py)[:, None]
    x0, y0 = np.roll(vx, 1)[None, :], np.roll(vy, 1)[None, :]
    x1, y1 = np.asarray(vx)[None, :], np.asarray(vy)[None, :]
    crosses = (y1 > py) != (y0 > py)
    with np.errstate(divide="ignore", invalid="ignore"):
        xc = (x0 - x1) * (py - y1) / (y0 - y1) + x1
    return ((crosses & (px < xc)).sum(axis=1) % 2) == 1


def _obb_poly_gap_ref(bx, by, h, hl, hw, vx, vy) -> F64:
    """Gap (m) of boxes and one polygon: ``<= 0`` iff they meet (edges by corner projection)."""
    x0, y0 = np.roll(vx, 1), np.roll(vy, 1)
    x1, y1 = np.asarray(vx), np.asarray(vy)
    cx, cy = _corners(bx, by, h, hl, hw)  # (n, 4)
    gaps = np.full((len(bx), len(x1)), -np.inf)
    c, s = np.cos(h), np.sin(h)
    for ux, uy in ((c, s), (-s, c)):  # box axes: edge endpoints against the box interval
        ux, uy = ux[:, None], uy[:, None]
        pb = cx * ux + cy * uy
        bmin, bmax = pb.min(axis=1)[:, None], pb.max(axis=1)[:, None]
        e0 = x0[None, :] * ux + y0[None, :] * uy
        e1 = x1[None, :] * ux + y1[None, :] * uy
        g = np.maximum(np.minimum(e0, e1) - bmax, bmin - np.maximum(e0, e1))
        gaps = np.maximum(gaps, g)
    nx, ny = -(y1 - y0), x1 - x0  # edge normals: the box corners against the edge line
    ln = np.hypot(nx, ny)
    ok = ln > 0.0
    with np.errstate(divide="ignore", invalid="ignore"):
        nx, ny = np.where(ok, nx / ln, 0.0), np.where(ok, ny / ln, 0.0)
    with np.errstate(invalid="ignore"):  # agents at non-finite places give NaN: no hit
        pc = cx[:, :, None] * nx[None, None, :] + cy[:, :, None] * ny[None, None, :]
    pe = x0 * nx + y0 * ny
    g = np.maximum(pc.min(axis=1) - pe[None, :], pe[None, :] - pc.max(axis=1))
    gaps = np.where(ok[None, :], np.maximum(gaps, g), gaps)
    best = gaps.min(axis=1)
    inside = point_in_polygon_ref(bx, by, vx, vy)
    return np.where(best <= 0.0, best, np.where(inside, -1.0, best))


def _disc_poly_gap_ref(px, py, rad, vx, vy) -> F64:
    x0, y0 = np.roll(vx, 1)[None, :], np.roll(vy, 1)[None, :]
    ex, ey = np.asarray(vx)[None, :] - x0, np.asarray(vy)[None, :] - y0
    qx, qy = px[:, None] - x0, py[:, None] - y0
    seg2 = ex * ex + ey * ey
    with np.errstate(divide="ignore", invalid="ignore"):
        u = np.where(seg2 > 0.0, np.clip((qx * ex + qy * ey) / seg2, 0.0, 1.0), 0.0)
    d = np.hypot(qx - u * ex, qy - u * ey).min(axis=1) - rad
    return np.where(point_in_polygon_ref(px, py, vx, vy), -1.0, d)


def _vertical_gap_ref(zc, h, base, top) -> F64:
    return np.maximum((zc - 0.5 * h) - top, base - (zc + 0.5 * h))


def _swept_obb_poly_ref(
    a, hl, hw, dx, dy, dth, speed, prev_x, prev_y, prev_heading, vx, vy, tol
) -> B:
    """Swept boxes ``a`` (half sizes ``hl``, ``hw``, motion ``dx``, ``dy``, ``dth``) vs a ring."""

    def gap_at(t: F64, s: I64) -> F64:
        b = a[s]
        return _obb_poly_gap_ref(
            prev_x[b] + t * dx[s],
            prev_y[b] + t * dy[s],
            prev_heading[b] + t * dth[s],
            hl[s],
            hw[s],
            vx,
            vy,
        )

    return _advance(gap_at, speed, tol)


def obstacle_hits_ref(
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
) -> int:
    """Twin of :func:`sim.kernels.collision.obstacle_hits`: every agent against every obstacle."""
    idx = np.asarray(idx)
    tol = max(tol, MIN_TOL)
    found_a, found_o = [], []
    for o in range(len(obs_off) - 1):
        vx, vy = obs_x[obs_off[o] : obs_off[o + 1]], obs_y[obs_off[o] : obs_off[o + 1]]
        if len(vx) < 2:
            continue
        ag = idx[(obs_mask[o] >> kind[idx].astype(np.int64)) & 1 == 1]
        base, top = obs_base[o], obs_base[o] + obs_height[o]
        uav = ag[kind[ag] == KIND_UAV]
        box = ag[kind[ag] != KIND_UAV]
        # UAVs: disc against the polygon, vertical interval against the prism
        rad = uav_radius_ref(length[uav], width[uav])
        dx, dy, dz = x[uav] - prev_x[uav], y[uav] - prev_y[uav], z[uav] - prev_z[uav]
        vh, vz = np.hypot(dx, dy), np.abs(dz)
        hit_u = (_disc_poly_gap_ref(x[uav], y[uav], rad, vx, vy) < 0.0) & (
            _vertical_gap_ref(z[uav], height[uav], base, top) < 0.0
        )
        for k in np.nonzero(~hit_u & (vh + vz > 0.0) & np.isfinite(vh + vz))[0]:
            a, t = uav[k], 0.0
            while t < 1.0:
                px, py = np.array([prev_x[a] + t * dx[k]]), np.array([prev_y[a] + t * dy[k]])
                gh = _disc_poly_gap_ref(px, py, rad[k], vx, vy)[0]
                gv = float(_vertical_gap_ref(prev_z[a] + t * dz[k], height[a], base, top))
                if gh < 0.0 and gv < 0.0:
                    hit_u[k] = True
                    break
                step = tol / (vh[k] + vz[k])
                if (gh >= 0.0 and vh[k] <= 0.0) or (gv >= 0.0 and vz[k] <= 0.0):
                    break
                if gh >= 0.0:
                    step = max(step, gh / vh[k])
                if gv >= 0.0:
                    step = max(step, gv / vz[k])
                t += step
        # rectangles: footprint only
        hl, hw = 0.5 * length[box], 0.5 * width[box]
        hit_b = _obb_poly_gap_ref(x[box], y[box], heading[box], hl, hw, vx, vy) <= 0.0
        dxb, dyb = x[box] - prev_x[box], y[box] - prev_y[box]
        dth = wrap_angle_ref(heading[box] - prev_heading[box])
        speed = np.hypot(dxb, dyb) + np.sqrt(hl * hl + hw * hw) * np.abs(dth)
        todo = np.nonzero(~hit_b)[0]
        motion = (dxb[todo], dyb[todo], dth[todo], speed[todo])
        hit_b[todo] = _swept_obb_poly_ref(
            box[todo], hl[todo], hw[todo], *motion, prev_x, prev_y, prev_heading, vx, vy, tol
        )
        hits = np.concatenate([uav[hit_u], box[hit_b]])
        found_a.append(hits)
        found_o.append(np.full(len(hits), o))
    if not found_a:
        return 0
    a = np.concatenate(found_a).astype(np.int64)
    o = np.concatenate(found_o).astype(np.int64)
    order = np.lexsort((o, a))
    a, o = a[order], o[order]
    k = min(len(a), len(out_agent))
    out_agent[:k] = a[:k]
    out_obs[:k] = o[:k]
    return len(a)
