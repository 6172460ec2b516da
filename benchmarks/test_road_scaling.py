"""Per-tick cost of the road kernel at 1k, 10k and 100k vehicles on signalised grids.

Run: ``pytest benchmarks/test_road_scaling.py --benchmark-columns=mean,stddev,rounds``.
Cost per tick should grow near-linearly with the number of vehicles (a sort plus O(n) passes).
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.grid import grid_layer, place_fleet
from sim.engine.kernel_args import road_args
from sim.kernels.road import road_step, road_workspace
from sim.state.fleet import ACTIVE

SIZES = {1_000: 12, 10_000: 30, 100_000: 90}  # vehicles -> grid side (junctions)


@pytest.mark.parametrize("n_vehicles", list(SIZES))
def test_road_tick(benchmark, n_vehicles: int) -> None:
    net = grid_layer(SIZES[n_vehicles])
    f = place_fleet(net, n_vehicles)
    flags = np.zeros(n_vehicles, dtype=np.int64)
    lead = np.full(f.capacity, -1, dtype=np.int64)
    gap = np.full(f.capacity, 1e9)
    cfg = np.array([60.0, 3.0, 3.0, 30.0])
    net.signal_state[:] = np.random.default_rng(0).integers(0, 3, net.n_edges)

    ws = road_workspace(net.n_edges)

    def tick() -> int:
        idx = np.nonzero(f.status[: f.n] == ACTIVE)[0]
        return road_step(*road_args(f, net, idx, 0.1, cfg, ws, lead, gap, flags))

    tick()  # compile
    benchmark.extra_info["vehicles"] = n_vehicles
    benchmark(tick)
