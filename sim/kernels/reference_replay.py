"""Plain-numpy twin of :func:`sim.kernels.replay.replay_step` (vectorised over the agents)."""

from __future__ import annotations

import numpy as np


def replay_step_ref(
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
    """Twin of :func:`sim.kernels.replay.replay_step`."""
    idx = np.asarray(idx, dtype=np.int64)
    n = r_len[idx].astype(np.int64)
    u = (t - r_t0[idx]) / r_dt[idx]
    done = u > n - 1 + 1e-9
    ended = idx[done]
    status[ended] = 2
    arrived[: len(ended)] = ended
    go, u, n = idx[~done], np.maximum(u[~done], 0.0), n[~done]
    j = np.clip(np.floor(u).astype(np.int64), 0, np.maximum(n - 2, 0))
    w = np.where(n == 1, 0.0, u - j)
    o = r_off[go].astype(np.int64) + j
    o1 = np.where(n > 1, o + 1, o)
    px = rx[o] + w * (rx[o1] - rx[o])
    py = ry[o] + w * (ry[o1] - ry[o])
    dh = (rh[o1] - rh[o] + np.pi) % (2.0 * np.pi) - np.pi
    pv = rv[o] + w * (rv[o1] - rv[o])
    near = np.where(w < 0.5, o, o1)
    ps = np.where(rpos[o] == rpos[o1], rs[o] + w * (rs[o1] - rs[o]), rs[near])
    distance[go] += np.hypot(px - x[go], py - y[go])
    accel[go] = (pv - speed[go]) / dt
    x[go], y[go], heading[go], speed[go] = px, py, rh[o] + w * dh, pv
    route_pos[go] = rpos[near]
    edge[go] = routes[route_off[go] + rpos[near]]
    s[go] = ps
    lane[go] = rlane[near]
    return len(ended)
