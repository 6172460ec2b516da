"""Positions along polylines (shared by the road, air and water kernels)."""

from __future__ import annotations

import math

from numba import njit

MAX_LANES = 8
"""Lane groups are keyed ``edge * MAX_LANES + lane`` (must match sim.network.arrays)."""


@njit(cache=True, inline="always")
def locate(pts_off, pts_s, e, s):
    """Index ``k`` of the segment of edge ``e`` that holds distance ``s`` (m): pts k..k+1."""
    lo = pts_off[e]
    hi = pts_off[e + 1] - 2
    if s <= pts_s[lo]:
        return lo
    if s >= pts_s[hi + 1]:
        return hi
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if pts_s[mid] <= s:
            lo = mid
        else:
            hi = mid - 1
    return lo


@njit(cache=True, inline="always")
def point_at(pts_off, pts_x, pts_y, pts_s, e, s, lateral):
    """Position (m) and heading (rad) at ``s`` m along edge ``e``.

    The position is offset ``lateral`` m to the right of the direction of travel.
    """
    k = locate(pts_off, pts_s, e, s)
    x0 = pts_x[k]
    y0 = pts_y[k]
    dx = pts_x[k + 1] - x0
    dy = pts_y[k + 1] - y0
    seg = pts_s[k + 1] - pts_s[k]
    u = 0.0
    if seg > 0.0:
        u = (s - pts_s[k]) / seg
    if u < 0.0:
        u = 0.0
    elif u > 1.0:
        u = 1.0
    norm = math.hypot(dx, dy)
    rx = 0.0
    ry = 0.0
    if norm > 0.0:
        rx = dy / norm
        ry = -dx / norm
    return x0 + u * dx + lateral * rx, y0 + u * dy + lateral * ry, math.atan2(dy, dx)


@njit(cache=True, inline="always")
def lane_offset(lanes, lane, lane_width, two_way):
    """Lateral offset (m, right of the drawn line) of a lane's centre; lane 0 is rightmost.

    A two-way line carries each direction's lanes on its right-hand side; a one-way line is
    centred on its lanes.
    """
    if two_way:
        return (lanes - lane - 0.5) * lane_width
    return ((lanes - 1) * 0.5 - lane) * lane_width


@njit(cache=True, inline="always")
def road_point(
    e,
    s,
    lane,
    pe,
    ne,
    e_len,
    e_lanes,
    e_lane_w,
    e_two_way,
    box_start,
    box_end,
    pts_off,
    pts_x,
    pts_y,
    pts_s,
):
    """Position (m) and heading (rad) of a road vehicle at ``s`` m along edge ``e``.

    On the lane line, except inside a junction box: there the vehicle moves from its lane at
    the box boundary of the edge it comes from (``pe``) to its lane at the box boundary of the
    edge it goes to (``ne``; -1 where there is none) along :func:`box_path`: the two lane lines
    to where they meet (a turn), or the straight chord (straight on).
    """
    if ne >= 0 and s > e_len[e] - box_end[e] and box_end[e] + box_start[ne] > 0.0:
        a = e_len[e] - box_end[e]
        x0, y0, h0 = point_at(
            pts_off,
            pts_x,
            pts_y,
            pts_s,
            e,
            a,
            lane_offset(e_lanes[e], lane, e_lane_w[e], e_two_way[e]),
        )
        l2 = min(lane, e_lanes[ne] - 1)
        x1, y1, h1 = point_at(
            pts_off,
            pts_x,
            pts_y,
            pts_s,
            ne,
            box_start[ne],
            lane_offset(e_lanes[ne], l2, e_lane_w[ne], e_two_way[ne]),
        )
        u = (s - a) / (box_end[e] + box_start[ne])
    elif pe >= 0 and s < box_start[e] and box_end[pe] + box_start[e] > 0.0:
        l0 = min(lane, e_lanes[pe] - 1)
        x0, y0, h0 = point_at(
            pts_off,
            pts_x,
            pts_y,
            pts_s,
            pe,
            e_len[pe] - box_end[pe],
            lane_offset(e_lanes[pe], l0, e_lane_w[pe], e_two_way[pe]),
        )
        x1, y1, h1 = point_at(
            pts_off,
            pts_x,
            pts_y,
            pts_s,
            e,
            box_start[e],
            lane_offset(e_lanes[e], lane, e_lane_w[e], e_two_way[e]),
        )
        u = (box_end[pe] + s) / (box_end[pe] + box_start[e])
    else:
        return point_at(
            pts_off,
            pts_x,
            pts_y,
            pts_s,
            e,
            s,
            lane_offset(e_lanes[e], lane, e_lane_w[e], e_two_way[e]),
        )
    return box_path(x0, y0, h0, x1, y1, h1, u)


@njit(cache=True, inline="always")
def box_corner(x0, y0, h0, x1, y1, h1):
    """Corner point (m) of the path through a junction box, and whether there is one.

    The path follows the incoming lane line (from ``(x0, y0)``, heading ``h0``) to where it
    meets the outgoing lane line (to ``(x1, y1)``, heading ``h1``), then that line, so that
    it keeps the length of the lanes it joins instead of cutting the corner. Nearly parallel
    lines, or a meeting point not ahead of the entry and behind the exit, give the chord.
    """
    c0 = math.cos(h0)
    s0 = math.sin(h0)
    c1 = math.cos(h1)
    s1 = math.sin(h1)
    den = c0 * s1 - s0 * c1
    if abs(den) < 0.2:
        return 0.0, 0.0, False
    # entry + t0 * d0 = exit - t1 * d1 (Cramer's rule); the corner must lie ahead of the
    # entry and behind the exit
    t0 = ((x1 - x0) * s1 - (y1 - y0) * c1) / den
    t1 = (c0 * (y1 - y0) - s0 * (x1 - x0)) / den
    if t0 <= 0.0 or t1 <= 0.0:
        return 0.0, 0.0, False
    return x0 + t0 * c0, y0 + t0 * s0, True


@njit(cache=True, inline="always")
def box_path(x0, y0, h0, x1, y1, h1, u):
    """Position (m) and heading (rad) at fraction ``u`` (0..1, by length) of the box path.

    A turn follows the incoming lane line, a circular arc tangent to both lane lines, then the
    outgoing lane line: the lines' corner (:func:`box_corner`) filleted with tangent length
    the shorter of its two legs, so the heading changes smoothly and the paths of neighbouring
    lanes turning together are concentric arcs a lane width apart (bodies on an L-shaped path
    swing across the corner into the next lane). Straight on: the chord.
    """
    cx, cy, corner = box_corner(x0, y0, h0, x1, y1, h1)
    if not corner:
        dx = x1 - x0
        dy = y1 - y0
        h = h0 if dx * dx + dy * dy < 1e-12 else math.atan2(dy, dx)
        return x0 + u * dx, y0 + u * dy, h
    l0 = math.hypot(cx - x0, cy - y0)
    l1 = math.hypot(x1 - cx, y1 - cy)
    ha = math.atan2(cy - y0, cx - x0)
    hb = math.atan2(y1 - cy, x1 - cx)
    turn = (hb - ha + math.pi) % (2.0 * math.pi) - math.pi
    tl = min(l0, l1)  # tangent length (m)
    r = tl / math.tan(0.5 * abs(turn))  # arc radius (m)
    arc = r * abs(turn)
    s0 = l0 - tl
    total = s0 + arc + (l1 - tl)
    d = u * total
    ca = math.cos(ha)
    sa = math.sin(ha)
    if d <= s0:
        return x0 + d * ca, y0 + d * sa, ha
    if d <= s0 + arc:
        sign = 1.0 if turn > 0.0 else -1.0
        # centre of the arc: left of the incoming line for a left turn, right for a right one
        ox = x0 + s0 * ca - sign * r * sa
        oy = y0 + s0 * sa + sign * r * ca
        h = ha + sign * (d - s0) / r
        return ox + sign * r * math.sin(h), oy - sign * r * math.cos(h), h
    bx = cx + tl * math.cos(hb)
    by = cy + tl * math.sin(hb)
    f = d - s0 - arc
    return bx + f * math.cos(hb), by + f * math.sin(hb), hb


@njit(cache=True)
def segments_cross(ax, ay, bx, by, cx, cy, dx, dy):
    """Whether segments a-b and c-d (m) cross (a proper intersection; touching does not)."""
    d1 = (bx - ax) * (cy - ay) - (by - ay) * (cx - ax)
    d2 = (bx - ax) * (dy - ay) - (by - ay) * (dx - ax)
    d3 = (dx - cx) * (ay - cy) - (dy - cy) * (ax - cx)
    d4 = (dx - cx) * (by - cy) - (dy - cy) * (bx - cx)
    ab = (d1 > 0.0 and d2 < 0.0) or (d1 < 0.0 and d2 > 0.0)
    cd = (d3 > 0.0 and d4 < 0.0) or (d3 < 0.0 and d4 > 0.0)
    return ab and cd


@njit(cache=True)
def road_footprints(
    idx,
    s,
    edge,
    lane,
    length,
    route_off,
    route_pos,
    route_len,
    routes,
    e_len,
    e_lanes,
    e_lane_w,
    e_two_way,
    box_start,
    box_end,
    pts_off,
    pts_x,
    pts_y,
    pts_s,
    out_x,
    out_y,
    out_h,
    out_l,
):
    """Centre (m), heading (rad) and length (m) of each road vehicle's body along its route.

    ``s`` is the front bumper. The body is the rectangle from the rear bumper's point on the
    route (a length back; on the edge before when the vehicle has just passed a junction) to
    the front bumper's: centre between them, heading from rear to front, so a body turning
    through a junction box cuts its corner as a real car does. Its length is the distance
    between the two points: the vehicle's length on lanes; in a box, where a movement's path
    is shorter or longer than the box's length along the route (a right turn cuts the corner),
    bodies and the gaps between them scale alike, so vehicles that keep their distance along
    the route never overlap. Outputs align with ``idx``.
    """
    for k in range(len(idx)):
        i = idx[k]
        # the front and the rear bumper's points on the route
        fx, fy, fh = route_point(i, 0.0, s, edge, lane, route_off, route_pos, route_len, routes,
                                 e_len, e_lanes, e_lane_w, e_two_way, box_start, box_end,
                                 pts_off, pts_x, pts_y, pts_s)  # fmt: skip
        rx, ry, _ = route_point(i, length[i], s, edge, lane, route_off, route_pos, route_len,
                                routes, e_len, e_lanes, e_lane_w, e_two_way, box_start, box_end,
                                pts_off, pts_x, pts_y, pts_s)  # fmt: skip
        dx = fx - rx
        dy = fy - ry
        out_x[k] = 0.5 * (fx + rx)
        out_y[k] = 0.5 * (fy + ry)
        chord = math.sqrt(dx * dx + dy * dy)
        out_h[k] = fh if chord < 1e-6 else math.atan2(dy, dx)
        out_l[k] = length[i] if chord < 1e-6 else chord


@njit(cache=True, inline="always")
def route_point(
    i,
    d,
    s,
    edge,
    lane,
    route_off,
    route_pos,
    route_len,
    routes,
    e_len,
    e_lanes,
    e_lane_w,
    e_two_way,
    box_start,
    box_end,
    pts_off,
    pts_x,
    pts_y,
    pts_s,
):
    """Point ``d`` m behind vehicle ``i``'s front along its route (one edge back at most)."""
    rp = route_pos[i]
    e = edge[i]
    back = s[i] - d
    if back < 0.0 and rp > 0:
        rp -= 1
        e = routes[route_off[i] + rp]
        back = max(0.0, e_len[e] + back)
    elif back < 0.0:
        back = 0.0
    pe = routes[route_off[i] + rp - 1] if rp > 0 else -1
    ne = routes[route_off[i] + rp + 1] if rp + 1 < route_len[i] else -1
    ln = min(lane[i], e_lanes[e] - 1)
    return road_point(
        e,
        back,
        ln,
        pe,
        ne,
        e_len,
        e_lanes,
        e_lane_w,
        e_two_way,
        box_start,
        box_end,
        pts_off,
        pts_x,
        pts_y,
        pts_s,
    )


@njit(cache=True)
def paths_cross(a, b):
    """Whether two box paths ``(x0, y0, cx, cy, x1, y1)`` (entry, corner, exit; m) cross."""
    for i in range(2):
        for j in range(2):
            if segments_cross(
                a[2 * i],
                a[2 * i + 1],
                a[2 * i + 2],
                a[2 * i + 3],
                b[2 * j],
                b[2 * j + 1],
                b[2 * j + 2],
                b[2 * j + 3],
            ):
                return True
    return False
