"""One run of a scenario: a SimPy environment, a physics tick, and discrete processes.

The physics tick runs every ``dt`` s at absolute times ``k * dt`` and calls one numba kernel per
domain over the fleet arrays. Departures (scheduled agents, seeded Poisson flows), signal
plans and scripted events are SimPy processes; Python touches single agents only when they
spawn or when a kernel flags them (arrived, battery empty).

Randomness: one ``numpy.random.SeedSequence(seed)`` per run, spawned into one child per
scheduled agent, one per flow and one for the weather, so adding an agent does not change
other agents' randomness. No wall-clock time enters the results.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import simpy

from sim.engine.fencing import FenceMonitor
from sim.engine.kernel_args import air_args, road_args, water_args
from sim.engine.permit_caps import PermitCapMonitor
from sim.engine.recorder import NullRecorder, Recorder
from sim.engine.replay import ReplayStore, match_route
from sim.engine.routes import Router
from sim.engine.safety import CollisionMonitor, PetMonitor, SeparationMonitor
from sim.engine.v2x import FIELDS as V2X_FIELDS
from sim.engine.v2x import ConnectedDriving, is_connected_draw
from sim.geo.localmap import LocalFrame
from sim.kernels.air import PH_TAKEOFF, air_step, band_at
from sim.kernels.geometry import MAX_LANES, road_point
from sim.kernels.metrics import accumulate, car_following_metrics_fleet, run_totals
from sim.kernels.replay import replay_step
from sim.kernels.road import road_step, road_workspace
from sim.kernels.water import water_step
from sim.model.bundle import ScenarioBundle
from sim.model.map import Junction
from sim.model.scenario import (
    AgentEvent,
    AgentSpec,
    FaultEvent,
    FlowSpec,
    SpeedLimitEvent,
    ZoneEvent,
)
from sim.model.vehicle import Domain, RoadVehicleType, ShipType, UavType
from sim.network.arrays import LayerArrays, build_layer
from sim.rules.catalogue import make as make_violation
from sim.rules.violation import Violation
from sim.state.fleet import (
    ACTIVE,
    ARRIVED,
    FAILED,
    HELD,
    KIND_ICV,
    KIND_NAMES,
    KIND_SHIP,
    KIND_UAV,
    WAITING,
    FleetState,
)

TRACE_FIELDS = ("x", "y", "z", "heading", "speed", "ttc")
KIND_OF_DOMAIN = {Domain.ICV: KIND_ICV, Domain.UAV: KIND_UAV, Domain.SHIP: KIND_SHIP}
LAYER_OF_KIND = {KIND_ICV: "road", KIND_UAV: "air", KIND_SHIP: "water"}


@dataclass(frozen=True)
class EngineConfig:
    """Model constants of the engine (documented defaults; SI units)."""

    approach: float = 60.0
    """Distance (m) before a junction within which gap acceptance applies."""
    critical_gap: float = 3.0
    """Critical gap (s) a minor-road vehicle needs before a major-road vehicle arrives."""
    lc_cooldown: float = 3.0
    """Time (s) after a lane change before the next is considered."""
    lc_min_dist: float = 30.0
    """No lane changes closer than this (m) to the end of an edge."""
    altitude_tau: float = 5.0
    """Time constant (s) of the UAV altitude hold."""
    ship_lookahead: float = 3.0
    """Ship look-ahead distance in ship lengths (at least 20 m)."""
    rudder_max: float = math.radians(35.0)
    ship_omega: float = 0.15
    """Natural frequency (rad/s) of the ships' heading loop."""
    ship_zeta: float = 0.9
    speed_factor_std: float = 0.1
    """Spread of background drivers' desired speed (as a factor, clipped to 0.8..1.2)."""
    ttc_threshold: float = 3.0
    """TTC threshold (s) of TET and TIT (Minderhoud & Bovy 2001; SUMO SSM's default is 3 s)."""
    pet_threshold: float = 2.0
    """PET (s) below which a junction encroachment is reported (SUMO SSM's default: 2 s)."""


MAX_RECORDS = 1000
"""Most violation records kept in a run's summary (all are events in the trace)."""


@dataclass
class RunResult:
    """What a run did (counts; ``wall_time`` is measured, never written into the trace)."""

    ticks: int
    sim_time: float
    wall_time: float
    spawned: int
    arrived: int
    failed: int
    active: int
    vehicle_updates: int
    events: int
    summary: dict[str, Any] = field(default_factory=dict)


@dataclass
class _Pending:
    index: int
    since: float


class Simulation:
    """A scenario ready to run."""

    def __init__(
        self,
        bundle: ScenarioBundle,
        *,
        seed: int | None = None,
        until: float | None = None,
        record_every: int | None = None,
        recorder: Recorder | None = None,
        config: EngineConfig | None = None,
    ) -> None:
        """Prepare the run.

        Args:
            bundle: the validated scenario.
            seed: overrides the scenario's seed.
            until: stop after this many seconds (default: the scenario's duration).
            record_every: overrides the scenario's frame interval (ticks).
            recorder: where frames and events go (default: kept events only).
            config: model constants.
        """
        self.bundle = bundle
        sc = bundle.scenario
        self.seed = sc.seed if seed is None else int(seed)
        self.dt = float(sc.dt)
        self.duration = float(sc.duration if until is None else min(until, sc.duration))
        self.n_ticks = round(self.duration / self.dt)
        self.record_every = int(record_every or sc.record_every)
        self.recorder: Recorder = recorder if recorder is not None else NullRecorder()
        self.cfg = config or EngineConfig()
        frame = LocalFrame.of_map(bundle.map)
        self.frame = frame
        self.layers: dict[str, LayerArrays] = {
            name: build_layer(bundle.map, name, frame) for name in ("road", "air", "water")
        }
        self.routers = {name: Router(arr) for name, arr in self.layers.items()}
        self.fleet = FleetState(capacity=max(64, 2 * (len(sc.agent) + 1)))
        self.road_ws = road_workspace(self.layers["road"].n_edges)
        self.metric_buf = [np.empty(64) for _ in range(3)]
        self.lead = np.full(0, -1, dtype=np.int64)
        """Each road agent's leader (-1 none) at the start of the last tick."""
        self.gap = np.full(0, 1.0e9)
        """Bumper-to-bumper gap (m) to that leader."""
        self.flag_buf = np.zeros(64, dtype=np.int64)
        root = np.random.SeedSequence(self.seed)
        n_agents, n_flows = len(sc.agent), len(sc.flow)
        children = root.spawn(n_agents + n_flows + 1)
        self.agent_seeds = children[:n_agents]
        self.flow_seeds = children[n_agents : n_agents + n_flows]
        self.weather_seed = children[-1]
        self.meta: list[dict[str, Any]] = []
        self.pending: dict[str, list[_Pending]] = {"road": [], "air": [], "water": []}
        self.hold_on_spawn: set[str] = set()
        self.replay = ReplayStore()
        self.starts: dict[int, tuple[int, float, int, float]] = {}
        """Road agents placed mid-route on entry: route position, ``s`` (m), lane, speed (m/s)."""
        self._room: tuple[int, tuple[np.ndarray, np.ndarray]] | None = None
        self.spawned = 0
        self.arrived = 0
        self.failed = 0
        self.updates = 0
        self.peak_road = 0
        self.n_events = 0
        self.violation_events: list[dict[str, Any]] = []
        self.violation_list: list[Violation] = []
        self.violations: dict[str, int] = {}
        self.forced_landing: set[int] = set()
        self.tick = 0
        self.env = simpy.Environment()
        self.fences = FenceMonitor(self)
        self.caps = PermitCapMonitor(self)
        self.separation = SeparationMonitor(self)
        self.pet = PetMonitor(self)
        self.collisions = CollisionMonitor(self)
        self.v2x = ConnectedDriving(self)
        self.progress: Callable[[float, float, Simulation], None] | None = None
        w = sc.wind
        wu, wv = w.mean_vector()
        self.air_cfg = np.array([wu, wv, w.gust_std, w.gust_tau, self.cfg.altitude_tau])
        self.road_cfg = np.array(
            [self.cfg.approach, self.cfg.critical_gap, self.cfg.lc_cooldown, self.cfg.lc_min_dist]
        )
        self.water_cfg = np.array(
            [self.cfg.ship_lookahead, self.cfg.rudder_max, self.cfg.ship_omega, self.cfg.ship_zeta]
        )

    @property
    def trace_fields(self) -> tuple[str, ...]:
        """Names of the trace's value columns.

        :data:`TRACE_FIELDS`, plus the V2X columns (:data:`sim.engine.v2x.FIELDS`) when the
        run has connected vehicles.
        """
        return TRACE_FIELDS + V2X_FIELDS if self.v2x.enabled else TRACE_FIELDS

    # --- events -----------------------------------------------------------------------------
    def event(self, t: float, kind: str, agent: str | None = None, **data: Any) -> None:
        """Record an event (trace events table); violations are also kept for the verdict."""
        self.n_events += 1
        self.recorder.add_event(round(t, 9), kind, agent, **data)
        if kind == "breach":
            self._violated(t, agent, str(data["rule"]), data)

    def violation(self, t: float, agent: str | None, rule: str, **data: Any) -> None:
        """Record a violation (fails the run's verdict) as an event named after its rule."""
        kind = rule.split(".")[0] if rule.startswith("collision") else rule.replace(".", "_")
        self.n_events += 1
        self.recorder.add_event(round(t, 9), kind, agent, rule=rule, **data)
        self._violated(t, agent, rule, data)

    def _violated(self, t: float, agent: str | None, rule: str, data: dict[str, Any]) -> None:
        """Keep a violation for the verdict, as the catalogue's :class:`Violation` type."""
        self.violation_events.append({"t": t, "agent": agent, "rule": rule, **data})
        self.violations[rule] = self.violations.get(rule, 0) + 1
        fields = {k: v for k, v in data.items() if k not in ("rule", "zone", "where", "detail")}
        v = make_violation(
            rule,
            agent=agent,
            zone=data.get("zone"),
            time=(t, t),
            where=tuple(data["where"]) if data.get("where") is not None else None,
            **fields,
        )
        if data.get("detail"):
            v = replace(v, message=f"{v.message}: {data['detail']}")
        self.violation_list.append(v)

    # --- spawning ----------------------------------------------------------------------------
    def _route(self, spec: AgentSpec | FlowSpec, layer: str) -> np.ndarray:
        router = self.routers[layer]
        if spec.route is not None:
            return router.from_nodes(spec.route)
        return router.shortest(*spec.endpoints)

    def add_agent(
        self,
        agent_id: str,
        vt: RoadVehicleType | UavType | ShipType,
        spec: AgentSpec | FlowSpec,
        key: int,
        permit: str | None,
        v0: float | None,
        t: float,
        connected: bool = False,
    ) -> int:
        """Put an agent into the fleet (WAITING) and queue it for entry.

        ``connected``: an ICV with a V2X unit, driven by CACC (:mod:`sim.engine.v2x`).
        """
        kind = KIND_OF_DOMAIN[vt.domain]
        layer = LAYER_OF_KIND[kind]
        route = self._route(spec, layer)
        f = self.fleet
        i = f.add(agent_id, kind, route)
        f.rng_key[i] = np.uint64(key)
        f.max_speed[i] = vt.max_speed
        if isinstance(vt, RoadVehicleType):
            f.length[i], f.width[i], f.height[i] = vt.length, vt.width, 1.6
            f.v0[i] = min(v0 if v0 is not None else vt.idm.v0, vt.max_speed)
            f.T[i], f.a_max[i], f.b_comf[i] = vt.idm.T, vt.idm.a, vt.idm.b
            f.s0[i], f.delta[i] = vt.idm.s0, vt.idm.delta
            f.politeness[i], f.lc_threshold[i] = vt.mobil.politeness, vt.mobil.threshold
            f.b_safe[i], f.max_decel[i] = vt.mobil.b_safe, vt.max_decel
            if connected:
                self.v2x.connect(i)
            if isinstance(spec, AgentSpec):
                self._road_start(i, spec, route, t)
        elif isinstance(vt, UavType):
            f.length[i] = f.width[i] = vt.span
            f.height[i] = vt.height
            f.v0[i] = min(v0 if v0 is not None else vt.cruise_speed, vt.max_speed)
            f.a_max[i], f.climb_rate[i], f.descent_rate[i] = (
                vt.max_accel,
                vt.climb_rate,
                vt.descent_rate,
            )
            f.endurance[i] = vt.endurance
        else:
            f.length[i], f.width[i], f.height[i] = vt.length, vt.beam, 2.0
            f.v0[i] = min(v0 if v0 is not None else vt.max_speed * 0.8, vt.max_speed)
            f.a_max[i], f.speed_tau[i] = vt.max_accel, vt.speed_time_constant
            f.nomoto_k[i], f.nomoto_t[i] = vt.nomoto_k, vt.nomoto_t
        altitude = getattr(spec, "altitude", None)
        arr = self.layers[layer]
        if kind == KIND_UAV:
            e0 = int(route[0])
            x0, y0 = arr.pts_x[arr.pts_off[e0]], arr.pts_y[arr.pts_off[e0]]
            if altitude is not None:
                start = self.bundle.map.nodes("air")[arr.node_ids[arr.edge_from[e0]]].position
                z_plan = self.bundle.map.to_amsl(altitude, start[0], start[1])
                f.z_cruise[i] = altitude.value if z_plan is None else z_plan
            else:
                fl, ce = band_at(arr.pts_off, arr.pts_s, arr.floor, arr.ceiling, e0, 0.0)
                f.z_cruise[i] = 0.5 * (fl + ce)
            f.z_goal[i] = arr.node_ground[arr.edge_to[int(route[-1])]]
            f.z[i] = arr.node_ground[arr.edge_from[e0]]
            f.x[i], f.y[i] = x0, y0
        self.meta.append({"id": agent_id, "type": vt.id, "permit": permit})
        self.recorder.add_agent(
            i,
            agent_id,
            KIND_NAMES[kind],
            vt.id,
            permit,
            float(f.length[i]),
            float(f.width[i]),
            route=[arr.edge_ids[int(e)] for e in route],
        )
        self.pending[layer].append(_Pending(i, t))
        self.fences.watch(i, permit)
        self.caps.watch(i, permit, layer, int(route[0]))
        return i

    def _road_start(self, i: int, spec: AgentSpec, route: np.ndarray, t: float) -> None:
        """Place a recorded or mid-route ICV: its replay store entry and its start."""
        f = self.fleet
        road = self.layers["road"]
        if spec.trajectory is not None:
            tr = spec.trajectory
            xy = self.frame.xy(list(zip(tr.x, tr.y, strict=True)))
            heading, speed = np.array(tr.heading), np.array(tr.speed)
            lanes = np.array(tr.lane, dtype=np.int32) if tr.lane is not None else None
            length = float(f.length[i])
            if self.bundle.scenario.trajectories == "simulate":  # only the first state counts
                first = match_route(
                    road, route, xy[:1, 0], xy[:1, 1], length, None if lanes is None else lanes[:1]
                )
                pos, s, lane = (v[0].item() for v in first)
            else:
                f.replay[i] = 1
                self.replay.add(i, road, route, t, tr.dt, xy, heading, speed, length, lanes)
                pos, s, lane = self.replay.first(i)
            self.starts[i] = (pos, s, lane, float(speed[0]))
            f.x[i], f.y[i], f.heading[i] = xy[0, 0], xy[0, 1], heading[0]
        elif spec.start is not None:
            st = spec.start
            self.starts[i] = (0, st.s, st.lane, st.speed)

    def _place(self, i: int) -> None:
        """Put a road agent where :attr:`starts` says (lane and ``s`` clipped to the edge)."""
        f = self.fleet
        road = self.layers["road"]
        pos, s, lane, speed = self.starts.pop(i)
        o, n = int(f.route_off[i]), int(f.route_len[i])
        e = int(f.routes[o + pos])
        f.route_pos[i], f.edge[i] = pos, e
        f.lane[i] = min(lane, int(road.lanes[e]) - 1)
        f.s[i] = min(max(s, 0.0), float(road.edge_length[e]))
        f.speed[i] = min(speed, float(f.max_speed[i]))
        if not f.replay[i]:
            pe = int(f.routes[o + pos - 1]) if pos > 0 else -1
            ne = int(f.routes[o + pos + 1]) if pos + 1 < n else -1
            f.x[i], f.y[i], f.heading[i] = road_point(
                e, f.s[i], f.lane[i], pe, ne, road.edge_length, road.lanes, road.lane_width,
                road.two_way, road.box_start, road.box_end, road.pts_off, road.pts_x,
                road.pts_y, road.pts_s,
            )  # fmt: skip
        f.status[i] = ACTIVE
        f.z[i] = self.bundle.map.header.ground_elevation
        self._room = None

    def _try_enter(self, t: float) -> None:
        f = self.fleet
        for layer, queue in self.pending.items():
            if not queue:
                continue
            still: list[_Pending] = []
            blocked_edges: set[int] = set()
            for p in queue:
                i = p.index
                e0 = int(f.routes[f.route_off[i]])
                if i in self.starts:
                    self._place(i)  # a recorded or mid-route start: placed as given
                elif e0 in blocked_edges or not self._enter(i, e0, layer):
                    blocked_edges.add(e0)
                    still.append(p)
                    continue
                f.t_depart[i] = t
                self.spawned += 1
                aid = f.ids[i]
                if aid in self.hold_on_spawn:
                    f.status[i] = HELD
                self.event(t, "depart", aid, waited=round(t - p.since, 9))
            self.pending[layer] = still

    def _road_room(self) -> tuple[np.ndarray, np.ndarray]:
        """Room at the start of each road lane and ahead of traffic about to enter each edge.

        Computed once per tick when road agents wait to enter (O(n)): per lane group, the
        free space (m) before the rearmost vehicle's rear; per edge, the least margin (m) of a
        vehicle about to pass into it: distance to its edge's end less ``v T + s0``.
        """
        if self._room is not None and self._room[0] == self.tick:
            return self._room[1]
        f = self.fleet
        road = self.layers["road"]
        n = f.n
        moving = np.nonzero(
            (f.kind[:n] == KIND_ICV) & ((f.status[:n] == ACTIVE) | (f.status[:n] == HELD))
        )[0]
        lane_room = np.full(max(1, road.n_edges) * MAX_LANES, 1e9)
        np.minimum.at(
            lane_room, f.edge[moving] * MAX_LANES + f.lane[moving], f.s[moving] - f.length[moving]
        )
        edge_room = np.full(max(1, road.n_edges), 1e9)
        going = moving[f.route_pos[moving] + 1 < f.route_len[moving]]
        nxt = f.routes[f.route_off[going] + f.route_pos[going] + 1]
        margin = (
            road.edge_length[f.edge[going]] - f.s[going] - f.speed[going] * f.T[going] - f.s0[going]
        )
        np.minimum.at(edge_room, nxt, margin)
        self._room = (self.tick, (lane_room, edge_room))
        return lane_room, edge_room

    def _enter(self, i: int, e0: int, layer: str) -> bool:
        f = self.fleet
        arr = self.layers[layer]
        if layer == "road":
            room = self._road_room()
            v_des = min(f.v0[i], arr.speed_limit[e0])
            # vehicles about to pass into e0 from upstream would land on the new one
            if room[1][e0] < f.length[i] + 5.0:
                return False
            best_lane, best_gap = -1, -1.0
            for lane in range(int(arr.lanes[e0])):
                gap = float(room[0][e0 * MAX_LANES + lane])
                if gap > best_gap:
                    best_lane, best_gap = lane, gap
            # the body starts wholly on the edge past the junction box (as SUMO departs at the
            # start of the lane), clear of traffic turning through the box
            s_in = min(float(arr.box_start[e0] + f.length[i]), 0.5 * float(arr.edge_length[e0]))
            best_gap -= s_in
            if best_gap < f.s0[i] + 1.0:
                return False
            v = min(v_des, max(0.0, (best_gap - f.s0[i]) / f.T[i]))
            f.lane[i], f.speed[i], f.s[i] = best_lane, v, s_in
            self._room = None  # the new vehicle takes that room
        elif layer == "air":
            f.phase[i] = PH_TAKEOFF
            f.s[i] = 0.0
            f.speed[i] = 0.0
        else:
            x0, y0 = arr.pts_x[arr.pts_off[e0]], arr.pts_y[arr.pts_off[e0]]
            x1, y1 = arr.pts_x[arr.pts_off[e0] + 1], arr.pts_y[arr.pts_off[e0] + 1]
            f.x[i], f.y[i] = x0, y0
            f.heading[i] = math.atan2(y1 - y0, x1 - x0)
            f.speed[i], f.s[i] = 0.0, 0.0
        f.edge[i] = e0
        f.route_pos[i] = 0
        f.status[i] = ACTIVE
        if layer == "road":
            f.z[i] = self.bundle.map.header.ground_elevation
        return True

    # --- processes ---------------------------------------------------------------------------
    def _scheduled(self, k: int, spec: AgentSpec) -> Any:
        depart = float(spec.depart)  # seconds after start (normalised by the model)
        if depart > 0:
            yield self.env.timeout(depart)
        vt = self.bundle.vehicle_types[spec.type]
        key = int(self.agent_seeds[k].generate_state(1, np.uint64)[0])
        self.add_agent(
            spec.id, vt, spec, key, spec.permit, spec.speed, self.env.now, spec.connected
        )

    def _flow(self, k: int, spec: FlowSpec) -> Any:
        rng = np.random.default_rng(self.flow_seeds[k])
        begin = float(spec.begin)
        end = float(spec.end) if spec.end is not None else self.duration
        types = spec.type_ids()
        shares = np.array([1.0] if spec.type is not None else [spec.mix[t] for t in types])  # type: ignore[index]
        shares = shares / shares.sum()
        n = 0
        t = begin
        while True:
            t += float(rng.exponential(1.0 / spec.rate))
            if t >= end or t >= self.duration:
                return
            yield self.env.timeout(t - self.env.now)
            tid = types[int(rng.choice(len(types), p=shares))]
            vt = self.bundle.vehicle_types[tid]
            factor = float(np.clip(rng.normal(1.0, self.cfg.speed_factor_std), 0.8, 1.2))
            key = int(rng.integers(0, 2**63))
            v0 = spec.speed if spec.speed is not None else None
            if v0 is None and isinstance(vt, RoadVehicleType):
                v0 = vt.idm.v0 * factor
            n += 1
            connected = is_connected_draw(key, spec.connected)
            self.add_agent(f"{spec.id}.{n}", vt, spec, key, None, v0, self.env.now, connected)

    def _signal(self, node: str, junction: Junction) -> Any:
        arr = self.layers["road"]
        plan = junction.signal
        assert plan is not None
        ni = arr.node_index[node]
        incoming = np.nonzero(arr.edge_to == ni)[0]
        phases = [
            (
                np.array([arr.edge_index[g] for g in ph.green], dtype=np.int64),
                ph.duration,
                ph.yellow,
            )
            for ph in plan.phases
        ]
        cycle = plan.cycle
        pos = plan.offset % cycle if cycle > 0 else 0.0
        k = 0
        while pos >= phases[k][1] + phases[k][2]:
            pos -= phases[k][1] + phases[k][2]
            k = (k + 1) % len(phases)
        # for SPaT: after phase k ends, how long until each red approach turns green (s)
        to_green = []
        for k0 in range(len(phases)):
            wait = np.full(len(incoming), np.inf)
            acc = 0.0
            for step in range(1, len(phases) + 1):
                g, d, y = phases[(k0 + step) % len(phases)]
                wait = np.where(np.isin(incoming, g) & np.isinf(wait), acc, wait)
                acc += d + y
            to_green.append(wait)
        first = True
        while True:
            green, dur, yellow = phases[k]
            green_left, yellow_left = dur, yellow
            if first:
                if pos < dur:
                    green_left = dur - pos
                else:
                    green_left, yellow_left = 0.0, yellow - (pos - dur)
                first = False
            now = self.env.now
            arr.signal_state[incoming] = 2
            after = now + green_left + yellow_left + to_green[k]  # next green after this phase
            self.v2x.signal_changes(incoming, after, after)
            if green_left > 0:
                arr.signal_state[green] = 0
                self.v2x.signal_changes(green, now + green_left)
                yield self.env.timeout(green_left)
            arr.signal_state[green] = 1
            self.v2x.signal_changes(green, self.env.now + yellow_left)
            if yellow_left > 0:
                yield self.env.timeout(yellow_left)
            k = (k + 1) % len(phases)

    def _scripted(self, ev: Any) -> Any:
        at = float(ev.at)
        if at > 0:
            yield self.env.timeout(at)
        t = self.env.now
        f = self.fleet
        if isinstance(ev, ZoneEvent):
            self.fences.set_override(ev.zone, ev.action == "close_zone")
            self.event(t, ev.action, None, zone=ev.zone)
        elif isinstance(ev, AgentEvent):
            i = f.index.get(ev.agent)
            if ev.action == "stop_agent":
                if i is None or f.status[i] == WAITING:
                    self.hold_on_spawn.add(ev.agent)
                elif f.status[i] == ACTIVE:
                    f.status[i] = HELD
            else:
                self.hold_on_spawn.discard(ev.agent)
                if i is not None and f.status[i] == HELD:
                    f.status[i] = ACTIVE
            self.event(t, ev.action, ev.agent)
        elif isinstance(ev, SpeedLimitEvent):
            for arr in self.layers.values():
                e = arr.edge_index.get(ev.edge)
                if e is not None:
                    arr.speed_limit[e] = ev.speed
            self.event(t, ev.action, None, edge=ev.edge, speed=ev.speed)

    def _physics(self) -> Any:
        """The physics tick process: enter waiting agents, step the kernels, record frames."""
        self._try_enter(0.0)
        self._record(0.0)
        while self.tick < self.n_ticks:
            t = self.tick * self.dt
            self._try_enter(t)
            self._step(t)
            self.tick += 1
            t_end = self.tick * self.dt
            if self.tick % self.record_every == 0:
                self._record(t_end)
            if self.progress is not None and self.tick % 50 == 0:
                self.progress(t_end, self.duration, self)
            yield self.env.timeout(t_end - self.env.now)

    def _flags(self, m: int) -> np.ndarray:
        if len(self.flag_buf) < m:
            self.flag_buf = np.zeros(2 * m, dtype=np.int64)
        return self.flag_buf

    def _step(self, t: float) -> None:
        f = self.fleet
        n = f.n
        moving = (f.status[:n] == ACTIVE) | (f.status[:n] == HELD)
        dt = self.dt
        road = self.layers["road"]
        idx = np.nonzero(moving & (f.kind[:n] == KIND_ICV))[0]
        t_next = t + dt
        if len(idx):
            flags = self._flags(len(idx))
            if len(self.lead) < f.capacity:
                self.lead = np.full(f.capacity, -1, dtype=np.int64)
                self.gap = np.full(f.capacity, 1.0e9)
            v_before = f.speed.copy()  # metrics use the state the leaders were found in
            if self.v2x.enabled:
                self.v2x.before_road(self.tick, idx)
            args = road_args(
                f, road, idx, dt, self.road_cfg, self.road_ws, self.lead, self.gap, flags, t,
                self.v2x.ccfg,
            )  # fmt: skip
            k = road_step(*args)
            self._metrics(idx, v_before)
            if self.v2x.enabled:
                self.v2x.after_road(self.tick + 1, t_next, idx)
            self._handle(flags[:k], t_next)
            rep = idx[f.replay[idx] != 0]
            if len(rep):
                k = replay_step(
                    rep, t_next, dt, f.status, f.x, f.y, f.heading, f.speed, f.accel, f.edge,
                    f.s, f.lane, f.route_pos, f.distance, f.route_off, f.routes,
                    *self.replay.kernel_args(), flags,
                )  # fmt: skip
                self._handle(flags[:k], t_next)
            self.updates += len(idx)
            self.peak_road = max(self.peak_road, len(idx))
        air = self.layers["air"]
        idx = np.nonzero(moving & (f.kind[:n] == KIND_UAV))[0]
        if len(idx):
            flags = self._flags(len(idx))
            k = air_step(*air_args(f, air, idx, dt, self.tick, self.air_cfg, flags))
            self._handle(flags[:k], t_next)
            self.updates += len(idx)
        water = self.layers["water"]
        idx = np.nonzero(moving & (f.kind[:n] == KIND_SHIP))[0]
        if len(idx):
            flags = self._flags(len(idx))
            k = water_step(*water_args(f, water, idx, dt, self.water_cfg, flags))
            self._handle(flags[:k], t_next)
            self.updates += len(idx)
        self.collisions.step(t_next)
        self.fences.step(t_next)
        self.caps.step(t_next)
        self.separation.step(self.tick + 1, t_next)

    def _metrics(self, idx: np.ndarray, speed: np.ndarray) -> None:
        """Car-following TTC, THW and DRAC of the road agents, and their TET/TIT."""
        f = self.fleet
        m = len(idx)
        if len(self.metric_buf[0]) < m:
            self.metric_buf = [np.empty(2 * m) for _ in range(3)]
        ttc, thw, drac = (b[:m] for b in self.metric_buf)
        car_following_metrics_fleet(idx, self.lead, self.gap, speed, ttc, thw, drac)
        accumulate(idx, ttc, self.dt, self.cfg.ttc_threshold, f.min_ttc, f.tet, f.tit)
        f.ttc[idx] = ttc
        f.max_drac[idx] = np.maximum(f.max_drac[idx], drac)

    def _metric_summary(self) -> dict[str, Any]:
        """Run totals of the safety metrics, and per-agent values of the agents under a permit."""
        f = self.fleet
        road = np.nonzero(f.kind[: f.n] == KIND_ICV)[0]
        min_ttc, tet, tit = (
            run_totals(road, f.min_ttc, f.tet, f.tit) if len(road) else (np.inf, 0.0, 0.0)
        )

        def num(v: float) -> float | None:
            return None if not np.isfinite(v) else round(float(v), 6)

        agents = {}
        for i, meta in enumerate(self.meta):
            if meta["permit"] is None:
                continue
            entry: dict[str, Any] = {"distance": num(f.distance[i]), "status": int(f.status[i])}
            if f.kind[i] == KIND_ICV:
                entry.update(
                    min_ttc=num(f.min_ttc[i]),
                    tet=num(f.tet[i]),
                    tit=num(f.tit[i]),
                    max_drac=num(f.max_drac[i]),
                )
            agents[meta["id"]] = entry
        for i, value in self.pet.per_agent.items():
            aid = self.meta[i]["id"] if i < len(self.meta) else None
            if aid in agents:
                agents[aid]["min_pet"] = num(value)
        return {
            "ttc_threshold": self.cfg.ttc_threshold,
            "min_pet": num(self.pet.min_pet),
            "pet_below_threshold": self.pet.below,
            "pet_threshold": self.cfg.pet_threshold,
            "min_ttc": num(min_ttc),
            "tet": num(tet),
            "tit": num(tit),
            "max_drac": num(float(f.max_drac[road].max())) if len(road) else None,
            "agents": agents,
        }

    def layer_of(self, i: int) -> LayerArrays:
        """The network layer agent ``i`` moves on."""
        return self.layers[LAYER_OF_KIND[int(self.fleet.kind[i])]]

    def return_to_launch(self, i: int) -> bool:
        """Re-route UAV ``i`` back to its launch vertiport (turning on its current corridor)."""
        f = self.fleet
        air = self.layers["air"]
        route = f.route_of(i)
        origin = air.node_ids[int(air.edge_from[int(route[0])])]
        e = int(f.edge[i])
        a, b = air.node_ids[int(air.edge_from[e])], air.node_ids[int(air.edge_to[e])]
        try:
            back = air.edge_between(b, a)
        except KeyError:
            return False
        rest = self.routers["air"].shortest(a, origin) if a != origin else np.zeros(0, np.int32)
        new = np.concatenate([[back], rest]).astype(np.int32)
        s_back = max(0.0, float(air.edge_length[back] - f.s[i]))
        j = f.n_route
        if j + len(new) > len(f.routes):
            grown = np.zeros(max(2 * len(f.routes), j + len(new)), dtype=np.int32)
            grown[:j] = f.routes[:j]
            f.routes = grown
        f.routes[j : j + len(new)] = new
        f.n_route += len(new)
        f.route_off[i], f.route_len[i], f.route_pos[i] = j, len(new), 0
        f.edge[i], f.s[i] = back, s_back
        f.z_goal[i] = air.node_ground[air.node_index[origin]]
        return True

    def _handle(self, flagged: np.ndarray, t: float) -> None:
        f = self.fleet
        for i in flagged:
            aid = f.ids[int(i)]
            if f.status[i] == ARRIVED and int(i) in self.forced_landing:
                where = [round(float(f.x[i]), 3), round(float(f.y[i]), 3)]
                self.event(t, "landed", aid, where=where)
            elif f.status[i] == ARRIVED:
                f.t_arrive[i] = t
                self.arrived += 1
                self.event(
                    t,
                    "arrive",
                    aid,
                    travel_time=round(t - float(f.t_depart[i]), 9),
                    distance=round(float(f.distance[i]), 6),
                )
            elif f.status[i] == FAILED:
                self.failed += 1
                self.event(t, "battery_empty", aid)

    def _record(self, t: float) -> None:
        f = self.fleet
        n = f.n
        ids = np.nonzero((f.status[:n] == ACTIVE) | (f.status[:n] == HELD))[0].astype(np.int32)
        values = np.empty((len(ids), len(self.trace_fields)), dtype=np.float32)
        values[:, 0] = f.x[ids]
        values[:, 1] = f.y[ids]
        values[:, 2] = f.z[ids]
        values[:, 3] = f.heading[ids]
        values[:, 4] = f.speed[ids]
        values[:, 5] = f.ttc[ids]
        if self.v2x.enabled:
            values[:, len(TRACE_FIELDS) :] = self.v2x.frame_columns(ids, t)
        self.recorder.add_frame(round(t, 9), ids, values, f.status[ids].astype(np.int8))

    # --- run ---------------------------------------------------------------------------------
    def run(self, progress: Callable[[float, float, Simulation], None] | None = None) -> RunResult:
        """Run to the end; return counts (the recorder is closed with the run summary)."""
        self.progress = progress
        sc = self.bundle.scenario
        env = self.env
        for k, spec in enumerate(sc.agent):
            env.process(self._scheduled(k, spec))
        for k, fspec in enumerate(sc.flow):
            env.process(self._flow(k, fspec))
        for nid, node in self.bundle.map.nodes("road").items():
            if isinstance(node, Junction) and node.signal is not None:
                env.process(self._signal(nid, node))
        for ev in sc.event:
            if not isinstance(ev, FaultEvent):  # faults: sim.engine.v2x
                env.process(self._scripted(ev))
        self.fences.processes(env, self.duration)
        self.v2x.processes(env)
        env.process(self._physics())
        wall0 = time.perf_counter()
        env.run(until=self.duration + 0.5 * self.dt)
        wall = time.perf_counter() - wall0
        f = self.fleet
        n = f.n
        active = int(np.count_nonzero((f.status[:n] == ACTIVE) | (f.status[:n] == HELD)))
        summary = {
            "ticks": self.tick,
            "sim_time": round(self.tick * self.dt, 9),
            "spawned": self.spawned,
            "arrived": self.arrived,
            "failed": self.failed,
            "active_at_end": active,
            "waiting_at_end": sum(len(q) for q in self.pending.values()),
            "vehicle_updates": self.updates,
            "peak_road_vehicles": self.peak_road,
            "events": self.n_events,
            "violations": dict(sorted(self.violations.items())),
            "verdict": "fail" if self.violations else "pass",
            # the same records as `testzone check` reports, in the order they happened
            "violation_records": [v.to_json() for v in self.violation_list[:MAX_RECORDS]],
            **self._metric_summary(),
            "collisions": self.collisions.n_collisions,
            "uav_conflicts": self.separation.n_conflicts,
            "uav_separation_losses": self.separation.n_losses,
            **({"v2x": self.v2x.summary()} if self.v2x.enabled else {}),
            "uav_resolutions": (
                self.separation.resolution.manoeuvres
                if self.separation.resolution is not None
                else None
            ),
        }
        self.recorder.close(summary)
        if progress is not None:
            progress(self.tick * self.dt, self.duration, self)
        return RunResult(
            ticks=self.tick,
            sim_time=self.tick * self.dt,
            wall_time=wall,
            spawned=self.spawned,
            arrived=self.arrived,
            failed=self.failed,
            active=active,
            vehicle_updates=self.updates,
            events=self.n_events,
            summary=summary,
        )
