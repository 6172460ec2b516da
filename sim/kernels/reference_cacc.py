"""Plain-numpy twin of :mod:`sim.kernels.cacc`, used as a test oracle.

Vectorised over ``idx`` with ``np.where`` instead of a loop; the first-order lags are
written as the closed-form step responses ``target - (target - state) exp(-dt / T)``. Slow
for a run (it allocates per call); never call it there.
"""

from __future__ import annotations

import math

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
    C_PLATOON_MAX,
    C_R,
    C_S_EM,
    C_SPAT_AGE,
    C_TAU,
    C_TIMEOUT,
    GLOSA_TAU,
    GLOSA_V_MIN,
    MODE_ACC,
    MODE_CACC,
    MODE_CRUISE,
    MODE_MRC,
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


def cacc_law_ref(
    has_lead: bool,
    fresh: bool,
    gap: float,
    v: float,
    a: float,
    u: float,
    h_prev: float,
    v_l: float,
    a_l: float,
    u_l: float,
    v0: float,
    a_max: float,
    max_decel: float,
    dt: float,
    cfg: F64,
) -> tuple[float, float, int, float]:
    """Twin of :func:`sim.kernels.cacc.cacc_law` for one vehicle, as closed-form step responses."""
    m = MODE_CRUISE if not has_lead else (MODE_CACC if fresh else MODE_ACC)
    target = cfg[C_H] if m == MODE_CACC else cfg[C_H_ACC]
    step = cfg[C_H_RATE] * dt
    hu = target if h_prev <= 0.0 else min(max(target, h_prev - step), h_prev + step)
    w = cfg[C_K_CC] * (v0 - v)
    if has_lead:
        ff = u_l if m == MODE_CACC else 0.0
        e = gap - cfg[C_R] - hu * v
        w = min(w, cfg[C_KP] * e + cfg[C_KD] * (v_l - v - hu * a) + ff)
    lo, hi = -max_decel, a_max
    if has_lead and gap < cfg[C_R]:
        hi = min(hi, 0.0)
    un = w - (w - u) * math.exp(-dt / hu)
    if has_lead:
        need = required_decel_ref(gap - cfg[C_S_EM], v, v_l, a_l, max_decel)
        if need >= cfg[C_B_EM]:
            un = min(un, -need)
    un = min(max(un, lo), hi)
    lag = math.exp(-dt / cfg[C_TAU]) if cfg[C_TAU] > 0 else 0.0
    an = min(max(un - (un - a) * lag, lo), hi)
    return un, hu, m, an


def connected_acc_ref(
    i: int,
    j: int,
    gap: float,
    v: float,
    v_l: float,
    a_l: float,
    len_l: float,
    v0: float,
    a_max: float,
    b_comf: float,
    max_decel: float,
    ctrl: int,
    t: float,
    dt: float,
    cfg: F64,
    ox: float,
    oy: float,
    f: dict[str, npt.NDArray[np.generic]],
) -> float:
    """Twin of :func:`sim.kernels.cacc.connected_acc`, fleet columns by name in ``f``.

    ``f`` maps ``accel``, ``heard_*``, ``sensor_ok``, ``plat_pos``, ``cacc_u``, ``cacc_h``
    and ``cacc_mode`` to the fleet's arrays; the last three are updated in place.
    """
    fresh = j >= 0 and int(f["heard_from"][i]) == j and t - f["heard_t"][i] <= cfg[C_TIMEOUT]
    if not f["sensor_ok"][i]:
        if not ctrl or not fresh:
            f["cacc_mode"][i] = MODE_MRC
            f["cacc_u"][i] = -b_comf
            return -b_comf if v > 0.0 else 0.0
        gap = (
            math.dist((f["heard_x"][i], f["heard_y"][i]), (ox, oy))
            + f["heard_v"][i] * (t - f["heard_t"][i])
            - len_l
        )
        v_l, a_l = f["heard_v"][i], f["heard_u"][i]
    join = fresh and f["plat_pos"][j] + 1 < cfg[C_PLATOON_MAX]
    un, hu, m, an = cacc_law_ref(
        j >= 0, join, gap, v, f["accel"][i], f["cacc_u"][i], f["cacc_h"][i], v_l, a_l,
        f["heard_u"][i], v0, a_max, max_decel, dt, cfg,
    )  # fmt: skip
    f["cacc_u"][i], f["cacc_h"][i], f["cacc_mode"][i] = un, hu, m
    return an


def glosa_acc_ref(
    v: float,
    d: float,
    t: float,
    spat_t: float,
    spat_state: int,
    spat_left: float,
    spat_green: float,
    err: float,
    cfg: F64,
) -> float:
    """Twin of :func:`sim.kernels.cacc.glosa_acc`, in arrival times rather than distances."""
    age = t - spat_t
    dd = d - err
    if age > cfg[C_SPAT_AGE] or dd <= 0.0 or v <= 0.0:
        return math.inf
    arrival = dd / v  # s at the current speed
    if spat_state == 0 and arrival <= spat_left - age:
        return math.inf
    tg = spat_green - age
    if tg <= 0.0 or arrival >= tg or dd / tg < GLOSA_V_MIN:
        return math.inf
    return (dd / tg - v) / GLOSA_TAU
