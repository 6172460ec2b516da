"""Plain-numpy twins of :mod:`sim.kernels.metrics`, used as test oracles.

Written independently of the numba code where a different method exists: car-following
metrics as vectorised ``np.where``; the constant-acceleration TTC as the smallest positive
root of the gap polynomial; 2-D TTC by casting the relative-motion ray against the Minkowski
difference of the two shapes (convex hull of the vertex differences, dilated by the disc
radii) instead of per-axis intervals; distances and overlap from point-in-polygon and
segment tests instead of separating axes; the area lookup by brute force instead of a grid;
PET with Python dictionaries. They are slow; never call them in a run.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
INF = math.inf


# --- car following ---------------------------------------------------------------------------
def car_following_metrics_ref(idx: I64, leader: I64, gap: F64, speed: F64) -> tuple[F64, F64, F64]:
    """TTC (s), THW (s), DRAC (m/s^2) per ``idx[k]``; see the kernel for the definitions."""
    idx = np.asarray(idx)
    leader = np.asarray(leader)
    gap = np.asarray(gap, float)
    has = leader >= 0
    v_f = np.asarray(speed, float)[idx]
    v_l = np.where(has, np.asarray(speed, float)[np.where(has, leader, 0)], 0.0)
    dv = v_f - v_l
    with np.errstate(divide="ignore", invalid="ignore"):
        ttc = np.where(gap <= 0, 0.0, np.where(dv > 0, gap / dv, INF))
        thw = np.where(gap <= 0, 0.0, np.where(v_f > 0, gap / v_f, INF))
        drac = np.where(dv <= 0, 0.0, np.where(gap <= 0, INF, dv**2 / (2 * gap)))
    ttc = np.where(has, ttc, INF)
    thw = np.where(has, thw, INF)
    drac = np.where(has, drac, 0.0)
    return ttc, thw, drac


def car_following_metrics_fleet_ref(
    idx: I64, lead: I64, gap: F64, speed: F64
) -> tuple[F64, F64, F64]:
    """The fleet-indexed variant: gather ``lead[idx]``, ``gap[idx]`` and reuse the above."""
    idx = np.asarray(idx)
    return car_following_metrics_ref(idx, np.asarray(lead)[idx], np.asarray(gap)[idx], speed)


def ttc_const_accel_ref(gap: float, v_f: float, v_l: float, a_f: float, a_l: float, a_eps: float):
    """Constant-acceleration TTC (s): smallest positive root of ``gap + dv t + da t^2/2``.

    With CriMe's constant-velocity fallback for ``dv < 0`` and ``|da| <= a_eps``.
    """
    dv = v_l - v_f
    da = a_l - a_f
    if math.isinf(gap):
        return INF
    if dv < 0 and abs(da) <= a_eps:
        return gap / (v_f - v_l)
    if da == 0:
        return INF
    disc = dv * dv - 2 * gap * da
    if disc < 0:
        return INF
    sq = math.sqrt(disc)
    roots = [r for r in ((-dv - sq) / da, (-dv + sq) / da) if r >= 0]
    if dv >= 0 and da > 0:
        return INF
    return min(roots) if roots else INF


def a_long_req_ref(gap: float, v_f: float, v_l: float, a_l: float) -> float:
    """Required longitudinal acceleration (m/s^2), CriMe ``ALongReq`` mode 1."""
    return min(a_l - (v_f - v_l) ** 2 / (2 * gap), 0.0)


def thw_trajectory_ref(front_s: F64, k0: int, target_s: float, dt: float) -> float:
    """First sample after ``k0`` whose front passes ``target_s``, as a time (s)."""
    front_s = np.asarray(front_s, float)
    if front_s[k0] > target_s:
        return INF
    after = np.nonzero(front_s[k0 + 1 :] > target_s)[0]
    return INF if len(after) == 0 else (int(after[0]) + 1) * dt


def accumulate_ref(idx, ttc, dt, threshold, min_ttc, tet, tit) -> None:
    """Per-agent min TTC, TET, TIT updated in place (vectorised; ``idx`` has no repeats)."""
    idx = np.asarray(idx)
    ttc = np.asarray(ttc, float)
    min_ttc[idx] = np.fmin(min_ttc[idx], ttc)
    below = (ttc >= 0) & (ttc <= threshold)
    tet[idx] += np.where(below, dt, 0.0)
    tit[idx] += np.where(below, (threshold - ttc) * dt, 0.0)


# --- 2-D geometry ----------------------------------------------------------------------------
def corners_ref(x: float, y: float, h: float, length: float, width: float) -> F64:
    """Box corners (4 x 2, counter-clockwise) by a rotation matrix; full length/width (m)."""
    rot = np.array([[math.cos(h), -math.sin(h)], [math.sin(h), math.cos(h)]])
    hl, hw = length / 2, width / 2
    local = np.array([[hl, hw], [-hl, hw], [-hl, -hw], [hl, -hw]], float)
    return local @ rot.T + np.array([x, y])


def _hull(points: F64) -> F64:
    """Convex hull (counter-clockwise, no repeats) by Andrew's monotone chain."""
    pts = sorted({(float(p[0]), float(p[1])) for p in points})
    if len(pts) <= 2:
        return np.array(pts, float)

    def cross(o, a, b) -> float:
        return (a[0] - o[0]) * (b[1] - o[1]) - (a[1] - o[1]) * (b[0] - o[0])

    lower: list = []
    for p in pts:
        while len(lower) >= 2 and cross(lower[-2], lower[-1], p) <= 0:
            lower.pop()
        lower.append(p)
    upper: list = []
    for p in reversed(pts):
        while len(upper) >= 2 and cross(upper[-2], upper[-1], p) <= 0:
            upper.pop()
        upper.append(p)
    return np.array(lower[:-1] + upper[:-1], float)


def _seg_dist(p: F64, a: F64, b: F64) -> F64:
    """Distances from points ``p`` (n x 2) to segment ab."""
    d = b - a
    ll = float(d @ d)
    u = np.zeros(len(p)) if ll == 0 else np.clip(((p - a) @ d) / ll, 0, 1)
    return np.hypot(*(p - a - u[:, None] * d).T)


def _inside_convex(poly: F64, p: F64) -> bool:
    """Point ``p`` in the closed convex polygon ``poly`` (counter-clockwise, >= 3 vertices)."""
    e = np.roll(poly, -1, axis=0) - poly
    w = p - poly
    return bool(np.all(e[:, 0] * w[:, 1] - e[:, 1] * w[:, 0] >= -1e-12))


def _dist_point_hull(hull: F64, p: F64) -> float:
    """Distance from ``p`` to a convex hull given by its vertices (point, segment, polygon)."""
    if len(hull) >= 3 and _inside_convex(hull, p):
        return 0.0
    if len(hull) == 1:
        return float(np.hypot(*(p - hull[0])))
    nxt = np.roll(hull, -1, axis=0)
    return float(min(_seg_dist(p[None, :], a, b)[0] for a, b in zip(hull, nxt, strict=True)))


def _segments_cross(a: F64, b: F64, c: F64, d: F64) -> bool:
    """Closed segments ab and cd share a point (orientation tests)."""

    def orient(p, q, r) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    def on(p, q, r) -> bool:
        return min(p[0], q[0]) <= r[0] <= max(p[0], q[0]) and min(p[1], q[1]) <= r[1] <= max(
            p[1], q[1]
        )

    o1, o2, o3, o4 = orient(a, b, c), orient(a, b, d), orient(c, d, a), orient(c, d, b)
    if ((o1 > 0 > o2) or (o1 < 0 < o2)) and ((o3 > 0 > o4) or (o3 < 0 < o4)):
        return True
    return (
        (o1 == 0 and on(a, b, c))
        or (o2 == 0 and on(a, b, d))
        or (o3 == 0 and on(c, d, a))
        or (o4 == 0 and on(c, d, b))
    )


def box_distance_ref(b1: tuple, b2: tuple) -> float:
    """Distance (m) of two boxes ``(x, y, h, length, width)``, 0 when they overlap.

    Overlap: a corner of one inside the other, or two edges crossing; otherwise the minimum
    vertex-to-edge distance.
    """
    p = corners_ref(*b1)
    q = corners_ref(*b2)
    for poly, pts in ((p, q), (q, p)):
        if _hull(poly).shape[0] >= 3 and any(_inside_convex(_hull(poly), v) for v in pts):
            return 0.0
    pe = list(zip(p, np.roll(p, -1, axis=0), strict=True))
    qe = list(zip(q, np.roll(q, -1, axis=0), strict=True))
    if any(_segments_cross(a, b, c, d) for a, b in pe for c, d in qe):
        return 0.0
    best = INF
    for pts, edges in ((p, qe), (q, pe)):
        for a, b in edges:
            best = min(best, float(_seg_dist(pts, a, b).min()))
    return best


def footprint_distance_ref(s1: tuple, s2: tuple) -> float:
    """Clearance (m) of two footprints ``(x, y, h, length, width, r)``; discs when ``r > 0``."""
    x1, y1, h1, l1, w1, r1 = s1
    x2, y2, h2, l2, w2, r2 = s2
    if r1 > 0:
        l1 = w1 = 0.0
    if r2 > 0:
        l2 = w2 = 0.0
    d = box_distance_ref((x1, y1, h1, l1, w1), (x2, y2, h2, l2, w2)) - r1 - r2
    return max(d, 0.0)


def _ray_segment(d: F64, a: F64, b: F64) -> float:
    """Smallest ``t >= 0`` with ``t d`` on segment ab (``+inf`` if none; parallel: ends)."""
    e = b - a
    den = d[0] * (-e[1]) - d[1] * (-e[0])
    if den == 0:
        # parallel: the ray hits the segment only if collinear; take the nearer end point
        hits = []
        for p in (a, b):
            if abs(d[0] * p[1] - d[1] * p[0]) == 0 and float(p @ d) >= 0 and float(d @ d) > 0:
                hits.append(float(p @ d) / float(d @ d))
        return min(hits) if hits else INF
    # solve t d = a + u e
    t = (a[0] * (-e[1]) - a[1] * (-e[0])) / den
    u = (d[0] * a[1] - d[1] * a[0]) / den
    if t >= 0 and -1e-12 <= u <= 1 + 1e-12:
        return float(t)
    return INF


def _ray_circle(d: F64, c: F64, r: float) -> float:
    """Smallest ``t >= 0`` with ``|t d - c| = r`` (geometric form, closest approach)."""
    dd = float(d @ d)
    if dd == 0:
        return INF
    t_ca = float(c @ d) / dd
    if t_ca < 0:
        return INF
    miss2 = float(c @ c) - t_ca * t_ca * dd
    if miss2 > r * r:
        return INF
    return t_ca - math.sqrt(max(r * r - miss2, 0.0) / dd)


def ttc_2d_ref(s1: tuple, s2: tuple) -> float:
    """2-D TTC (s) of footprints ``(x, y, h, vx, vy, length, width, r)`` by a Minkowski ray cast.

    The shapes touch at time t iff ``t (v1 - v2)`` lies in ``M = S2 - S1`` dilated by the
    disc radii; ``M`` is the hull of the vertex differences. The ray from the origin enters
    the dilated hull first through an offset edge or a vertex circle.
    """
    x1, y1, h1, vx1, vy1, l1, w1, r1 = s1
    x2, y2, h2, vx2, vy2, l2, w2, r2 = s2
    v1 = corners_ref(x1, y1, h1, 0.0, 0.0) if r1 > 0 else corners_ref(x1, y1, h1, l1, w1)
    v2 = corners_ref(x2, y2, h2, 0.0, 0.0) if r2 > 0 else corners_ref(x2, y2, h2, l2, w2)
    rr = r1 + r2
    hull = _hull((v2[None, :, :] - v1[:, None, :]).reshape(-1, 2))
    if _dist_point_hull(hull, np.zeros(2)) <= rr:
        return 0.0
    d = np.array([vx1 - vx2, vy1 - vy2], float)
    best = INF
    m = len(hull)
    if m >= 2:
        for k in range(m if m > 2 else 1):
            a, b = hull[k], hull[(k + 1) % m]
            e = b - a
            n = np.array([e[1], -e[0]]) / math.hypot(*e)  # outward for counter-clockwise
            sides = (n,) if m > 2 else (n, -n)
            for nn in sides:
                best = min(best, _ray_segment(d, a + rr * nn, b + rr * nn))
    if rr > 0 or m == 1:
        for c in hull:
            best = min(best, _ray_circle(d, c, rr) if rr > 0 else _ray_point(d, c))
    return best


def _ray_point(d: F64, c: F64) -> float:
    """Time the ray ``t d`` passes exactly through point ``c`` (``+inf`` if never)."""
    dd = float(d @ d)
    if dd == 0 or d[0] * c[1] - d[1] * c[0] != 0:
        return INF
    t = float(c @ d) / dd
    return t if t >= 0 else INF


# --- PET -------------------------------------------------------------------------------------
def area_candidates_ref(idx, x, y, agent_reach, area_x, area_y, area_reach) -> I64:
    """Closest area whose bounding circle touches the agent's (brute force), -1 if none."""
    out = np.full(len(idx), -1, dtype=np.int64)
    for k, i in enumerate(np.asarray(idx)):
        d = np.hypot(x[i] - np.asarray(area_x), y[i] - np.asarray(area_y))
        ok = np.nonzero(d <= np.asarray(area_reach) + agent_reach[i])[0]
        if len(ok):
            out[k] = ok[np.lexsort((ok, d[ok]))[0]]
    return out


def in_area_ref(agent: tuple, area: tuple) -> bool:
    """Footprint ``(x, y, h, length, width, r)`` touches area ``(x, y, h, length, width, r)``."""
    return footprint_distance_ref(agent, area) <= 0.0


class PetStreamRef:
    """Streaming PET with dictionaries: who is in which area, last exit per area."""

    def __init__(self) -> None:
        self.where: dict[int, int] = {}
        self.inside: dict[int, set[int]] = {}
        self.last_exit: dict[int, tuple[float, int]] = {}

    def step(self, t: float, idx, cand, agents: dict[int, tuple], areas: list[tuple]) -> list:
        """One tick; ``agents[i]`` and ``areas[a]`` are footprints. Returns PET samples."""
        out = []
        for i in (int(i) for i in np.asarray(idx)):
            a = self.where.get(i, -1)
            if a >= 0 and not in_area_ref(agents[i], areas[a]):
                del self.where[i]
                self.inside[a].discard(i)
                self.last_exit[a] = (t, i)
        for k, i in enumerate(int(i) for i in np.asarray(idx)):
            c = int(cand[k])
            if i not in self.where and c >= 0 and in_area_ref(agents[i], areas[c]):
                if not self.inside.get(c) and c in self.last_exit:
                    t_exit, first = self.last_exit[c]
                    if first != i:
                        out.append((c, first, i, t - t_exit))
                self.where[i] = c
                self.inside.setdefault(c, set()).add(i)
        return out


def pet_pair_ref(traj_a: F64, shape_a, traj_b: F64, shape_b, area: tuple, dt, k0, entry_offset):
    """Offline PET (s): trajectories ``(n, 3)`` of (x, y, h), shapes ``(length, width, r)``."""

    def interval(traj, shape) -> tuple[int, int]:
        ins = np.array(
            [in_area_ref((p[0], p[1], p[2], *shape), area) for p in traj[k0:]], dtype=bool
        )
        if not ins.any():
            return -1, -1
        first = int(np.argmax(ins))
        enter = max(first + k0 - entry_offset, 0)
        outs = np.nonzero(~ins[first:])[0]
        return enter, (-1 if len(outs) == 0 else int(outs[0]) + first + k0)

    ea, xa = interval(traj_a, shape_a)
    eb, xb = interval(traj_b, shape_b)
    if xa >= 0 and eb >= xa:
        return (eb - xa) * dt
    if xb >= 0 and ea >= 0 and ea >= xb:
        return (ea - xb) * dt
    return INF
