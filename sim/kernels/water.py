"""Water kernel: unmanned ships along waterway centrelines.

Speed: first-order response ``dv/dt = (v_cmd - v) / tau`` limited to ``a_max``; ships slow
down to stop at the end of their route. Heading: Nomoto's first-order model
``T dr/dt + r = K delta`` (Nomoto et al. 1957) with the rudder ``delta`` (limited to
``rudder_max``) from a PD law on the error to a look-ahead point on their track (look-ahead
distance ``max(lookahead_factor * length, 20 m)``); the PD gains place the closed-loop heading
poles at natural frequency ``omega_n`` with damping ``zeta``: ``Kp = omega_n^2 T / K``,
``Kd = (2 zeta omega_n T - 1) / K``. The track keeps to the starboard side of the fairway
(``KEEP_RIGHT`` of its width right of the centreline; COLREG rule 9), so opposite traffic
passes port to port. Progress ``s`` and the cross-track error (m, left of the centreline
positive) come from projecting the position on the current edge. Before a corner sharper than
``CORNER_MIN`` rad between two edges (a U-turn is pi) ships slow to ``K rudder_max W / 8``,
the speed whose tightest turn has a radius of an eighth of the narrower waterway's width
``W``, decelerating at half their acceleration limit and starting early by the distance the
speed lag covers (``v tau``).
"""

from __future__ import annotations

import math

from numba import njit

from sim.kernels.geometry import locate, point_at

KEEP_RIGHT = 0.2
"""Ships steer for a track this fraction of the waterway's width to the right of its
centreline (starboard side of the fairway), so opposite traffic passes port to port."""
CORNER_MIN = 0.5
"""Heading change (rad) between consecutive edges above which ships slow down for the turn."""


@njit(cache=True)
def project(pts_off, pts_x, pts_y, pts_s, e, s_guess, px, py):
    """Distance along edge ``e`` (m) and signed offset (m, left positive) of (px, py).

    Only the segments near ``s_guess`` (m) are searched.
    """
    k0 = locate(pts_off, pts_s, e, s_guess)
    lo = max(pts_off[e], k0 - 2)
    hi = min(pts_off[e + 1] - 2, k0 + 2)
    best_d2 = 1.0e300
    best_s = s_guess
    best_off = 0.0
    for k in range(lo, hi + 1):
        ax = pts_x[k]
        ay = pts_y[k]
        dx = pts_x[k + 1] - ax
        dy = pts_y[k + 1] - ay
        seg2 = dx * dx + dy * dy
        u = 0.0
        if seg2 > 0.0:
            u = min(1.0, max(0.0, ((px - ax) * dx + (py - ay) * dy) / seg2))
        cx = ax + u * dx
        cy = ay + u * dy
        d2 = (px - cx) ** 2 + (py - cy) ** 2
        if d2 < best_d2:
            best_d2 = d2
            best_s = pts_s[k] + u * (pts_s[k + 1] - pts_s[k])
            cross = dx * (py - ay) - dy * (px - ax)
            best_off = math.sqrt(d2) if cross >= 0.0 else -math.sqrt(d2)
    return best_s, best_off


@njit(cache=True)
def corner_angle(pts_off, pts_x, pts_y, e, f):
    """Absolute heading change (rad) from the end of edge ``e`` to the start of edge ``f``."""
    a = pts_off[e + 1] - 2
    b = pts_off[f]
    h1 = math.atan2(pts_y[a + 1] - pts_y[a], pts_x[a + 1] - pts_x[a])
    h2 = math.atan2(pts_y[b + 1] - pts_y[b], pts_x[b + 1] - pts_x[b])
    return abs((h2 - h1 + math.pi) % (2.0 * math.pi) - math.pi)


@njit(cache=True)
def water_step(
    idx,
    dt,
    cfg,
    status,
    edge,
    s,
    speed,
    accel,
    x,
    y,
    heading,
    yaw_rate,
    xte,
    distance,
    v0,
    max_speed,
    a_max,
    speed_tau,
    nomoto_k,
    nomoto_t,
    length,
    route_off,
    route_len,
    route_pos,
    routes,
    e_len,
    e_limit,
    e_width,
    pts_off,
    pts_x,
    pts_y,
    pts_s,
    arrived,
):
    """Advance the ships ``idx`` (ACTIVE=1 or HELD=3) by one tick of ``dt`` s.

    ``cfg`` = [look-ahead factor, rudder limit rad, omega_n rad/s, zeta]. Ships that reach
    the end of their route get status 2 and are written to ``arrived``; returns the count.
    """
    la_factor = cfg[0]
    rudder_max = cfg[1]
    wn = cfg[2]
    zeta = cfg[3]
    n_arr = 0
    for k in range(len(idx)):
        i = idx[k]
        e = edge[i]
        last = route_pos[i] + 1 >= route_len[i]
        # guidance: aim at a point ahead on the centreline (across into the next edge)
        la = max(la_factor * length[i], 20.0)
        st = s[i] + la
        te = e
        if st > e_len[e]:
            if not last:
                st -= e_len[e]
                te = routes[route_off[i] + route_pos[i] + 1]
                st = min(st, e_len[te])
            else:
                st = e_len[e]
        tx, ty, _ = point_at(pts_off, pts_x, pts_y, pts_s, te, st, KEEP_RIGHT * e_width[te])
        err = math.atan2(ty - y[i], tx - x[i]) - heading[i]
        err = (err + math.pi) % (2.0 * math.pi) - math.pi
        kp = wn * wn * nomoto_t[i] / nomoto_k[i]
        kd = max(0.0, (2.0 * zeta * wn * nomoto_t[i] - 1.0) / nomoto_k[i])
        rudder = min(max(kp * err - kd * yaw_rate[i], -rudder_max), rudder_max)
        yaw_rate[i] += dt * (nomoto_k[i] * rudder - yaw_rate[i]) / nomoto_t[i]
        heading[i] += yaw_rate[i] * dt
        heading[i] = (heading[i] + math.pi) % (2.0 * math.pi) - math.pi
        # speed
        v_cmd = 0.0 if status[i] == 3 else min(v0[i], e_limit[e], max_speed[i])
        # distance left, less what the first-order speed lag will still cover
        rem = max(e_len[e] - s[i] - speed[i] * speed_tau[i], 0.0)
        if last:
            v_cmd = min(v_cmd, math.sqrt(2.0 * 0.5 * a_max[i] * rem))
        else:
            nx = routes[route_off[i] + route_pos[i] + 1]
            turn = corner_angle(pts_off, pts_x, pts_y, e, nx)
            if turn > CORNER_MIN:
                v_turn = nomoto_k[i] * rudder_max * 0.125 * min(e_width[e], e_width[nx])
                v_cmd = min(v_cmd, math.sqrt(v_turn * v_turn + 2.0 * 0.5 * a_max[i] * rem))
        a = min(max((v_cmd - speed[i]) / speed_tau[i], -a_max[i]), a_max[i])
        v_old = speed[i]
        speed[i] = max(0.0, v_old + a * dt)
        accel[i] = a
        step = 0.5 * (v_old + speed[i]) * dt
        x[i] += step * math.cos(heading[i])
        y[i] += step * math.sin(heading[i])
        distance[i] += step
        # progress along the centreline
        s_new, off = project(pts_off, pts_x, pts_y, pts_s, e, s[i] + step, x[i], y[i])
        s[i] = s_new
        xte[i] = off
        if not last and s[i] >= e_len[e] - 0.5:
            route_pos[i] += 1
            e = routes[route_off[i] + route_pos[i]]
            edge[i] = e
            s_new, off = project(pts_off, pts_x, pts_y, pts_s, e, 0.0, x[i], y[i])
            s[i] = s_new
            xte[i] = off
        elif last and (e_len[e] - s[i] < max(1.0, 0.5 * length[i])) and speed[i] < 0.3:
            status[i] = 2
            speed[i] = 0.0
            arrived[n_arr] = i
            n_arr += 1
    return n_arr
