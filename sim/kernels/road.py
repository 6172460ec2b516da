"""Road kernel: IDM car following, MOBIL lane changes, signals and junctions, route following.

Models:
- Car following: Intelligent Driver Model (Treiber, Hennecke & Helbing 2000,
  Phys. Rev. E 62, 1805): ``a = a_max [1 - (v/v0)^delta - (s*/gap)^2]`` with
  ``s* = s0 + max(0, v T + v dv / (2 sqrt(a_max b)))``.
- Lane changes: MOBIL (Kesting, Treiber & Helbing 2007, Transp. Res. Rec. 1999):
  change if ``a'_c - a_c + p (a'_n - a_n + a'_o - a_o) > threshold`` and ``a'_n >= -b_safe``;
  at most one change per edge and tick (the largest incentive), then a cool-down; none close
  to an edge's end, nor within the distance its limit covers in 3 s after its start (where
  the new follower may still be on the edge before).
- Signals: at red, and at yellow when the stop is comfortable (``d >= v^2 / 2b``), the stop
  line is a standing obstacle ``e_stop`` m before the edge end (clear of the junction box).
- Junctions have no inner geometry: a vehicle that has just passed into the next edge from
  another approach keeps its rear on that approach, so followers see it at the junction point
  at the nearest (:func:`rear_beyond`).
- Junctions: inside a junction box a vehicle follows its lane line to where it meets the
  lane line it turns into (straight on: the chord), see ``road_point``. A front vehicle within
  ``approach`` m (or what it covers in ``critical_gap + 2`` s, if more) of a junction, and not
  stopping at a red signal, yields to other movements through that box that merge into its
  target lane and, at unsignalised junctions, also to those whose paths cross its own: always
  to a vehicle still inside the box; to one on a higher-priority edge (higher speed limit, then
  more lanes) expected less than ``critical_gap`` s after it; between equal priorities to an
  earlier expected arrival (first come, first served; ties by index). Once inside the box a
  vehicle no longer yields. At signalised junctions the signal plan separates crossing streams,
  except that a vehicle still clearing the box holds back the stream that just got green, and a
  left turn (heading change over ``LEFT_TURN``) gives way to an opposing straight or
  right-turning vehicle expected less than ``critical_gap`` s after it (permissive turn).
- Speed limits: ``v0`` is capped by the edge limit; a lower limit on the next edge is
  anticipated with the constant deceleration that reaches it at the edge end, and speed is
  clipped to the limit on entering an edge.
- Integration: ballistic update (Treiber & Kanagaraj 2015), exact stop within a tick.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.kernels.geometry import (
    MAX_LANES,
    box_corner,
    lane_offset,
    paths_cross,
    point_at,
    road_point,
)

LEFT_TURN = 0.5
"""Heading change (rad, counter-clockwise) above which a movement is a left turn, which under
a shared green gives way to the opposing straight and right-turning stream."""
FREE_GAP = 1.0e9
"""Gap (m) used when nothing is ahead."""


@njit(cache=True)
def idm_acc(v, v_lead, gap, v0, T, a, b, s0, delta):
    """IDM acceleration (m/s^2) for speed ``v`` (m/s) behind a leader at ``gap`` (m)."""
    if v0 < 0.1:
        v0 = 0.1
    free = 1.0 - (v / v0) ** delta
    if gap >= FREE_GAP:
        return a * free
    if gap < 0.01:
        gap = 0.01
    s_star = s0 + max(0.0, v * T + v * (v - v_lead) / (2.0 * math.sqrt(a * b)))
    return a * (free - (s_star / gap) ** 2)


@njit(cache=True)
def sort_lanes(idx, edge, lane, s, counts):
    """Order of ``idx`` by lane group (edge, lane), then by ``s``; ties keep index order.

    A counting sort on the group key (``counts``: an int64 workspace of size
    ``n_edges * MAX_LANES``, zero on entry and on return) followed by an insertion sort inside
    each group, which are short: O(n + groups) per tick instead of O(n log n).
    """
    m = len(idx)
    touched = np.empty(m, dtype=np.int64)
    n_touched = 0
    for k in range(m):
        i = idx[k]
        key = edge[i] * MAX_LANES + lane[i]
        if counts[key] == 0:
            touched[n_touched] = key
            n_touched += 1
        counts[key] += 1
    keys = np.sort(touched[:n_touched])
    start = np.empty(n_touched, dtype=np.int64)
    acc = 0
    for g in range(n_touched):
        c = counts[keys[g]]
        counts[keys[g]] = acc  # now the next free slot of the group
        start[g] = acc
        acc += c
    order = np.empty(m, dtype=np.int64)
    for k in range(m):
        i = idx[k]
        key = edge[i] * MAX_LANES + lane[i]
        order[counts[key]] = i
        counts[key] += 1
    for g in range(n_touched):
        lo = start[g]
        hi = start[g + 1] if g + 1 < n_touched else m
        for a in range(lo + 1, hi):
            item = order[a]
            sv = s[item]
            b = a - 1
            while b >= lo and s[order[b]] > sv:
                order[b + 1] = order[b]
                b -= 1
            order[b + 1] = item
        counts[keys[g]] = 0
    return order


@njit(cache=True)
def rear_beyond(q, e, ls, llen, lrp, lro, routes):
    """Where a leader's rear is (m past the junction) for a follower on edge ``e``.

    A leader that came from ``e`` itself may still hang back over it (negative); one that came
    through the junction from another approach has its rear on that approach, not on ``e``, so
    the follower sees it no nearer than the junction point.
    """
    rear = ls[q] - llen[q]
    if lrp[q] > 0 and routes[lro[q] + lrp[q] - 1] == e:
        return rear
    return max(rear, 0.0)


@njit(cache=True)
def road_step(
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
    """Advance the road agents ``idx`` (ACTIVE=1 or HELD=3) by one tick of ``dt`` s.

    ``cfg`` = [approach distance m, critical gap s, lane-change cool-down s, lane-change
    look-ahead m]. ``group_lo``/``group_hi`` (size ``n_edges * MAX_LANES``) and ``edge_best``
    (size ``n_edges``) are int64 workspaces filled with -1, ``counts`` (size
    ``n_edges * MAX_LANES``) one filled with 0; all are left so on return. ``lead_out`` and
    ``gap_out`` (fleet-sized) receive each agent's leader (-1 none) and bumper-to-bumper gap
    (m; ``FREE_GAP`` when none) at the start of the tick, for the safety metrics. Arrived
    agents get status 2 and are written to ``arrived``; the count is returned.
    """
    approach = cfg[0]
    critical_gap = cfg[1]
    lc_cooldown = cfg[2]
    lc_min_dist = cfg[3]
    m = len(idx)
    order = sort_lanes(idx, edge, lane, s, counts)
    # Gather what the tick reads into contiguous arrays in lane order: neighbours in a lane are
    # then neighbours in memory, which keeps large fleets cache-friendly. Position p below is
    # the sorted position; order[p] the agent.
    ls = np.empty(m)
    lv = np.empty(m)
    llen = np.empty(m)
    le = np.empty(m, dtype=np.int64)
    lln = np.empty(m, dtype=np.int64)
    lrp = np.empty(m, dtype=np.int64)
    lrl = np.empty(m, dtype=np.int64)
    lro = np.empty(m, dtype=np.int64)
    lv0 = np.empty(m)
    keys = np.empty(m, dtype=np.int64)
    for p in range(m):
        i = order[p]
        ls[p] = s[i]
        lv[p] = speed[i]
        llen[p] = length[i]
        le[p] = edge[i]
        lln[p] = lane[i]
        lrp[p] = route_pos[i]
        lrl[p] = route_len[i]
        lro[p] = route_off[i]
        lv0[p] = min(v0[i], e_limit[edge[i]])
        keys[p] = le[p] * MAX_LANES + lln[p]
        if group_lo[keys[p]] < 0:
            group_lo[keys[p]] = p
        group_hi[keys[p]] = p

    # --- leaders: same lane ahead, else the rear vehicle on the next edge of the route ------
    lead = np.full(m, -1, dtype=np.int64)  # sorted position of the leader
    gap = np.full(m, FREE_GAP)
    nxt = np.full(m, -1, dtype=np.int64)  # next edge of the route
    for p in range(m):
        if lrp[p] + 1 < lrl[p]:
            nxt[p] = routes[lro[p] + lrp[p] + 1]
        if p + 1 < m and keys[p + 1] == keys[p]:
            lead[p] = p + 1
            gap[p] = ls[p + 1] - ls[p] - llen[p + 1]
        elif nxt[p] >= 0:
            ne = nxt[p]
            q = group_lo[ne * MAX_LANES + min(lln[p], e_lanes[ne] - 1)]
            if q >= 0 and q != p:
                lead[p] = q
                gap[p] = e_len[le[p]] - ls[p] + rear_beyond(q, le[p], ls, llen, lrp, lro, routes)
        i = order[p]
        lead_out[i] = order[lead[p]] if lead[p] >= 0 else -1
        gap_out[i] = gap[p]

    # --- junctions: movements through one box that cross or merge ---------------------------
    # Entities: front vehicles approaching a junction (unless stopping at red) and vehicles
    # still inside a box they entered. Each moves on the chord of its movement.
    yield_flag = np.zeros(m, dtype=np.bool_)
    ent = np.empty(m, dtype=np.int64)
    ent_node = np.empty(m, dtype=np.int64)
    ent_in = np.empty(m, dtype=np.int64)
    ent_out = np.empty(m, dtype=np.int64)
    ent_lane = np.empty(m, dtype=np.int64)
    ent_box = np.empty(m, dtype=np.bool_)
    ent_turn = np.empty(m)  # heading change of the movement (rad, left positive)
    chord = np.empty((m, 6))  # entry, corner, exit of each movement's path (m)
    n_ent = 0
    for p in range(m):
        e = le[p]
        front = not (p + 1 < m and keys[p + 1] == keys[p])
        d = e_len[e] - ls[p]
        if front and nxt[p] >= 0 and d <= max(approach, lv[p] * (critical_gap + 2.0)):
            if node_signalised[e_to[e]]:
                st = signal_state[e]
                if st == 2 or (st == 1 and d >= lv[p] * lv[p] / (2.0 * b_comf[order[p]])):
                    continue  # stopping anyway
            src, dst, node, inbox = e, nxt[p], e_to[e], False
        elif lrp[p] > 0 and ls[p] - llen[p] < box_start[e]:
            src, dst, node, inbox = routes[lro[p] + lrp[p] - 1], e, e_from[e], True
        else:
            continue
        ln_src = min(lln[p], e_lanes[src] - 1)
        ln_dst = min(lln[p], e_lanes[dst] - 1)
        x0, y0, h0 = point_at(
            pts_off,
            pts_x,
            pts_y,
            pts_s,
            src,
            e_len[src] - box_end[src],
            lane_offset(e_lanes[src], ln_src, e_lane_w[src], e_two_way[src]),
        )
        x1, y1, h1 = point_at(
            pts_off,
            pts_x,
            pts_y,
            pts_s,
            dst,
            box_start[dst],
            lane_offset(e_lanes[dst], ln_dst, e_lane_w[dst], e_two_way[dst]),
        )
        ent[n_ent] = p
        ent_node[n_ent] = node
        ent_in[n_ent] = src
        ent_out[n_ent] = dst
        ent_lane[n_ent] = ln_dst
        ent_box[n_ent] = inbox
        ent_turn[n_ent] = (h1 - h0 + math.pi) % (2.0 * math.pi) - math.pi
        cx, cy, corner = box_corner(x0, y0, h0, x1, y1, h1)
        if not corner:
            cx = 0.5 * (x0 + x1)
            cy = 0.5 * (y0 + y1)
        chord[n_ent, 0] = x0
        chord[n_ent, 1] = y0
        chord[n_ent, 2] = cx
        chord[n_ent, 3] = cy
        chord[n_ent, 4] = x1
        chord[n_ent, 5] = y1
        n_ent += 1
    by_node = np.argsort(ent_node[:n_ent], kind="mergesort")
    g0 = 0
    while g0 < n_ent:
        g1 = g0
        while g1 + 1 < n_ent and ent_node[by_node[g1 + 1]] == ent_node[by_node[g0]]:
            g1 += 1
        for a_ in range(g0, g1 + 1):
            u = by_node[a_]
            if ent_box[u]:
                continue
            p = ent[u]
            e = le[p]
            if e_len[e] - ls[p] < box_end[e]:
                continue  # already inside the box: committed
            eta_i = (e_len[e] - ls[p]) / max(lv[p], 1.0)
            rank_i = e_limit[e] * 16.0 + e_lanes[e]
            for b_ in range(g0, g1 + 1):
                w = by_node[b_]
                if w == u or ent_in[w] == ent_in[u]:
                    continue
                merge = ent_out[w] == ent_out[u] and ent_lane[w] == ent_lane[u]
                permissive = False
                if not merge and node_signalised[ent_node[u]] and not ent_box[w]:
                    # crossing streams: the signal plan separates them, except a left turn
                    # across an opposing stream with green too, which gives way
                    if not (ent_turn[u] > LEFT_TURN and ent_turn[w] <= LEFT_TURN):
                        continue
                    permissive = True
                if not merge and not paths_cross(chord[u], chord[w]):
                    continue
                if ent_box[w]:
                    yield_flag[p] = True
                    break
                q = ent[w]
                f = le[q]
                eta_j = (e_len[f] - ls[q]) / max(lv[q], 1.0)
                rank_j = e_limit[f] * 16.0 + e_lanes[f]
                if permissive or rank_j > rank_i:
                    if eta_j < eta_i + critical_gap:
                        yield_flag[p] = True
                        break
                elif rank_j == rank_i and (
                    eta_j < eta_i or (eta_j == eta_i and order[q] < order[p])
                ):
                    yield_flag[p] = True
                    break
        g0 = g1 + 1

    # --- base accelerations ------------------------------------------------------------------
    acc = np.empty(m)
    cap = np.empty(m)  # bound from stop line, next-edge limit and holds
    lT = np.empty(m)
    la = np.empty(m)
    lb = np.empty(m)
    ls0 = np.empty(m)
    ld = np.empty(m)
    held = np.empty(m, dtype=np.bool_)
    for p in range(m):
        i = order[p]
        lT[p] = T[i]
        la[p] = a_max[i]
        lb[p] = b_comf[i]
        ls0[p] = s0[i]
        ld[p] = delta[i]
        held[p] = status[i] == 3
    for p in range(m):
        e = le[p]
        v = lv[p]
        q = lead[p]
        a_i = idm_acc(v, lv[q] if q >= 0 else v, gap[p], lv0[p], lT[p], la[p], lb[p], ls0[p], ld[p])
        c = la[p]
        d = e_len[e] - ls[p]
        if nxt[p] >= 0:
            stop = yield_flag[p]
            if node_signalised[e_to[e]]:
                st = signal_state[e]
                if st == 2 or (st == 1 and d >= v * v / (2.0 * lb[p])):
                    stop = True
            if stop:
                c = min(
                    c, idm_acc(v, 0.0, d - e_stop[e], lv0[p], lT[p], la[p], lb[p], ls0[p], ld[p])
                )
            vn = e_limit[nxt[p]]
            if v > vn and (v * v - vn * vn) / (2.0 * lb[p]) + v * dt >= d:
                c = min(c, (vn * vn - v * v) / (2.0 * max(d, 0.1)))
        if held[p]:
            c = min(c, -lb[p]) if v > 0.0 else min(c, 0.0)
        cap[p] = c
        acc[p] = min(a_i, c)

    # --- MOBIL: best change per edge -----------------------------------------------------------
    best_gain = np.full(m, -1.0)
    best_lane = np.full(m, -1, dtype=np.int64)
    best_acc = np.zeros(m)
    for p in range(m):
        i = order[p]
        e = le[p]
        if e_lanes[e] < 2 or lc_cool[i] > 0.0 or held[p]:
            continue
        # not near the edge's end, nor near its start, where a follower in the target lane may
        # still be on the edge before (not searched): as far as the limit covers in 3 s
        if e_len[e] - ls[p] < lc_min_dist or ls[p] < max(llen[p], 3.0 * e_limit[e]):
            continue
        # old follower o and the gap it would get to p's leader
        o = -1
        a_o = 0.0
        a_o_new = 0.0
        if p > 0 and keys[p - 1] == keys[p]:
            o = p - 1
            a_o = acc[o]
            g_o = FREE_GAP
            vl = lv[o]
            if lead[p] >= 0:
                g_o = gap[p] + ls[p] - ls[o]
                vl = lv[lead[p]]
            a_o_new = min(
                idm_acc(lv[o], vl, g_o, lv0[o], lT[o], la[o], lb[o], ls0[o], ld[o]), cap[o]
            )
        for dl in (-1, 1):
            tl = lln[p] + dl
            if tl < 0 or tl >= e_lanes[e]:
                continue
            tk = e * MAX_LANES + tl
            lo = group_lo[tk]
            hi = group_hi[tk]
            # new leader: first in the target lane with s > s_p; new follower: the one before
            nl_p = -1
            nf_p = -1
            if lo >= 0:
                a, b = lo, hi + 1
                while a < b:
                    mid = (a + b) // 2
                    if ls[mid] > ls[p]:
                        b = mid
                    else:
                        a = mid + 1
                if a <= hi:
                    nl_p = a
                if a - 1 >= lo:
                    nf_p = a - 1
            g_new = FREE_GAP
            v_new = lv[p]
            if nl_p >= 0:
                g_new = ls[nl_p] - ls[p] - llen[nl_p]
                v_new = lv[nl_p]
            elif nxt[p] >= 0:
                ne = nxt[p]
                q = group_lo[ne * MAX_LANES + min(tl, e_lanes[ne] - 1)]
                if q >= 0:
                    g_new = e_len[e] - ls[p] + rear_beyond(q, e, ls, llen, lrp, lro, routes)
                    v_new = lv[q]
            if g_new <= 0.0:
                continue
            a_c_new = min(
                idm_acc(lv[p], v_new, g_new, lv0[p], lT[p], la[p], lb[p], ls0[p], ld[p]), cap[p]
            )
            a_n = 0.0
            a_n_new = 0.0
            if nf_p >= 0:
                f = nf_p
                g_f = ls[p] - ls[f] - llen[p]
                if g_f <= 0.0:
                    continue
                a_n = acc[f]
                a_n_new = idm_acc(lv[f], lv[p], g_f, lv0[f], lT[f], la[f], lb[f], ls0[f], ld[f])
                if a_n_new < -b_safe[i]:
                    continue
            gain = a_c_new - acc[p] + politeness[i] * (a_n_new - a_n + a_o_new - a_o)
            if o < 0:
                gain = a_c_new - acc[p] + politeness[i] * (a_n_new - a_n)
            gain -= lc_threshold[i]
            if gain > 0.0 and gain > best_gain[p]:
                best_gain[p] = gain
                best_lane[p] = tl
                best_acc[p] = a_c_new
    # one change per edge: the largest gain (ties: lowest sorted position)
    for p in range(m):
        if best_lane[p] >= 0:
            e = le[p]
            q = edge_best[e]
            if q < 0 or best_gain[p] > best_gain[q]:
                edge_best[e] = p
    for p in range(m):
        i = order[p]
        lc_cool[i] = max(0.0, lc_cool[i] - dt)
        if best_lane[p] >= 0 and edge_best[le[p]] == p:
            lln[p] = best_lane[p]
            acc[p] = best_acc[p]
            lc_cool[i] = lc_cooldown
    for p in range(m):
        edge_best[le[p]] = -1

    # --- integrate, follow the route, place on the lane; scatter back -------------------------
    n_arr = 0
    for p in range(m):
        i = order[p]
        group_lo[keys[p]] = -1
        group_hi[keys[p]] = -1
        a_i = max(acc[p], -max_decel[i])
        v = lv[p]
        v_new = v + a_i * dt
        if v_new < 0.0:
            ds = -v * v / (2.0 * a_i) if a_i < 0.0 else 0.0
            v_new = 0.0
        else:
            ds = v * dt + 0.5 * a_i * dt * dt
        sp = ls[p] + ds
        distance[i] += ds
        accel[i] = a_i
        e = le[p]
        ln = lln[p]
        rp = lrp[p]
        while sp >= e_len[e]:
            if rp + 1 >= lrl[p]:
                status[i] = 2
                arrived[n_arr] = i
                n_arr += 1
                sp = e_len[e]
                break
            sp -= e_len[e]
            rp += 1
            e = routes[lro[p] + rp]
            if ln >= e_lanes[e]:
                ln = e_lanes[e] - 1
            if v_new > e_limit[e]:
                v_new = e_limit[e]
        s[i] = sp
        speed[i] = v_new
        edge[i] = e
        lane[i] = ln
        route_pos[i] = rp
        pe = routes[lro[p] + rp - 1] if rp > 0 else -1
        ne = routes[lro[p] + rp + 1] if rp + 1 < lrl[p] else -1
        px, py, ph = road_point(
            e,
            sp,
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
        x[i] = px
        y[i] = py
        heading[i] = ph
    return n_arr


def road_workspace(n_edges: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Workspaces for :func:`road_step`: lane-group lo/hi (-1), per-edge best (-1), counts (0)."""
    size = max(1, n_edges) * MAX_LANES
    return (
        np.full(size, -1, dtype=np.int64),
        np.full(size, -1, dtype=np.int64),
        np.full(max(1, n_edges), -1, dtype=np.int64),
        np.zeros(size, dtype=np.int64),
    )
