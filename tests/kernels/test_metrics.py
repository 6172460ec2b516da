"""Safety-metric kernels: equal to their plain-numpy twins (1e-9) and to closed forms."""

from __future__ import annotations

import math

import numpy as np
import pytest
import shapely
from shapely.geometry import Point, Polygon

from sim.kernels import metrics as m
from sim.kernels import reference_metrics as ref

INF = math.inf
DT = 0.1


def _close(a: float, b: float, rel: float = 1e-9) -> bool:
    if math.isinf(a) or math.isinf(b):
        return a == b
    return abs(a - b) <= rel * max(1.0, abs(b))


# --- car following ---------------------------------------------------------------------------
def test_car_following_equals_its_twin() -> None:
    rng = np.random.default_rng(1)
    n_fleet = 3000
    speed = rng.uniform(0, 35, n_fleet)
    speed[rng.random(n_fleet) < 0.05] = 0.0
    idx = rng.choice(n_fleet, 2000, replace=False).astype(np.int64)
    leader = rng.integers(0, n_fleet, len(idx)).astype(np.int64)
    leader[rng.random(len(idx)) < 0.1] = -1
    gap = rng.uniform(-2, 150, len(idx))
    gap[rng.random(len(idx)) < 0.02] = 0.0
    out = [np.full(len(idx), np.nan) for _ in range(3)]
    m.car_following_metrics(idx, leader, gap, speed, *out)
    want = ref.car_following_metrics_ref(idx, leader, gap, speed)
    for got, exp, name in zip(out, want, ("ttc", "thw", "drac"), strict=True):
        np.testing.assert_allclose(got, exp, rtol=1e-9, atol=0, err_msg=name)
    assert np.isfinite(out[0]).sum() > 500 and np.isinf(out[0]).sum() > 500


def test_car_following_closed_forms() -> None:
    speed = np.array([20.0, 15.0, 15.0, 0.0])
    idx = np.array([0, 1, 2, 3], dtype=np.int64)
    leader = np.array([1, 0, -1, 1], dtype=np.int64)
    gap = np.array([25.0, 30.0, 10.0, 5.0])
    ttc, thw, drac = (np.empty(4) for _ in range(3))
    m.car_following_metrics(idx, leader, gap, speed, ttc, thw, drac)
    # closing at 5 m/s over 25 m; opening; no leader; standing follower
    assert ttc.tolist() == [5.0, INF, INF, INF]
    assert thw.tolist() == [1.25, 2.0, INF, INF]
    assert drac.tolist() == [25.0 / 50.0, 0.0, 0.0, 0.0]
    assert m.ttc_car_following(0.0, 10.0, 12.0) == 0.0  # touching: already in contact
    assert m.drac(0.0, 12.0, 10.0) == INF
    assert m.thw_gap(-1.0, 10.0) == 0.0


def test_fleet_indexed_variant_equals_its_twin() -> None:
    """The layout road_step writes: leader and gap per fleet index, FREE_GAP when none."""
    rng = np.random.default_rng(10)
    n_fleet = 1000
    speed = rng.uniform(0, 30, n_fleet)
    lead = rng.integers(-1, n_fleet, n_fleet).astype(np.int64)
    gap = np.where(lead >= 0, rng.uniform(0.5, 120, n_fleet), 1.0e9)
    idx = np.sort(rng.choice(n_fleet, 700, replace=False)).astype(np.int64)
    out = [np.empty(len(idx)) for _ in range(3)]
    m.car_following_metrics_fleet(idx, lead, gap, speed, *out)
    want = ref.car_following_metrics_fleet_ref(idx, lead, gap, speed)
    for got, exp in zip(out, want, strict=True):
        np.testing.assert_allclose(got, exp, rtol=1e-9, atol=0)
    same = [np.empty(len(idx)) for _ in range(3)]
    m.car_following_metrics(idx, lead[idx], gap[idx], speed, *same)
    for a, b in zip(out, same, strict=True):
        np.testing.assert_array_equal(a, b)


def test_ttc_const_accel_equals_its_twin_and_limits() -> None:
    rng = np.random.default_rng(2)
    finite = 0
    for _ in range(5000):
        gap = rng.uniform(0.5, 80)
        v_f, v_l = rng.uniform(0, 30, 2)
        a_f, a_l = rng.uniform(-4, 3, 2) * (rng.random(2) < 0.8)
        got = m.ttc_const_accel(gap, v_f, v_l, a_f, a_l, 0.1)
        want = ref.ttc_const_accel_ref(gap, v_f, v_l, a_f, a_l, 0.1)
        assert _close(got, want), (gap, v_f, v_l, a_f, a_l, got, want)
        finite += math.isfinite(got)
        if math.isfinite(got) and not (v_f > v_l and abs(a_l - a_f) <= 0.1):
            # the gap closes at the reported time
            dv, da = v_l - v_f, a_l - a_f
            assert abs(gap + dv * got + 0.5 * da * got * got) <= 1e-7 * max(1.0, gap)
    assert finite > 1000
    # constant speeds: the car-following TTC
    assert m.ttc_const_accel(25.0, 20.0, 15.0, 0.0, 0.0, 0.1) == 5.0
    # leader brakes at 2 m/s^2 from equal speeds: 10 = t^2 -> t = sqrt(10)
    assert m.ttc_const_accel(10.0, 20.0, 20.0, 0.0, -2.0, 0.1) == pytest.approx(math.sqrt(10))
    assert m.ttc_const_accel(INF, 20.0, 10.0, 0.0, -3.0, 0.1) == INF


def test_a_long_req_equals_its_twin_and_minus_drac() -> None:
    rng = np.random.default_rng(3)
    for _ in range(3000):
        gap = rng.uniform(0.5, 80)
        v_f, v_l = rng.uniform(0, 30, 2)
        a_l = rng.uniform(-4, 3) if rng.random() < 0.7 else 0.0
        got = m.a_long_req(gap, v_f, v_l, a_l)
        assert _close(got, ref.a_long_req_ref(gap, v_f, v_l, a_l))
        if a_l == 0.0 and v_f > v_l:
            assert got == pytest.approx(-m.drac(gap, v_f, v_l), rel=1e-12)
    assert m.a_long_req(INF, 20.0, 10.0, -1.0) == -1.0


def test_thw_trajectory_equals_its_twin_and_constant_speed() -> None:
    rng = np.random.default_rng(4)
    for _ in range(500):
        n = 80
        front = np.cumsum(rng.uniform(0, 3, n)) + rng.uniform(-5, 5)
        k0 = int(rng.integers(0, n - 1))
        target = front[k0] + rng.uniform(-5, 120)
        got = m.thw_trajectory(front, k0, target, DT)
        assert got == ref.thw_trajectory_ref(front, k0, target, DT)
    # constant speed 12.5 m/s, gap 20 m: gap / v = 1.6 s, first sample strictly past it 1.7 s
    front = 12.5 * DT * np.arange(100) + 0.03
    assert m.thw_trajectory(front, 0, 20.0, DT) == pytest.approx(1.6, abs=1e-12)
    assert m.thw_trajectory(front, 0, 20.03, DT) == pytest.approx(1.7, abs=1e-12)
    assert m.thw_gap(20.0, 12.5) == 1.6
    assert m.thw_trajectory(front, 5, 0.0, DT) == INF  # already past


# --- accumulators ----------------------------------------------------------------------------
def test_tet_tit_on_a_hand_computed_sequence() -> None:
    seq = [5.0, 3.0, 2.0, 1.0, 0.5, INF, 2.5, math.nan, 4.0]
    idx = np.array([0], dtype=np.int64)
    min_ttc, tet, tit = np.array([INF]), np.zeros(1), np.zeros(1)
    for v in seq:
        m.accumulate(idx, np.array([v]), DT, 3.0, min_ttc, tet, tit)
    # below or at 3 s: 3.0, 2.0, 1.0, 0.5, 2.5 -> 5 ticks; (0 + 1 + 2 + 2.5 + 0.5) * 0.1
    assert min_ttc[0] == 0.5
    assert tet[0] == pytest.approx(0.5, abs=1e-12)
    assert tit[0] == pytest.approx(0.6, abs=1e-12)
    assert m.run_totals(idx, min_ttc, tet, tit) == (0.5, tet[0], tit[0])


def test_accumulate_equals_its_twin() -> None:
    rng = np.random.default_rng(5)
    n = 500
    a = [np.full(n, INF), np.zeros(n), np.zeros(n)]
    b = [x.copy() for x in a]
    for _ in range(50):
        idx = rng.choice(n, 300, replace=False).astype(np.int64)
        ttc = np.where(rng.random(300) < 0.3, INF, rng.uniform(0, 8, 300))
        m.accumulate(idx, ttc, DT, 2.0, *a)
        ref.accumulate_ref(idx, ttc, DT, 2.0, *b)
    for x, y in zip(a, b, strict=True):
        np.testing.assert_allclose(x, y, rtol=1e-9, atol=1e-12)
    all_idx = np.arange(n, dtype=np.int64)
    mn, e, g = m.run_totals(all_idx, *a)
    assert mn == a[0].min() and e == pytest.approx(a[1].sum()) and g == pytest.approx(a[2].sum())


# --- 2-D TTC and distance --------------------------------------------------------------------
def _shape(rng: np.random.Generator, disc: bool) -> tuple:
    x, y = rng.uniform(-30, 30, 2)
    h = rng.uniform(-math.pi, math.pi)
    if disc:
        return x, y, h, 0.0, 0.0, float(rng.uniform(0.2, 3))
    return x, y, h, float(rng.uniform(0.6, 12)), float(rng.uniform(0.4, 4)), 0.0


@pytest.mark.parametrize("kinds", ["box-box", "disc-disc", "box-disc", "disc-box"])
def test_ttc_2d_equals_its_twin(kinds: str) -> None:
    rng = np.random.default_rng(["box-box", "disc-disc", "box-disc", "disc-box"].index(kinds))
    d1, d2 = (k == "disc" for k in kinds.split("-"))
    finite = zero = 0
    for _ in range(1500):
        x1, y1, h1, hl1, hw1, r1 = _shape(rng, d1)
        x2, y2, h2, hl2, hw2, r2 = _shape(rng, d2)
        # aim agent 1 at agent 2 (with noise) so that many pairs collide
        aim = math.atan2(y2 - y1, x2 - x1) + rng.normal(0, 0.25)
        sp = rng.uniform(0, 25)
        v1 = (sp * math.cos(aim), sp * math.sin(aim))
        v2 = tuple(rng.uniform(-8, 8, 2)) if rng.random() < 0.8 else (0.0, 0.0)
        s1 = (x1, y1, h1, *v1, hl1, hw1, r1)
        s2 = (x2, y2, h2, *v2, hl2, hw2, r2)
        got = m.ttc_2d(*s1, *s2)
        want = ref.ttc_2d_ref(s1, s2)
        assert _close(got, want), (s1, s2, got, want)
        assert _close(m.ttc_2d(*s2, *s1), got), "symmetric"
        finite += math.isfinite(got)
        zero += got == 0.0
    assert finite > 300 and zero > 5


def test_ttc_2d_closed_forms() -> None:
    def ttc(a: tuple, b: tuple) -> float:
        return m.ttc_2d(*a, *b)

    # (x, y, heading, vx, vy, length, width, radius)
    # head-on boxes: 30 m between centres, lengths 4 and 5, closing at 15 m/s
    a = (0.0, 0.0, 0.0, 10.0, 0.0, 4.0, 2.0, 0.0)
    b = (30.0, 0.0, math.pi, -5.0, 0.0, 5.0, 2.0, 0.0)
    assert ttc(a, b) == pytest.approx(25.5 / 15.0, rel=1e-12)
    # perpendicular crossing: A east along y = 0, B north along x = 0 (both 10 m/s)
    a = (-50.0, 0.0, 0.0, 10.0, 0.0, 4.0, 2.0, 0.0)
    b = (0.0, -52.0, math.pi / 2, 0.0, 10.0, 4.0, 2.0, 0.0)
    # overlap needs |x_A| <= 3 (t in [4.7, 5.3]) and |y_B| <= 3 (t in [4.9, 5.5])
    assert ttc(a, b) == pytest.approx(4.9, rel=1e-12)
    b_late = (0.0, -60.0, math.pi / 2, 0.0, 10.0, 4.0, 2.0, 0.0)  # needs [5.7, 6.3]: a miss
    assert ttc(a, b_late) == INF
    # parallel at the same velocity, or opening: never
    car = (0.0, 0.0, 0.0, 10.0, 0.0, 4.0, 2.0, 0.0)
    assert ttc(car, (20.0, 0.0, 0.0, 10.0, 0.0, 4.0, 2.0, 0.0)) == INF
    assert ttc(car, (0.0, 3.0, 0.0, 12.0, 0.0, 4.0, 2.0, 0.0)) == INF
    # already overlapping, or touching, is 0
    still = (0.0, 0.0, 0.0, 0.0, 0.0, 4.0, 2.0, 0.0)
    assert (
        ttc((0.0, 0.0, 0.3, 0.0, 0.0, 4.0, 2.0, 0.0), (1.0, 0.5, 1.0, 5.0, 0.0, 4.0, 2.0, 0.0)) == 0
    )
    assert ttc(still, (4.0, 0.0, 0.0, 0.0, 0.0, 4.0, 2.0, 0.0)) == 0.0
    # discs: centres 10 m apart, radii 1 + 1, closing at 4 m/s -> 2 s
    disc = (0.0, 0.0, 0.0, 4.0, 0.0, 0.0, 0.0, 1.0)
    assert ttc(disc, (10.0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0, 1.0)) == pytest.approx(2.0)
    # disc (r = 1) sliding west at y = 1.5 past the box corner (2, 1): hits the corner circle
    disc = (10.0, 1.5, 0.0, -2.0, 0.0, 0.0, 0.0, 1.0)
    assert ttc(still, disc) == pytest.approx((8.0 - math.sqrt(0.75)) / 2.0, rel=1e-12)
    # ... and at y = 0.5 it hits the flat face x = 2 + 1
    assert ttc(still, (10.0, 0.5, 0.0, -2.0, 0.0, 0.0, 0.0, 1.0)) == pytest.approx(3.5, rel=1e-12)


def _shapely(s: tuple) -> shapely.Geometry:
    x, y, h, hl, hw, r = s
    if r > 0:
        return Point(x, y)
    return Polygon(ref.corners_ref(x, y, h, hl, hw))


def test_footprint_distance_equals_its_twin_and_shapely() -> None:
    rng = np.random.default_rng(6)
    overlaps = 0
    for _ in range(3000):
        s1 = _shape(rng, rng.random() < 0.3)
        s2 = _shape(rng, rng.random() < 0.3)
        s1 = (s1[0] * 0.2, s1[1] * 0.2, *s1[2:])  # near each other: many overlaps
        s2 = (s2[0] * 0.2, s2[1] * 0.2, *s2[2:])
        got = m.footprint_distance(*s1, *s2)
        assert _close(got, ref.footprint_distance_ref(s1, s2))
        exact = max(_shapely(s1).distance(_shapely(s2)) - s1[5] - s2[5], 0.0)
        assert got == pytest.approx(exact, abs=1e-9)
        overlaps += got == 0.0
    assert overlaps > 100
    # points (zero-size boxes) are supported
    assert m.footprint_distance(0, 0, 0, 0, 0, 0, 3, 4, 1, 0, 0, 0) == pytest.approx(5.0)


def test_min_distance_and_ttc_pairs_over_a_fleet() -> None:
    rng = np.random.default_rng(7)
    n = 40
    x, y = rng.uniform(0, 60, n), rng.uniform(0, 60, n)
    heading = rng.uniform(-math.pi, math.pi, n)
    speed = rng.uniform(0, 15, n)
    length, width = rng.uniform(2, 6, n), rng.uniform(1, 2.4, n)
    radius = np.where(rng.random(n) < 0.3, rng.uniform(0.3, 1.5, n), 0.0)
    idx = np.arange(0, n, dtype=np.int64)
    pi, pj = m.all_pairs(idx)
    assert len(pi) == n * (n - 1) // 2 and (pi < pj).all()
    dist = np.empty(len(pi))
    mins = np.full(n, INF)
    arg = m.min_distance(pi, pj, x, y, heading, length, width, radius, dist, mins)
    shp = [(x[i], y[i], heading[i], length[i], width[i], radius[i]) for i in range(n)]
    want = np.array(
        [ref.footprint_distance_ref(shp[i], shp[j]) for i, j in zip(pi, pj, strict=True)]
    )
    np.testing.assert_allclose(dist, want, rtol=1e-9, atol=1e-12)
    assert dist[arg] == dist.min()
    for i in range(n):
        assert mins[i] == dist[(pi == i) | (pj == i)].min()
    out = np.empty(len(pi))
    m.ttc_2d_pairs(pi, pj, x, y, heading, speed, length, width, radius, out)
    vx, vy = speed * np.cos(heading), speed * np.sin(heading)
    full = [
        (x[i], y[i], heading[i], vx[i], vy[i], length[i], width[i], radius[i]) for i in range(n)
    ]
    for p, (i, j) in enumerate(zip(pi, pj, strict=True)):
        assert _close(out[p], ref.ttc_2d_ref(full[i], full[j]))
    assert np.isfinite(out).sum() > 30


# --- PET -------------------------------------------------------------------------------------
def _line(x0: float, y0: float, h: float, v: float, n: int) -> np.ndarray:
    t = np.arange(n) * DT
    return np.stack([x0 + v * math.cos(h) * t, y0 + v * math.sin(h) * t, np.full(n, h)], axis=1)


def test_pet_on_a_constructed_crossing() -> None:
    n = 200
    # A drives east on y = 0 at 10 m/s (half-length 2): touches the r = 5 circle around the
    # origin from x = -7 (t = 4.325 s, first sample inside 4.4 s) and leaves after x = 7
    # (t = 5.725 s, first sample outside 5.8 s). B drives north on x = 0 at 8 m/s (half-length
    # 2.5): touches from y = -7.5 (t = 9.13125 s, first sample inside 9.2 s) and leaves after
    # y = 7.5 (t = 11.00625 s, first sample outside 11.1 s).
    a = _line(-50.25, 0.0, 0.0, 10.0, n)
    b = _line(0.0, -80.55, math.pi / 2, 8.0, n)
    area = (0.0, 0.0, 0.0, 0.0, 0.0, 5.0)
    shape_a, shape_b = (4.0, 2.0, 0.0), (5.0, 2.0, 0.0)  # (length, width, radius) m
    assert m.occupancy_interval(*a.T, *shape_a, *area, 0, 0) == (44, 58)
    assert m.occupancy_interval(*b.T, *shape_b, *area, 0, 0) == (92, 111)
    pet0 = m.pet_pair(*a.T, *shape_a, *b.T, *shape_b, *area, DT, 0, 0)
    pet1 = m.pet_pair(*a.T, *shape_a, *b.T, *shape_b, *area, DT, 0, 1)
    assert pet0 == pytest.approx(3.4, abs=1e-12)  # (92 - 58) ticks
    assert pet1 == pytest.approx(3.3, abs=1e-12)  # CriMe's entry: the sample before
    assert abs(pet0 - (9.13125 - 5.725)) < DT  # the continuous PET, to a tick
    for off in (0, 1):
        assert m.pet_pair(*a.T, *shape_a, *b.T, *shape_b, *area, DT, 0, off) == pytest.approx(
            ref.pet_pair_ref(a, shape_a, b, shape_b, area, DT, 0, off), abs=1e-12
        )
    # symmetric in the two agents
    assert m.pet_pair(*b.T, *shape_b, *a.T, *shape_a, *area, DT, 0, 0) == pet0

    # the streaming form emits the same value at the entry tick
    x, y, h = (np.array([a[0, c], b[0, c]]) for c in range(3))
    length, width, r = np.array([4.0, 5.0]), np.array([2.0, 2.0]), np.zeros(2)
    areas = [np.array([v]) for v in area]
    st = _pet_state(2, 1)
    idx = np.array([0, 1], dtype=np.int64)
    samples = []
    grid = m.area_grid(areas[0], areas[1], 50.0)
    reach = np.hypot(length, width) / 2
    cand = np.empty(2, dtype=np.int64)
    for k in range(n):
        x[:], y[:], h[:] = (np.array([a[k, c], b[k, c]]) for c in range(3))
        m.area_candidates(idx, x, y, reach, areas[0], areas[1], np.array([5.0]), 50.0, *grid, cand)
        out = _pet_out(2)
        cnt = m.pet_step(k * DT, idx, cand, x, y, h, length, width, r, *areas, *st, *out)
        samples += [(int(out[0][q]), int(out[1][q]), int(out[2][q]), out[3][q]) for q in range(cnt)]
    assert len(samples) == 1
    assert samples[0][:3] == (0, 0, 1) and samples[0][3] == pytest.approx(pet0, abs=1e-9)


def test_pet_from_intervals_cases() -> None:
    assert m.pet_from_intervals(10, 20, 25, 30, DT) == pytest.approx(0.5)  # A then B
    assert m.pet_from_intervals(25, 30, 10, 20, DT) == pytest.approx(0.5)  # B then A
    assert m.pet_from_intervals(10, 20, 15, 30, DT) == INF  # both inside at once
    assert m.pet_from_intervals(10, -1, -1, -1, DT) == INF  # B never comes
    assert m.pet_from_intervals(10, 20, 20, 30, DT) == 0.0  # B enters as A leaves


def _pet_state(n_agents: int, n_areas: int) -> list[np.ndarray]:
    return [
        np.full(n_agents, -1, dtype=np.int64),
        np.zeros(n_areas, dtype=np.int64),
        np.full(n_areas, -INF),
        np.full(n_areas, -1, dtype=np.int64),
    ]


def _pet_out(n: int) -> list[np.ndarray]:
    return [
        np.full(n, -9, dtype=np.int64),
        np.full(n, -9, dtype=np.int64),
        np.full(n, -9, dtype=np.int64),
        np.full(n, np.nan),
    ]


def test_area_candidates_equal_brute_force() -> None:
    rng = np.random.default_rng(8)
    na, n = 60, 2000
    ax, ay = rng.uniform(-500, 500, na), rng.uniform(-500, 500, na)
    a_reach = rng.uniform(5, 30, na)
    x, y = rng.uniform(-550, 550, n), rng.uniform(-550, 550, n)
    reach = rng.uniform(0.5, 6, n)
    cell = 2.0 * float(a_reach.max() + reach.max())
    grid = m.area_grid(ax, ay, cell)
    idx = np.arange(n, dtype=np.int64)
    out = np.empty(n, dtype=np.int64)
    m.area_candidates(idx, x, y, reach, ax, ay, a_reach, cell, *grid, out)
    want = ref.area_candidates_ref(idx, x, y, reach, ax, ay, a_reach)
    np.testing.assert_array_equal(out, want)
    assert (out >= 0).sum() > 50


def test_pet_stream_equals_its_twin() -> None:
    rng = np.random.default_rng(9)
    n, n_ticks = 60, 400
    # conflict areas: circles and boxes on a 3 x 3 grid of junctions 60 m apart
    gx, gy = np.meshgrid([-60.0, 0.0, 60.0], [-60.0, 0.0, 60.0])
    ax, ay = gx.ravel(), gy.ravel()
    na = len(ax)
    ah = rng.uniform(0, math.pi, na)
    is_box = np.arange(na) % 2 == 0
    al = np.where(is_box, 12.0, 0.0)
    aw = np.where(is_box, 10.0, 0.0)
    ar = np.where(is_box, 0.0, 6.0)
    a_reach = np.where(is_box, np.hypot(al, aw) / 2, ar)
    # agents on straight lines along the grid lines, both directions, random phases
    horiz = rng.random(n) < 0.5
    lane = rng.choice([-60.0, 0.0, 60.0], n) + rng.uniform(-1.5, 1.5, n)
    sgn = rng.choice([-1.0, 1.0], n)
    start = rng.uniform(-200, 0, n)
    speed = rng.uniform(5, 15, n)
    length, width = rng.uniform(3, 6, n), rng.uniform(1.4, 2.2, n)
    radius = np.where(rng.random(n) < 0.2, 1.5, 0.0)
    reach = np.where(radius > 0, radius, np.hypot(length, width) / 2)
    heading = np.where(
        horiz, np.where(sgn > 0, 0.0, math.pi), np.where(sgn > 0, math.pi / 2, -math.pi / 2)
    )
    cell = 2.0 * float(a_reach.max() + reach.max())
    grid = m.area_grid(ax, ay, cell)
    st = _pet_state(n, na)
    twin = ref.PetStreamRef()
    areas_t = [(ax[a], ay[a], ah[a], al[a], aw[a], ar[a]) for a in range(na)]
    total = 0
    cand = np.empty(n, dtype=np.int64)
    for k in range(n_ticks):
        t = k * DT
        along = sgn * (start + speed * t)
        x = np.where(horiz, along, lane)
        y = np.where(horiz, lane, along)
        idx = rng.permutation(n).astype(np.int64)[: n - 3]  # a few agents skip a tick
        m.area_candidates(idx, x, y, reach, ax, ay, a_reach, cell, *grid, cand)
        c = cand[: len(idx)].copy()
        np.testing.assert_array_equal(c, ref.area_candidates_ref(idx, x, y, reach, ax, ay, a_reach))
        out = _pet_out(n)
        cnt = m.pet_step(
            t, idx, c, x, y, heading, length, width, radius, ax, ay, ah, al, aw, ar, *st, *out
        )
        agents = {i: (x[i], y[i], heading[i], length[i], width[i], radius[i]) for i in range(n)}
        want = twin.step(t, idx, c, agents, areas_t)
        got = [
            (int(out[0][q]), int(out[1][q]), int(out[2][q]), float(out[3][q])) for q in range(cnt)
        ]
        assert [g[:3] for g in got] == [w[:3] for w in want]
        np.testing.assert_allclose([g[3] for g in got], [w[3] for w in want], rtol=1e-9)
        assert all(g[3] >= 0 for g in got)
        inside = {i: a for i, a in twin.where.items()}
        assert {i: int(st[0][i]) for i in range(n) if st[0][i] >= 0} == inside
        total += cnt
    assert total > 20


def test_pet_remove_frees_the_area() -> None:
    agent_area = np.array([2, -1, 2], dtype=np.int64)
    count = np.array([0, 0, 2], dtype=np.int64)
    m.pet_remove(np.array([0, 1], dtype=np.int64), agent_area, count)
    assert agent_area.tolist() == [-1, -1, 2] and count.tolist() == [0, 0, 1]
