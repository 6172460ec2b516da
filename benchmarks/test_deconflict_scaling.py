"""Strategic deconfliction (every plan against every plan and every zone) at 1k and 10k plans.

Run: ``pytest benchmarks/test_deconflict_scaling.py --benchmark-columns=mean,stddev,rounds``.
A day of UAV flight plans over 40 x 40 km against 1,000 zones (``benchmarks/deconflict_side.py``:
3-8 corridor legs plus take-off and landing volumes per plan). The area and the zones stay the
same, so the traffic density grows with the plans; the grid keeps the cost per plan nearly
flat (the ``us_per_plan`` extra info). The issue's goal: < 2 s for 10k plans x 1k zones.
The 100k point is in ``python benchmarks/compare.py deconflict-10k``.
"""

from __future__ import annotations

import pytest

from benchmarks.deconflict_side import cells, deconflict, make_plans, make_zones, zone_args
from sim.kernels.deconflict import plan_pairs, zone_hits


@pytest.mark.parametrize("n_plans", [1_000, 10_000])
def test_deconflict_day(benchmark, n_plans: int) -> None:
    iv = make_plans(n_plans, seed=1)
    zones = make_zones(1_000, seed=2)
    cell, tcell, zone_cell = cells(iv)
    first = deconflict(iv, zones, cell, tcell, zone_cell)  # compile / load the cache

    def job() -> int:
        a, _ = plan_pairs(*iv.kernel_args(), iv.plan, cell, tcell)
        v, _, _, _ = zone_hits(*iv.kernel_args(), *zone_args(zones), zone_cell)
        return len(a) + len(v)

    found = benchmark(job)
    assert found == len(first["a"]) + len(first["vol"])
    benchmark.extra_info["plans"] = n_plans
    benchmark.extra_info["volumes"] = iv.n
    benchmark.extra_info["pairs"] = len(first["a"])
    benchmark.extra_info["zone_hits"] = len(first["vol"])
    benchmark.extra_info["us_per_plan"] = benchmark.stats.stats.mean / n_plans * 1e6
