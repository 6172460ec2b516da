"""The replay kernel equals its twin, and recorded states are matched to route, s and lane."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.engine.replay import ReplayStore, match_route
from sim.kernels.reference_replay import replay_step_ref
from sim.kernels.replay import replay_step
from sim.state.fleet import ACTIVE, KIND_ICV, FleetState
from tests.kernels.nets import straight

NET = straight([200.0, 150.0, 100.0], [30.0, 30.0, 30.0], lanes=3)
"""Three one-way edges along +x (E0 0..200 m, E1 200..350 m, E2 350..450 m), 3 lanes."""


def _lane_y(lane: int) -> float:
    # a one-way line is centred on its lanes; lane 0 is the rightmost (towards -y here)
    return -((3 - 1) * 0.5 - lane) * float(NET.lane_width[0])


def test_match_route_finds_edge_s_and_lane() -> None:
    route = np.array([0, 1, 2], dtype=np.int32)
    px = np.array([10.0, 199.0, 205.0, 360.0, 449.0])
    py = np.array([_lane_y(0), _lane_y(2), _lane_y(1), _lane_y(1), _lane_y(0)])
    pos, s, lane = match_route(NET, route, px, py, 4.0)
    # front bumper = centre + 2 m; 199 + 2 = 201 passes into E1
    np.testing.assert_array_equal(pos, [0, 1, 1, 2, 2])
    np.testing.assert_allclose(s, [12.0, 1.0, 7.0, 12.0, 100.0])
    np.testing.assert_array_equal(lane, [0, 2, 1, 1, 0])


def test_match_route_places_fronts_across_edge_ends() -> None:
    route = np.array([0, 1], dtype=np.int32)
    # centre 1 m before E1's start with a 4 m body: front 1 m into E1; a point before E0's
    # start stays at its start
    pos, s, _ = match_route(NET, route, np.array([199.0, -5.0]), np.zeros(2), 4.0)
    np.testing.assert_array_equal(pos, [1, 0])
    np.testing.assert_allclose(s, [1.0, 0.0])


def _fleet(seed: int, n: int) -> tuple[FleetState, ReplayStore]:
    rng = np.random.default_rng(seed)
    f = FleetState(4)
    store = ReplayStore()
    route = np.array([0, 1, 2], dtype=np.int32)
    for k in range(n):
        i = f.add(f"r{k}", KIND_ICV, route)
        f.status[i] = ACTIVE
        f.replay[i] = 1
        m = int(rng.integers(1, 60))
        x0 = rng.uniform(0, 300)
        v = rng.uniform(0, 25, m)
        xs = x0 + np.cumsum(v) * 0.1
        ys = np.full(m, _lane_y(int(rng.integers(3))))
        h = rng.uniform(-math.pi, math.pi, m)
        xy = np.column_stack([xs, ys])
        store.add(i, NET, route, rng.uniform(0, 2), 0.1, xy, h, v, 4.5)
    return f, store


@pytest.mark.parametrize("seed", range(4))
def test_replay_step_equals_its_twin(seed: int) -> None:
    f, store = _fleet(seed, 40)
    g, _ = _fleet(seed, 40)
    idx = np.arange(f.n)
    for tick in range(80):
        t = 0.05 * (tick + 1)
        out = []
        for fleet, fn in ((f, replay_step), (g, replay_step_ref)):
            live = idx[fleet.status[idx] == ACTIVE]
            arrived = np.zeros(len(idx), dtype=np.int64)
            k = fn(
                live, t, 0.05, fleet.status, fleet.x, fleet.y, fleet.heading, fleet.speed,
                fleet.accel, fleet.edge, fleet.s, fleet.lane, fleet.route_pos, fleet.distance,
                fleet.route_off, fleet.routes, *store.kernel_args(), arrived,
            )  # fmt: skip
            out.append(sorted(arrived[:k].tolist()))
        assert out[0] == out[1]
        for name, dtype, _, _ in FleetState.COLUMNS:
            a, b = getattr(f, name)[: f.n], getattr(g, name)[: g.n]
            if dtype.startswith("float"):
                np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-9, err_msg=name)
            else:
                np.testing.assert_array_equal(a, b, err_msg=name)
    assert (f.status[: f.n] == 2).any()  # some trajectories ended


def test_replay_interpolates_between_states() -> None:
    f = FleetState(2)
    store = ReplayStore()
    route = np.array([0, 1, 2], dtype=np.int32)
    i = f.add("r", KIND_ICV, route)
    f.status[i], f.replay[i] = ACTIVE, 1
    xy = np.array([[10.0, _lane_y(1)], [12.0, _lane_y(1)], [14.0, _lane_y(2)]])
    store.add(i, NET, route, 1.0, 0.2, xy, np.array([0.0, 0.2, 0.4]), np.array([10, 10, 12.0]), 4)
    arrived = np.zeros(1, dtype=np.int64)
    args = (f.status, f.x, f.y, f.heading, f.speed, f.accel, f.edge, f.s, f.lane, f.route_pos)
    k = replay_step(
        np.array([i]), 1.3, 0.1, *args, f.distance, f.route_off, f.routes,
        *store.kernel_args(), arrived,
    )  # fmt: skip
    assert k == 0
    assert f.x[i] == pytest.approx(13.0) and f.heading[i] == pytest.approx(0.3)
    assert f.speed[i] == pytest.approx(11.0) and f.s[i] == pytest.approx(15.0)
    assert f.lane[i] == 2  # the nearer state's lane (w = 0.5 takes the later one)
    k = replay_step(
        np.array([i]), 1.5, 0.1, *args, f.distance, f.route_off, f.routes,
        *store.kernel_args(), arrived,
    )  # fmt: skip
    assert k == 1 and f.status[i] == 2 and arrived[0] == i
