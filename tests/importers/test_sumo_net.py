"""SUMO network importer: a real geo-referenced net, a netgenerate grid, and broken inputs."""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from sim.commands.import_cmd import run_import_sumo
from sim.geo.localmap import LocalFrame, polyline_length
from sim.importers.sumo_ids import sumo_id_to_testzone
from sim.importers.sumo_net import import_sumo_net, road_class, sumo_edge_map
from sim.model.map import Crs, Junction, Map, Road
from sim.model.map_file import load_map, parse_map
from sim.network.graphs import layer_graph

INGOLSTADT = Path("sumo") / "resco_ingolstadt1.net.xml"
TL_JUNCTION = "cluster_274083968_cluster_1200364014_1200364088"


def _car(lane: ET.Element) -> bool:
    allow, disallow = lane.get("allow"), lane.get("disallow")
    if allow is not None:
        return bool({"all", "passenger"} & set(allow.split()))
    if disallow is not None:
        return not ({"all", "passenger"} & set(disallow.split()))
    return True


def _car_edges(root: ET.Element) -> list[ET.Element]:
    return [
        e
        for e in root.findall("edge")
        if e.get("function", "normal") == "normal" and any(_car(ln) for ln in e.findall("lane"))
    ]


def _shape(raw: str) -> list[tuple[float, float]]:
    return [(float(p.split(",")[0]), float(p.split(",")[1])) for p in raw.split()]


@pytest.fixture
def ingolstadt(shared_data: Path) -> Path:
    return shared_data / INGOLSTADT


@pytest.fixture
def ingolstadt_map(ingolstadt: Path) -> Map:
    return parse_map(import_sumo_net(ingolstadt), "ingolstadt.geojson")


def test_counts_match_the_xml(ingolstadt: Path, ingolstadt_map: Map) -> None:
    root = ET.parse(ingolstadt).getroot()
    junctions = [j for j in root.findall("junction") if j.get("type") != "internal"]
    edges = _car_edges(root)
    assert len(ingolstadt_map.of_type(Junction)) == len(junctions) == 8
    assert len(ingolstadt_map.of_type(Road)) == len(edges) == 11
    assert {r.id for r in ingolstadt_map.of_type(Road)} == {
        sumo_id_to_testzone(e.get("id", "")) for e in edges
    }
    assert set(sumo_edge_map(ingolstadt)) == {e.get("id") for e in edges}
    road = ingolstadt_map.by_id["104012170"]
    assert isinstance(road, Road)
    assert road.lanes == 4  # five lanes, the first one pedestrian-only
    assert road.speed_limit == pytest.approx(13.89)
    assert road.road_class.value == "urban"  # highway.secondary
    assert road.lane_width == pytest.approx(3.2)  # SUMO's default where none is given
    assert road.direction.value == "forward"


def test_signal_plan(ingolstadt: Path, ingolstadt_map: Map) -> None:
    root = ET.parse(ingolstadt).getroot()
    tl = root.find("tlLogic")
    assert tl is not None
    total = sum(float(p.get("duration", "0")) for p in tl.findall("phase"))
    junction = ingolstadt_map.by_id[TL_JUNCTION]
    assert isinstance(junction, Junction) and junction.signal is not None
    plan = junction.signal
    # GGgGrGGG 38 s + amber 3 s; GGGrrrrr 6 s + amber 3 s; rrrGGGrr 37 s + amber 3 s.
    assert len(plan.phases) == 3
    assert all(p.green for p in plan.phases)
    assert plan.cycle == pytest.approx(total) == pytest.approx(90.0)
    assert [p.duration for p in plan.phases] == [38.0, 6.0, 37.0]
    assert [p.yellow for p in plan.phases] == [3.0, 3.0, 3.0]
    assert plan.phases[1].green == ("201963537#1",)
    assert plan.offset == 0.0
    others = [j for j in ingolstadt_map.of_type(Junction) if j.id != TL_JUNCTION]
    assert all(j.signal is None for j in others)


def test_lon_lat_near_ingolstadt(ingolstadt_map: Map) -> None:
    assert ingolstadt_map.header.crs is Crs.WGS84
    origin = ingolstadt_map.header.origin
    assert origin is not None
    assert origin.lon == pytest.approx(11.41, abs=0.05)
    assert origin.lat == pytest.approx(48.77, abs=0.05)
    for e in ingolstadt_map.elements:
        for lon, lat in (p[:2] for p in e.geometry.positions()):
            assert 11.3 < lon < 11.5 and 48.7 < lat < 48.8


def test_lengths_agree_with_sumo(ingolstadt: Path, ingolstadt_map: Map) -> None:
    """Each road is SUMO's lane plus a stub from each junction centre to the lane's end."""
    root = ET.parse(ingolstadt).getroot()
    frame = LocalFrame.of_map(ingolstadt_map)
    g = layer_graph(ingolstadt_map, "road", frame)
    lengths = {key: data["length"] for _, _, key, data in g.edges(keys=True, data=True)}
    junction_xy = {j.id: tuple(frame.xy([j.position])[0]) for j in ingolstadt_map.of_type(Junction)}
    for e in _car_edges(root):
        road = ingolstadt_map.by_id[sumo_id_to_testzone(e.get("id", ""))]
        assert isinstance(road, Road)
        xy = frame.xy(road.geometry.coordinates)
        assert tuple(xy[0]) == pytest.approx(junction_xy[road.from_], abs=1e-6)
        assert tuple(xy[-1]) == pytest.approx(junction_xy[road.to], abs=1e-6)
        sumo_length = float(e.findall("lane")[-1].get("length", "nan"))
        inner = polyline_length(xy[1:-1])  # without the two junction stubs
        assert inner == pytest.approx(sumo_length, rel=0.02), e.get("id")
        assert lengths[road.id] == pytest.approx(polyline_length(xy))
        assert lengths[road.id] > sumo_length


def test_edge_map_translates_a_real_route(ingolstadt: Path, ingolstadt_map: Map) -> None:
    mapping = sumo_edge_map(ingolstadt)
    route = [mapping[e] for e in ("201963537#1", "104010475#0", "104012170")]
    g = layer_graph(ingolstadt_map, "road")
    ends = {key: (u, v) for u, v, key in g.edges(keys=True)}
    for a, b in itertools.pairwise(route):
        assert ends[a][1] == ends[b][0]


def test_road_class_rule() -> None:
    assert road_class("highway.motorway", 10.0) == "highway"
    assert road_class("highway.motorway_link", 10.0) == "highway"
    assert road_class("highway.trunk_link", 30.0) == "expressway"
    assert road_class("highway.residential", 30.0) == "urban"
    assert road_class("railway.tram|highway.trunk", 10.0) == "expressway"
    assert road_class("", 25.0) == "highway"  # 90 km/h
    assert road_class("", 19.44) == "urban_expressway"  # 70 km/h written with 2 decimals
    assert road_class("", 19.0) == "urban"


def _sumo_tool(name: str) -> Path | None:
    try:
        import sumo  # eclipse-sumo's wheel: binaries under SUMO_HOME/bin

        candidate = Path(sumo.SUMO_HOME) / "bin" / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    except ImportError:
        pass
    home = os.environ.get("SUMO_HOME")
    if home and (Path(home) / "bin" / name).is_file():
        return Path(home) / "bin" / name
    found = shutil.which(name)
    return Path(found) if found else None


def test_netgenerate_grid_imports(tmp_path: Path) -> None:
    tool = _sumo_tool("netgenerate")
    if tool is None:
        pytest.skip("netgenerate not found (pip install eclipse-sumo, or set SUMO_HOME)")
    net = tmp_path / "grid.net.xml"
    subprocess.run(
        [str(tool), "--grid", "--grid.number", "3", "--grid.length", "200",
         "--default.lanenumber", "2", "--tls.guess", "true", "--no-turnarounds", "true",
         "-o", str(net)],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    out = tmp_path / "grid.geojson"
    assert run_import_sumo(net, out) == 0
    m = load_map(out)
    assert m.header.crs is Crs.LOCAL and m.header.origin is None
    assert len(m.of_type(Junction)) == 9
    assert len(m.of_type(Road)) == 24  # 12 streets, both ways
    cycles = {
        tl.get("id"): sum(float(p.get("duration", "0")) for p in tl.findall("phase"))
        for tl in ET.parse(net).getroot().findall("tlLogic")
    }
    signalised = {j.id: j.signal for j in m.of_type(Junction) if j.signal is not None}
    assert set(signalised) == set(cycles) and cycles  # netgenerate names a tl after its node
    for jid, plan in signalised.items():
        assert len(plan.phases) == 2  # north-south and east-west, each with its amber
        assert plan.cycle == pytest.approx(cycles[jid])
    center = m.by_id["B1"]
    assert isinstance(center, Junction) and center.position == (200.0, 200.0)
    g = layer_graph(m, "road")
    assert g.edges["A0", "A1", "A0A1"]["length"] == pytest.approx(200.0, rel=0.02)
    # The benchmark's demand: seeded, and every route is a chain of imported roads.
    from benchmarks.sumo_side import make_demand

    trips = make_demand(net, 40, 60.0, seed=3)
    assert trips == make_demand(net, 40, 60.0, seed=3)
    mapping = sumo_edge_map(net)
    for trip in trips:
        roads = [m.by_id[mapping[e]] for e in trip.edges]
        assert all(isinstance(r, Road) for r in roads)
        assert all(a.to == b.from_ for a, b in itertools.pairwise(roads))  # type: ignore[attr-defined]
