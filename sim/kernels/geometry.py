"""Positions along polylines (shared by the road, air and water kernels)."""

from __future__ import annotations

import math

from numba import njit

MAX_LANES = 8
"""Lane groups are keyed ``edge * MAX_LANES + lane`` (must match sim.network.arrays)."""


@njit(cache=True)
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


@njit(cache=True)
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


@njit(cache=True)
def lane_offset(lanes, lane, lane_width, two_way):
    """Lateral offset (m, right of the drawn line) of a lane's centre; lane 0 is rightmost.

    A two-way line carries each direction's lanes on its right-hand side; a one-way line is
    centred on its lanes.
    """
    if two_way:
        return (lanes - lane - 0.5) * lane_width
    return ((lanes - 1) * 0.5 - lane) * lane_width
