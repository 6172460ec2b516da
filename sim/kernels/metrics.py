"""Surrogate safety metrics: TTC, THW, DRAC, PET, minimum distance, TET and TIT.

Every kernel works on plain arrays and scalars in SI units (m, s, m/s, m/s^2, rad from east,
counter-clockwise). Fleet arrays (``speed``, ``x``, ``min_ttc`` ...) are indexed by agent
index ``i``; per-call arrays (``gap``, ``leader``, ``out_ttc`` ...) are aligned with ``idx``
(position ``k`` belongs to agent ``idx[k]``). Missing values are ``+inf`` (no conflict), never
NaN, so that ``min`` and threshold tests need no special cases.

Definitions and sources
-----------------------
- TTC, car following: ``gap / (v_f - v_l)`` while closing (``v_f > v_l``), else ``+inf``;
  ``gap`` is the bumper-to-bumper distance (follower front to leader rear).
  Hayward (1972), *Near-miss determination through use of a scale of danger*, Highway
  Research Record 384, 24-34; Minderhoud & Bovy (2001), *Extended time-to-collision measures
  for road traffic safety assessment*, Accid. Anal. Prev. 33(1), 89-97.
- TTC under constant accelerations (:func:`ttc_const_accel`): the first root of
  ``gap + dv t + da t^2 / 2 = 0``; Jansson (2005), *Collision Avoidance Theory with Application
  to Automotive Collision Mitigation*, PhD thesis, Linkoping Univ., sec. 5 -- the variant
  CommonRoad-CriMe 0.4.5 (``measure/time/ttc.py``) computes.
- TTC in 2-D (:func:`ttc_2d`): first time two oriented boxes or discs moving at constant
  velocity touch (exact; separating axes for box-box, a quadratic for disc-disc, a ray
  against the rounded box for box-disc). Eberly (2008), *Intersection of Convex Objects: The
  Method of Separating Axes*, Geometric Tools; Ericson (2005), *Real-Time Collision
  Detection*, Morgan Kaufmann, sec. 5.5.
- THW: ``gap / v_f`` with the front-to-rear gap (Vogel 2003, *A comparison of headway and time
  to collision as safety indicators*, Accid. Anal. Prev. 35(3), 427-433); CriMe measures the
  same gap but takes the time the follower's recorded trajectory needs to cover it
  (:func:`thw_trajectory`).
- DRAC: ``(v_f - v_l)^2 / (2 gap)`` while closing, else 0 (Cooper & Ferguson 1976, *Traffic
  studies at T-junctions -- a conflict simulation model*, Traffic Eng. Control 17, 306-309;
  naming as in the SUMO SSM device documentation,
  https://sumo.dlr.de/docs/Simulation/Output/SSM_Device.html). CriMe has no DRAC; its
  nearest measure, the required longitudinal acceleration, is :func:`a_long_req`.
- PET: the time from the first agent leaving a conflict area to the second one entering it
  (Allen, Shin & Cooper 1978, *Analysis of traffic conflicts and collisions*, Transp. Res.
  Rec. 667, 67-74): streaming (:func:`pet_step`) and offline (:func:`pet_pair`).
- TET / TIT: time with ``0 <= TTC <= threshold`` and the integral of ``threshold - TTC`` over
  it (Minderhoud & Bovy 2001), accumulated tick by tick (:func:`accumulate`).

Shapes: an agent or a conflict area is a disc when its ``radius > 0`` (its length and width
are then ignored), otherwise an oriented box of full ``length`` (along the heading) and
``width`` in m, as the fleet's ``length``/``width`` columns and CommonRoad's ``Rectangle``; a
box of zero size is a point. Internal helpers (``box_*``, ``ttc_boxes``, ``ttc_box_disc``)
take half-extents ``hl``/``hw``.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

INF = math.inf


# --- car following ---------------------------------------------------------------------------
@njit(cache=True)
def ttc_car_following(gap, v_f, v_l):
    """Car-following TTC (s): ``gap / (v_f - v_l)`` while closing, else ``+inf``.

    ``gap`` (m) is bumper to bumper; ``v_f``/``v_l`` (m/s) are the follower's and leader's
    speeds along the lane. ``gap <= 0`` (touching or overlapping) gives 0 whatever the
    speeds (CommonRoad-CriMe's HW instead reads a negative gap as "not ahead", TTC ``inf``).
    Hayward (1972); Minderhoud & Bovy (2001).
    """
    if gap <= 0.0:
        return 0.0
    dv = v_f - v_l
    if dv > 0.0:
        return gap / dv
    return INF


@njit(cache=True)
def thw_gap(gap, v_f):
    """Time headway (s): ``gap / v_f`` with the follower-front to leader-rear ``gap`` (m).

    ``+inf`` when the follower stands (``v_f <= 0``); 0 when ``gap <= 0``. Vogel (2003); the
    gap convention of CommonRoad-CriMe's THW (ego front bumper to the other's rear bumper).
    """
    if gap <= 0.0:
        return 0.0
    if v_f > 0.0:
        return gap / v_f
    return INF


@njit(cache=True)
def drac(gap, v_f, v_l):
    """Deceleration rate to avoid a crash (m/s^2, >= 0): ``(v_f - v_l)^2 / (2 gap)`` if closing.

    0 when not closing; ``+inf`` when closing at ``gap <= 0``. Cooper & Ferguson (1976),
    as named in the SUMO SSM documentation.
    """
    dv = v_f - v_l
    if dv <= 0.0:
        return 0.0
    if gap <= 0.0:
        return INF
    return dv * dv / (2.0 * gap)


@njit(cache=True)
def car_following_metrics(idx, leader, gap, speed, out_ttc, out_thw, out_drac):
    """TTC (s), THW (s) and DRAC (m/s^2) of the agents ``idx`` behind their leaders.

    ``leader[k]`` is the fleet index of the leader of agent ``idx[k]`` (-1: none) and
    ``gap[k]`` the bumper-to-bumper gap (m); ``speed`` is the fleet's speed array (m/s, along
    the lane). Results go to ``out_ttc[k]``, ``out_thw[k]``, ``out_drac[k]``; without a leader
    they are ``+inf``, ``+inf`` and 0. See :func:`ttc_car_following`, :func:`thw_gap` and
    :func:`drac` for the definitions. One O(n) pass, no allocation.
    """
    for k in range(len(idx)):
        j = leader[k]
        if j < 0:
            out_ttc[k] = INF
            out_thw[k] = INF
            out_drac[k] = 0.0
            continue
        v_f = speed[idx[k]]
        v_l = speed[j]
        g = gap[k]
        out_ttc[k] = ttc_car_following(g, v_f, v_l)
        out_thw[k] = thw_gap(g, v_f)
        out_drac[k] = drac(g, v_f, v_l)


@njit(cache=True)
def car_following_metrics_fleet(idx, lead, gap, speed, out_ttc, out_thw, out_drac):
    """:func:`car_following_metrics` with fleet-indexed ``lead[i]`` and ``gap[i]`` (m).

    The layout :func:`sim.kernels.road.road_step` writes its ``lead_out``/``gap_out`` in
    (leader -1 and gap ``FREE_GAP`` when none), so the engine needs no gather. Outputs are
    aligned with ``idx`` as in :func:`car_following_metrics`.
    """
    for k in range(len(idx)):
        i = idx[k]
        j = lead[i]
        if j < 0:
            out_ttc[k] = INF
            out_thw[k] = INF
            out_drac[k] = 0.0
            continue
        g = gap[i]
        out_ttc[k] = ttc_car_following(g, speed[i], speed[j])
        out_thw[k] = thw_gap(g, speed[i])
        out_drac[k] = drac(g, speed[i], speed[j])


@njit(cache=True)
def ttc_const_accel(gap, v_f, v_l, a_f, a_l, a_eps):
    """TTC (s) with constant accelerations: the first ``t > 0`` with ``gap + dv t + da t^2/2 = 0``.

    ``dv = v_l - v_f`` (m/s) and ``da = a_l - a_f`` (m/s^2) along the lane. Jansson (2005),
    sec. 5, with the branches of CommonRoad-CriMe 0.4.5 (``TTC.compute``): while closing
    (``dv < 0``) and ``|da| <= a_eps`` it falls back to the constant-velocity
    ``-gap / dv`` (CriMe uses ``a_eps = 0.1`` m/s^2); a negative discriminant, or
    ``dv >= 0`` with ``da >= 0``, gives ``+inf``; otherwise
    ``-dv/da - sqrt(dv^2 - 2 gap da)/da``. ``gap = +inf`` (no leader) gives ``+inf``.
    """
    dv = v_l - v_f
    da = a_l - a_f
    if gap == INF:
        return INF
    if dv < 0.0 and abs(da) <= a_eps:
        return -gap / dv
    disc = dv * dv - 2.0 * gap * da
    if disc < 0.0:
        return INF
    if (dv < 0.0 and da != 0.0) or (dv >= 0.0 and da < 0.0):
        return -(dv / da) - math.sqrt(disc) / da
    return INF


@njit(cache=True)
def a_long_req(gap, v_f, v_l, a_l):
    """Required longitudinal acceleration (m/s^2, <= 0): ``min(a_l - (v_l - v_f)^2/(2 gap), 0)``.

    The follower's constant acceleration that brings the relative speed to zero at contact
    when the leader keeps ``a_l``: Jansson (2005) sec. 5.3.5; Asljung, Nilsson & Fredriksson
    (2017), IEEE Trans. Intell. Veh. 2(4), 288-297, eq. (8). This is CommonRoad-CriMe 0.4.5's
    ``ALongReq`` (``acceleration_mode = 1``) and, like it, applies the formula whether or not
    the follower closes in, so it is only meaningful while closing. With ``a_l = 0`` and
    ``v_f > v_l`` it equals ``-drac(gap, v_f, v_l)``. ``gap = +inf`` gives ``min(a_l, 0)``.
    """
    dv = v_l - v_f
    a = a_l - dv * dv / (2.0 * gap)
    if a > 0.0:
        return 0.0
    return a


@njit(cache=True)
def thw_trajectory(front_s, k0, target_s, dt):
    """Time headway (s) from a recorded trajectory, CommonRoad-CriMe 0.4.5's ``THW`` definition.

    ``front_s[k]`` (m) is the follower's front bumper along the common path at sample ``k``
    (``dt`` s apart), ``target_s`` (m) the leader's rear bumper at sample ``k0``. The headway
    is ``(k - k0) dt`` for the first ``k > k0`` with ``front_s[k] > target_s``: the time the
    follower needs to reach the point where the leader's rear was at ``k0``. ``+inf`` when
    the follower is already past it at ``k0`` or never reaches it within the recording.
    Under constant speed it is ``gap / v_f`` rounded up to the next sample.
    """
    if front_s[k0] > target_s:
        return INF
    for k in range(k0 + 1, len(front_s)):
        if front_s[k] > target_s:
            return (k - k0) * dt
    return INF


# --- accumulators ----------------------------------------------------------------------------
@njit(cache=True)
def accumulate(idx, ttc, dt, threshold, min_ttc, tet, tit):
    """Add one tick of ``dt`` s to the per-agent TTC accumulators (in place).

    ``ttc[k]`` (s) belongs to agent ``idx[k]``; ``min_ttc``, ``tet`` and ``tit`` are fleet
    arrays (start them at ``+inf``, 0, 0). Minimum TTC (s); TET (s): ``+dt`` while
    ``0 <= ttc <= threshold``; TIT (s^2): ``+(threshold - ttc) dt`` while so. Minderhoud &
    Bovy (2001), eqs. for TET* and TIT* per vehicle, as rectangle sums over the ticks
    (CommonRoad-CriMe 0.4.5 sums the same way with ``<= tau``). NaN samples are skipped.
    """
    for k in range(len(idx)):
        i = idx[k]
        t = ttc[k]
        if t < min_ttc[i]:
            min_ttc[i] = t
        if 0.0 <= t <= threshold:
            tet[i] += dt
            tit[i] += (threshold - t) * dt


@njit(cache=True)
def run_totals(idx, min_ttc, tet, tit):
    """Run totals over the agents ``idx``: (minimum TTC s, TET s, TIT s^2).

    The run's TET and TIT are the sums over the agents (Minderhoud & Bovy 2001: TET* and TIT*
    sum over all vehicles); its minimum TTC the minimum over them (``+inf`` if none).
    """
    m = INF
    e = 0.0
    g = 0.0
    for k in range(len(idx)):
        i = idx[k]
        if min_ttc[i] < m:
            m = min_ttc[i]
        e += tet[i]
        g += tit[i]
    return m, e, g


# --- 2-D geometry ----------------------------------------------------------------------------
@njit(cache=True)
def box_corner(x, y, c, s, hl, hw, k):
    """Corner ``k`` (0..3, counter-clockwise from front-left) of a box at ``(x, y)``."""
    a = hl if k == 0 or k == 3 else -hl
    b = hw if k == 0 or k == 1 else -hw
    return x + a * c - b * s, y + a * s + b * c


@njit(cache=True)
def point_segment_distance(px, py, ax, ay, bx, by):
    """Distance (m) from point p to segment ab (ab may be a point)."""
    dx = bx - ax
    dy = by - ay
    ll = dx * dx + dy * dy
    u = 0.0
    if ll > 0.0:
        u = ((px - ax) * dx + (py - ay) * dy) / ll
        if u < 0.0:
            u = 0.0
        elif u > 1.0:
            u = 1.0
    return math.hypot(px - ax - u * dx, py - ay - u * dy)


@njit(cache=True)
def boxes_overlap(x1, y1, c1, s1, hl1, hw1, x2, y2, c2, s2, hl2, hw2):
    """Separating-axis test: True when two closed oriented boxes share a point."""
    dx = x2 - x1
    dy = y2 - y1
    for ax in range(4):
        if ax == 0:
            nx, ny = c1, s1
        elif ax == 1:
            nx, ny = -s1, c1
        elif ax == 2:
            nx, ny = c2, s2
        else:
            nx, ny = -s2, c2
        r = (
            hl1 * abs(c1 * nx + s1 * ny)
            + hw1 * abs(-s1 * nx + c1 * ny)
            + hl2 * abs(c2 * nx + s2 * ny)
            + hw2 * abs(-s2 * nx + c2 * ny)
        )
        if abs(dx * nx + dy * ny) > r:
            return False
    return True


@njit(cache=True)
def box_distance(x1, y1, h1, hl1, hw1, x2, y2, h2, hl2, hw2):
    """Distance (m) between two closed oriented boxes, 0 when they overlap.

    Overlap by separating axes; otherwise the minimum over the vertex-to-edge distances of
    both boxes, which is where two disjoint convex polygons come closest.
    """
    c1 = math.cos(h1)
    s1 = math.sin(h1)
    c2 = math.cos(h2)
    s2 = math.sin(h2)
    if boxes_overlap(x1, y1, c1, s1, hl1, hw1, x2, y2, c2, s2, hl2, hw2):
        return 0.0
    best = INF
    for side in range(2):
        for k in range(4):
            if side == 0:
                px, py = box_corner(x1, y1, c1, s1, hl1, hw1, k)
            else:
                px, py = box_corner(x2, y2, c2, s2, hl2, hw2, k)
            for e in range(4):
                if side == 0:
                    ax, ay = box_corner(x2, y2, c2, s2, hl2, hw2, e)
                    bx, by = box_corner(x2, y2, c2, s2, hl2, hw2, (e + 1) % 4)
                else:
                    ax, ay = box_corner(x1, y1, c1, s1, hl1, hw1, e)
                    bx, by = box_corner(x1, y1, c1, s1, hl1, hw1, (e + 1) % 4)
                d = point_segment_distance(px, py, ax, ay, bx, by)
                if d < best:
                    best = d
    return best


@njit(cache=True)
def point_box_distance(px, py, x, y, h, hl, hw):
    """Distance (m) from point ``(px, py)`` to the closed box at ``(x, y)``, heading ``h``.

    In the box frame: the length of ``(max(|u| - hl, 0), max(|v| - hw, 0))``.
    """
    c = math.cos(h)
    s = math.sin(h)
    dx = px - x
    dy = py - y
    qx = max(abs(c * dx + s * dy) - hl, 0.0)
    qy = max(abs(-s * dx + c * dy) - hw, 0.0)
    return math.hypot(qx, qy)


@njit(cache=True)
def footprint_distance(x1, y1, h1, l1, w1, r1, x2, y2, h2, l2, w2, r2):
    """Clearance (m) between two footprints, 0 when they touch or overlap.

    Each footprint is a disc (``r > 0``: centre ``(x, y)``, radius ``r`` m) or an oriented box
    (``r == 0``: centre ``(x, y)``, heading ``h`` rad, length ``l`` and width ``w`` m).
    Exact: disc-disc from the centre distance, disc-box from the centre's distance to the
    box (:func:`point_box_distance`), box-box by :func:`box_distance`; minus the radii.
    """
    if r1 > 0.0 and r2 > 0.0:
        d = math.hypot(x2 - x1, y2 - y1) - r1 - r2
    elif r1 > 0.0:
        d = point_box_distance(x1, y1, x2, y2, h2, 0.5 * l2, 0.5 * w2) - r1
    elif r2 > 0.0:
        d = point_box_distance(x2, y2, x1, y1, h1, 0.5 * l1, 0.5 * w1) - r2
    else:
        d = box_distance(x1, y1, h1, 0.5 * l1, 0.5 * w1, x2, y2, h2, 0.5 * l2, 0.5 * w2)
    return d if d > 0.0 else 0.0


@njit(cache=True)
def ttc_boxes(x1, y1, h1, vx1, vy1, hl1, hw1, x2, y2, h2, vx2, vy2, hl2, hw2):
    """First contact time (s) of two oriented boxes in linear motion (separating axes).

    Neither box rotates, so the four candidate axes (the boxes' edge normals) are fixed. On
    each axis ``n`` the projected centre distance ``p + w t`` (``w`` the relative velocity
    along ``n``) must stay within the sum of the projected half-extents ``R``: the interval
    ``|p + w t| <= R`` (all of time when ``w = 0`` and ``|p| <= R``, none when ``|p| > R``).
    The boxes overlap exactly when all four intervals hold, so contact starts at the latest
    entry and ends at the earliest exit. Eberly (2008); Ericson (2005) sec. 5.5.8.
    """
    c1 = math.cos(h1)
    s1 = math.sin(h1)
    c2 = math.cos(h2)
    s2 = math.sin(h2)
    dx = x2 - x1
    dy = y2 - y1
    ux = vx2 - vx1
    uy = vy2 - vy1
    t_in = -INF
    t_out = INF
    for ax in range(4):
        if ax == 0:
            nx, ny = c1, s1
        elif ax == 1:
            nx, ny = -s1, c1
        elif ax == 2:
            nx, ny = c2, s2
        else:
            nx, ny = -s2, c2
        r = (
            hl1 * abs(c1 * nx + s1 * ny)
            + hw1 * abs(-s1 * nx + c1 * ny)
            + hl2 * abs(c2 * nx + s2 * ny)
            + hw2 * abs(-s2 * nx + c2 * ny)
        )
        p = dx * nx + dy * ny
        w = ux * nx + uy * ny
        if w == 0.0:
            if abs(p) > r:
                return INF
            continue
        ta = (-r - p) / w
        tb = (r - p) / w
        if ta > tb:
            ta, tb = tb, ta
        if ta > t_in:
            t_in = ta
        if tb < t_out:
            t_out = tb
    if t_in > t_out or t_out < 0.0:
        return INF
    return t_in if t_in > 0.0 else 0.0


@njit(cache=True)
def ttc_discs(x1, y1, vx1, vy1, r1, x2, y2, vx2, vy2, r2):
    """First contact time (s) of two discs in linear motion: the smaller root of a quadratic.

    ``|p + u t| = R`` with ``p``/``u`` the relative position and velocity and ``R = r1 + r2``;
    the root is taken in the cancellation-free form ``c / (-b + sqrt(b^2 - a c))``.
    """
    px = x2 - x1
    py = y2 - y1
    ux = vx2 - vx1
    uy = vy2 - vy1
    rr = r1 + r2
    c = px * px + py * py - rr * rr
    if c <= 0.0:
        return 0.0
    b = px * ux + py * uy
    a = ux * ux + uy * uy
    if b >= 0.0 or a == 0.0:
        return INF
    disc = b * b - a * c
    if disc < 0.0:
        return INF
    return c / (-b + math.sqrt(disc))


@njit(cache=True)
def ttc_box_disc(xb, yb, hb, vxb, vyb, hl, hw, xd, yd, vxd, vyd, r):
    """First contact time (s) of an oriented box and a disc in linear motion.

    In the box frame the disc centre moves on a ray; contact is the ray entering the box
    dilated by ``r`` (a rounded rectangle). Its boundary is four face segments at distance
    ``r`` and four quarter circles around the corners; the entry is the earliest hit among
    the segments and the full corner circles (a circle hit off its arc lies inside the
    rounded box, so it is never the earliest). Ericson (2005) sec. 5.5.7.
    """
    c = math.cos(hb)
    s = math.sin(hb)
    dx = xd - xb
    dy = yd - yb
    px = c * dx + s * dy
    py = -s * dx + c * dy
    wx = vxd - vxb
    wy = vyd - vyb
    ux = c * wx + s * wy
    uy = -s * wx + c * wy
    qx = max(abs(px) - hl, 0.0)
    qy = max(abs(py) - hw, 0.0)
    if qx * qx + qy * qy <= r * r:
        return 0.0
    best = INF
    for sign in (-1.0, 1.0):
        if ux != 0.0:
            t = (sign * (hl + r) - px) / ux
            if 0.0 <= t < best and abs(py + uy * t) <= hw:
                best = t
        if uy != 0.0:
            t = (sign * (hw + r) - py) / uy
            if 0.0 <= t < best and abs(px + ux * t) <= hl:
                best = t
    if r > 0.0:
        a = ux * ux + uy * uy
        if a > 0.0:
            for cx in (-hl, hl):
                for cy in (-hw, hw):
                    ex = px - cx
                    ey = py - cy
                    b = ex * ux + ey * uy
                    cc = ex * ex + ey * ey - r * r
                    if b >= 0.0:
                        continue
                    disc = b * b - a * cc
                    if disc < 0.0:
                        continue
                    t = cc / (-b + math.sqrt(disc))
                    if 0.0 <= t < best:
                        best = t
    return best


@njit(cache=True)
def ttc_2d(x1, y1, h1, vx1, vy1, l1, w1, r1, x2, y2, h2, vx2, vy2, l2, w2, r2):
    """General 2-D TTC (s): the first ``t >= 0`` at which two footprints in linear motion touch.

    Footprints as in :func:`footprint_distance` (disc if ``r > 0``, else oriented box with
    heading ``h`` rad, length ``l`` and width ``w`` m); velocities ``(vx, vy)`` in m/s,
    held constant, headings held constant. 0 when they already touch, ``+inf`` when they
    never will. Exact: box-box by separating-axis intervals (:func:`ttc_boxes`), disc-disc
    by the quadratic (:func:`ttc_discs`), box-disc by a ray against the rounded box
    (:func:`ttc_box_disc`). This is the constant-velocity TTC of two shapes (Hayward 1972
    generalised to 2-D; e.g. the 2-D TTC of the criticality-metrics review by Westhofen et
    al. 2023, Arch. Comput. Methods Eng. 30, 1-35), not CriMe's lane-based TTC.
    """
    if r1 > 0.0 and r2 > 0.0:
        return ttc_discs(x1, y1, vx1, vy1, r1, x2, y2, vx2, vy2, r2)
    if r1 > 0.0:
        return ttc_box_disc(x2, y2, h2, vx2, vy2, 0.5 * l2, 0.5 * w2, x1, y1, vx1, vy1, r1)
    if r2 > 0.0:
        return ttc_box_disc(x1, y1, h1, vx1, vy1, 0.5 * l1, 0.5 * w1, x2, y2, vx2, vy2, r2)
    return ttc_boxes(
        x1, y1, h1, vx1, vy1, 0.5 * l1, 0.5 * w1, x2, y2, h2, vx2, vy2, 0.5 * l2, 0.5 * w2
    )


@njit(cache=True)
def ttc_2d_pairs(pi, pj, x, y, heading, speed, length, width, radius, out_ttc):
    """:func:`ttc_2d` for the agent pairs ``(pi[p], pj[p])`` (fleet indices) into ``out_ttc[p]``.

    Fleet arrays: position (m), heading (rad), ``speed`` (m/s, the velocity is taken along
    the heading), ``length``/``width`` (m), ``radius`` (m; > 0 makes the agent a disc). Pairs
    come from a broadphase (e.g. :func:`sim.kernels.collision.grid_pairs`) or :func:`all_pairs`.
    """
    for p in range(len(pi)):
        i = pi[p]
        j = pj[p]
        out_ttc[p] = ttc_2d(
            x[i],
            y[i],
            heading[i],
            speed[i] * math.cos(heading[i]),
            speed[i] * math.sin(heading[i]),
            length[i],
            width[i],
            radius[i],
            x[j],
            y[j],
            heading[j],
            speed[j] * math.cos(heading[j]),
            speed[j] * math.sin(heading[j]),
            length[j],
            width[j],
            radius[j],
        )


@njit(cache=True)
def all_pairs(idx):
    """All unordered pairs of the agents ``idx``: two int64 arrays of length n(n-1)/2."""
    n = len(idx)
    m = n * (n - 1) // 2
    pi = np.empty(m, dtype=np.int64)
    pj = np.empty(m, dtype=np.int64)
    p = 0
    for a in range(n):
        for b in range(a + 1, n):
            pi[p] = idx[a]
            pj[p] = idx[b]
            p += 1
    return pi, pj


@njit(cache=True)
def min_distance(pi, pj, x, y, heading, length, width, radius, out_dist, min_dist):
    """Clearance (m) of each pair into ``out_dist[p]``; per-agent running minimum in place.

    ``(pi[p], pj[p])`` are fleet indices from a broadphase or :func:`all_pairs`;
    ``min_dist`` is a fleet array (start it at ``+inf``) lowered for both agents of a pair.
    Returns the index of the closest pair (-1 when there are no pairs). Footprints (fleet
    ``length``/``width``/``radius``, m) and the exact distance as in :func:`footprint_distance`.
    """
    best = INF
    arg = -1
    for p in range(len(pi)):
        i = pi[p]
        j = pj[p]
        d = footprint_distance(
            x[i],
            y[i],
            heading[i],
            length[i],
            width[i],
            radius[i],
            x[j],
            y[j],
            heading[j],
            length[j],
            width[j],
            radius[j],
        )
        out_dist[p] = d
        if d < min_dist[i]:
            min_dist[i] = d
        if d < min_dist[j]:
            min_dist[j] = d
        if d < best:
            best = d
            arg = p
    return arg


# --- PET at conflict areas -------------------------------------------------------------------
@njit(cache=True)
def cell_hash(cx, cy, mask):
    """Slot of grid cell ``(cx, cy)`` in a power-of-two table (Teschner et al. 2003 primes)."""
    return ((cx * 73856093) ^ (cy * 19349663)) & mask


@njit(cache=True)
def area_grid(area_x, area_y, cell):
    """Static grid index of conflict areas: a hash table of the occupied cells.

    Returns ``(slot_cx, slot_cy, slot_start, slot_count, order)``: open addressing with
    linear probing over a power-of-two table of at least twice the occupied cells; slot
    ``h`` holds cell ``(slot_cx[h], slot_cy[h])`` whose areas are
    ``order[slot_start[h] : slot_start[h] + slot_count[h]]`` (count 0: empty slot). Memory
    O(areas) whatever the extent; lookups O(1). ``cell`` (m): see :func:`area_candidates`.
    """
    n = len(area_x)
    cx = np.empty(n, dtype=np.int64)
    cy = np.empty(n, dtype=np.int64)
    for a in range(n):
        cx[a] = math.floor(area_x[a] / cell)
        cy[a] = math.floor(area_y[a] / cell)
    order = np.argsort(cx * 4294967296 + (cy + 2147483648), kind="mergesort")  # by (cx, cy)
    size = 2
    while size < 2 * n:
        size *= 2
    mask = size - 1
    slot_cx = np.zeros(size, dtype=np.int64)
    slot_cy = np.zeros(size, dtype=np.int64)
    slot_start = np.zeros(size, dtype=np.int64)
    slot_count = np.zeros(size, dtype=np.int64)
    g = 0
    while g < n:
        a0 = order[g]
        e = g
        while e + 1 < n and cx[order[e + 1]] == cx[a0] and cy[order[e + 1]] == cy[a0]:
            e += 1
        h = cell_hash(cx[a0], cy[a0], mask)
        while slot_count[h] > 0:
            h = (h + 1) & mask
        slot_cx[h] = cx[a0]
        slot_cy[h] = cy[a0]
        slot_start[h] = g
        slot_count[h] = e - g + 1
        g = e + 1
    return slot_cx, slot_cy, slot_start, slot_count, order


@njit(cache=True)
def area_candidates(
    idx,
    x,
    y,
    agent_reach,
    area_x,
    area_y,
    area_reach,
    cell,
    slot_cx,
    slot_cy,
    slot_start,
    slot_count,
    order,
    out_cand,
):
    """Candidate conflict area of each agent ``idx[k]`` into ``out_cand[k]`` (-1: none).

    Area ``a`` is a candidate when the centres are at most ``area_reach[a] + agent_reach[i]``
    (m) apart (bounding circles touch); among candidates the closest centre wins, ties to
    the lower area index. The table comes from :func:`area_grid` with the same ``cell`` (m),
    which must be at least ``2 max(area_reach + agent_reach)``: a candidate's centre then
    lies in the 2 x 2 block of cells nearest to the agent, four O(1) lookups. Areas are
    meant to be disjoint (one junction each).
    """
    mask = len(slot_count) - 1
    for k in range(len(idx)):
        i = idx[k]
        fx = x[i] / cell
        fy = y[i] / cell
        cx = math.floor(fx)
        cy = math.floor(fy)
        nx = cx - 1 if fx - cx < 0.5 else cx + 1
        ny = cy - 1 if fy - cy < 0.5 else cy + 1
        best = -1
        best_d = INF
        for q in range(4):
            qx = cx if q < 2 else nx
            qy = cy if q % 2 == 0 else ny
            h = cell_hash(qx, qy, mask)
            while slot_count[h] > 0:
                if slot_cx[h] == qx and slot_cy[h] == qy:
                    for p in range(slot_start[h], slot_start[h] + slot_count[h]):
                        a = order[p]
                        d = math.hypot(x[i] - area_x[a], y[i] - area_y[a])
                        if d <= area_reach[a] + agent_reach[i] and (
                            d < best_d or (d == best_d and a < best)
                        ):
                            best = a
                            best_d = d
                    break
                h = (h + 1) & mask
        out_cand[k] = best


@njit(cache=True)
def in_area(x, y, h, ln, w, r, ax, ay, ah, al, aw, ar):
    """True when an agent's footprint touches or overlaps a conflict area (closed sets).

    Agent ``(x, y, h, ln, w, r)`` and area ``(ax, ay, ah, al, aw, ar)`` are discs (``r > 0``)
    or oriented boxes (length, width m), as in :func:`footprint_distance`; a circle of radius
    ``ar`` m around a junction centre is ``ar > 0``, a junction box ``ar = 0``.
    """
    return footprint_distance(x, y, h, ln, w, r, ax, ay, ah, al, aw, ar) <= 0.0


@njit(cache=True)
def pet_step(
    t,
    idx,
    cand,
    x,
    y,
    heading,
    length,
    width,
    radius,
    area_x,
    area_y,
    area_heading,
    area_length,
    area_width,
    area_radius,
    agent_area,
    area_count,
    area_exit_t,
    area_exit_agent,
    out_area,
    out_first,
    out_second,
    out_pet,
):
    """Streaming PET at conflict areas: one call per tick at time ``t`` (s).

    Agents: fleet arrays ``x, y`` (m), ``heading`` (rad), ``length``, ``width``, ``radius``
    (m); areas: ``area_x .. area_radius`` likewise (a circle of radius r around a junction
    centre: ``area_radius = r``; a junction box: ``area_radius = 0`` and its length/width).
    State, kept by the caller between ticks: ``agent_area`` (fleet, int64, -1: in no area),
    ``area_count`` (agents inside, int64, 0), ``area_exit_t`` (s, time of the last exit,
    ``-inf``) and ``area_exit_agent`` (who left last, -1). ``cand[k]`` is the area agent
    ``idx[k]`` may be entering (from :func:`area_candidates`; -1 none). Each agent is tracked
    in at most one area at a time.

    First pass, exits: an agent in an area whose footprint no longer touches it leaves at
    ``t`` (the area's last exit). Second pass, entries: an agent in no area whose footprint
    touches its candidate area enters at ``t``; when the area was empty and its last exit
    was by a different agent, a PET sample ``t - area_exit_t`` (s) is written to
    ``out_area/out_first/out_second/out_pet[n]`` (area, agent that left, agent that
    entered); the count ``n`` is returned (at most ``len(idx)``). An entry into an occupied
    area overlaps the occupant in time -- no PET (CriMe returns ``inf`` there too); of two
    agents entering an empty area in the same tick, the first in ``idx`` gets the sample.
    Allen, Shin & Cooper (1978). Entry and exit are the first samples inside and outside,
    so PET is resolved to the tick; :func:`pet_pair` with ``entry_offset = 0`` gives the
    same value offline.
    """
    for k in range(len(idx)):  # exits first, so that entry and exit order do not matter
        i = idx[k]
        a = agent_area[i]
        if a >= 0 and not in_area(
            x[i],
            y[i],
            heading[i],
            length[i],
            width[i],
            radius[i],
            area_x[a],
            area_y[a],
            area_heading[a],
            area_length[a],
            area_width[a],
            area_radius[a],
        ):
            agent_area[i] = -1
            area_count[a] -= 1
            area_exit_t[a] = t
            area_exit_agent[a] = i
    n = 0
    for k in range(len(idx)):
        i = idx[k]
        c = cand[k]
        if agent_area[i] >= 0 or c < 0:
            continue
        if in_area(
            x[i],
            y[i],
            heading[i],
            length[i],
            width[i],
            radius[i],
            area_x[c],
            area_y[c],
            area_heading[c],
            area_length[c],
            area_width[c],
            area_radius[c],
        ):
            first = area_exit_agent[c]
            if area_count[c] == 0 and first >= 0 and first != i:
                out_area[n] = c
                out_first[n] = first
                out_second[n] = i
                out_pet[n] = t - area_exit_t[c]
                n += 1
            agent_area[i] = c
            area_count[c] += 1
    return n


@njit(cache=True)
def pet_remove(agents, agent_area, area_count):
    """Forget agents that leave the run (arrived, removed) while inside an area.

    They free the area without an exit event (they did not drive out of it).
    """
    for k in range(len(agents)):
        i = agents[k]
        a = agent_area[i]
        if a >= 0:
            area_count[a] -= 1
            agent_area[i] = -1


@njit(cache=True)
def occupancy_interval(x, y, h, ln, w, r, ax, ay, ah, al, aw, ar, k0, entry_offset):
    """Entry and exit sample of one trajectory in a conflict area (offline), or -1.

    ``x, y, h`` are arrays over samples (m, rad); ``ln, w, r`` the footprint and
    ``ax .. ar`` the area, as in :func:`in_area`.
    Scanning from sample ``k0``, the entry is ``max(k - entry_offset, 0)`` for the first
    sample ``k`` touching the area and the exit the first later sample not touching it.
    ``entry_offset = 0`` takes the first sample inside (as :func:`pet_step` does);
    ``entry_offset = 1`` the last sample before it, as CommonRoad-CriMe 0.4.5's
    ``ET.get_ca_time_info`` does. Returns ``(entry, exit)``; -1 for "never".
    """
    enter = -1
    for k in range(k0, len(x)):
        inside = in_area(x[k], y[k], h[k], ln, w, r, ax, ay, ah, al, aw, ar)
        if enter < 0:
            if inside:
                enter = k - entry_offset
                if enter < 0:
                    enter = 0
        elif not inside:
            return enter, k
    return enter, -1


@njit(cache=True)
def pet_from_intervals(enter_a, exit_a, enter_b, exit_b, dt):
    """PET (s) from the entry/exit samples of two agents in one area (-1: never).

    ``(enter_b - exit_a) dt`` if A left before B entered, else ``(enter_a - exit_b) dt`` if B
    left before A entered, else ``+inf`` (they overlap in time, or one never passes).
    Allen et al. (1978). CriMe 0.4.5's ``PET.compute`` differs in one case only: it gives
    ``inf`` when A never leaves or B never enters even if B passed before A entered.
    """
    if exit_a >= 0 and enter_b >= 0 and enter_b >= exit_a:
        return (enter_b - exit_a) * dt
    if exit_b >= 0 and enter_a >= 0 and enter_a >= exit_b:
        return (enter_a - exit_b) * dt
    return INF


@njit(cache=True)
def pet_pair(
    xa,
    ya,
    ha,
    la,
    wa,
    ra,
    xb,
    yb,
    hb,
    lb,
    wb,
    rb,
    ax,
    ay,
    ah,
    al,
    aw,
    ar,
    dt,
    k0,
    entry_offset,
):
    """Offline PET (s) of two trajectories (sampled every ``dt`` s) at one conflict area.

    Trajectories ``x*, y*, h*`` (arrays, m and rad) with footprints ``l*, w*, r*`` (m); the
    area ``ax .. ar`` as in :func:`in_area`. Entry/exit samples by :func:`occupancy_interval`,
    the PET by :func:`pet_from_intervals`. Allen, Shin & Cooper (1978).
    """
    ea, xa_ = occupancy_interval(xa, ya, ha, la, wa, ra, ax, ay, ah, al, aw, ar, k0, entry_offset)
    eb, xb_ = occupancy_interval(xb, yb, hb, lb, wb, rb, ax, ay, ah, al, aw, ar, k0, entry_offset)
    return pet_from_intervals(ea, xa_, eb, xb_, dt)
