"""Agents' missions as timed plans: legs along their routes, and 4-D volumes.

A plan is what the operator asked for, flown as the engine would fly it (without traffic):

- ICVs and ships travel each directed edge of the route at ``min(planned speed, edge limit,
  vehicle max speed)`` (m/s), from the departure time on; no acceleration phases, no waiting
  at signals (a static plan, not a simulation).
- UAVs climb vertically at the take-off vertiport at ``climb_rate`` to the cruise altitude,
  fly each corridor at ``min(planned speed, corridor limit, max speed)``, and descend at the
  landing vertiport at ``descent_rate``. The cruise altitude is the agent's ``altitude``
  converted once to metres AMSL with the ground at the take-off vertiport (as the engine
  does); without one, the middle of the first corridor's band, kept inside each corridor's
  band by the engine's margin.

Each plan becomes 4-D volumes (ASTM F3548 style, see :mod:`sim.kernels.deconflict`):
corridor pieces of at most ``volume_length`` metres, each a capsule of radius ``half span +
horizontal buffer`` (m), a band ``cruise +- (vertical buffer + half height)`` (m AMSL) and the
time window of the piece (s after the scenario start, widened by ``time_buffer``); take-off
and landing are vertical columns at the vertiport. Road and water vehicles get the same pieces
with radius 0 and a band from the ground to 2 m above it, for zone checks.

A UAV that declares its operational intent (``AgentSpec.volumes``: F3548 ``Volume4D`` outlines,
bands and windows) also gets those volumes, projected (:class:`DeclaredVolume`): strategic
deconfliction uses them instead of the route's (``sim.rules.strategic``); every other check
keeps using the route.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
from dataclasses import dataclass, field

import networkx as nx
import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from sim.geo.intents import IntentVolumes
from sim.geo.localmap import LocalFrame
from sim.model.bundle import AnyVehicleType, ScenarioBundle
from sim.model.map import ElevationArea, Map
from sim.model.permit import Permit
from sim.model.scenario import DECONFLICTED_STATES, AgentSpec, IntentVolume
from sim.model.vehicle import LAYER_OF_DOMAIN, Domain, RoadVehicleType, ShipType, UavType
from sim.network.arrays import NO_LIMIT, LayerArrays
from sim.network.graphs import layer_graph, shortest_route
from sim.rules.provisions import Provisions

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
GROUND_BAND = 2.0
"""Height (m) of the band a road vehicle or ship occupies above the ground or water."""
TAKEOFF = -1
LANDING = -2
"""Leg numbers of the take-off and landing columns in :class:`PlanVolumes`."""


@dataclass(frozen=True)
class Leg:
    """One directed edge of a route, timed.

    Attributes:
        index: position of the leg in the route (0-based).
        edge: directed edge id (``ID`` or ``ID:rev``); ``base`` the map edge id.
        e: the directed edge number in the layer's arrays.
        xy: the polyline (m, local frame), ``(n, 2)``; ``coords`` in the map file's own
            coordinates (for ground-elevation lookups).
        length: length (m).
        t0, t1: entry and exit time (s after the scenario start).
        speed: travel speed on the leg (m/s).
        limit: the edge's speed limit (m/s; ``inf`` where none).
        z_in, z: altitude (m AMSL) at entry and in cruise on the leg (ground level for road
            vehicles and ships).
        ground_min: lowest ground (m AMSL) under the leg.
    """

    index: int
    edge: str
    base: str
    e: int
    xy: F64
    coords: tuple[tuple[float, ...], ...]
    length: float
    t0: float
    t1: float
    speed: float
    limit: float
    z_in: float
    z: float
    ground_min: float

    def point_at(self, t: float) -> tuple[float, float]:
        """Position (m) at time ``t`` (s), clamped to the leg."""
        span = self.t1 - self.t0
        u = 0.0 if span <= 0 else min(1.0, max(0.0, (t - self.t0) / span))
        s = u * self.length
        seg = np.hypot(*np.diff(self.xy, axis=0).T)
        acc = np.concatenate([[0.0], np.cumsum(seg)])
        k = int(np.searchsorted(acc, s, side="right") - 1)
        k = min(max(k, 0), len(seg) - 1)
        w = 0.0 if seg[k] <= 0 else (s - acc[k]) / seg[k]
        p = self.xy[k] + w * (self.xy[k + 1] - self.xy[k])
        return float(p[0]), float(p[1])


@dataclass(frozen=True)
class Column:
    """A UAV's vertical take-off or landing at a vertiport.

    Attributes:
        node: the vertiport (or node) id; ``x``, ``y`` its position (m).
        ground: its ground elevation (m AMSL); ``top`` the cruise altitude (m AMSL).
        t0, t1: the climb or descent (s after the scenario start).
    """

    node: str
    x: float
    y: float
    ground: float
    top: float
    t0: float
    t1: float


@dataclass(frozen=True)
class DeclaredVolume:
    """One volume of a UAV's declared operational intent (``AgentSpec.volumes``), projected.

    Its 2-D region is the set of points within ``radius`` of ``core`` (a shapely polygon with
    radius 0, or the centre point of a circle), in the local frame (m).

    Attributes:
        core: the outline polygon, or a circle's centre point (local m).
        radius: 0 for a polygon, a circle's radius (m).
        zlo, zhi: the altitude band (m AMSL; WGS84 heights taken as AMSL, as everywhere).
        t0, t1: the time window ``[t0, t1)`` (s after the scenario start).
        capsule: ``(x0, y0, x1, y1, r)``, a segment capsule (m) that holds the region, for the
            broadphase kernels.
    """

    core: BaseGeometry
    radius: float
    zlo: float
    zhi: float
    t0: float
    t1: float
    capsule: tuple[float, float, float, float, float]


@dataclass
class AgentPlan:
    """An agent's mission as a timed plan.

    Attributes:
        order: the agent's position in the scenario (the tie-break of equal plans).
        spec: the agent as written; ``vtype`` its vehicle type; ``permit`` its permit (or
            ``None``).
        domain: ICV, UAV or ship; ``layer`` the map layer it travels on.
        nodes: the node route.
        legs: the timed legs.
        planned_speed: the cruise speed asked for (m/s): ``speed``, or the type's default.
        depart, arrive: departure and arrival (s after the scenario start).
        takeoff, landing: a UAV's vertical columns.
        z_plan: a UAV's declared cruise altitude (m AMSL), ``None`` when it gave none.
        priority: a UAV's F3548 priority (higher wins; default 0).
        declared: a UAV's declared intent volumes (``AgentSpec.volumes``), empty when it
            gave none; strategic deconfliction then uses them instead of the route's volumes.
        deconflicted: whether the plan takes part in strategic deconfliction (its intent is
            Accepted or Activated, not Nonconforming or Contingent).
    """

    order: int
    spec: AgentSpec
    vtype: AnyVehicleType
    permit: Permit | None
    domain: Domain
    layer: str
    nodes: tuple[str, ...]
    legs: tuple[Leg, ...]
    planned_speed: float
    depart: float
    arrive: float
    takeoff: Column | None = None
    landing: Column | None = None
    z_plan: float | None = None
    priority: int = 0
    declared: tuple[DeclaredVolume, ...] = ()
    deconflicted: bool = True

    @property
    def id(self) -> str:
        """The agent id."""
        return self.spec.id

    def position(self, t: float) -> tuple[float, float, float]:
        """Where the plan is at time ``t`` (s): (x, y, z) m, clamped to the plan."""
        if self.takeoff is not None and t < self.takeoff.t1:
            c = self.takeoff
            u = 0.0 if c.t1 <= c.t0 else min(1.0, max(0.0, (t - c.t0) / (c.t1 - c.t0)))
            return c.x, c.y, c.ground + u * (c.top - c.ground)
        for leg in self.legs:
            if t < leg.t1 or leg is self.legs[-1]:
                if self.landing is not None and t >= self.landing.t0:
                    break
                x, y = leg.point_at(t)
                return x, y, leg.z
        c = self.landing
        assert c is not None
        u = 0.0 if c.t1 <= c.t0 else min(1.0, max(0.0, (t - c.t0) / (c.t1 - c.t0)))
        return c.x, c.y, c.top + u * (c.ground - c.top)


@dataclass
class PlanVolumes:
    """The 4-D volumes of all plans, with what each volume stands for.

    Attributes:
        iv: the volumes (``plan`` = index into the plan list).
        leg: the leg number of each volume (:data:`TAKEOFF`, :data:`LANDING` for columns).
        z: the nominal altitude of each volume (m AMSL).
        speed: the travel speed in each volume (m/s; 0 for columns).
    """

    iv: IntentVolumes
    leg: I32
    z: F64
    speed: F64
    by_plan: dict[int, npt.NDArray[np.int64]] = field(default_factory=dict)

    def where(self, v: int, t: float) -> tuple[float, float, float]:
        """Position (m) in volume ``v`` at time ``t`` (s), clamped to its window."""
        iv = self.iv
        t0, t1 = float(iv.t0[v]), float(iv.t1[v])
        u = 0.0 if t1 <= t0 else min(1.0, max(0.0, (t - t0) / (t1 - t0)))
        x = float(iv.x0[v] + u * (iv.x1[v] - iv.x0[v]))
        y = float(iv.y0[v] + u * (iv.y1[v] - iv.y0[v]))
        return x, y, float(self.z[v])


class PlanError(ValueError):
    """A mission cannot be planned (no path between its origin and destination)."""


def ground_min(the_map: Map, coords: tuple[tuple[float, ...], ...]) -> float:
    """The lowest ground elevation (m AMSL) under a polyline given in the map's coordinates.

    Exact for the map's elevation areas (the highest area covering a point wins, the header's
    default where none does): areas are taken from the highest down, each owning the part of
    the line not claimed by a higher one.
    """
    from shapely import LineString, Point

    line = LineString([c[:2] for c in coords]) if len(coords) > 1 else Point(coords[0][:2])
    remaining = line
    found: list[float] = []
    areas = sorted(the_map.of_type(ElevationArea), key=lambda a: -a.elevation)
    for area in areas:
        if remaining.is_empty:
            break
        shape = area.geometry.to_shapely()
        if remaining.intersects(shape):
            found.append(area.elevation)
            remaining = remaining.difference(shape)
    if not remaining.is_empty:
        found.append(the_map.header.ground_elevation)
    return min(found)


def default_speed(vt: AnyVehicleType) -> float:
    """The cruise speed (m/s) an agent without a ``speed`` travels at (as the engine)."""
    if isinstance(vt, RoadVehicleType):
        return min(vt.idm.v0, vt.max_speed)
    if isinstance(vt, UavType):
        return min(vt.cruise_speed, vt.max_speed)
    return vt.max_speed * 0.8


class Planner:
    """Builds :class:`AgentPlan` objects for a scenario's agents (graphs cached per layer)."""

    def __init__(
        self,
        bundle: ScenarioBundle,
        layers: dict[str, LayerArrays],
        prov: Provisions,
        frame: LocalFrame,
    ) -> None:
        """Keep the bundle, its layers in the local ``frame`` and the provision parameters."""
        self.bundle = bundle
        self.frame = frame
        self.layers = layers
        self.prov = prov
        self._graphs: dict[str, nx.MultiDiGraph] = {}

    def _graph(self, layer: str) -> nx.MultiDiGraph:
        if layer not in self._graphs:
            self._graphs[layer] = layer_graph(self.bundle.map, layer, self.frame)
        return self._graphs[layer]

    def node_route(self, spec: AgentSpec, layer: str) -> tuple[str, ...]:
        """The agent's node route (its ``route``, or the shortest path by length)."""
        if spec.route is not None:
            return tuple(spec.route)
        try:
            nodes, _ = shortest_route(self._graph(layer), *spec.endpoints)
        except nx.NetworkXNoPath:
            raise PlanError(f"no {layer} path from {spec.endpoints[0]!r}") from None
        return tuple(nodes)

    def plan(self, order: int, spec: AgentSpec) -> AgentPlan:
        """The timed plan of one agent."""
        b = self.bundle
        vt = b.vehicle_types[spec.type]
        domain = vt.domain
        layer = LAYER_OF_DOMAIN[domain]
        arr = self.layers[layer]
        nodes = self.node_route(spec, layer)
        edges = [arr.edge_between(a, c) for a, c in itertools.pairwise(nodes)]
        permit = b.permits.get(spec.permit) if spec.permit else None
        v_plan = spec.speed if spec.speed is not None else default_speed(vt)
        t = float(spec.depart)
        depart = t
        if isinstance(vt, UavType):
            return self._uav(order, spec, vt, permit, nodes, edges, v_plan, t)
        legs = []
        ground = b.map.header.ground_elevation
        for k, e in enumerate(edges):
            speed = min(v_plan, float(arr.speed_limit[e]), vt.max_speed)
            leg = self._leg(arr, k, e, t, speed, ground, ground, ground)
            legs.append(leg)
            t = leg.t1
        return AgentPlan(
            order, spec, vt, permit, domain, layer, nodes, tuple(legs), v_plan, depart, t
        )

    def _leg(
        self,
        arr: LayerArrays,
        k: int,
        e: int,
        t: float,
        speed: float,
        z_in: float,
        z: float,
        g_min: float,
    ) -> Leg:
        a, c = int(arr.pts_off[e]), int(arr.pts_off[e + 1])
        xy = np.column_stack([arr.pts_x[a:c], arr.pts_y[a:c]])
        length = float(arr.edge_length[e])
        d = self.bundle.map.directed_edge(arr.edge_ids[e])
        assert d is not None
        limit = float(arr.speed_limit[e])
        return Leg(
            index=k,
            edge=arr.edge_ids[e],
            base=d.edge.id,
            e=e,
            xy=xy,
            coords=tuple(d.coordinates),
            length=length,
            t0=t,
            t1=t + length / speed,
            speed=speed,
            limit=math.inf if limit >= NO_LIMIT else limit,
            z_in=z_in,
            z=z,
            ground_min=g_min,
        )

    def _uav(
        self,
        order: int,
        spec: AgentSpec,
        vt: UavType,
        permit: Permit | None,
        nodes: tuple[str, ...],
        edges: list[int],
        v_plan: float,
        t: float,
    ) -> AgentPlan:
        b = self.bundle
        arr = self.layers["air"]
        depart = t
        first, last = edges[0], edges[-1]
        g0 = float(arr.node_ground[arr.edge_from[first]])
        g1 = float(arr.node_ground[arr.edge_to[last]])
        z_plan: float | None = None
        if spec.altitude is not None:
            pos = b.map.nodes("air")[nodes[0]].position
            amsl = b.map.to_amsl(spec.altitude, pos[0], pos[1])
            z_plan = spec.altitude.value if amsl is None else amsl
        z_mid = 0.5 * (self._band(arr, first)[0] + self._band(arr, first)[1])
        z_first = z_plan if z_plan is not None else self._clip(arr, first, z_mid)
        x0, y0 = float(arr.node_x[arr.edge_from[first]]), float(arr.node_y[arr.edge_from[first]])
        up = max(0.0, z_first - g0) / vt.climb_rate
        takeoff = Column(nodes[0], x0, y0, g0, z_first, t, t + up)
        t += up
        legs = []
        z_prev = z_first
        for k, e in enumerate(edges):
            z = z_plan if z_plan is not None else self._clip(arr, e, z_mid)
            speed = min(v_plan, float(arr.speed_limit[e]), vt.max_speed)
            d = b.map.directed_edge(arr.edge_ids[e])
            assert d is not None
            leg = self._leg(arr, k, e, t, speed, z_prev, z, ground_min(b.map, d.coordinates))
            legs.append(leg)
            t = leg.t1
            z_prev = z
        x1, y1 = float(arr.node_x[arr.edge_to[last]]), float(arr.node_y[arr.edge_to[last]])
        down = max(0.0, z_prev - g1) / vt.descent_rate
        landing = Column(nodes[-1], x1, y1, g1, z_prev, t, t + down)
        return AgentPlan(
            order,
            spec,
            vt,
            permit,
            Domain.UAV,
            "air",
            nodes,
            tuple(legs),
            v_plan,
            depart,
            t + down,
            takeoff=takeoff,
            landing=landing,
            z_plan=z_plan,
            priority=spec.priority or 0,
            declared=tuple(self._declared(v) for v in spec.volumes),
            deconflicted=(spec.intent_state or "Accepted") in DECONFLICTED_STATES,
        )

    def _declared(self, vol: IntentVolume) -> DeclaredVolume:
        """An intent volume in the local frame (m), m AMSL and s after the scenario start."""
        b = self.bundle
        if vol.outline is not None:
            xy = self.frame.xy(vol.outline)
            core: BaseGeometry = shapely.Polygon(xy)
            radius = 0.0
            capsule = enclosing_capsule(xy)
            at = vol.outline[0]
        else:
            assert vol.center is not None and vol.radius is not None
            (cx, cy), radius = self.frame.xy([vol.center])[0], float(vol.radius)
            core = shapely.Point(cx, cy)
            capsule = (float(cx), float(cy), float(cx), float(cy), radius)
            at = vol.center
        lo, hi = (b.map.to_amsl(a, at[0], at[1]) for a in (vol.floor, vol.ceiling))
        start = b.scenario.start

        def secs(t: float | dt.datetime) -> float:
            return (t - start).total_seconds() if isinstance(t, dt.datetime) else float(t)

        return DeclaredVolume(
            core,
            radius,
            vol.floor.value if lo is None else lo,
            vol.ceiling.value if hi is None else hi,
            secs(vol.start),
            secs(vol.end),
            capsule,
        )

    @staticmethod
    def _band(arr: LayerArrays, e: int) -> tuple[float, float]:
        """The band (m AMSL) that holds all along corridor ``e``: highest floor, lowest ceiling."""
        a, c = int(arr.pts_off[e]), int(arr.pts_off[e + 1])
        return float(arr.floor[a:c].max()), float(arr.ceiling[a:c].min())

    def _clip(self, arr: LayerArrays, e: int, z: float) -> float:
        """``z`` (m AMSL) kept inside corridor ``e``'s band by the engine's margin."""
        fl, ce = self._band(arr, e)
        margin = min(self.prov.uav.altitude_margin, 0.25 * (ce - fl))
        return min(max(z, fl + margin), ce - margin)


def enclosing_capsule(xy: F64) -> tuple[float, float, float, float, float]:
    """A segment capsule ``(x0, y0, x1, y1, r)`` (m) that holds every point of ``xy`` (m).

    The segment runs along the points' principal axis, through the middle of their extent
    across it, from their least to their greatest extent along it; ``r`` is half the extent
    across. It holds the bounding rectangle in that axis frame, hence the polygon.
    """
    centre = xy.mean(axis=0)
    d = xy - centre
    cov = d.T @ d
    _, vecs = np.linalg.eigh(cov)
    ax = vecs[:, -1]
    if ax[0] < 0 or (ax[0] == 0 and ax[1] < 0):
        ax = -ax  # a fixed sign: the same outline always gives the same capsule
    perp = np.array([-ax[1], ax[0]])
    s = d @ ax
    q = d @ perp
    mid = 0.5 * (float(q.min()) + float(q.max()))
    # padded by a micrometre: rounding must never put a vertex outside (the broadphase may
    # only find too much; the exact test of sim.rules.strategic decides)
    r = 0.5 * (float(q.max()) - float(q.min())) + 1.0e-6
    a = centre + float(s.min()) * ax + mid * perp
    c = centre + float(s.max()) * ax + mid * perp
    return float(a[0]), float(a[1]), float(c[0]), float(c[1]), r


def build_volumes(plans: list[AgentPlan], prov: Provisions) -> PlanVolumes:
    """The 4-D volumes of every plan (see the module docstring); ``plan`` = plan index."""
    p = prov.uav
    tb = p.time_buffer
    cols: dict[str, list[float]] = {
        k: [] for k in ("x0", "y0", "x1", "y1", "r", "zlo", "zhi", "t0", "t1", "z", "speed")
    }
    plan_no: list[int] = []
    leg_no: list[int] = []

    def add(
        pn: int,
        leg: int,
        seg: tuple[float, float, float, float],
        r: float,
        band: tuple[float, float],
        win: tuple[float, float],
        z: float,
        speed: float,
    ) -> None:
        for key, val in zip(("x0", "y0", "x1", "y1"), seg, strict=True):
            cols[key].append(val)
        cols["r"].append(r)
        cols["zlo"].append(band[0])
        cols["zhi"].append(band[1])
        cols["t0"].append(win[0])
        cols["t1"].append(win[1])
        cols["z"].append(z)
        cols["speed"].append(speed)
        plan_no.append(pn)
        leg_no.append(leg)

    for pn, plan in enumerate(plans):
        vt = plan.vtype
        if isinstance(vt, UavType):
            r = 0.5 * vt.span + p.horizontal_buffer
            dz = p.vertical_buffer + 0.5 * vt.height
        else:
            r = 0.0
            dz = 0.0
        for col, leg_id in ((plan.takeoff, TAKEOFF), (plan.landing, LANDING)):
            if col is not None:
                add(
                    pn,
                    leg_id,
                    (col.x, col.y, col.x, col.y),
                    r,
                    (col.ground, col.top + dz),
                    (col.t0 - tb, max(col.t1, col.t0 + 1e-6) + tb),
                    col.top,
                    0.0,
                )
        for leg in plan.legs:
            if isinstance(vt, UavType):
                band = (min(leg.z_in, leg.z) - dz, max(leg.z_in, leg.z) + dz)
            else:
                below = vt.draught if isinstance(vt, ShipType) else 0.0
                band = (leg.z - below, leg.z + GROUND_BAND)
            for seg, w0, w1 in _pieces(leg, p.volume_length):
                add(pn, leg.index, seg, r, band, (w0 - tb, w1 + tb), leg.z, leg.speed)
    iv = IntentVolumes(
        np.array(cols["x0"]),
        np.array(cols["y0"]),
        np.array(cols["x1"]),
        np.array(cols["y1"]),
        np.array(cols["r"]),
        np.array(cols["zlo"]),
        np.array(cols["zhi"]),
        np.array(cols["t0"]),
        np.array(cols["t1"]),
        np.array(plan_no, dtype=np.int32),
    )
    pv = PlanVolumes(
        iv,
        np.array(leg_no, dtype=np.int32),
        np.array(cols["z"], dtype=np.float64),
        np.array(cols["speed"], dtype=np.float64),
    )
    order = np.argsort(iv.plan, kind="stable")
    bounds = np.searchsorted(iv.plan[order], np.arange(len(plans) + 1))
    pv.by_plan = {pn: order[bounds[pn] : bounds[pn + 1]] for pn in range(len(plans))}
    return pv


def _pieces(
    leg: Leg, max_len: float
) -> list[tuple[tuple[float, float, float, float], float, float]]:
    """A leg's polyline cut into straight pieces of at most ``max_len`` m, with their times."""
    out = []
    s = 0.0
    for k in range(len(leg.xy) - 1):
        ax, ay = leg.xy[k]
        bx, by = leg.xy[k + 1]
        seg = math.hypot(bx - ax, by - ay)
        n = max(1, math.ceil(seg / max_len))
        for j in range(n):
            u0, u1 = j / n, (j + 1) / n
            s0, s1 = s + u0 * seg, s + u1 * seg
            out.append(
                (
                    (
                        ax + u0 * (bx - ax),
                        ay + u0 * (by - ay),
                        ax + u1 * (bx - ax),
                        ay + u1 * (by - ay),
                    ),
                    leg.t0 + s0 / leg.speed,
                    leg.t0 + s1 / leg.speed,
                )
            )
        s += seg
    return out
