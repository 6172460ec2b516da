"""Import OpenStreetMap roads (``.osm`` XML) as a testzone map document.

:func:`import_osm` returns the GeoJSON ``FeatureCollection`` dict of a map file
(docs/formats.md) that :func:`sim.model.map_file.parse_map` accepts. Mapping rules:

**Roads.** Every ``way`` tagged ``highway=`` with a class in :data:`SPEED_KMH` (motorways down
to service roads; not footways, cycleways, paths, steps, tracks, areas, or ways under
construction) is cut at its junctions into ``road``/``road`` LineStrings. A node is a junction
where two such ways meet or a way ends. ``road_class``: ``motorway(_link)`` -> ``highway``;
``trunk`` and ``primary`` (and their links) -> ``expressway`` when tagged ``motorroad=yes`` or
with ``maxspeed`` of at least 80 km/h, else ``urban``; every other class -> ``urban``.

**Direction.** ``oneway=yes|true|1`` (and motorways, roundabouts) -> ``direction = "forward"``;
``oneway=-1|reverse`` -> forward along the reversed way; otherwise ``both``.

**Lanes.** ``lanes:forward`` / ``lanes:backward`` when given (the larger for a two-way road,
whose lanes the map counts per direction), else ``lanes`` (halved, rounded up, on a two-way
road), else :data:`DEFAULT_LANES` of the class; clamped to 1..8. ``lane_width`` from ``width``
divided by the lanes (clamped to 2..6 m), else 3.5 m.

**Speed.** ``maxspeed`` as a number (km/h), ``"N mph"``, ``"N km/h"`` or ``"N knots"``; the
first of ``;``-separated values. Country or zone codes (``DE:urban``), ``none``, ``walk`` and
the like fall back to :data:`SPEED_KMH` of the class (as do missing values).

**Signals.** A junction tagged ``highway=traffic_signals``, or within :data:`SIGNAL_REACH` m
along a road of a node so tagged (OSM often puts the signal on the stop line), gets a
two-phase fixed-time plan: the approaches within 45 degrees of the first approach's axis, then
the others, :data:`GREEN_S` s green and 3 s yellow each (one phase if all approaches share an
axis).

**Extent.** Ways referring to nodes missing from the file (a clipped extract), or outside
``bbox``, are cut there; the pieces within are kept. Ids: junctions ``n<node id>``, roads
``w<way id>`` or ``w<way id>.<k>`` for the k-th piece. Coordinates stay WGS84 with the centre of
the file's ``<bounds>`` (or of the kept nodes) as the map's ``origin``.

Problems (unreadable or malformed XML, a root other than ``<osm>``, a bad coordinate, no road
at all) raise :class:`~sim.model.errors.ModelError` naming the file and the element, e.g.
``node[id=53003570].lat``.
"""

from __future__ import annotations

import itertools
import math
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.model.errors import Issue, ModelError
from sim.model.files import display_name, read_text

SPEED_KMH: dict[str, float] = {
    "motorway": 100.0,
    "motorway_link": 60.0,
    "trunk": 80.0,
    "trunk_link": 50.0,
    "primary": 60.0,
    "primary_link": 40.0,
    "secondary": 50.0,
    "secondary_link": 40.0,
    "tertiary": 40.0,
    "tertiary_link": 30.0,
    "unclassified": 40.0,
    "residential": 30.0,
    "living_street": 10.0,
    "service": 20.0,
    "road": 40.0,
}
"""Road classes imported and their default speed limits (km/h) where ``maxspeed`` says none."""
DEFAULT_LANES: dict[str, int] = {"motorway": 2, "trunk": 2, "primary": 2}
"""Lanes per direction by class where the tags give none (others: 1)."""
SIGNAL_REACH = 30.0
"""Distance (m) along a road within which a ``traffic_signals`` node signalises a junction."""
GREEN_S = 30.0
"""Green time (s) of each phase of a generated signal plan."""
EARTH_RADIUS = 6_371_008.8
"""Mean Earth radius (m), for distances between nodes."""


@dataclass
class _Way:
    id: str
    refs: list[str]
    tags: dict[str, str]
    index: int


@dataclass
class _Data:
    name: str
    nodes: dict[str, tuple[float, float]] = field(default_factory=dict)  # id -> (lon, lat)
    node_tags: dict[str, dict[str, str]] = field(default_factory=dict)
    ways: list[_Way] = field(default_factory=list)
    bounds: tuple[float, float, float, float] | None = None  # lon0, lat0, lon1, lat1


def import_osm(path: Path, bbox: tuple[float, float, float, float] | None = None) -> dict:
    """The testzone map document of an OSM file's roads (see the module docstring).

    ``bbox`` is ``(min_lon, min_lat, max_lon, max_lat)`` in degrees.

    Raises:
        ModelError: the file cannot be read, is not OSM XML, or holds no road.
    """
    data = _read(path)
    name = data.name
    roads = [w for w in data.ways if _is_road(w.tags)]
    if not roads:
        raise ModelError.single(name, "", "no drivable highway=* way in the file")

    def usable(ref: str) -> bool:
        if ref not in data.nodes:
            return False
        if bbox is None:
            return True
        lon, lat = data.nodes[ref]
        return bbox[0] <= lon <= bbox[2] and bbox[1] <= lat <= bbox[3]

    # runs of consecutive usable nodes of each road way
    runs: list[tuple[_Way, list[str]]] = []
    for way in roads:
        run: list[str] = []
        for ref in way.refs:
            if usable(ref):
                run.append(ref)
                continue
            if len(run) >= 2:
                runs.append((way, run))
            run = []
        if len(run) >= 2:
            runs.append((way, run))
    if not runs:
        raise ModelError.single(name, "", "no road way has two nodes inside the extract")
    uses: dict[str, int] = {}
    for _, run in runs:
        for ref in set(run):
            uses[ref] = uses.get(ref, 0) + 1
        for end in (run[0], run[-1]):
            uses[end] = uses.get(end, 0) + 1  # way ends are junctions too
    junctions = {ref for ref, k in uses.items() if k >= 2}

    features: list[dict[str, Any]] = []
    used_nodes: set[str] = set()
    pieces: dict[str, int] = {}
    roads_out: list[dict[str, Any]] = []
    for way, run in runs:
        for piece in _split(run, junctions):
            k = pieces.get(way.id, 0)
            pieces[way.id] = k + 1
            roads_out.append(_road(way, piece, k, data))
            used_nodes.update((piece[0], piece[-1]))
    # ids: a way cut into several pieces numbers all of them
    for road in roads_out:
        props = road["properties"]
        if pieces[props.pop("_way")] == 1:
            props["id"] = props["id"].rsplit(".", 1)[0]
    signals = _signalised(data, roads_out, used_nodes)
    for road in roads_out:
        del road["properties"]["_refs"]
    for ref in sorted(used_nodes, key=_node_key):
        props: dict[str, Any] = {"layer": "road", "kind": "junction", "id": f"n{ref}"}
        if ref in signals:
            plan = _signal_plan(ref, roads_out, data)
            if plan is not None:
                props["signal"] = plan
        features.append(
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(data.nodes[ref])},
                "properties": props,
            }
        )
    features.extend(roads_out)
    lon0, lat0 = _origin(data, bbox, used_nodes)
    return {
        "type": "FeatureCollection",
        "testzone": {
            "format": "testzone-map",
            "version": 1,
            "name": Path(name).stem or "osm",
            "crs": "wgs84",
            "origin": {"lon": round(lon0, 7), "lat": round(lat0, 7)},
            "ground_elevation": 0.0,
        },
        "features": features,
    }


# --- reading -----------------------------------------------------------------------------------
def _read(path: Path) -> _Data:
    name = display_name(path)
    text = read_text(path)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        raise ModelError.single(name, "", f"not well-formed XML: {exc}") from None
    if root.tag != "osm":
        raise ModelError.single(name, "", f"root element is <{root.tag}>, expected <osm>")
    data = _Data(name)
    issues: list[Issue] = []
    for el in root:
        if el.tag == "bounds":
            try:
                data.bounds = tuple(  # type: ignore[assignment]
                    float(el.attrib[k]) for k in ("minlon", "minlat", "maxlon", "maxlat")
                )
            except (KeyError, ValueError):
                issues.append(Issue(name, "bounds", "expected minlon, minlat, maxlon, maxlat"))
        elif el.tag == "node":
            nid = el.attrib.get("id", "")
            where = f"node[id={nid}]"
            try:
                lat = float(el.attrib["lat"])
                lon = float(el.attrib["lon"])
            except KeyError as exc:
                issues.append(Issue(name, f"{where}.{exc.args[0]}", "missing attribute"))
                continue
            except ValueError:
                issues.append(Issue(name, where, "lat/lon are not numbers"))
                continue
            if not (-90.0 <= lat <= 90.0 and -180.0 <= lon <= 180.0) or not nid:
                issues.append(Issue(name, where, f"bad id or position ({lat}, {lon})"))
                continue
            data.nodes[nid] = (lon, lat)
            tags = _tags(el)
            if tags:
                data.node_tags[nid] = tags
        elif el.tag == "way":
            wid = el.attrib.get("id", "")
            refs = [nd.attrib.get("ref", "") for nd in el if nd.tag == "nd"]
            if not wid or any(not r for r in refs):
                issues.append(Issue(name, f"way[id={wid}]", "a way needs an id and node refs"))
                continue
            data.ways.append(_Way(wid, refs, _tags(el), len(data.ways)))
        if len(issues) >= 50:
            break
    if issues:
        raise ModelError(issues)
    return data


def _tags(el: ET.Element) -> dict[str, str]:
    return {t.attrib.get("k", ""): t.attrib.get("v", "") for t in el if t.tag == "tag"}


def _is_road(tags: dict[str, str]) -> bool:
    return (
        tags.get("highway", "") in SPEED_KMH
        and tags.get("area") != "yes"
        and tags.get("service") not in ("parking_aisle", "drive-through")
    )


# --- roads -------------------------------------------------------------------------------------
def _split(run: list[str], junctions: set[str]) -> list[list[str]]:
    """Cut a run of nodes at its junctions; a closed loop without one is cut at its middle."""
    pieces: list[list[str]] = []
    current = [run[0]]
    for ref in run[1:]:
        current.append(ref)
        if ref in junctions:
            pieces.append(current)
            current = [ref]
    out: list[list[str]] = []
    for piece in pieces:
        if len(piece) < 2:
            continue
        if piece[0] == piece[-1]:  # a loop: from and to must differ
            if len(piece) < 4:
                continue
            mid = len(piece) // 2
            junctions.add(piece[mid])
            out.extend([piece[: mid + 1], piece[mid:]])
        else:
            out.append(piece)
    return out


def _road(way: _Way, piece: list[str], k: int, data: _Data) -> dict[str, Any]:
    tags = way.tags
    hw = tags["highway"]
    oneway = tags.get("oneway", "").lower()
    forward = (
        oneway in ("yes", "true", "1", "-1", "reverse")
        or hw in ("motorway", "motorway_link")
        or tags.get("junction") in ("roundabout", "circular")
    ) and oneway != "no"
    nodes = list(reversed(piece)) if oneway in ("-1", "reverse") else piece
    speed = _maxspeed(tags.get("maxspeed", "")) or SPEED_KMH[hw]
    lanes = _lanes(tags, forward, hw)
    width = _number(tags.get("width", ""))
    lane_width = 3.5
    if width is not None and width > 0:
        lane_width = min(6.0, max(2.0, width / (lanes if forward else 2 * lanes)))
    props: dict[str, Any] = {
        "layer": "road",
        "kind": "road",
        "id": f"w{way.id}.{k}",
        "from": f"n{nodes[0]}",
        "to": f"n{nodes[-1]}",
        "road_class": _road_class(hw, tags, speed),
        "speed_limit": f"{round(speed, 3):g} km/h",
        "lanes": lanes,
        "lane_width": round(lane_width, 3),
        "direction": "forward" if forward else "both",
        "_way": way.id,
        "_refs": nodes,
    }
    if tags.get("name"):
        props["name"] = tags["name"][:200]
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [list(data.nodes[n]) for n in nodes]},
        "properties": props,
    }


def _road_class(hw: str, tags: dict[str, str], speed_kmh: float) -> str:
    if hw.startswith("motorway"):
        return "highway"
    if hw.split("_")[0] in ("trunk", "primary") and (
        tags.get("motorroad") == "yes" or speed_kmh >= 80.0
    ):
        return "expressway"
    return "urban"


def _lanes(tags: dict[str, str], forward: bool, hw: str) -> int:
    fwd = _number(tags.get("lanes:forward", ""))
    bwd = _number(tags.get("lanes:backward", ""))
    total = _number(tags.get("lanes", ""))
    if not forward and (fwd or bwd):
        n = max(fwd or 0.0, bwd or 0.0)
    elif total:
        n = total if forward else math.ceil(total / 2.0)
    else:
        n = DEFAULT_LANES.get(hw.removesuffix("_link"), 1)
        if hw.endswith("_link"):
            n = 1
    return int(min(8, max(1, round(n))))


_SPEED = re.compile(r"^\s*([0-9]+(?:\.[0-9]+)?)\s*(mph|km/h|kmh|kph|knots)?\s*$")


def _maxspeed(value: str) -> float | None:
    """A ``maxspeed`` tag in km/h, or ``None`` when it gives no number."""
    m = _SPEED.match(value.split(";")[0])
    if not m:
        return None
    v = float(m.group(1))
    unit = m.group(2)
    if unit == "mph":
        v *= 1.609344
    elif unit == "knots":
        v *= 1.852
    return v if 0.0 < v <= 250.0 else None


def _number(value: str) -> float | None:
    m = re.match(r"^\s*([0-9]+(?:\.[0-9]+)?)", value.split(";")[0])
    return float(m.group(1)) if m else None


# --- signals -----------------------------------------------------------------------------------
def _signalised(data: _Data, roads: list[dict[str, Any]], junctions: set[str]) -> set[str]:
    """Junctions tagged as signals, or with a signal node within reach along a road."""
    tagged = {n for n, t in data.node_tags.items() if t.get("highway") == "traffic_signals"}
    out = {n for n in junctions if n in tagged}
    for road in roads:
        refs = road["properties"]["_refs"]
        for seq in (refs, list(reversed(refs))):
            dist = 0.0
            for a, b in itertools.pairwise(seq):
                dist += _metres(data.nodes[a], data.nodes[b])
                if dist > SIGNAL_REACH:
                    break
                if b in tagged:
                    out.add(seq[0])
                    break
    return out


def _signal_plan(ref: str, roads: list[dict[str, Any]], data: _Data) -> dict[str, Any] | None:
    """Two fixed-time phases over the approaches of junction ``ref``, grouped by axis."""
    approaches: list[tuple[str, float]] = []  # incoming directed edge id, heading (rad)
    node = f"n{ref}"
    for road in roads:
        p = road["properties"]
        coords = road["geometry"]["coordinates"]
        if p["to"] == node:
            approaches.append((p["id"], _bearing(coords[-2], coords[-1])))
        if p["from"] == node and p["direction"] == "both":
            approaches.append((p["id"] + ":rev", _bearing(coords[1], coords[0])))
    if len(approaches) < 2:
        return None
    ref_h = approaches[0][1]
    axis_a, axis_b = [], []
    for eid, h in approaches:
        d = abs((h - ref_h + math.pi / 2) % math.pi - math.pi / 2)
        (axis_a if d < math.pi / 4 else axis_b).append(eid)
    phases = [
        {"duration": GREEN_S, "green": sorted(g), "yellow": 3.0} for g in (axis_a, axis_b) if g
    ]
    return {"offset": 0.0, "phases": phases}


def _bearing(a: list[float], b: list[float]) -> float:
    """Heading (rad, east = 0, counter-clockwise) from ``a`` to ``b`` (lon, lat degrees)."""
    lat = math.radians(0.5 * (a[1] + b[1]))
    return math.atan2(b[1] - a[1], (b[0] - a[0]) * math.cos(lat))


def _metres(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat = math.radians(0.5 * (a[1] + b[1]))
    dx = math.radians(b[0] - a[0]) * math.cos(lat) * EARTH_RADIUS
    dy = math.radians(b[1] - a[1]) * EARTH_RADIUS
    return math.hypot(dx, dy)


def _origin(
    data: _Data, bbox: tuple[float, float, float, float] | None, used: set[str]
) -> tuple[float, float]:
    box = bbox or data.bounds
    if box is not None:
        return 0.5 * (box[0] + box[2]), 0.5 * (box[1] + box[3])
    lons = [data.nodes[n][0] for n in used]
    lats = [data.nodes[n][1] for n in used]
    return 0.5 * (min(lons) + max(lons)), 0.5 * (min(lats) + max(lats))


def _node_key(ref: str) -> tuple[int, str]:
    return (int(ref), ref) if ref.lstrip("-").isdigit() else (0, ref)
