"""Platoon membership and the connected-driving metrics, one pass per tick after the road kernel.

Every kernel works on plain arrays and scalars in SI units (m, s, m/s). Fleet arrays are
indexed by agent index ``i``; ``idx`` lists the road vehicles handled this tick.

Membership: a connected vehicle in CACC within ``join_gap`` s (time gap, or 30 m at low
speed) of a leader with a platoon place ``k`` gets place ``k + 1`` and the leader's head (a
vehicle still closing up from further back follows in CACC but is not yet a member); any
other connected vehicle heads its own platoon (place 0; it is a platoon once a follower
joins). Places are read from the previous tick, so a change
runs down a platoon one vehicle per tick. The road kernel caps a platoon's size by refusing
CACC when the leader's place is ``platoon_max - 1`` (:func:`sim.kernels.cacc.connected_acc`).

Metrics, per follower, while it is a member in CACC:

- time gap ``gap / v`` (s) whenever ``v > v_min``: its sum, count and minimum;
- string stability: a window per (follower, predecessor) pair, restarted whenever the
  predecessor changes; once the follower has kept its spacing error ``gap - r - h_used v``
  within :data:`SETTLED` m for ``warmup`` s in a row (so a closing-up manoeuvre is not
  taken for a disturbance), the ranges (max - min) of the
  follower's and the predecessor's speeds over the same ticks. Their ratio is the
  amplification of a speed disturbance from one vehicle to the next (L-infinity, as
  :func:`sim.kernels.cacc.string_stability`); <= 1 everywhere is string-stable.

And per connected vehicle: time in CACC and in ACC (s), and the number of fallbacks (CACC
to ACC or to a minimal risk manoeuvre).
"""

from __future__ import annotations

import numpy as np
from numba import njit

from sim.kernels.cacc import MODE_ACC, MODE_CACC, MODE_CRUISE, MODE_MRC

JOIN_DISTANCE = 30.0
"""Gap (m) within which a CACC follower is a platoon member at any speed."""
SETTLED = 1.0
"""Spacing error (m) within which a follower counts as settled behind its predecessor."""


@njit(cache=True)
def platoon_step(
    idx,
    dt,
    lead,
    gap,
    v,
    h_used,
    r,
    ctrl,
    mode,
    prev_mode,
    plat_pos,
    plat_head,
    t_cacc,
    t_acc,
    n_fallback,
    tg_sum,
    tg_n,
    tg_min,
    ss_pred,
    ss_t,
    ss_hi,
    ss_lo,
    ss_phi,
    ss_plo,
    warmup,
    v_min,
    join_gap,
    changed,
):
    """Update platoon places and metrics for ``idx``; return how many vehicles it flags.

    ``lead`` (int64, -1 none), ``gap`` (m) and ``v`` (m/s): each vehicle's leader, gap and
    speed as the road kernel found them; ``h_used`` (s): its controller's time gap in use,
    ``r`` (m): the standstill distance; ``ctrl`` (int8, 1 connected); ``mode`` (int8,
    this tick's :mod:`sim.kernels.cacc` mode, -1 for a vehicle driving with IDM) and
    ``prev_mode`` (last tick's; set to ``mode`` here). Places ``plat_pos``/``plat_head``
    (int32) and the metric columns of the module docstring are updated in place; ``warmup``
    (s), ``v_min`` (m/s), ``join_gap`` (s). Platoon members
    that left CACC this tick (fallback to ACC or a minimal risk manoeuvre) or entered a minimal
    risk manoeuvre are written to ``changed`` (int64, size >= len(idx)); the count is
    returned. O(len(idx)) plus one scratch array per call.
    """
    m = len(idx)
    new_pos = np.empty(m, dtype=np.int32)
    new_head = np.empty(m, dtype=np.int32)
    for n in range(m):
        i = idx[n]
        j = lead[i]
        if ctrl[i] == 0:
            new_pos[n] = -1
            new_head[n] = -1
        elif (
            mode[i] == MODE_CACC
            and j >= 0
            and plat_pos[j] >= 0
            and gap[i] <= max(JOIN_DISTANCE, join_gap * v[i])
        ):
            new_pos[n] = plat_pos[j] + 1
            new_head[n] = plat_head[j]
        else:
            new_pos[n] = 0
            new_head[n] = i
    k = 0
    for n in range(m):
        i = idx[n]
        was_member = plat_pos[i] >= 1
        plat_pos[i] = new_pos[n]
        plat_head[i] = new_head[n]
        md = mode[i]
        pm = prev_mode[i]
        if ctrl[i] == 0:  # not connected: only a minimal risk manoeuvre (sensors out) to flag
            if md == MODE_MRC and pm != MODE_MRC:
                changed[k] = i
                k += 1
            prev_mode[i] = md
            continue
        # a platoon member left CACC for ACC or a minimal risk manoeuvre (losing the leader
        # is no fallback, nor is a vehicle far behind losing its CAMs now and then)
        left = was_member and pm == MODE_CACC and md != MODE_CACC and md != MODE_CRUISE
        if left or (md == MODE_MRC and pm != MODE_MRC):
            if left:
                n_fallback[i] += 1
            changed[k] = i
            k += 1
        prev_mode[i] = md
        if md == MODE_ACC:
            t_acc[i] += dt
        if md != MODE_CACC:
            continue
        t_cacc[i] += dt
        if plat_pos[i] < 1:
            continue
        vi = v[i]
        j = lead[i]
        if vi > v_min:
            tg = gap[i] / vi
            tg_sum[i] += tg
            tg_n[i] += 1
            if tg < tg_min[i]:
                tg_min[i] = tg
        if ss_pred[i] != j:
            ss_pred[i] = j
            ss_t[i] = 0.0
        vj = v[j]
        if ss_t[i] < warmup:
            ss_hi[i] = vi
            ss_lo[i] = vi
            ss_phi[i] = vj
            ss_plo[i] = vj
            if abs(gap[i] - r - h_used[i] * vi) <= SETTLED:
                ss_t[i] += dt
            else:
                ss_t[i] = 0.0
        else:
            ss_hi[i] = max(ss_hi[i], vi)
            ss_lo[i] = min(ss_lo[i], vi)
            ss_phi[i] = max(ss_phi[i], vj)
            ss_plo[i] = min(ss_plo[i], vj)
            ss_t[i] += dt
    return k
