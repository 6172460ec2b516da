"""Scripted faults of connected driving, applied per vehicle and tick: V2X, GNSS, sensors.

Every kernel works on plain arrays and scalars in SI units (m). Fleet arrays are indexed by
agent index ``i``; ``idx`` lists the vehicles handled this tick; fault arrays by fault ``k``.

A fault (``sim.model.scenario.FaultEvent``) is active over a time window (the engine flips
``f_active``) and covers one agent (``f_agent >= 0``), every agent (``-1``) or nobody yet
(``-2``: its agent has not entered), optionally only inside a zone: the volumes
``f_vols[f_voff[k]:f_voff[k + 1]]`` of the compiled fences (:mod:`sim.geo.fences`), of which
only the horizontal outline counts (a circle, or rings by the even-odd rule). Kinds:

- :data:`FAULT_V2X`: the vehicle's delivery factor is multiplied by ``f_factor[k]`` (0 is a
  blackout);
- :data:`FAULT_GNSS`: its GNSS fix is off by ``(f_bx[k], f_by[k])`` m plus white Gaussian
  noise of ``f_noise[k]`` m per axis, drawn from the vehicle's counter-based stream
  (:func:`sim.kernels.noise.normal_pair` with counter ``GNSS_COUNTER + tick``), so a run
  is reproducible and adding a vehicle changes no other vehicle's error;
- :data:`FAULT_SENSOR`: its on-board perception is out (``sensor_ok = 0``).

Faults of one kind combine: factors multiply, biases add, variances add.
"""

from __future__ import annotations

import math

from numba import njit

from sim.kernels.fences import in_outline
from sim.kernels.noise import normal_pair

FAULT_V2X = 0
FAULT_GNSS = 1
FAULT_SENSOR = 2
GNSS_COUNTER = 1 << 40
"""Offset of the GNSS noise counters (above any tick, clear of the gusts' counters)."""


@njit(cache=True)
def fault_step(
    idx,
    tick,
    x,
    y,
    key,
    f_kind,
    f_active,
    f_agent,
    f_factor,
    f_noise,
    f_bx,
    f_by,
    f_voff,
    f_vols,
    vol_circle,
    cx,
    cy,
    radius,
    ring_start,
    ring_end,
    ring_off,
    vx,
    vy,
    degrade,
    sensor_ok,
    gnss_ex,
    gnss_ey,
):
    """Set ``degrade``, ``sensor_ok`` and the GNSS error ``gnss_ex``/``gnss_ey`` (m) of ``idx``.

    ``x``, ``y`` (m): true positions now; ``key`` (uint64): per-agent noise keys; fault
    arrays as in the module docstring. Vehicles no active fault covers get the nominal
    values (1, 1, 0, 0). O(len(idx) * active faults * their vertices).
    """
    nf = len(f_kind)
    for n in range(len(idx)):
        i = idx[n]
        g = 1.0
        ok = 1
        bx = 0.0
        by = 0.0
        var = 0.0
        for k in range(nf):
            if f_active[k] == 0 or f_agent[k] == -2:
                continue
            if f_agent[k] >= 0 and f_agent[k] != i:
                continue
            a = f_voff[k]
            b = f_voff[k + 1]
            if b > a:
                inside = False
                for q in range(a, b):
                    if in_outline(
                        x[i], y[i], f_vols[q], vol_circle, cx, cy, radius, ring_start,
                        ring_end, ring_off, vx, vy,
                    ):  # fmt: skip
                        inside = True
                        break
                if not inside:
                    continue
            kind = f_kind[k]
            if kind == FAULT_V2X:
                g *= f_factor[k]
            elif kind == FAULT_GNSS:
                bx += f_bx[k]
                by += f_by[k]
                var += f_noise[k] * f_noise[k]
            else:
                ok = 0
        degrade[i] = g
        sensor_ok[i] = ok
        if var > 0.0:
            n1, n2 = normal_pair(key[i], GNSS_COUNTER + tick)
            sd = math.sqrt(var)
            bx += sd * n1
            by += sd * n2
        gnss_ex[i] = bx
        gnss_ey[i] = by
