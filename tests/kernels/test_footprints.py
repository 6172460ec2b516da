"""Road bodies follow their route through junction boxes; kernel equals twin."""

from __future__ import annotations

import numpy as np

from sim.kernels.geometry import road_footprints
from sim.kernels.reference import road_footprints_ref
from sim.model.map_file import load_map
from sim.network.arrays import build_layer
from tests.conftest import ROOT

ROAD = build_layer(load_map(ROOT / "maps" / "lingang-demo.geojson"), "road")


def _route(rng: np.random.Generator) -> list[int]:
    route = [int(rng.integers(ROAD.n_edges))]
    for _ in range(3):
        nxt = np.nonzero(ROAD.edge_from == ROAD.edge_to[route[-1]])[0]
        route.append(int(rng.choice(nxt)))
    return route


def test_footprints_equal_their_twin_and_stay_continuous() -> None:
    rng = np.random.default_rng(3)
    n = 500
    routes = [_route(rng) for _ in range(n)]
    flat = np.array([e for r in routes for e in r], dtype=np.int32)
    off = np.arange(0, 4 * n, 4, dtype=np.int32)
    pos = rng.integers(0, 4, n).astype(np.int32)
    edge = flat[off + pos]
    s = np.array([rng.uniform(0, ROAD.edge_length[e]) for e in edge])
    lane = np.array([rng.integers(ROAD.lanes[e]) for e in edge], dtype=np.int32)
    length = rng.uniform(4, 16, n)
    idx = np.arange(n)
    outs = []
    for fn in (road_footprints, road_footprints_ref):
        out = [np.empty(n) for _ in range(4)]
        fn(
            idx,
            s,
            edge,
            lane,
            length,
            off,
            pos,
            np.full(n, 4, dtype=np.int32),
            flat,
            ROAD.edge_length,
            ROAD.lanes,
            ROAD.lane_width,
            ROAD.two_way,
            ROAD.box_start,
            ROAD.box_end,
            ROAD.pts_off,
            ROAD.pts_x,
            ROAD.pts_y,
            ROAD.pts_s,
            *out,
        )
        outs.append(out)
    for a, b in zip(*outs, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-9, atol=1e-9)
    # sliding a body along its route moves its centre continuously (no jumps at junctions)
    route = routes[0]
    total = float(sum(ROAD.edge_length[e] for e in route[:-1]))
    prev = None
    for d in np.arange(10.0, total, 0.25):
        k, rest = 0, d
        while rest >= ROAD.edge_length[route[k]]:
            rest -= ROAD.edge_length[route[k]]
            k += 1
        out = [np.empty(1) for _ in range(4)]
        road_footprints(
            np.array([0]),
            np.array([rest]),
            np.array([route[k]], dtype=np.int32),
            np.array([0], dtype=np.int32),
            np.array([4.8]),
            np.array([0], dtype=np.int32),
            np.array([k], dtype=np.int32),
            np.array([4], dtype=np.int32),
            np.array(route, dtype=np.int32),
            ROAD.edge_length,
            ROAD.lanes,
            ROAD.lane_width,
            ROAD.two_way,
            ROAD.box_start,
            ROAD.box_end,
            ROAD.pts_off,
            ROAD.pts_x,
            ROAD.pts_y,
            ROAD.pts_s,
            *out,
        )
        here = (float(out[0][0]), float(out[1][0]))
        if prev is not None:
            assert np.hypot(here[0] - prev[0], here[1] - prev[1]) < 1.0
        prev = here


def _path(args: tuple[float, ...], n: int = 2001) -> np.ndarray:
    from sim.kernels.geometry import box_path

    return np.array([box_path(*args, u) for u in np.linspace(0.0, 1.0, n)])


def test_a_turn_is_lane_line_arc_lane_line_by_arc_length() -> None:
    import math

    from sim.kernels.reference import _box_path_ref

    # southbound lane at x = -5.25 turning left into the eastbound lane at y = -5.25; the box
    # reaches 11 m from the centre
    args = (-5.25, 11.0, -math.pi / 2, 11.0, -5.25, 0.0)
    p = _path(args)
    assert np.allclose(p[0], (-5.25, 11.0, -math.pi / 2)) and np.allclose(p[-1], (11.0, -5.25, 0))
    step = np.hypot(np.diff(p[:, 0]), np.diff(p[:, 1]))
    assert step.max() - step.min() < 1e-6  # u is the fraction of the path's length
    # a quarter circle of radius 16.25 m about (11, 11): tangent to both lane lines
    assert np.allclose(np.hypot(p[:, 0] - 11.0, p[:, 1] - 11.0), 16.25)
    assert np.isclose(step.sum(), 16.25 * math.pi / 2, rtol=1e-6)
    assert np.abs(np.diff(np.unwrap(p[:, 2]))).max() < 2e-3  # the heading turns smoothly
    rng = np.random.default_rng(5)
    for _ in range(300):
        x0, y0, x1, y1 = rng.uniform(-20, 20, 4)
        h0, h1, u = rng.uniform(-math.pi, math.pi), rng.uniform(-math.pi, math.pi), rng.uniform()
        from sim.kernels.geometry import box_path

        assert np.allclose(
            box_path(x0, y0, h0, x1, y1, h1, u), _box_path_ref(x0, y0, h0, x1, y1, h1, u)
        )


def test_neighbouring_lanes_turn_on_concentric_arcs_a_lane_apart() -> None:
    import math

    outer = _path((-5.25, 11.0, -math.pi / 2, 11.0, -5.25, 0.0))
    inner = _path((-1.75, 11.0, -math.pi / 2, 11.0, -1.75, 0.0))
    d = np.hypot(outer[:, None, 0] - inner[None, :, 0], outer[:, None, 1] - inner[None, :, 1])
    assert d.min() > 3.5 - 1e-3
