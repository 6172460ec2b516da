"""ED-269 zone data maps onto the zone model without loss (real files from ../shared/data)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from sim.model.altitude import Datum
from sim.model.ed269 import ORIGINAL_APPLICABILITY, load_ed269, parse_ed269, to_ed269
from sim.model.errors import ModelError
from sim.model.zone import Restriction, ZoneKind
from sim.model.zone_file import parse_zones, zones_to_geojson


def test_interuss_swiss_sample(shared_data: Path) -> None:
    path = shared_data / "ed269" / "interuss_che_cis_source_sample_ed269.json"
    raw = json.loads(path.read_text())["UASZoneList"][0]
    zs = load_ed269(path)
    (z,) = zs.zones
    assert z.id == raw["identifier"] == "LSXX"
    assert (
        z.kind is ZoneKind.AUTHORISATION_REQUIRED and z.restriction is Restriction.REQ_AUTHORISATION
    )
    assert z.country == "CHE" and z.name == "LSXX City Sample" and z.zone_type == "COMMON"
    assert z.reason == ("AIR_TRAFFIC",) and z.message == "MSG01"
    assert z.restriction_conditions == ("RST02",)
    (v,) = z.volumes
    assert v.floor.value == 0.0 and v.floor.datum is Datum.AGL
    assert v.ceiling is None  # null upper limit: no ceiling
    assert v.geometry.type == "Polygon" and len(v.geometry.coordinates[0]) == 5
    assert z.schedule[0].permanent
    assert z.authority[0].email == "admin@example.interuss.org"
    assert z.authority[0].phone == "0041221234567"
    assert zs.header.source["ed269"]["formatVersion"] == "1.0.0"


def test_eurocontrol_draft_with_holes_circles_and_schedules(shared_data: Path) -> None:
    path = shared_data / "ed269" / "eurocontrol_geofencing_service_uas_zones.json"
    raw = json.loads(path.read_text())["uas_zones"]
    zs = load_ed269(path)
    assert [z.id for z in zs.zones] == [r["identifier"] for r in raw]
    brussels, tervuren, _ = zs.zones
    assert brussels.kind is ZoneKind.ADVISORY
    assert len(brussels.volumes[0].geometry.coordinates) == len(
        raw[0]["geometry"][0]["horizontalProjection"]["coordinates"]
    )
    assert len(tervuren.volumes) == 5
    assert [v.radius for v in tervuren.volumes] == [200, 500, 1000, 2000, 3000]
    assert tervuren.volumes[0].floor.value == 500 and tervuren.volumes[0].ceiling.value == 1000
    assert brussels.volumes[0].ceiling.value == 100000  # the file's "unlimited"
    assert brussels.authority[0].interval_before == "P3Y"
    assert brussels.regulation_exemption is True and brussels.region == 1
    # "permanent: YES" with dates and a Monday window is contradictory: read as permanent,
    # and the original kept so that it is written back unchanged.
    assert brussels.schedule[0].permanent
    assert brussels.is_active(dt.datetime(2026, 12, 8, tzinfo=dt.UTC))
    kept = brussels.extended_properties[ORIGINAL_APPLICABILITY]
    assert kept[0]["schedule"][0]["day"] == "MON"


@pytest.mark.parametrize(
    "name",
    ["interuss_che_cis_source_sample_ed269.json", "eurocontrol_geofencing_service_uas_zones.json"],
)
def test_round_trips_are_lossless(shared_data: Path, name: str) -> None:
    zs = load_ed269(shared_data / "ed269" / name)
    again = parse_ed269(json.loads(json.dumps(to_ed269(zs))), "again.json")
    assert again.zones == zs.zones
    as_geojson = parse_zones(json.loads(json.dumps(zones_to_geojson(zs))), "zones.geojson")
    assert as_geojson.zones == zs.zones


def test_daily_periods_become_weekly_windows_in_utc() -> None:
    doc = {
        "UASZoneList": [
            {
                "identifier": "Z1",
                "restriction": "PROHIBITED",
                "applicability": [
                    {
                        "permanent": "NO",
                        "startDateTime": "2026-01-01T00:00:00Z",
                        "dailyPeriod": [
                            {"day": ["MON", "TUE"], "startTime": "08:00:00", "endTime": "10:00:00"}
                        ],
                    }
                ],
                "geometry": [
                    {
                        "uomDimensions": "FT",
                        "lowerLimit": 0,
                        "lowerVerticalReference": "AGL",
                        "upperLimit": 400,
                        "upperVerticalReference": "AGL",
                        "horizontalProjection": {
                            "type": "Circle",
                            "center": [7.47, 46.97],
                            "radius": 1000,
                        },
                    }
                ],
            }
        ]
    }
    (z,) = parse_ed269(doc, "z.json").zones
    assert z.kind is ZoneKind.NO_FLY
    assert z.volumes[0].ceiling.value == pytest.approx(121.92)
    assert z.volumes[0].radius == pytest.approx(304.8)
    assert z.schedule[0].time_zone == "UTC"
    assert z.is_active(dt.datetime(2026, 12, 7, 9, tzinfo=dt.UTC))  # Monday 09:00 UTC
    assert not z.is_active(dt.datetime(2026, 12, 9, 9, tzinfo=dt.UTC))  # Wednesday
    assert parse_ed269(to_ed269(parse_ed269(doc, "z.json")), "again").zones == (z,)


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda z: z.update(restriction="FORBIDDEN"), "UASZoneList[0].restriction"),
        (
            lambda z: z["geometry"][0]["horizontalProjection"].update(radius=-5),
            "UASZoneList[0].geometry[0].horizontalProjection.radius",
        ),
        (lambda z: z["geometry"][0].update(upperLimit="high"), "UASZoneList[0].geometry[0]"),
        (lambda z: z.update(colour="red"), "UASZoneList[0].colour"),
    ],
)
def test_bad_ed269_names_the_field(mutate, path: str) -> None:
    zone = {
        "identifier": "Z1",
        "restriction": "PROHIBITED",
        "geometry": [
            {
                "lowerLimit": 0,
                "upperLimit": 100,
                "horizontalProjection": {"type": "Circle", "center": [7.47, 46.97], "radius": 100},
            }
        ],
    }
    mutate(zone)
    with pytest.raises(ModelError) as err:
        parse_ed269({"UASZoneList": [zone]}, "z.json")
    assert err.value.issues[0].path == path
