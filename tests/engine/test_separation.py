"""UAV conflicts and losses of separation during a run."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.commands.run import simulate
from sim.model.bundle import load_scenario
from sim.trace import TraceReader
from tests.conftest import ROOT

SCENARIO = """
name = "Head-on drones"
start = 2026-12-09T14:00:00+08:00
duration = "8 min"
seed = 1
map = "../maps/lingang-demo.geojson"
zones = ["../maps/lingang-demo.zones.geojson"]
permits = ["permits/lingang-permits.toml"]

[[agent]]
id = "uav-01"
type = "uav-small-delivery"
permit = "P-UAV-101"
route = ["VP-BASE", "W1", "W2", "W3", "VP-HUB"]
altitude = "90 m AGL"

[[agent]]
id = "uav-03"
type = "uav-small-delivery"
permit = "P-UAV-101"
route = ["VP-HUB", "W3", "W2", "W1", "VP-BASE"]
altitude = "{alt} m AGL"
"""


def _run(tmp_path: Path, alt: int) -> dict:
    shutil.copytree(ROOT / "maps", tmp_path / "maps")
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    path = tmp_path / "scenarios" / "head-on.toml"
    path.write_text(SCENARIO.replace("{alt}", str(alt)))
    out = tmp_path / "t.tztrace"
    simulate(load_scenario(path), out)
    with TraceReader(out) as r:
        return {"summary": r.summary, "events": r.events}


def test_head_on_drones_at_one_altitude_lose_separation(tmp_path: Path) -> None:
    run = _run(tmp_path, 90)
    kinds = [e["kind"] for e in run["events"]]
    assert "conflict" in kinds and "separation_loss" in kinds
    first_conflict = next(e for e in run["events"] if e["kind"] == "conflict")
    first_loss = next(e for e in run["events"] if e["kind"] == "separation_loss")
    assert first_conflict["t"] < first_loss["t"]  # detected ahead of time
    assert first_conflict["tcpa"] > 0
    assert run["summary"]["verdict"] == "fail"
    # 90 m AGL over launch sites 3.5 m apart in height: they pass 3.5 m apart vertically,
    # inside the protected zone but clear of each other's bodies
    assert run["summary"]["violations"] == {"separation.loss": 1}
    assert run["summary"]["collisions"] == 0


@pytest.mark.parametrize("alt", [110])
def test_vertical_separation_keeps_them_apart(tmp_path: Path, alt: int) -> None:
    run = _run(tmp_path, alt)
    assert run["summary"]["uav_separation_losses"] == 0
    assert run["summary"]["verdict"] == "pass"


def test_mvp_resolution_splits_head_on_drones_vertically(tmp_path: Path) -> None:
    # the case above (3.5 m apart in height, head-on on one corridor), now resolved
    shutil.copytree(ROOT / "maps", tmp_path / "maps")
    shutil.copytree(ROOT / "scenarios", tmp_path / "scenarios")
    path = tmp_path / "scenarios" / "head-on.toml"
    text = SCENARIO.replace("{alt}", "90")
    path.write_text(text + '\n[separation]\nresolution = "mvp"\n')
    out = tmp_path / "t.tztrace"
    simulate(load_scenario(path), out)
    with TraceReader(out) as r:
        summary, events = r.summary, r.events
    kinds = [e["kind"] for e in events]
    assert "conflict" in kinds
    assert summary["uav_separation_losses"] == 0 and summary["verdict"] == "pass"
    assert summary["uav_resolutions"] == 2
    starts = {e["agent"] for e in events if e["kind"] == "resolution"}
    resumes = {e["agent"] for e in events if e["kind"] == "resume"}
    assert starts == resumes == {"uav-01", "uav-03"}  # both manoeuvre, both resume their plan
    assert [e["agent"] for e in events if e["kind"] == "arrive"].count("uav-01") == 1
