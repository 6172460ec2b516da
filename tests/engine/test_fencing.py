"""Fences at run time: breaches are detected, reported and acted on."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.commands.run import simulate
from sim.model.bundle import load_scenario
from sim.state.fleet import ARRIVED, HELD
from sim.trace import TraceReader
from tests.conftest import ROOT


def _copy_demo(tmp: Path) -> Path:
    shutil.copytree(ROOT / "maps", tmp / "maps")
    shutil.copytree(ROOT / "scenarios", tmp / "scenarios")
    return tmp / "scenarios"


def _add_local_zone(tmp: Path, props: dict, center: tuple[float, float], scenario: str) -> Path:
    """Add a circle zone (local metres) in its own zone file to a copy of a scenario."""
    doc = {
        "type": "FeatureCollection",
        "testzone": {"format": "testzone-zones", "crs": "local", "time_zone": "Asia/Shanghai"},
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": list(center)},
                "properties": props,
            }
        ],
    }
    (tmp / "maps" / "extra.zones.geojson").write_text(json.dumps(doc))
    path = tmp / "scenarios" / scenario
    text = path.read_text().replace(
        'zones = ["../maps/lingang-demo.zones.geojson"]',
        'zones = ["../maps/lingang-demo.zones.geojson", "../maps/extra.zones.geojson"]',
    )
    path.write_text(text)
    return path


def _events(trace: Path, kind: str) -> list[dict]:
    with TraceReader(trace) as r:
        return [e for e in r.events if e["kind"] == kind]


@pytest.mark.parametrize("action", ["land", "return", "hold"])
def test_uav_entering_a_no_fly_zone_breaches_and_obeys_the_action(
    tmp_path: Path, action: str
) -> None:
    _copy_demo(tmp_path)
    # a no-fly circle on corridor W1-W2 (from (2000,-700) to (1200,200)), uav-01's route
    path = _add_local_zone(
        tmp_path,
        {"id": "nfz-test", "kind": "no_fly", "radius": 80, "rules": {"breach_action": action}},
        (1600.0, -250.0),
        "uav-corridor-deliveries.toml",
    )
    # uav-03 leaves the base later, so that a returning uav-01 finds the pad free
    path.write_text(path.read_text().replace('depart = "3 min"', 'depart = "20 min"'))
    bundle = load_scenario(path)
    out = tmp_path / "t.tztrace"
    sim, result = simulate(bundle, out)
    breaches = [e for e in _events(out, "breach") if e["agent"] == "uav-01"]
    assert (
        breaches and breaches[0]["rule"] == "fence.prohibited" and breaches[0]["zone"] == "nfz-test"
    )
    assert breaches[0]["action"] == action
    assert result.summary["verdict"] == "fail"
    f = sim.fleet
    i = f.index["uav-01"]
    arrivals = [e["agent"] for e in _events(out, "arrive")]
    if action == "land":
        assert [e["agent"] for e in _events(out, "landed")] == ["uav-01"]
        assert "uav-01" not in arrivals
        assert np.hypot(f.x[i] - 1600.0, f.y[i] + 250.0) < 200.0  # came down near the zone
    elif action == "return":
        assert "uav-01" in arrivals and f.status[i] == ARRIVED
        assert np.hypot(f.x[i] - 2000.0, f.y[i] + 1200.0) < 1.0  # back at VP-BASE
    else:
        assert f.status[i] == HELD and "uav-01" not in arrivals


def test_closing_a_zone_during_the_run_catches_the_uav_inside(tmp_path: Path) -> None:
    _copy_demo(tmp_path)
    # a zone over the hub vertiport that is only active from 2027 on, closed at t = 200 s
    path = _add_local_zone(
        tmp_path,
        {
            "id": "hub-closure",
            "kind": "no_fly",
            "radius": 300,
            "rules": {"breach_action": "hold"},
            "schedule": {"start": "2027-01-01T00:00:00+08:00"},
        },
        (300.0, 1300.0),
        "uav-corridor-deliveries.toml",
    )
    text = (
        path.read_text()
        + '\n[[event]]\nat = "200 s"\naction = "close_zone"\nzone = "hub-closure"\n'
    )
    path.write_text(text)
    out = tmp_path / "t.tztrace"
    simulate(load_scenario(path), out)
    breaches = _events(out, "breach")
    assert [e["agent"] for e in breaches] == ["uav-01"]  # it lands at the hub later on
    assert breaches[0]["t"] >= 200.0


def test_entering_an_authorisation_zone_needs_the_permit_to_name_it(tmp_path: Path) -> None:
    scenarios = _copy_demo(tmp_path)
    permits = scenarios / "permits" / "lingang-permits.toml"
    permits.write_text(
        permits.read_text().replace(
            'zones = ["uav-test-base", "auth-hospital"]', 'zones = ["uav-test-base"]'
        )
    )
    out = tmp_path / "t.tztrace"
    simulate(load_scenario(scenarios / "uav-corridor-deliveries.toml"), out)
    breaches = _events(out, "breach")
    assert [(e["agent"], e["rule"], e["zone"]) for e in breaches] == [
        ("uav-02", "fence.authorisation", "auth-hospital")
    ]


def test_run_exits_1_and_lists_the_violations(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(
        app, ["run", "scenarios/urban-icv-road-test.toml", "-o", str(tmp_path / "u.tztrace")]
    )
    assert result.exit_code == 1
    # as `testzone check` prints a violation: severity, rule, agent, zone, time, place, article
    assert "ERROR    fence.speeding  icv-01  zone speed-school  t=0:4" in result.output
    assert "[the zone's own rules (max_speed)] (action: warn)" in result.output
    assert "verdict" in result.output


@pytest.mark.parametrize(
    ("zone_action", "permit_action", "expected"),
    [("warn", "land", "land"), ("land", "warn", "land"), ("hold", "return", "return")],
)
def test_the_stricter_of_the_zone_and_permit_breach_action_is_carried_out(
    tmp_path: Path, zone_action: str, permit_action: str, expected: str
) -> None:
    scenarios = _copy_demo(tmp_path)
    path = _add_local_zone(
        tmp_path,
        {"id": "nfz-test", "kind": "no_fly", "radius": 80, "rules": {"breach_action": zone_action}},
        (1600.0, -250.0),
        "uav-corridor-deliveries.toml",
    )
    path.write_text(path.read_text().replace('depart = "3 min"', 'depart = "20 min"'))
    permits = scenarios / "permits" / "lingang-permits.toml"
    permits.write_text(
        permits.read_text().replace(
            'altitude_cap = "120 m AGL"',
            f'altitude_cap = "120 m AGL"\nbreach_action = "{permit_action}"',
        )
    )
    out = tmp_path / "t.tztrace"
    simulate(load_scenario(path), out)
    breaches = [e for e in _events(out, "breach") if e["agent"] == "uav-01"]
    assert breaches and breaches[0]["action"] == expected
    landed = [e["agent"] for e in _events(out, "landed")]
    assert ("uav-01" in landed) == (expected == "land")
