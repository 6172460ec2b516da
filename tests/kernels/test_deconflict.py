"""Strategic deconfliction: kernel == plain-numpy twin, twin == shapely, and the boundary cases."""

from __future__ import annotations

import math
from functools import reduce

import numpy as np
import pytest
import shapely
from shapely.geometry import LineString, Point, Polygon

from sim.geo.fences import compile_fences
from sim.geo.intents import IntentVolumes, suggest_cells, zone_windows
from sim.geo.localmap import LocalFrame
from sim.kernels import deconflict as K  # noqa: N812
from sim.kernels import reference_deconflict as R  # noqa: N812
from sim.model.bundle import load_scenario
from tests.conftest import ROOT

ZONE_KEYS = (
    "vol_zone", "vol_circle", "cx", "cy", "radius", "ring_start", "ring_end", "ring_off",
    "vx", "vy", "floor", "ceiling", "bbox", "win_off", "win_t0", "win_t1",
)  # fmt: skip


# --- random inputs ---------------------------------------------------------------------------
def _volumes(seed: int, n: int, side: float = 3000.0, day: float = 3600.0) -> IntentVolumes:
    """Mixed volumes: long and short legs, 20 % zero-length (hover / take-off), radii 0-80 m,
    bands on a few shared levels (equal and touching bands), windows on a 10 s raster
    (touching and empty windows), several volumes per plan, some exact duplicates."""
    rng = np.random.default_rng(seed)
    x0 = rng.uniform(0, side, n)
    y0 = rng.uniform(0, side, n)
    length = np.where(rng.random(n) < 0.2, 0.0, rng.choice([50.0, 300.0, 1500.0], n))
    length *= rng.uniform(0.5, 1.5, n)
    h = rng.uniform(-math.pi, math.pi, n)
    x1 = x0 + length * np.cos(h)
    y1 = y0 + length * np.sin(h)
    r = np.where(rng.random(n) < 0.05, 0.0, rng.uniform(5.0, 80.0, n))
    zlo = rng.choice([0.0, 30.0, 60.0, 90.0], n) + np.where(rng.random(n) < 0.5, 0.0, 5.0)
    zhi = zlo + rng.choice([0.0, 20.0, 30.0, 60.0], n)
    t0 = np.round(rng.uniform(0, day, n), -1)
    t1 = t0 + np.round(rng.uniform(-30.0, 900.0, n), -1)
    plan = rng.integers(0, max(1, n // 4), n).astype(np.int32)
    k = n // 20
    src, dst = rng.integers(0, n, k), rng.integers(0, n, k)
    for a in (x0, y0, x1, y1, r, zlo, zhi, t0, t1):
        a[dst] = a[src]
    return IntentVolumes(x0, y0, x1, y1, r, zlo, zhi, t0, t1, plan)


def _star(rng: np.random.Generator, cx: float, cy: float, rad: float) -> np.ndarray:
    k = int(rng.integers(3, 13))
    # jittered even angles: every gap < pi, so the ring is simple and holds the centre
    ang = (np.arange(k) + rng.uniform(0, 0.4, k)) * (2 * math.pi / k) + rng.uniform(0, 2 * math.pi)
    rho = rad * rng.uniform(0.6, 1.0, k)
    ring = np.column_stack([cx + rho * np.cos(ang), cy + rho * np.sin(ang)])
    return np.vstack([ring, ring[:1]]) if rng.random() < 0.5 else ring  # closed or not


def _zones(seed: int, n: int, side: float = 3000.0, day: float = 3600.0) -> dict:
    """Zones with circles (30 %), polygons with holes (30 %), multipolygons (20 %), zones of
    two volumes, zones never active, and 1-3 windows on a 10 s raster."""
    rng = np.random.default_rng(seed)
    cols: dict[str, list] = {k: [] for k in ZONE_KEYS if k not in ("ring_off", "vx", "vy")}
    vx: list[float] = []
    vy: list[float] = []
    ring_off = [0]
    win_off = [0]
    w0: list[float] = []
    w1: list[float] = []
    shapes = []  # per volume: ("circle", cx, cy, radius) or ("rings", [arrays])
    for z in range(n):
        cx, cy = rng.uniform(0, side, 2)
        rad = float(rng.uniform(30, 600))
        circle = rng.random() < 0.3
        rings = []
        if not circle:
            rings.append(_star(rng, cx, cy, rad))
            if rng.random() < 0.3:
                rings.append(np.column_stack([cx, cy]) + 0.45 * (rings[0] - [cx, cy]))
            if rng.random() < 0.2:
                a = rng.uniform(0, 2 * math.pi)
                rings.append(
                    _star(rng, cx + 2.5 * rad * math.cos(a), cy + 2.5 * rad * math.sin(a), rad)
                )
        floor = float(rng.choice([0.0, 30.0, 60.0]))
        ceil = float(rng.choice([30.0, 60.0, 120.0, 1e9]))
        bands = [(floor, max(ceil, floor))]
        if rng.random() < 0.15:
            bands.append((bands[0][1], bands[0][1] + 50.0))
        for lo, hi in bands:
            cols["vol_zone"].append(z)
            cols["vol_circle"].append(circle)
            cols["cx"].append(cx if circle else 0.0)
            cols["cy"].append(cy if circle else 0.0)
            cols["radius"].append(rad if circle else 0.0)
            cols["ring_start"].append(len(ring_off) - 1)
            for ring in rings:
                vx.extend(ring[:, 0])
                vy.extend(ring[:, 1])
                ring_off.append(len(vx))
            cols["ring_end"].append(len(ring_off) - 1)
            cols["floor"].append(lo)
            cols["ceiling"].append(hi)
            if circle:
                cols["bbox"].append((cx - rad, cy - rad, cx + rad, cy + rad))
                shapes.append(("circle", cx, cy, rad))
            else:
                allv = np.vstack(rings)
                cols["bbox"].append((*allv.min(axis=0), *allv.max(axis=0)))
                shapes.append(("rings", rings))
        u = rng.random()
        if u < 0.1:
            wins = []  # never active
        elif u < 0.4:
            wins = [(0.0, day)]
        else:
            edges = np.sort(np.round(rng.uniform(0, day, 2 * int(rng.integers(1, 4))), -1))
            wins = [(a, b) for a, b in zip(edges[::2], edges[1::2], strict=True) if b > a]
        for a, b in wins:
            w0.append(float(a))
            w1.append(float(b))
        win_off.append(len(w0))
    out = {
        "vol_zone": np.array(cols["vol_zone"], dtype=np.int32),
        "vol_circle": np.array(cols["vol_circle"], dtype=np.bool_),
        "cx": np.array(cols["cx"]),
        "cy": np.array(cols["cy"]),
        "radius": np.array(cols["radius"]),
        "ring_start": np.array(cols["ring_start"], dtype=np.int32),
        "ring_end": np.array(cols["ring_end"], dtype=np.int32),
        "ring_off": np.array(ring_off, dtype=np.int32),
        "vx": np.array(vx),
        "vy": np.array(vy),
        "floor": np.array(cols["floor"]),
        "ceiling": np.array(cols["ceiling"]),
        "bbox": np.array(cols["bbox"]).reshape(-1, 4),
        "win_off": np.array(win_off, dtype=np.int32),
        "win_t0": np.array(w0),
        "win_t1": np.array(w1),
        "shapes": shapes,
    }
    return out


def _zargs(z: dict) -> tuple:
    return tuple(z[k] for k in ZONE_KEYS)


def _pairs(fn, iv: IntentVolumes, cell: float, tcell: float) -> tuple:
    return fn(*iv.kernel_args(), iv.plan, cell, tcell)


def _hits(fn, iv: IntentVolumes, z: dict, cell: float) -> tuple:
    return fn(*iv.kernel_args(), *_zargs(z), cell)


def _assert_same(got: tuple, want: tuple) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.dtype == w.dtype
        np.testing.assert_array_equal(g, w)


# --- kernel == twin --------------------------------------------------------------------------
@pytest.mark.parametrize(("seed", "n"), [(0, 200), (1, 600), (2, 1000), (3, 2000), (4, 1500)])
def test_plan_pairs_equals_twin(seed: int, n: int) -> None:
    iv = _volumes(seed, n)
    want = _pairs(R.plan_pairs, iv, 100.0, 60.0)
    assert len(want[0]) > 20  # the sample does conflict
    assert np.all(want[0] < want[1])
    assert np.all(iv.plan[want[0]] != iv.plan[want[1]])
    cell, tcell = suggest_cells(iv)
    # the suggested grid, cells far smaller than the volumes (doubled by the kernel, sparse
    # path), one cell for everything, and odd sizes
    for c, tc in ((cell, tcell), (0.5, 0.5), (1e7, 1e7), (37.0, 3.0), (450.0, 7000.0)):
        _assert_same(_pairs(K.plan_pairs, iv, c, tc), want)


def test_plan_pairs_sparse_grid_equals_twin() -> None:
    """Two clusters 1,000 km and 11 days apart: a grid of mostly empty cells, so the kernel
    sorts its entries instead of counting them into the cells."""
    iv = _volumes(5, 600)
    far = np.arange(iv.n) % 2 == 1
    for a, shift in ((iv.x0, 1e6), (iv.x1, 1e6), (iv.t0, 1e6), (iv.t1, 1e6)):
        a[far] += shift
    want = _pairs(R.plan_pairs, iv, 100.0, 60.0)
    assert len(want[0]) > 10
    _assert_same(_pairs(K.plan_pairs, iv, 100.0, 60.0), want)


@pytest.mark.parametrize(("seed", "n", "nz"), [(0, 200, 30), (1, 800, 60), (2, 2000, 120)])
def test_zone_hits_equals_twin(seed: int, n: int, nz: int) -> None:
    iv = _volumes(seed, n)
    z = _zones(seed + 100, nz)
    want = _hits(R.zone_hits, iv, z, 100.0)
    assert len(want[0]) > 50
    for cell in (250.0, 0.01, 1e7, 33.0):
        _assert_same(_hits(K.zone_hits, iv, z, cell), want)


def test_kernels_equal_twins_on_the_demo_zones() -> None:
    """Plans along random paths against the bundled Lingang zones, compiled from the model."""
    bundle = load_scenario(ROOT / "scenarios" / "mixed-zone-day.toml")
    fa = compile_fences(bundle.map, bundle.zone_sets, LocalFrame.of_map(bundle.map))
    horizon = 7 * 86400.0
    win = zone_windows(fa, bundle.scenario.start, horizon)
    rng = np.random.default_rng(5)
    parts = []
    for p in range(300):
        k = int(rng.integers(2, 7))
        x = np.cumsum(rng.uniform(-800, 800, k)) + rng.uniform(-1500, 8500)
        y = np.cumsum(rng.uniform(-800, 800, k)) + rng.uniform(-2500, 4500)
        t = float(rng.uniform(0, horizon)) + np.concatenate(
            [[0.0], np.cumsum(rng.uniform(20, 90, k - 1))]
        )
        alt = float(rng.uniform(0, 200))
        parts.append(
            IntentVolumes.from_path(x, y, t, alt - 10, alt + 10, rng.uniform(20, 60), 30.0, p)
        )
    iv = IntentVolumes.concat(parts)
    fence = (fa.vol_zone, fa.vol_circle, fa.cx, fa.cy, fa.radius, fa.ring_start, fa.ring_end,
             fa.ring_off, fa.vx, fa.vy, fa.floor, fa.ceiling, fa.bbox)  # fmt: skip
    args = (*iv.kernel_args(), *fence, *win)
    want = R.zone_hits(*args, 250.0)
    assert len(want[0]) > 20
    _assert_same(K.zone_hits(*args, 250.0), want)
    cell, tcell = suggest_cells(iv)
    _assert_same(_pairs(K.plan_pairs, iv, cell, tcell), _pairs(R.plan_pairs, iv, cell, tcell))


# --- twin == shapely -------------------------------------------------------------------------
def _line(x0: float, y0: float, x1: float, y1: float) -> shapely.Geometry:
    return Point(x0, y0) if (x0, y0) == (x1, y1) else LineString([(x0, y0), (x1, y1)])


@pytest.mark.parametrize("seed", range(3))
def test_segment_distance_matches_shapely(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 3000
    s = rng.uniform(0, 100, (n, 8))
    s[: n // 5, 2:4] = s[: n // 5, 0:2]  # a is a point
    s[n // 10 : n // 4, 6:8] = s[n // 10 : n // 4, 4:6]  # b is a point
    s[n // 4 : n // 3, 4:8] = s[n // 4 : n // 3, 0:4] + rng.uniform(-1, 1, (n // 3 - n // 4, 1))
    twin = R.segment_distance(*s.T)
    for k in range(n):
        exact = _line(*s[k, :4]).distance(_line(*s[k, 4:]))
        assert twin[k] == pytest.approx(exact, abs=1e-9)
        assert K.segment_distance(*s[k]) == twin[k]


def _region(shape: tuple) -> shapely.Geometry:
    """The even-odd region of rings: the symmetric difference of their interiors."""
    return reduce(shapely.symmetric_difference, [Polygon(r) for r in shape[1]])


@pytest.mark.parametrize("seed", range(3))
def test_zone_hits_twin_matches_shapely(seed: int) -> None:
    """Horizontal part by exact shapely distances (no buffered polygons), bands and windows by
    plain comparisons; pairs within 1e-6 m of the boundary are left out."""
    iv = _volumes(seed + 10, 300)
    z = _zones(seed + 20, 40)
    got = set(
        zip(
            *(a.tolist() for a in R.zone_hits(*iv.kernel_args(), *_zargs(z), 100.0)[:2]),
            strict=True,
        )
    )
    lines = [_line(iv.x0[i], iv.y0[i], iv.x1[i], iv.y1[i]) for i in range(iv.n)]
    want = set()
    unsure = set()
    for k, shape in enumerate(z["shapes"]):
        zn = z["vol_zone"][k]
        w = slice(z["win_off"][zn], z["win_off"][zn + 1])
        wins = list(zip(z["win_t0"][w], z["win_t1"][w], strict=True))
        if shape[0] == "circle":
            geom, extra = Point(shape[1], shape[2]), shape[3]
        else:
            geom, extra = _region(shape), 0.0
        for i in range(iv.n):
            band = iv.zlo[i] <= z["ceiling"][k] and z["floor"][k] <= iv.zhi[i]
            time = any(max(iv.t0[i], a) < min(iv.t1[i], b) for a, b in wins)
            if not (band and time):
                continue
            gap = lines[i].distance(geom) - (iv.r[i] + extra)
            if abs(gap) < 1e-6:
                unsure.add((i, k))
            elif gap <= 0:
                want.add((i, k))
    assert len(want) > 30
    assert got - unsure == want


def test_plan_pairs_twin_matches_shapely() -> None:
    iv = _volumes(7, 800)
    got = set(
        zip(*(a.tolist() for a in R.plan_pairs(*iv.kernel_args(), iv.plan, 1.0, 1.0)), strict=True)
    )
    lines = [_line(iv.x0[i], iv.y0[i], iv.x1[i], iv.y1[i]) for i in range(iv.n)]
    tree = shapely.STRtree(lines)
    want = set()
    unsure = set()
    for a in range(iv.n):
        for b in tree.query(lines[a], predicate="dwithin", distance=2 * 80.0 + 1.0):
            b = int(b)
            if b <= a or iv.plan[a] == iv.plan[b]:
                continue
            if not (max(iv.t0[a], iv.t0[b]) < min(iv.t1[a], iv.t1[b])):
                continue
            if not (iv.zlo[a] <= iv.zhi[b] and iv.zlo[b] <= iv.zhi[a]):
                continue
            gap = lines[a].distance(lines[b]) - (iv.r[a] + iv.r[b])
            if abs(gap) < 1e-6:
                unsure.add((a, b))
            elif gap <= 0:
                want.add((a, b))
    assert len(want) > 50
    assert got - unsure == want


def test_ring_helpers_match_shapely() -> None:
    z = _zones(3, 60)
    rng = np.random.default_rng(4)
    for k, shape in enumerate(z["shapes"]):
        if shape[0] != "rings":
            continue
        r0, r1 = z["ring_start"][k], z["ring_end"][k]
        region = _region(shape)
        bx = z["bbox"][k]
        px = rng.uniform(bx[0] - 50, bx[2] + 50, 200)
        py = rng.uniform(bx[1] - 50, bx[3] + 50, 200)
        inside = R.in_rings(px, py, z["ring_off"], z["vx"], z["vy"], r0, r1)
        np.testing.assert_array_equal(inside, shapely.contains_xy(region, px, py))
        for j in range(0, 200, 20):
            assert K.in_rings(px[j], py[j], z["ring_off"], z["vx"], z["vy"], r0, r1) == inside[j]
        qx, qy = px + rng.uniform(-300, 300, 200), py + rng.uniform(-300, 300, 200)
        d = R.segment_rings_distance(px, py, qx, qy, z["ring_off"], z["vx"], z["vy"], r0, r1)
        for j in range(0, 200, 10):
            seg = _line(px[j], py[j], qx[j], qy[j])
            assert d[j] == pytest.approx(seg.distance(region.boundary), abs=1e-9)
            kd = K.segment_rings_distance(
                px[j], py[j], qx[j], qy[j], z["ring_off"], z["vx"], z["vy"], r0, r1
            )
            assert kd == d[j]
            for lim in (d[j], d[j] * 0.999, d[j] + 1.0):
                assert K.segment_rings_within(
                    px[j], py[j], qx[j], qy[j], lim, z["ring_off"], z["vx"], z["vy"], r0, r1
                ) == (d[j] <= lim)


# --- boundary cases --------------------------------------------------------------------------
def _iv(*rows: tuple) -> IntentVolumes:
    """Volumes from rows ``(x0, y0, x1, y1, r, zlo, zhi, t0, t1, plan)``."""
    cols = list(zip(*rows, strict=True))
    return IntentVolumes(*(np.array(c, dtype=float) for c in cols[:9]), np.array(cols[9]))


def _pp(iv: IntentVolumes) -> list[tuple[int, int]]:
    both = []
    for fn in (K.plan_pairs, R.plan_pairs):
        a, b = fn(*iv.kernel_args(), iv.plan, 50.0, 10.0)
        both.append(list(zip(a.tolist(), b.tolist(), strict=True)))
    assert both[0] == both[1]
    return both[0]


BASE = (0.0, 0.0, 100.0, 0.0, 50.0, 30.0, 50.0, 0.0, 10.0, 0)


def _with(**kw: float) -> tuple:
    names = ("x0", "y0", "x1", "y1", "r", "zlo", "zhi", "t0", "t1", "plan")
    row = dict(zip(names, BASE, strict=True))
    row["plan"] = 1
    row.update(kw)
    return tuple(row[k] for k in names)


@pytest.mark.parametrize(
    ("other", "conflict"),
    [
        (_with(y0=100.0, y1=100.0), True),  # parallel capsules exactly touching
        (_with(y0=100.001, y1=100.001), False),  # 1 mm further
        (_with(x0=200.0, x1=300.0), True),  # end caps touching (distance 100 = 50 + 50)
        (_with(x0=200.001, x1=300.0), False),
        (_with(x0=200.0, y0=-80.0, x1=200.0, y1=80.0), True),  # an end cap touching a side
        (_with(x0=50.0, y0=-500.0, x1=50.0, y1=500.0, r=0.0), True),  # crossing, r = 0
        (_with(x0=50.0, y0=70.0, x1=50.0, y1=70.0, r=20.0), True),  # a hover disc touching
        (_with(zlo=50.0, zhi=80.0), True),  # bands touching
        (_with(zlo=50.001, zhi=80.0), False),
        (_with(t0=10.0, t1=20.0), False),  # windows touching: [0, 10) and [10, 20)
        (_with(t0=11.0, t1=20.0), False),  # separated by 1 s
        (_with(t0=9.0, t1=20.0), True),  # overlapping by 1 s
        (_with(t0=-5.0, t1=0.0), False),
        (_with(t0=5.0, t1=5.0), False),  # an empty window
        (_with(plan=0), False),  # same plan
    ],
)
def test_plan_pairs_boundaries(other: tuple, conflict: bool) -> None:
    assert _pp(_iv(BASE, other)) == ([(0, 1)] if conflict else [])
    assert _pp(_iv(other, BASE)) == ([(0, 1)] if conflict else [])


def test_plan_pairs_output_is_sorted_and_complete() -> None:
    rows = [_with(x0=5.0 * k, x1=5.0 * k + 5, plan=k % 3) for k in range(12)]
    got = _pp(_iv(*rows))
    want = [(a, b) for a in range(12) for b in range(a + 1, 12) if a % 3 != b % 3]
    assert got == want


def _square(x0: float, y0: float, x1: float, y1: float) -> np.ndarray:
    return np.array([(x0, y0), (x1, y0), (x1, y1), (x0, y1), (x0, y0)], dtype=float)


def _one_zone(
    rings: list[np.ndarray] | None = None,
    circle: tuple | None = None,
    wins: tuple = ((0.0, 1000.0),),
    floor: float = 0.0,
    ceiling: float = 100.0,
) -> dict:
    vx = np.concatenate([r[:, 0] for r in rings]) if rings else np.zeros(0)
    vy = np.concatenate([r[:, 1] for r in rings]) if rings else np.zeros(0)
    off = np.concatenate([[0], np.cumsum([len(r) for r in rings])]) if rings else np.zeros(1)
    if circle:
        bbox = [
            circle[0] - circle[2],
            circle[1] - circle[2],
            circle[0] + circle[2],
            circle[1] + circle[2],
        ]
    else:
        bbox = [vx.min(), vy.min(), vx.max(), vy.max()]
    return {
        "vol_zone": np.zeros(1, np.int32),
        "vol_circle": np.array([circle is not None]),
        "cx": np.array([circle[0] if circle else 0.0]),
        "cy": np.array([circle[1] if circle else 0.0]),
        "radius": np.array([circle[2] if circle else 0.0]),
        "ring_start": np.zeros(1, np.int32),
        "ring_end": np.array([len(off) - 1], np.int32),
        "ring_off": off.astype(np.int32),
        "vx": vx,
        "vy": vy,
        "floor": np.array([floor]),
        "ceiling": np.array([ceiling]),
        "bbox": np.array([bbox], dtype=float),
        "win_off": np.array([0, len(wins)], np.int32),
        "win_t0": np.array([w[0] for w in wins], dtype=float),
        "win_t1": np.array([w[1] for w in wins], dtype=float),
    }


def _zh(iv: IntentVolumes, z: dict) -> list[tuple[int, int, float, float]]:
    both = []
    for fn in (K.zone_hits, R.zone_hits):
        v, k, a, b = fn(*iv.kernel_args(), *_zargs(z), 40.0)
        both.append(list(zip(v.tolist(), k.tolist(), a.tolist(), b.tolist(), strict=True)))
    assert both[0] == both[1]
    return both[0]


HOLED = [_square(0, 0, 1000, 1000), _square(300, 300, 700, 700)]


def _seg(x0: float, y0: float, x1: float, y1: float, r: float = 10.0, t0: float = 0.0,
         t1: float = 100.0, zlo: float = 20.0, zhi: float = 40.0) -> IntentVolumes:  # fmt: skip
    return _iv((x0, y0, x1, y1, r, zlo, zhi, t0, t1, 0))


@pytest.mark.parametrize(
    ("iv", "hit"),
    [
        (_seg(400, 500, 600, 500), False),  # fully inside the hole
        (_seg(500, 500, 500, 500), False),  # a hover inside the hole
        (_seg(400, 310, 600, 310), True),  # inside the hole, within r of its edge
        (_seg(400, 310, 600, 310, r=9.999), False),
        (_seg(100, 100, 200, 100), True),  # inside the outer ring, outside the hole
        (_seg(-500, 150, 1500, 150, r=0.0), True),  # crosses the zone, no vertex inside
        (_seg(-500, -10, 1500, -10, r=10.0), True),  # touches the outer edge
        (_seg(-500, -10.001, 1500, -10.001, r=10.0), False),
        (_seg(-500, 500, 1500, 500, r=0.0), True),  # through outer ring, hole and out again
        (_seg(100, 100, 200, 100, zlo=100.0, zhi=120.0), True),  # band touching the ceiling
        (_seg(100, 100, 200, 100, zlo=100.001, zhi=120.0), False),
    ],
)
def test_zone_hits_boundaries(iv: IntentVolumes, hit: bool) -> None:
    assert _zh(iv, _one_zone(HOLED)) == ([(0, 0, 0.0, 100.0)] if hit else [])


def test_zone_hits_circle_touching() -> None:
    z = _one_zone(circle=(0.0, 0.0, 100.0))
    assert _zh(_seg(-50, 150, 50, 150, r=50.0), z) == [(0, 0, 0.0, 100.0)]
    assert _zh(_seg(-50, 150.001, 50, 150.001, r=50.0), z) == []
    assert _zh(_seg(-500, -500, 500, 500, r=0.0), z) == [(0, 0, 0.0, 100.0)]  # crossing


def test_zone_hits_multipolygon() -> None:
    z = _one_zone([_square(0, 0, 100, 100), _square(500, 0, 600, 100)])
    assert _zh(_seg(550, 50, 550, 50, r=1.0), z) == [(0, 0, 0.0, 100.0)]
    assert _zh(_seg(300, 50, 300, 50, r=1.0), z) == []


@pytest.mark.parametrize(
    ("wins", "expected"),
    [
        (((99.0, 200.0),), (99.0, 100.0)),  # the zone switches on in the volume's last second
        (((100.0, 200.0),), None),  # ... at its end: windows only touch
        (((-50.0, 0.0),), None),
        (((-50.0, 1.0),), (0.0, 1.0)),
        (((10.0, 20.0), (30.0, 40.0)), (10.0, 20.0)),  # the first overlap is reported
        (((-10.0, 0.0), (50.0, 60.0), (70.0, 300.0)), (50.0, 60.0)),
        ((), None),  # never active
    ],
)
def test_zone_hits_windows(wins: tuple, expected: tuple | None) -> None:
    z = _one_zone([_square(0, 0, 1000, 1000)], wins=wins)
    got = _zh(_seg(100, 100, 200, 100), z)
    assert got == ([(0, 0, *expected)] if expected else [])


def test_zone_volumes_of_one_zone_share_its_windows() -> None:
    z = _zones(9, 20)
    assert len(np.unique(z["vol_zone"])) < len(z["vol_zone"])  # some zones have 2 volumes
    iv = _volumes(9, 500)
    v, k, a, b = K.zone_hits(*iv.kernel_args(), *_zargs(z), 200.0)
    for i, kk, lo, hi in zip(v, k, a, b, strict=True):
        zn = z["vol_zone"][kk]
        ws = range(z["win_off"][zn], z["win_off"][zn + 1])
        first = next(w for w in ws if max(iv.t0[i], z["win_t0"][w]) < min(iv.t1[i], z["win_t1"][w]))
        assert (lo, hi) == (max(iv.t0[i], z["win_t0"][first]), min(iv.t1[i], z["win_t1"][first]))


def test_empty_inputs() -> None:
    e = IntentVolumes.empty()
    for fn in (K.plan_pairs, R.plan_pairs):
        a, b = fn(*e.kernel_args(), e.plan, 10.0, 10.0)
        assert len(a) == len(b) == 0 and a.dtype == np.int64
    one = _seg(0, 0, 1, 1)
    assert _pp(one) == []
    assert _zh(e, _one_zone(HOLED)) == []
    no_zones = {
        k: v[:0] if k not in ("win_off", "ring_off") else v[:1] for k, v in _one_zone(HOLED).items()
    }
    assert _zh(one, no_zones) == []


@pytest.mark.parametrize(
    "bad",
    [
        {"x0": np.nan}, {"t1": np.inf}, {"r": -1.0}, {"zlo": np.nan},
    ],
)  # fmt: skip
def test_bad_volumes_raise(bad: dict) -> None:
    iv = _iv(BASE, _with(**bad))
    for fn in (K.plan_pairs, R.plan_pairs):
        with pytest.raises(ValueError, match="intent volume"):
            fn(*iv.kernel_args(), iv.plan, 10.0, 10.0)
    for fn in (K.zone_hits, R.zone_hits):
        with pytest.raises(ValueError, match="intent volume"):
            fn(*iv.kernel_args(), *_zargs(_one_zone(HOLED)), 10.0)


def test_bad_cells_raise() -> None:
    iv = _iv(BASE, _with())
    for fn in (K.plan_pairs, R.plan_pairs):
        for c, tc in ((0.0, 1.0), (1.0, -1.0), (np.inf, 1.0), (1.0, np.nan)):
            with pytest.raises(ValueError, match="cell"):
                fn(*iv.kernel_args(), iv.plan, c, tc)
    for fn in (K.zone_hits, R.zone_hits):
        with pytest.raises(ValueError, match="cell"):
            fn(*iv.kernel_args(), *_zargs(_one_zone(HOLED)), 0.0)


def test_infinite_bands_are_allowed() -> None:
    iv = _iv(_with(zlo=-np.inf, zhi=np.inf, plan=0), _with(zlo=1e6, zhi=np.inf))
    assert _pp(iv) == [(0, 1)]
