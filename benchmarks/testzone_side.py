"""testzone side of the ground benchmark: the same SUMO network and trips, run by our engine.

The network is imported with ``sim.importers.sumo_net`` (as ``testzone import sumo`` does);
each SUMO trip becomes an agent with the same departure time and route. Vehicles use IDM
parameters matching SUMO's default passenger car (length 5 m, minGap 2.5 m, accel 2.6 m/s2,
decel 4.5 m/s2, tau 1 s); SUMO runs with sigma = 0, so neither side draws random numbers per step.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

import numpy as np

from sim.engine.simulation import Simulation
from sim.importers.sumo_net import import_sumo_net, sumo_edge_map
from sim.model.bundle import parse_scenario

VEHICLE_TYPE = {
    "id": "sumo-passenger",
    "kind": "car",
    "length": 5.0,
    "width": 1.8,
    "max_speed": 55.55,
    "max_decel": 9.0,
    "idm": {"v0": 55.55, "T": 1.0, "a": 2.6, "b": 4.5, "s0": 2.5, "delta": 4.0},
}


def build_bundle(
    net_xml: Path,
    trips: list[Any],
    dt: float,
    duration: float,
    workdir: Path,
    connected: float = 0.0,
) -> Any:
    """Write the imported map and build the scenario of the trips (in memory).

    ``connected``: share of the trips driven by connected vehicles (V2X channel on, CACC),
    drawn with a fixed seed.
    """
    draw = np.random.default_rng(20261129).random(len(trips))
    doc = import_sumo_net(net_xml)
    map_path = workdir / "net.geojson"
    map_path.write_text(json.dumps(doc), encoding="utf-8")
    edge_map = sumo_edge_map(net_xml)
    ours = {d["properties"]["id"]: d["properties"] for d in doc["features"]}
    agents = []
    for trip in trips:
        edges = [edge_map[e] for e in trip.edges]
        nodes = [ours[edges[0]]["from"]] + [ours[e]["to"] for e in edges]
        agents.append(
            {
                "id": trip.veh_id,
                "type": VEHICLE_TYPE["id"],
                "depart": float(trip.depart),
                "route": nodes,
                "connected": bool(draw[len(agents)] < connected),
            }
        )
    scenario = {
        "name": "ground benchmark",
        "start": "2026-01-05T08:00:00+00:00",
        "duration": duration,
        "dt": dt,
        "seed": 1,
        "record_every": 100_000,
        "map": map_path.name,
        "vehicle_type": [VEHICLE_TYPE],
        "agent": agents,
    }
    return parse_scenario(scenario, workdir / "bench.toml")


def run_ground(
    net_xml: Path, trips: list[Any], dt: float, steps: int, connected: float = 0.0
) -> dict[str, float]:
    """Run the trips on the network for ``steps`` ticks; time only the simulation loop.

    ``connected``: share of connected vehicles (V2X channel, SPaT and CACC on for them).
    """
    with tempfile.TemporaryDirectory() as tmp:
        bundle = build_bundle(net_xml, trips, dt, steps * dt, Path(tmp), connected)
        warm = Simulation(bundle, until=10 * dt)  # compile / load the numba cache first
        warm.run()
        sim = Simulation(bundle)
        result = sim.run()
    return {
        "vehicle_updates": float(result.vehicle_updates),
        "seconds": result.wall_time,
        "updates_per_s": result.vehicle_updates / result.wall_time,
        "steps": float(result.ticks),
        "arrived": float(result.arrived),
        "peak_vehicles": float(sim.peak_road),
        **(
            {
                "connected": float(result.summary["v2x"]["connected_vehicles"]),
                "cam_delivery_ratio": float(result.summary["v2x"]["cam_delivery_ratio"] or 0.0),
                "cacc_share": float(result.summary["v2x"]["cacc_share"] or 0.0),
            }
            if "v2x" in result.summary
            else {}
        ),
    }
