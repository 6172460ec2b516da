"""``testzone check``, ``testzone rules`` and ``testzone import ed269`` from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.model.ed269 import load_ed269
from sim.model.zone_file import load_zones
from sim.rules.catalogue import catalogue
from tests.conftest import ROOT, TEST_DATA

runner = CliRunner()
KEYS = {"rule", "severity", "agent", "zone", "time", "where", "article", "message"}


@pytest.fixture(autouse=True)
def _at_root(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)


def test_check_permitted_exits_0_with_text() -> None:
    result = runner.invoke(app, ["check", "tests/data/checks/base-uav.toml"])
    assert result.exit_code == 0, result.output
    assert "PERMITTED (0 errors, 0 warnings;" in result.output


def test_check_refused_exits_1_and_says_what_to_change() -> None:
    result = runner.invoke(app, ["check", "scenarios/uav-hospital-unauthorised.toml"])
    assert result.exit_code == 1, result.output
    out = result.output
    assert "REFUSED (1 error, 0 warnings" in out
    assert "ERROR    zone.authorisation  uav-21  zone auth-hospital" in out
    assert "-> add zone auth-hospital to permit P-UAV-102, or route uav-21 around it" in out


def test_check_json_is_the_design_contract() -> None:
    result = runner.invoke(app, ["check", "scenarios/urban-icv-road-test.toml", "-f", "json"])
    assert result.exit_code == 1
    doc = json.loads(result.output)
    assert set(doc) == {"scenario", "verdict", "violations", "rules_checked"}
    assert doc["verdict"] == "refused"
    for v in doc["violations"]:
        assert set(v) == KEYS
        assert v["severity"] in ("error", "warning")
        assert v["rule"] in catalogue()
        assert len(v["time"]) == 2 and len(v["where"]) == 3
    assert all(r in catalogue() for r in doc["rules_checked"])


def test_check_writes_the_report_to_a_file(tmp_path: Path) -> None:
    out = tmp_path / "report.json"
    result = runner.invoke(
        app, ["check", "scenarios/ship-deep-draught.toml", "--format", "json", "-o", str(out)]
    )
    assert result.exit_code == 1
    assert "wrote" in result.output and "refused" in result.output
    doc = json.loads(out.read_text())
    assert [v["rule"] for v in doc["violations"]] == ["ship.draught"]
    assert list(tmp_path.iterdir()) == [out]  # no temporary file left


def test_check_bad_input_exits_2_naming_file_and_field() -> None:
    result = runner.invoke(app, ["check", "tests/data/bad/unknown-field-agent.toml"])
    assert result.exit_code == 2
    assert "tests/data/bad/unknown-field-agent.toml" in result.output
    assert "Traceback" not in result.output


def test_check_bad_usage_exits_2(tmp_path: Path) -> None:
    result = runner.invoke(app, ["check", "tests/data/checks/base-uav.toml", "-f", "yaml"])
    assert result.exit_code == 2
    assert "--format" in result.output
    result = runner.invoke(
        app, ["check", "tests/data/checks/base-uav.toml", "-o", str(tmp_path / "no" / "r.txt")]
    )
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_check_a_history_for_an_unknown_section_is_invalid(tmp_path: Path) -> None:
    text = (TEST_DATA / "checks" / "base-icv.toml").read_text()
    text += '\n[agent.history]\nautomated_time = "300 h"\nsections = ["R-A-X"]\n'
    (tmp_path / "s.toml").write_text(
        text.replace('"map.geojson"', f'"{TEST_DATA}/checks/map.geojson"').replace(
            '"zones.geojson"', f'"{TEST_DATA}/checks/zones.geojson"'
        )
    )
    result = runner.invoke(app, ["check", str(tmp_path / "s.toml")])
    assert result.exit_code == 2
    assert "history.sections[0]: unknown road edge 'R-A-X'" in result.output


def test_rules_lists_the_catalogue() -> None:
    result = runner.invoke(app, ["rules"], env={"COLUMNS": "200"})
    assert result.exit_code == 0
    for rid in catalogue():
        assert rid in result.output
    assert "rests on: Decree 761 Art. 19" in result.output


def test_rules_json() -> None:
    result = runner.invoke(app, ["rules", "--format", "json"])
    assert result.exit_code == 0
    rules = json.loads(result.output)
    assert {r["id"] for r in rules} == set(catalogue())
    assert {"title", "article", "confidence", "severity", "stage"} <= set(rules[0])


@pytest.mark.parametrize(
    "name",
    ["interuss_che_cis_source_sample_ed269.json", "eurocontrol_geofencing_service_uas_zones.json"],
)
def test_import_ed269_real_files(shared_data: Path, tmp_path: Path, name: str) -> None:
    src = shared_data / "ed269" / name
    out = tmp_path / "zones.geojson"
    result = runner.invoke(app, ["import", "ed269", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    back = load_zones(out)
    assert back.zones == load_ed269(src).zones
    assert runner.invoke(app, ["validate", str(out)]).exit_code == 0


def test_import_ed269_of_a_testzone_zone_file_gives_geojson(tmp_path: Path) -> None:
    src = ROOT / "maps" / "lingang-demo.zones.geojson"
    out = tmp_path / "z.geojson"
    result = runner.invoke(app, ["import", "ed269", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert load_zones(out).zones == load_zones(src).zones


def test_import_ed269_bad_input_exits_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"UASZoneList": [{"identifier": "X"}]}')
    out = tmp_path / "z.geojson"
    result = runner.invoke(app, ["import", "ed269", str(bad), "-o", str(out)])
    assert result.exit_code == 2
    assert "bad.json: UASZoneList" in result.output
    assert not out.exists()


def test_import_ed269_keeps_testzone_only_fields(tmp_path: Path) -> None:
    src = TEST_DATA / "checks" / "zones.geojson"
    out = tmp_path / "z.geojson"
    result = runner.invoke(app, ["import", "ed269", str(src), "-o", str(out)])
    assert result.exit_code == 0, result.output
    back = {z.id: z for z in load_zones(out).zones}
    assert back == {z.id: z for z in load_zones(src).zones}
    assert back["temp-late"].published is not None
    assert back["cap-river"].rules.max_altitude is not None
