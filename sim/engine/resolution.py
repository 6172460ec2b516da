"""Tactical conflict resolution for UAVs during a run: the modified voltage potential (MVP).

With ``[separation] resolution = "mvp"`` every detection pass turns the conflicts found into
velocity commands with :func:`sim.kernels.conflict.mvp` (BlueSky's MVP: each agent of a pair
moves away from the other's predicted position at the closest point of approach, the vertical
part shared half and half). A UAV here flies a corridor polyline, so only two parts of the
command can be flown:

- the horizontal command's component along the track becomes the commanded airspeed (m/s,
  clipped to ``[0, max_speed]``); the lateral component is dropped (no offset within the
  corridor's width yet);
- the vertical speed (m/s, within the climb and descent rates) becomes a target altitude
  ``z + v_z * tau`` for the kernel's first-order altitude hold (``tau`` = the engine's
  ``altitude_tau``), which the corridor's band still bounds. Level pairs split up and down
  (:func:`sim.kernels.conflict.mvp_pair` with ``level``), where BlueSky's MVP would send both
  the same way.

As in BlueSky, a pair stays in resolution until it has passed its closest point of approach
and is outside the protected zone; then its agents resume their planned speed and altitude.
Events: ``resolution`` when an agent starts manoeuvring, ``resume`` when it goes back.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

import numpy as np

from sim.kernels.air import PH_CRUISE
from sim.kernels.conflict import CONFLICT, mvp
from sim.state.fleet import ACTIVE

if TYPE_CHECKING:
    from sim.engine.simulation import Simulation

RESO_FACTOR = 1.01
"""Resolution zone over the protected zone, horizontally and vertically (BlueSky's default)."""
CORRIDOR_MODE = 2
"""``vertical`` argument of :func:`sim.kernels.conflict.mvp`: vertical part on, level pairs
split."""


class MvpResolution:
    """Resolution state of one run: pairs being resolved and the plans to resume."""

    def __init__(self, sim: Simulation, rpz: float, hpz: float, lookahead: float) -> None:
        """Keep the separation settings (m, m, s)."""
        self.sim = sim
        self.rpz = rpz
        self.hpz = hpz
        self.lookahead = lookahead
        self.pairs: set[tuple[int, int]] = set()
        self.saved: dict[int, tuple[float, float]] = {}  # agent -> planned (v0 m/s, z m)
        self.manoeuvres = 0

    def step(
        self,
        t: float,
        k: int,
        bufs: list[np.ndarray],
        idx: np.ndarray,
        vx: np.ndarray,
        vy: np.ndarray,
    ) -> None:
        """Resolve the ``k`` detection records in ``bufs`` among the airborne agents ``idx``."""
        f = self.sim.fleet
        own, intruder, tcpa, _, tin, _, flags = (b[:k] for b in bufs)
        conflict = (flags & CONFLICT) > 0
        for a, b in zip(own[conflict], intruder[conflict], strict=True):
            self.pairs.add((min(int(a), int(b)), max(int(a), int(b))))
        flying = set(idx.tolist())
        keep: set[tuple[int, int]] = set()
        for a, b in self.pairs:
            if a not in flying or b not in flying:
                continue
            dx, dy = f.x[b] - f.x[a], f.y[b] - f.y[a]
            closing = dx * (vx[b] - vx[a]) + dy * (vy[b] - vy[a]) < 0.0
            if closing or math.hypot(dx, dy) < self.rpz * RESO_FACTOR:
                keep.add((a, b))
        self.pairs = keep
        busy = {i for pair in keep for i in pair}
        if k:
            self._command(t, k, own, intruder, flags, tcpa, tin, idx, vx, vy, busy)
        for i in sorted(set(self.saved) - busy):
            v0, z = self.saved.pop(i)
            f.v0[i], f.z_cruise[i] = v0, z
            if f.status[i] == ACTIVE:
                self.sim.event(t, "resume", f.ids[i])

    def _command(
        self,
        t: float,
        k: int,
        own: np.ndarray,
        intruder: np.ndarray,
        flags: np.ndarray,
        tcpa: np.ndarray,
        tin: np.ndarray,
        idx: np.ndarray,
        vx: np.ndarray,
        vy: np.ndarray,
        busy: set[int],
    ) -> None:
        f = self.sim.fleet
        n = f.n
        new = [np.zeros(n) for _ in range(3)]
        resolved = np.zeros(n, dtype=np.int64)
        limits = (
            np.zeros(n),
            f.max_speed[:n].copy(),
            -f.descent_rate[:n],
            f.climb_rate[:n].copy(),
        )
        count = mvp(
            k, own, intruder, flags, tcpa, tin, idx, f.x, f.y, f.z, vx, vy, f.vz,
            self.rpz, self.hpz, self.lookahead, RESO_FACTOR, RESO_FACTOR, CORRIDOR_MODE,
            *limits, *new, resolved,
        )  # fmt: skip
        tau = self.sim.cfg.altitude_tau
        for i in resolved[:count].tolist():
            if i not in busy or f.phase[i] != PH_CRUISE or f.status[i] != ACTIVE:
                continue
            if i not in self.saved:
                self.saved[i] = (float(f.v0[i]), float(f.z_cruise[i]))
                self.manoeuvres += 1
                self.sim.event(t, "resolution", f.ids[i], method="mvp")
            h = float(f.heading[i])
            along = float(new[0][i]) * math.cos(h) + float(new[1][i]) * math.sin(h)
            f.v0[i] = min(max(along, 0.0), float(f.max_speed[i]))
            f.z_cruise[i] = float(f.z[i]) + float(new[2][i]) * tau
