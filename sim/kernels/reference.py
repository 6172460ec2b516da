"""Plain-numpy twins of the kernels, used as test oracles (same signatures, same results).

They are written independently of the numba code where numpy allows it (vectorised IDM,
``np.lexsort`` lane groups, masks per flight phase) and with plain loops where the model is
sequential (MOBIL's one change per edge, route transitions). They are slow; never call them
in a run.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from sim.kernels.cacc import C_GLOSA, MODE_CACC
from sim.kernels.geometry import MAX_LANES
from sim.kernels.reference_cacc import connected_acc_ref, glosa_acc_ref

FREE_GAP = 1.0e9
F64 = npt.NDArray[np.float64]


# --- shared helpers --------------------------------------------------------------------------
def idm_acc_ref(v, v_lead, gap, v0, T, a, b, s0, delta):
    """Vectorised IDM acceleration (m/s^2); see :func:`sim.kernels.road.idm_acc`."""
    v, v_lead, gap = np.asarray(v, float), np.asarray(v_lead, float), np.asarray(gap, float)
    v0 = np.maximum(np.asarray(v0, float), 0.1)
    free = 1.0 - (v / v0) ** delta
    g = np.maximum(gap, 0.01)
    s_star = s0 + np.maximum(0.0, v * T + v * (v - v_lead) / (2.0 * np.sqrt(a * b)))
    out = a * (free - (s_star / g) ** 2)
    return np.where(gap >= FREE_GAP, a * free, out)


def _idm1(v, vl, gap, v0, T, a, b, s0, delta) -> float:
    return float(idm_acc_ref(v, vl, gap, v0, T, a, b, s0, delta))


def point_at_ref(pts_off, pts_x, pts_y, pts_s, e, s, lateral):
    """Position and heading at ``s`` along edge ``e`` (numpy searchsorted)."""
    lo, hi = int(pts_off[e]), int(pts_off[e + 1])
    ss = pts_s[lo:hi]
    k = int(np.clip(np.searchsorted(ss, s, side="right") - 1, 0, len(ss) - 2)) + lo
    dx, dy = pts_x[k + 1] - pts_x[k], pts_y[k + 1] - pts_y[k]
    seg = pts_s[k + 1] - pts_s[k]
    u = float(np.clip((s - pts_s[k]) / seg, 0.0, 1.0)) if seg > 0 else 0.0
    norm = math.hypot(dx, dy)
    rx, ry = (dy / norm, -dx / norm) if norm > 0 else (0.0, 0.0)
    return (pts_x[k] + u * dx + lateral * rx, pts_y[k] + u * dy + lateral * ry, math.atan2(dy, dx))


def lane_offset_ref(lanes, lane, lane_width, two_way) -> float:
    """Lateral offset of a lane centre (m, right of the drawn line)."""
    if two_way:
        return (lanes - lane - 0.5) * lane_width
    return ((lanes - 1) * 0.5 - lane) * lane_width


# --- road ------------------------------------------------------------------------------------
def _cross_ref(c1: tuple, c2: tuple) -> bool:
    """Proper intersection of two segments (x0, y0, x1, y1), by orientation signs."""
    (ax, ay, bx, by), (cx, cy, dx, dy) = c1, c2

    def orient(px: float, py: float, qx: float, qy: float, rx: float, ry: float) -> float:
        return (qx - px) * (ry - py) - (qy - py) * (rx - px)

    d1, d2 = orient(ax, ay, bx, by, cx, cy), orient(ax, ay, bx, by, dx, dy)
    d3, d4 = orient(cx, cy, dx, dy, ax, ay), orient(cx, cy, dx, dy, bx, by)
    return d1 * d2 < 0 and d3 * d4 < 0 and (d1 > 0) != (d2 > 0) and (d3 > 0) != (d4 > 0)


def road_point_ref(
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
    """Twin of :func:`sim.kernels.geometry.road_point`."""

    def at(edge: int, dist: float, ln: int) -> tuple[float, float, float]:
        ln = min(ln, e_lanes[edge] - 1)
        return point_at_ref(
            pts_off,
            pts_x,
            pts_y,
            pts_s,
            edge,
            dist,
            lane_offset_ref(e_lanes[edge], ln, e_lane_w[edge], e_two_way[edge]),
        )

    if ne >= 0 and s > e_len[e] - box_end[e] and box_end[e] + box_start[ne] > 0.0:
        (x0, y0, h0), (x1, y1, h1) = at(e, e_len[e] - box_end[e], lane), at(ne, box_start[ne], lane)
        u = (s - (e_len[e] - box_end[e])) / (box_end[e] + box_start[ne])
    elif pe >= 0 and s < box_start[e] and box_end[pe] + box_start[e] > 0.0:
        (x0, y0, h0), (x1, y1, h1) = (
            at(pe, e_len[pe] - box_end[pe], lane),
            at(e, box_start[e], lane),
        )
        u = (box_end[pe] + s) / (box_end[pe] + box_start[e])
    else:
        return at(e, s, lane)
    return _box_path_ref(x0, y0, h0, x1, y1, h1, u)


def _box_corner_ref(x0, y0, h0, x1, y1, h1):  # noqa: ANN202
    """Twin of :func:`sim.kernels.geometry.box_corner` (2x2 linear solve)."""
    d0 = np.array([math.cos(h0), math.sin(h0)])
    d1 = np.array([math.cos(h1), math.sin(h1)])
    den = d0[0] * d1[1] - d0[1] * d1[0]
    if abs(den) < 0.2:
        return 0.0, 0.0, False
    rx, ry = x1 - x0, y1 - y0
    t0 = (rx * d1[1] - ry * d1[0]) / den
    t1 = (d0[0] * ry - d0[1] * rx) / den  # the exit lies t1 beyond the corner
    if t0 <= 0.0 or t1 <= 0.0:
        return 0.0, 0.0, False
    return x0 + t0 * d0[0], y0 + t0 * d0[1], True


def _box_path_ref(x0, y0, h0, x1, y1, h1, u):  # noqa: ANN202
    """Twin of :func:`sim.kernels.geometry.box_path` (corner filleted by a circular arc)."""
    cx, cy, corner = _box_corner_ref(x0, y0, h0, x1, y1, h1)
    if not corner:
        dx, dy = x1 - x0, y1 - y0
        h = h0 if dx * dx + dy * dy < 1e-12 else math.atan2(dy, dx)
        return x0 + u * dx, y0 + u * dy, h
    p0, c, p1 = np.array([x0, y0]), np.array([cx, cy]), np.array([x1, y1])
    l0, l1 = float(np.linalg.norm(c - p0)), float(np.linalg.norm(p1 - c))
    d0, d1 = (c - p0) / l0, (p1 - c) / l1
    ha, hb = math.atan2(d0[1], d0[0]), math.atan2(d1[1], d1[0])
    turn = math.atan2(d0[0] * d1[1] - d0[1] * d1[0], float(d0 @ d1))
    tl = min(l0, l1)
    r = tl / math.tan(abs(turn) / 2.0)
    a = c - tl * d0  # where the arc starts
    b = c + tl * d1  # where it ends
    legs = (float(np.linalg.norm(a - p0)), r * abs(turn), float(np.linalg.norm(p1 - b)))
    d = u * sum(legs)
    if d <= legs[0]:
        q = p0 + d * d0
        return float(q[0]), float(q[1]), ha
    if d <= legs[0] + legs[1]:
        left = np.array([-d0[1], d0[0]]) * math.copysign(1.0, turn)
        centre = a + r * left
        phi = (d - legs[0]) / r * math.copysign(1.0, turn)
        rot = np.array([[math.cos(phi), -math.sin(phi)], [math.sin(phi), math.cos(phi)]])
        q = centre + rot @ (a - centre)
        return float(q[0]), float(q[1]), ha + phi
    q = b + (d - legs[0] - legs[1]) * d1
    return float(q[0]), float(q[1]), hb


def _committed_ref(d, v, box_end, stop, max_decel) -> bool:
    """Twin of :func:`sim.kernels.road.committed`."""
    return bool((d < box_end and v > 2.0) or v * v > 2.0 * max_decel * max(d - stop, 0.0))


def _rear_beyond_ref(j, e, s, length, route_pos, route_off, routes) -> float:
    """A next-edge leader's rear past the junction, as seen from edge ``e`` (see the kernel)."""
    came_from_e = route_pos[j] > 0 and routes[route_off[j] + route_pos[j] - 1] == e
    return s[j] - length[j] if came_from_e else max(s[j] - length[j], 0.0)


def road_step_ref(
    idx,
    dt,
    cfg,
    status,
    edge,
    s,
    lane,
    speed,
    accel,
    x,
    y,
    heading,
    lc_cool,
    distance,
    length,
    width,
    v0,
    T,
    a_max,
    b_comf,
    s0,
    delta,
    politeness,
    lc_threshold,
    b_safe,
    max_decel,
    replay,
    ctrl,
    t,
    ccfg,
    heard_t,
    heard_u,
    heard_v,
    heard_x,
    heard_y,
    heard_from,
    gnss_ex,
    gnss_ey,
    sensor_ok,
    plat_pos,
    cacc_u,
    cacc_h,
    cacc_mode,
    spat_t,
    spat_state,
    spat_left,
    spat_green,
    spat_from,
    route_off,
    route_len,
    route_pos,
    routes,
    e_len,
    e_limit,
    e_lanes,
    e_lane_w,
    e_two_way,
    e_from,
    e_to,
    e_stop,
    box_start,
    box_end,
    node_signalised,
    signal_state,
    pts_off,
    pts_x,
    pts_y,
    pts_s,
    group_lo,
    group_hi,
    edge_best,
    counts,
    lead_out,
    gap_out,
    arrived,
):
    """Twin of :func:`sim.kernels.road.road_step`."""
    approach, critical_gap, lc_cooldown, lc_min_dist = (float(c) for c in cfg)
    idx = np.asarray(idx)
    m = len(idx)
    keys_all = edge[idx].astype(np.int64) * MAX_LANES + lane[idx]
    order = idx[np.lexsort((s[idx], keys_all))]  # stable: ties keep the order of idx
    keys = edge[order].astype(np.int64) * MAX_LANES + lane[order]
    uk, first = np.unique(keys, return_index=True)
    last = np.r_[first[1:], m] - 1
    lo_of = dict(zip(uk.tolist(), first.tolist(), strict=True))
    hi_of = dict(zip(uk.tolist(), last.tolist(), strict=True))
    has_next = route_pos[order] + 1 < route_len[order]
    nxt = np.where(
        has_next,
        routes[route_off[order] + np.minimum(route_pos[order] + 1, route_len[order] - 1)],
        -1,
    )

    lead = np.full(m, -1)
    gap = np.full(m, FREE_GAP)
    same = np.zeros(m, dtype=bool)
    same[:-1] = keys[1:] == keys[:-1]
    lead[:-1][same[:-1]] = order[1:][same[:-1]]
    j = lead[same]
    gap[same] = s[j] - s[order[same]] - length[j]
    for p in np.nonzero(~same & has_next)[0]:
        i, ne = order[p], nxt[p]
        q = lo_of.get(int(ne) * MAX_LANES + min(int(lane[i]), int(e_lanes[ne]) - 1), -1)
        if q >= 0 and order[q] != i:
            jj = order[q]
            lead[p] = jj
            gap[p] = (
                e_len[edge[i]]
                - s[i]
                + _rear_beyond_ref(jj, edge[i], s, length, route_pos, route_off, routes)
            )

    lead_out[order] = lead
    gap_out[order] = gap

    # junctions: entities are approaching fronts (not stopping at red) and vehicles in a box
    ee = edge[order]
    reach = np.maximum(approach, speed[order] * (critical_gap + 2.0))
    yield_flag = np.zeros(m, dtype=bool)
    ents = []  # (p, node, src, dst, dst_lane, in_box, chord)
    for p in range(m):
        i = order[p]
        e = int(ee[p])
        d = e_len[e] - s[i]
        second = (
            same[p]
            and (p + 2 >= m or keys[p + 2] != keys[p])
            and e_len[e] - s[order[p + 1]] < box_end[e]
        )
        if (not same[p] or second) and has_next[p] and d <= reach[p]:
            if node_signalised[e_to[e]] and d > e_stop[e]:
                st = signal_state[e]
                if st == 2 or (st == 1 and d >= speed[i] * speed[i] / (2.0 * b_comf[i])):
                    continue
            src, dst, node, inbox = e, int(nxt[p]), int(e_to[e]), False
        elif route_pos[i] > 0 and s[i] - length[i] < box_start[e]:
            src, dst, node, inbox = (
                int(routes[route_off[i] + route_pos[i] - 1]),
                e,
                int(e_from[e]),
                True,
            )
        else:
            continue
        l_src, l_dst = min(lane[i], e_lanes[src] - 1), min(lane[i], e_lanes[dst] - 1)
        a = point_at_ref(
            pts_off,
            pts_x,
            pts_y,
            pts_s,
            src,
            e_len[src] - box_end[src],
            lane_offset_ref(e_lanes[src], l_src, e_lane_w[src], e_two_way[src]),
        )
        b = point_at_ref(
            pts_off,
            pts_x,
            pts_y,
            pts_s,
            dst,
            box_start[dst],
            lane_offset_ref(e_lanes[dst], l_dst, e_lane_w[dst], e_two_way[dst]),
        )
        cx, cy, corner = _box_corner_ref(a[0], a[1], a[2], b[0], b[1], b[2])
        turn = (b[2] - a[2] + math.pi) % (2.0 * math.pi) - math.pi
        sweep = 0.0
        arc = (0.0, 0.0, 0.0)
        if not corner:
            cx, cy = 0.5 * (a[0] + b[0]), 0.5 * (a[1] + b[1])
        else:
            legs = (math.dist((a[0], a[1]), (cx, cy)), math.dist((cx, cy), (b[0], b[1])))
            tl = min(legs)
            r = tl / math.tan(abs(turn) / 2.0)
            path = sum(legs) - 2.0 * tl + r * abs(turn)
            half = length[i] / 2.0 * path / max(box_end[src] + box_start[dst], 1e-9)
            sweep = r - math.sqrt(r * r - half * half) if half < r else r
            d0 = np.array([math.cos(a[2]), math.sin(a[2])])
            start = np.array([a[0], a[1]]) + (legs[0] - tl) * d0
            centre = start + math.copysign(r, turn) * np.array([-d0[1], d0[0]])
            arc = (float(centre[0]), float(centre[1]), r)
        ents.append(
            (
                p,
                node,
                src,
                dst,
                l_dst,
                inbox,
                (a[0], a[1], cx, cy, b[0], b[1]),
                turn,
                l_src,
                sweep,
                arc,
            )
        )
    for pu, node_u, src_u, dst_u, lane_u, box_u, cu, turn_u, from_u, sweep_u, arc_u in ents:
        if box_u:
            continue
        iu = order[pu]
        e = int(ee[pu])
        d_u = e_len[e] - s[iu]
        if _committed_ref(d_u, speed[iu], box_end[e], e_stop[e], max_decel[iu]) or (
            d_u < box_end[e] and node_signalised[e_to[e]] and signal_state[e] != 0
        ):
            continue
        eta_i = (e_len[e] - s[iu]) / max(speed[iu], 1.0)
        rank_i = e_limit[e] * 16.0 + e_lanes[e]
        for pw, node_w, src_w, dst_w, lane_w, box_w, cw, turn_w, from_w, sweep_w, arc_w in ents:
            if pw == pu or node_w != node_u or (src_w == src_u and from_w == from_u):
                continue
            same = src_w == src_u
            merge = dst_w == dst_u and lane_w == lane_u
            side = (
                same
                and not merge
                and turn_u * turn_w > 0.09
                and abs(from_u - from_w) * e_lane_w[src_u] - (width[iu] + width[order[pw]]) / 2.0
                < max(sweep_u, sweep_w)
            )
            iw = order[pw]
            f = int(ee[pw])
            inside = box_w or _committed_ref(
                e_len[f] - s[iw], speed[iw], box_end[f], e_stop[f], max_decel[iw]
            )
            lefts = (
                not same
                and turn_u > 0.5
                and turn_w > 0.5
                and arc_u[2] > 0.0
                and arc_w[2] > 0.0
                and math.dist(arc_u[:2], arc_w[:2])
                < arc_u[2] + arc_w[2] + (width[iu] + width[iw]) / 2.0
            )
            permissive = False
            if not same and not merge and not lefts and node_signalised[node_u] and not inside:
                green = signal_state[src_u] == 0 and signal_state[src_w] == 0
                if not (turn_u > 0.5 and turn_w <= 0.5 and green):
                    continue
                permissive = True
            if (
                not merge
                and not side
                and not lefts
                and not any(
                    _cross_ref(cu[2 * i : 2 * i + 4], cw[2 * j : 2 * j + 4])
                    for i in (0, 1)
                    for j in (0, 1)
                )
            ):
                continue
            if inside:
                yield_flag[pu] = True
                break
            eta_j = (e_len[f] - s[iw]) / max(speed[iw], 1.0)
            rank_j = e_limit[f] * 16.0 + e_lanes[f]
            if same or lefts:
                if eta_j < eta_i or (eta_j == eta_i and iw < iu):
                    yield_flag[pu] = True
                    break
            elif permissive:
                if eta_j < eta_i + critical_gap:
                    yield_flag[pu] = True
                    break
            elif (rank_j > rank_i and eta_j < eta_i + critical_gap) or (
                rank_j == rank_i and (eta_j < eta_i or (eta_j == eta_i and iw < iu))
            ):
                yield_flag[pu] = True
                break

    # base accelerations
    v = speed[order]
    v0e = np.minimum(v0[order], e_limit[ee])
    vl = np.where(lead >= 0, speed[np.maximum(lead, 0)], v)
    acc = idm_acc_ref(
        v, vl, gap, v0e, T[order], a_max[order], b_comf[order], s0[order], delta[order]
    )
    cols = {
        "accel": accel, "heard_t": heard_t, "heard_u": heard_u, "heard_v": heard_v,
        "heard_x": heard_x, "heard_y": heard_y, "heard_from": heard_from,
        "sensor_ok": sensor_ok, "plat_pos": plat_pos, "cacc_u": cacc_u, "cacc_h": cacc_h,
        "cacc_mode": cacc_mode,
    }  # fmt: skip
    idm = order[(ctrl[order] == 0) & (sensor_ok[order] != 0)]
    cacc_mode[idm] = -1  # IDM drivers have no controller mode (sensors back after a fault)
    for p in np.nonzero((ctrl[order] != 0) | (sensor_ok[order] == 0))[0]:
        i, jl = int(order[p]), int(lead[p])
        acc[p] = connected_acc_ref(
            i, jl, gap[p], v[p], speed[jl] if jl >= 0 else 0.0, accel[jl] if jl >= 0 else 0.0,
            length[jl] if jl >= 0 else 0.0, v0e[p], a_max[i], b_comf[i], max_decel[i],
            int(ctrl[i]), t, dt, ccfg, x[i] + gnss_ex[i], y[i] + gnss_ey[i], cols,
        )  # fmt: skip
    cap = a_max[order].astype(float).copy()
    d = e_len[ee] - s[order]
    for p in range(m):
        i = order[p]
        if has_next[p]:
            stop = bool(yield_flag[p])
            if node_signalised[e_to[ee[p]]] and d[p] > e_stop[ee[p]]:
                st = signal_state[ee[p]]
                if st == 2 or (st == 1 and d[p] >= v[p] * v[p] / (2.0 * b_comf[i])):
                    stop = True
            jj = lead[p]
            if (
                not stop
                and jj >= 0
                and edge[jj] == nxt[p]
                and d[p] > box_end[ee[p]]
                and speed[jj] < 1.0
                and s[jj] - length[jj] < box_start[nxt[p]] + length[i] + s0[i]
            ):
                stop = True
            if stop:
                cap[p] = min(
                    cap[p],
                    _idm1(
                        v[p],
                        0.0,
                        d[p] - e_stop[ee[p]],
                        v0e[p],
                        T[i],
                        a_max[i],
                        b_comf[i],
                        s0[i],
                        delta[i],
                    ),
                )
            vn = e_limit[nxt[p]]
            if v[p] > vn and (v[p] * v[p] - vn * vn) / (2.0 * b_comf[i]) + v[p] * dt >= d[p]:
                cap[p] = min(cap[p], (vn * vn - v[p] * v[p]) / (2.0 * max(d[p], 0.1)))
            e = ee[p]
            glosa = ctrl[i] and ccfg[C_GLOSA] and spat_from[i] == e and d[p] > e_stop[e]
            if glosa and node_signalised[e_to[e]]:
                err = gnss_ex[i] * math.cos(heading[i]) + gnss_ey[i] * math.sin(heading[i])
                cap[p] = min(
                    cap[p],
                    glosa_acc_ref(
                        v[p], d[p] - e_stop[e], t, spat_t[i], int(spat_state[i]), spat_left[i],
                        spat_green[i], err, ccfg,
                    ),
                )  # fmt: skip
        if status[i] == 3:
            cap[p] = min(cap[p], -b_comf[i]) if v[p] > 0.0 else min(cap[p], 0.0)
    acc = np.minimum(acc, cap)

    # MOBIL
    courtesy = np.full(m, -1)
    best_gain = np.full(m, -1.0)
    best_lane = np.full(m, -1)
    best_acc = np.zeros(m)
    for p in range(m):
        i = order[p]
        e = ee[p]
        if e_lanes[e] < 2 or lc_cool[i] > 0.0 or status[i] == 3 or replay[i] != 0:
            continue
        want = -1
        if has_next[p]:
            h0 = point_at_ref(pts_off, pts_x, pts_y, pts_s, e, e_len[e] - box_end[e], 0.0)[2]
            h1 = point_at_ref(pts_off, pts_x, pts_y, pts_s, nxt[p], box_start[nxt[p]], 0.0)[2]
            turn = (h1 - h0 + math.pi) % (2.0 * math.pi) - math.pi
            want = e_lanes[e] - 1 if turn > 0.5 else (0 if turn < -0.5 else -1)
        if ctrl[i] and want in (-1, lane[i]):
            behind = order[p - 1] if p > 0 and keys[p - 1] == keys[p] else -1
            ahead = lead[p]
            if cacc_mode[i] == MODE_CACC or (ahead >= 0 and ctrl[ahead]):
                continue
            if behind >= 0 and cacc_mode[behind] == MODE_CACC:
                continue
        d_end = e_len[e] - s[i]
        late = want >= 0 and lane[i] != want and d_end > e_stop[e] + 5.0
        if (d_end < lc_min_dist and not late) or s[i] < max(length[i], 3.0 * e_limit[e]):
            continue
        o = -1
        a_o = a_o_new = 0.0
        if p > 0 and keys[p - 1] == keys[p]:
            o = order[p - 1]
            a_o = acc[p - 1]
            g_o, vlo = FREE_GAP, speed[o]
            if lead[p] >= 0:
                g_o = gap[p] + s[i] - s[o]
                vlo = speed[lead[p]]
            a_o_new = min(
                _idm1(
                    speed[o],
                    vlo,
                    g_o,
                    min(v0[o], e_limit[e]),
                    T[o],
                    a_max[o],
                    b_comf[o],
                    s0[o],
                    delta[o],
                ),
                cap[p - 1],
            )
        for dl in (-1, 1):
            tl = lane[i] + dl
            if tl < 0 or tl >= e_lanes[e]:
                continue
            if want >= 0 and abs(tl - want) > abs(lane[i] - want):
                continue
            bonus = 10.0 if want >= 0 else 0.0
            tk = int(e) * MAX_LANES + int(tl)
            members = np.arange(lo_of[tk], hi_of[tk] + 1) if tk in lo_of else np.zeros(0, dtype=int)
            ahead = members[s[order[members]] > s[i]]
            behind = members[s[order[members]] <= s[i]]
            if bonus > 0.0 and len(behind):
                fq = int(behind[-1])
                if courtesy[fq] < 0 or s[i] < s[order[courtesy[fq]]]:
                    courtesy[fq] = p
            g_new, v_new = FREE_GAP, speed[i]
            if len(ahead):
                jj = order[ahead[0]]
                g_new, v_new = s[jj] - s[i] - length[jj], speed[jj]
            elif has_next[p]:
                ne = nxt[p]
                q = lo_of.get(int(ne) * MAX_LANES + min(int(tl), int(e_lanes[ne]) - 1), -1)
                if q >= 0:
                    jj = order[q]
                    g_new = (
                        e_len[e]
                        - s[i]
                        + _rear_beyond_ref(jj, e, s, length, route_pos, route_off, routes)
                    )
                    v_new = speed[jj]
            if g_new <= 0.0:
                continue
            a_c_new = min(
                _idm1(
                    speed[i],
                    v_new,
                    g_new,
                    min(v0[i], e_limit[e]),
                    T[i],
                    a_max[i],
                    b_comf[i],
                    s0[i],
                    delta[i],
                ),
                cap[p],
            )
            if bonus > 0.0 and a_c_new < -b_safe[i]:
                continue
            a_n = a_n_new = 0.0
            if len(behind):
                fq = behind[-1]
                f = order[fq]
                g_f = s[i] - s[f] - length[i]
                if g_f <= 0.0:
                    continue
                a_n = acc[fq]
                a_n_new = _idm1(
                    speed[f],
                    speed[i],
                    g_f,
                    min(v0[f], e_limit[e]),
                    T[f],
                    a_max[f],
                    b_comf[f],
                    s0[f],
                    delta[f],
                )
                if a_n_new < -b_safe[i]:
                    continue
            if o >= 0:
                gain = a_c_new - acc[p] + politeness[i] * (a_n_new - a_n + a_o_new - a_o)
            else:
                gain = a_c_new - acc[p] + politeness[i] * (a_n_new - a_n)
            gain += bonus - lc_threshold[i]
            if gain > 0.0 and gain > best_gain[p]:
                best_gain[p], best_lane[p], best_acc[p] = gain, tl, a_c_new
    winner: dict[int, int] = {}
    for p in range(m):
        if best_lane[p] >= 0:
            e = int(ee[p])
            if e not in winner or best_gain[p] > best_gain[winner[e]]:
                winner[e] = p
    for p in range(m):
        i = order[p]
        lc_cool[i] = max(0.0, lc_cool[i] - dt)
        if best_lane[p] >= 0 and winner.get(int(ee[p])) == p:
            lane[i] = best_lane[p]
            acc[p] = best_acc[p]
            lc_cool[i] = lc_cooldown
    for fq in range(m):
        if courtesy[fq] >= 0:
            f, q = order[fq], order[courtesy[fq]]
            g = max(s[q] - length[q] - s[f], 0.01)
            a_y = _idm1(
                speed[f],
                speed[q],
                g,
                min(v0[f], e_limit[ee[fq]]),
                T[f],
                a_max[f],
                b_comf[f],
                s0[f],
                delta[f],
            )
            acc[fq] = min(acc[fq], max(a_y, -b_comf[f]))

    # integrate
    n_arr = 0
    for p in range(m):
        i = order[p]
        if replay[i] != 0:
            continue  # posed from its recorded trajectory
        a_i = max(acc[p], -max_decel[i])
        if ctrl[i] != 0 and a_i < cacc_u[i]:
            # a signal, a junction, a hold or a lane change asks for less than the controller:
            # its command follows (anti wind-up), and the CAMs carry what is really asked for
            cacc_u[i] = a_i
        vv = speed[i]
        v_new = vv + a_i * dt
        if v_new < 0.0:
            ds = -vv * vv / (2.0 * a_i) if a_i < 0.0 else 0.0
            v_new = 0.0
        else:
            ds = vv * dt + 0.5 * a_i * dt * dt
        s[i] += ds
        distance[i] += ds
        speed[i] = v_new
        accel[i] = a_i
        e = edge[i]
        while s[i] >= (e_len[e] - box_end[e] if route_pos[i] + 1 >= route_len[i] else e_len[e]):
            if route_pos[i] + 1 >= route_len[i]:
                status[i] = 2
                arrived[n_arr] = i
                n_arr += 1
                s[i] = e_len[e] - box_end[e]
                break
            s[i] -= e_len[e]
            route_pos[i] += 1
            e = routes[route_off[i] + route_pos[i]]
            edge[i] = e
            lane[i] = min(lane[i], e_lanes[e] - 1)
            speed[i] = min(speed[i], e_limit[e])
        pe = int(routes[route_off[i] + route_pos[i] - 1]) if route_pos[i] > 0 else -1
        ne = int(routes[route_off[i] + route_pos[i] + 1]) if route_pos[i] + 1 < route_len[i] else -1
        x[i], y[i], heading[i] = road_point_ref(
            e,
            s[i],
            lane[i],
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
    return n_arr


# --- noise -----------------------------------------------------------------------------------
_MASK = (1 << 64) - 1


def _splitmix64(x: int) -> int:
    z = (x + 0x9E3779B97F4A7C15) & _MASK
    z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
    z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
    return z ^ (z >> 31)


def uniform_ref(key: int, counter: int) -> float:
    """Twin of :func:`sim.kernels.noise.uniform` with Python integers."""
    z = _splitmix64(int(key) ^ _splitmix64(int(counter)))
    return ((z >> 11) + 1) * (1.0 / 9007199254740993.0)


def normal_pair_ref(key: int, counter: int) -> tuple[float, float]:
    """Twin of :func:`sim.kernels.noise.normal_pair`."""
    u1, u2 = uniform_ref(key, 2 * counter), uniform_ref(key, 2 * counter + 1)
    r = math.sqrt(-2.0 * math.log(u1))
    return r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2)


# --- air -------------------------------------------------------------------------------------
def _band_ref(pts_off, pts_s, floor, ceiling, e, s):  # noqa: ANN202
    lo, hi = int(pts_off[e]), int(pts_off[e + 1])
    return (
        float(np.interp(s, pts_s[lo:hi], floor[lo:hi])),
        float(np.interp(s, pts_s[lo:hi], ceiling[lo:hi])),
    )


def _target_ref(z_plan: float, fl: float, ce: float) -> float:
    margin = min(5.0, 0.25 * (ce - fl))
    return min(max(z_plan, fl + margin), ce - margin)


def air_step_ref(
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
    """Twin of :func:`sim.kernels.air.air_step`."""
    wu0, wv0, g_std, g_tau, z_tau = (float(c) for c in cfg)
    phi = math.exp(-dt / g_tau)
    g_scale = g_std * math.sqrt(max(0.0, 1.0 - phi * phi))
    n_flag = 0
    for i in idx:
        held = status[i] == 3
        if g_std > 0.0:
            n1, n2 = normal_pair_ref(int(rng_key[i]), int(tick))
            gust_u[i] = phi * gust_u[i] + g_scale * n1
            gust_v[i] = phi * gust_v[i] + g_scale * n2
        wu, wv = wu0 + gust_u[i], wv0 + gust_v[i]
        e = edge[i]
        v_air = 0.0
        if phase[i] == 1:
            z_start = _target_ref(z_cruise[i], *_band_ref(pts_off, pts_s, floor, ceiling, e, 0.0))
            vz[i] = 0.0 if held else climb_rate[i]
            z[i] += vz[i] * dt
            if z[i] >= z_start:
                z[i], vz[i], phase[i] = z_start, 0.0, 2
            v_air = math.hypot(wu, wv)
        elif phase[i] == 2:
            z_t = _target_ref(z_cruise[i], *_band_ref(pts_off, pts_s, floor, ceiling, e, s[i]))
            vz[i] = min(max((z_t - z[i]) / z_tau, -descent_rate[i]), climb_rate[i])
            z[i] += vz[i] * dt
            v_cmd = 0.0 if held else min(v0[i], e_limit[e], max_speed[i])
            if route_pos[i] + 1 >= route_len[i]:
                v_cmd = min(
                    v_cmd, math.sqrt(2.0 * 0.5 * a_max[i] * max(e_len[e] - s[i], 0.0)) + 0.5
                )
            _, _, hd = point_at_ref(pts_off, pts_x, pts_y, pts_s, e, s[i], 0.0)
            tx, ty = math.cos(hd), math.sin(hd)
            w_a, w_c = wu * tx + wv * ty, -wu * ty + wv * tx
            g_des = (
                max(0.0, math.sqrt(max(v_cmd * v_cmd - w_c * w_c, 0.0)) + w_a) if v_cmd > 0 else 0.0
            )
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
                    s[i], phase[i], speed[i], accel[i] = e_len[e], 3, 0.0, 0.0
                    break
                s[i] -= e_len[e]
                route_pos[i] += 1
                e = routes[route_off[i] + route_pos[i]]
                edge[i] = e
        elif phase[i] == 3:
            vz[i] = 0.0 if held else -descent_rate[i]
            z[i] += vz[i] * dt
            v_air = math.hypot(wu, wv)
            if z[i] <= z_goal[i]:
                z[i], vz[i], phase[i], status[i] = z_goal[i], 0.0, 4, 2
                flagged[n_flag] = i
                n_flag += 1
        x[i], y[i], heading[i] = point_at_ref(pts_off, pts_x, pts_y, pts_s, e, s[i], 0.0)
        if status[i] != 2:
            ratio = (1.0 + 0.25 * (v_air / max(v0[i], 0.1)) ** 2) / 1.25
            energy[i] -= dt / endurance[i] * ratio
            if energy[i] <= 0.0:
                energy[i], status[i] = 0.0, 4
                flagged[n_flag] = i
                n_flag += 1
    return n_flag


# --- water -----------------------------------------------------------------------------------
def _project_ref(pts_off, pts_x, pts_y, pts_s, e, s_guess, px, py):  # noqa: ANN202
    lo_e, hi_e = int(pts_off[e]), int(pts_off[e + 1])
    k0 = (
        int(
            np.clip(
                np.searchsorted(pts_s[lo_e:hi_e], s_guess, side="right") - 1, 0, hi_e - lo_e - 2
            )
        )
        + lo_e
    )
    ks = np.arange(max(lo_e, k0 - 2), min(hi_e - 2, k0 + 2) + 1)
    ax, ay = pts_x[ks], pts_y[ks]
    dx, dy = pts_x[ks + 1] - ax, pts_y[ks + 1] - ay
    seg2 = dx * dx + dy * dy
    u = np.where(
        seg2 > 0,
        np.clip(((px - ax) * dx + (py - ay) * dy) / np.where(seg2 > 0, seg2, 1.0), 0.0, 1.0),
        0.0,
    )
    d2 = (px - (ax + u * dx)) ** 2 + (py - (ay + u * dy)) ** 2
    b = int(np.argmin(d2))  # first minimum, as the kernel's strict '<'
    k = ks[b]
    s_out = pts_s[k] + u[b] * (pts_s[k + 1] - pts_s[k])
    cross = dx[b] * (py - ay[b]) - dy[b] * (px - ax[b])
    return s_out, (math.sqrt(d2[b]) if cross >= 0 else -math.sqrt(d2[b]))


def water_step_ref(
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
    """Twin of :func:`sim.kernels.water.water_step`."""
    la_factor, rudder_max, wn, zeta = (float(c) for c in cfg)
    n_arr = 0
    for i in idx:
        e = edge[i]
        last = route_pos[i] + 1 >= route_len[i]
        st, te = s[i] + max(la_factor * length[i], 20.0), e
        if st > e_len[e]:
            if not last:
                te = routes[route_off[i] + route_pos[i] + 1]
                st = min(st - e_len[e], e_len[te])
            else:
                st = e_len[e]
        tx, ty, _ = point_at_ref(pts_off, pts_x, pts_y, pts_s, te, st, 0.2 * e_width[te])
        err = math.atan2(ty - y[i], tx - x[i]) - heading[i]
        err = (err + math.pi) % (2.0 * math.pi) - math.pi
        kp = wn * wn * nomoto_t[i] / nomoto_k[i]
        kd = max(0.0, (2.0 * zeta * wn * nomoto_t[i] - 1.0) / nomoto_k[i])
        rudder = min(max(kp * err - kd * yaw_rate[i], -rudder_max), rudder_max)
        yaw_rate[i] += dt * (nomoto_k[i] * rudder - yaw_rate[i]) / nomoto_t[i]
        heading[i] = (heading[i] + yaw_rate[i] * dt + math.pi) % (2.0 * math.pi) - math.pi
        v_cmd = 0.0 if status[i] == 3 else min(v0[i], e_limit[e], max_speed[i])
        rem = max(e_len[e] - s[i] - speed[i] * speed_tau[i], 0.0)
        if last:
            v_cmd = min(v_cmd, math.sqrt(2.0 * 0.5 * a_max[i] * rem))
        else:
            f_ = routes[route_off[i] + route_pos[i] + 1]
            a_, b_ = pts_off[e + 1] - 2, pts_off[f_]
            h1 = math.atan2(pts_y[a_ + 1] - pts_y[a_], pts_x[a_ + 1] - pts_x[a_])
            h2 = math.atan2(pts_y[b_ + 1] - pts_y[b_], pts_x[b_ + 1] - pts_x[b_])
            turn = abs((h2 - h1 + math.pi) % (2.0 * math.pi) - math.pi)
            if turn > 0.5:
                v_turn = nomoto_k[i] * rudder_max * 0.125 * min(e_width[e], e_width[f_])
                v_cmd = min(v_cmd, math.sqrt(v_turn * v_turn + 2.0 * 0.5 * a_max[i] * rem))
        a = min(max((v_cmd - speed[i]) / speed_tau[i], -a_max[i]), a_max[i])
        v_old = speed[i]
        speed[i] = max(0.0, v_old + a * dt)
        accel[i] = a
        step = 0.5 * (v_old + speed[i]) * dt
        x[i] += step * math.cos(heading[i])
        y[i] += step * math.sin(heading[i])
        distance[i] += step
        s[i], xte[i] = _project_ref(pts_off, pts_x, pts_y, pts_s, e, s[i] + step, x[i], y[i])
        if not last and s[i] >= e_len[e] - 0.5:
            route_pos[i] += 1
            e = routes[route_off[i] + route_pos[i]]
            edge[i] = e
            s[i], xte[i] = _project_ref(pts_off, pts_x, pts_y, pts_s, e, 0.0, x[i], y[i])
        elif last and (e_len[e] - s[i] < max(1.0, 0.5 * length[i])) and speed[i] < 0.3:
            status[i], speed[i] = 2, 0.0
            arrived[n_arr] = i
            n_arr += 1
    return n_arr


# --- fences ----------------------------------------------------------------------------------
def _in_rings_ref(px: float, py: float, ring_off, vx, vy, r0: int, r1: int) -> bool:
    """Even-odd rule, vectorised over each ring's edges."""
    crossings = 0
    for r in range(r0, r1):
        a, b = int(ring_off[r]), int(ring_off[r + 1])
        xi, yi = vx[a:b], vy[a:b]
        xj, yj = np.roll(xi, 1), np.roll(yi, 1)
        straddle = (yi > py) != (yj > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            xc = xi + (py - yi) * (xj - xi) / (yj - yi)
        crossings += int(np.count_nonzero(straddle & (px < xc)))
    return crossings % 2 == 1


def fence_step_ref(
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
    """Twin of :func:`sim.kernels.fences.fence_step`."""
    n_ev = 0

    def emit(i: int, zn: int, t: int) -> None:
        nonlocal n_ev
        ev_agent[n_ev], ev_zone[n_ev], ev_type[n_ev] = i, zn, t
        n_ev += 1

    for i in idx:
        bit = 1 << int(kind[i])
        now: list[int] = []
        gx = int(np.floor((x[i] - grid_x0) / cell))
        gy = int(np.floor((y[i] - grid_y0) / cell))
        if 0 <= gx < nx and 0 <= gy < ny:
            c = gy * nx + gx
            for v in cell_items[cell_off[c] : cell_off[c + 1]]:
                zn = int(vol_zone[v])
                if (
                    not zone_active[zn]
                    or not (int(zone_kinds[zn]) & bit)
                    or zn in now
                    or len(now) >= 16
                ):
                    continue
                if z[i] < floor[v] or z[i] > ceiling[v]:
                    continue
                if vol_circle[v]:
                    hit = math.hypot(x[i] - cx[v], y[i] - cy[v]) <= radius[v]
                else:
                    hit = _in_rings_ref(
                        x[i], y[i], ring_off, vx, vy, int(ring_start[v]), int(ring_end[v])
                    )
                if hit:
                    now.append(zn)
        old = [int(q) for q in inside[i, : n_inside[i]]]
        for zn in old:
            if zn not in now:
                emit(i, zn, 2)
        for zn in now:
            if zn not in old:
                emit(i, zn, 1)
        limits = [(zone_max_speed[zn], u, zn) for u, zn in enumerate(now)]
        worst = min(limits)[2] if limits and min(limits)[0] < np.inf else -1
        if worst >= 0 and speed[i] > zone_max_speed[worst] + 1e-6:
            if speeding[i] != worst:
                speeding[i] = worst
                emit(i, worst, 3)
        else:
            speeding[i] = -1
        inside[i, : len(now)] = now
        n_inside[i] = len(now)
    return n_ev


def road_footprints_ref(
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
    """Twin of :func:`sim.kernels.geometry.road_footprints`."""

    def along(i: int, d: float) -> tuple[float, float, float]:
        rp, e = int(route_pos[i]), int(edge[i])
        back = s[i] - d
        if back < 0.0 and rp > 0:
            rp -= 1
            e = int(routes[route_off[i] + rp])
            back = max(0.0, e_len[e] + back)
        back = max(back, 0.0)
        pe = int(routes[route_off[i] + rp - 1]) if rp > 0 else -1
        ne = int(routes[route_off[i] + rp + 1]) if rp + 1 < route_len[i] else -1
        return road_point_ref(
            e,
            back,
            min(lane[i], e_lanes[e] - 1),
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

    for k, i in enumerate(idx):
        fx, fy, fh = along(i, 0.0)
        rx, ry, _ = along(i, float(length[i]))
        dx, dy = fx - rx, fy - ry
        out_x[k], out_y[k] = 0.5 * (fx + rx), 0.5 * (fy + ry)
        chord = math.hypot(dx, dy)
        out_h[k] = fh if chord < 1e-6 else math.atan2(dy, dx)
        out_l[k] = length[i] if chord < 1e-6 else chord
