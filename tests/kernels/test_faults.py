"""Scripted faults per vehicle: the kernel equals its shapely twin; combination rules."""

from __future__ import annotations

import numpy as np
import pytest

from sim.geo.fences import compile_fences
from sim.geo.localmap import LocalFrame
from sim.kernels.faults import FAULT_GNSS, FAULT_SENSOR, FAULT_V2X, fault_step
from sim.kernels.reference_faults import fault_step_ref
from sim.model.map_file import load_map
from sim.model.zone_file import load_zone_file
from tests.conftest import ROOT

MAP = load_map(ROOT / "maps" / "lingang-demo.geojson")
FRAME = LocalFrame.of_map(MAP)
FA = compile_fences(
    MAP,
    [
        load_zone_file(ROOT / "maps" / n)
        for n in ("lingang-demo.zones.geojson", "lingang-v2x.zones.geojson")
    ],
    FRAME,
)


def _vols(zone: str) -> list[int]:
    return np.nonzero(FA.vol_zone == FA.zone_ids.index(zone))[0].tolist()


def _faults(spec: list[tuple[int, int, float, float, float, float, str | None]]) -> tuple:
    """(kind, agent, factor, noise, bx, by, zone) per fault -> the kernel's fault arrays."""
    off, vols = [0], []
    for *_, zone in spec:
        vols += _vols(zone) if zone else []
        off.append(len(vols))
    col = list(zip(*[s[:6] for s in spec], strict=True))
    return (
        np.array(col[0], dtype=np.int64),
        np.ones(len(spec), dtype=np.int8),
        np.array(col[1], dtype=np.int64),
        np.array(col[2]),
        np.array(col[3]),
        np.array(col[4]),
        np.array(col[5]),
        np.array(off, dtype=np.int64),
        np.array(vols, dtype=np.int64),
    )


GEO = (
    FA.vol_circle,
    FA.cx,
    FA.cy,
    FA.radius,
    FA.ring_start,
    FA.ring_end,
    FA.ring_off,
    FA.vx,
    FA.vy,
)


@pytest.mark.parametrize("seed", range(3))
def test_fault_step_equals_its_twin(seed: int) -> None:
    rng = np.random.default_rng(seed)
    n = 2000
    x0, y0, x1, y1 = (
        FA.bbox[:, 0].min(),
        FA.bbox[:, 1].min(),
        FA.bbox[:, 2].max(),
        FA.bbox[:, 3].max(),
    )
    x = rng.uniform(x0, x1, n)
    y = rng.uniform(y0, y1, n)
    key = rng.integers(0, 2**63, n).astype(np.uint64)
    spec = [
        (FAULT_V2X, -1, 0.0, 0.0, 0.0, 0.0, "v2x-underpass"),
        (FAULT_V2X, -1, 0.5, 0.0, 0.0, 0.0, "no-fly-airport"),  # a circle
        (FAULT_V2X, 7, 0.3, 0.0, 0.0, 0.0, None),
        (FAULT_GNSS, -1, 0.0, 3.0, 1.0, -2.0, "test-area-lingang"),
        (FAULT_GNSS, -1, 0.0, 4.0, 0.5, 0.0, "no-fly-airport"),
        (FAULT_SENSOR, 11, 0.0, 0.0, 0.0, 0.0, None),
        (FAULT_SENSOR, -2, 0.0, 0.0, 0.0, 0.0, None),  # its agent has not entered
        (FAULT_SENSOR, -1, 0.0, 0.0, 0.0, 0.0, "test-roads-lingang"),
    ]
    arrays = _faults(spec)
    arrays[1][2] = 0  # not active
    idx = np.sort(rng.choice(n, n - 100, replace=False)).astype(np.int64)
    idx = np.unique(np.concatenate([idx, [7, 11]]))
    outs = []
    for fn in (fault_step, fault_step_ref):
        out = (np.full(n, 9.0), np.full(n, 7, dtype=np.int8), np.full(n, 9.0), np.full(n, 9.0))
        fn(idx, 42, x, y, key, *arrays, *GEO, *out)
        outs.append(out)
    for got, want, name in zip(outs[0], outs[1], ("degrade", "sensor", "ex", "ey"), strict=True):
        np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-12, err_msg=name)
    degrade, sensor, ex, _ = outs[0]
    assert (degrade[idx] == 1.0).sum() > 100 and (sensor[idx] == 0).sum() > 5
    assert (ex[idx] != 0.0).sum() > 20


def test_combination_and_noise_statistics() -> None:
    """Factors multiply, biases add, variances add; the noise has the stated deviation."""
    n = 20000
    x = np.zeros(n)
    y = np.zeros(n)
    key = np.random.default_rng(1).integers(0, 2**63, n).astype(np.uint64)
    spec = [
        (FAULT_V2X, -1, 0.5, 0.0, 0.0, 0.0, None),
        (FAULT_V2X, -1, 0.4, 0.0, 0.0, 0.0, None),
        (FAULT_GNSS, -1, 0.0, 3.0, 2.0, 0.0, None),
        (FAULT_GNSS, -1, 0.0, 4.0, 1.0, -1.0, None),
    ]
    out = (np.ones(n), np.ones(n, dtype=np.int8), np.zeros(n), np.zeros(n))
    idx = np.arange(n, dtype=np.int64)
    fault_step(idx, 5, x, y, key, *_faults(spec), *GEO, *out)
    assert np.all(out[0] == pytest.approx(0.2))
    assert out[2].mean() == pytest.approx(3.0, abs=0.15) and out[3].mean() == pytest.approx(
        -1.0, abs=0.15
    )
    assert out[2].std() == pytest.approx(5.0, rel=0.03) and out[3].std() == pytest.approx(
        5.0, rel=0.03
    )
    again = (np.ones(n), np.ones(n, dtype=np.int8), np.zeros(n), np.zeros(n))
    fault_step(idx, 5, x, y, key, *_faults(spec), *GEO, *again)
    np.testing.assert_array_equal(out[2], again[2])  # a pure function of (key, tick)
    fault_step(idx, 6, x, y, key, *_faults(spec), *GEO, *again)
    assert abs(np.corrcoef(out[2], again[2])[0, 1]) < 0.05  # white: fresh draws every tick
