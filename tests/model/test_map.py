from __future__ import annotations

import pytest

from sim.model.altitude import Altitude
from sim.model.map import Crs, approx_distance
from sim.model.map_file import load_map
from tests.conftest import TEST_DATA


@pytest.fixture
def small():
    return load_map(TEST_DATA / "good" / "small-map.geojson")


def test_two_way_edges_give_two_directed_edges(small) -> None:
    road = {d.id: (d.src, d.dst) for d in small.directed_edges("road")}
    assert road == {
        "E1": ("J1", "J2"),
        "E1:rev": ("J2", "J1"),
        "E2": ("J2", "J3"),
        "E2:rev": ("J3", "J2"),
        "E3": ("J2", "J4"),
    }
    rev = small.directed_edge("E1:rev")
    assert rev is not None and rev.coordinates[0] == (500.0, 0.0)
    water = small.directed_edges("water")
    assert {d.id for d in water} == {"WW1", "WW1:rev"}  # waterways default to both directions


def test_signal_cycle(small) -> None:
    signal = small.by_id["J2"].signal
    assert signal.cycle == pytest.approx(30 + 3 + 20 + 3)


def test_ground_elevation_and_datum_conversion(small) -> None:
    assert small.ground_elevation(0.0, 0.0) == 4.0
    assert small.ground_elevation(1000.0, 200.0) == 12.0  # inside the hill
    assert small.to_amsl(Altitude(value=90, datum="AGL"), 1000.0, 200.0) == 102.0
    assert small.to_amsl(Altitude(value=90, datum="AMSL"), 0.0, 0.0) == 90.0
    assert small.to_amsl(Altitude(value=90, datum="WGS84"), 0.0, 0.0) is None


def test_approx_distance_is_close_to_geodesic() -> None:
    # 0.01 deg of latitude is about 1109 m at 31 N.
    d = approx_distance(Crs.WGS84, (121.9, 30.92), (121.9, 30.93))
    assert d == pytest.approx(1108.7, rel=5e-3)  # spherical approximation
