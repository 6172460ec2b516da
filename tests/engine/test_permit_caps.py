"""The permit's own caps during a run, and run violations in the checker's Violation form."""

from __future__ import annotations

import shutil
from pathlib import Path

from sim.commands.run import simulate
from sim.model.bundle import load_scenario
from sim.rules.check import check_bundle
from sim.trace import TraceReader
from tests.conftest import ROOT

KEYS = ["rule", "severity", "agent", "zone", "time", "where", "article", "message"]


def _copy(tmp: Path) -> Path:
    shutil.copytree(ROOT / "maps", tmp / "maps")
    shutil.copytree(ROOT / "scenarios", tmp / "scenarios")
    return tmp / "scenarios"


def _run(path: Path, tmp: Path) -> dict:
    out = tmp / "t.tztrace"
    simulate(load_scenario(path), out)
    with TraceReader(out) as r:
        return r.summary


def test_going_above_the_permit_caps_is_refused_before_and_caught_during_the_run(
    tmp_path: Path,
) -> None:
    scenarios = _copy(tmp_path)
    permits = scenarios / "permits" / "lingang-permits.toml"
    # P-UAV-101: 72 km/h and 120 m AGL; lower both below what uav-01 flies (15 m/s, 90 m AGL)
    permits.write_text(
        permits.read_text()
        .replace('altitude_cap = "120 m AGL"', 'altitude_cap = "80 m AGL"')
        .replace('speed_cap = "72 km/h"', 'speed_cap = "40 km/h"')
    )
    path = scenarios / "uav-corridor-deliveries.toml"
    static = {(v.rule, v.agent) for v in check_bundle(load_scenario(path)).violations}
    assert ("speed.permit_cap", "uav-01") in static
    assert ("uav.altitude_cap", "uav-01") in static
    summary = _run(path, tmp_path)
    assert summary["verdict"] == "fail"
    records = [r for r in summary["violation_records"] if r["agent"] == "uav-01"]
    rules = {r["rule"] for r in records}
    assert rules == {"permit.speed_exceeded", "permit.altitude_exceeded"}
    for r in records:
        assert sorted(r) == sorted(KEYS) and r["severity"] == "error"
        assert "P-UAV-101" in r["message"] and "the permit's own terms" in r["article"]
        assert r["time"][0] == r["time"][1] > 0 and len(r["where"]) == 3
    # one record per episode, not one per tick
    assert summary["violations"]["permit.altitude_exceeded"] <= 4


def test_run_violations_use_the_checkers_violation_form(tmp_path: Path) -> None:
    summary = _run(ROOT / "scenarios" / "urban-icv-road-test.toml", tmp_path)
    records = summary["violation_records"]
    assert records and all(sorted(r) == sorted(KEYS) for r in records)
    speeding = [r for r in records if r["rule"] == "fence.speeding"]
    assert speeding and speeding[0]["zone"] == "speed-school"
    assert speeding[0]["article"] == "the zone's own rules (max_speed)"
    assert sum(summary["violations"].values()) == len(records)


def test_a_clean_run_has_no_permit_cap_violations(tmp_path: Path) -> None:
    summary = _run(ROOT / "scenarios" / "uav-corridor-deliveries.toml", tmp_path)
    assert summary["verdict"] == "pass" and summary["violation_records"] == []
