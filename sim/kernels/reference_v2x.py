"""Plain-Python twins of :mod:`sim.kernels.v2x`, used as test oracles.

Written independently of the numba code where a different method exists: the delivery
probability as the regularised upper incomplete gamma function of the Nakagami power
(a finite sum for integer ``m``), noise counters and draws with Python integers, and the
history as a dictionary keyed by ``(agent, tick)`` instead of a ring buffer (the caller's
ring arrays are then written from it, so the two can be compared array for array). They are
slow; never call them in a run.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from sim.kernels.reference import uniform_ref

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
_MASK = (1 << 64) - 1


def delivery_probability_ref(d: float, r: float, degrade: float = 1.0, m: int = 3) -> float:
    """``P(power >= threshold)`` for Nakagami-m power with mean ``(r/d)^2`` times the threshold.

    The power is Gamma(m, mean/m) distributed, so for integer ``m`` the probability is
    ``exp(-m q) sum_{k<m} (m q)^k / k!`` with ``q = (d/r)^2``.
    """
    if r <= 0.0 or degrade <= 0.0:
        return 0.0
    q = (d / r) ** 2
    p = math.exp(-m * q) * sum((m * q) ** k / math.factorial(k) for k in range(m))
    return p * min(degrade, 1.0)


def cam_counter_ref(sender: int, tick: int) -> int:
    """Twin of :func:`sim.kernels.v2x.cam_counter`."""
    return ((0x43 << 56) ^ ((tick << 32) & _MASK) ^ sender) & _MASK


def spat_counter_ref(light: int, tick: int) -> int:
    """Twin of :func:`sim.kernels.v2x.spat_counter`."""
    return ((0x53 << 56) ^ ((tick << 32) & _MASK) ^ light) & _MASK


def v2x_step_ref(
    idx: I64,
    tick: int,
    t: float,
    connected: npt.NDArray[np.bool_],
    src: I64,
    x: F64,
    y: F64,
    v: F64,
    a: F64,
    u: F64,
    px: F64,
    py: F64,
    key: npt.NDArray[np.uint64],
    degrade: F64,
    phase: I64,
    period_ticks: int,
    latency_ticks: int,
    r: float,
    log: dict[tuple[int, int], tuple[float, ...]],
    heard: dict[int, tuple[float, float, float, float, float, float, int]],
    counts: dict[str, dict[int, int]],
) -> None:
    """Twin of :func:`sim.kernels.v2x.v2x_step` on dictionaries.

    ``log[(i, tick)] = (t, x, y, v, a, u, degrade, px, py)`` holds every state written (kept
    forever; :func:`ring_from_log` turns it into the kernel's ring arrays); ``heard[i] = (t,
    v, a, u, px, py, from)``; ``counts["sent" | "recv" | "lost"][i]``.
    """
    for i in map(int, idx):
        if not connected[i]:
            continue
        log[(i, tick)] = (t, x[i], y[i], v[i], a[i], u[i], degrade[i], px[i], py[i])
        if (tick - int(phase[i])) % period_ticks == 0:
            counts["sent"][i] = counts["sent"].get(i, 0) + 1
    k = tick - latency_ticks
    if k < 0:
        return
    for i in map(int, idx):
        j = int(src[i])
        if not connected[i] or j < 0 or j == i or (k - int(phase[j])) % period_ticks != 0:
            continue
        if (i, k) not in log or (j, k) not in log:
            continue
        _, xi, yi, _, _, _, gi, _, _ = log[(i, k)]
        tj, xj, yj, vj, aj, uj, gj, pxj, pyj = log[(j, k)]
        p = delivery_probability_ref(math.hypot(xj - xi, yj - yi), r, gi * gj)
        if uniform_ref(int(key[i]), cam_counter_ref(j, k)) < p:
            heard[i] = (tj, vj, aj, uj, pxj, pyj, j)
            counts["recv"][i] = counts["recv"].get(i, 0) + 1
        else:
            counts["lost"][i] = counts["lost"].get(i, 0) + 1


def ring_from_log(
    log: dict[tuple[int, int], tuple[float, ...]], capacity: int, slots: int, tick: int
) -> tuple[npt.NDArray[np.generic], ...]:
    """The kernel's ring arrays (``hist_k``, ``hist_t`` ... ``hist_py``) after ``tick``.

    For each agent and slot: the latest logged tick on that slot, and its record.
    """
    hist_k = np.full((capacity, slots), -1, dtype=np.int64)
    rest = [np.zeros((capacity, slots)) for _ in range(9)]
    for (i, k), rec in sorted(log.items(), key=lambda item: item[0][1]):
        if k > tick:
            continue
        hist_k[i, k % slots] = k
        for arr, val in zip(rest, rec, strict=True):
            arr[i, k % slots] = val
    return (hist_k, *rest)


def spat_step_ref(
    idx: I64,
    tick: int,
    t: float,
    connected: npt.NDArray[np.bool_],
    light: I64,
    x: F64,
    y: F64,
    key: npt.NDArray[np.uint64],
    degrade: F64,
    period_ticks: int,
    r: float,
    l_x: F64,
    l_y: F64,
    l_state: I64,
    l_left: F64,
    l_green: F64,
    l_phase: I64,
    l_degrade: F64,
    heard: dict[int, tuple[float, int, float, float, int]],
    counts: dict[str, dict[int, int]],
) -> None:
    """Twin of :func:`sim.kernels.v2x.spat_step`: ``heard[i] = (t, state, left, green, light)``."""
    for i in map(int, idx):
        lt = int(light[i])
        if not connected[i] or lt < 0 or (tick - int(l_phase[lt])) % period_ticks != 0:
            continue
        d = math.hypot(l_x[lt] - x[i], l_y[lt] - y[i])
        p = delivery_probability_ref(d, r, degrade[i] * l_degrade[lt])
        if uniform_ref(int(key[i]), spat_counter_ref(lt, tick)) < p:
            heard[i] = (t, int(l_state[lt]), float(l_left[lt]), float(l_green[lt]), lt)
            counts["recv"][i] = counts["recv"].get(i, 0) + 1
        else:
            counts["lost"][i] = counts["lost"].get(i, 0) + 1
