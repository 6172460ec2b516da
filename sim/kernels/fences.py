"""Fence monitor: every agent against every active zone in 4-D, through a grid index.

A point is inside a volume when it is inside the outline (circle: distance <= radius; rings:
the even-odd crossing rule over the outer rings and holes; a point exactly on an edge may fall
either way) and ``floor <= z <= ceiling`` (m AMSL). Zone activity (the
schedule, or a platform's close/open override) comes in as a flag per zone; the kinds mask
selects which vehicle kinds a zone's rules apply to (fleet kind ``k`` has bit ``1 << k``).
Each agent keeps the list of zones it is inside (``inside``, at most ``MAX_INSIDE``); the kernel
reports changes as enter/exit events, and rising edges of speeding inside a zone.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

MAX_INSIDE = 16
EV_ENTER = 1
EV_EXIT = 2
EV_SPEEDING = 3


@njit(cache=True)
def in_rings(px, py, ring_off, vx, vy, r0, r1):
    """Even-odd point-in-polygon over rings ``r0 .. r1-1`` (outer rings and holes)."""
    inside = False
    for r in range(r0, r1):
        a = ring_off[r]
        b = ring_off[r + 1]
        j = b - 1
        for i in range(a, b):
            xi = vx[i]
            yi = vy[i]
            xj = vx[j]
            yj = vy[j]
            if (yi > py) != (yj > py):
                xc = xi + (py - yi) * (xj - xi) / (yj - yi)
                if px < xc:
                    inside = not inside
            j = i
    return inside


@njit(cache=True)
def in_outline(px, py, v, vol_circle, cx, cy, radius, ring_start, ring_end, ring_off, vx, vy):
    """Whether (px, py) (m) is inside the horizontal outline of volume ``v`` (any altitude)."""
    if vol_circle[v]:
        return math.hypot(px - cx[v], py - cy[v]) <= radius[v]
    return in_rings(px, py, ring_off, vx, vy, ring_start[v], ring_end[v])


@njit(cache=True)
def inside_volume(
    v,
    px,
    py,
    pz,
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
):
    """Whether point (px, py, pz) (m, m, m AMSL) is inside volume ``v``."""
    if pz < floor[v] or pz > ceiling[v]:
        return False
    return in_outline(px, py, v, vol_circle, cx, cy, radius, ring_start, ring_end, ring_off, vx, vy)


@njit(cache=True)
def fence_step(
    idx,
    kind,
    x,
    y,
    z,
    speed,
    zone_active,
    zone_kinds,
    zone_max_speed,
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
    grid_x0,
    grid_y0,
    cell,
    nx,
    ny,
    cell_off,
    cell_items,
    inside,
    n_inside,
    speeding,
    ev_agent,
    ev_zone,
    ev_type,
):
    """Update each agent's zone list; write enter/exit/speeding events; return their count.

    ``inside`` is (n_agents, MAX_INSIDE) int32 of zone numbers, ``n_inside`` their counts, and
    ``speeding`` (n_agents) int32 the zone an agent was last flagged speeding in (-1 none).
    The event buffers must hold ``2 * MAX_INSIDE + 1`` events per agent of ``idx``.
    """
    n_ev = 0
    now = np.empty(MAX_INSIDE, dtype=np.int32)
    for k in range(len(idx)):
        i = idx[k]
        bit = 1 << kind[i]
        m = 0
        gx = math.floor((x[i] - grid_x0) / cell)
        gy = math.floor((y[i] - grid_y0) / cell)
        if 0 <= gx < nx and 0 <= gy < ny:
            c = gy * nx + gx
            for q in range(cell_off[c], cell_off[c + 1]):
                v = cell_items[q]
                zn = vol_zone[v]
                if not zone_active[zn] or (zone_kinds[zn] & bit) == 0:
                    continue
                dup = False
                for t in range(m):
                    if now[t] == zn:
                        dup = True
                        break
                if dup or m >= MAX_INSIDE:
                    continue
                if inside_volume(
                    v,
                    x[i],
                    y[i],
                    z[i],
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
                ):
                    now[m] = zn
                    m += 1
        # exits: zones in the old list not in the new one
        for t in range(n_inside[i]):
            zn = inside[i, t]
            found = False
            for u in range(m):
                if now[u] == zn:
                    found = True
                    break
            if not found:
                ev_agent[n_ev] = i
                ev_zone[n_ev] = zn
                ev_type[n_ev] = EV_EXIT
                n_ev += 1
        # entries
        for u in range(m):
            zn = now[u]
            found = False
            for t in range(n_inside[i]):
                if inside[i, t] == zn:
                    found = True
                    break
            if not found:
                ev_agent[n_ev] = i
                ev_zone[n_ev] = zn
                ev_type[n_ev] = EV_ENTER
                n_ev += 1
        # speeding: the strictest limit among the zones the agent is in
        worst = -1
        limit = np.inf
        for u in range(m):
            if zone_max_speed[now[u]] < limit:
                limit = zone_max_speed[now[u]]
                worst = now[u]
        if worst >= 0 and speed[i] > limit + 1e-6:
            if speeding[i] != worst:
                speeding[i] = worst
                ev_agent[n_ev] = i
                ev_zone[n_ev] = worst
                ev_type[n_ev] = EV_SPEEDING
                n_ev += 1
        else:
            speeding[i] = -1
        for u in range(m):
            inside[i, u] = now[u]
        n_inside[i] = m
    return n_ev
