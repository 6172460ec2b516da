"""CommonRoad XML reader: the three real scenarios (2018b, 2020a), commonroad-io, broken inputs."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import numpy as np
import pytest

from sim.importers.commonroad_xml import (
    Circle,
    Polygon,
    Rectangle,
    ShapeGroup,
    State,
    centre_line,
    parse_commonroad,
    parse_commonroad_text,
)
from sim.model.errors import ModelError

US101 = "commonroad/USA_US101-4_1_T-1.xml"
PEACH = "commonroad/USA_Peach-4_8_T-1.xml"
SHA = "commonroad/CHN_Sha-4_5_T-1.xml"
FILES = [US101, PEACH, SHA]


# --- independent reading of the source text (regexes, not the reader) ---------------------------
def _blocks(text: str, tag: str) -> dict[int, str]:
    """``<tag id="N">...</tag>`` bodies by id (each file writes ``id`` first in these tags)."""
    return {
        int(i): body
        for i, body in re.findall(rf'<{tag} id="(\d+)">(.*?)</{tag}>', text, flags=re.S)
    }


def _exact(body: str, tag: str) -> float:
    m = re.search(rf"<{tag}>\s*<exact>([^<]+)</exact>", body)
    assert m, tag
    return float(m.group(1))


def _source_states(body: str) -> list[tuple[int, float, float, float, float]]:
    """(time, x, y, orientation, velocity) of each ``<state>`` of a trajectory body."""
    out = []
    for state in re.findall(r"<state>(.*?)</state>", body, flags=re.S):
        x = float(re.search(r"<x>([^<]+)</x>", state).group(1))
        y = float(re.search(r"<y>([^<]+)</y>", state).group(1))
        out.append(
            (
                int(_exact(state, "time")),
                x,
                y,
                _exact(state, "orientation"),
                _exact(state, "velocity"),
            )
        )
    return out


def _obstacle_tag(text: str) -> str:
    return "obstacle" if 'commonRoadVersion="2018b"' in text else "dynamicObstacle"


# --- the real files --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "version", "lanelets", "obstacles"),
    [(US101, "2020a", 12, 22), (PEACH, "2020a", 79, 9), (SHA, "2018b", 7, 8)],
)
def test_counts_match_the_source(
    shared_data: Path, name: str, version: str, lanelets: int, obstacles: int
) -> None:
    path = shared_data / name
    text = path.read_text(encoding="utf-8")
    # `<lanelet ref=...>` also occurs in goal regions: count only definitions
    assert len(re.findall(r"<lanelet\s+id=", text)) == lanelets
    assert len(re.findall(r"<(?:dynamicObstacle|staticObstacle|obstacle)\b", text)) == obstacles
    sc = parse_commonroad(path)
    assert sc.version == version
    assert sc.time_step_size == pytest.approx(0.1)
    assert sc.benchmark_id == path.stem
    assert len(sc.lanelets) == lanelets
    assert len(sc.obstacles) == obstacles
    assert len(sc.dynamic_obstacles) == obstacles and not sc.static_obstacles
    assert len(sc.planning_problems) == 1
    assert sc.file.endswith(path.name)


@pytest.mark.parametrize("name", FILES)
def test_every_trajectory_equals_the_source(shared_data: Path, name: str) -> None:
    path = shared_data / name
    text = path.read_text(encoding="utf-8")
    sc = parse_commonroad(path)
    blocks = _blocks(text, _obstacle_tag(text))
    assert set(blocks) == set(sc.obstacles)
    for ident, body in blocks.items():
        ob = sc.obstacles[ident]
        init = re.search(r"<initialState>(.*?)</initialState>", body, flags=re.S).group(1)
        (t0, x0, y0, o0, v0) = _source_states(f"<state>{init}</state>")[0]
        assert ob.initial_state is not None
        assert ob.initial_state.time_step == t0 == 0
        assert ob.initial_state.position == (x0, y0)
        assert ob.initial_state.orientation == o0
        assert ob.initial_state.velocity == v0
        traj = re.search(r"<trajectory>(.*?)</trajectory>", body, flags=re.S).group(1)
        states = _source_states(traj)
        assert len(ob.trajectory) == len(states) == body.count("<state>")
        assert ob.trajectory.time_step.tolist() == [s[0] for s in states]
        assert ob.trajectory.time_step[0] == ob.initial_state.time_step + 1
        assert np.all(np.diff(ob.trajectory.time_step) == 1)
        np.testing.assert_array_equal(ob.trajectory.position, [(s[1], s[2]) for s in states])
        np.testing.assert_array_equal(ob.trajectory.orientation, [s[3] for s in states])
        np.testing.assert_array_equal(ob.trajectory.velocity, [s[4] for s in states])
        assert len(ob.track) == len(states) + 1
        assert ob.track.state(0) == State(0, (x0, y0), o0, v0, ob.initial_state.acceleration)


def test_us101_first_obstacle(shared_data: Path) -> None:
    sc = parse_commonroad(shared_data / US101)
    ob = next(iter(sc.obstacles.values()))
    assert (ob.id, ob.role, ob.type) == (373, "dynamic", "car")
    assert isinstance(ob.shape, Rectangle)
    assert len(ob.trajectory) == 7
    first = ob.trajectory.state(0)
    assert first.time_step == 1
    assert first.position == (22.0989, -39.973)
    assert first.velocity == 16.4744
    assert first.acceleration == 2.8377
    assert ob.initial_state is not None and ob.initial_state.acceleration == 1.2527


def test_us101_network_and_planning_problem(shared_data: Path) -> None:
    sc = parse_commonroad(shared_data / US101)
    assert sc.location is not None and sc.location.geo_name_id == 5404794
    assert (sc.location.latitude, sc.location.longitude) == (34.13817, -118.36365)
    assert "highway" in sc.tags and "traffic_jam" in sc.tags
    # a 5-lane freeway: every neighbour drives the same way, no speed limit in the file
    for ll in sc.lanelets.values():
        assert ll.adjacent_left_dir in (None, "same")
        assert ll.adjacent_right_dir in (None, "same")
        assert ll.speed_limit is None
        assert ll.lanelet_types == ("urban",)
        assert ll.centre.shape == ll.left_bound.shape
    two = sc.lanelets[2]
    assert (two.successors, two.adjacent_right, two.adjacent_left) == ((4,), 42, None)
    assert sc.lanelets[42].adjacent_left == 2
    assert not sc.traffic_lights and not sc.intersections and not sc.traffic_signs
    pp = sc.planning_problems[458]
    assert pp.initial_state.time_step == 0
    assert pp.initial_state.velocity == 5.331
    (goal,) = pp.goals
    assert goal.time_step == (90, 100)
    assert goal.velocity == (0.0, 3.0)
    assert goal.shapes == (Rectangle(2.2678, 1.7444, -0.73431, (17.836, -17.2178)),)


def test_peach_speed_limits_come_from_the_referenced_signs(shared_data: Path) -> None:
    path = shared_data / PEACH
    text = path.read_text(encoding="utf-8")
    sc = parse_commonroad(path)
    sign_values = {
        i: float(re.search(r"<additionalValue>([^<]+)<", body).group(1))
        for i, body in _blocks(text, "trafficSign").items()
        if "<trafficSignID>R2-1<" in body
    }
    assert len(sign_values) == 79
    lanelet_blocks = _blocks(text, "lanelet")
    checked = 0
    for ident, body in lanelet_blocks.items():
        refs = [int(r) for r in re.findall(r'<trafficSignRef ref="(\d+)"', body)]
        expected = min(sign_values[r] for r in refs) if refs else None
        assert sc.lanelets[ident].speed_limit == expected
        checked += expected is not None
    assert checked == 79
    assert sc.lanelets[43349].speed_limit == 15.6464  # 35 mph
    assert {ll.speed_limit for ll in sc.lanelets.values()} == {15.6464, 11.176}  # 35, 25 mph
    assert sc.traffic_signs[43839].lanelets == (43349,)
    assert sc.traffic_signs[43839].virtual


def test_peach_traffic_lights_intersection_and_lanelet_details(shared_data: Path) -> None:
    sc = parse_commonroad(shared_data / PEACH)
    assert len(sc.traffic_lights) == 4
    tl = sc.traffic_lights[43918]
    assert tl.cycle == (("green", 400), ("yellow", 30), ("red", 570))
    assert (tl.offset, tl.cycle_length, tl.direction, tl.active) == (590, 1000, "all", True)
    assert tl.position == pytest.approx((13.6179, -13.3698))
    assert tl.lanelets == (43402, 43404, 43406)
    assert [tl.color_at(t) for t in (0, 590, 989, 990, 1020, 1590)] == [
        "yellow",
        "green",
        "green",
        "yellow",
        "red",
        "green",
    ]
    assert sc.traffic_lights[43920].lanelets == (43349, 43208, 43343)
    (x,) = sc.intersections.values()
    assert x.id == 43922 and len(x.incomings) == 4
    inc = x.incomings[0]
    assert inc.incoming_lanelets == (43402, 43404, 43406)
    assert inc.successors_right == (43646,)
    assert inc.successors_straight == (43836, 43838)
    assert inc.successors_left == (43834,)
    assert inc.is_left_of == 43924
    ll = sc.lanelets[43349]
    assert (ll.left_line_marking, ll.right_line_marking) == ("broad_solid", "solid")
    assert (ll.adjacent_left, ll.adjacent_left_dir) == (43341, "opposite")
    assert (ll.adjacent_right, ll.adjacent_right_dir) == (43208, "same")
    assert ll.stop_line is not None
    assert ll.stop_line.points == () and ll.stop_line.traffic_lights == (43920,)
    assert ll.traffic_lights == (43920,)
    assert sum(1 for ll in sc.lanelets.values() if ll.stop_line is not None) == 13
    (goal,) = sc.planning_problems[603].goals
    assert goal.lanelets == (43616, 43482, 43474, 43478) and goal.time_step == (52, 52)


def test_sha_2018b_speed_limits_and_tags(shared_data: Path) -> None:
    path = shared_data / SHA
    text = path.read_text(encoding="utf-8")
    sc = parse_commonroad(path)
    for ident, body in _blocks(text, "lanelet").items():
        m = re.search(r"<speedLimit>([^<]+)</speedLimit>", body)
        assert sc.lanelets[ident].speed_limit == (float(m.group(1)) if m else None)
    assert sc.lanelets[558].speed_limit == pytest.approx(10 / 3.6)
    assert sc.lanelets[560].speed_limit == pytest.approx(50 / 3.6)
    assert (sc.lanelets[558].adjacent_left, sc.lanelets[558].adjacent_left_dir) == (
        559,
        "opposite",
    )
    assert sc.lanelets[560].predecessors == (562, 563)
    assert sc.tags == ("intersection", "comfort", "urban")
    assert sc.location is None
    ob = sc.obstacles[30]
    assert len(ob.trajectory) == 69
    assert ob.trajectory.state(0).position == (-56.7417, 0.6882)
    assert ob.shape == Rectangle(5.0, 1.8)
    assert sc.planning_problems[2].goals[0].lanelets == (558,)


# --- cross-check against commonroad-io ------------------------------------------------------
@pytest.mark.parametrize("name", FILES)
def test_agrees_with_commonroad_io(shared_data: Path, name: str) -> None:
    reader = pytest.importorskip(
        "commonroad.common.file_reader", reason="commonroad-io (the bench extra) not installed"
    )
    path = shared_data / name
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        scenario, problems = reader.CommonRoadFileReader(str(path)).open()
    sc = parse_commonroad(path)
    assert scenario.dt == sc.time_step_size
    net = scenario.lanelet_network
    assert {ll.lanelet_id for ll in net.lanelets} == set(sc.lanelets)
    for theirs in net.lanelets:
        ours = sc.lanelets[theirs.lanelet_id]
        np.testing.assert_allclose(ours.left_bound, theirs.left_vertices, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours.right_bound, theirs.right_vertices, rtol=0, atol=1e-12)
        np.testing.assert_allclose(ours.centre, theirs.center_vertices, rtol=0, atol=1e-12)
        assert set(ours.predecessors) == set(theirs.predecessor)
        assert set(ours.successors) == set(theirs.successor)
        assert ours.adjacent_left == theirs.adj_left
        assert ours.adjacent_right == theirs.adj_right
    assert {o.obstacle_id for o in scenario.obstacles} == set(sc.obstacles)
    for theirs in scenario.dynamic_obstacles:
        ours = sc.obstacles[theirs.obstacle_id]
        assert ours.type == theirs.obstacle_type.value
        assert ours.shape == Rectangle(theirs.obstacle_shape.length, theirs.obstacle_shape.width)
        init = theirs.initial_state
        assert ours.initial_state is not None
        assert ours.initial_state.time_step == init.time_step
        assert ours.initial_state.position == tuple(init.position)
        assert ours.initial_state.orientation == init.orientation
        assert ours.initial_state.velocity == init.velocity
        states = theirs.prediction.trajectory.state_list
        assert ours.trajectory.time_step.tolist() == [s.time_step for s in states]
        np.testing.assert_array_equal(ours.trajectory.position, [s.position for s in states])
        np.testing.assert_array_equal(ours.trajectory.velocity, [s.velocity for s in states])
    for theirs in problems.planning_problem_dict.values():
        ours = sc.planning_problems[theirs.planning_problem_id]
        assert ours.initial_state.position == tuple(theirs.initial_state.position)
        assert ours.initial_state.velocity == theirs.initial_state.velocity
    if name == PEACH:
        from commonroad.scenario.traffic_sign import SupportedTrafficSignCountry
        from commonroad.scenario.traffic_sign_interpreter import TrafficSignInterpreter

        interp = TrafficSignInterpreter(SupportedTrafficSignCountry.USA, net)
        for ll in sc.lanelets.values():
            assert ll.speed_limit == interp.speed_limit(frozenset([ll.id]))
        for tl in net.traffic_lights:
            ours_tl = sc.traffic_lights[tl.traffic_light_id]
            for t in range(0, 2500, 7):
                assert ours_tl.color_at(t) == tl.get_state_at_time_step(t).value


# --- small synthetic documents ---------------------------------------------------------------
def _lanelet(ident: int, left: str = "0,0 10,0", right: str = "0,-3 10,-3", extra: str = "") -> str:
    def pts(spec: str) -> str:
        return "".join(
            f"<point><x>{p.split(',')[0]}</x><y>{p.split(',')[1]}</y></point>" for p in spec.split()
        )

    return (
        f'<lanelet id="{ident}"><leftBound>{pts(left)}</leftBound>'
        f"<rightBound>{pts(right)}</rightBound>{extra}</lanelet>"
    )


def _doc(body: str, version: str = "2020a", bench: str = "ZAM_Test-1_1_T-1") -> str:
    return (
        f'<?xml version="1.0"?>\n<commonRoad commonRoadVersion="{version}" '
        f'benchmarkID="{bench}" timeStepSize="0.1">{body}</commonRoad>'
    )


def _state(t: str, x: float = 0.0, extra: str = "") -> str:
    return (
        f"<position><point><x>{x}</x><y>0</y></point></position>"
        f"<orientation><exact>0</exact></orientation><time>{t}</time>{extra}"
    )


def _write(tmp_path: Path, text: str, name: str = "s.xml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _issues(tmp_path: Path, text: str) -> list[tuple[str, str]]:
    path = _write(tmp_path, text)
    with pytest.raises(ModelError) as exc:
        parse_commonroad(path)
    assert all(i.file.endswith("s.xml") for i in exc.value.issues)
    return [(i.path, i.message) for i in exc.value.issues]


def test_intervals_become_midpoints_and_shapes_are_read(tmp_path: Path) -> None:
    ob = (
        '<dynamicObstacle id="5"><type>pedestrian</type><shape>'
        "<circle><radius>0.4</radius></circle><polygon><point><x>0</x><y>0</y></point>"
        "<point><x>1</x><y>0</y></point><point><x>0</x><y>1</y></point></polygon></shape>"
        "<initialState>"
        + _state(
            "<exact>0</exact>",
            extra="<velocity><intervalStart>1</intervalStart><intervalEnd>2</intervalEnd>"
            "</velocity>",
        )
        + "</initialState><trajectory><state>"
        + _state("<intervalStart>1</intervalStart><intervalEnd>3</intervalEnd>", 1.5)
        + "</state></trajectory></dynamicObstacle>"
        '<staticObstacle id="6"><type>parkedVehicle</type><shape><rectangle><length>4</length>'
        "<width>2</width></rectangle></shape><initialState><position><rectangle><length>2"
        "</length><width>2</width><center><x>7</x><y>8</y></center></rectangle></position>"
        "<orientation><exact>1</exact></orientation><time><exact>0</exact></time>"
        "</initialState></staticObstacle>"
    )
    sc = parse_commonroad_text(_doc(_lanelet(1) + ob), "mem.xml")
    ped = sc.obstacles[5]
    assert ped.initial_state is not None and ped.initial_state.velocity == 1.5
    assert ped.trajectory.time_step.tolist() == [2]
    assert np.isnan(ped.trajectory.velocity[0]) and ped.trajectory.state(0).velocity is None
    assert isinstance(ped.shape, ShapeGroup)
    assert ped.shape.shapes[0] == Circle(0.4)
    assert isinstance(ped.shape.shapes[1], Polygon) and len(ped.shape.shapes[1].points) == 3
    parked = sc.obstacles[6]
    assert parked.role == "static" and len(parked.trajectory) == 0
    assert parked.initial_state is not None and parked.initial_state.position == (7.0, 8.0)
    assert sc.location is None and sc.country == "ZAM"
    with pytest.raises(ValueError):
        ped.trajectory.position[0, 0] = 1.0  # read-only


def test_centre_line_resamples_bounds_of_different_counts(tmp_path: Path) -> None:
    sc = parse_commonroad_text(_doc(_lanelet(1, left="0,0 5,0 10,0", right="0,-4 10,-4")))
    np.testing.assert_allclose(sc.lanelets[1].centre, [(0, -2), (5, -2), (10, -2)])
    np.testing.assert_allclose(
        centre_line(np.array([[0, 0], [4, 0]]), np.array([[0, 2]] * 2)), [[0, 1], [2, 1]]
    )


def test_german_max_speed_sign_and_location_placeholder() -> None:
    body = (
        "<location><geoNameId>999</geoNameId><gpsLatitude>999</gpsLatitude>"
        "<gpsLongitude>999</gpsLongitude></location><scenarioTags><urban/></scenarioTags>"
        + _lanelet(1, extra='<laneletType>urban</laneletType><trafficSignRef ref="9"/>')
        + '<trafficSign id="9"><trafficSignElement><trafficSignID>274</trafficSignID>'
        "<additionalValue>13.89</additionalValue></trafficSignElement></trafficSign>"
    )
    sc = parse_commonroad_text(_doc(body, bench="DEU_Test-1_1_T-1"))
    assert sc.lanelets[1].speed_limit == 13.89
    assert sc.location is not None and sc.location.latitude is None
    assert sc.location.geo_name_id is None and sc.tags == ("urban",)


def test_2018b_obstacle_without_initial_state_starts_at_its_first_state() -> None:
    ob = (
        '<obstacle id="3"><role>dynamic</role><type>car</type><shape><rectangle><length>4'
        "</length><width>2</width></rectangle></shape><trajectory>"
        + "".join(f"<state>{_state(f'<exact>{t}</exact>', t)}</state>" for t in (5, 6, 7))
        + "</trajectory></obstacle>"
    )
    sc = parse_commonroad_text(_doc(_lanelet(1, extra="<speedLimit>8</speedLimit>") + ob, "2018b"))
    o = sc.obstacles[3]
    assert o.initial_state is not None and o.initial_state.time_step == 5
    assert o.trajectory.time_step.tolist() == [6, 7]
    assert sc.lanelets[1].speed_limit == 8.0


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        ("<commonRoad", "", "not well-formed XML"),
        ('<osm version="0.6"/>', "", "not a CommonRoad file: root element <osm>"),
        (
            _doc(_lanelet(1), "2017a"),
            "commonRoad.commonRoadVersion",
            "unsupported CommonRoad version 2017a",
        ),
        (
            '<commonRoad timeStepSize="0.1">' + _lanelet(1) + "</commonRoad>",
            "commonRoad.commonRoadVersion",
            "required attribute is missing",
        ),
        (
            '<?xml version="1.0"?><!DOCTYPE c [<!ENTITY a "aaaa">]>' + _doc("&a;"),
            "",
            "document type or entity declaration at line 1 is not accepted",
        ),
    ],
)
def test_whole_file_errors(tmp_path: Path, text: str, path: str, message: str) -> None:
    (issue,) = _issues(tmp_path, text)
    assert issue[0] == path
    assert issue[1].startswith(message), issue


@pytest.mark.parametrize(
    ("body", "path", "message"),
    [
        (
            _lanelet(3214, left="0,0"),
            "lanelet[id=3214].leftBound",
            "has 1 point, expected at least 2",
        ),
        (_lanelet(1, left="0,0 abc,1"), "lanelet[id=1].leftBound.point[1].x", "expected a number"),
        (_lanelet(1, left="0,0 nan,1"), "lanelet[id=1].leftBound.point[1].x", "expected a finite"),
        (
            _lanelet(1, extra='<successor ref="99"/>'),
            "lanelet[id=1].successor",
            "unknown lanelet 99",
        ),
        (
            _lanelet(1, extra='<adjacentLeft ref="1" drivingDir="up"/>'),
            "lanelet[id=1].adjacentLeft.drivingDir",
            "expected 'same' or 'opposite', got 'up'",
        ),
        (
            _lanelet(1, extra='<trafficSignRef ref="7"/>'),
            "lanelet[id=1].trafficSignRef",
            "unknown traffic sign 7",
        ),
        (
            _lanelet(1) + _lanelet(1),
            "lanelet[id=1]",
            "duplicate id (also used by a <lanelet>)",
        ),
        (
            _lanelet(1)
            + '<trafficSign id="9"><trafficSignElement><trafficSignID>274</trafficSignID>'
            "<additionalValue>fast</additionalValue></trafficSignElement></trafficSign>",
            "trafficSign[id=9].trafficSignElement[0].additionalValue",
            "MAX_SPEED sign 274: expected the speed limit in m/s, got 'fast'",
        ),
        (
            _lanelet(1) + '<trafficLight id="4"><cycle><cycleElement><duration>10</duration>'
            "<color>blue</color></cycleElement></cycle></trafficLight>",
            "trafficLight[id=4].cycle.cycleElement[0].color",
            "unknown color 'blue'",
        ),
        (
            _lanelet(1)
            + '<dynamicObstacle id="2"><type>car</type><shape><rectangle><length>4</length>'
            "<width>2</width></rectangle></shape><initialState>"
            + _state("<exact>0</exact>")
            + "</initialState><trajectory><state>"
            + _state("<exact>2</exact>")
            + "</state><state>"
            + _state("<exact>2</exact>")
            + "</state></trajectory></dynamicObstacle>",
            "dynamicObstacle[id=2].trajectory.state[1].time",
            "time step 2 is not after the previous state's (2)",
        ),
        (
            _lanelet(1)
            + '<dynamicObstacle id="2"><type>car</type><shape><rectangle><length>-4</length>'
            "<width>2</width></rectangle></shape></dynamicObstacle>",
            "dynamicObstacle[id=2].shape.rectangle[0].length",
            "expected a positive length in m, got -4",
        ),
        (
            _lanelet(1)
            + '<dynamicObstacle id="2"><type>car</type><shape><rectangle><length>4</length>'
            "<width>2</width></rectangle></shape><initialState>"
            + _state("<exact>0.5</exact>")
            + "</initialState></dynamicObstacle>",
            "dynamicObstacle[id=2].initialState.time",
            "expected an integer time step, got 0.5",
        ),
    ],
)
def test_element_errors_name_the_element(
    tmp_path: Path, body: str, path: str, message: str
) -> None:
    issues = _issues(tmp_path, _doc(body))
    assert issues[0][0] == path
    assert issues[0][1].startswith(message), issues


def test_2018b_unknown_role_and_bad_time_step_size(tmp_path: Path) -> None:
    ob = '<obstacle id="3"><role>flying</role></obstacle>'
    text = _doc(_lanelet(1) + ob, "2018b").replace('timeStepSize="0.1"', 'timeStepSize="0"')
    issues = _issues(tmp_path, text)
    assert ("commonRoad.timeStepSize", "expected a positive number of s, got '0'") in issues
    assert (
        "obstacle[id=3].role",
        "unknown role 'flying' (expected 'static' or 'dynamic')",
    ) in issues


def test_problems_of_several_elements_are_all_reported(tmp_path: Path) -> None:
    body = (
        _lanelet(1, left="0,0")
        + _lanelet(2, right="5,5")
        + _lanelet(3, extra='<predecessor ref="8"/>')
    )
    issues = _issues(tmp_path, _doc(body))
    assert [p for p, _ in issues] == [
        "lanelet[id=1].leftBound",
        "lanelet[id=2].rightBound",
        "lanelet[id=3].predecessor",
    ]


def test_missing_file_and_text_name(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match="file not found"):
        parse_commonroad(tmp_path / "nope.xml")
    with pytest.raises(ModelError) as exc:
        parse_commonroad_text(_doc(""), "mem.xml")
    assert str(exc.value) == "mem.xml: no <lanelet> in the file"
