"""The bundled maps, zones, permits and scenarios are valid and mean what they say."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.model.bundle import load_scenario
from sim.model.map import Corridor, Road, RoadClass, Vertiport, Waterway
from sim.model.map_file import load_map
from sim.model.vehicle import Domain
from sim.model.zone import ZoneKind
from sim.model.zone_file import load_zones
from tests.conftest import ROOT

SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
MAPS = sorted((ROOT / "maps").glob("*"))


def test_validate_command_accepts_every_bundled_file(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    files = [
        str(p.relative_to(ROOT))
        for p in [*SCENARIOS, *MAPS, *sorted((ROOT / "scenarios").rglob("permits/*.toml"))]
    ]
    result = CliRunner().invoke(app, ["validate", *files])
    assert result.exit_code == 0, result.output
    assert result.output.count("ok  ") == len(files)


def test_at_least_five_scenarios_cover_all_domains() -> None:
    assert len(SCENARIOS) >= 5
    domains_per_scenario = []
    for path in SCENARIOS:
        b = load_scenario(path)
        domains_per_scenario.append({b.domain_of(a) for a in b.scenario.agent})
    assert {Domain.ICV} in domains_per_scenario
    assert {Domain.UAV} in domains_per_scenario
    assert {Domain.SHIP} in domains_per_scenario
    assert {Domain.ICV, Domain.UAV, Domain.SHIP} in domains_per_scenario


def test_demo_map_has_what_the_issue_asks_for() -> None:
    m = load_map(ROOT / "maps" / "lingang-demo.geojson")
    classes = {r.road_class for r in m.of_type(Road)}
    assert {
        RoadClass.URBAN,
        RoadClass.URBAN_EXPRESSWAY,
        RoadClass.HIGHWAY,
        RoadClass.TEST_AREA,
    } <= classes
    assert len(m.of_type(Vertiport)) >= 2
    for c in m.of_type(Corridor):
        assert 60.0 <= c.floor.value < c.ceiling.value <= 120.0
    assert m.of_type(Waterway)
    assert any(j.signal is not None for j in m.nodes("road").values())  # type: ignore[attr-defined]


def test_demo_zones_have_the_required_kinds() -> None:
    zs = load_zones(ROOT / "maps" / "lingang-demo.zones.geojson")
    kinds = {z.kind for z in zs.zones}
    assert {
        ZoneKind.NO_FLY,
        ZoneKind.AUTHORISATION_REQUIRED,
        ZoneKind.CONDITIONAL,
        ZoneKind.TEST_WATERS,
    } <= kinds
    weekly = [
        z for z in zs.zones if z.kind is ZoneKind.CONDITIONAL and any(s.weekly for s in z.schedule)
    ]
    assert len(weekly) >= 2


def test_demo_map_is_the_generators_output(tmp_path: Path) -> None:
    """maps/ must be regenerated with tools/make_demo_data.py, never edited by hand."""
    import importlib.util

    spec = importlib.util.spec_from_file_location(
        "make_demo_data", ROOT / "tools" / "make_demo_data.py"
    )
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    mod.write(tmp_path / "m.geojson", mod.build_map())
    mod.write(tmp_path / "z.geojson", mod.build_zones())
    assert (tmp_path / "m.geojson").read_bytes() == (
        ROOT / "maps" / "lingang-demo.geojson"
    ).read_bytes()
    assert (tmp_path / "z.geojson").read_bytes() == (
        ROOT / "maps" / "lingang-demo.zones.geojson"
    ).read_bytes()
