"""Air kernel: UAVs as point masses along corridor polylines.

Phases: vertical take-off at the launch vertiport to the cruise altitude, cruise along the
route's corridors at the planned altitude clipped into each corridor's band (vertical speed
limited by the climb and descent rates, first-order altitude hold), vertical landing at the
destination vertiport. The along-track ground speed follows the commanded airspeed with the
wind: ``g = sqrt(V^2 - w_c^2) + w_a`` (crabbing to stay on the track; ``w_a``/``w_c`` the
along/cross-track wind), changed at most by the acceleration limit. Gusts are a first-order
Gauss-Markov process per agent (exact discretisation), driven by counter-based noise.
Battery: the remaining fraction falls at ``1/endurance`` per second at cruise airspeed,
scaled by ``(1 + c (V_air/V_cruise)^2) / (1 + c)`` with ``c = 0.25`` (hover costs 80 % of
cruise power, a simple documented model). Empty battery: the agent is flagged FAILED.
"""

from __future__ import annotations

import math

from numba import njit

from sim.kernels.geometry import locate, point_at
from sim.kernels.noise import normal_pair

PH_TAKEOFF = 1
PH_CRUISE = 2
PH_LANDING = 3
PH_DONE = 4
POWER_C = 0.25


@njit(cache=True)
def band_at(pts_off, pts_s, floor, ceiling, e, s):
    """Corridor floor and ceiling (m AMSL) at distance ``s`` along edge ``e`` (interpolated)."""
    k = locate(pts_off, pts_s, e, s)
    seg = pts_s[k + 1] - pts_s[k]
    u = 0.0
    if seg > 0.0:
        u = min(1.0, max(0.0, (s - pts_s[k]) / seg))
    return floor[k] + u * (floor[k + 1] - floor[k]), ceiling[k] + u * (ceiling[k + 1] - ceiling[k])


@njit(cache=True)
def target_altitude(z_plan, fl, ce):
    """The planned altitude clipped into a band with a margin of min(5 m, a quarter band)."""
    margin = min(5.0, 0.25 * (ce - fl))
    return min(max(z_plan, fl + margin), ce - margin)


@njit(cache=True)
def air_step(
    idx,
    dt,
    tick,
    cfg,
    status,
    phase,
    edge,
    s,
    speed,
    vz,
    accel,
    x,
    y,
    z,
    heading,
    distance,
    energy,
    endurance,
    v0,
    max_speed,
    a_max,
    climb_rate,
    descent_rate,
    z_cruise,
    z_goal,
    gust_u,
    gust_v,
    rng_key,
    route_off,
    route_len,
    route_pos,
    routes,
    e_len,
    e_limit,
    pts_off,
    pts_x,
    pts_y,
    pts_s,
    floor,
    ceiling,
    flagged,
):
    """Advance the UAVs ``idx`` (ACTIVE=1 or HELD=3) by one tick.

    ``cfg`` = [mean wind east m/s, mean wind north m/s, gust std m/s, gust tau s, altitude
    time constant s]. Agents that land (status 2) or run out of battery (status 4) are
    written to ``flagged``; the count is returned.
    """
    wu0 = cfg[0]
    wv0 = cfg[1]
    g_std = cfg[2]
    g_tau = cfg[3]
    z_tau = cfg[4]
    phi = math.exp(-dt / g_tau)
    g_scale = g_std * math.sqrt(max(0.0, 1.0 - phi * phi))
    n_flag = 0
    for k in range(len(idx)):
        i = idx[k]
        held = status[i] == 3
        if g_std > 0.0:
            n1, n2 = normal_pair(rng_key[i], tick)
            gust_u[i] = phi * gust_u[i] + g_scale * n1
            gust_v[i] = phi * gust_v[i] + g_scale * n2
        wu = wu0 + gust_u[i]
        wv = wv0 + gust_v[i]
        e = edge[i]
        ph = phase[i]
        v_air = 0.0
        if ph == PH_TAKEOFF:
            fl, ce = band_at(pts_off, pts_s, floor, ceiling, e, 0.0)
            z_start = target_altitude(z_cruise[i], fl, ce)
            vz[i] = 0.0 if held else climb_rate[i]
            z[i] += vz[i] * dt
            if z[i] >= z_start:
                z[i] = z_start
                vz[i] = 0.0
                phase[i] = PH_CRUISE
            v_air = math.hypot(wu, wv)
        elif ph == PH_CRUISE:
            fl, ce = band_at(pts_off, pts_s, floor, ceiling, e, s[i])
            z_t = target_altitude(z_cruise[i], fl, ce)
            vz[i] = min(max((z_t - z[i]) / z_tau, -descent_rate[i]), climb_rate[i])
            z[i] += vz[i] * dt
            v_cmd = 0.0 if held else min(v0[i], e_limit[e], max_speed[i])
            if route_pos[i] + 1 >= route_len[i]:
                rem = e_len[e] - s[i]
                v_cmd = min(v_cmd, math.sqrt(2.0 * 0.5 * a_max[i] * max(rem, 0.0)) + 0.5)
            kk = locate(pts_off, pts_s, e, s[i])
            tx = pts_x[kk + 1] - pts_x[kk]
            ty = pts_y[kk + 1] - pts_y[kk]
            tn = math.hypot(tx, ty)
            if tn > 0.0:
                tx /= tn
                ty /= tn
            w_a = wu * tx + wv * ty
            w_c = -wu * ty + wv * tx
            g_des = 0.0
            if v_cmd > 0.0:
                g_des = max(0.0, math.sqrt(max(v_cmd * v_cmd - w_c * w_c, 0.0)) + w_a)
            a = min(max((g_des - speed[i]) / dt, -a_max[i]), a_max[i])
            v_old = speed[i]
            speed[i] = max(0.0, v_old + a * dt)
            accel[i] = a
            ds = 0.5 * (v_old + speed[i]) * dt
            s[i] += ds
            distance[i] += ds
            v_air = math.hypot(speed[i] * tx - wu, speed[i] * ty - wv)
            while s[i] >= e_len[e]:
                if route_pos[i] + 1 >= route_len[i]:
                    s[i] = e_len[e]
                    phase[i] = PH_LANDING
                    speed[i] = 0.0
                    accel[i] = 0.0
                    break
                s[i] -= e_len[e]
                route_pos[i] += 1
                e = routes[route_off[i] + route_pos[i]]
                edge[i] = e
        elif ph == PH_LANDING:
            vz[i] = 0.0 if held else -descent_rate[i]
            z[i] += vz[i] * dt
            v_air = math.hypot(wu, wv)
            if z[i] <= z_goal[i]:
                z[i] = z_goal[i]
                vz[i] = 0.0
                phase[i] = PH_DONE
                status[i] = 2
                flagged[n_flag] = i
                n_flag += 1
        px, py, hd = point_at(pts_off, pts_x, pts_y, pts_s, e, s[i], 0.0)
        x[i] = px
        y[i] = py
        heading[i] = hd
        if status[i] != 2:
            ratio = (1.0 + POWER_C * (v_air / max(v0[i], 0.1)) ** 2) / (1.0 + POWER_C)
            energy[i] -= dt / endurance[i] * ratio
            if energy[i] <= 0.0:
                energy[i] = 0.0
                status[i] = 4
                flagged[n_flag] = i
                n_flag += 1
    return n_flag
