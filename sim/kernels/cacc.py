"""Cooperative adaptive cruise control (CACC) with an ACC fallback, and a string-stability metric.

Every kernel works on plain arrays and scalars in SI units (m, s, m/s, m/s^2). Fleet arrays
are indexed by agent index ``i``; ``idx`` lists the vehicles handled this tick.

Control law
-----------
Ploeg, Scheepers, van Nunen, van de Wouw & Nijmeijer (2011), *Design and experimental
evaluation of cooperative adaptive cruise control*, Proc. 14th IEEE ITSC, 260-265: spacing
policy ``d_r = r + h v``; errors ``e = gap - (r + h v)`` and ``e_dot = v_lead - v - h a``;
controller state ``u`` (commanded acceleration) with

    h u_dot = -u + k_p e + k_d e_dot + u_lead,

where ``u_lead`` is the leader's commanded acceleration received over V2X (feed-forward), and
driveline dynamics ``a_dot = (u - a) / tau``. Defaults (:data:`DEFAULTS`): ``h = 0.7`` s,
``k_p = 0.2`` 1/s^2, ``k_d = 0.7`` 1/s, ``tau = 0.1`` s, the values of that paper's
experiments (the same gains are the defaults of the PLOEG controller of Plexe/SUMO's
``MSCFModel_CC``, whose default time gap is 0.5 s); standstill distance ``r = 2`` m as in
Plexe's implementation of this law.

Fallback (ACC): the same law without feed-forward (``u_lead = 0``), i.e. the "ACC" fallback
of Ploeg et al. (2015), *Graceful degradation of cooperative adaptive cruise control*, IEEE
T-ITS 16(1), 488-497, with a larger time gap ``h_acc`` (default 1.5 s). It keeps each
vehicle stable, but with these gains it is string-stable only for ``h_acc`` above about 3.2 s
(``max_w |k(jw) / ((h jw + 1)(jw^2 (tau jw + 1) + k(jw)))| <= 1``, ``k = k_p + k_d s``, as
computed here); 1.5 s is a compromise for short outages. Mode per vehicle (:data:`MODE_CACC`,
:data:`MODE_ACC`, :data:`MODE_CRUISE`): CACC while the last CAM heard came from the current
leader (``heard_from[i] == lead[i]``) and was sent at most ``timeout`` s ago, else ACC;
without a leader, cruise.

Switching without jumps: ``u`` is the controller's integrator state and stays continuous
across switches; the spacing policy's time gap in use, ``h_used``, moves toward the mode's
target (``h`` or ``h_acc``) at most ``h_rate`` s per s, so neither the fall back nor the
return to CACC makes the spacing error jump (a jump of ``(h_acc - h) v`` = 16 m at 20 m/s).
``h_rate = inf`` switches at once.

Speed control: ``w = min(k_p e + k_d e_dot + u_lead, k_cc (v0 - v))``, so a vehicle never
exceeds its desired speed ``v0`` to close a gap; without a leader ``w = k_cc (v0 - v)``.

Emergency brake: the linear law is slow to react on its own sensors (in ACC, a leader braking
at 4 m/s^2 from 20 m/s runs into its followers), so whenever :func:`required_decel` (the
constant deceleration that keeps ``s_em`` m to the leader, given the leader's speed and
acceleration as measured on board) reaches ``b_em``, the command is at most its negative.
It stays idle in normal following (needs below ``b_em``).

Discretisation (tick ``dt``, inputs held over the tick): both first-order lags use their exact
zero-order-hold solutions, stable for any ``dt``:
``u' = w + (u - w) exp(-dt / h_used)`` and the acceleration applied over the tick
``a' = u' + (a - u') exp(-dt / tau)`` (the emergency brake acts on ``u'``). Both are clamped
to ``[-max_decel, a_max]`` (anti wind-up); and at ``gap < r`` neither may be positive
(never accelerate into a gap below the standstill distance). The caller integrates the motion
(ballistic) and may take the minimum with other constraints (signals, junctions); the next
tick's ``a`` is what it applied.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

MODE_CRUISE = 0
"""No leader: speed control toward ``v0``."""
MODE_ACC = 1
"""Leader followed on own sensors only (no fresh CAM from it)."""
MODE_CACC = 2
"""Leader followed with the feed-forward of its commanded acceleration."""
MODE_MRC = 3
"""Minimal risk manoeuvre: the vehicle cannot perceive what is ahead (its sensors are out and
no fresh CAM from its leader), so it brakes to a stop at its comfortable deceleration."""

(
    C_R, C_H, C_KP, C_KD, C_TAU, C_H_ACC, C_TIMEOUT, C_H_RATE, C_K_CC, C_S_EM, C_B_EM,
    C_PLATOON_MAX, C_GLOSA, C_SPAT_AGE,
) = range(14)  # fmt: skip
DEFAULTS: dict[str, float] = {
    "r": 2.0,  # [m] standstill distance
    "h": 0.7,  # [s] CACC time gap (Ploeg et al. 2011)
    "kp": 0.2,  # [1/s^2] gain on the spacing error (Ploeg et al. 2011)
    "kd": 0.7,  # [1/s] gain on its rate (Ploeg et al. 2011)
    "tau": 0.1,  # [s] driveline time constant (Ploeg et al. 2011)
    "h_acc": 1.5,  # [s] ACC fallback time gap
    "timeout": 0.5,  # [s] oldest CAM that still counts as fresh
    "h_rate": 0.2,  # [s/s] fastest change of the time gap in use
    "k_cc": 0.4,  # [1/s] cruise gain toward v0
    "s_em": 1.0,  # [m] gap the emergency brake keeps
    "b_em": 3.0,  # [m/s^2] required deceleration that triggers the emergency brake
    "platoon_max": 8.0,  # [vehicles] most vehicles in one platoon, head included
    "glosa": 0.0,  # 1: signal-aware approach speed from SPaT (GLOSA), 0: off
    "spat_age": 1.0,  # [s] oldest SPaT message GLOSA still uses
}
"""Parameters of :func:`cacc_config`, in the order of the ``C_*`` indices."""


def cacc_config(**overrides: float) -> npt.NDArray[np.float64]:
    """The ``cfg`` array of :func:`cacc_step`: :data:`DEFAULTS` with ``overrides``.

    Raises:
        KeyError: for an unknown parameter name.
    """
    for name in overrides:
        if name not in DEFAULTS:
            raise KeyError(f"unknown CACC parameter {name!r}; known: {', '.join(DEFAULTS)}")
    return np.array([overrides.get(name, val) for name, val in DEFAULTS.items()], dtype=float)


@njit(cache=True)
def required_decel(s, v, v_l, a_l, b_max):
    """Constant deceleration (m/s^2, >= 0) that keeps a follower ``s`` m short of its leader.

    ``v``/``v_l`` (m/s): follower and leader speeds, ``a_l`` (m/s^2): the leader's
    acceleration, assumed constant until it stops. The larger of two conditions: matching the
    leader's speed before the gap closes, ``(v - v_l)^2 / (2 s) - a_l`` while closing (the
    negated required acceleration of Jansson 2005 / CommonRoad-CriMe's ``ALongReq``; it
    ignores that the leader may stop first, so it errs on the safe side), and stopping short
    of the leader's stopping point, ``v^2 / (2 (s + v_l^2 / (2 |a_l|)))`` while the leader
    brakes. ``b_max`` when ``s <= 0`` and closing or the leader brakes.
    """
    dv = v - v_l
    if s <= 0.0:
        if dv > 0.0 or a_l < 0.0:
            return b_max
        return 0.0
    need = 0.0
    if dv > 0.0:
        need = dv * dv / (2.0 * s) - a_l
    if a_l < 0.0:
        need = max(need, v * v / (2.0 * (s + v_l * v_l / (-2.0 * a_l))))
    return max(need, 0.0)


@njit(cache=True)
def cacc_step(
    idx,
    lead,
    gap,
    v,
    a,
    v0,
    a_max,
    max_decel,
    heard_t,
    heard_u,
    heard_from,
    t,
    dt,
    cfg,
    u,
    h_used,
    mode,
    a_out,
):
    """One tick of CACC/ACC for the vehicles ``idx``; see the module docstring for the law.

    Fleet-indexed inputs: ``lead`` (int64, leader index, -1 none), ``gap`` (m, bumper to
    bumper to the leader; ignored without one), ``v`` (m/s), ``a`` (m/s^2, acceleration
    applied over the last tick), ``v0`` (m/s, desired speed), ``a_max``, ``max_decel``
    (m/s^2, both positive); from :func:`sim.kernels.v2x.v2x_step`: ``heard_t`` (s, send time
    of the last CAM heard, -inf none), ``heard_u`` (m/s^2, its commanded acceleration),
    ``heard_from`` (int64, its sender). The leader's speed is ``v[lead]`` (measured on board,
    e.g. radar), and so is its acceleration ``a[lead]`` (for the emergency brake only).
    ``t`` (s): now; ``dt`` (s): tick; ``cfg``: :func:`cacc_config`.

    State, fleet-indexed, updated in place: ``u`` (m/s^2, commanded acceleration; start at
    0 or the current acceleration); ``h_used`` (s, time gap in use; <= 0 means unset: it
    starts at the mode's target).

    Out, fleet-indexed: ``mode`` (int8, ``MODE_*``) and ``a_out`` (m/s^2, the acceleration to
    apply over this tick). Entries outside ``idx`` are untouched. O(len(idx)), no allocation.
    """
    timeout = cfg[C_TIMEOUT]
    for n in range(len(idx)):
        i = idx[n]
        j = lead[i]
        fresh = j >= 0 and heard_from[i] == j and t - heard_t[i] <= timeout
        vl = v[j] if j >= 0 else 0.0
        al = a[j] if j >= 0 else 0.0
        un, hu, m, an = cacc_law(
            j >= 0, fresh, gap[i], v[i], a[i], u[i], h_used[i], vl, al, heard_u[i], v0[i],
            a_max[i], max_decel[i], dt, cfg,
        )  # fmt: skip
        u[i] = un
        h_used[i] = hu
        a_out[i] = an
        mode[i] = m


@njit(cache=True)
def cacc_law(has_lead, fresh, gap, v, a, u, h_prev, v_l, a_l, u_l, v0, a_max, max_decel, dt, cfg):
    """One vehicle's tick of the law of the module docstring; returns ``(u, h_used, mode, a)``.

    ``has_lead``: a leader is ahead; ``fresh``: the last CAM heard is from it and recent
    enough to follow in CACC; ``gap`` (m), ``v``, ``v_l`` (m/s), ``a``, ``a_l`` (m/s^2): own
    and leader's state as measured; ``u`` (m/s^2), ``h_prev`` (s, <= 0 unset): controller
    state; ``u_l`` (m/s^2): the leader's commanded acceleration from its CAM; ``v0`` (m/s),
    ``a_max``, ``max_decel`` (m/s^2); ``dt`` (s); ``cfg``: :func:`cacc_config`.
    """
    k_cc = cfg[C_K_CC]
    w = k_cc * (v0 - v)
    if not has_lead:
        m = MODE_CRUISE
        target = cfg[C_H_ACC]
        ff = 0.0
    elif fresh:
        m = MODE_CACC
        target = cfg[C_H]
        ff = u_l
    else:
        m = MODE_ACC
        target = cfg[C_H_ACC]
        ff = 0.0
    dh = cfg[C_H_RATE] * dt
    hu = h_prev
    if hu <= 0.0:
        hu = target
    elif hu < target:
        hu = min(hu + dh, target)
    elif hu > target:
        hu = max(hu - dh, target)
    if m != MODE_CRUISE:
        e = gap - cfg[C_R] - hu * v
        e_dot = v_l - v - hu * a
        w = min(w, cfg[C_KP] * e + cfg[C_KD] * e_dot + ff)
    hi = a_max
    lo = -max_decel
    if m != MODE_CRUISE and gap < cfg[C_R]:
        hi = min(hi, 0.0)
    un = w + (u - w) * math.exp(-dt / hu)
    if m != MODE_CRUISE:
        need = required_decel(gap - cfg[C_S_EM], v, v_l, a_l, max_decel)
        if need >= cfg[C_B_EM]:
            un = min(un, -need)
    un = min(max(un, lo), hi)
    tau = cfg[C_TAU]
    lag_a = math.exp(-dt / tau) if tau > 0.0 else 0.0
    an = un + (a - un) * lag_a
    an = min(max(an, lo), hi)
    return un, hu, m, an


@njit(cache=True)
def connected_acc(
    i, j, gap, v, v_l, a_l, len_l, v0, a_max, b_comf, max_decel, ctrl, t, dt, cfg,
    ox, oy, accel, heard_t, heard_u, heard_v, heard_x, heard_y, heard_from, sensor_ok,
    plat_pos, u, h_used, mode,
):  # fmt: skip
    """Acceleration (m/s^2) of vehicle ``i`` driven by its on-board controller this tick.

    Called by the road kernel for connected vehicles (``ctrl`` = 1: CACC with the ACC
    fallback) and for any vehicle whose sensors are out (``sensor_ok[i] == 0``). ``j``: the
    leader (-1 none), ``gap`` (m), ``v_l`` (m/s), ``a_l`` (m/s^2), ``len_l`` (m): its gap,
    speed, acceleration and length as the road kernel knows them (the truth, i.e. what the
    on-board radar measures); ``v0`` (m/s, desired speed capped by the limit), ``a_max``,
    ``b_comf``, ``max_decel`` (m/s^2); ``t``, ``dt`` (s); ``cfg``: :func:`cacc_config`;
    ``ox``, ``oy`` (m): the vehicle's own GNSS fix. Fleet-indexed: ``accel`` (m/s^2,
    applied last tick), the last CAM heard (``heard_*``, :func:`sim.kernels.v2x.v2x_step`),
    ``sensor_ok`` (int8), ``plat_pos`` (int32, the leader's place in its platoon, 0 head, -1
    none; last tick's), and the controller state ``u``, ``h_used``, ``mode`` (in place).

    - CACC needs a fresh CAM from the leader (``heard_from == j``, at most ``timeout`` s old)
      and room in the leader's platoon (``plat_pos[j] + 1 < platoon_max``); otherwise ACC,
      which makes the vehicle the head of a new platoon.
    - Sensors out, fresh CAM: the gap comes from V2X, the distance between the leader's
      reported position and the vehicle's own GNSS fix, plus what the leader covered since
      the message (``v_l`` age), minus its length; speed and acceleration from the CAM. A
      GNSS error of either end goes straight into that gap.
    - Sensors out, no fresh CAM (or not connected): :data:`MODE_MRC`, brake at ``b_comf``.
    """
    fresh = j >= 0 and heard_from[i] == j and t - heard_t[i] <= cfg[C_TIMEOUT]
    if sensor_ok[i] == 0:
        if ctrl == 0 or not fresh:
            mode[i] = MODE_MRC
            u[i] = -b_comf
            return -b_comf if v > 0.0 else 0.0
        age = t - heard_t[i]
        gap = math.hypot(heard_x[i] - ox, heard_y[i] - oy) + heard_v[i] * age - len_l
        v_l = heard_v[i]
        a_l = heard_u[i]
    join = fresh and plat_pos[j] + 1 < cfg[C_PLATOON_MAX]
    un, hu, m, an = cacc_law(
        j >= 0, join, gap, v, accel[i], u[i], h_used[i], v_l, a_l, heard_u[i], v0, a_max,
        max_decel, dt, cfg,
    )  # fmt: skip
    u[i] = un
    h_used[i] = hu
    mode[i] = m
    return an


GLOSA_TAU = 2.0
"""Time (s) in which a vehicle adopts the GLOSA advisory speed."""
GLOSA_V_MIN = 3.0
"""Lowest advisory speed (m/s); when arriving at green needs less, GLOSA gives no advice."""


@njit(cache=True)
def glosa_acc(v, d, t, spat_t, spat_state, spat_left, spat_green, err, cfg):
    """Acceleration cap (m/s^2, +inf none) of the signal-aware approach (GLOSA) to a signal.

    ``v`` (m/s); ``d`` (m): true distance to the stop line; ``err`` (m): along-track error
    of the vehicle's GNSS fix, so it believes the line is ``d - err`` away; the last SPaT
    heard for this approach: sent at ``spat_t`` (s), ``spat_state`` (0 green, 1 yellow, 2
    red), ``spat_left`` (s to the next change) and ``spat_green`` (s to the next green) as
    of ``spat_t``; ``t`` (s) now. If at its current speed the vehicle would reach the line
    while it is not green (red or yellow now, or green now but ending before it arrives),
    the advisory speed is the one that reaches the line as the next green begins, ``v_a = (d
    - err) / t_g`` (Katsaros et al. 2011, *Performance study of a Green Light Optimized Speed
    Advisory application using an integrated cooperative ITS simulation platform*, IWCMC),
    adopted within :data:`GLOSA_TAU` s: the cap is ``(v_a - v) / GLOSA_TAU``. Recomputed
    every tick, it converges on arriving at green. No advice below :data:`GLOSA_V_MIN` (the
    car-following model then stops at the line), none to speed up, and none without a SPaT
    message at most ``spat_age`` s old.
    """
    age = t - spat_t
    if age > cfg[C_SPAT_AGE]:
        return math.inf
    dd = d - err
    if dd <= 0.0 or v <= 0.0:
        return math.inf
    if spat_state == 0 and v * (spat_left - age) >= dd:
        return math.inf  # through on this green
    tg = spat_green - age
    if tg <= 0.0 or v * tg <= dd:
        return math.inf  # arrives at green or later anyway
    va = dd / tg
    if va < GLOSA_V_MIN:
        return math.inf
    return (va - v) / GLOSA_TAU


def string_stability(speeds: npt.ArrayLike, norm: str = "max") -> npt.NDArray[np.float64]:
    """Ratios of speed-oscillation amplitudes down a platoon: ``A_i / A_{i-1}`` for each follower.

    ``speeds`` (m/s) has shape ``(n_ticks, n_vehicles)``, column 0 the platoon's head, rows
    the window to judge (cut off the start-up transient first). The amplitude ``A_i`` of
    vehicle ``i`` is its speed's deviation from its own mean over the window: ``norm="max"``
    the largest absolute deviation (L-infinity, the usual time-domain string-stability
    measure), ``"l2"`` the root mean square (the L2 norm, as in Ploeg et al. 2011's
    frequency-domain ``||Gamma|| <= 1``). Ratios <= 1 everywhere mean string-stable; their
    product is ``A_last / A_head``. A vehicle with zero amplitude before a non-zero one gives
    ``inf``, zero after zero gives 1.

    Raises:
        ValueError: for a ``norm`` other than ``"max"`` or ``"l2"``, or fewer than two
            vehicles.
    """
    arr = np.asarray(speeds, dtype=float)
    if arr.ndim != 2 or arr.shape[1] < 2:
        raise ValueError("speeds must have shape (n_ticks, n_vehicles >= 2)")
    dev = arr - arr.mean(axis=0)
    if norm == "max":
        amp = np.abs(dev).max(axis=0)
    elif norm == "l2":
        amp = np.sqrt((dev * dev).mean(axis=0))
    else:
        raise ValueError(f"norm must be 'max' or 'l2', not {norm!r}")
    num, den = amp[1:], amp[:-1]
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(den > 0, num / np.where(den > 0, den, 1.0), np.where(num > 0, np.inf, 1.0))
    return out
