from __future__ import annotations

import numpy as np
import pytest
from pyproj import Geod

from sim.geo.projection import LocalProjection


def test_origin_maps_to_zero_and_round_trips() -> None:
    p = LocalProjection(121.9, 30.92)
    x, y = p.to_local(121.9, 30.92)
    assert abs(x) < 1e-6 and abs(y) < 1e-6
    rng = np.random.default_rng(1)
    lon = 121.9 + rng.uniform(-0.2, 0.2, 100)
    lat = 30.92 + rng.uniform(-0.2, 0.2, 100)
    lon2, lat2 = p.to_wgs84(*p.to_local(lon, lat))
    assert np.max(np.abs(lon2 - lon)) < 1e-9 and np.max(np.abs(lat2 - lat)) < 1e-9


def test_local_distances_match_geodesic_over_a_test_zone() -> None:
    p = LocalProjection(121.9, 30.92)
    geod = Geod(ellps="WGS84")
    rng = np.random.default_rng(2)
    for _ in range(50):
        lon = 121.9 + rng.uniform(-0.1, 0.1, 2)
        lat = 30.92 + rng.uniform(-0.1, 0.1, 2)
        x, y = p.to_local(lon, lat)
        planar = float(np.hypot(x[1] - x[0], y[1] - y[0]))
        true = geod.inv(lon[0], lat[0], lon[1], lat[1])[2]
        assert planar == pytest.approx(true, rel=2e-5)


def test_axes_point_east_and_north() -> None:
    p = LocalProjection(121.9, 30.92)
    x, y = p.to_local(121.91, 30.92)
    assert x > 900 and abs(y) < 1
    x, y = p.to_local(121.9, 30.93)
    assert y > 1100 and abs(x) < 1e-6
