"""A standalone 1-D platoon on a straight line, to test the CACC and V2X kernels without a world.

Vehicle 0 is the platoon's head, driven by a prescribed acceleration profile; vehicles 1..n-1
follow their predecessor with CACC (:func:`sim.kernels.cacc.cacc_step` or its twin) or with
IDM (:func:`sim.kernels.road.idm_acc`). Communication is either perfect (every follower hears
its predecessor's state of this tick, no latency, no loss) or goes through
:func:`sim.kernels.v2x.v2x_step`. Motion: ballistic update (Treiber & Kanagaraj 2015) with an
exact stop, as the road kernel. Each tick: the head's acceleration is set, the channel runs on
the states at ``t``, the controllers pick the accelerations for ``[t, t + dt)``, everyone
moves. Recorded rows are the states at ``t`` with the acceleration applied from ``t``.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sim.kernels import cacc, reference_cacc, v2x
from sim.kernels.road import idm_acc

F64 = npt.NDArray[np.float64]
LENGTH = 4.8  # [m] every vehicle


@dataclass
class Comm:
    """V2X settings: ``None`` in :func:`run` means perfect communication."""

    period_ticks: int = 1
    latency_ticks: int = 0
    r: float = 500.0  # [m]
    degrade: Callable[[float], float] = lambda t: 1.0  # factor of every unit at time t (s)
    seed: int = 7


@dataclass
class IdmParams:
    """IDM parameters of the followers (v0 m/s, T s, a m/s^2, b m/s^2, s0 m)."""

    v0: float = 33.3
    T: float = 0.7
    a: float = 1.0
    b: float = 1.5
    s0: float = 2.0
    delta: float = 4.0


@dataclass
class Result:
    """Recorded platoon, row per tick: ``t`` (s), ``x``, ``v``, ``a`` (n_ticks, n), ``gap``
    and ``mode`` (n_ticks, n - 1) of the followers, and the channel counters at the end."""

    t: F64
    x: F64
    v: F64
    a: F64
    gap: F64
    mode: npt.NDArray[np.int8]
    counters: dict[str, npt.NDArray[np.int64]] = field(default_factory=dict)


def sinusoid(mean: float, amp: float, period: float) -> tuple[float, Callable[[float], float]]:
    """Initial speed and head acceleration of ``v(t) = mean + amp sin(2 pi t / period)``."""
    w = 2.0 * math.pi / period
    return mean, lambda t: amp * w * math.cos(w * t)


def run(
    n: int,
    v_init: float,
    head_accel: Callable[[float], float],
    t_end: float,
    controller: str = "cacc",
    dt: float = 0.1,
    cfg: F64 | None = None,
    comm: Comm | None = None,
    idm: IdmParams | None = None,
    twin: bool = False,
    a_max: float = 2.5,
    max_decel: float = 8.0,
) -> Result:
    """Simulate ``n`` vehicles from equilibrium at ``v_init`` m/s until ``t_end`` s.

    ``controller``: ``"cacc"`` (with ``cfg`` from :func:`sim.kernels.cacc.cacc_config`) or
    ``"idm"`` (with ``idm``); ``twin``: use the plain-numpy CACC twin instead of the kernel.
    """
    cfg = cacc.cacc_config() if cfg is None else cfg
    idm = IdmParams() if idm is None else idm
    n_ticks = round(t_end / dt)
    if controller == "cacc":
        gap0 = cfg[cacc.C_R] + cfg[cacc.C_H] * v_init
    else:
        gap0 = (idm.s0 + v_init * idm.T) / math.sqrt(1.0 - (v_init / idm.v0) ** idm.delta)
    x = -np.arange(n) * (gap0 + LENGTH)
    v = np.full(n, v_init)
    a = np.zeros(n)
    u = np.zeros(n)
    h_used = np.zeros(n)
    mode = np.zeros(n, dtype=np.int8)
    a_out = np.zeros(n)
    lead = np.arange(-1, n - 1, dtype=np.int64)
    gap = np.full(n, 1.0e9)
    v0 = np.full(n, idm.v0)
    amax = np.full(n, a_max)
    mdec = np.full(n, max_decel)
    followers = np.arange(1, n, dtype=np.int64)
    everyone = np.arange(n, dtype=np.int64)
    heard_t, heard_v, heard_a, heard_u, heard_x, heard_y, heard_from = v2x.new_heard(n)
    counters = {k: np.zeros(n, dtype=np.int64) for k in ("sent", "recv", "lost")}
    if comm is not None:
        hist = v2x.new_history(n)
        keys = np.array(
            [s.generate_state(1, np.uint64)[0] for s in np.random.SeedSequence(comm.seed).spawn(n)]
        )
        phase = np.arange(n, dtype=np.int64) % comm.period_ticks
        connected = np.ones(n, dtype=np.bool_)
        yy = np.zeros(n)
    rec = {k: np.zeros((n_ticks, n)) for k in ("x", "v", "a")}
    rec_gap = np.zeros((n_ticks, n - 1))
    rec_mode = np.zeros((n_ticks, n - 1), dtype=np.int8)
    for k in range(n_ticks):
        t = k * dt
        a[0] = u[0] = head_accel(t)
        gap[1:] = x[:-1] - x[1:] - LENGTH
        if comm is None:  # perfect: this tick's state of the predecessor
            heard_t[1:] = t
            heard_v[1:] = v[:-1]
            heard_a[1:] = a[:-1]
            heard_u[1:] = u[:-1]
            heard_from[1:] = lead[1:]
        else:
            g = comm.degrade(t)
            v2x.v2x_step(
                everyone, k, t, connected, lead, x, yy, v, a, u, x, yy, keys, np.full(n, g),
                phase, comm.period_ticks, comm.latency_ticks, comm.r, *hist,
                heard_t, heard_v, heard_a, heard_u, heard_x, heard_y, heard_from,
                counters["sent"], counters["recv"], counters["lost"],
            )  # fmt: skip
        if controller == "cacc":
            step = reference_cacc.cacc_step_ref if twin else cacc.cacc_step
            step(
                followers, lead, gap, v, a, v0, amax, mdec, heard_t, heard_u, heard_from,
                t, dt, cfg, u, h_used, mode, a_out,
            )  # fmt: skip
        else:
            for i in range(1, n):
                acc = idm_acc(
                    v[i], v[i - 1], gap[i], idm.v0, idm.T, idm.a, idm.b, idm.s0, idm.delta
                )
                a_out[i] = max(acc, -max_decel)
        a[1:] = a_out[1:]
        rec["x"][k], rec["v"][k], rec["a"][k] = x, v, a
        rec_gap[k] = gap[1:]
        rec_mode[k] = mode[1:]
        # ballistic update with an exact stop
        v_new = v + a * dt
        stop = v_new < 0.0
        dx = np.where(stop, -(v * v) / (2.0 * np.where(stop, a, -1.0)), (v + v_new) * 0.5 * dt)
        x = x + dx
        v = np.where(stop, 0.0, v_new)
    return Result(
        np.arange(n_ticks) * dt, rec["x"], rec["v"], rec["a"], rec_gap, rec_mode, counters
    )
