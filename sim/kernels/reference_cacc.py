"""Plain-numpy twin of :mod:`sim.kernels.cacc`, used as a test oracle.

Vectorised over ``idx`` with ``np.where`` instead of a loop; the first-order lags are
written as the closed-form step responses ``target - (target - state) exp(-dt / T)``. Slow
for a run (it allocates per call); never call it there.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sim.kernels.cacc import (
    C_B_EM,
    C_H,
    C_H_ACC,
    C_H_RATE,
    C_K_CC,
    C_KD,
    C_KP,
    C_R,
    C_S_EM,
    C_TAU,
    C_TIMEOUT,
    MODE_ACC,
    MODE_CACC,
    MODE_CRUISE,
)

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


def required_decel_ref(s: float, v: float, v_l: float, a_l: float, b_max: float) -> float:
    """Twin of :func:`sim.kernels.cacc.required_decel`, from the two required accelerations.

    ``a_match = a_l - (v - v_l)^2 / (2 s)`` (speeds match as the gap closes; only while
    closing) and ``a_stop = -v^2 / (2 (s + d_l))`` with the leader's stopping distance ``d_l``
    (only while it brakes); the answer is ``-min(a_match, a_stop, 0)``.
    """
    if s <= 0.0:
        return b_max if (v > v_l or a_l < 0.0) else 0.0
    cands = [0.0]
    if v > v_l:
        cands.append(a_l - (v - v_l) ** 2 / (2.0 * s))
    if a_l < 0.0:
        d_l = v_l**2 / (2.0 * -a_l)
        cands.append(-(v**2) / (2.0 * (s + d_l)))
    return -min(cands)


def cacc_step_ref(
    idx: I64,
    lead: I64,
    gap: F64,
    v: F64,
    a: F64,
    v0: F64,
    a_max: F64,
    max_decel: F64,
    heard_t: F64,
    heard_u: F64,
    heard_from: I64,
    t: float,
    dt: float,
    cfg: F64,
    u: F64,
    h_used: F64,
    mode: npt.NDArray[np.int8],
    a_out: F64,
) -> None:
    """Twin of :func:`sim.kernels.cacc.cacc_step` (same arguments, same in-place outputs)."""
    idx = np.asarray(idx, dtype=np.int64)
    j = lead[idx]
    has = j >= 0
    jj = np.where(has, j, 0)
    fresh = has & (heard_from[idx] == j) & (t - heard_t[idx] <= cfg[C_TIMEOUT])
    m = np.where(has, np.where(fresh, MODE_CACC, MODE_ACC), MODE_CRUISE)
    target = np.where(fresh, cfg[C_H], cfg[C_H_ACC])
    ff = np.where(fresh, heard_u[idx], 0.0)
    old = h_used[idx]
    step = cfg[C_H_RATE] * dt
    hu = np.where(old <= 0.0, target, np.clip(target, old - step, old + step))
    vi = v[idx]
    e = gap[idx] - cfg[C_R] - hu * vi
    e_dot = v[jj] - vi - hu * a[idx]
    w_cc = cfg[C_K_CC] * (v0[idx] - vi)
    w = np.where(has, np.minimum(w_cc, cfg[C_KP] * e + cfg[C_KD] * e_dot + ff), w_cc)
    lo = -max_decel[idx]
    hi = np.where(has & (gap[idx] < cfg[C_R]), np.minimum(a_max[idx], 0.0), a_max[idx])
    un = w - (w - u[idx]) * np.exp(-dt / hu)
    need = np.array(
        [
            required_decel_ref(g - cfg[C_S_EM], vf, vl, al, b)
            for g, vf, vl, al, b in zip(gap[idx], vi, v[jj], a[jj], max_decel[idx], strict=True)
        ]
    )
    un = np.where(has & (need >= cfg[C_B_EM]), np.minimum(un, -need), un)
    un = np.clip(un, lo, hi)
    lag = np.exp(-dt / cfg[C_TAU]) if cfg[C_TAU] > 0 else 0.0
    an = np.clip(un - (un - a[idx]) * lag, lo, hi)
    h_used[idx] = hu
    u[idx] = un
    a_out[idx] = an
    mode[idx] = m
