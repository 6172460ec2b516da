"""The permit's own caps during a run: speed (all kinds) and altitude (UAVs).

The static check refuses plans above a permit's ``speed_cap`` or ``altitude_cap``; during a run
a vehicle can still go above them (a corridor's band lifts a UAV, tactical conflict resolution
makes it climb, a plan was run without being checked). Every tick, over the agents under a
permit with a cap, vectorised: a speed above the cap by more than 0.1 m/s, or an altitude above
it by more than 0.5 m, starts an episode and is a violation (``permit.speed_exceeded``,
``permit.altitude_exceeded``); the episode ends when the agent is back under the cap. An AGL
altitude cap is converted once with the ground elevation at the agent's first route point.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.model.map import Crs
from sim.state.fleet import ACTIVE, HELD, KIND_UAV

if TYPE_CHECKING:
    from sim.engine.simulation import Simulation

SPEED_TOLERANCE = 0.1
"""Speed (m/s) above the cap that counts as exceeding it."""
ALTITUDE_TOLERANCE = 0.5
"""Height (m) above the cap that counts as exceeding it."""


class PermitCapMonitor:
    """Speed and altitude caps of the agents' permits (arrays indexed like the fleet)."""

    def __init__(self, sim: Simulation) -> None:
        """Start with no agent capped."""
        self.sim = sim
        self.speed_cap = np.full(64, np.inf)  # m/s
        self.alt_cap = np.full(64, np.inf)  # m AMSL
        self.over_speed = np.zeros(64, dtype=np.bool_)
        self.over_alt = np.zeros(64, dtype=np.bool_)
        self.permit: dict[int, str] = {}

    def _grow(self, n: int) -> None:
        cap = len(self.speed_cap)
        if n <= cap:
            return
        new = max(n, 2 * cap)
        for name, fill in (
            ("speed_cap", np.inf),
            ("alt_cap", np.inf),
            ("over_speed", False),
            ("over_alt", False),
        ):
            old = getattr(self, name)
            arr = np.full(new, fill, dtype=old.dtype)
            arr[:cap] = old
            setattr(self, name, arr)

    def watch(self, i: int, permit_id: str | None, layer: str, first_edge: int) -> None:
        """Take agent ``i``'s caps from its permit (called when it joins the fleet)."""
        self._grow(i + 1)
        if permit_id is None:
            return
        cond = self.sim.bundle.permits[permit_id].conditions
        if cond.speed_cap is None and cond.altitude_cap is None:
            return
        self.permit[i] = permit_id
        if cond.speed_cap is not None:
            self.speed_cap[i] = float(cond.speed_cap)
        if cond.altitude_cap is not None and self.sim.fleet.kind[i] == KIND_UAV:
            arr = self.sim.layers[layer]
            p = int(arr.pts_off[first_edge])
            x, y = float(arr.pts_x[p]), float(arr.pts_y[p])
            the_map = self.sim.bundle.map
            proj = self.sim.frame.projection
            if the_map.header.crs is not Crs.LOCAL and proj is not None:
                lon, lat = proj.to_wgs84(x, y)
                x, y = float(lon), float(lat)
            amsl = the_map.to_amsl(cond.altitude_cap, x, y)
            self.alt_cap[i] = amsl if amsl is not None else float(cond.altitude_cap.value)

    def step(self, t: float) -> None:
        """Report agents that went above a cap since the last tick."""
        if not self.permit:
            return
        f = self.sim.fleet
        n = f.n
        self._grow(n)
        moving = (f.status[:n] == ACTIVE) | (f.status[:n] == HELD)
        fast = moving & (f.speed[:n] > self.speed_cap[:n] + SPEED_TOLERANCE)
        high = moving & (f.z[:n] > self.alt_cap[:n] + ALTITUDE_TOLERANCE)
        for i in np.nonzero(fast & ~self.over_speed[:n])[0].tolist():
            self.sim.violation(
                t,
                f.ids[i],
                "permit.speed_exceeded",
                permit=self.permit[i],
                speed=f"{f.speed[i]:.1f} m/s",
                cap=f"{self.speed_cap[i]:.1f} m/s",
                where=_where(f.x[i], f.y[i], f.z[i]),
            )
        for i in np.nonzero(high & ~self.over_alt[:n])[0].tolist():
            self.sim.violation(
                t,
                f.ids[i],
                "permit.altitude_exceeded",
                permit=self.permit[i],
                alt=f"{f.z[i]:.1f} m AMSL",
                cap=f"{self.alt_cap[i]:.1f} m AMSL",
                where=_where(f.x[i], f.y[i], f.z[i]),
            )
        self.over_speed[:n] = fast
        self.over_alt[:n] = high


def _where(x: float, y: float, z: float) -> list[float]:
    return [round(float(x), 3), round(float(y), 3), round(float(z), 3)]
