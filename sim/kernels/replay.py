"""Replay kernel: road agents posed from recorded trajectories (CommonRoad, NGSIM ...).

A recorded agent is not driven: every tick its pose is read from its trajectory, sampled
every ``r_dt`` s from ``r_t0`` s, by linear interpolation between the two states around the
tick's end time (heading along the shorter arc). Its place on the road network (route
position, ``s`` of the front bumper along the edge, lane), matched once when it spawns (see
:mod:`sim.engine.replay`), is taken from the nearer of the two states (``s`` interpolated
when both lie on one edge), so driven vehicles see it as a leader and the junction logic as
an entity. When the trajectory ends the agent arrives (status 2).
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def replay_step(
    idx,
    t,
    dt,
    status,
    x,
    y,
    heading,
    speed,
    accel,
    edge,
    s,
    lane,
    route_pos,
    distance,
    route_off,
    routes,
    r_off,
    r_len,
    r_t0,
    r_dt,
    rx,
    ry,
    rh,
    rv,
    rpos,
    rs,
    rlane,
    arrived,
):
    """Pose the recorded agents ``idx`` at time ``t`` (s, the end of a tick of ``dt`` s).

    Per agent ``i``: its states are ``r_off[i] .. r_off[i] + r_len[i] - 1`` of the flat store
    (``rx``, ``ry`` m; ``rh`` rad; ``rv`` m/s; ``rpos`` route position, ``rs`` m, ``rlane``),
    the first at ``r_t0[i]`` s, then every ``r_dt[i]`` s. ``accel`` becomes the speed change
    over the tick (m/s^2), ``distance`` grows by the displacement (m). An agent whose
    trajectory has ended gets status 2 and is written to ``arrived``; the count is returned.
    """
    n_arr = 0
    for k in range(len(idx)):
        i = idx[k]
        n = r_len[i]
        u = (t - r_t0[i]) / r_dt[i]
        if u > n - 1 + 1e-9:
            status[i] = 2
            arrived[n_arr] = i
            n_arr += 1
            continue
        if u < 0.0:
            u = 0.0
        j = math.floor(u)
        if j > n - 2:
            j = n - 2
        if j < 0:
            j = 0
        w = u - j
        if n == 1:
            w = 0.0
        o = r_off[i] + j
        o1 = o + 1 if n > 1 else o
        px = rx[o] + w * (rx[o1] - rx[o])
        py = ry[o] + w * (ry[o1] - ry[o])
        dh = (rh[o1] - rh[o] + math.pi) % (2.0 * math.pi) - math.pi
        pv = rv[o] + w * (rv[o1] - rv[o])
        near = o if w < 0.5 else o1
        pos = rpos[near]
        ps = rs[near]
        if rpos[o] == rpos[o1]:
            ps = rs[o] + w * (rs[o1] - rs[o])
        distance[i] += math.hypot(px - x[i], py - y[i])
        accel[i] = (pv - speed[i]) / dt
        x[i] = px
        y[i] = py
        heading[i] = rh[o] + w * dh
        speed[i] = pv
        route_pos[i] = pos
        edge[i] = routes[route_off[i] + pos]
        s[i] = ps
        lane[i] = rlane[near]
    return n_arr
