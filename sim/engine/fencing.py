"""Runtime fence monitoring: zone schedules during a run, breach rules and breach actions.

Every tick the fence kernel updates, for each monitored agent (agents under a permit, and every
UAV), the list of active zones it is inside, and reports enter/exit/speeding events. This
module turns those into trace events and breaches:

- entering an active PROHIBITED zone (``no_fly``) whose rules apply to the agent's kind:
  breach ``fence.prohibited``;
- entering a REQ_AUTHORISATION zone the agent's permit does not name: ``fence.authorisation``;
- entering a CONDITIONAL zone: a ``zone_conditions`` event carrying the zone's conditions;
- leaving the test areas / test waters its permit names (being inside none of them and not on
  a corridor or waterway the permit names), or starting outside them: ``fence.left_test_area``;
- driving faster than a zone's ``max_speed``: ``fence.speeding``.

A breach carries out the stricter of the zone's and the agent's permit's breach action:
``warn`` (record only), ``hold`` (UAV hovers, others stop), ``stop`` (stop in lane / in the
water), ``land`` (UAV lands where it is), ``return`` (UAV flies back along its route to the
launch vertiport; others stop).
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import numpy as np
import simpy

from sim.geo.fences import INCLUSION, compile_fences
from sim.kernels.air import PH_CRUISE, PH_LANDING, PH_TAKEOFF
from sim.kernels.fences import EV_ENTER, EV_EXIT, EV_SPEEDING, MAX_INSIDE, fence_step
from sim.model.map import REVERSE_SUFFIX, Crs
from sim.model.zone import BreachAction, Restriction, stricter_action
from sim.state.fleet import ACTIVE, HELD, KIND_UAV

if TYPE_CHECKING:
    from sim.engine.simulation import Simulation


class FenceMonitor:
    """Fence state of one run."""

    def __init__(self, sim: Simulation) -> None:
        """Compile the scenario's zones and start their schedule processes."""
        self.sim = sim
        self.fa = compile_fences(sim.bundle.map, sim.bundle.zone_sets, sim.frame)
        nz = self.fa.n_zones
        self.active = np.zeros(max(1, nz), dtype=np.bool_)
        self.override: dict[int, bool] = {}
        sc = sim.bundle.scenario
        self.start = sc.start
        for zn, zone in enumerate(self.fa.zones):
            self.active[zn] = zone.is_active(sc.start)
        self.inside = np.full((64, MAX_INSIDE), -1, dtype=np.int32)
        self.n_inside = np.zeros(64, dtype=np.int32)
        self.speeding = np.full(64, -1, dtype=np.int32)
        self.monitored = np.zeros(64, dtype=np.bool_)
        self.first_check = np.zeros(64, dtype=np.bool_)
        self.ev = [np.zeros(256, dtype=np.int64) for _ in range(3)]
        self.breaches: dict[str, int] = {}
        self.permit_zones: dict[int, set[int]] = {}
        self.permit_edges: dict[int, set[str]] = {}
        self.permit_action: dict[int, BreachAction] = {}

    # --- schedules -----------------------------------------------------------------------------
    def processes(self, env: simpy.Environment, duration: float) -> None:
        """Start one process per scheduled zone that toggles its activity during the run."""
        t0 = self.start
        t1 = t0 + dt.timedelta(seconds=duration)
        for zn, zone in enumerate(self.fa.zones):
            if all(s.permanent for s in zone.schedule):
                continue
            changes: set[float] = set()
            for s in zone.schedule:
                for a, b in s.active_intervals(t0, t1):
                    changes.add((a - t0).total_seconds())
                    changes.add((b - t0).total_seconds())
            times = sorted(c for c in changes if 0.0 < c < duration)
            if times:
                env.process(self._schedule(env, zn, times))

    def _schedule(self, env: simpy.Environment, zn: int, times: list[float]) -> Any:
        zone = self.fa.zones[zn]
        for t in times:
            yield env.timeout(t - env.now)
            if zn in self.override:
                continue
            now = zone.is_active(self.start + dt.timedelta(seconds=t))
            if now != bool(self.active[zn]):
                self.active[zn] = now
                self.sim.event(t, "zone_active" if now else "zone_inactive", None, zone=zone.id)

    def set_override(self, zone_id: str, active: bool) -> None:
        """A platform's close (active) / open (inactive) order, kept for the rest of the run."""
        try:
            zn = self.fa.index(zone_id)
        except ValueError:
            return
        self.override[zn] = active
        self.active[zn] = active

    # --- agents --------------------------------------------------------------------------------
    def _grow(self, n: int) -> None:
        cap = len(self.n_inside)
        if n <= cap:
            return
        new = max(n, 2 * cap)
        inside = np.full((new, MAX_INSIDE), -1, dtype=np.int32)
        inside[:cap] = self.inside
        self.inside = inside
        for name, fill, dtype in (
            ("n_inside", 0, np.int32),
            ("speeding", -1, np.int32),
            ("monitored", False, np.bool_),
            ("first_check", False, np.bool_),
        ):
            arr = np.full(new, fill, dtype=dtype)
            arr[:cap] = getattr(self, name)
            setattr(self, name, arr)

    def watch(self, i: int, permit_id: str | None) -> None:
        """Start monitoring agent ``i`` (called when it joins the fleet)."""
        self._grow(i + 1)
        f = self.sim.fleet
        if permit_id is None and f.kind[i] != KIND_UAV:
            return
        self.monitored[i] = True
        self.first_check[i] = True
        zones: set[int] = set()
        if permit_id is not None:
            permit = self.sim.bundle.permits[permit_id]
            for zid in permit.zones:
                if zid in self.fa.zone_ids:
                    zones.add(self.fa.index(zid))
            self.permit_edges[i] = set(permit.corridors) | set(permit.waters)
            if permit.conditions.breach_action is not None:
                self.permit_action[i] = permit.conditions.breach_action
        self.permit_zones[i] = zones

    def step(self, t: float) -> None:
        """Run the fence kernel over the monitored moving agents and act on its events."""
        sim = self.sim
        f = sim.fleet
        n = f.n
        if self.fa.n_zones == 0 or n == 0:
            return
        self._grow(n)
        moving = (f.status[:n] == ACTIVE) | (f.status[:n] == HELD)
        idx = np.nonzero(moving & self.monitored[:n])[0]
        if len(idx) == 0:
            return
        need = len(idx) * (2 * MAX_INSIDE + 1)
        if len(self.ev[0]) < need:
            self.ev = [np.zeros(2 * need, dtype=np.int64) for _ in range(3)]
        fa = self.fa
        k = fence_step(
            idx, f.kind, f.x, f.y, f.z, f.speed, self.active, *fa.kernel_args(),
            self.inside, self.n_inside, self.speeding, *self.ev,
        )  # fmt: skip
        for q in range(k):
            self._event(t, int(self.ev[0][q]), int(self.ev[1][q]), int(self.ev[2][q]))
        firsts = idx[self.first_check[idx]]
        for i in firsts:
            self.first_check[i] = False
            self._check_inclusion(t, int(i), None)

    def _inclusion_zones(self, i: int) -> list[int]:
        bit = 1 << int(self.sim.fleet.kind[i])
        return [
            zn
            for zn in self.permit_zones.get(i, ())
            if self.fa.zones[zn].kind in INCLUSION and (self.fa.kinds[zn] & bit) and self.active[zn]
        ]

    def _check_inclusion(self, t: float, i: int, left: int | None) -> None:
        allowed = self._inclusion_zones(i)
        if not allowed:
            return
        if self._on_permitted_edge(i):
            return
        now = set(self.inside[i, : self.n_inside[i]].tolist())
        if now.isdisjoint(allowed):
            zn = left if left is not None else allowed[0]
            self.breach(
                t,
                i,
                zn,
                "fence.left_test_area",
                detail="outside the test areas of its permit"
                if left is None
                else "left the test areas of its permit",
            )

    def _on_permitted_edge(self, i: int) -> bool:
        """Whether agent ``i`` is on a corridor or waterway its permit names.

        Outside its test areas a UAV may fly only its permitted corridors, a ship only its
        permitted waters.
        """
        edges = self.permit_edges.get(i)
        if not edges:
            return False
        f = self.sim.fleet
        layer = self.sim.layer_of(i)
        edge_id = layer.edge_ids[int(f.edge[i])].removesuffix(REVERSE_SUFFIX)
        return edge_id in edges

    def _event(self, t: float, i: int, zn: int, kind: int) -> None:
        sim = self.sim
        f = sim.fleet
        zone = self.fa.zones[zn]
        aid = f.ids[i]
        if kind == EV_ENTER:
            sim.event(t, "zone_enter", aid, zone=zone.id)
            authorised = zn in self.permit_zones.get(i, ())
            if zone.restriction is Restriction.PROHIBITED:
                self.breach(t, i, zn, "fence.prohibited", detail=zone.message or "prohibited zone")
            elif zone.restriction is Restriction.REQ_AUTHORISATION and not authorised:
                self.breach(
                    t,
                    i,
                    zn,
                    "fence.authorisation",
                    detail=f"entered without an authorisation naming zone {zone.id}",
                )
            elif zone.restriction is Restriction.CONDITIONAL:
                sim.event(t, "zone_conditions", aid, zone=zone.id, conditions=zone.conditions)
        elif kind == EV_EXIT:
            sim.event(t, "zone_exit", aid, zone=zone.id)
            if zn in self.permit_zones.get(i, ()) and zone.kind in INCLUSION:
                self._check_inclusion(t, i, zn)
        elif kind == EV_SPEEDING and i in self.permit_zones:
            self.breach(
                t,
                i,
                zn,
                "fence.speeding",
                detail=f"at {f.speed[i]:.1f} m/s, above the zone limit "
                f"{self.fa.max_speed[zn]:.1f} m/s",
            )

    # --- breaches ------------------------------------------------------------------------------
    def breach(self, t: float, i: int, zn: int, rule: str, detail: str) -> None:
        """Record a breach and carry out the stricter of the zone's and the permit's action."""
        zone = self.fa.zones[zn]
        action = stricter_action(zone.rules.breach_action, self.permit_action.get(i))
        self.breaches[rule] = self.breaches.get(rule, 0) + 1
        f = self.sim.fleet
        self.sim.event(
            t,
            "breach",
            f.ids[i],
            rule=rule,
            zone=zone.id,
            action=action.value,
            detail=detail,
            where=[round(float(f.x[i]), 3), round(float(f.y[i]), 3), round(float(f.z[i]), 3)],
        )
        self.act(i, action)

    def act(self, i: int, action: BreachAction) -> None:
        """Carry out a breach action on agent ``i``."""
        f = self.sim.fleet
        if action is BreachAction.WARN or f.status[i] != ACTIVE:
            return
        if f.kind[i] == KIND_UAV and action is BreachAction.LAND:
            self.sim.forced_landing.add(i)
            f.phase[i] = PH_LANDING
            f.speed[i] = 0.0
            f.z_goal[i] = self._ground(float(f.x[i]), float(f.y[i]))
        elif f.kind[i] == KIND_UAV and action is BreachAction.RETURN:
            if not self.sim.return_to_launch(i):
                f.status[i] = HELD
        elif f.kind[i] == KIND_UAV and f.phase[i] not in (PH_TAKEOFF, PH_CRUISE):
            return
        else:
            f.status[i] = HELD

    def _ground(self, x: float, y: float) -> float:
        the_map = self.sim.bundle.map
        proj = self.sim.frame.projection
        if the_map.header.crs is Crs.LOCAL or proj is None:
            return the_map.ground_elevation(x, y)
        lon, lat = proj.to_wgs84(x, y)
        return the_map.ground_elevation(float(lon), float(lat))

    @property
    def total_breaches(self) -> int:
        """Number of breaches so far."""
        return sum(self.breaches.values())
