"""Road kernel: IDM car following, MOBIL lane changes, signals and junctions, route following.

Models:
- Car following: Intelligent Driver Model (Treiber, Hennecke & Helbing 2000,
  Phys. Rev. E 62, 1805): ``a = a_max [1 - (v/v0)^delta - (s*/gap)^2]`` with
  ``s* = s0 + max(0, v T + v dv / (2 sqrt(a_max b)))``.
- Lane changes: MOBIL (Kesting, Treiber & Helbing 2007, Transp. Res. Rec. 1999):
  change if ``a'_c - a_c + p (a'_n - a_n + a'_o - a_o) > threshold`` and ``a'_n >= -b_safe``;
  at most one change per edge and tick (the largest incentive), then a cool-down; none close
  to an edge's end, nor within the distance its limit covers in 3 s after its start (where
  the new follower may still be on the edge before). Strategic lanes (as SUMO's): a right
  turn is driven from the rightmost lane and a left turn from the leftmost; a change towards
  that lane gets :data:`STRATEGIC_GAIN` (done as soon as it is safe, up to
  :data:`STRATEGIC_END` m before the stop line), none leads away from it, and the follower in
  the target lane keeps a gap behind the changer (cooperation).
- Signals: at red, and at yellow when the stop is comfortable (``d >= v^2 / 2b``), the stop
  line is a standing obstacle ``e_stop`` m before the edge end (clear of the junction box); a
  vehicle already past it clears the junction.
- Junctions have no inner lanes: a vehicle that has just passed into the next edge from
  another approach keeps its rear on that approach, so followers see it at the junction point
  at the nearest (:func:`rear_beyond`). Trips end where their last lane ends, at the box.
- Junction boxes: inside, a vehicle follows its lane line, a circular arc tangent to the lane
  line it turns into, then that line (straight on: the chord), see ``road_point``. Entities
  are the front vehicle of each lane within ``approach`` m (or what it covers in
  ``critical_gap + 2`` s, if more) of a junction and not stopping at a signal (and the second
  one when the front is already in the box), and vehicles still in a box they left for their
  next edge. A vehicle is committed (:func:`committed`) once it moves inside the box or can no
  longer stop before the stop line; committed vehicles and those clearing the box go on, and
  every other vehicle whose movement meets theirs yields to them. Otherwise an entity yields to
  movements that merge into its target lane, cross its path (at signalised junctions: only
  within one approach, from different lanes), sweep into it (long bodies turning side by
  side; left turns from opposite approaches whose arcs come within the bodies' widths), and,
  under a shared green, as a left turn (heading change over ``LEFT_TURN``) to an opposing
  straight or right-turning vehicle expected less than ``critical_gap`` s after it
  (permissive turn). Order among them: one from a higher-priority edge (higher speed limit,
  then more lanes) expected less than ``critical_gap`` s after it; between equal priorities
  (and within one approach) first come, first served (ties by index).
- Keep the box clear: a vehicle does not enter a box while the standing queue beyond leaves
  no room for its body past the box.
- Speed limits: ``v0`` is capped by the edge limit; a lower limit on the next edge is
  anticipated with the constant deceleration that reaches it at the edge end, and speed is
  clipped to the limit on entering an edge.
- Integration: ballistic update (Treiber & Kanagaraj 2015), exact stop within a tick.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from sim.kernels.cacc import C_GLOSA, MODE_CACC, connected_acc, glosa_acc
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
COMMIT_SPEED = 2.0
"""Speed (m/s) above which a vehicle inside a junction box goes on; slower ones (a left turner
waiting in the box) can stop at once and still give way."""
STRATEGIC_GAIN = 10.0
"""Incentive (m/s^2) added to a lane change towards the lane of the next turn (right turns
from the rightmost lane, left turns from the leftmost), as SUMO's strategic lane changes: it
outweighs any speed advantage, so the change happens as soon as it is safe (MOBIL's safety
criterion for the new follower, and no harder braking than ``b_safe`` for the changer); no
change leads away from that lane."""
STRATEGIC_END = 5.0
"""A vehicle not yet in the lane of its next turn may change lanes up to this distance (m)
before the stop line (others stop changing lanes ``lc_min_dist`` before the edge's end)."""
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


@njit(cache=True, inline="always")
def committed(d, v, box_end, stop, max_decel):
    """Whether a vehicle ``d`` m before its edge's end at ``v`` m/s is committed to the box.

    It is inside the box and moving faster than :data:`COMMIT_SPEED`, or it can no longer
    stop before the stop line (``stop`` m before the end) even at ``max_decel`` m/s^2.
    """
    if d < box_end and v > COMMIT_SPEED:
        return True
    return v * v > 2.0 * max_decel * max(d - stop, 0.0)


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
    """Advance the road agents ``idx`` (ACTIVE=1 or HELD=3) by one tick of ``dt`` s.

    ``cfg`` = [approach distance m, critical gap s, lane-change cool-down s, lane-change
    look-ahead m]. ``group_lo``/``group_hi`` (size ``n_edges * MAX_LANES``) and ``edge_best``
    (size ``n_edges``) are int64 workspaces filled with -1, ``counts`` (size
    ``n_edges * MAX_LANES``) one filled with 0; all are left so on return. ``lead_out`` and
    ``gap_out`` (fleet-sized) receive each agent's leader (-1 none) and bumper-to-bumper gap
    (m; ``FREE_GAP`` when none) at the start of the tick, for the safety metrics. Arrived
    agents get status 2 and are written to ``arrived``; the count is returned. Agents with
    ``replay`` set are leaders and junction entities like any other, but neither change lanes
    nor move here: :mod:`sim.kernels.replay` poses them from their recorded trajectories.

    Connected vehicles (``ctrl`` = 1) follow with :func:`sim.kernels.cacc.connected_acc`
    (CACC, ACC fallback) instead of IDM, using the last CAM each one heard (``heard_*``) and
    its GNSS error (``gnss_ex``, ``gnss_ey``, m); their controller state (``cacc_u``,
    ``cacc_h``, ``cacc_mode``) is updated in place, ``plat_pos`` (last tick's platoon places)
    is read; ``t`` (s) is now and ``ccfg`` :func:`sim.kernels.cacc.cacc_config`. Behind a
    connected leader (CACC or ACC), or ahead of a follower in CACC, they change lanes only
    towards the lane of their next turn (a platoon keeps its lane). With
    ``ccfg[C_GLOSA]`` set they also approach a red light at the speed advised from the last
    SPaT heard (``spat_*``; :func:`sim.kernels.cacc.glosa_acc`). A vehicle whose sensors are
    out (``sensor_ok`` = 0) uses the V2X gap or, without one, brakes to a stop (minimal risk).
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
    ent_src_lane = np.empty(m, dtype=np.int64)
    ent_sweep = np.zeros(m)  # how far the body cuts inside its turning path (m)
    ent_arc = np.zeros((m, 3))  # centre x, y and radius of the turn's arc (m; radius 0: none)
    ent_box = np.empty(m, dtype=np.bool_)
    ent_turn = np.empty(m)  # heading change of the movement (rad, left positive)
    chord = np.empty((m, 6))  # entry, corner, exit of each movement's path (m)
    n_ent = 0
    for p in range(m):
        e = le[p]
        front = not (p + 1 < m and keys[p + 1] == keys[p])
        if not front and (p + 2 >= m or keys[p + 2] != keys[p]):
            # second in its lane behind a front already in the box: next to arrive
            front = e_len[e] - ls[p + 1] < box_end[e]
        d = e_len[e] - ls[p]
        if front and nxt[p] >= 0 and d <= max(approach, lv[p] * (critical_gap + 2.0)):
            if node_signalised[e_to[e]] and d > e_stop[e]:
                st = signal_state[e]
                if st == 2 or (st == 1 and d >= lv[p] * lv[p] / (2.0 * b_comf[order[p]])):
                    continue  # stopping anyway (past the stop line it clears the junction)
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
        ent_src_lane[n_ent] = ln_src
        ent_box[n_ent] = inbox
        ent_turn[n_ent] = (h1 - h0 + math.pi) % (2.0 * math.pi) - math.pi
        cx, cy, corner = box_corner(x0, y0, h0, x1, y1, h1)
        if not corner:
            cx = 0.5 * (x0 + x1)
            cy = 0.5 * (y0 + y1)
        else:
            # the arc of radius r (see box_path): a body spanning a chord c of it has its
            # middle r - sqrt(r^2 - c^2/4) inside the path; c is the body's length scaled
            # from the box's length along the route to the path's
            leg0 = math.hypot(cx - x0, cy - y0)
            leg1 = math.hypot(x1 - cx, y1 - cy)
            tl = min(leg0, leg1)
            r = tl / math.tan(0.5 * abs(ent_turn[n_ent]))
            path = leg0 + leg1 - 2.0 * tl + r * abs(ent_turn[n_ent])
            half = 0.5 * llen[p] * path / max(box_end[src] + box_start[dst], 1e-9)
            ent_sweep[n_ent] = r - math.sqrt(r * r - half * half) if half < r else r
            sign = 1.0 if ent_turn[n_ent] > 0.0 else -1.0
            ax = x0 + (leg0 - tl) * math.cos(h0)
            ay = y0 + (leg0 - tl) * math.sin(h0)
            ent_arc[n_ent, 0] = ax - sign * r * math.sin(h0)
            ent_arc[n_ent, 1] = ay + sign * r * math.cos(h0)
            ent_arc[n_ent, 2] = r
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
            d_u = e_len[e] - ls[p]
            if committed(d_u, lv[p], box_end[e], e_stop[e], max_decel[order[p]]) or (
                d_u < box_end[e] and node_signalised[e_to[e]] and signal_state[e] != 0
            ):
                continue  # committed, or clearing the box after its green
            eta_i = (e_len[e] - ls[p]) / max(lv[p], 1.0)
            rank_i = e_limit[e] * 16.0 + e_lanes[e]
            for b_ in range(g0, g1 + 1):
                w = by_node[b_]
                if w == u:
                    continue
                # movements from one approach: from one lane, car following keeps them apart;
                # from different lanes they conflict where they merge or cross (a right turn
                # from the left lane), whatever the signal, first come first served
                same = ent_in[w] == ent_in[u]
                if same and ent_src_lane[w] == ent_src_lane[u]:
                    continue
                merge = ent_out[w] == ent_out[u] and ent_lane[w] == ent_lane[u]
                # turning the same way side by side: a long body sweeps into the next lane
                side = False
                if same and not merge and ent_turn[u] * ent_turn[w] > 0.09:
                    clear = abs(ent_src_lane[u] - ent_src_lane[w]) * e_lane_w[ent_in[u]] - 0.5 * (
                        width[order[p]] + width[order[ent[w]]]
                    )
                    side = clear < max(ent_sweep[u], ent_sweep[w])
                q = ent[w]
                f = le[q]
                # w is committed to the box, or still clearing it from its exit edge
                inside = ent_box[w] or committed(
                    e_len[f] - ls[q], lv[q], box_end[f], e_stop[f], max_decel[order[q]]
                )
                # left turns from opposite approaches: their arcs bulge towards each other
                lefts = False
                if (
                    not same
                    and ent_turn[u] > LEFT_TURN
                    and ent_turn[w] > LEFT_TURN
                    and ent_arc[u, 2] > 0.0
                    and ent_arc[w, 2] > 0.0
                ):
                    gap_c = math.hypot(ent_arc[u, 0] - ent_arc[w, 0], ent_arc[u, 1] - ent_arc[w, 1])
                    lefts = gap_c < ent_arc[u, 2] + ent_arc[w, 2] + 0.5 * (
                        width[order[p]] + width[order[q]]
                    )
                permissive = False
                if (
                    not same
                    and not merge
                    and not lefts
                    and node_signalised[ent_node[u]]
                    and not inside
                ):
                    # crossing streams: the signal plan separates them, except a left turn
                    # across an opposing stream with green too, which gives way
                    if not (
                        ent_turn[u] > LEFT_TURN
                        and ent_turn[w] <= LEFT_TURN
                        and signal_state[ent_in[u]] == 0
                        and signal_state[ent_in[w]] == 0
                    ):
                        continue
                    permissive = True
                if not merge and not side and not lefts and not paths_cross(chord[u], chord[w]):
                    continue
                if inside:
                    yield_flag[p] = True
                    break
                eta_j = (e_len[f] - ls[q]) / max(lv[q], 1.0)
                rank_j = e_limit[f] * 16.0 + e_lanes[f]
                if same or lefts:
                    if eta_j < eta_i or (eta_j == eta_i and order[q] < order[p]):
                        yield_flag[p] = True
                        break
                elif permissive or rank_j > rank_i:
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
        i = order[p]
        if ctrl[i] != 0 or sensor_ok[i] == 0:
            jl = order[q] if q >= 0 else -1
            a_i = connected_acc(
                i, jl, gap[p], v, lv[q] if q >= 0 else 0.0, accel[jl] if q >= 0 else 0.0,
                llen[q] if q >= 0 else 0.0, lv0[p], la[p], lb[p], max_decel[i], ctrl[i], t, dt,
                ccfg, x[i] + gnss_ex[i], y[i] + gnss_ey[i], accel, heard_t, heard_u, heard_v,
                heard_x, heard_y, heard_from, sensor_ok, plat_pos, cacc_u, cacc_h, cacc_mode,
            )  # fmt: skip
        else:
            if cacc_mode[i] >= 0:  # sensors back after a minimal risk manoeuvre
                cacc_mode[i] = -1
            a_i = idm_acc(
                v, lv[q] if q >= 0 else v, gap[p], lv0[p], lT[p], la[p], lb[p], ls0[p], ld[p]
            )
        c = la[p]
        d = e_len[e] - ls[p]
        if nxt[p] >= 0:
            stop = yield_flag[p]
            if node_signalised[e_to[e]] and d > e_stop[e]:
                st = signal_state[e]
                if st == 2 or (st == 1 and d >= v * v / (2.0 * lb[p])):
                    stop = True
            # keep the box clear: not into it while the queue beyond leaves no room to leave it
            q = lead[p]
            if (
                not stop
                and q >= 0
                and le[q] == nxt[p]
                and d > box_end[e]
                and lv[q] < 1.0
                and ls[q] - llen[q] < box_start[le[q]] + llen[p] + ls0[p]
            ):
                stop = True
            if stop:
                c = min(
                    c, idm_acc(v, 0.0, d - e_stop[e], lv0[p], lT[p], la[p], lb[p], ls0[p], ld[p])
                )
            vn = e_limit[nxt[p]]
            if v > vn and (v * v - vn * vn) / (2.0 * lb[p]) + v * dt >= d:
                c = min(c, (vn * vn - v * v) / (2.0 * max(d, 0.1)))
            if (
                ctrl[i] != 0
                and ccfg[C_GLOSA] != 0.0
                and spat_from[i] == e
                and node_signalised[e_to[e]]
                and d > e_stop[e]
            ):
                err = gnss_ex[i] * math.cos(heading[i]) + gnss_ey[i] * math.sin(heading[i])
                c = min(
                    c,
                    glosa_acc(
                        v,
                        d - e_stop[e],
                        t,
                        spat_t[i],
                        spat_state[i],
                        spat_left[i],
                        spat_green[i],
                        err,
                        ccfg,
                    ),
                )
        if held[p]:
            c = min(c, -lb[p]) if v > 0.0 else min(c, 0.0)
        cap[p] = c
        acc[p] = min(a_i, c)

    # --- MOBIL: best change per edge -----------------------------------------------------------
    best_gain = np.full(m, -1.0)
    best_lane = np.full(m, -1, dtype=np.int64)
    best_acc = np.zeros(m)
    courtesy = np.full(m, -1, dtype=np.int64)
    for p in range(m):
        i = order[p]
        e = le[p]
        if e_lanes[e] < 2 or lc_cool[i] > 0.0 or held[p] or replay[i] != 0:
            continue
        # strategic lane: right turns from the rightmost lane, left turns from the leftmost,
        # so that movements from one approach do not cross (straight on: any lane)
        want = -1
        if nxt[p] >= 0:
            ne = nxt[p]
            _, _, h0 = point_at(pts_off, pts_x, pts_y, pts_s, e, e_len[e] - box_end[e], 0.0)
            _, _, h1 = point_at(pts_off, pts_x, pts_y, pts_s, ne, box_start[ne], 0.0)
            turn = (h1 - h0 + math.pi) % (2.0 * math.pi) - math.pi
            if turn > LEFT_TURN:
                want = e_lanes[e] - 1
            elif turn < -LEFT_TURN:
                want = 0
        if ctrl[i] != 0 and (want < 0 or lln[p] == want):
            # a platoon keeps its lane: no discretionary change behind a connected leader (in
            # CACC, or in the ACC fallback), nor away from a follower in CACC behind it
            if cacc_mode[i] == MODE_CACC or (lead[p] >= 0 and ctrl[order[lead[p]]] != 0):
                continue
            if p > 0 and keys[p - 1] == keys[p] and cacc_mode[order[p - 1]] == MODE_CACC:
                continue
        # not near the edge's end (but up to 5 m before the stop line to reach the lane of the
        # next turn), nor near its start, where a follower in the target lane may still be on
        # the edge before (not searched): as far as the limit covers in 3 s
        d_end = e_len[e] - ls[p]
        late = want >= 0 and lln[p] != want and d_end > e_stop[e] + STRATEGIC_END
        if (d_end < lc_min_dist and not late) or ls[p] < max(llen[p], 3.0 * e_limit[e]):
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
            bonus = 0.0
            if want >= 0:
                if abs(tl - want) > abs(lln[p] - want):
                    continue  # never away from the lane of the next turn
                bonus = STRATEGIC_GAIN
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
            if bonus > 0.0 and nf_p >= 0 and (courtesy[nf_p] < 0 or ls[p] < ls[courtesy[nf_p]]):
                courtesy[nf_p] = p  # cooperative: the follower there lets p in
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
            if bonus > 0.0 and a_c_new < -b_safe[i]:
                continue
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
            gain += bonus - lc_threshold[i]
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
    # a follower asked to let a vehicle into its lane keeps a gap behind that vehicle's rear
    for f in range(m):
        q = courtesy[f]
        if q >= 0:
            g = max(ls[q] - llen[q] - ls[f], 0.01)
            a_y = idm_acc(lv[f], lv[q], g, lv0[f], lT[f], la[f], lb[f], ls0[f], ld[f])
            acc[f] = min(acc[f], max(a_y, -lb[f]))

    # --- integrate, follow the route, place on the lane; scatter back -------------------------
    n_arr = 0
    for p in range(m):
        i = order[p]
        group_lo[keys[p]] = -1
        group_hi[keys[p]] = -1
        if replay[i] != 0:
            continue  # its pose comes from its recorded trajectory (sim.kernels.replay)
        a_i = max(acc[p], -max_decel[i])
        if ctrl[i] != 0 and a_i < cacc_u[i]:
            # a signal, a junction, a hold or a lane change asks for less than the controller:
            # its command follows (anti wind-up), and the CAMs carry what is really asked for
            cacc_u[i] = a_i
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
        # the route ends where its last lane ends, at the junction box (as SUMO's lanes)
        while sp >= (e_len[e] - box_end[e] if rp + 1 >= lrl[p] else e_len[e]):
            if rp + 1 >= lrl[p]:
                status[i] = 2
                arrived[n_arr] = i
                n_arr += 1
                sp = e_len[e] - box_end[e]
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
