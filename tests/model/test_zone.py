from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from sim.model.errors import ModelError
from sim.model.vehicle import Domain
from sim.model.zone import Restriction, ZoneKind
from sim.model.zone_file import load_zones, parse_zones
from tests.conftest import TEST_DATA

CN = dt.timezone(dt.timedelta(hours=8))


def test_features_with_one_id_are_volumes_of_one_zone() -> None:
    zs = load_zones(TEST_DATA / "good" / "small-zones.geojson")
    c1 = zs.by_id()["C1"]
    assert len(c1.volumes) == 2
    assert [v.floor.value for v in c1.volumes] == [0.0, 100.0]
    assert c1.restriction is Restriction.CONDITIONAL
    assert c1.schedule[0].time_zone == "Asia/Shanghai"  # from the file header


def test_defaults_follow_the_kind() -> None:
    zones = load_zones(TEST_DATA / "good" / "small-zones.geojson").by_id()
    assert zones["NF1"].restriction is Restriction.PROHIBITED
    assert zones["NF1"].vehicle_kinds == (Domain.UAV,)
    assert zones["NF1"].volumes[0].is_circle
    assert zones["NF1"].volumes[0].ceiling is None
    assert zones["TA1"].vehicle_kinds == (Domain.ICV,)
    assert zones["TA1"].is_inclusion
    assert zones["TW1"].kind is ZoneKind.TEST_WATERS


def test_zone_activity_follows_schedule() -> None:
    zones = load_zones(TEST_DATA / "good" / "small-zones.geojson").by_id()
    assert zones["C1"].is_active(dt.datetime(2026, 12, 7, 8, 0, tzinfo=CN))  # Monday
    assert not zones["C1"].is_active(dt.datetime(2026, 12, 6, 8, 0, tzinfo=CN))  # Sunday
    assert zones["NF1"].is_active(dt.datetime(2000, 1, 1, tzinfo=CN))


def test_every_problem_of_a_file_is_reported(tmp_path: Path) -> None:
    doc = {
        "type": "FeatureCollection",
        "testzone": {"format": "testzone-zones", "crs": "local"},
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [0, 0]},
                "properties": {"id": "a", "kind": "no_fly"},
            },
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [0, 0]},
                "properties": {"id": "b", "kind": "speed_limit", "radius": 10},
            },
        ],
    }
    with pytest.raises(ModelError) as err:
        parse_zones(doc, "z.geojson")
    paths = [i.path for i in err.value.issues]
    assert paths == ['features["a"].properties.radius', 'features["b"].properties.rules.max_speed']


def test_stricter_action_orders_warn_hold_return_land() -> None:
    from sim.model.zone import BreachAction as A
    from sim.model.zone import stricter_action

    assert stricter_action(A.WARN, None) is A.WARN
    assert stricter_action(A.WARN, A.HOLD) is A.HOLD
    assert stricter_action(A.LAND, A.RETURN) is A.LAND
    assert stricter_action(A.HOLD, A.RETURN) is A.RETURN
    assert stricter_action(A.HOLD, A.STOP) is A.HOLD  # a tie keeps the zone's
    assert stricter_action(A.STOP, A.WARN) is A.STOP
