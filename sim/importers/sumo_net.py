"""Import a SUMO road network (``.net.xml``) as a testzone map document.

:func:`import_sumo_net` returns the GeoJSON ``FeatureCollection`` dict of a map file
(docs/formats.md) that :func:`sim.model.map_file.parse_map` accepts. Mapping rules:

**Junctions.** Every ``<junction>`` whose ``type`` is not ``internal`` becomes a
``road``/``junction`` Point at its ``x``/``y``.

**Edges.** An ``<edge>`` without ``function`` (or ``function="normal"``; internal, connector,
walkingarea and crossing edges are skipped) becomes a ``road``/``road`` LineString from its
``from`` to its ``to`` junction, ``direction = "forward"`` (SUMO edges are one-way), when at
least one of its lanes admits passenger cars (lane ``allow`` lists ``passenger`` or ``all``,
or lane ``disallow`` lists neither; a lane with neither attribute falls back to the edge's,
and admits everyone when the edge has none either). Edges without such a lane (footways,
cycleways, rail, bus-only) and edges that start and end at the same junction are skipped.
Properties, over the car lanes only:

* ``lanes``: their number, clamped to 1..8;
* ``speed_limit``: their highest ``speed`` (m/s), clamped to 0.1..70 m/s;
* ``lane_width``: their mean ``width`` (m; SUMO's default 3.2 m where a lane gives none),
  clamped to 2.0..6.0 m;
* ``road_class``: from the edge ``type`` when it names an OSM highway class (the first
  ``highway.*`` part of a ``|``-joined type): ``motorway`` and ``motorway_link`` ->
  ``highway``; ``trunk`` and ``trunk_link`` -> ``expressway``; any other ``highway.*`` ->
  ``urban``. Otherwise by ``speed_limit``: at least 90 km/h -> ``highway``, at least 70 km/h
  -> ``urban_expressway``, else ``urban`` (0.01 m/s of slack for SUMO's 2-decimal speeds);
* ``name``: the edge's ``name`` (street name), when given.

**Geometry.** The centre line of the car lanes' shapes (point by point when they have equal
point counts, else the middle car lane's shape), since that is where SUMO drives and what
its lane ``length`` measures; else the edge ``shape``; else nothing. The from-junction's
position is put in front and the to-junction's at the end (unless the line already starts or
ends within 1 mm of it), so the line runs exactly junction to junction, as the map format
requires. The edge ``shape`` attribute comes second because netedit can leave it stale: in
``resco_ingolstadt1.net.xml`` edge ``104012170``'s shape is 53 m long and ends 61 m before its
junction, while its lanes are 110 m long.

**Ids.** Junction and edge ids go through :func:`~sim.importers.sumo_ids.sumo_id_to_testzone`
(an injective rule; e.g. ``-164051413`` -> ``_-164051413``). A network in which two junctions
or edges get the same testzone id (SUMO keeps junction and edge ids apart, testzone does not)
is refused. :func:`sumo_edge_map` gives the SUMO -> testzone edge ids, to translate routes.

**Signals.** The first program of each ``<tlLogic>`` becomes the ``signal`` of each junction
it controls, by the rules of :mod:`sim.importers.sumo_signals`.

**Coordinates.** See :mod:`sim.importers.sumo_coords`: lon/lat with ``crs = "wgs84"`` and the
``convBoundary`` centre as ``origin`` for a geo-referenced network, else network metres with
``crs = "local"`` and no origin.

Problems (unreadable or malformed XML, a root other than ``<net>``, a bad number or shape, an
edge naming a missing junction, an id clash ...) raise :class:`~sim.model.errors.ModelError`
naming the file and the element, such as ``edge[id=E3].lane[1].shape``.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from sim.importers.sumo_coords import NetCoordinates
from sim.importers.sumo_ids import check_unique, sumo_id_to_testzone
from sim.importers.sumo_signals import Link, signal_plans
from sim.importers.sumo_xml import XY, Edge, SumoNet, read_sumo_net
from sim.model.errors import ModelError

DEFAULT_LANE_WIDTH = 3.2
"""SUMO's default lane width (m)."""
LANE_WIDTH_RANGE = (2.0, 6.0)
"""Lane widths (m) the map schema accepts."""
SPEED_RANGE = (0.1, 70.0)
"""Road speed limits (m/s) the map schema accepts (it needs more than 0)."""
MAX_LANES = 8
"""Most lanes of a map road."""
HIGHWAY_SPEED = 90.0 / 3.6
"""Least speed limit (m/s) of an untyped road taken as ``highway``."""
URBAN_EXPRESSWAY_SPEED = 70.0 / 3.6
"""Least speed limit (m/s) of an untyped road taken as ``urban_expressway``."""
SPEED_SLACK = 0.01
"""Slack (m/s) for SUMO's speeds written with 2 decimals."""
SAME_POINT = 1e-3
"""Distance (m) under which a line end counts as already at its junction."""


def _clamp(value: float, bounds: tuple[float, float]) -> float:
    return min(max(value, bounds[0]), bounds[1])


def road_class(edge_type: str, speed: float) -> str:
    """Road class of an edge from its SUMO ``type`` and its speed limit (m/s).

    See the module docstring for the rule.
    """
    for part in edge_type.split("|"):
        if part.startswith("highway."):
            base = part.removeprefix("highway.").removesuffix("_link")
            if base == "motorway":
                return "highway"
            if base == "trunk":
                return "expressway"
            return "urban"
    if speed >= HIGHWAY_SPEED - SPEED_SLACK:
        return "highway"
    if speed >= URBAN_EXPRESSWAY_SPEED - SPEED_SLACK:
        return "urban_expressway"
    return "urban"


def imported_edges(net: SumoNet) -> list[Edge]:
    """The edges that become map roads: normal, with a car lane, not a self-loop."""
    return [e for e in net.edges.values() if e.normal and e.car_lanes and e.from_ != e.to]


def _checked_ids(net: SumoNet, edges: list[Edge]) -> dict[str, str]:
    """SUMO -> testzone id of each kept edge, after checking no two elements clash."""
    mapping = {e.id: sumo_id_to_testzone(e.id) for e in edges}
    check_unique(
        net.file,
        [(f"junction[id={j}]", sumo_id_to_testzone(j)) for j in net.junctions]
        + [(f"edge[id={e}]", tz) for e, tz in mapping.items()],
    )
    return mapping


def sumo_edge_map(path: Path) -> dict[str, str]:
    """SUMO edge id -> testzone edge id of every edge the importer keeps (for routes).

    Raises:
        ModelError: as :func:`import_sumo_net`.
    """
    net = read_sumo_net(path)
    return _checked_ids(net, imported_edges(net))


def centreline(edge: Edge, start: XY, end: XY) -> list[XY]:
    """Network positions (m) of a road's line, from ``start`` to ``end`` (its junctions)."""
    lanes = [lane.shape for lane in edge.car_lanes if lane.shape]
    if lanes and len({len(s) for s in lanes}) == 1:
        inner = [
            (
                sum(s[i][0] for s in lanes) / len(lanes),
                sum(s[i][1] for s in lanes) / len(lanes),
            )
            for i in range(len(lanes[0]))
        ]
    elif lanes:
        inner = list(lanes[len(lanes) // 2])
    else:
        inner = list(edge.shape)
    pts = [start]
    for p in inner:
        if math.dist(p, pts[-1]) > SAME_POINT:
            pts.append(p)
    if len(pts) > 1 and math.dist(pts[-1], end) <= SAME_POINT:
        pts[-1] = end
    else:
        pts.append(end)
    return pts


def _signal_links(
    net: SumoNet, kept: dict[str, Edge]
) -> dict[str, tuple[list[Link], dict[int, str]]]:
    """The car links of each traffic light, with the element path of each link's connection."""
    out: dict[str, tuple[list[Link], dict[int, str]]] = {}
    for c in net.connections:
        edge = kept.get(c.from_)
        if not c.tl or edge is None or c.to not in kept:
            continue
        if not any(lane.index == c.from_lane for lane in edge.car_lanes):
            continue
        links, where = out.setdefault(c.tl, ([], {}))
        links.append(Link(c.link_index, sumo_id_to_testzone(edge.to), sumo_id_to_testzone(edge.id)))
        where[c.link_index] = c.where
    return out


def _default_name(path: Path) -> str:
    name = path.name
    for suffix in (".net.xml.gz", ".net.xml", ".xml"):
        if name.endswith(suffix):
            return name[: -len(suffix)] or name
    return name


def import_sumo_net(path: Path, name: str | None = None) -> dict[str, Any]:
    """Read a SUMO network and return it as a testzone map document (GeoJSON dict).

    Args:
        path: the ``.net.xml`` file.
        name: the map's name (default: the file name without ``.net.xml``).

    Raises:
        ModelError: naming the file and the offending element.
    """
    net = read_sumo_net(path)
    if not net.junctions:
        raise ModelError.single(net.file, "net", "the network has no junctions")
    edges = imported_edges(net)
    kept = {e.id: e for e in edges}
    jpos = {j.id: j.xy for j in net.junctions.values()}
    _checked_ids(net, edges)
    lines = {e.id: centreline(e, jpos[e.from_], jpos[e.to]) for e in edges}
    coords = NetCoordinates(
        net.file, net.location, [*jpos.values(), *(p for ln in lines.values() for p in ln)]
    )
    signals: dict[str, dict[str, Any]] = {}
    for tl_id, (links, where) in _signal_links(net, kept).items():
        signals.update(signal_plans(net.file, net.tls[tl_id], links, where))

    features: list[dict[str, Any]] = []
    for j in net.junctions.values():
        tz = sumo_id_to_testzone(j.id)
        props: dict[str, Any] = {"layer": "road", "kind": "junction", "id": tz}
        if tz in signals:
            props["signal"] = signals[tz]
        point = coords.convert([j.xy], net.file, f"junction[id={j.id}]")[0]
        features.append(_feature("Point", point, props))
    for e in edges:
        features.append(_road_feature(e, coords.convert(lines[e.id], net.file, f"edge[id={e.id}]")))
        if _zero_length(features[-1]["geometry"]["coordinates"]):
            raise ModelError.single(
                net.file, f"edge[id={e.id}].shape", "the road has zero length (expected > 0 m)"
            )
    return {
        "type": "FeatureCollection",
        "testzone": _header(path, net, len(edges), coords, name),
        "features": features,
    }


def _zero_length(pts: list[list[float]]) -> bool:
    return all(p == pts[0] for p in pts)


def _feature(gtype: str, coordinates: Any, props: dict[str, Any]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": gtype, "coordinates": coordinates},
        "properties": props,
    }


def _road_feature(e: Edge, line: list[list[float]]) -> dict[str, Any]:
    car = e.car_lanes
    speed = _clamp(max(lane.speed for lane in car), SPEED_RANGE)
    widths = [lane.width if lane.width is not None else DEFAULT_LANE_WIDTH for lane in car]
    deduped = [p for i, p in enumerate(line) if i == 0 or p != line[i - 1]]
    props: dict[str, Any] = {
        "layer": "road",
        "kind": "road",
        "id": sumo_id_to_testzone(e.id),
        "from": sumo_id_to_testzone(e.from_),
        "to": sumo_id_to_testzone(e.to),
        "road_class": road_class(e.type, speed),
        "speed_limit": speed,
        "lanes": min(len(car), MAX_LANES),
        "lane_width": round(_clamp(sum(widths) / len(widths), LANE_WIDTH_RANGE), 3),
        "direction": "forward",
    }
    if e.name:
        props["name"] = e.name
    return _feature("LineString", deduped, props)


def _header(
    path: Path, net: SumoNet, roads: int, coords: NetCoordinates, name: str | None
) -> dict[str, Any]:
    description = (
        f"Imported from SUMO network {path.name}: {len(net.junctions)} junctions, {roads} roads"
    )
    if coords.shift != (0.0, 0.0):
        description += (
            f"; positions shifted by ({-coords.shift[0]:.3f}, {-coords.shift[1]:.3f}) m from "
            "SUMO's network coordinates"
        )
    header: dict[str, Any] = {
        "format": "testzone-map",
        "version": 1,
        "name": (name or _default_name(path))[:200],
        "description": description,
        "crs": coords.crs,
    }
    if coords.origin is not None:
        header["origin"] = {"lon": coords.origin[0], "lat": coords.origin[1]}
    return header
