from __future__ import annotations

import pytest
from typer.testing import CliRunner

from sim import __version__
from sim.cli import app
from tests.conftest import ROOT

runner = CliRunner()


def test_version() -> None:
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0
    assert result.output.strip() == f"testzone {__version__}"


def test_info_summarises_a_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["info", "scenarios/mixed-zone-day.toml"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    out = result.output
    for text in (
        "Mixed test-zone day",
        "Monday",
        "icv-01",
        "uav-01",
        "usv-01",
        "P-UAV-101",
        "no-fly-airport",
        "close_zone",
        "bg-expressway",
        "6.25 km",
    ):
        assert text in out
    # The school zone (07:00-09:00 on weekdays) ends when this 09:00 scenario starts.
    school = next(line for line in out.splitlines() if "cond-school" in line)
    assert "inactive" in school


def test_info_shows_when_a_zone_is_active(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(
        app, ["info", "scenarios/urban-icv-road-test.toml"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    school = next(line for line in result.output.splitlines() if "speed-school" in line)
    assert "whole run" in school  # 08:30 start, 20 min long: inside 07:00-09:00


def test_info_on_invalid_scenario_exits_2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, ["info", "tests/data/bad/disconnected-route.toml"])
    assert result.exit_code == 2
    assert 'agent["a1"].route[1]: route is disconnected' in result.output


@pytest.mark.parametrize(
    "args", [[], ["validate"], ["frobnicate"], ["validate", "--nope", "x.toml"]]
)
def test_usage_errors_exit_2(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert "Traceback" not in result.output


def test_missing_file_exits_2(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["validate", "nope.toml"])
    assert result.exit_code == 2
    assert "nope.toml: file not found" in result.output


def test_run_writes_a_trace(monkeypatch: pytest.MonkeyPatch, tmp_path) -> None:
    monkeypatch.chdir(ROOT)
    out = tmp_path / "u.tztrace"
    result = runner.invoke(
        app,
        [
            "run",
            "scenarios/uav-corridor-deliveries.toml",
            "-o",
            str(out),
            "--until",
            "60",
            "--seed",
            "3",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.is_file() and not (tmp_path / "u.tztrace.part").exists()
    assert "real-time factor" in result.output and "spawned" in result.output

    from sim.trace import TraceReader

    with TraceReader(out) as r:
        assert r.header["seed"] == 3
        assert r.times[-1] == pytest.approx(60.0)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["run", "tests/data/bad/disconnected-route.toml"], "route is disconnected"),
        (["run", "scenarios/uav-corridor-deliveries.toml", "--until", "-5"], "--until"),
        (
            ["run", "scenarios/uav-corridor-deliveries.toml", "--record-every", "0"],
            "--record-every",
        ),
        (
            ["run", "scenarios/uav-corridor-deliveries.toml", "-o", "no/such/dir/x.tztrace"],
            "does not exist",
        ),
    ],
)
def test_run_rejects_bad_input(
    args: list[str], message: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(ROOT)
    result = runner.invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_import_sumo_writes_a_valid_map(tmp_path, shared_data) -> None:
    out = tmp_path / "ingolstadt.geojson"
    result = runner.invoke(
        app,
        ["import", "sumo", str(shared_data / "sumo" / "resco_ingolstadt1.net.xml"), "-o", str(out)],
    )
    assert result.exit_code == 0, result.output
    check = runner.invoke(app, ["validate", str(out)])
    assert check.exit_code == 0, check.output
    bad = runner.invoke(
        app,
        [
            "import",
            "sumo",
            str(shared_data / "osm" / "osmnx_West-Oakland.osm"),
            "-o",
            str(tmp_path / "x.geojson"),
        ],
    )
    assert bad.exit_code == 2
    assert "Traceback" not in bad.output
    assert not (tmp_path / "x.geojson").exists()
