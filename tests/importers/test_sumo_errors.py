"""Broken SUMO networks give a ModelError naming the file and the element, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.commands.import_cmd import run_import_sumo
from sim.importers.sumo_net import import_sumo_net, sumo_edge_map
from sim.model.errors import ModelError
from sim.model.map import Junction, Road
from sim.model.map_file import parse_map

LOCATION = '<location netOffset="0,0" convBoundary="0,0,100,0" projParameter="!"/>'
JUNCTIONS = (
    '<junction id="A" type="priority" x="0" y="0"/>'
    '<junction id="B" type="traffic_light" x="100" y="0"/>'
    '<junction id=":B_0" type="internal" x="99" y="0"/>'
)
EDGE = (
    '<edge id="E1" from="A" to="B">'
    '<lane id="E1_0" index="0" allow="pedestrian" speed="1.5" width="2" shape="0,-5 100,-5"/>'
    '<lane id="E1_1" index="1" speed="13.89" shape="0,-1.6 100,-1.6"/></edge>'
)


def write(tmp_path: Path, body: str, name: str = "n.net.xml") -> Path:
    path = tmp_path / name
    path.write_text(f'<?xml version="1.0" encoding="UTF-8"?>\n<net version="1.9">{body}</net>')
    return path


def issue_of(path: Path) -> tuple[str, str]:
    with pytest.raises(ModelError) as exc:
        import_sumo_net(path)
    first = exc.value.issues[0]
    assert first.file.endswith(path.name)
    return first.path, first.message


def test_minimal_net_imports(tmp_path: Path) -> None:
    m = parse_map(import_sumo_net(write(tmp_path, LOCATION + JUNCTIONS + EDGE)), "x")
    (road,) = m.of_type(Road)
    assert road.lanes == 1 and road.geometry.coordinates[0] == (0.0, 0.0)
    assert len(m.of_type(Junction)) == 2
    assert sumo_edge_map(tmp_path / "n.net.xml") == {"E1": "E1"}


def test_truncated_xml(tmp_path: Path) -> None:
    path = write(tmp_path, LOCATION + JUNCTIONS + EDGE)
    path.write_text(path.read_text()[:-60])
    where, message = issue_of(path)
    assert where == "" and "not well-formed XML at line" in message


def test_edge_to_missing_junction(tmp_path: Path) -> None:
    where, message = issue_of(
        write(tmp_path, LOCATION + JUNCTIONS + EDGE.replace('to="B"', 'to="Q"'))
    )
    assert where == "edge[id=E1].to" and "unknown junction 'Q'" in message


def test_not_a_sumo_net(tmp_path: Path) -> None:
    routes = tmp_path / "r.rou.xml"
    routes.write_text('<routes><vehicle id="v" depart="0"/></routes>')
    assert issue_of(routes) == (
        "routes",
        "expected a SUMO network file (root element <net>), got <routes>",
    )
    geojson = tmp_path / "m.geojson"
    geojson.write_text('{"type": "FeatureCollection"}')
    assert "not well-formed XML" in issue_of(geojson)[1]
    empty = tmp_path / "e.net.xml"
    empty.write_text("")
    assert "not well-formed XML" in issue_of(empty)[1]
    assert issue_of(write(tmp_path, LOCATION))[1] == "the network has no junctions"
    assert issue_of(tmp_path / "missing.net.xml")[1] == "file not found"


@pytest.mark.parametrize(
    ("old", "new", "where", "expected"),
    [
        (
            'shape="0,-1.6 100,-1.6"',
            'shape="0,-1.6 100;-1.6"',
            "edge[id=E1].lane[1].shape",
            "positions",
        ),
        ('speed="13.89"', 'speed="fast"', "edge[id=E1].lane[1].speed", "expected a number"),
        ('speed="13.89"', 'speed="-3"', "edge[id=E1].lane[1].speed", "positive speed"),
        ('x="100"', 'x="nan"', "junction[id=B].x", "finite number"),
        ('y="0"/><junction id="B"', '/><junction id="B"', "junction[id=A].y", "missing"),
        ('projParameter="!"', 'projParameter="+proj=nonsense"', "location.projParameter", "pyproj"),
        ('convBoundary="0,0,100,0"', 'convBoundary="0,0"', "location.convBoundary", "4 comma"),
        ('<edge id="E1" from="A"', '<edge from="A"', "edge.id", "missing"),
    ],
)
def test_bad_values_name_the_element(
    tmp_path: Path, old: str, new: str, where: str, expected: str
) -> None:
    body = LOCATION + JUNCTIONS + EDGE
    assert old in body
    got_where, message = issue_of(write(tmp_path, body.replace(old, new, 1)))
    assert got_where == where and expected in message


def test_duplicate_and_clashing_ids(tmp_path: Path) -> None:
    assert issue_of(write(tmp_path, LOCATION + JUNCTIONS + EDGE + EDGE)) == (
        "edge[id=E1]",
        "duplicate edge id",
    )
    clash = EDGE.replace('id="E1"', 'id="A"')
    where, message = issue_of(write(tmp_path, LOCATION + JUNCTIONS + clash))
    assert where == "edge[id=A]" and "junction[id=A]" in message


def test_signal_problems(tmp_path: Path) -> None:
    out = EDGE.replace('id="E1" from="A" to="B"', 'id="E2" from="B" to="A"').replace("E1_", "E2_")
    conn = '<connection from="E1" to="E2" fromLane="1" toLane="1" tl="T" linkIndex="3"/>'
    logic = (
        '<tlLogic id="T" type="static" programID="0" offset="0">'
        '<phase duration="30" state="GG"/></tlLogic>'
    )
    where, message = issue_of(write(tmp_path, LOCATION + JUNCTIONS + EDGE + out + logic + conn))
    assert where == "connection[from=E1,to=E2,fromLane=1].linkIndex" and "beyond" in message
    where, message = issue_of(write(tmp_path, LOCATION + JUNCTIONS + EDGE + out + conn))
    assert where == "connection[from=E1,to=E2,fromLane=1].tl" and "tlLogic" in message


def test_far_local_network_is_shifted(tmp_path: Path) -> None:
    body = (
        (LOCATION + JUNCTIONS + EDGE)
        .replace('x="0"', 'x="500000"')
        .replace('x="100"', 'x="500100"')
    )
    body = body.replace("0,-1.6 100,-1.6", "500000,-1.6 500100,-1.6")
    body = body.replace('convBoundary="0,0,100,0"', 'convBoundary="500000,0,500100,0"')
    doc = import_sumo_net(write(tmp_path, body))
    m = parse_map(doc, "x")
    assert m.by_id["A"].geometry.coordinates == (-50.0, 0.0)
    assert "shifted" in m.header.description


def test_command_reports_and_writes_nothing_on_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = write(tmp_path, LOCATION + JUNCTIONS + EDGE.replace('to="B"', 'to="Q"'))
    out = tmp_path / "map.geojson"
    assert run_import_sumo(bad, out) == 2
    assert not out.exists()
    assert "edge[id=E1].to: unknown junction 'Q'" in capsys.readouterr().err
    good = write(tmp_path, LOCATION + JUNCTIONS + EDGE, "good.net.xml")
    assert run_import_sumo(good, out) == 0
    assert "1 roads" in capsys.readouterr().out
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
