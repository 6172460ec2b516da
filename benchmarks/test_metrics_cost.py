"""Per-tick cost of the safety metrics at 1k, 10k and 100k vehicles.

Run: ``pytest benchmarks/test_metrics_cost.py --benchmark-columns=mean,stddev,rounds``.

One tick of car-following metrics is what the engine adds to every road tick: TTC, THW and
DRAC of every vehicle behind its leader (:func:`car_following_metrics_fleet`, the layout
``road_step`` writes) plus the per-vehicle min-TTC / TET / TIT accumulation. Both are single
O(n) passes without allocation, so the cost per vehicle should stay flat (a few ns) and be
small next to the road kernel itself (``benchmarks/test_road_scaling.py``). The streaming PET
step (area lookup on a grid of junction areas + enter/exit tests) is measured alongside.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.kernels.metrics import (
    accumulate,
    area_candidates,
    area_grid,
    car_following_metrics,
    car_following_metrics_fleet,
    pet_step,
)

SIZES = [1_000, 10_000, 100_000]


def _fleet(n: int, seed: int = 0) -> dict[str, np.ndarray]:
    """Vehicles in platoons of 10 on lanes: each leads the next, the platoon head has none."""
    rng = np.random.default_rng(seed)
    lead = np.arange(1, n + 1, dtype=np.int64)
    lead[9::10] = -1
    gap = np.where(lead >= 0, rng.uniform(2.0, 80.0, n), 1.0e9)
    return {
        "idx": np.arange(n, dtype=np.int64),
        "lead": lead,
        "gap": gap,
        "speed": rng.uniform(0.0, 30.0, n),
        "min_ttc": np.full(n, math.inf),
        "tet": np.zeros(n),
        "tit": np.zeros(n),
        "ttc": np.empty(n),
        "thw": np.empty(n),
        "drac": np.empty(n),
    }


@pytest.mark.parametrize("n_vehicles", SIZES)
def test_car_following_metrics_tick(benchmark, n_vehicles: int) -> None:
    f = _fleet(n_vehicles)

    def tick() -> None:
        car_following_metrics_fleet(
            f["idx"], f["lead"], f["gap"], f["speed"], f["ttc"], f["thw"], f["drac"]
        )
        accumulate(f["idx"], f["ttc"], 0.1, 3.0, f["min_ttc"], f["tet"], f["tit"])

    tick()  # compile outside the timing
    benchmark(tick)
    per_vehicle_ns = benchmark.stats.stats.mean / n_vehicles * 1e9
    benchmark.extra_info["ns_per_vehicle"] = round(per_vehicle_ns, 2)
    assert np.isfinite(f["ttc"]).any() and (f["tet"] > 0).any()


@pytest.mark.parametrize("n_vehicles", SIZES)
def test_car_following_metrics_gathered_tick(benchmark, n_vehicles: int) -> None:
    """The ``idx``-aligned signature, with the gather ``lead[idx], gap[idx]`` it needs."""
    f = _fleet(n_vehicles, seed=1)
    idx = f["idx"][::-1].copy()  # not in fleet order

    def tick() -> None:
        car_following_metrics(
            idx, f["lead"][idx], f["gap"][idx], f["speed"], f["ttc"], f["thw"], f["drac"]
        )
        accumulate(idx, f["ttc"], 0.1, 3.0, f["min_ttc"], f["tet"], f["tit"])

    tick()
    benchmark(tick)
    benchmark.extra_info["ns_per_vehicle"] = round(benchmark.stats.stats.mean / n_vehicles * 1e9, 2)


@pytest.mark.parametrize("n_vehicles", SIZES)
def test_pet_tick(benchmark, n_vehicles: int) -> None:
    """Streaming PET with one 15 m junction circle every 200 m on a square grid."""
    rng = np.random.default_rng(2)
    side = max(2, int(math.sqrt(n_vehicles / 10)))  # about 10 vehicles per junction
    gx, gy = np.meshgrid(np.arange(side) * 200.0, np.arange(side) * 200.0)
    ax, ay = gx.ravel(), gy.ravel()
    na = len(ax)
    zeros = np.zeros(na)
    ar = np.full(na, 15.0)
    x = rng.uniform(0, side * 200.0, n_vehicles)
    y = rng.choice(ay, n_vehicles) + rng.uniform(-2, 2, n_vehicles)  # on east-west roads
    heading = np.zeros(n_vehicles)
    length, width, radius = np.full(n_vehicles, 4.8), np.full(n_vehicles, 1.9), np.zeros(n_vehicles)
    reach = np.hypot(length, width) / 2
    cell = 2.0 * float(ar.max() + reach.max())
    grid = area_grid(ax, ay, cell)
    idx = np.arange(n_vehicles, dtype=np.int64)
    cand = np.empty(n_vehicles, dtype=np.int64)
    state = [
        np.full(n_vehicles, -1, dtype=np.int64),
        np.zeros(na, dtype=np.int64),
        np.full(na, -math.inf),
        np.full(na, -1, dtype=np.int64),
    ]
    out = [np.empty(n_vehicles, dtype=np.int64) for _ in range(3)] + [np.empty(n_vehicles)]
    clock = [0.0]

    def tick() -> int:
        x[:] += 1.0  # 10 m/s at dt = 0.1 s
        clock[0] += 0.1
        area_candidates(idx, x, y, reach, ax, ay, ar, cell, *grid, cand)
        return pet_step(
            clock[0], idx, cand, x, y, heading, length, width, radius,
            ax, ay, zeros, zeros, zeros, ar, *state, *out,
        )  # fmt: skip

    tick()
    benchmark(tick)
    benchmark.extra_info["ns_per_vehicle"] = round(benchmark.stats.stats.mean / n_vehicles * 1e9, 2)
