"""V2X channel kernels: equal to their plain-Python twins, and the channel's statistics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.kernels import reference_v2x as ref
from sim.kernels import v2x

DT = 0.1


def _keys(n: int, seed: int) -> np.ndarray:
    return np.array(
        [s.generate_state(1, np.uint64)[0] for s in np.random.SeedSequence(seed).spawn(n)],
        dtype=np.uint64,
    )


class Fleet:
    """Fleet arrays, the channel state and a stepper for the kernel."""

    def __init__(self, n: int, slots: int = v2x.HIST_SLOTS, seed: int = 0) -> None:
        self.n = n
        self.connected = np.ones(n, dtype=np.bool_)
        self.src = np.full(n, -1, dtype=np.int64)
        self.x = np.zeros(n)
        self.y = np.zeros(n)
        self.v = np.zeros(n)
        self.a = np.zeros(n)
        self.u = np.zeros(n)
        self.px = np.zeros(n)
        self.py = np.zeros(n)
        self.key = _keys(n, seed)
        self.degrade = np.ones(n)
        self.phase = np.zeros(n, dtype=np.int64)
        self.hist = v2x.new_history(n, slots)
        self.heard = v2x.new_heard(n)
        self.sent = np.zeros(n, dtype=np.int64)
        self.recv = np.zeros(n, dtype=np.int64)
        self.lost = np.zeros(n, dtype=np.int64)

    def step(
        self, tick: int, period: int = 1, latency: int = 0, r: float = 300.0, idx=None
    ) -> None:
        idx = np.arange(self.n, dtype=np.int64) if idx is None else idx
        v2x.v2x_step(
            idx, tick, tick * DT, self.connected, self.src, self.x, self.y, self.v, self.a,
            self.u, self.px, self.py, self.key, self.degrade, self.phase, period, latency, r,
            *self.hist, *self.heard, self.sent, self.recv, self.lost,
        )  # fmt: skip


# --- delivery probability --------------------------------------------------------------------
def test_delivery_probability_closed_form_and_twin() -> None:
    assert v2x.delivery_probability(0.0, 200.0) == 1.0
    # at d = r the mean power equals the threshold: exp(-3) (1 + 3 + 4.5)
    assert v2x.delivery_probability(200.0, 200.0) == pytest.approx(8.5 * math.exp(-3.0), rel=1e-14)
    assert v2x.delivery_probability(100.0, 200.0, 0.5) == pytest.approx(
        0.5 * v2x.delivery_probability(100.0, 200.0), rel=1e-15
    )
    assert v2x.delivery_probability(10.0, 200.0, 0.0) == 0.0
    assert v2x.delivery_probability(10.0, 0.0) == 0.0
    assert v2x.delivery_probability(10.0, 200.0, 2.0) == v2x.delivery_probability(10.0, 200.0)
    d = np.linspace(0.0, 1000.0, 2001)
    p = np.array([v2x.delivery_probability(x, 250.0) for x in d])
    assert np.all(np.diff(p) <= 0.0) and p[-1] < 1e-15
    want = [ref.delivery_probability_ref(x, 250.0) for x in d]
    np.testing.assert_allclose(p, want, rtol=1e-12, atol=1e-300)


def test_delivery_probability_is_the_nakagami_tail() -> None:
    """P(power >= threshold) for Gamma(m=3, scale=mean/3) power with mean (r/d)^2."""
    gammaincc = pytest.importorskip("scipy.special").gammaincc
    for q in (0.01, 0.3, 1.0, 2.5):
        got = v2x.delivery_probability(math.sqrt(q) * 100.0, 100.0)
        assert got == pytest.approx(gammaincc(3, 3 * q), rel=1e-12)


# --- CAM channel -----------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(4))
def test_v2x_step_equals_its_twin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n, slots, period, latency, r = 300, 8, 2, 2, 300.0
    f = Fleet(n, slots, seed)
    f.connected = rng.random(n) < 0.85
    f.src = rng.integers(-1, n, n).astype(np.int64)
    f.src[:5] = np.arange(5)  # listening to itself: ignored
    f.phase = rng.integers(0, period, n).astype(np.int64)
    f.x = rng.uniform(0, 500, n)
    f.y = rng.uniform(0, 500, n)
    log: dict = {}
    heard: dict = {}
    counts: dict = {"sent": {}, "recv": {}, "lost": {}}
    for tick in range(60):
        idx = np.sort(rng.choice(n, int(0.95 * n), replace=False)).astype(np.int64)
        f.x += rng.normal(0, 2, n)
        f.v = rng.uniform(0, 30, n)
        f.a = rng.uniform(-3, 2, n)
        f.u = rng.uniform(-3, 2, n)
        f.px = f.x + rng.normal(0, 3, n)  # reported positions (a GNSS error)
        f.py = f.y + rng.normal(0, 3, n)
        f.degrade = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0.3, 1.0, n))
        if tick % 10 == 5:  # some receivers change leader
            change = rng.random(n) < 0.2
            f.src[change] = rng.integers(-1, n, int(change.sum()))
        args = (idx, tick, tick * DT, f.connected, f.src, f.x, f.y, f.v, f.a, f.u, f.px, f.py)
        args += (f.key,)
        args += (f.degrade, f.phase, period, latency, r)
        f.step(tick, period, latency, r, idx)
        ref.v2x_step_ref(*args, log, heard, counts)
    ring = ref.ring_from_log(log, n, slots, 59)
    for got, want in zip(f.hist, ring, strict=True):
        np.testing.assert_array_equal(got, want)
    want_heard = [np.full(n, -np.inf), *(np.zeros(n) for _ in range(5)), np.full(n, -1)]
    for i, rec in heard.items():
        for arr, val in zip(want_heard, rec, strict=True):
            arr[i] = val
    for got, want in zip(f.heard, want_heard, strict=True):
        np.testing.assert_array_equal(got, want)
    for got, name in ((f.sent, "sent"), (f.recv, "recv"), (f.lost, "lost")):
        want = np.zeros(n, dtype=np.int64)
        for i, c in counts[name].items():
            want[i] = c
        np.testing.assert_array_equal(got, want, err_msg=name)
    assert f.recv.sum() > 400 and f.lost.sum() > 400


def test_delivery_ratio_over_distance_matches_the_model() -> None:
    """Receiver k hears sender M + k at a fixed distance; 10 000 packets per distance."""
    r, per_group, ticks = 200.0, 1000, 10
    ratios = (0.0, 0.3, 0.6, 0.9, 1.2, 1.6)
    m = per_group * len(ratios)
    f = Fleet(2 * m, seed=11)
    f.src[:m] = np.arange(m, 2 * m)
    f.y[:m] = f.y[m:] = np.arange(m) * 10_000.0  # pairs far apart: only the pair matters
    f.x[:m] = np.repeat(np.array(ratios) * r, per_group)
    for tick in range(ticks):
        f.step(tick, r=r)
    for g, q in enumerate(ratios):
        rows = slice(g * per_group, (g + 1) * per_group)
        got, lost = f.recv[rows].sum(), f.lost[rows].sum()
        trials = per_group * ticks
        assert got + lost == trials
        p = v2x.delivery_probability(q * r, r)
        sigma = math.sqrt(p * (1 - p) / trials)
        assert abs(got / trials - p) <= 4 * sigma + 1e-12, (q, got / trials, p)


def test_blackout_delivers_nothing() -> None:
    n = 40
    f = Fleet(n, seed=3)
    f.src = np.roll(np.arange(n, dtype=np.int64), 1)
    f.x = np.arange(n) * 5.0
    f.degrade[:] = 0.0
    for tick in range(20):
        f.step(tick)
    assert f.recv.sum() == 0 and f.lost.sum() == n * 20
    assert np.all(np.isinf(f.heard[0])) and np.all(f.heard[6] == -1)
    # one end down is enough: receivers 0..9 blacked out, the rest heard everything (d <= 5 m)
    g = Fleet(n, seed=3)
    g.src, g.x = f.src, f.x
    g.degrade[:10] = 0.0
    for tick in range(20):
        g.step(tick)
    assert g.recv[:10].sum() == 0
    assert g.recv[11:].sum() > 0.99 * 20 * (n - 11)  # 11: its sender 10 is fine; 10's is not
    assert g.recv[10] == 0  # sender 9 is blacked out


def test_latency_what_is_heard_was_sent_latency_ticks_ago() -> None:
    n, latency = 6, 3
    f = Fleet(n, seed=5)
    f.src = np.array([-1, 0, 1, 2, 3, 4], dtype=np.int64)
    f.x = np.arange(n) * 10.0  # close: P ~ 1
    sent_v = {}
    for tick in range(30):
        f.v = 20.0 + np.arange(n) + 0.01 * tick
        sent_v[tick] = f.v.copy()
        f.step(tick, latency=latency, r=1e6)
        heard_t, heard_v, _, _, _, _, heard_from = f.heard
        if tick < latency:
            assert np.all(np.isinf(heard_t))
            continue
        k = tick - latency
        assert np.allclose(heard_t[1:], k * DT, rtol=0, atol=1e-12)
        np.testing.assert_array_equal(heard_v[1:], sent_v[k][:-1])
        np.testing.assert_array_equal(heard_from[1:], np.arange(n - 1))


def test_period_and_phase_spread_the_broadcasts() -> None:
    n, period, latency, ticks = 8, 4, 1, 41
    f = Fleet(n, seed=6)
    f.src = np.roll(np.arange(n, dtype=np.int64), 1)
    f.phase = np.arange(n, dtype=np.int64) % period
    f.x = np.arange(n) * 1.0
    last_heard = np.full(n, -np.inf)
    for tick in range(ticks):
        f.step(tick, period=period, latency=latency, r=1e6)
        changed = f.heard[0] != last_heard
        last_heard = f.heard[0].copy()
        k = tick - latency
        due = (k >= 0) & ((k - f.phase[f.src]) % period == 0)
        np.testing.assert_array_equal(changed, due)
    bcast = np.array([sum((k - p) % period == 0 for k in range(ticks)) for p in f.phase])
    np.testing.assert_array_equal(f.sent, bcast)
    # counters add up: every due message was one attempt, received or lost
    attempts = [
        sum((k - f.phase[f.src[i]]) % period == 0 for k in range(ticks - latency)) for i in range(n)
    ]
    np.testing.assert_array_equal(f.recv + f.lost, attempts)


def test_determinism_and_independence_of_keys() -> None:
    def run(seed: int) -> tuple[np.ndarray, np.ndarray]:
        n = 200
        f = Fleet(n, seed=seed)
        f.src = np.roll(np.arange(n, dtype=np.int64), 1)
        f.x = np.arange(n) * 150.0  # P(150 m, r = 150 m) = 0.42
        for tick in range(30):
            f.step(tick, r=150.0)
        return f.recv, f.heard[0]

    a, b, c = run(1), run(1), run(2)
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    assert 0.3 < a[0].sum() / (199 * 30) < 0.55


def test_leader_change_heard_from_and_disconnected_ends() -> None:
    f = Fleet(4, seed=9)
    f.x = np.array([0.0, 10.0, 20.0, 30.0])
    f.src[3] = 1
    for tick in range(5):
        f.step(tick, latency=2, r=1e6)
    assert f.heard[6][3] == 1 and f.heard[0][3] == pytest.approx(2 * DT)
    f.src[3] = 2  # new leader: its message of tick 3 arrives at tick 5
    f.step(5, latency=2, r=1e6)
    assert f.heard[6][3] == 2 and f.heard[0][3] == pytest.approx(3 * DT)
    # a sender that was not connected at the send tick sent nothing
    f.connected[2] = False
    for tick in range(6, 9):
        f.step(tick, latency=2, r=1e6)
    assert f.heard[0][3] == pytest.approx(5 * DT)  # tick 6 was the last one it sent
    f.connected[3] = False  # a disconnected receiver keeps what it had
    f.connected[2] = True
    before = [h.copy() for h in f.heard]
    f.step(9, latency=2, r=1e6)
    for h, b in zip(f.heard, before, strict=True):
        np.testing.assert_array_equal(h, b)


# --- SPaT ------------------------------------------------------------------------------------
def _spat_fixture(seed: int):
    rng = np.random.default_rng(seed)
    n, n_l = 500, 12
    fleet = {
        "connected": rng.random(n) < 0.9,
        "light": rng.integers(-1, n_l, n).astype(np.int64),
        "x": rng.uniform(0, 2000, n),
        "y": rng.uniform(0, 2000, n),
        "key": _keys(n, seed),
        "degrade": np.where(rng.random(n) < 0.1, 0.0, 1.0),
    }
    lights = {
        "l_x": rng.uniform(0, 2000, n_l),
        "l_y": rng.uniform(0, 2000, n_l),
        "l_state": rng.integers(0, 3, n_l).astype(np.int64),
        "l_left": rng.uniform(0, 40, n_l),
        "l_green": rng.uniform(0, 60, n_l),
        "l_phase": rng.integers(0, 2, n_l).astype(np.int64),
        "l_degrade": np.where(np.arange(n_l) == 0, 0.0, 1.0),
    }
    return n, fleet, lights


@pytest.mark.parametrize("seed", range(3))
def test_spat_step_equals_its_twin(seed: int) -> None:
    n, fl, li = _spat_fixture(seed)
    out = [np.full(n, -np.inf), np.full(n, -1, np.int64), np.zeros(n), np.zeros(n)]
    out.append(np.full(n, -1, np.int64))
    recv, lost = np.zeros(n, np.int64), np.zeros(n, np.int64)
    heard: dict = {}
    counts: dict = {"recv": {}, "lost": {}}
    idx = np.arange(n, dtype=np.int64)
    for tick in range(6):
        li["l_left"] = li["l_left"] - DT
        common = (idx, tick, tick * DT, fl["connected"], fl["light"], fl["x"], fl["y"])
        common += (fl["key"], fl["degrade"], 2, 600.0, li["l_x"], li["l_y"], li["l_state"])
        common += (li["l_left"], li["l_green"], li["l_phase"], li["l_degrade"])
        v2x.spat_step(*common, *out, recv, lost)
        ref.spat_step_ref(*common, heard, counts)
    want = [np.full(n, -np.inf), np.full(n, -1, np.int64), np.zeros(n), np.zeros(n)]
    want.append(np.full(n, -1, np.int64))
    for i, rec in heard.items():
        for arr, val in zip(want, rec, strict=True):
            arr[i] = val
    for got, exp in zip(out, want, strict=True):
        np.testing.assert_array_equal(got, exp)
    for got, name in ((recv, "recv"), (lost, "lost")):
        exp = np.zeros(n, np.int64)
        for i, c in counts[name].items():
            exp[i] = c
        np.testing.assert_array_equal(got, exp)
    # blacked-out vehicles and the dead roadside unit 0 delivered nothing
    dead = (fl["degrade"] == 0) | (fl["light"] == 0)
    assert recv[dead].sum() == 0 and lost[dead & fl["connected"] & (fl["light"] >= 0)].sum() > 0
    assert recv.sum() > 100
    got = out[4] >= 0  # what was heard is the light's state and times as sent
    np.testing.assert_array_equal(out[1][got], li["l_state"][out[4][got]])
    np.testing.assert_array_equal(out[3][got], li["l_green"][out[4][got]])


def test_spat_near_light_always_heard() -> None:
    n = 3
    out = [np.full(n, -np.inf), np.full(n, -1, np.int64), np.zeros(n), np.zeros(n)]
    out.append(np.full(n, -1, np.int64))
    recv, lost = np.zeros(n, np.int64), np.zeros(n, np.int64)
    v2x.spat_step(
        np.arange(n, dtype=np.int64), 7, 0.7, np.ones(n, np.bool_),
        np.array([0, -1, 0], dtype=np.int64), np.zeros(n), np.zeros(n), _keys(n, 1), np.ones(n),
        1, 300.0, np.array([0.0]), np.array([0.0]), np.array([2], dtype=np.int64),
        np.array([12.5]), np.array([40.0]), np.array([0], dtype=np.int64), np.array([1.0]), *out,
        recv, lost,
    )  # fmt: skip
    assert out[0].tolist() == [0.7, -np.inf, 0.7] and out[1].tolist() == [2, -1, 2]
    assert out[2].tolist() == [12.5, 0.0, 12.5] and recv.tolist() == [1, 0, 1]
