"""Each numba kernel equals its plain-numpy twin to 1e-9 on random states, tick after tick."""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim.kernels import reference
from sim.kernels.air import air_step
from sim.kernels.cacc import cacc_config
from sim.kernels.noise import normal_pair, uniform
from sim.kernels.road import idm_acc, road_step
from sim.kernels.water import water_step
from sim.model.map_file import load_map
from sim.network.arrays import build_layer
from sim.state.fleet import ACTIVE, HELD, KIND_ICV, KIND_SHIP, KIND_UAV, FleetState
from tests.conftest import ROOT
from tests.kernels.harness import air_args, road_args, water_args

MAP = load_map(ROOT / "maps" / "lingang-demo.geojson")
ROAD = build_layer(MAP, "road")
AIR = build_layer(MAP, "air")
WATER = build_layer(MAP, "water")


def _compare(a: FleetState, b: FleetState) -> None:
    for name, dtype, _, _ in FleetState.COLUMNS:
        x, y = getattr(a, name)[: a.n], getattr(b, name)[: b.n]
        if dtype.startswith("float"):
            np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-9, err_msg=name)
        else:
            np.testing.assert_array_equal(x, y, err_msg=name)


def _random_route(rng: np.random.Generator, net, n_edges: int) -> list[int]:
    e = int(rng.integers(net.n_edges))
    route = [e]
    for _ in range(n_edges - 1):
        nxt = np.nonzero(net.edge_from == net.edge_to[route[-1]])[0]
        if len(nxt) == 0:
            break
        route.append(int(rng.choice(nxt)))
    return route


def _road_fleet(seed: int, n: int) -> FleetState:
    rng = np.random.default_rng(seed)
    f = FleetState(8)
    for k in range(n):
        route = _random_route(rng, ROAD, 6)
        finishing = rng.random() < 0.1
        if finishing:
            route = route[:1]
        i = f.add(f"v{k}", KIND_ICV, route)
        e = route[0]
        f.status[i] = HELD if rng.random() < 0.05 else ACTIVE
        f.edge[i] = e
        f.lane[i] = int(rng.integers(ROAD.lanes[e]))
        f.s[i] = float(rng.uniform(0, ROAD.edge_length[e] * 0.98))
        if finishing:
            f.s[i] = float(ROAD.edge_length[e] - rng.uniform(1, 40))
        f.speed[i] = float(rng.uniform(0, 25))
        f.v0[i] = float(rng.uniform(8, 35))
        f.T[i] = float(rng.uniform(0.8, 2.0))
        f.a_max[i] = float(rng.uniform(0.6, 2.0))
        f.b_comf[i] = float(rng.uniform(1.0, 3.0))
        f.s0[i] = float(rng.uniform(1.0, 3.0))
        f.delta[i] = 4.0
        f.length[i] = float(rng.uniform(4, 12))
        f.politeness[i] = float(rng.uniform(0, 0.5))
        f.lc_threshold[i] = float(rng.uniform(0, 0.3))
        f.b_safe[i] = float(rng.uniform(2, 5))
        f.lc_cool[i] = float(rng.choice([0.0, 0.0, 1.0]))
        f.replay[i] = int(rng.random() < 0.05)  # posed elsewhere: neither moves nor changes lane
    return f


@pytest.mark.parametrize("seed", range(6))
def test_road_step_equals_its_twin(seed: int) -> None:
    rng = np.random.default_rng(100 + seed)
    a = _road_fleet(seed, 400)
    b = copy.deepcopy(a)
    lanes0 = a.lane[: a.n].copy()
    net_a, net_b = copy.deepcopy(ROAD), copy.deepcopy(ROAD)
    for tick in range(40):
        if tick % 10 == 0:
            states = rng.integers(0, 3, ROAD.n_edges).astype(np.int8)
            net_a.signal_state[:] = states
            net_b.signal_state[:] = states
        for f, net, fn in ((a, net_a, road_step), (b, net_b, reference.road_step_ref)):
            n = f.n
            idx = np.nonzero((f.status[:n] == ACTIVE) | (f.status[:n] == HELD))[0]
            args = road_args(f, net, idx, 0.1)
            k = fn(*args)
            f.__dict__.setdefault("_flags", []).append(sorted(args[-1][:k].tolist()))
            f.__dict__["_lead"], f.__dict__["_gap"] = args[-3][idx], args[-2][idx]
        _compare(a, b)
        np.testing.assert_array_equal(a.__dict__["_lead"], b.__dict__["_lead"])
        np.testing.assert_allclose(a.__dict__["_gap"], b.__dict__["_gap"], rtol=1e-9, atol=1e-9)
        assert a.__dict__["_flags"] == b.__dict__["_flags"]
    assert (a.lane[: a.n] != lanes0).any(), "the random state should exercise lane changes"
    assert any(a.__dict__["_flags"]), "and arrivals"


def _connect(f: FleetState, rng: np.random.Generator, t: float) -> None:
    """Random V2X state: connected vehicles, CAMs heard (some from the leader), faults."""
    n = f.n
    f.ctrl[:n] = rng.random(n) < 0.5
    f.heard_from[:n] = np.where(rng.random(n) < 0.5, f.__dict__.get("_lead_all", -1), -1)
    f.heard_from[:n] = np.where(rng.random(n) < 0.2, rng.integers(0, n, n), f.heard_from[:n])
    f.heard_t[:n] = t - rng.uniform(0.0, 1.0, n)
    f.heard_u[:n] = rng.uniform(-3, 1.5, n)
    f.heard_v[:n] = rng.uniform(0, 25, n)
    f.heard_x[:n] = f.x[:n] + rng.normal(0, 30, n)
    f.heard_y[:n] = f.y[:n] + rng.normal(0, 30, n)
    f.sensor_ok[:n] = rng.random(n) > 0.1
    f.gnss_ex[:n] = rng.normal(0, 2, n)
    f.gnss_ey[:n] = rng.normal(0, 2, n)
    f.plat_pos[:n] = rng.integers(-1, 9, n)
    f.spat_from[:n] = np.where(rng.random(n) < 0.7, f.edge[:n], -1)
    f.spat_state[:n] = rng.integers(0, 3, n)
    f.spat_t[:n] = t - rng.uniform(0.0, 1.5, n)
    f.spat_left[:n] = rng.uniform(0.0, 40.0, n)
    f.spat_green[:n] = f.spat_left[:n] + rng.uniform(0.0, 40.0, n) * (f.spat_state[:n] == 0)


@pytest.mark.parametrize("seed", range(4))
def test_road_step_with_connected_vehicles_equals_its_twin(seed: int) -> None:
    """CACC/ACC, platoon caps, sensor dropouts with V2X gaps and GLOSA, against the twin."""
    rng = np.random.default_rng(200 + seed)
    a = _road_fleet(seed + 50, 400)
    b = copy.deepcopy(a)
    net_a, net_b = copy.deepcopy(ROAD), copy.deepcopy(ROAD)
    ccfg = cacc_config(glosa=1.0, platoon_max=4.0)
    modes = set()
    for tick in range(40):
        t = tick * 0.1
        if tick % 10 == 0:
            states = rng.integers(0, 3, ROAD.n_edges).astype(np.int8)
            net_a.signal_state[:] = states
            net_b.signal_state[:] = states
            state = np.random.default_rng(tick + seed)
            _connect(a, state, t)
            _connect(b, np.random.default_rng(tick + seed), t)
        for f, net, fn in ((a, net_a, road_step), (b, net_b, reference.road_step_ref)):
            n = f.n
            idx = np.nonzero((f.status[:n] == ACTIVE) | (f.status[:n] == HELD))[0]
            args = road_args(f, net, idx, 0.1, t, ccfg)
            fn(*args)
            lead = args[-3]
            f.__dict__["_lead_all"] = lead[:n].copy()
        _compare(a, b)
        modes.update(a.cacc_mode[: a.n].tolist())
    assert modes >= {0, 1, 2, 3}, "the random state should exercise every controller mode"


def test_idm_scalar_matches_vector() -> None:
    rng = np.random.default_rng(3)
    for _ in range(2000):
        v, vl, gap = rng.uniform(0, 30), rng.uniform(0, 30), rng.choice([rng.uniform(-1, 200), 1e9])
        p = (
            rng.uniform(5, 35),
            rng.uniform(0.5, 2),
            rng.uniform(0.5, 2),
            rng.uniform(1, 3),
            rng.uniform(0, 3),
            4.0,
        )
        assert idm_acc(v, vl, gap, *p) == pytest.approx(
            float(reference.idm_acc_ref(v, vl, gap, *p)), rel=1e-12
        )


def test_noise_equals_its_twin() -> None:
    for key in (0, 1, 2**63 + 5, 123456789):
        for c in (0, 1, 7, 10**9):
            assert uniform(np.uint64(key), c) == reference.uniform_ref(key, c)
            assert normal_pair(np.uint64(key), c) == pytest.approx(
                reference.normal_pair_ref(key, c), rel=1e-12
            )


def test_noise_is_standard_normal() -> None:
    z = np.array([normal_pair(np.uint64(42), c) for c in range(20000)]).ravel()
    assert abs(z.mean()) < 0.02 and abs(z.std() - 1) < 0.02


def _air_fleet(seed: int, n: int) -> FleetState:
    rng = np.random.default_rng(seed)
    f = FleetState(8)
    for k in range(n):
        route = _random_route(rng, AIR, 4)
        i = f.add(f"u{k}", KIND_UAV, route)
        e = route[0]
        f.status[i] = HELD if rng.random() < 0.1 else ACTIVE
        f.edge[i] = e
        f.phase[i] = int(rng.integers(1, 4))
        f.s[i] = float(rng.uniform(0, AIR.edge_length[e]))
        f.speed[i] = float(rng.uniform(0, 20))
        f.z[i] = float(rng.uniform(0, 150))
        f.z_cruise[i] = float(rng.uniform(30, 200))
        f.z_goal[i] = float(rng.uniform(0, 10))
        f.v0[i] = float(rng.uniform(8, 25))
        f.max_speed[i] = 25.0
        f.a_max[i] = float(rng.uniform(1, 4))
        f.endurance[i] = float(rng.uniform(2, 10) if rng.random() < 0.1 else rng.uniform(100, 3000))
        f.rng_key[i] = np.uint64(rng.integers(0, 2**63))
    return f


@pytest.mark.parametrize("wind", [(0, 0, 0), (3.0, -2.0, 1.5), (12.0, 9.0, 3.0)])
def test_air_step_equals_its_twin(wind: tuple[float, float, float]) -> None:
    cfg = np.array([wind[0], wind[1], wind[2], 8.0, 5.0])
    a = _air_fleet(int(wind[0] * 10), 300)
    b = copy.deepcopy(a)
    phases0 = a.phase[: a.n].copy()
    for tick in range(120):
        for f, fn in ((a, air_step), (b, reference.air_step_ref)):
            n = f.n
            idx = np.nonzero((f.status[:n] == ACTIVE) | (f.status[:n] == HELD))[0]
            fn(*air_args(f, AIR, idx, 0.1, tick, cfg))
        _compare(a, b)
    assert (a.phase[: a.n] != phases0).any() and (a.status[: a.n] == 4).any()


def _ship_fleet(seed: int, n: int) -> FleetState:
    rng = np.random.default_rng(seed)
    f = FleetState(8)
    for k in range(n):
        route = _random_route(rng, WATER, 3)
        i = f.add(f"s{k}", KIND_SHIP, route)
        e = route[0]
        f.status[i] = HELD if rng.random() < 0.1 else ACTIVE
        f.edge[i] = e
        f.s[i] = float(rng.uniform(0, WATER.edge_length[e]))
        x, y, h = reference.point_at_ref(
            WATER.pts_off, WATER.pts_x, WATER.pts_y, WATER.pts_s, e, f.s[i], 0.0
        )
        f.x[i], f.y[i] = x + rng.normal(0, 10), y + rng.normal(0, 10)
        f.heading[i] = h + rng.normal(0, 0.3)
        f.speed[i] = float(rng.uniform(0, 6))
        f.v0[i] = float(rng.uniform(2, 7))
        f.max_speed[i] = 8.0
        f.a_max[i] = 0.2
        f.length[i] = float(rng.uniform(5, 40))
    return f


def test_water_step_equals_its_twin() -> None:
    cfg = np.array([3.0, np.radians(35), 0.15, 0.9])
    a = _ship_fleet(5, 200)
    b = copy.deepcopy(a)
    for _ in range(300):
        for f, fn in ((a, water_step), (b, reference.water_step_ref)):
            n = f.n
            idx = np.nonzero((f.status[:n] == ACTIVE) | (f.status[:n] == HELD))[0]
            fn(*water_args(f, WATER, idx, 0.2, cfg))
        _compare(a, b)
