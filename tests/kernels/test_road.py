"""Road kernel against known results: IDM equilibrium on a ring, limits, signals, MOBIL."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.kernels.reference import idm_acc_ref
from sim.state.fleet import ACTIVE, KIND_ICV, FleetState
from tests.kernels.harness import road_tick
from tests.kernels.nets import ring, straight

V0, T, A, B, S0, DELTA, LEN = 30.0, 1.5, 1.0, 1.5, 2.0, 4.0, 5.0


def _car(
    f: FleetState, aid: str, route: list[int], s: float, v: float, lane: int = 0, v0: float = V0
) -> int:
    i = f.add(aid, KIND_ICV, route)
    f.status[i] = ACTIVE
    f.edge[i] = route[0]
    f.s[i], f.speed[i], f.lane[i] = s, v, lane
    f.v0[i], f.T[i], f.a_max[i], f.b_comf[i], f.s0[i], f.delta[i], f.length[i] = (
        v0,
        T,
        A,
        B,
        S0,
        DELTA,
        LEN,
    )
    f.max_decel[i] = 9.0
    return i


def equilibrium_speed(gap: float) -> float:
    """Solve s*(v)/sqrt(1-(v/v0)^delta) = gap for v (bisection)."""
    lo, hi = 0.0, V0 * (1 - 1e-12)
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if (S0 + mid * T) / math.sqrt(1 - (mid / V0) ** DELTA) < gap:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


@pytest.mark.parametrize("n", [12, 20, 40, 80])
def test_idm_ring_reaches_the_analytic_equilibrium(n: int) -> None:
    net = ring(2000.0)
    circ = float(net.edge_length.sum())
    e_len = float(net.edge_length[0])
    f = FleetState(n)
    for k in range(n):
        pos = k * circ / n
        e0 = int(pos // e_len)
        _car(f, f"c{k}", [(e0 + j) % 4 for j in range(400)], pos - e0 * e_len, 0.0)
    for _ in range(9000):  # 900 s at 0.1 s
        road_tick(f, net, 0.1)
    pos = np.array(
        [f.s[i] + e_len * ((f.route_pos[i] + int(f.routes[f.route_off[i]])) % 4) for i in range(n)]
    )
    pos %= circ
    order = np.argsort(pos)
    gaps = (np.roll(pos[order], -1) - pos[order]) % circ - LEN
    v_sim = float(f.speed[:n].mean())
    v_eq = equilibrium_speed(circ / n - LEN)
    assert v_sim == pytest.approx(v_eq, rel=0.01)
    assert gaps.std() < 0.01 * gaps.mean()
    density = n / circ  # veh/m
    assert density * v_sim == pytest.approx(density * v_eq, rel=0.01)  # flow-density curve
    # and the equilibrium gap relation holds for the simulated speed
    s_star = (S0 + v_sim * T) / math.sqrt(1 - (v_sim / V0) ** DELTA)
    assert gaps.mean() == pytest.approx(s_star, rel=0.01)


@pytest.mark.parametrize(("v0", "expect_e0"), [(30.0, 20.0), (15.0, 15.0)])
def test_free_road_reaches_v0_and_never_exceeds_the_limit(v0: float, expect_e0: float) -> None:
    net = straight([3000.0, 1500.0], [20.0, 10.0])
    f = FleetState(2)
    car = _car(f, "car", [0, 1], 0.0, 0.0, v0=v0)
    top_e0 = 0.0
    for _ in range(6000):
        road_tick(f, net, 0.1)
        if f.status[car] != ACTIVE:
            break
        assert f.speed[car] <= net.speed_limit[f.edge[car]] + 1e-9
        assert f.speed[car] <= v0 + 1e-9
        if f.edge[car] == 0:
            top_e0 = max(top_e0, f.speed[car])
        elif f.s[car] > 500:
            assert f.speed[car] == pytest.approx(10.0, rel=0.005)
    assert top_e0 == pytest.approx(expect_e0, rel=0.005)
    assert f.status[car] == 2


@pytest.mark.parametrize("v_start", [0.0, 8.0, 14.0])
def test_red_light_is_never_crossed(v_start: float) -> None:
    net = straight([300.0, 300.0], [14.0, 14.0], signal_at_end=True)
    net.signal_state[0] = 2  # red on E0's stop line
    f = FleetState(4)
    cars = [_car(f, f"c{k}", [0, 1], 150.0 - 20.0 * k, v_start, v0=14.0) for k in range(3)]
    for _ in range(900):
        road_tick(f, net, 0.1)
        for i in cars:
            assert f.edge[i] == 0
            assert f.s[i] <= net.edge_length[0] - net.stop_offset[0] + 1e-6
    assert f.speed[cars[0]] < 0.01
    net.signal_state[0] = 0
    for _ in range(400):
        road_tick(f, net, 0.1)
    assert all(f.edge[i] == 1 or f.status[i] == 2 for i in cars)


def test_yellow_is_passed_when_stopping_is_not_comfortable() -> None:
    net = straight([300.0, 300.0], [14.0, 14.0], signal_at_end=True)
    net.signal_state[0] = 1
    f = FleetState(2)
    near = _car(f, "near", [0, 1], 290.0, 14.0, v0=14.0)  # 10 m to go at 14 m/s: v^2/2b = 65 m
    far = _car(f, "far", [0, 1], 100.0, 14.0, v0=14.0)
    for _ in range(600):
        road_tick(f, net, 0.1)
        assert f.edge[far] == 0
    assert f.edge[near] == 1 or f.status[near] == 2
    assert f.speed[far] < 0.01


def _follower_acc_after(f: FleetState, i: int, lane: int) -> float | None:
    """IDM acceleration of i's new follower in ``lane`` with i as its leader (pre-tick state)."""
    cands = [
        j
        for j in range(f.n)
        if j != i and f.lane[j] == lane and f.edge[j] == f.edge[i] and f.s[j] <= f.s[i]
    ]
    if not cands:
        return None
    j = max(cands, key=lambda k: f.s[k])
    return float(
        idm_acc_ref(
            f.speed[j],
            f.speed[i],
            f.s[i] - f.s[j] - f.length[i],
            min(f.v0[j], 30.0),
            f.T[j],
            f.a_max[j],
            f.b_comf[j],
            f.s0[j],
            f.delta[j],
        )
    )


@pytest.mark.parametrize("threshold", [0.1, 50.0])
def test_mobil_overtakes_only_above_threshold_and_never_below_b_safe(threshold: float) -> None:
    net = straight([4000.0], [30.0], lanes=2)
    f = FleetState(8)
    slow = _car(f, "slow", [0], 300.0, 10.0, lane=0, v0=10.0)
    fast = _car(f, "fast", [0], 250.0, 20.0, lane=0, v0=30.0)
    others = [_car(f, f"l1-{k}", [0], 230.0 - 60.0 * k, 28.0, lane=1, v0=28.0) for k in range(3)]
    for i in range(f.n):
        f.lc_threshold[i] = threshold
        f.politeness[i] = 0.2
        f.b_safe[i] = 4.0
    changes = []
    for _ in range(1200):
        before = f.lane[: f.n].copy()
        snapshot = {k: getattr(f, k).copy() for k in ("s", "speed", "lane", "edge")}
        road_tick(f, net, 0.1)
        for i in np.nonzero(f.lane[: f.n] != before)[0]:
            changes.append(int(i))
            saved = {k: getattr(f, k).copy() for k in ("s", "speed", "lane", "edge")}
            for k, v in snapshot.items():
                getattr(f, k)[:] = v
            acc = _follower_acc_after(f, int(i), int(saved["lane"][i]))
            for k, v in saved.items():
                getattr(f, k)[:] = v
            assert acc is None or acc >= -f.b_safe[i] - 1e-9
    if threshold < 1.0:
        assert fast in changes
        assert f.s[fast] > f.s[slow]  # it overtook
    else:
        assert changes == []
        assert f.s[fast] < f.s[slow]
    del others
