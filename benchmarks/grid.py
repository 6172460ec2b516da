"""Synthetic signalised grids (testzone map documents) and fleets on them, for scaling runs."""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.model.map_file import parse_map
from sim.network.arrays import LayerArrays, build_layer
from sim.state.fleet import ACTIVE, KIND_ICV, FleetState


def grid_map(
    n: int, spacing: float = 200.0, lanes: int = 2, limit: float = 13.89
) -> dict[str, Any]:
    """An n x n grid of two-way roads, every inner junction with a two-phase signal plan."""
    feats: list[dict[str, Any]] = []

    def jid(i: int, j: int) -> str:
        return f"J{i}_{j}"

    for i in range(n):
        for j in range(n):
            props: dict[str, Any] = {"layer": "road", "kind": "junction", "id": jid(i, j)}
            if 0 < i < n - 1 and 0 < j < n - 1:
                ew = [f"H{i - 1}_{j}", f"H{i}_{j}:rev"]
                ns = [f"V{i}_{j - 1}", f"V{i}_{j}:rev"]
                props["signal"] = {
                    "phases": [{"duration": 30, "green": ew}, {"duration": 30, "green": ns}]
                }
            feats.append(
                {
                    "type": "Feature",
                    "geometry": {"type": "Point", "coordinates": [i * spacing, j * spacing]},
                    "properties": props,
                }
            )
    for i in range(n):
        for j in range(n):
            for eid, (a, b) in (
                (f"H{i}_{j}", ((i, j), (i + 1, j))),
                (f"V{i}_{j}", ((i, j), (i, j + 1))),
            ):
                if b[0] >= n or b[1] >= n:
                    continue
                feats.append(
                    {
                        "type": "Feature",
                        "geometry": {
                            "type": "LineString",
                            "coordinates": [
                                [a[0] * spacing, a[1] * spacing],
                                [b[0] * spacing, b[1] * spacing],
                            ],
                        },
                        "properties": {
                            "layer": "road",
                            "kind": "road",
                            "id": eid,
                            "from": jid(*a),
                            "to": jid(*b),
                            "road_class": "urban",
                            "speed_limit": limit,
                            "lanes": lanes,
                            "direction": "both",
                        },
                    }
                )
    return {
        "type": "FeatureCollection",
        "testzone": {"format": "testzone-map", "name": f"grid {n}x{n}", "crs": "local"},
        "features": feats,
    }


def grid_layer(n: int) -> LayerArrays:
    """The road layer of an n x n grid."""
    return build_layer(parse_map(grid_map(n), f"grid{n}"), "road")


def place_fleet(
    net: LayerArrays, n_vehicles: int, seed: int = 1, route_edges: int = 40
) -> FleetState:
    """Vehicles on random lanes with >= 12 m spacing, each with a random connected route."""
    rng = np.random.default_rng(seed)
    f = FleetState(n_vehicles)
    slots_per_lane = (net.edge_length // 12.0).astype(int)
    cells = [
        (e, lane, k)
        for e in range(net.n_edges)
        for lane in range(int(net.lanes[e]))
        for k in range(int(slots_per_lane[e]) - 1)
    ]
    if n_vehicles > len(cells):
        raise ValueError(f"the grid holds at most {len(cells)} vehicles at 12 m spacing")
    chosen = rng.choice(len(cells), size=n_vehicles, replace=False)
    succ = [np.nonzero(net.edge_from == net.edge_to[e])[0] for e in range(net.n_edges)]
    for k, c in enumerate(chosen):
        e, lane, slot = cells[int(c)]
        route = [e]
        for _ in range(route_edges - 1):
            options = [x for x in succ[route[-1]] if net.edge_to[x] != net.edge_from[route[-1]]]
            route.append(int(rng.choice(options)))
        i = f.add(f"v{k}", KIND_ICV, route)
        f.status[i] = ACTIVE
        f.edge[i], f.lane[i], f.s[i] = e, lane, 12.0 * (slot + 1)
        f.speed[i] = float(rng.uniform(5, 13))
        f.v0[i], f.T[i], f.a_max[i], f.b_comf[i], f.s0[i], f.length[i] = (
            55.0,
            1.0,
            2.6,
            4.5,
            2.5,
            5.0,
        )
    return f
