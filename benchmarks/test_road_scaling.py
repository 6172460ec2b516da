"""Per-tick cost of the road kernel at 1k, 10k and 100k vehicles on signalised grids.

Run: ``pytest benchmarks/test_road_scaling.py --benchmark-columns=mean,stddev,rounds``.
Cost per tick should grow near-linearly with the number of vehicles (a sort plus O(n) passes).
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.grid import grid_layer, place_fleet
from sim.kernels.road import road_step, road_workspace
from sim.state.fleet import ACTIVE

SIZES = {1_000: 12, 10_000: 30, 100_000: 90}  # vehicles -> grid side (junctions)


@pytest.mark.parametrize("n_vehicles", list(SIZES))
def test_road_tick(benchmark, n_vehicles: int) -> None:
    net = grid_layer(SIZES[n_vehicles])
    f = place_fleet(net, n_vehicles)
    lo, hi, best, counts = road_workspace(net.n_edges)
    flags = np.zeros(n_vehicles, dtype=np.int64)
    lead = np.full(f.capacity, -1, dtype=np.int64)
    gap = np.full(f.capacity, 1e9)
    cfg = np.array([60.0, 3.0, 3.0, 30.0])
    net.signal_state[:] = np.random.default_rng(0).integers(0, 3, net.n_edges)

    def tick() -> int:
        idx = np.nonzero(f.status[: f.n] == ACTIVE)[0]
        return road_step(
            idx,
            0.1,
            cfg,
            f.status,
            f.edge,
            f.s,
            f.lane,
            f.speed,
            f.accel,
            f.x,
            f.y,
            f.heading,
            f.lc_cool,
            f.distance,
            f.length,
            f.v0,
            f.T,
            f.a_max,
            f.b_comf,
            f.s0,
            f.delta,
            f.politeness,
            f.lc_threshold,
            f.b_safe,
            f.max_decel,
            f.route_off,
            f.route_len,
            f.route_pos,
            f.routes,
            net.edge_length,
            net.speed_limit,
            net.lanes,
            net.lane_width,
            net.two_way,
            net.edge_to,
            net.node_signalised,
            net.signal_state,
            net.pts_off,
            net.pts_x,
            net.pts_y,
            net.pts_s,
            lo,
            hi,
            best,
            counts,
            lead,
            gap,
            flags,
        )

    tick()  # compile
    benchmark.extra_info["vehicles"] = n_vehicles
    benchmark(tick)
