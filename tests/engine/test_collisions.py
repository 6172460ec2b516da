"""Collisions during a run: UAVs against obstacles, road vehicles along their paths."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest

from sim.commands.run import simulate
from sim.engine.simulation import Simulation
from sim.model.bundle import load_scenario
from sim.state.fleet import ACTIVE, FAILED, HELD
from sim.trace import TraceReader
from tests.conftest import ROOT


def test_uav_flying_into_a_tall_building_is_lost(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "maps", tmp_path / "maps")
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    map_path = tmp_path / "maps" / "lingang-demo.geojson"
    doc = json.loads(map_path.read_text())
    tower = next(f for f in doc["features"] if f["properties"]["id"] == "tower-a")
    # a 300 m mast on corridor W1-W2 (local (1600, -250)), drawn in lon/lat like the map
    from sim.geo.projection import LocalProjection

    proj = LocalProjection(doc["testzone"]["origin"]["lon"], doc["testzone"]["origin"]["lat"])
    ring = [(1590, -260), (1610, -260), (1610, -240), (1590, -240), (1590, -260)]
    lon, lat = proj.to_wgs84(
        np.array([p[0] for p in ring], float), np.array([p[1] for p in ring], float)
    )
    mast = json.loads(json.dumps(tower))
    mast["properties"].update(id="mast-1", name="Radio mast", height=300)
    mast["geometry"]["coordinates"] = [
        [[float(a), float(b)] for a, b in zip(lon, lat, strict=True)]
    ]
    doc["features"].append(mast)
    map_path.write_text(json.dumps(doc))
    out = tmp_path / "t.tztrace"
    sim, result = simulate(
        load_scenario(tmp_path / "scenarios" / "uav-corridor-deliveries.toml"), out
    )
    with TraceReader(out) as r:
        hits = [e for e in r.events if e.get("rule") == "collision.obstacle"]
    assert [(e["agent"], e["obstacle"]) for e in hits] == [("uav-01", "mast-1")]
    assert sim.fleet.status[sim.fleet.index["uav-01"]] == FAILED
    assert result.summary["verdict"] == "fail"


def test_road_vehicles_collide_when_the_gap_along_their_path_is_gone() -> None:
    bundle = load_scenario(ROOT / "scenarios" / "urban-icv-road-test.toml")
    sim = Simulation(bundle, until=0.2)
    sim.run()
    f = sim.fleet
    car = bundle.vehicle_types["car"]
    route = sim.routers["road"].from_nodes(["G00", "G10", "G20"])
    a = f.add("a", 0, route)
    b = f.add("b", 0, route)
    for i, s in ((a, 100.0), (b, 103.0)):  # b's rear is 1.8 m behind a's front: overlap
        f.status[i], f.edge[i], f.s[i], f.lane[i], f.speed[i] = ACTIVE, route[0], s, 0, 10.0
        f.length[i], f.width[i], f.v0[i] = car.length, car.width, 10.0
        sim.meta.append({"id": f.ids[i], "type": "car", "permit": None})
    sim.fences.watch(a, None)
    sim.fences.watch(b, None)
    sim._step(0.2)
    events = [e for e in sim.violation_events if e["rule"] == "collision.icv"]
    assert len(events) == 1 and {events[0]["agent"], events[0]["other"]} == {"a", "b"}
    assert f.status[a] == HELD and f.status[b] == HELD


@pytest.mark.parametrize(
    ("types", "routes"),
    [
        # lane 0 turns left across lane 1 going straight on
        (("car", "car"), (["G00", "G10", "G11"], ["G00", "G10", "G20"])),
        # a bus and a car turning left side by side: the bus's body sweeps into the next lane
        (("bus", "car"), (["G00", "G10", "G11"], ["G00", "G10", "G11"])),
    ],
)
def test_vehicles_from_one_approach_never_overlap_in_a_junction(
    types: tuple[str, str], routes: tuple[list[str], list[str]]
) -> None:
    bundle = load_scenario(ROOT / "scenarios" / "urban-icv-road-test.toml")
    sim = Simulation(bundle, until=0.2)
    sim.run()
    f = sim.fleet
    placed = []
    for k, (tid, nodes) in enumerate(zip(types, routes, strict=True)):
        vt = bundle.vehicle_types[tid]
        route = sim.routers["road"].from_nodes(nodes)
        i = f.add(f"side-{k}", 0, route)
        f.status[i], f.edge[i], f.lane[i], f.speed[i] = ACTIVE, route[0], k, 8.0
        f.s[i] = sim.layers["road"].edge_length[route[0]] - 40.0
        f.length[i], f.width[i], f.height[i], f.v0[i] = vt.length, vt.width, 1.6, 8.0
        f.T[i], f.a_max[i], f.b_comf[i] = vt.idm.T, vt.idm.a, vt.idm.b
        f.s0[i], f.delta[i], f.max_decel[i] = vt.idm.s0, vt.idm.delta, vt.max_decel
        f.politeness[i], f.lc_threshold[i], f.b_safe[i] = 0.0, 5.0, 1.0  # keep the lanes
        sim.meta.append({"id": f.ids[i], "type": tid, "permit": None})
        sim.fences.watch(i, None)
        placed.append(i)
    t = 0.2
    while t < 40.0 and not all(f.route_pos[i] == 2 for i in placed):
        sim._step(t)
        t += sim.dt
    assert [e for e in sim.violation_events if e["rule"] == "collision.icv"] == []
    assert all(f.route_pos[i] >= 1 for i in placed)  # both got through the junction


def test_saturated_sumo_grid_has_no_road_overlaps(tmp_path: Path) -> None:
    """Dense traffic through signalised junctions, checked in 2-D every tick: no overlaps.

    A netgenerate grid (2 lanes, fixed-time signals, SUMO lane geometry) loaded to saturation
    exercises every junction rule: arcs, lanes chosen for the next turn, permissive left turns,
    opposing left turns, clearing the box after green, the point of no return.
    """
    from benchmarks import sumo_side, testzone_side

    try:
        net = sumo_side.make_grid(tmp_path, n=5, length=200.0, lanes=2)
    except FileNotFoundError as exc:
        pytest.skip(f"{exc} (the bench extra)")
    trips = sumo_side.make_demand(net, 900, 300.0, 7)
    bundle = testzone_side.build_bundle(net, trips, 0.1, 300.0, tmp_path)
    sim = Simulation(bundle)
    result = sim.run()
    assert result.arrived > 300
    assert [e for e in sim.violation_events if e["rule"] == "collision.icv"] == []
