"""Conflict detection and MVP resolution: kernel == twin, grid == all pairs, closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.kernels import reference_conflict as ref
from sim.kernels.conflict import (
    CONFLICT,
    LOS,
    conflict_buffers,
    detect,
    detect_all_pairs,
    mvp,
    pair_record,
)

NAMES = ("own", "intruder", "tcpa", "dcpa", "tin", "tout", "flags")


def _traffic(seed: int, n: int, side: float, lookahead_speed: float = 20.0) -> dict:
    """Dense random traffic with the degenerate cases mixed in.

    Layers at equal altitudes, hovering UAVs, formations (equal velocities), UAVs on the same
    spot, vertical speeds of exactly 0 and of +-5e-7 m/s (below BlueSky's 1e-6 guard).
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(0, side, n)
    y = rng.uniform(0, side, n)
    z = np.where(rng.random(n) < 0.3, rng.choice([40.0, 60.0, 80.0], n), rng.uniform(30, 120, n))
    gs = np.where(rng.random(n) < 0.1, 0.0, rng.uniform(0, lookahead_speed, n))
    hdg = rng.uniform(-math.pi, math.pi, n)
    vx, vy = gs * np.cos(hdg), gs * np.sin(hdg)
    kind = rng.random(n)
    vz = np.where(kind < 0.5, 0.0, rng.uniform(-3, 3, n))
    vz = np.where((kind > 0.9) & (kind < 0.95), 5e-7, vz)
    vz = np.where(kind >= 0.95, -5e-7, vz)
    # formations: copy the velocity of a neighbour; same spots: copy the position too
    k = n // 10
    src = rng.integers(0, n, k)
    dst = rng.integers(0, n, k)
    vx[dst], vy[dst], vz[dst] = vx[src], vy[src], vz[src]
    x[dst[: k // 3]] = x[src[: k // 3]]
    y[dst[: k // 3]] = y[src[: k // 3]]
    return {"x": x, "y": y, "z": z, "vx": vx, "vy": vy, "vz": vz}


def _run(fn, t: dict, idx, rpz=50.0, hpz=15.0, look=30.0, cap=None) -> dict:
    buf = conflict_buffers(cap if cap is not None else 8 * len(idx) + 8)
    args = (idx, t["x"], t["y"], t["z"], t["vx"], t["vy"], t["vz"], rpz, hpz, look)
    n = fn(*args, *buf)
    if n > len(buf[0]):
        buf = conflict_buffers(n)
        n = fn(*args, *buf)
    return {k: b[:n].copy() for k, b in zip(NAMES, buf, strict=True)}


def _assert_same(a: dict, b: dict, exact: bool) -> None:
    for k in ("own", "intruder", "flags"):
        np.testing.assert_array_equal(a[k], b[k], err_msg=k)
    for k in ("tcpa", "dcpa", "tin", "tout"):
        if exact:
            np.testing.assert_array_equal(a[k], b[k], err_msg=k)
        else:
            np.testing.assert_allclose(a[k], b[k], rtol=1e-9, atol=1e-9, err_msg=k)


@pytest.mark.parametrize(
    ("seed", "n", "side", "look"),
    [(0, 300, 2000.0, 30.0), (1, 600, 3000.0, 60.0), (2, 400, 1000.0, 10.0), (3, 500, 4000.0, 0.0)],
)
def test_detect_equals_its_twin(seed: int, n: int, side: float, look: float) -> None:
    t = _traffic(seed, n, side)
    rng = np.random.default_rng(seed)
    idx = rng.permutation(n)[: int(0.9 * n)]  # a subset, in no particular order
    a = _run(detect, t, idx, look=look)
    b = _run(ref.detect_ref, t, idx, look=look)
    assert len(a["own"]) > 20, "the traffic should hold conflicts"
    assert (a["flags"] & LOS).any()
    _assert_same(a, b, exact=False)
    assert set(a["own"]) <= set(idx.tolist())


@pytest.mark.parametrize(
    ("seed", "n", "side", "look", "rpz"),
    [
        (10, 4000, 15000.0, 30.0, 50.0),
        (11, 3000, 3000.0, 120.0, 100.0),
        (12, 5000, 50000.0, 5.0, 20.0),
        (13, 2000, 500.0, 30.0, 50.0),
        (14, 1000, 8000.0, 0.0, 0.0),
    ],
)
def test_grid_equals_all_pairs(seed: int, n: int, side: float, look: float, rpz: float) -> None:
    t = _traffic(seed, n, side)
    idx = np.arange(n)
    a = _run(detect, t, idx, rpz=rpz, look=look)
    b = _run(detect_all_pairs, t, idx, rpz=rpz, look=look)
    _assert_same(a, b, exact=True)


def test_grid_in_a_line_and_on_one_spot() -> None:
    """Degenerate layouts for the grid: all on one north-south line, all on one spot."""
    n = 200
    line = {
        "x": np.zeros(n),
        "y": np.linspace(0, 20000, n),
        "z": np.full(n, 50.0),
        "vx": np.zeros(n),
        "vy": np.where(np.arange(n) % 2 == 0, 15.0, -15.0),
        "vz": np.zeros(n),
    }
    spot = {k: np.zeros(n) if k != "z" else np.full(n, 60.0) for k in line}
    for t in (line, spot):
        a = _run(detect, t, np.arange(n))
        _assert_same(a, _run(ref.detect_ref, t, np.arange(n)), exact=False)
        _assert_same(a, _run(detect_all_pairs, t, np.arange(n)), exact=True)
    assert len(_run(detect, spot, np.arange(n))["own"]) == n * (n - 1)


def test_thresholds_hit_exactly() -> None:
    """Pairs placed on the edges of the broadphase bound: entry exactly at the look-ahead."""
    rpz, look, v = 50.0, 30.0, 10.0
    gaps = rpz + 2 * v * look + np.array([-1e-9, 0.0, 1e-9, -1e-6, 1e-6])
    m = len(gaps)
    x = np.concatenate([np.zeros(m), gaps])
    y = np.repeat(np.arange(m) * 5000.0, 1)
    t = {
        "x": x,
        "y": np.concatenate([y, y]),
        "z": np.full(2 * m, 50.0),
        "vx": np.concatenate([np.full(m, v), np.full(m, -v)]),
        "vy": np.zeros(2 * m),
        "vz": np.zeros(2 * m),
    }
    idx = np.arange(2 * m)
    a = _run(detect, t, idx, rpz=rpz, look=look)
    _assert_same(a, _run(ref.detect_ref, t, idx, rpz=rpz, look=look), exact=False)
    _assert_same(a, _run(detect_all_pairs, t, idx, rpz=rpz, look=look), exact=True)


def test_buffers_grow_on_demand() -> None:
    t = _traffic(5, 400, 1500.0)
    idx = np.arange(400)
    full = _run(detect, t, idx)
    need = len(full["own"])
    buf = conflict_buffers(3)
    args = (idx, t["x"], t["y"], t["z"], t["vx"], t["vy"], t["vz"], 50.0, 15.0, 30.0)
    assert detect(*args, *buf) == need
    assert detect_all_pairs(*args, *buf) == need
    assert ref.detect_ref(*args, *buf) == need
    buf = conflict_buffers(need)
    assert detect(*args, *buf) == need
    np.testing.assert_array_equal(buf[1], full["intruder"])


def test_fewer_than_two_agents() -> None:
    t = _traffic(6, 5, 100.0)
    for idx in (np.arange(0), np.arange(1)):
        assert len(_run(detect, t, idx)["own"]) == 0


def _pair(p1, v1, p2, v2) -> dict:
    return {
        "x": np.array([p1[0], p2[0]], dtype=float),
        "y": np.array([p1[1], p2[1]], dtype=float),
        "z": np.array([p1[2], p2[2]], dtype=float),
        "vx": np.array([v1[0], v2[0]], dtype=float),
        "vy": np.array([v1[1], v2[1]], dtype=float),
        "vz": np.array([v1[2], v2[2]], dtype=float),
    }


def test_head_on_closed_form() -> None:
    t = _pair((0, 0, 50), (10, 0, 0), (1000, 0, 50), (-10, 0, 0))
    r = _run(detect, t, np.arange(2), rpz=50.0, hpz=15.0, look=60.0)
    assert r["own"].tolist() == [0, 1] and r["intruder"].tolist() == [1, 0]
    assert r["flags"].tolist() == [CONFLICT, CONFLICT]
    np.testing.assert_allclose(r["tcpa"], 50.0, rtol=1e-12)
    np.testing.assert_allclose(r["dcpa"], 0.0, atol=1e-9)
    np.testing.assert_allclose(r["tin"], (1000 - 50) / 20, rtol=1e-12)
    np.testing.assert_allclose(r["tout"], (1000 + 50) / 20, rtol=1e-12)
    # entry after the look-ahead: no conflict
    assert len(_run(detect, t, np.arange(2), look=47.0)["own"]) == 0
    # 20 m apart vertically (hpz 15 m): no conflict
    t["z"][1] = 70.0
    assert len(_run(detect, t, np.arange(2), look=60.0)["own"]) == 0


def test_crossing_closed_form() -> None:
    # A east-bound from (-500, 0), B north-bound from (0, -400), both 10 m/s: relative
    # position (500, -400), velocity (-10, 10): tcpa 45 s, miss (50, 50) = 70.71 m,
    # half-chord in a 100 m zone sqrt(100^2 - 5000) = 70.71 m at |w| = 14.14 m/s: +-5 s.
    t = _pair((-500, 0, 80), (10, 0, 0), (0, -400, 80), (0, 10, 0))
    r = _run(detect, t, np.arange(2), rpz=100.0, hpz=15.0, look=60.0)
    assert r["flags"].tolist() == [CONFLICT, CONFLICT]
    np.testing.assert_allclose(r["tcpa"], 45.0, rtol=1e-12)
    np.testing.assert_allclose(r["dcpa"], math.sqrt(5000.0), rtol=1e-12)
    np.testing.assert_allclose(r["tin"], 40.0, rtol=1e-9)
    np.testing.assert_allclose(r["tout"], 50.0, rtol=1e-9)
    assert len(_run(detect, t, np.arange(2), rpz=70.0, look=60.0)["own"]) == 0


def test_vertical_closed_form() -> None:
    # hovering above each other, B climbing at 2 m/s from 100 m below: the band of +-15 m
    # is entered at (100 - 15) / 2 = 42.5 s and left at 57.5 s.
    t = _pair((0, 0, 110), (0, 0, 0), (0, 0, 10), (0, 0, 2))
    r = _run(detect, t, np.arange(2), rpz=50.0, hpz=15.0, look=60.0)
    assert r["flags"].tolist() == [CONFLICT, CONFLICT]
    np.testing.assert_allclose(r["tin"], 42.5, rtol=1e-12)
    np.testing.assert_allclose(r["tout"], 57.5, rtol=1e-12)
    np.testing.assert_allclose(r["tcpa"], 0.0, atol=0)
    np.testing.assert_allclose(r["dcpa"], 0.0, atol=0)


def test_loss_of_separation_and_same_spot() -> None:
    t = _pair((0, 0, 50), (5, 0, 0), (30, 0, 60), (5, 0, 0))  # formation, 30 m apart
    r = _run(detect, t, np.arange(2), rpz=50.0, hpz=15.0, look=30.0)
    assert r["flags"].tolist() == [CONFLICT | LOS, CONFLICT | LOS]
    t = _pair((7, 7, 50), (0, 0, 0), (7, 7, 50), (0, 0, 0))  # same spot, both hovering
    r = _run(detect, t, np.arange(2))
    assert r["flags"].tolist() == [CONFLICT | LOS, CONFLICT | LOS]
    assert r["tcpa"].tolist() == [0.0, 0.0] and r["dcpa"].tolist() == [0.0, 0.0]


def test_bluesky_vertical_guard_is_one_sided() -> None:
    """BlueSky replaces |dvs| < 1e-6 by +1e-6 without the sign: only one record may fire."""
    hpz, look = 15.0, 30.0
    t = _pair((0, 0, 50), (10, 0, 0), (600, 0, 50 + hpz + 0.5e-6 * look), (-10, 0, 0))
    r = _run(detect, t, np.arange(2), hpz=hpz, look=look)
    b = _run(ref.detect_ref, t, np.arange(2), hpz=hpz, look=look)
    _assert_same(r, b, exact=False)
    assert r["own"].tolist() == [1] and r["flags"].tolist() == [CONFLICT]


def test_pair_record_matches_detect() -> None:
    t = _pair((0, 0, 50), (10, 0, 0), (1000, 0, 50), (-10, 0, 0))
    f, tcpa, dcpa, tin, tout = pair_record(1000.0, 0.0, 0.0, -20.0, 0.0, 0.0, 50.0, 15.0, 60.0)
    r = _run(detect, t, np.arange(2), look=60.0)
    assert (f, tcpa, dcpa, tin, tout) == (
        r["flags"][0],
        r["tcpa"][0],
        r["dcpa"][0],
        r["tin"][0],
        r["tout"][0],
    )


coord = st.floats(-300, 300, allow_nan=False).map(lambda v: round(v, 1))
speed = st.sampled_from([0.0, 5e-7, -5e-7, 1e-4, 3.0, -3.0, 12.5, -12.5])
agent = st.tuples(
    coord, coord, st.sampled_from([40.0, 50.0, 55.0, 65.0, 90.0]), speed, speed, speed
)


@settings(max_examples=150)
@given(st.lists(agent, min_size=2, max_size=25))
def test_detect_equals_twin_on_adversarial_fleets(agents: list) -> None:
    a = np.array(agents, dtype=float)
    t = {k: a[:, c].copy() for c, k in enumerate(("x", "y", "z", "vx", "vy", "vz"))}
    idx = np.arange(len(a))
    r = _run(detect, t, idx, rpz=50.0, hpz=15.0, look=20.0)
    _assert_same(r, _run(ref.detect_ref, t, idx, rpz=50.0, hpz=15.0, look=20.0), exact=False)
    _assert_same(r, _run(detect_all_pairs, t, idx, rpz=50.0, hpz=15.0, look=20.0), exact=True)


# --- MVP --------------------------------------------------------------------------------


def _resolve(fn, t: dict, rec: dict, rpz=50.0, hpz=15.0, look=60.0, vertical=0) -> tuple:
    n_agents = len(t["x"])
    idx = np.arange(n_agents)
    out = [np.full(n_agents, np.nan) for _ in range(3)]
    resolved = np.full(n_agents, -1, dtype=np.int64)
    lim = (
        np.zeros(n_agents),
        np.full(n_agents, 25.0),
        np.full(n_agents, -5.0),
        np.full(n_agents, 5.0),
    )
    k = fn(
        len(rec["own"]), rec["own"], rec["intruder"], rec["flags"], rec["tcpa"], rec["tin"],
        idx, t["x"], t["y"], t["z"], t["vx"], t["vy"], t["vz"], rpz, hpz, look, 1.01, 1.01,
        vertical, *lim, *out, resolved,
    )  # fmt: skip
    return out, resolved[:k]


def _min_distance(t: dict, vx, vy, horizon: float, dt: float = 0.01) -> float:
    s = np.arange(0.0, horizon, dt)
    dx = (t["x"][1] - t["x"][0]) + (vx[1] - vx[0]) * s
    dy = (t["y"][1] - t["y"][0]) + (vy[1] - vy[0]) * s
    return float(np.hypot(dx, dy).min())


@pytest.mark.parametrize("offset", [0.0, 3.0, 20.0])
def test_mvp_resolves_head_on(offset: float) -> None:
    rpz = 50.0
    t = _pair((0, 0, 50), (10, 0, 0), (1000, offset, 50), (-10, 0, 0))
    rec = _run(detect, t, np.arange(2), rpz=rpz, look=60.0)
    assert (rec["flags"] & CONFLICT).all()
    (nvx, nvy, nvz), resolved = _resolve(mvp, t, rec, rpz=rpz)
    assert resolved.tolist() == [0, 1]
    np.testing.assert_array_equal(nvz, t["vz"])
    # after applying the commands the predicted miss distance clears the zone
    t2 = dict(t, vx=nvx, vy=nvy)
    rec2 = _run(detect, t2, np.arange(2), rpz=rpz, look=60.0)
    assert not (rec2["flags"] & CONFLICT).any()
    assert _min_distance(t, nvx, nvy, 120.0) >= rpz * (1 - 1e-3)
    # and the avoidance is symmetric (cooperative)
    np.testing.assert_allclose(nvy[0], -nvy[1], rtol=1e-9)


def test_mvp_equals_its_twin() -> None:
    t = _traffic(21, 500, 2000.0)
    idx = np.arange(500)
    rec = _run(detect, t, idx, look=60.0)
    assert (rec["flags"] & CONFLICT).sum() > 50
    for vertical in (0, 1, 2):
        (a, ra) = _resolve(mvp, t, rec, vertical=vertical)
        (b, rb) = _resolve(ref.mvp_ref, t, rec, vertical=vertical)
        np.testing.assert_array_equal(ra, rb)
        for u, w in zip(a, b, strict=True):
            np.testing.assert_allclose(u, w, rtol=1e-9, atol=1e-9)
    assert np.isfinite(np.concatenate(a)).all()


def test_mvp_vertical_mode_moves_apart_vertically() -> None:
    # B climbs through A's level from below (hovering, same spot): vertical resolution only
    t = _pair((0, 0, 100), (0, 0, 0), (0, 0, 40), (0, 0, 2))
    rec = _run(detect, t, np.arange(2), look=60.0)
    (_, _, nvz), _ = _resolve(mvp, t, rec, vertical=1)
    assert nvz[1] < 2.0 and nvz[0] > 0.0
    (_, _, nvz_h), _ = _resolve(mvp, t, rec, vertical=0)
    np.testing.assert_array_equal(nvz_h, t["vz"])


@pytest.mark.parametrize("dz", [0.0, 3.5, -3.5])
def test_mvp_corridor_mode_splits_a_level_pair(dz: float) -> None:
    # head-on on one line at (nearly) one level: BlueSky's vertical MVP gives both the same
    # command; mode 2 sends them apart, the higher one (or by index) up
    t = _pair((0, 0, 100 + dz), (10, 0, 0), (400, 0, 100), (-10, 0, 0))
    rec = _run(detect, t, np.arange(2), look=60.0)
    (_, _, same), _ = _resolve(mvp, t, rec, vertical=1)
    assert np.sign(same[0]) == np.sign(same[1]) != 0
    (_, _, nvz), _ = _resolve(mvp, t, rec, vertical=2)
    assert nvz[0] * nvz[1] < 0
    if dz != 0.0:
        assert (nvz[0] > 0) == (dz > 0)
