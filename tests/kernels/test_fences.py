"""The fence kernel agrees with shapely's contains_xy plus altitude and schedule checks."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest
import shapely
from shapely.geometry import Polygon

from sim.geo.fences import compile_fences
from sim.geo.localmap import LocalFrame
from sim.kernels.fences import EV_ENTER, EV_EXIT, MAX_INSIDE, fence_step
from sim.model.bundle import load_scenario
from sim.model.map import Crs
from tests.conftest import ROOT

BUNDLE = load_scenario(ROOT / "scenarios" / "mixed-zone-day.toml")
FRAME = LocalFrame.of_map(BUNDLE.map)
FA = compile_fences(BUNDLE.map, BUNDLE.zone_sets, FRAME)


def _oracle(
    points: np.ndarray, z: np.ndarray, kind: np.ndarray, when: dt.datetime
) -> list[set[str]]:
    """Zone membership by shapely (polygons), hypot (circles), bands and schedules."""
    out: list[set[str]] = [set() for _ in range(len(points))]
    for zs in BUNDLE.zone_sets:
        crs = zs.header.crs
        for zone in zs.zones:
            if not zone.is_active(when):
                continue
            bits = {"icv": 1, "uav": 2, "ship": 4}
            mask = sum(bits[k.value] for k in zone.vehicle_kinds)
            for vol in zone.volumes:
                ground = BUNDLE.map.header.ground_elevation  # the demo's zones lie on flat ground
                lo = vol.floor.value + (ground if vol.floor.datum.value == "AGL" else 0.0)
                hi = (
                    np.inf
                    if vol.ceiling is None
                    else vol.ceiling.value + (ground if vol.ceiling.datum.value == "AGL" else 0.0)
                )
                if vol.is_circle:
                    c = FRAME.xy([vol.geometry.coordinates], crs=crs)[0]
                    flat = np.hypot(points[:, 0] - c[0], points[:, 1] - c[1]) <= vol.radius
                else:
                    ring = FRAME.xy(vol.geometry.coordinates[0], crs=crs)
                    holes = [FRAME.xy(h, crs=crs) for h in vol.geometry.coordinates[1:]]
                    flat = shapely.contains_xy(Polygon(ring, holes), points[:, 0], points[:, 1])
                ok = flat & (z >= lo) & (z <= hi) & ((mask & (1 << kind)) != 0)
                for k in np.nonzero(ok)[0]:
                    out[k].add(zone.id)
    return out


@pytest.mark.parametrize("seed", range(5))
def test_fence_kernel_agrees_with_shapely(seed: int) -> None:
    assert BUNDLE.map.header.crs is Crs.WGS84
    rng = np.random.default_rng(seed)
    n = 20000
    pts = np.column_stack([rng.uniform(-1500, 8500, n), rng.uniform(-2500, 4500, n)])
    z = rng.uniform(-30, 400, n)
    kind = rng.integers(0, 3, n).astype(np.int8)
    when = BUNDLE.scenario.start + dt.timedelta(hours=float(rng.uniform(-30, 200)))
    active = np.array([zone.is_active(when) for zone in FA.zones], dtype=np.bool_)
    inside = np.full((n, MAX_INSIDE), -1, dtype=np.int32)
    n_inside = np.zeros(n, dtype=np.int32)
    speeding = np.full(n, -1, dtype=np.int32)
    ev = [np.zeros(n * (2 * MAX_INSIDE + 1), dtype=np.int64) for _ in range(3)]
    idx = np.arange(n)
    k = fence_step(
        idx,
        kind,
        pts[:, 0],
        pts[:, 1],
        z,
        np.zeros(n),
        active,
        *FA.kernel_args(),
        inside,
        n_inside,
        speeding,
        *ev,
    )
    got = [{FA.zone_ids[zn] for zn in inside[i, : n_inside[i]]} for i in range(n)]
    expected = _oracle(pts, z, kind, when)
    mismatches = [i for i in range(n) if got[i] != expected[i]]
    assert not mismatches, [(pts[i], z[i], kind[i], got[i], expected[i]) for i in mismatches[:5]]
    assert sum(len(s) for s in expected) > 1000  # the sample does hit the zones
    # every membership is reported once as an entry
    assert int((ev[2][:k] == EV_ENTER).sum()) == sum(len(s) for s in got)
    # moving everything far away gives one exit per membership
    far = np.full(n, 1e7)
    k2 = fence_step(
        idx,
        kind,
        far,
        far,
        z,
        np.zeros(n),
        active,
        *FA.kernel_args(),
        inside,
        n_inside,
        speeding,
        *ev,
    )
    assert int((ev[2][:k2] == EV_EXIT).sum()) == sum(len(s) for s in got)


def test_fence_kernel_equals_its_twin_over_moving_agents() -> None:
    from sim.kernels.reference import fence_step_ref

    rng = np.random.default_rng(7)
    n = 3000
    x = rng.uniform(-1500, 8500, n)
    y = rng.uniform(-2500, 4500, n)
    z = rng.uniform(-30, 300, n)
    speed = rng.uniform(0, 20, n)
    kind = rng.integers(0, 3, n).astype(np.int8)
    states = []
    for _ in range(2):
        states.append(
            [
                np.full((n, MAX_INSIDE), -1, dtype=np.int32),
                np.zeros(n, dtype=np.int32),
                np.full(n, -1, dtype=np.int32),
            ]
        )
    for step in range(8):
        x += rng.normal(0, 150, n)
        y += rng.normal(0, 150, n)
        active = rng.random(FA.n_zones) < 0.8
        outs = []
        for fn, st in ((fence_step, states[0]), (fence_step_ref, states[1])):
            ev = [np.zeros(n * (2 * MAX_INSIDE + 1), dtype=np.int64) for _ in range(3)]
            k = fn(
                np.arange(n),
                kind,
                x,
                y,
                z,
                speed,
                active,
                *FA.kernel_args(),
                st[0],
                st[1],
                st[2],
                *ev,
            )
            outs.append([e[:k].copy() for e in ev])
        for a, b in zip(outs[0], outs[1], strict=True):
            np.testing.assert_array_equal(a, b, err_msg=f"step {step}")
        for a, b in zip(states[0], states[1], strict=True):
            np.testing.assert_array_equal(a, b)
    assert len(outs[0][0]) > 0
