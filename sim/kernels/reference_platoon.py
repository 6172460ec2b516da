"""Plain-numpy twin of :mod:`sim.kernels.platoon`, used as a test oracle (never in a run).

Places are computed with masks over ``idx`` from the old places; the metrics with a loop in
the order of ``idx`` (each vehicle's own columns only, so the order does not matter).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sim.kernels.cacc import MODE_ACC, MODE_CACC, MODE_MRC
from sim.kernels.platoon import JOIN_DISTANCE, SETTLED


def platoon_step_ref(
    idx: npt.NDArray[np.int64],
    dt: float,
    lead: npt.NDArray[np.int64],
    gap: npt.NDArray[np.float64],
    v: npt.NDArray[np.float64],
    h_used: npt.NDArray[np.float64],
    r: float,
    ctrl: npt.NDArray[np.int8],
    mode: npt.NDArray[np.int8],
    prev_mode: npt.NDArray[np.int8],
    plat_pos: npt.NDArray[np.int32],
    plat_head: npt.NDArray[np.int32],
    t_cacc: npt.NDArray[np.float64],
    t_acc: npt.NDArray[np.float64],
    n_fallback: npt.NDArray[np.int64],
    tg_sum: npt.NDArray[np.float64],
    tg_n: npt.NDArray[np.int64],
    tg_min: npt.NDArray[np.float64],
    ss_pred: npt.NDArray[np.int32],
    ss_t: npt.NDArray[np.float64],
    ss_hi: npt.NDArray[np.float64],
    ss_lo: npt.NDArray[np.float64],
    ss_phi: npt.NDArray[np.float64],
    ss_plo: npt.NDArray[np.float64],
    warmup: float,
    v_min: float,
    join_gap: float,
    changed: npt.NDArray[np.int64],
) -> int:
    """Twin of :func:`sim.kernels.platoon.platoon_step` (same arguments and outputs)."""
    idx = np.asarray(idx, dtype=np.int64)
    j = lead[idx]
    jj = np.maximum(j, 0)
    conn = ctrl[idx] != 0
    close = gap[idx] <= np.maximum(JOIN_DISTANCE, join_gap * v[idx])
    member = conn & (mode[idx] == MODE_CACC) & (j >= 0) & (plat_pos[jj] >= 0) & close
    pos = np.where(member, plat_pos[jj] + 1, np.where(conn, 0, -1))
    head = np.where(member, plat_head[jj], np.where(conn, idx, -1))
    was_member = dict(zip(idx.tolist(), (plat_pos[idx] >= 1).tolist(), strict=True))
    plat_pos[idx] = pos
    plat_head[idx] = head
    k = 0
    for i in idx:
        md, pm = int(mode[i]), int(prev_mode[i])
        if not ctrl[i]:
            if md == MODE_MRC and pm != MODE_MRC:
                changed[k] = i
                k += 1
            prev_mode[i] = md
            continue
        left = was_member[int(i)] and pm == MODE_CACC and md in (MODE_ACC, MODE_MRC)
        if left or (md == MODE_MRC and pm != MODE_MRC):
            n_fallback[i] += int(left)
            changed[k] = i
            k += 1
        prev_mode[i] = md
        t_acc[i] += dt if md == MODE_ACC else 0.0
        if md != MODE_CACC:
            continue
        t_cacc[i] += dt
        if plat_pos[i] < 1:
            continue
        li = int(lead[i])
        if v[i] > v_min:
            tg_sum[i] += gap[i] / v[i]
            tg_n[i] += 1
            tg_min[i] = min(tg_min[i], gap[i] / v[i])
        if ss_pred[i] != li:
            ss_pred[i], ss_t[i] = li, 0.0
        if ss_t[i] < warmup:
            ss_hi[i] = ss_lo[i] = v[i]
            ss_phi[i] = ss_plo[i] = v[li]
            settled = abs(gap[i] - r - h_used[i] * v[i]) <= SETTLED
            ss_t[i] = ss_t[i] + dt if settled else 0.0
        else:
            ss_hi[i], ss_lo[i] = max(ss_hi[i], v[i]), min(ss_lo[i], v[i])
            ss_phi[i], ss_plo[i] = max(ss_phi[i], v[li]), min(ss_plo[i], v[li])
            ss_t[i] += dt
    return k
