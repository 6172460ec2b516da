"""``testzone import commonroad``: a CommonRoad scenario as a testzone map and scenario.

What is read (:mod:`sim.importers.commonroad_xml`, formats 2018b and 2020a):

- the lanelet network becomes the road layer of a ``local`` map (coordinates are the file's,
  in metres; see :mod:`sim.importers.commonroad_net` for how lanelets become roads and
  junctions);
- each dynamic obstacle that is a road vehicle (car, truck, bus, taxi, priority vehicle,
  motorcycle) becomes an ICV agent with its recorded ``trajectory`` (every state, body
  centre, heading, speed), its route (the roads its states lie on, in order) and a vehicle
  type of its own size. The scenario's ``trajectories`` key says whether they replay the
  recording (the default) or drive themselves (IDM, MOBIL) from their first state;
- each planning problem becomes an ICV agent ``ego-<id>`` that drives itself from its
  initial state to its goal (the goal's lanelets, or the lanelet under the goal's shape);
- static obstacles become map obstacles (their shape at their initial pose, 1.5 m high).

Pedestrians, bicycles and other non-vehicles, obstacles off the lanelets, and states after a
vehicle leaves the network are not imported: each is reported in the notes (printed by the
command and written at the top of the scenario), never silently dropped.

Speed limits are the file's where it gives them; otherwise a road's limit is inferred from
the recording: the highest speed recorded on it, rounded up to 10 km/h (at least 30 km/h),
or 50 km/h where nothing was recorded. Each inferred limit is noted.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np
from shapely import Point, Polygon, STRtree

from sim.importers.commonroad_net import LaneletNetwork, build_network
from sim.importers.commonroad_xml import (
    Circle,
    Lanelet,
    Obstacle,
    Rectangle,
    Scenario,
    ShapeGroup,
    State,
    parse_commonroad,
)
from sim.importers.commonroad_xml import Polygon as CrPolygon
from sim.importers.uav_bundle import geojson_text, identifier, toml_value
from sim.model.errors import ModelError

MAP_FILE = "map.geojson"
SCENARIO_FILE = "scenario.toml"
DEFAULT_START = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)
"""Start of an imported scenario when ``--start`` is not given (CommonRoad has no date)."""
KIND_OF = {
    "car": "car",
    "taxi": "car",
    "priorityVehicle": "car",
    "motorcycle": "car",
    "parkedVehicle": "car",
    "bus": "bus",
    "truck": "truck",
}
"""CommonRoad obstacle types imported as road vehicles, and the testzone kind of each."""
DEFAULT_LIMIT = 50.0 / 3.6
"""Speed limit (m/s) of a road with no limit in the file and no recorded traffic."""
EGO_TYPE = "car"


@dataclass
class RecordedAgent:
    """One imported vehicle: its route (node ids) and its states (m, rad, m/s)."""

    id: str
    vtype: str
    depart: float
    route: list[str]
    xy: np.ndarray
    heading: np.ndarray
    speed: np.ndarray
    lane: np.ndarray
    """Lane of each state on its road (0 = rightmost; -1 in a junction)."""
    top_speed: dict[str, float]
    """Highest speed (m/s) recorded on each road."""
    comment: str = ""


@dataclass
class CommonRoadImport:
    """What a CommonRoad file becomes: the map and scenario documents and what was left out."""

    name: str
    source: str
    map_doc: dict[str, Any]
    agents: list[RecordedAgent]
    egos: list[tuple[str, list[str], float, dict[str, float]]]
    """Planning problems: agent id, route, depart (s), start (``s``, ``lane``, ``speed``)."""
    types: dict[str, dict[str, Any]]
    duration: float
    start: dt.datetime
    trajectories: str
    step: float
    """Time between recorded states (s): the file's time step."""
    counts: dict[str, int]
    notes: list[str] = field(default_factory=list)


def import_commonroad(
    path: Path, *, start: dt.datetime = DEFAULT_START, simulate: bool = False
) -> CommonRoadImport:
    """Read a CommonRoad file and convert it (see the module docstring).

    Raises:
        ModelError: the file is malformed or unsupported, or holds no lanelet.
    """
    sc = parse_commonroad(path)
    if not sc.lanelets:
        raise ModelError.single(sc.file, "commonRoad", "no <lanelet>: nothing to drive on")
    net = build_network(sc)
    notes = list(net.notes)
    graph = nx.DiGraph()
    for sec in net.sections:
        graph.add_edge(sec.src, sec.dst, section=sec)
    locate = _Locator(sc, net)
    agents: list[RecordedAgent] = []
    types: dict[str, dict[str, Any]] = {}
    recorded_speed: dict[str, float] = {}
    skipped: dict[str, list[int]] = {}
    for ob in sc.obstacles.values():
        if ob.role != "dynamic":
            continue
        kind = KIND_OF.get(ob.type)
        if kind is None:
            skipped.setdefault(ob.type, []).append(ob.id)
            continue
        agent = _agent(sc, ob, kind, locate, graph, notes, types)
        if agent is None:
            continue
        agents.append(agent)
        for sec_id, v in agent.top_speed.items():
            recorded_speed[sec_id] = max(recorded_speed.get(sec_id, 0.0), v)
    for kind_name, ids in sorted(skipped.items()):
        notes.append(
            f"{len(ids)} {kind_name} obstacle(s) not imported (no road vehicle): "
            + ", ".join(str(i) for i in ids[:10])
            + (" ..." if len(ids) > 10 else "")
        )
    egos = []
    for pp in sc.planning_problems.values():
        ego = _ego(sc, pp.id, pp.initial_state, pp.goals, locate, graph, notes)
        if ego is not None:
            egos.append(ego)
    limits: dict[str, float] = {}
    inferred = []
    for sec in net.sections:
        if sec.speed_limit is not None:
            limits[sec.id] = sec.speed_limit
            continue
        v = recorded_speed.get(sec.id)
        kmh = 50.0 if v is None else max(30.0, 10.0 * math.ceil(v * 3.6 / 10.0 + 1e-9))
        limits[sec.id] = kmh / 3.6
        inferred.append(f"{sec.id} {kmh:g} km/h")
    if inferred:
        notes.append(
            "no speed limit in the file; inferred from the recorded speeds: " + ", ".join(inferred)
        )
    statics = [o for o in sc.obstacles.values() if o.role == "static"]
    map_doc = _map_document(sc, net, limits, statics)
    end = max(
        [a.depart + (len(a.xy) - 1) * sc.time_step_size for a in agents]
        + [e[2] + 10.0 for e in egos]
        + [10.0]
    )
    return CommonRoadImport(
        name=identifier(sc.benchmark_id or Path(sc.file).stem, "commonroad"),
        source=sc.file,
        map_doc=map_doc,
        agents=agents,
        egos=egos,
        types=types,
        duration=round(end + 1.0, 3),
        start=start,
        trajectories="simulate" if simulate else "replay",
        step=sc.time_step_size,
        counts={
            "lanelets": len(sc.lanelets),
            "roads": len(net.sections),
            "junctions": len(net.nodes),
            "obstacles": len(sc.dynamic_obstacles),
            "agents": len(agents),
            "static": len(statics),
            "problems": len(sc.planning_problems),
        },
        notes=notes,
    )


# --- where states lie ---------------------------------------------------------------------------
class _Locator:
    """Lanelet polygons in an STR tree: which road (or junction) a point lies on."""

    def __init__(self, sc: Scenario, net: LaneletNetwork) -> None:
        self.net = net
        self.ids: list[int] = []
        polys: list[Polygon] = []
        self.dirs: list[np.ndarray] = []
        for ll in sc.lanelets.values():
            ring = np.vstack([ll.left_bound, ll.right_bound[::-1]])
            poly = Polygon(ring)
            if not poly.is_valid:
                poly = poly.buffer(0)
            polys.append(poly)
            self.ids.append(ll.id)
            self.dirs.append(_directions(ll))
        self.polys = polys
        self.tree = STRtree(polys)
        self.lanelets = sc.lanelets

    def lanelet(self, x: float, y: float, heading: float) -> int | None:
        """The lanelet under ``(x, y)`` (m) best aligned with ``heading`` (rad), or None."""
        p = Point(x, y)
        hits = [int(k) for k in self.tree.query(p, predicate="intersects")]
        if not hits:
            k = int(self.tree.nearest(p))
            if self.polys[k].distance(p) > 1.0:
                return None
            hits = [k]
        if len(hits) == 1:
            return self.ids[hits[0]]
        best, best_cos = hits[0], -2.0
        for k in hits:
            d = self.dirs[k]
            line = self.lanelets[self.ids[k]].centre
            j = int(np.argmin(np.hypot(line[:, 0] - x, line[:, 1] - y)))
            c = math.cos(float(d[min(j, len(d) - 1)]) - heading)
            if c > best_cos:
                best, best_cos = k, c
        return self.ids[best]

    def place(self, lid: int | None) -> str | None:
        """The road of lanelet ``lid``, ``"@<lanelet>"`` for a junction connector, or None."""
        if lid is None:
            return None
        sec = self.net.section_of.get(lid)
        return sec.id if sec is not None else f"@{lid}"

    def lane(self, lid: int | None) -> int:
        """Lane of lanelet ``lid`` on its road (0 = rightmost; -1 a connector or None)."""
        sec = self.net.section_of.get(lid) if lid is not None else None
        return sec.lanelets.index(lid) if sec is not None and lid is not None else -1

    def road_beyond(self, connector: int, forward: bool) -> str | None:
        """The road a junction connector leads to (``forward``) or comes from."""
        seen: set[int] = set()
        todo = [connector]
        while todo:
            c = todo.pop(0)
            if c in seen or c not in self.lanelets:
                continue
            seen.add(c)
            ll = self.lanelets[c]
            for q in ll.successors if forward else ll.predecessors:
                sec = self.net.section_of.get(q)
                if sec is not None:
                    return sec.id
                todo.append(q)
        return None


def _directions(ll: Lanelet) -> np.ndarray:
    d = np.diff(ll.centre, axis=0)
    return np.arctan2(d[:, 1], d[:, 0]) if len(d) else np.zeros(1)


# --- agents -----------------------------------------------------------------------------------
def _dims(ob: Obstacle) -> tuple[float, float]:
    shape = ob.shape
    if isinstance(shape, ShapeGroup):
        shape = shape.shapes[0]
    if isinstance(shape, Rectangle):
        return shape.length, shape.width
    if isinstance(shape, Circle):
        return 2 * shape.radius, 2 * shape.radius
    pts = np.array(shape.vertices)
    span = pts.max(axis=0) - pts.min(axis=0)
    return float(span.max()), float(span.min())


def _vehicle_type(kind: str, length: float, width: float, types: dict[str, dict[str, Any]]) -> str:
    length = float(np.clip(length, 1.0, 30.0))
    width = float(np.clip(width, 0.5, 3.5))
    tid = f"cr-{kind}-{length:.2f}x{width:.2f}"
    if tid not in types:
        types[tid] = {
            "id": tid,
            "kind": kind,
            "length": round(length, 4),
            "width": round(width, 4),
            "max_speed": 50.0 if kind == "car" else 27.8,
        }
    return tid


def _states(sc: Scenario, ob: Obstacle) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Time steps, centres (n, 2), headings and speeds of a track, gaps filled linearly."""
    tr = ob.track
    steps = tr.time_step.astype(np.int64)
    xy = np.asarray(tr.position, dtype=float)
    h = np.unwrap(np.asarray(tr.orientation, dtype=float))
    v = np.asarray(tr.velocity, dtype=float)
    if np.isnan(v).any():  # speeds from positions where the file has none
        est = np.r_[0.0, np.hypot(*np.diff(xy, axis=0).T) / (np.diff(steps) * sc.time_step_size)]
        if len(est) > 1:
            est[0] = est[1]
        v = np.where(np.isnan(v), est, v)
    full = np.arange(steps[0], steps[-1] + 1)
    if len(full) != len(steps):
        xy = np.column_stack([np.interp(full, steps, xy[:, 0]), np.interp(full, steps, xy[:, 1])])
        h, v = np.interp(full, steps, h), np.interp(full, steps, v)
    return full, xy, h, np.abs(v)


def _roads(places: list[str | None], locate: _Locator) -> tuple[list[str | None], str | None]:
    """Each state's road, and the road the track goes on to after its last state.

    A state in a junction is on the road it came from, or, before the first road, on the road
    it came from through the junction. When the track ends inside a junction it goes on to the
    road the junction leads to (so the states in the junction lie on the route).
    """
    out: list[str | None] = []
    current: str | None = None
    for p in places:
        if p is None:
            out.append(None)
            current = None
        elif not p.startswith("@"):
            current = p
            out.append(p)
        else:
            if current is None:
                lid = int(p[1:])
                current = locate.road_beyond(lid, False) or locate.road_beyond(lid, True)
            out.append(current)
    cut = next((k for k, p in enumerate(places) if p is None), len(places))
    tail = None
    if cut > 0 and places[cut - 1] is not None and places[cut - 1].startswith("@"):  # type: ignore[union-attr]
        tail = locate.road_beyond(int(places[cut - 1][1:]), True)  # type: ignore[index]
    return out, tail


def _route(
    roads: list[str | None], tail: str | None, graph: nx.DiGraph, net: LaneletNetwork
) -> tuple[list[str], int]:
    """Node route through the roads in order (then ``tail``), and how many states it covers."""
    seq: list[str] = []
    covered = 0
    for k, r in enumerate(roads):
        if r is None:
            break
        covered = k + 1
        if not seq or seq[-1] != r:
            seq.append(r)
    if tail is not None and seq and seq[-1] != tail:
        seq.append(tail)
    if not seq:
        return [], 0
    by_id = {s.id: s for s in net.sections}
    nodes = [by_id[seq[0]].src, by_id[seq[0]].dst]
    for r in seq[1:]:
        sec = by_id[r]
        if sec.dst == nodes[-1]:
            continue  # a neighbouring road merging here (a state over its overlap): noise
        if sec.src != nodes[-1]:
            try:
                path = nx.shortest_path(graph, nodes[-1], sec.src)
            except nx.NetworkXNoPath:
                continue  # not reachable from here: a stray match, the states stay put
            nodes.extend(path[1:])
        nodes.append(sec.dst)
    return nodes, covered


def _agent(
    sc: Scenario,
    ob: Obstacle,
    kind: str,
    locate: _Locator,
    graph: nx.DiGraph,
    notes: list[str],
    types: dict[str, dict[str, Any]],
) -> RecordedAgent | None:
    steps, xy, h, v = _states(sc, ob)
    lids = [locate.lanelet(float(x), float(y), float(a)) for (x, y), a in zip(xy, h, strict=True)]
    places = [locate.place(lid) for lid in lids]
    first = next((k for k, p in enumerate(places) if p is not None), None)
    if first is None:
        notes.append(f"obstacle {ob.id}: no recorded state lies on a lanelet (not imported)")
        return None
    if first > 0:
        notes.append(f"obstacle {ob.id}: its first {first} state(s) lie off the lanelets (dropped)")
    roads, tail = _roads(places[first:], locate)
    route, covered = _route(roads, tail, graph, locate.net)
    if len(route) < 2:
        notes.append(f"obstacle {ob.id}: no route through its roads (not imported)")
        return None
    end = first + covered
    if end < len(places):
        notes.append(
            f"obstacle {ob.id}: {len(places) - end} state(s) after it leaves the network dropped"
        )
    if end - first < 2:
        notes.append(f"obstacle {ob.id}: fewer than 2 states on the network (not imported)")
        return None
    length, width = _dims(ob)
    top_speed: dict[str, float] = {}
    for p, speed in zip(places[first:end], v[first:end], strict=True):
        if p is not None and not p.startswith("@"):
            top_speed[p] = max(top_speed.get(p, 0.0), float(speed))
    return RecordedAgent(
        id=f"cr{ob.id}",
        vtype=_vehicle_type(KIND_OF[ob.type], length, width, types),
        depart=round(float(steps[first]) * sc.time_step_size, 9),
        route=route,
        xy=xy[first:end],
        heading=h[first:end],
        speed=v[first:end],
        lane=np.array([locate.lane(lid) for lid in lids[first:end]]),
        top_speed=top_speed,
        comment=f"CommonRoad obstacle {ob.id} ({ob.type}), {end - first} states",
    )


def _ego(
    sc: Scenario,
    pid: int,
    st: State,
    goals: Any,
    locate: _Locator,
    graph: nx.DiGraph,
    notes: list[str],
) -> tuple[str, list[str], float, dict[str, float]] | None:
    x, y = st.position
    lid = locate.lanelet(x, y, st.orientation)
    place = locate.place(lid)
    if place is not None and place.startswith("@"):  # in a junction: from the road beyond
        place = locate.road_beyond(int(place[1:]), True)
    if place is None:
        notes.append(f"planning problem {pid}: initial state not on the network (no ego agent)")
        return None
    by_id = {s.id: s for s in locate.net.sections}
    sec = by_id[place]
    target: str | None = None
    for g in goals:
        for lid in g.lanelets:
            s = locate.net.section_of.get(lid)
            if s is not None:
                target = s.dst
        for shp in g.shapes:
            cx, cy = shp.center if hasattr(shp, "center") else np.mean(shp.vertices, axis=0)
            p = locate.place(locate.lanelet(float(cx), float(cy), math.nan))
            if p is not None and not p.startswith("@"):
                target = by_id[p].dst
    if target is None or target == sec.src:
        target = _downstream_end(graph, sec.dst)
    try:
        route = [sec.src, *nx.shortest_path(graph, sec.dst, target)] if target != sec.dst else []
    except nx.NetworkXNoPath:
        route = []
    if not route:
        route = [sec.src, sec.dst]
    line = sec.line
    d = np.hypot(line[:, 0] - x, line[:, 1] - y)
    j = int(np.argmin(d))
    along = float(np.hypot(*np.diff(line[: j + 1], axis=0).T).sum()) if j else 0.0
    lane = max(locate.lane(lid), 0)  # in a junction: the road beyond's rightmost lane
    start = {
        "s": round(along + 2.4, 3),
        "lane": lane,
        "speed": round(max(st.velocity or 0.0, 0.0), 4),
    }
    return (f"ego-{pid}", route, round(st.time_step * sc.time_step_size, 9), start)


def _downstream_end(graph: nx.DiGraph, node: str) -> str:
    """Follow the network from ``node`` to a dead end (or back to a node seen): the goal."""
    seen = {node}
    while graph.out_degree(node) > 0:
        nxt = sorted(graph.successors(node))[0]
        if nxt in seen:
            break
        seen.add(nxt)
        node = nxt
    return node


# --- documents --------------------------------------------------------------------------------
def _map_document(
    sc: Scenario, net: LaneletNetwork, limits: dict[str, float], statics: list[Obstacle]
) -> dict[str, Any]:
    features: list[dict[str, Any]] = []
    for nid, (x, y) in net.nodes.items():
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [round(x, 4), round(y, 4)]},
                "properties": {"layer": "road", "kind": "junction", "id": nid},
            }
        )
    for sec in net.sections:
        features.append(
            {
                "type": "Feature",
                "geometry": {
                    "type": "LineString",
                    "coordinates": [[round(float(x), 4), round(float(y), 4)] for x, y in sec.line],
                },
                "properties": {
                    "layer": "road",
                    "kind": "road",
                    "id": sec.id,
                    "name": "lanelets " + ", ".join(str(i) for i in sec.lanelets),
                    "from": sec.src,
                    "to": sec.dst,
                    "road_class": sec.road_class,
                    "speed_limit": round(limits[sec.id], 4),
                    "lanes": min(len(sec.lanelets), 8),
                    "lane_width": round(sec.lane_width, 3),
                    "direction": "forward",
                },
            }
        )
    for ob in statics:
        ring = _footprint(ob)
        if ring is None:
            continue
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": [ring]},
                "properties": {
                    "layer": "obstacle",
                    "kind": "obstacle",
                    "id": f"cr{ob.id}",
                    "name": f"CommonRoad static obstacle {ob.id} ({ob.type})",
                    "height": 1.5,
                },
            }
        )
    return {
        "type": "FeatureCollection",
        "testzone": {
            "format": "testzone-map",
            "version": 1,
            "name": identifier(sc.benchmark_id or "commonroad", "commonroad"),
            "description": f"generated by testzone import commonroad from {sc.file} "
            f"(CommonRoad {sc.version})",
            "crs": "local",
            "ground_elevation": 0.0,
        },
        "features": features,
    }


def _footprint(ob: Obstacle) -> list[list[float]] | None:
    st = ob.initial_state
    if st is None:
        return None
    shape = ob.shape.shapes[0] if isinstance(ob.shape, ShapeGroup) else ob.shape
    if isinstance(shape, CrPolygon):
        pts = np.array(shape.vertices)
    else:
        if isinstance(shape, Circle):
            a = np.linspace(0, 2 * math.pi, 17)[:-1]
            local = np.column_stack([shape.radius * np.cos(a), shape.radius * np.sin(a)])
        else:
            hl, hw = shape.length / 2, shape.width / 2
            local = np.array([[-hl, -hw], [hl, -hw], [hl, hw], [-hl, hw]])
        c, s = math.cos(st.orientation), math.sin(st.orientation)
        pts = local @ np.array([[c, s], [-s, c]]) + np.array(st.position)
    ring = [[round(float(x), 4), round(float(y), 4)] for x, y in pts]
    ring.append(ring[0])
    return ring


def scenario_toml(imp: CommonRoadImport) -> str:
    """The scenario file of an import."""
    head = [f"Generated by `testzone import commonroad` from {imp.source}."]
    head.append(
        'Recorded vehicles replay their trajectories; set trajectories = "simulate" to drive '
        "them with IDM and MOBIL from their first recorded state instead."
    )
    if imp.notes:
        head += ["", "What the import left out or approximated:"]
        head += [f"- {n}" for n in imp.notes]
    out = ["# " + line if line else "#" for line in head]
    out.append("")
    top = {
        "name": imp.name,
        "start": imp.start,
        "duration": imp.duration,
        "dt": 0.1,
        "seed": 0,
        "record_every": 1,
        "map": MAP_FILE,
        "trajectories": imp.trajectories,
    }
    out += [f"{k} = {toml_value(v)}" for k, v in top.items()]
    for t in imp.types.values():
        out += ["", "[[vehicle_type]]"]
        out += [f"{k} = {toml_value(v)}" for k, v in t.items()]
    for eid, route, depart, start in imp.egos:
        out += [
            "",
            "# the planning problem's ego vehicle: it drives itself to its goal. It is the",
            "# vehicle under test: name its permit here before `testzone check` can pass.",
        ]
        out += ["[[agent]]", f"id = {toml_value(eid)}", f"type = {toml_value(EGO_TYPE)}"]
        out += [f"depart = {toml_value(depart)}", f"route = {toml_value(route)}"]
        out.append(f"start = {toml_value(start)}")
    for a in imp.agents:
        out += ["", f"# {a.comment}", "[[agent]]"]
        out += [f"id = {toml_value(a.id)}", f"type = {toml_value(a.vtype)}", "background = true"]
        out += [f"depart = {toml_value(a.depart)}", f"route = {toml_value(a.route)}"]
        out.append("[agent.trajectory]")
        out.append(f"dt = {toml_value(imp.step)}")
        for key, values in (
            ("x", a.xy[:, 0]),
            ("y", a.xy[:, 1]),
            ("heading", a.heading),
            ("speed", a.speed),
        ):
            out.append(f"{key} = [{', '.join(_num(v) for v in values)}]")
        out.append(f"lane = [{', '.join(str(int(k)) for k in a.lane)}]")
    return "\n".join(out) + "\n"


def _num(v: float) -> str:
    return repr(round(float(v), 4))


def documents(imp: CommonRoadImport) -> dict[str, str]:
    """The files of an import folder, by name, as text."""
    return {MAP_FILE: geojson_text(imp.map_doc), SCENARIO_FILE: scenario_toml(imp)}
