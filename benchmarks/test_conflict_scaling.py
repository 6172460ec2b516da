"""Cost of one conflict-detection step at 1k, 10k and 100k UAVs at a realistic density.

Run: ``pytest benchmarks/test_conflict_scaling.py --benchmark-columns=mean,stddev,rounds``.
Traffic: 1 UAV per 0.05 km^2 (20 per km^2, so 50 to 5,000 km^2), altitudes uniform in
30-120 m, ground speeds 5-20 m/s in random directions, 30 % climbing or descending at up to
3 m/s; protected zone 50 m / +-15 m, look-ahead 30 s. The grid broadphase keeps the cost per
UAV nearly flat (an ``n log n`` sort plus a pass over the UAVs within reach of each one):
the ``per_uav_us`` extra info should stay within a small factor from 1k to 100k.
"""

from __future__ import annotations

import numpy as np
import pytest

from benchmarks.air_side import DTLOOKAHEAD, HPZ, RPZ, make_traffic
from sim.kernels.conflict import conflict_buffers, detect


@pytest.mark.parametrize("n_uavs", [1_000, 10_000, 100_000])
def test_detect_step(benchmark, n_uavs: int) -> None:
    t = make_traffic(n_uavs, seed=7)
    idx = np.arange(n_uavs, dtype=np.int64)
    buf = conflict_buffers(4 * n_uavs)
    args = (idx, t["x"], t["y"], t["z"], t["vx"], t["vy"], t["vz"], RPZ, HPZ, DTLOOKAHEAD)
    n = detect(*args, *buf)  # compile / load the cache
    assert 0 < n <= len(buf[0])

    def step() -> int:
        return detect(*args, *buf)

    benchmark(step)
    benchmark.extra_info["uavs"] = n_uavs
    benchmark.extra_info["records"] = n
    benchmark.extra_info["per_uav_us"] = benchmark.stats.stats.mean / n_uavs * 1e6
