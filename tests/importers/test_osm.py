"""OpenStreetMap importer: the real West Oakland extract, tag rules, and broken inputs."""

from __future__ import annotations

import itertools
import json
import math
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.commands.run import simulate
from sim.importers.osm import SPEED_KMH, import_osm
from sim.model.bundle import load_scenario
from sim.model.errors import ModelError
from sim.model.map import Road
from sim.model.map_file import load_map, parse_map
from sim.trace import TraceReader

OAKLAND = "osm/osmnx_West-Oakland.osm"


def _source_roads(path: Path) -> dict[str, list[tuple[float, float]]]:
    """Drivable ways of the file, independently of the importer: id -> node positions."""
    root = ET.parse(path).getroot()
    nodes = {
        n.attrib["id"]: (float(n.attrib["lon"]), float(n.attrib["lat"])) for n in root.iter("node")
    }
    out = {}
    for way in root.iter("way"):
        tags = {t.attrib["k"]: t.attrib["v"] for t in way.iter("tag")}
        if (
            tags.get("highway") in SPEED_KMH
            and tags.get("area") != "yes"
            and tags.get("service") != "parking_aisle"
        ):
            refs = [nd.attrib["ref"] for nd in way.iter("nd")]
            out[way.attrib["id"]] = [nodes[r] for r in refs if r in nodes]
    return out


def _metres(line: list[tuple[float, float]]) -> float:
    total = 0.0
    for (lon0, lat0), (lon1, lat1) in itertools.pairwise(line):
        lat = math.radians(0.5 * (lat0 + lat1))
        total += 6_371_008.8 * math.hypot(
            math.radians(lon1 - lon0) * math.cos(lat), math.radians(lat1 - lat0)
        )
    return total


def test_west_oakland_imports_every_road_way_whole(shared_data: Path, tmp_path: Path) -> None:
    path = shared_data / OAKLAND
    doc = import_osm(path)
    the_map = parse_map(doc, "oakland.geojson")
    roads = the_map.of_type(Road)
    source = _source_roads(path)
    assert len(source) == 20  # 9 residential, 5 secondary, 3 service, 3 unclassified
    by_way: dict[str, list[dict]] = {}
    for f in doc["features"]:
        p = f["properties"]
        if p["kind"] == "road":
            by_way.setdefault(p["id"][1:].split(".")[0], []).append(f)
    assert set(by_way) == set(source)  # every drivable way, nothing else (no footways)
    for wid, pieces in by_way.items():  # cut at junctions, nothing lost
        length = sum(_metres([tuple(c) for c in f["geometry"]["coordinates"]]) for f in pieces)
        assert length == pytest.approx(_metres(source[wid]), rel=1e-9), wid
    assert len(roads) == 38 and all(r.road_class.value == "urban" for r in roads)
    limits = {round(r.speed_limit * 3.6, 3) for r in roads}
    assert limits <= {20.0, 30.0, 40.0, 50.0, 40.234, 56.327}  # defaults, 25 and 35 mph
    # one-ways are forward edges; the others carry both directions
    assert {r.direction.value for r in roads} == {"forward", "both"}


def test_imported_map_validates_and_runs(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "map.geojson"
    result = CliRunner().invoke(app, ["import", "osm", str(shared_data / OAKLAND), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert "34 junctions (2 signalised), 38 roads" in result.output
    assert CliRunner().invoke(app, ["validate", str(out)]).exit_code == 0
    # traffic both ways between the two junctions furthest apart that reach each other
    g = nx.DiGraph()
    for f in json.loads(out.read_text())["features"]:
        p = f["properties"]
        if p["kind"] == "road":
            g.add_edge(p["from"], p["to"])
            if p["direction"] == "both":
                g.add_edge(p["to"], p["from"])
    core = g.subgraph(max(nx.strongly_connected_components(g), key=len))
    a, b, _ = max(
        ((u, v, k) for u, d in nx.all_pairs_shortest_path_length(core) for v, k in d.items()),
        key=lambda x: (x[2], x[0], x[1]),
    )
    scenario = tmp_path / "oakland.toml"
    scenario.write_text(
        'name = "West Oakland"\nstart = 2026-12-07T09:00:00-08:00\nduration = "8 min"\n'
        'map = "map.geojson"\n'
        f'[[flow]]\nid = "there"\ntype = "car"\norigin = "{a}"\ndestination = "{b}"\n'
        'rate = "900 /h"\n'
        f'[[flow]]\nid = "back"\ntype = "car"\norigin = "{b}"\ndestination = "{a}"\n'
        'rate = "900 /h"\n'
    )
    trace = tmp_path / "t.tztrace"
    _, result = simulate(load_scenario(scenario), trace)
    with TraceReader(trace) as r:
        summary = r.summary
    assert result.arrived > 10
    assert summary["collisions"] == 0 and summary["verdict"] == "pass"


def test_bbox_keeps_the_pieces_inside(shared_data: Path) -> None:
    path = shared_data / OAKLAND
    full = parse_map(import_osm(path), "a")
    box = (-122.3015, 37.8065, -122.2990, 37.8085)
    part = parse_map(import_osm(path, box), "b")
    assert 0 < len(part.of_type(Road)) < len(full.of_type(Road))
    for road in part.of_type(Road):
        for lon, lat in road.geometry.coordinates:
            assert box[0] <= lon <= box[2] and box[1] <= lat <= box[3]


def _osm(tmp_path: Path, ways: str, extra_nodes: str = "") -> Path:
    nodes = "".join(
        f'<node id="{i}" lat="{31.0 + 0.001 * i:.4f}" lon="121.9"/>' for i in range(1, 6)
    )
    path = tmp_path / "t.osm"
    path.write_text(f'<?xml version="1.0"?><osm version="0.6">{nodes}{extra_nodes}{ways}</osm>')
    return path


def _road_props(doc: dict) -> list[dict]:
    return [f["properties"] for f in doc["features"] if f["properties"]["kind"] == "road"]


def test_tags_give_direction_lanes_speed_and_class(tmp_path: Path) -> None:
    path = _osm(
        tmp_path,
        '<way id="7"><nd ref="1"/><nd ref="2"/><nd ref="3"/>'
        '<tag k="highway" v="primary"/><tag k="oneway" v="-1"/><tag k="lanes" v="3"/>'
        '<tag k="maxspeed" v="50 mph"/></way>'
        '<way id="8"><nd ref="3"/><nd ref="4"/><nd ref="5"/><tag k="highway" v="trunk"/>'
        '<tag k="lanes" v="5"/><tag k="maxspeed" v="DE:urban"/><tag k="width" v="14"/></way>'
        '<way id="9"><nd ref="4"/><nd ref="5"/><tag k="highway" v="footway"/></way>',
    )
    roads = {p["id"]: p for p in _road_props(import_osm(path))}
    assert set(roads) == {"w7", "w8"}  # the footway is not a road
    w7, w8 = roads["w7"], roads["w8"]
    assert (w7["from"], w7["to"], w7["direction"]) == ("n3", "n1", "forward")  # reversed
    assert w7["lanes"] == 3 and w7["speed_limit"] == "80.467 km/h"
    assert w7["road_class"] == "expressway"  # primary at >= 80 km/h
    assert w8["direction"] == "both" and w8["lanes"] == 3  # 5 lanes, both ways
    assert w8["speed_limit"] == "80 km/h"  # the class default: DE:urban is no number
    assert w8["lane_width"] == pytest.approx(14 / 6, abs=1e-3)


def test_junctions_split_ways_and_signals_reach_them(tmp_path: Path) -> None:
    path = _osm(
        tmp_path,
        '<way id="1"><nd ref="1"/><nd ref="2"/><nd ref="3"/><nd ref="4"/>'
        '<tag k="highway" v="residential"/></way>'
        '<way id="2"><nd ref="3"/><nd ref="6"/><tag k="highway" v="residential"/></way>',
        '<node id="6" lat="31.003" lon="121.901"><tag k="highway" v="traffic_signals"/></node>'
        '<node id="2"/>',
    )
    with pytest.raises(ModelError) as err:  # node 2 appears twice, once without a position
        import_osm(path)
    assert "node[id=2].lat: missing attribute" in str(err.value.issues[0])
    path.write_text(path.read_text().replace('<node id="2"/>', ""))
    doc = import_osm(path)
    roads = {p["id"]: (p["from"], p["to"]) for p in _road_props(doc)}
    assert roads == {"w1.0": ("n1", "n3"), "w1.1": ("n3", "n4"), "w2": ("n3", "n6")}
    junctions = {
        f["properties"]["id"]: f["properties"].get("signal")
        for f in doc["features"]
        if f["properties"]["kind"] == "junction"
    }
    assert set(junctions) == {"n1", "n3", "n4", "n6"}
    # n6 carries the signal tag and is a junction (the end of way 2); n3 is 111 m away
    assert junctions["n6"] is None  # a dead end with one approach needs no plan
    assert junctions["n3"] is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<osm><node id='1' lat='x' lon='2'/></osm>", "node[id=1]: lat/lon are not numbers"),
        ("<osm><way id='3'><nd/></way></osm>", "way[id=3]: a way needs an id and node refs"),
        ("<nodes/>", "root element is <nodes>, expected <osm>"),
        ("<osm><node", "not well-formed XML"),
        ("<osm><node id='1' lat='1' lon='2'/></osm>", "no drivable highway=* way in the file"),
    ],
)
def test_bad_files_exit_2_naming_the_element(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "bad.osm"
    path.write_text(text)
    result = CliRunner().invoke(app, ["import", "osm", str(path), "-o", str(tmp_path / "m.json")])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "m.json").exists()


def test_load_map_reads_the_written_file(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "m.geojson"
    CliRunner().invoke(app, ["import", "osm", str(shared_data / OAKLAND), "-o", str(out)])
    assert len(load_map(out).of_type(Road)) == 38
