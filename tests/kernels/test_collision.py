"""Collision kernels equal their numpy twins; grid == brute force; swept, UAV, obstacle cases."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
import shapely

from sim.kernels import collision as col
from sim.kernels import reference_collision as ref

KIND_ICV, KIND_UAV, KIND_SHIP = 0, 1, 2
ALL_KINDS = 0b111


def _run(fn: Callable[..., int], *args) -> set[tuple[int, int]]:
    """Call a kernel with the grow-on-demand protocol and return its pairs as a set."""
    out_a = np.zeros(4, dtype=np.int64)
    out_b = np.zeros(4, dtype=np.int64)
    n = fn(*args, out_a, out_b)
    if n > len(out_a):
        out_a = np.zeros(n, dtype=np.int64)
        out_b = np.zeros(n, dtype=np.int64)
        assert fn(*args, out_a, out_b) == n
    pairs = set(zip(out_a[:n].tolist(), out_b[:n].tolist(), strict=True))
    assert len(pairs) == n, "each pair once"
    return pairs


def _scene(seed: int, n: int, area_per_agent: float, motion: float, kinds: bool = True) -> dict:
    """Random agents on a square; ``motion`` (m) scales the displacement over the tick."""
    rng = np.random.default_rng(seed)
    side = math.sqrt(n * area_per_agent)
    x = rng.uniform(-side / 2, side / 2, n) + rng.choice([0.0, 1.0e5])
    y = rng.uniform(-side / 2, side / 2, n)
    heading = rng.uniform(-math.pi, math.pi, n)
    length = rng.uniform(3.0, 14.0, n)
    width = rng.uniform(1.5, 2.8, n)
    height = rng.uniform(0.3, 2.5, n)
    z = rng.uniform(0.0, 30.0, n)
    kind = (rng.integers(0, 3, n) if kinds else np.zeros(n, dtype=int)).astype(np.int8)
    fast = rng.random(n) < 0.05  # a few fast movers
    step = rng.normal(0.0, motion, (2, n)) * np.where(fast, 8.0, 1.0)
    return {
        "idx": np.sort(rng.permutation(n)[: n - n // 10]),  # not every row is active
        "kind": kind,
        "x": x,
        "y": y,
        "z": z,
        "heading": heading,
        "length": length,
        "width": width,
        "height": height,
        "prev_x": x - step[0],
        "prev_y": y - step[1],
        "prev_z": z - rng.normal(0.0, motion, n),
        "prev_heading": heading - rng.normal(0.0, 0.15, n) * (motion > 0),
    }


def _collide_args(s: dict, cell: float = 0.0, tol: float = 0.01, ws: tuple | None = None) -> tuple:
    """Arguments of ``collide`` before the outputs; no workspace unless ``ws`` is given."""
    keys = ("idx", "kind", "x", "y", "z", "heading", "length", "width", "height")
    prev = ("prev_x", "prev_y", "prev_z", "prev_heading")
    ws = ws if ws is not None else (np.zeros(0, dtype=np.int64), np.zeros(0))
    return (*(s[k] for k in keys), *(s[k] for k in prev), cell, tol, *ws)


# --- broadphase ---------------------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_grid_finds_exactly_the_brute_force_pairs(seed: int) -> None:
    rng = np.random.default_rng(seed)
    s = _scene(seed, 3000, float(rng.choice([15.0, 60.0, 400.0])), 0.0)
    radius = ref.bounding_radius_ref(s["length"], s["width"])
    radius[rng.random(len(radius)) < 0.01] *= 20.0  # a few large items
    group = s["kind"].astype(np.int64)
    want = _run(ref.grid_pairs_ref, s["idx"], s["x"], s["y"], radius, group, 0.0)
    assert len(want) > 100
    for cell in (0.0, 0.7, 6.0, 250.0):
        got = _run(col.grid_pairs, s["idx"], s["x"], s["y"], radius, group, cell)
        assert got == want, f"cell {cell}"
    half = 0.5 * s["height"]
    want3 = _run(ref.grid_pairs_3d_ref, s["idx"], s["x"], s["y"], s["z"], radius, half, group, 0.0)
    got3 = _run(col.grid_pairs_3d, s["idx"], s["x"], s["y"], s["z"], radius, half, group, 0.0)
    assert got3 == want3 and 0 < len(want3) < len(want)


def test_grid_touching_circles_and_duplicates() -> None:
    # circles exactly touching along x and y, stacked duplicates, negative and huge coordinates
    x = np.array([0.0, 2.0, 2.0, 2.0, -1.0e6, -1.0e6 + 3.0, 5.0e5, 5.0e5])
    y = np.array([0.0, 0.0, 0.0, 2.0, 7.0, 7.0, -3.0, -3.0])
    r = np.ones(8)
    g = np.zeros(8, dtype=np.int64)
    idx = np.arange(8)
    want = _run(ref.grid_pairs_ref, idx, x, y, r, g, 0.0)
    assert {(0, 1), (0, 2), (1, 2), (1, 3), (2, 3), (6, 7)} <= want
    assert (4, 5) not in want
    for cell in (0.0, 0.3, 1.0, 1.9999999, 2.0, 1.0e4):
        assert _run(col.grid_pairs, idx, x, y, r, g, cell) == want
    assert _run(col.grid_pairs, idx[:1], x, y, r, g, 0.0) == set()


# --- narrowphase ----------------------------------------------------------------------------
def test_obb_equals_twin_on_random_pairs() -> None:
    rng = np.random.default_rng(11)
    n = 200_000
    x = rng.uniform(-12, 12, 2 * n)
    y = rng.uniform(-12, 12, 2 * n)
    h = rng.uniform(-4, 4, 2 * n)
    length = rng.uniform(0.5, 15, 2 * n)
    width = rng.uniform(0.2, 3, 2 * n)
    i, j = np.arange(n), np.arange(n, 2 * n)
    out_k = np.zeros(n, dtype=bool)
    out_r = np.zeros(n, dtype=bool)
    nk = col.obb_pairs(i, j, x, y, h, length, width, out_k)
    nr = ref.obb_pairs_ref(i, j, x, y, h, length, width, out_r)
    assert nk == nr and 0.1 * n < nk < 0.9 * n
    np.testing.assert_array_equal(out_k, out_r)


def _special_pairs(seed: int, n: int) -> tuple[np.ndarray, ...]:
    """Touching (heading 0), nested, rotated-by-90-degree and identical boxes, exact in binary."""
    rng = np.random.default_rng(seed)
    q = 0.25
    la, wa = rng.integers(4, 60, n) * q, rng.integers(2, 12, n) * q
    lb, wb = rng.integers(4, 60, n) * q, rng.integers(2, 12, n) * q
    xa, ya = rng.integers(-800, 800, n) * q, rng.integers(-800, 800, n) * q
    ha, hb = np.zeros(n), np.zeros(n)
    mode = rng.integers(0, 6, n)
    sx, sy = rng.choice([-1.0, 1.0], n), rng.choice([-1.0, 1.0], n)
    ex, ey = 0.5 * (la + lb), 0.5 * (wa + wb)
    dx = np.zeros(n)
    dy = np.zeros(n)
    truth = np.ones(n, dtype=bool)
    # 0: edge touching along x, 1: corner touching, 2: a quarter metre apart
    m = mode == 0
    dx[m], dy[m] = sx[m] * ex[m], rng.integers(-3, 4, m.sum()) * q
    truth[m] = np.abs(dy[m]) <= ey[m]
    m = mode == 1
    dx[m], dy[m] = sx[m] * ex[m], sy[m] * ey[m]
    m = mode == 2
    dx[m], dy[m] = sx[m] * (ex[m] + q), 0.0
    truth[m] = False
    # 3: nested (b inside a, any common heading)
    m = mode == 3
    lb[m], wb[m] = 0.5 * la[m], 0.5 * wa[m]
    ha[m] = hb[m] = rng.uniform(-math.pi, math.pi, m.sum())
    dx[m] = 0.2 * la[m] * np.cos(ha[m])
    dy[m] = 0.2 * la[m] * np.sin(ha[m])
    # 4: rotated by 90 degrees: a cross (overlap) or a T a quarter metre short of touching
    m = mode == 4
    hb[m] = rng.choice([0.5 * math.pi, -0.5 * math.pi], m.sum())
    cross = rng.random(n) < 0.5
    dx[m & cross] = 0.0
    far = m & ~cross
    dx[far] = sx[far] * (0.5 * la[far] + 0.5 * wb[far] + q)
    truth[far] = False
    # 5: identical boxes
    m = mode == 5
    lb[m], wb[m], dx[m], dy[m] = la[m], wa[m], 0.0, 0.0
    ha[m] = hb[m] = rng.uniform(-math.pi, math.pi, m.sum())
    return xa, ya, ha, la, wa, xa + dx, ya + dy, hb, lb, wb, truth, mode


@pytest.mark.parametrize("seed", range(4))
def test_obb_touching_nested_rotated_identical(seed: int) -> None:
    *boxes, truth, mode = _special_pairs(seed, 5000)
    got = np.array([col.obb_overlap(*(b[k] for b in boxes)) for k in range(len(truth))])
    twin = ref.obb_overlap_ref(*boxes)
    for m in range(6):
        sel = mode == m
        np.testing.assert_array_equal(got[sel], truth[sel], err_msg=f"kernel, case {m}")
        np.testing.assert_array_equal(twin[sel], truth[sel], err_msg=f"twin, case {m}")
    assert truth.sum() > 0 and (~truth).sum() > 0


def test_touching_is_a_collision() -> None:
    # edge to edge, corner to corner, and a hair apart
    assert col.obb_overlap(0.0, 0.0, 0.0, 4.0, 2.0, 4.0, 0.0, 0.0, 4.0, 2.0)
    assert col.obb_overlap(0.0, 0.0, 0.0, 4.0, 2.0, 4.0, 2.0, 0.0, 4.0, 2.0)
    assert not col.obb_overlap(0.0, 0.0, 0.0, 4.0, 2.0, 4.0 + 1e-12, 0.0, 0.0, 4.0, 2.0)


# --- all against all, swept -----------------------------------------------------------------
@pytest.mark.parametrize("seed", range(8))
def test_collide_equals_twin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    s = _scene(seed, 2500, float(rng.choice([40.0, 150.0])), float(rng.choice([0.3, 1.5])))
    want = _run(ref.collide_ref, *_collide_args(s))
    got = _run(col.collide, *_collide_args(s))
    assert got == want
    ws = col.collision_workspace(len(s["x"]))
    assert _run(col.collide, *_collide_args(s, ws=ws)) == got  # with a workspace, twice
    assert _run(col.collide, *_collide_args(s, ws=ws)) == got
    short = (np.zeros(len(s["x"]), dtype=np.int64), np.zeros(3 * len(s["x"])))
    assert _run(col.collide, *_collide_args(s, ws=short)) == got  # partly allocated
    kinds = {int(s["kind"][i]) for pair in got for i in pair}
    assert len(got) > 50 and kinds == {0, 1, 2}
    assert all(s["kind"][i] == s["kind"][j] and i < j for i, j in got)
    # a given cell size gives the same answer
    assert _run(col.collide, *_collide_args(s, cell=3.0)) == got
    # standing still: the static answer, also equal to the twin
    still = dict(s, prev_x=s["x"], prev_y=s["y"], prev_z=s["z"], prev_heading=s["heading"])
    got_still = _run(col.collide, *_collide_args(still))
    assert got_still == _run(ref.collide_ref, *_collide_args(still))
    assert got_still < got


def test_sparse_scene_uses_hashed_cells() -> None:
    # three dense clusters tens of kilometres apart: a row-major grid would need ~10^8 cells
    parts = [_scene(seed, 800, 40.0, 0.5) for seed in (21, 22, 23)]
    offsets = [(0.0, 0.0), (4.0e4, -3.0e4), (-2.5e4, 6.0e4)]
    s = {}
    for key in parts[0]:
        if key == "idx":
            continue
        cols = []
        for part, (dx, dy) in zip(parts, offsets, strict=True):
            v = part[key]
            v = v + dx if key in ("x", "prev_x") else (v + dy if key in ("y", "prev_y") else v)
            cols.append(v)
        s[key] = np.concatenate(cols)
    s["idx"] = np.arange(len(s["x"]))
    got = _run(col.collide, *_collide_args(s))
    assert len(got) > 100
    assert got == _run(ref.collide_ref, *_collide_args(s))
    obs = _obstacles(
        [[(dx - 30, dy - 30), (dx + 30, dy - 30), (dx, dy + 30)] for dx, dy in offsets]
    )
    assert len(_hits(s, obs)) > 10


def test_agents_at_non_finite_places_are_ignored() -> None:
    s = _scene(4, 500, 40.0, 0.5, kinds=False)
    s["idx"] = np.arange(500)
    want = _run(col.collide, *_collide_args(s))
    bad = [3, 7, 11]
    s["x"][3], s["y"][7], s["prev_x"][11] = np.nan, np.inf, -np.inf
    got = _run(col.collide, *_collide_args(s))
    assert got == {p for p in want if not set(p) & set(bad)}
    assert not set(bad) & {a for a, _ in _hits(s, _obstacles([U_SHAPE]))}
    radius = np.ones(500)
    g = np.zeros(500, dtype=np.int64)
    pairs = _run(col.grid_pairs, s["idx"], s["x"], s["y"], radius, g, 0.0)
    assert {3, 7} & {v for p in pairs for v in p} == set()  # (11 is fine: its x, y are)


def test_grow_on_demand_protocol() -> None:
    s = _scene(3, 2000, 30.0, 0.0, kinds=False)
    args = _collide_args(s)
    small_i, small_j = np.full(5, -1), np.full(5, -1)
    n = col.collide(*args, small_i, small_j)
    assert n > 5 and (small_i >= 0).all()
    big_i, big_j = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.int64)
    assert col.collide(*args, big_i, big_j) == n
    assert set(zip(small_i, small_j, strict=True)) <= set(zip(big_i, big_j, strict=True))
    assert col.collide(s["idx"][:1], *args[1:], big_i, big_j) == 0
    assert col.collide(s["idx"][:0], *args[1:], big_i, big_j) == 0


def _two_boxes(
    a: tuple[float, float, float], b0: tuple[float, float, float], b1: tuple[float, float, float]
) -> dict:
    """Box 0 (4.5 x 1.8 m) standing at ``a``; box 1 (4 x 0.2 m) from pose ``b0`` to ``b1``."""
    return {
        "idx": np.array([0, 1]),
        "kind": np.zeros(2, dtype=np.int8),
        "x": np.array([a[0], b1[0]]),
        "y": np.array([a[1], b1[1]]),
        "z": np.zeros(2),
        "heading": np.array([a[2], b1[2]]),
        "length": np.array([4.5, 4.0]),
        "width": np.array([1.8, 0.2]),
        "height": np.ones(2),
        "prev_x": np.array([a[0], b0[0]]),
        "prev_y": np.array([a[1], b0[1]]),
        "prev_z": np.zeros(2),
        "prev_heading": np.array([a[2], b0[2]]),
    }


def test_swept_check_catches_a_thin_fast_box_tunnelling() -> None:
    # a 0.2 m wide box crosses a car sideways at 60 m per tick: before and after it is clear
    s = _two_boxes((0.0, 0.0, 0.0), (0.0, -30.0, 0.5 * math.pi), (0.0, 30.0, 0.5 * math.pi))
    still = dict(s, prev_x=s["x"], prev_y=s["y"], prev_heading=s["heading"])
    assert _run(col.collide, *_collide_args(still)) == set()  # the static test misses it
    assert _run(col.collide, *_collide_args(s)) == {(0, 1)}
    assert _run(ref.collide_ref, *_collide_args(s)) == {(0, 1)}
    # the same motion 1.1 m to the side of the car's nose passes clear
    s = _two_boxes((0.0, 0.0, 0.0), (3.46, -30.0, 0.5 * math.pi), (3.46, 30.0, 0.5 * math.pi))
    assert _run(col.collide, *_collide_args(s)) == set()
    # a 7 m box spinning in place from +1.2 to -1.2 rad sweeps its nose through a thin box
    s = _two_boxes((0.0, 0.0, -1.2), (3.55, 0.0, 0.5 * math.pi), (3.55, 0.0, 0.5 * math.pi))
    s["length"][0] = 7.0
    s["prev_heading"][0] = 1.2
    assert _run(col.collide, *_collide_args(dict(s, prev_heading=s["heading"]))) == set()
    assert _run(col.collide, *_collide_args(s)) == {(0, 1)}
    assert _run(ref.collide_ref, *_collide_args(s)) == {(0, 1)}


def test_swept_guarantee_on_random_fast_movers() -> None:
    """Any pair where one centre is inside the other box (margin >= tol/2) at some instant."""
    n, tol = 400, 0.05
    s = _scene(1, n, 120.0, 6.0, kinds=False)
    s["idx"] = np.arange(n)
    got = _run(col.collide, *_collide_args(s, tol=tol))
    assert got == _run(ref.collide_ref, *_collide_args(s, tol=tol))
    dth = ref.wrap_angle_ref(s["heading"] - s["prev_heading"])
    must = set()
    for t in np.linspace(0.0, 1.0, 801):
        x = s["prev_x"] + t * (s["x"] - s["prev_x"])
        y = s["prev_y"] + t * (s["y"] - s["prev_y"])
        h = s["prev_heading"] + t * dth
        dx, dy = x[None, :] - x[:, None], y[None, :] - y[:, None]  # [i, j]: centre j in frame i
        u = dx * np.cos(h)[:, None] + dy * np.sin(h)[:, None]
        v = -dx * np.sin(h)[:, None] + dy * np.cos(h)[:, None]
        margin = np.minimum(
            0.5 * s["length"][:, None] - np.abs(u), 0.5 * s["width"][:, None] - np.abs(v)
        )
        ii, jj = np.nonzero((margin >= tol / 2) & ~np.eye(n, dtype=bool))
        must |= {(min(a, b), max(a, b)) for a, b in zip(ii.tolist(), jj.tolist(), strict=True)}
    assert len(must) > 10
    assert must <= got


# --- UAVs -----------------------------------------------------------------------------------
def _uavs(rows: list[tuple[float, ...]], prev: list[tuple[float, ...]] | None = None) -> dict:
    """UAVs as (x, y, z, span, height); ``prev`` the (x, y, z) at the start of the tick."""
    a = np.array(rows, dtype=float)
    p = np.array(prev, dtype=float) if prev is not None else a[:, :3]
    n = len(a)
    return {
        "idx": np.arange(n),
        "kind": np.full(n, KIND_UAV, dtype=np.int8),
        "x": a[:, 0],
        "y": a[:, 1],
        "z": a[:, 2],
        "heading": np.zeros(n),
        "length": a[:, 3] * 0.8,
        "width": a[:, 3],
        "height": a[:, 4],
        "prev_x": p[:, 0],
        "prev_y": p[:, 1],
        "prev_z": p[:, 2],
        "prev_heading": np.zeros(n),
    }


def test_uav_cylinder_cases() -> None:
    cases = [
        ([(0, 0, 50, 1.0, 0.4), (0.99, 0, 50, 1.0, 0.4)], True),  # 0.99 m < 0.5 + 0.5
        ([(0, 0, 50, 1.0, 0.4), (1.0, 0, 50, 1.0, 0.4)], False),  # exactly r_i + r_j: clear
        ([(0, 0, 50, 1.0, 0.5), (0.3, 0.3, 50.49, 1.0, 0.5)], True),  # 0.49 m < 0.25 + 0.25
        ([(0, 0, 50, 1.0, 0.5), (0.3, 0.3, 50.5, 1.0, 0.5)], False),  # stacked, just touching
        ([(0, 0, 50, 2.0, 0.4), (0, 0, 52, 0.5, 4.0)], True),  # tall and flat: overlap in z
        ([(0, 0, 50, 1.0, 0.4), (0, 0, 50, 1.0, 0.4)], True),  # identical
    ]
    for rows, want in cases:
        s = _uavs(rows)
        want_set = {(0, 1)} if want else set()
        assert _run(col.collide, *_collide_args(s)) == want_set, rows
        assert _run(ref.collide_ref, *_collide_args(s)) == want_set, rows


def test_uav_swept_climb_through_and_crossing() -> None:
    # one climbs 30 m in a tick straight through a hovering one
    s = _uavs([(0, 0, 60, 1.0, 0.4), (0.2, 0, 80, 1.0, 0.4)], [(0, 0, 60), (0.2, 0, 50)])
    assert _run(col.collide, *_collide_args(dict(s, prev_z=s["z"]))) == set()
    assert _run(col.collide, *_collide_args(s)) == {(0, 1)}
    # two fast crossers whose paths meet mid-tick (same altitude) ...
    s = _uavs([(20, 0, 60, 1.0, 0.4), (0, 20, 60, 1.0, 0.4)], [(-20, 0, 60), (0, -20, 60)])
    assert _run(col.collide, *_collide_args(s)) == {(0, 1)}
    assert _run(ref.collide_ref, *_collide_args(s)) == {(0, 1)}
    # ... but not when one passes 1 m above the other
    s = _uavs([(20, 0, 60, 1.0, 0.4), (0, 20, 61, 1.0, 0.4)], [(-20, 0, 60), (0, -20, 61)])
    assert _run(col.collide, *_collide_args(s)) == set()


def test_kinds_do_not_mix() -> None:
    # a UAV hovering right over a car and a ship moored on the same spot: nobody collides
    s = _uavs([(0, 0, 0.5, 1.0, 0.4), (0, 0, 0.5, 4.5, 1.5), (0, 0, 0.5, 30.0, 5.0)])
    s["kind"] = np.array([KIND_UAV, KIND_ICV, KIND_SHIP], dtype=np.int8)
    assert _run(col.collide, *_collide_args(s)) == set()
    s["kind"][2] = KIND_ICV
    assert _run(col.collide, *_collide_args(s)) == {(1, 2)}


# --- static obstacles -----------------------------------------------------------------------
def _obstacles(polys: list[list[tuple[float, float]]], height=None, mask=None) -> tuple:
    off = np.cumsum([0] + [len(p) for p in polys]).astype(np.int64)
    vx = np.array([v[0] for p in polys for v in p], dtype=float)
    vy = np.array([v[1] for p in polys for v in p], dtype=float)
    n = len(polys)
    base = np.zeros(n)
    h = np.asarray(height if height is not None else [10.0] * n, dtype=float)
    m = np.asarray(mask if mask is not None else [ALL_KINDS] * n, dtype=np.int64)
    return off, vx, vy, base, h, m


U_SHAPE = [(0, 0), (30, 0), (30, 30), (20, 30), (20, 10), (10, 10), (10, 30), (0, 30)]


def _hits(s: dict, obs: tuple, tol: float = 0.01) -> set[tuple[int, int]]:
    args = (*_collide_args(s)[:13], *obs, 0.0, tol)  # no workspaces here
    got = _run(col.obstacle_hits, *args)
    assert got == _run(ref.obstacle_hits_ref, *args)
    return got


def _cars(poses: list[tuple[float, float, float]], kind: int = KIND_ICV) -> dict:
    a = np.array(poses, dtype=float)
    n = len(a)
    return {
        "idx": np.arange(n),
        "kind": np.full(n, kind, dtype=np.int8),
        "x": a[:, 0],
        "y": a[:, 1],
        "z": np.zeros(n),
        "heading": a[:, 2],
        "length": np.full(n, 4.0),
        "width": np.full(n, 2.0),
        "height": np.full(n, 1.5),
        "prev_x": a[:, 0].copy(),
        "prev_y": a[:, 1].copy(),
        "prev_z": np.zeros(n),
        "prev_heading": a[:, 2].copy(),
    }


def test_obstacle_cases_with_a_non_convex_polygon() -> None:
    obs = _obstacles([U_SHAPE, [(100, 100), (140, 100), (140, 140), (100, 140)]])
    s = _cars(
        [
            (15.0, 20.0, 0.0),  # 0: inside the notch of the U (inside its convex hull): clear
            (15.0, 5.0, 0.0),  # 1: overlaps the bottom bar
            (12.0, 20.0, 0.0),  # 2: left edge exactly on the notch wall x = 10: touching hits
            (5.0, 20.0, 0.5),  # 3: entirely inside the left arm, no edge contact
            (120.0, 120.0, 1.0),  # 4: entirely inside the square
            (50.0, 50.0, 0.0),  # 5: in the open
            (15.0, 11.0, 0.0),  # 6: touching the notch floor y = 10 with its lower edge
            (142.0, 120.0, 0.0),  # 7: touching the square's right edge from outside
        ]
    )
    assert _hits(s, obs) == {(1, 0), (2, 0), (3, 0), (4, 1), (6, 0), (7, 1)}


def test_obstacle_inside_a_box_and_masks() -> None:
    # a small bollard entirely inside a big ship's footprint
    obs = _obstacles([[(0, 0), (1, 0), (1, 1), (0, 1)]], mask=[1 << KIND_SHIP])
    ship = _cars([(0.5, 0.5, 0.3)], kind=KIND_SHIP)
    ship["length"][:] = 40.0
    ship["width"][:] = 8.0
    assert _hits(ship, obs) == {(0, 0)}
    car = _cars([(0.5, 0.5, 0.3)])
    assert _hits(car, obs) == set()  # the obstacle only stops ships


def test_uav_against_building_heights() -> None:
    obs = _obstacles([U_SHAPE], height=[25.0])
    s = _uavs(
        [
            (5, 20, 24.0, 1.0, 0.4),  # bottom 23.8 m below the 25 m roof: hit
            (5, 20, 25.3, 1.0, 0.4),  # bottom 25.1 m above it: clear
            (15, 20, 10.0, 1.0, 0.4),  # over the notch: clear at any height
            (10.4, 20, 10.0, 1.0, 0.4),  # 0.4 m from the notch wall, radius 0.5: hit
            (10.5, 20, 10.0, 1.0, 0.4),  # exactly 0.5 m: clear (strict, like UAV pairs)
        ]
    )
    assert _hits(s, obs) == {(0, 0), (3, 0)}


def test_swept_through_a_thin_wall() -> None:
    wall = _obstacles([[(0, -50), (0.05, -50), (0.05, 50), (0, 50)]], height=[30.0])
    car = _cars([(20.0, 0.0, 0.0)])
    car["prev_x"][:] = -20.0
    assert _hits(dict(car, prev_x=car["x"]), wall) == set()
    assert _hits(car, wall) == {(0, 0)}
    uav = _uavs([(20, 0, 20, 1.0, 0.4), (20, 5, 40, 1.0, 0.4)], [(-20, 0, 20), (-20, 5, 40)])
    assert _hits(uav, wall) == {(0, 0)}  # the second one flies over the wall


@pytest.mark.parametrize("seed", range(4))
def test_obstacles_equal_twin_and_shapely(seed: int) -> None:
    rng = np.random.default_rng(seed)
    polys = []
    for _ in range(40):
        cx, cy = rng.uniform(-300, 300, 2)
        k = int(rng.integers(3, 12))
        ang = np.sort(rng.uniform(0, 2 * math.pi, k))
        rad = rng.uniform(3, 40, k) * (1 + (rng.random(k) < 0.3))  # star-like, non-convex
        polys.append(list(zip(cx + rad * np.cos(ang), cy + rad * np.sin(ang), strict=True)))
    polys.append([(-400, -400), (-390, -400), (-390, 400), (-400, 400)])  # long, thin
    obs = _obstacles(polys, height=rng.uniform(5, 60, len(polys)), mask=rng.integers(1, 8, 41))
    s = _scene(seed, 3000, 120.0, 1.0)
    shift = np.round(s["x"].mean(), -5)  # recentre on the obstacles
    s["x"], s["prev_x"] = s["x"] - shift, s["prev_x"] - shift
    still = dict(s, prev_x=s["x"], prev_y=s["y"], prev_z=s["z"], prev_heading=s["heading"])
    got_still = _hits(still, obs)
    got = _hits(s, obs)
    assert got_still < got and len(got_still) > 30
    # static hits against shapely (closed footprints; discs strict)
    shapes = [shapely.Polygon(p) for p in polys]
    want = set()
    for i in still["idx"]:
        if still["kind"][i] == KIND_UAV:
            r = 0.5 * max(still["length"][i], still["width"][i])
            pt = shapely.Point(still["x"][i], still["y"][i])
        else:
            c, sn = math.cos(still["heading"][i]), math.sin(still["heading"][i])
            hl, hw = 0.5 * still["length"][i], 0.5 * still["width"][i]
            corners = [(a * hl * c - b * hw * sn, a * hl * sn + b * hw * c) for a, b in U_CORNERS]
            foot = shapely.Polygon([(still["x"][i] + u, still["y"][i] + v) for u, v in corners])
        for o, poly in enumerate(shapes):
            if not (obs[5][o] >> int(still["kind"][i])) & 1:
                continue
            if still["kind"][i] == KIND_UAV:
                top = obs[3][o] + obs[4][o]
                zc, h = still["z"][i], still["height"][i]
                if poly.distance(pt) < r and zc - h / 2 < top and zc + h / 2 > obs[3][o]:
                    want.add((int(i), o))
            elif foot.intersects(poly):
                want.add((int(i), o))
    assert got_still == want


U_CORNERS = [(1, 1), (-1, 1), (-1, -1), (1, -1)]
