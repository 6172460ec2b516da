"""The static check as a whole: bundled scenarios, determinism, speed, and ED-269 zones."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from sim.model.bundle import load_scenario, parse_scenario
from sim.rules.check import check_bundle
from sim.rules.context import Context
from tests.conftest import ROOT

REFUSED = {
    "urban-icv-road-test.toml": "speed.zone",
    "uav-hospital-unauthorised.toml": "zone.authorisation",
    "icv-night-road-test.toml": "icv.night",
    "ship-deep-draught.toml": "ship.draught",
    "uav-late-application.toml": "uav.application_deadline",
}
SCENARIOS = sorted(p.name for p in (ROOT / "scenarios").glob("*.toml"))


@pytest.mark.parametrize("name", SCENARIOS)
def test_bundled_scenario_verdicts(name: str) -> None:
    report = check_bundle(load_scenario(ROOT / "scenarios" / name))
    errors = {v.rule for v in report.violations if v.severity == "error"}
    if name in REFUSED:
        assert report.verdict == "refused"
        assert errors == {REFUSED[name]}
    else:
        assert report.verdict == "permitted", errors


def test_at_least_three_bundled_scenarios_are_refused_for_different_reasons() -> None:
    assert len(set(REFUSED.values())) >= 3
    assert set(REFUSED) <= set(SCENARIOS)


def test_report_is_deterministic_and_json_is_the_contract() -> None:
    path = ROOT / "scenarios" / "mixed-zone-day.toml"
    a = json.dumps(check_bundle(load_scenario(path)).to_json(), sort_keys=True)
    b = json.dumps(check_bundle(load_scenario(path)).to_json(), sort_keys=True)
    assert a == b
    doc = json.loads(a)
    assert sorted(doc) == sorted(["scenario", "verdict", "violations", "rules_checked"])
    assert doc["verdict"] == "permitted"
    assert doc["rules_checked"] == sorted(doc["rules_checked"])


def test_check_of_the_bundled_scenarios_is_fast() -> None:
    bundles = [load_scenario(ROOT / "scenarios" / n) for n in SCENARIOS]
    check_bundle(bundles[0])  # numba warm-up (cached on disk after the first run)
    t0 = time.perf_counter()
    for b in bundles:
        check_bundle(b)
    per = (time.perf_counter() - t0) / len(bundles)
    assert per < 0.5, f"{per:.3f} s per scenario"


def _geo_map(tmp_path: Path, lon: float, lat: float) -> str:
    west, east = [lon - 0.009, lat], [lon + 0.009, lat]
    doc = {
        "type": "FeatureCollection",
        "testzone": {
            "format": "testzone-map",
            "name": "ED-269 test",
            "crs": "wgs84",
            "origin": {"lon": lon, "lat": lat},
            "ground_elevation": 400.0,
        },
        "features": [
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": west},
             "properties": {"layer": "air", "kind": "vertiport", "id": "VP-W"}},
            {"type": "Feature", "geometry": {"type": "Point", "coordinates": east},
             "properties": {"layer": "air", "kind": "vertiport", "id": "VP-E"}},
            {"type": "Feature", "geometry": {"type": "LineString", "coordinates": [west, east]},
             "properties": {"layer": "air", "kind": "corridor", "id": "C-WE", "from": "VP-W",
                            "to": "VP-E", "floor": "30 m AGL", "ceiling": "100 m AGL",
                            "width": 50, "direction": "both"}},
        ],
    }  # fmt: skip
    (tmp_path / "map.geojson").write_text(json.dumps(doc))
    return str(tmp_path / "map.geojson")


def _scenario(tmp_path: Path, the_map: str, zones: Path, start: str, permit_zones: list[str]):
    doc = {
        "name": "ED-269 as a zone file",
        "start": start,
        "duration": "20 min",
        "map": the_map,
        "zones": [str(zones)],
        "permit": [
            {
                "id": "P-1",
                "operator": "Test",
                "vehicles": ["uav-1"],
                "phase": "uav_operation",
                "valid_from": "2020-01-01T00:00:00+00:00",
                "valid_until": "2030-01-01T00:00:00+00:00",
                "zones": permit_zones,
                "conditions": {"bvlos": True},
                "evidence": {"registration": "R-1", "certificates": ["OC-1"]},
            }
        ],
        "agent": [
            {
                "id": "uav-1",
                "type": "uav-light-quad",
                "permit": "P-1",
                "route": ["VP-W", "VP-E"],
                "altitude": "60 m AGL",
            }
        ],
    }
    return parse_scenario(doc, tmp_path / "s.toml")


def test_interuss_ed269_zone_used_directly(shared_data: Path, tmp_path: Path) -> None:
    zones = shared_data / "ed269" / "interuss_che_cis_source_sample_ed269.json"
    the_map = _geo_map(tmp_path, 6.1685, 46.215)
    start = "2026-12-09T10:00:00+01:00"
    report = check_bundle(_scenario(tmp_path, the_map, zones, start, []))
    assert report.verdict == "refused"
    (v,) = report.violations
    assert (v.rule, v.zone, v.agent) == ("zone.authorisation", "LSXX", "uav-1")
    assert v.hint == "add zone LSXX to permit P-1, or route uav-1 around it"
    ok = check_bundle(_scenario(tmp_path, the_map, zones, start, ["LSXX"]))
    assert ok.verdict == "permitted" and ok.violations == ()


def test_eurocontrol_ed269_draft_zones_used_directly(shared_data: Path, tmp_path: Path) -> None:
    zones = shared_data / "ed269" / "eurocontrol_geofencing_service_uas_zones.json"
    the_map = _geo_map(tmp_path, 4.37, 50.84)  # inside the Brussels zone (NO_RESTRICTION)
    bundle = _scenario(tmp_path, the_map, zones, "2026-12-07T13:00:00+00:00", [])
    report = check_bundle(bundle)
    assert report.verdict == "permitted" and report.violations == ()
    assert "zone.authorisation" in report.rules_checked
    ctx = Context(bundle)  # the plan does meet the Brussels zone (advisory: no rule)
    assert {ctx.fences.zone_ids[h.zone] for h in ctx.hits} == {"28525c8"}
