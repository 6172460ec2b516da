"""Safety monitoring during a run: UAV conflicts and losses of separation.

Conflict detection runs every ``separation.interval`` s (as BlueSky's ASAS interval) over the
UAVs in the air, with the state-based method of :mod:`sim.kernels.conflict` (protected zone
``rpz`` x ``hpz``, look-ahead ``lookahead``). A pair entering conflict gives a ``conflict``
event; a pair losing separation gives a ``separation_loss`` event, which is a violation
(rule ``separation.loss``) and fails the run's verdict. Pairs are reported once per episode:
again only after they have been clear in between.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.kernels.air import PH_CRUISE, PH_LANDING, PH_TAKEOFF
from sim.kernels.conflict import CONFLICT, LOS, conflict_buffers, detect
from sim.state.fleet import ACTIVE, HELD, KIND_UAV

if TYPE_CHECKING:
    from sim.engine.simulation import Simulation


class SeparationMonitor:
    """UAV conflict detection state of one run."""

    def __init__(self, sim: Simulation) -> None:
        """Read the separation settings of the scenario."""
        self.sim = sim
        sep = sim.bundle.scenario.separation
        self.rpz = float(sep.rpz)
        self.hpz = float(sep.hpz)
        self.lookahead = float(sep.lookahead)
        self.every = max(1, round(sep.interval / sim.dt))
        self.bufs = conflict_buffers(256)
        self.conflicts: set[tuple[int, int]] = set()
        self.losses: set[tuple[int, int]] = set()
        self.n_conflicts = 0
        self.n_losses = 0
        self.min_separation = np.inf

    def step(self, tick: int, t: float) -> None:
        """Run detection on the ticks that fall on the detection interval."""
        if tick % self.every:
            return
        f = self.sim.fleet
        n = f.n
        airborne = (
            (f.kind[:n] == KIND_UAV)
            & ((f.status[:n] == ACTIVE) | (f.status[:n] == HELD))
            & (
                (f.phase[:n] == PH_TAKEOFF)
                | (f.phase[:n] == PH_CRUISE)
                | (f.phase[:n] == PH_LANDING)
            )
        )
        idx = np.nonzero(airborne)[0]
        if len(idx) < 2:
            self._update(t, set(), set(), {})
            return
        vx = f.speed[:n] * np.cos(f.heading[:n])
        vy = f.speed[:n] * np.sin(f.heading[:n])
        while True:
            k = detect(
                idx, f.x, f.y, f.z, vx, vy, f.vz, self.rpz, self.hpz, self.lookahead, *self.bufs
            )
            if k <= len(self.bufs[0]):
                break
            self.bufs = conflict_buffers(2 * k)
        own, intruder, tcpa, dcpa, _, _, flags = (b[:k] for b in self.bufs)
        once = own < intruder
        conflicts: set[tuple[int, int]] = set()
        losses: set[tuple[int, int]] = set()
        info: dict[tuple[int, int], tuple[float, float]] = {}
        for a, b, tc, dc, fl in zip(
            own[once], intruder[once], tcpa[once], dcpa[once], flags[once], strict=True
        ):
            pair = (int(a), int(b))
            info[pair] = (float(tc), float(dc))
            if fl & CONFLICT:
                conflicts.add(pair)
            if fl & LOS:
                losses.add(pair)
        self._update(t, conflicts, losses, info)

    def _update(
        self,
        t: float,
        conflicts: set[tuple[int, int]],
        losses: set[tuple[int, int]],
        info: dict[tuple[int, int], tuple[float, float]],
    ) -> None:
        f = self.sim.fleet
        for a, b in sorted(conflicts - self.conflicts):
            tc, dc = info[(a, b)]
            self.n_conflicts += 1
            self.sim.event(
                t, "conflict", f.ids[a], other=f.ids[b], tcpa=round(tc, 6), dcpa=round(dc, 6)
            )
        for a, b in sorted(losses - self.losses):
            self.n_losses += 1
            dist = float(np.hypot(f.x[a] - f.x[b], f.y[a] - f.y[b]))
            self.sim.violation(
                t,
                f.ids[a],
                "separation.loss",
                other=f.ids[b],
                detail=f"{dist:.1f} m horizontal, {abs(f.z[a] - f.z[b]):.1f} m "
                f"vertical (protected zone {self.rpz:g} m x {self.hpz:g} m)",
            )
        for a, b in info:
            d = float(np.hypot(f.x[a] - f.x[b], f.y[a] - f.y[b]))
            self.min_separation = min(self.min_separation, d)
        self.conflicts = conflicts
        self.losses = losses
