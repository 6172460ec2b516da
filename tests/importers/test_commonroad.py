"""CommonRoad importer: the three real scenarios import, validate, check, run, replay and render."""

from __future__ import annotations

import json
import math
import re
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.commands.run import simulate
from sim.importers.commonroad import KIND_OF
from sim.importers.commonroad_xml import parse_commonroad
from sim.model.bundle import load_scenario
from sim.model.map import Junction, Road
from sim.trace import TraceReader

FILES = {
    # file: (lanelets, dynamic obstacles, planning problems, ego agents)
    "USA_US101-4_1_T-1.xml": (12, 22, 1, 1),
    "USA_Peach-4_8_T-1.xml": (79, 9, 1, 0),  # its ego starts at (0, 0), off every lanelet
    "CHN_Sha-4_5_T-1.xml": (7, 8, 1, 1),
}


def _import(source: Path, out: Path, *extra: str) -> str:
    result = CliRunner().invoke(app, ["import", "commonroad", str(source), "-o", str(out), *extra])
    assert result.exit_code == 0, result.output
    return result.output


@pytest.mark.parametrize("name", sorted(FILES))
def test_imports_validates_and_replays(name: str, shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "commonroad" / name
    text = source.read_text(encoding="utf-8")
    n_lanelets, n_obstacles, n_problems, n_egos = FILES[name]
    assert len(re.findall(r"<planningProblem\b", text)) == n_problems
    # counted in the file itself, independently of the parser
    assert len(re.findall(r"<lanelet\s+id=", text)) == n_lanelets
    assert len(re.findall(r"<dynamicObstacle\b|<role>dynamic</role>", text)) == n_obstacles
    out = tmp_path / "imp"
    printed = _import(source, out)
    assert f"{n_lanelets} lanelets, {n_obstacles} dynamic obstacles" in printed

    bundle = load_scenario(out / "scenario.toml")
    sc = bundle.scenario
    recorded = [a for a in sc.agent if a.trajectory is not None]
    egos = [a for a in sc.agent if a.id.startswith("ego-")]
    assert len(recorded) == n_obstacles and len(egos) == n_egos
    assert all(a.background and a.permit is None for a in recorded)
    roads = bundle.map.of_type(Road)
    assert roads and bundle.map.of_type(Junction)
    # every lanelet is a lane of a road or a junction connector
    cr = parse_commonroad(source)
    lanes = sum(r.lanes for r in roads)
    assert lanes <= n_lanelets
    # each trajectory keeps every recorded state of its obstacle on the network
    for a in recorded:
        ob = cr.obstacles[int(a.id[2:])]
        assert KIND_OF[ob.type]
        track = ob.track
        assert len(a.trajectory.x) <= len(track)
        k0 = round(a.depart / cr.time_step_size) - int(track.time_step[0])
        assert a.trajectory.x[0] == pytest.approx(track.position[k0, 0], abs=1e-4)
        assert a.trajectory.y[0] == pytest.approx(track.position[k0, 1], abs=1e-4)
    assert len(re.findall(r"not imported", printed)) == 0

    trace = tmp_path / "run.tztrace"
    sim, result = simulate(bundle, trace)
    assert result.spawned == len(sc.agent)
    assert result.summary["collisions"] == 0  # recorded traffic does not collide
    assert len(TraceReader(trace).agents) == len(sc.agent)  # all in the trace, for replay
    f = sim.fleet
    for a in recorded:
        assert f.status[f.index[a.id]] == 2  # arrived when its recording ended


def test_replayed_poses_match_the_recording(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "commonroad" / "USA_US101-4_1_T-1.xml"
    _import(source, tmp_path / "imp")
    bundle = load_scenario(tmp_path / "imp" / "scenario.toml")
    cr = parse_commonroad(source)
    from sim.engine.simulation import Simulation

    for until in (1.0, 3.7, 5.0):
        sim = Simulation(bundle, until=until)
        sim.run()
        f = sim.fleet
        k = round(until / cr.time_step_size)
        for ob in cr.dynamic_obstacles:
            i = f.index[f"cr{ob.id}"]
            track = ob.track
            if not track.time_step[0] <= k <= track.time_step[-1] or f.status[i] != 1:
                continue
            j = k - int(track.time_step[0])
            assert f.x[i] == pytest.approx(track.position[j, 0], abs=1e-6)
            assert f.y[i] == pytest.approx(track.position[j, 1], abs=1e-6)
            assert f.speed[i] == pytest.approx(abs(track.velocity[j]), abs=1e-6)
            dh = (f.heading[i] - track.orientation[j] + math.pi) % (2 * math.pi) - math.pi
            assert abs(dh) <= 1e-4  # written to 1e-4 rad


def test_simulate_mode_drives_from_the_first_state(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "commonroad" / "CHN_Sha-4_5_T-1.xml"
    _import(source, tmp_path / "imp", "--simulate")
    bundle = load_scenario(tmp_path / "imp" / "scenario.toml")
    assert bundle.scenario.trajectories == "simulate"
    sim, result = simulate(bundle, None, until=5.0)
    f = sim.fleet
    assert not f.replay[: f.n].any()
    assert result.summary["collisions"] == 0
    moved = [f.distance[f.index[a.id]] for a in bundle.scenario.agent if a.trajectory]
    assert max(moved) > 5.0  # they drive (IDM), not stand


def test_check_reports_only_the_ego_without_permit(shared_data: Path, tmp_path: Path) -> None:
    _import(shared_data / "commonroad" / "CHN_Sha-4_5_T-1.xml", tmp_path / "imp")
    scenario = str(tmp_path / "imp" / "scenario.toml")
    result = CliRunner().invoke(app, ["check", scenario, "--format", "json"])
    assert result.exit_code == 1, result.output
    found = json.loads(result.output)["violations"]
    # the recorded vehicles are background traffic; the ego is under test and needs a permit
    assert {(v["rule"], v["agent"]) for v in found} == {("permit.missing", "ego-2")}


def test_render_of_an_import(shared_data: Path, tmp_path: Path) -> None:
    _import(shared_data / "commonroad" / "USA_Peach-4_8_T-1.xml", tmp_path / "imp")
    runner = CliRunner()
    trace = tmp_path / "peach.tztrace"
    r = runner.invoke(app, ["run", str(tmp_path / "imp" / "scenario.toml"), "-o", str(trace)])
    assert r.exit_code == 0, r.output
    png = tmp_path / "peach.png"
    r = runner.invoke(app, ["render", str(trace), "-o", str(png)])
    assert r.exit_code == 0, r.output
    assert png.stat().st_size > 1000


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("<osm version='0.6'/>", "root element"),
        ("<commonRoad commonRoadVersion='2017a' timeStepSize='0.1'/>", "2017a"),
        (
            "<commonRoad commonRoadVersion='2020a' timeStepSize='0.1' benchmarkID='X'>"
            "<lanelet id='1'><leftBound><point><x>0</x><y>0</y></point></leftBound>"
            "</lanelet></commonRoad>",
            "lanelet",
        ),
        ("<commonRoad commonRoadVersion='2020a' timeStepSize='0.1' benchmarkID='X'/>", "lanelet"),
        ("not xml at all <", "XML"),
    ],
)
def test_bad_files_exit_2_naming_the_element(text: str, message: str, tmp_path: Path) -> None:
    bad = tmp_path / "bad.xml"
    bad.write_text(text, encoding="utf-8")
    result = CliRunner().invoke(app, ["import", "commonroad", str(bad), "-o", str(tmp_path / "o")])
    assert result.exit_code == 2, result.output
    assert "bad.xml" in result.output and message.lower() in result.output.lower()
    assert not (tmp_path / "o" / "scenario.toml").exists()


def test_import_is_deterministic(shared_data: Path, tmp_path: Path) -> None:
    source = shared_data / "commonroad" / "CHN_Sha-4_5_T-1.xml"
    _import(source, tmp_path / "a")
    _import(source, tmp_path / "b")
    for name in ("map.geojson", "scenario.toml"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_background_with_permit_is_refused(shared_data: Path, tmp_path: Path) -> None:
    _import(shared_data / "commonroad" / "CHN_Sha-4_5_T-1.xml", tmp_path / "imp")
    path = tmp_path / "imp" / "scenario.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("background = true", 'background = true\npermit = "P"', 1))
    result = CliRunner().invoke(app, ["validate", str(path)])
    assert result.exit_code == 2
    assert "background" in result.output


def test_lane_values_in_range(shared_data: Path, tmp_path: Path) -> None:
    _import(shared_data / "commonroad" / "USA_US101-4_1_T-1.xml", tmp_path / "imp")
    bundle = load_scenario(tmp_path / "imp" / "scenario.toml")
    lanes = np.concatenate([a.trajectory.lane for a in bundle.scenario.agent if a.trajectory])
    assert lanes.min() >= -1 and lanes.max() <= 5 and (lanes >= 0).mean() > 0.9
