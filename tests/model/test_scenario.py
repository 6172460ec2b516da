from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.model.bundle import load_scenario
from sim.model.errors import ModelError
from sim.model.scenario import AgentEvent, ZoneEvent
from sim.model.vehicle import Domain
from tests.conftest import ROOT, TEST_DATA


def test_small_scenario_resolves_everything() -> None:
    b = load_scenario(TEST_DATA / "good" / "small.toml")
    s = b.scenario
    assert s.duration == 600.0
    assert [a.depart for a in s.agent] == [0.0, 60.0, 0.0]
    assert s.agent[0].speed == pytest.approx(40 / 3.6)
    assert isinstance(s.event[0], ZoneEvent) and s.event[0].at == 300.0
    assert set(b.permits) == {"P-1", "P-UAV"}
    assert b.domain_of(s.agent[1]) is Domain.UAV
    assert b.domain_of(s.flow[0]) is Domain.ICV
    assert set(b.zones) == {"NF1", "TA1", "C1", "TW1"}
    assert len(b.digest) == 64


def test_datetimes_become_seconds_after_start() -> None:
    b = load_scenario(ROOT / "scenarios" / "mixed-zone-day.toml")
    events = b.scenario.event
    assert events[-1].at == 1200.0  # 09:20 for a 09:00 start
    assert isinstance(events[1], AgentEvent)
    hw = load_scenario(ROOT / "scenarios" / "highway-demo-operation.toml")
    assert hw.scenario.agent[1].depart == 90.0


def test_digest_is_stable_and_tracks_every_input(tmp_path: Path) -> None:
    src = TEST_DATA / "good"
    for f in src.iterdir():
        shutil.copy(f, tmp_path / f.name)
    d1 = load_scenario(tmp_path / "small.toml").digest
    assert load_scenario(tmp_path / "small.toml").digest == d1
    zones = tmp_path / "small-zones.geojson"
    zones.write_text(zones.read_text().replace('"radius": 50', '"radius": 51'))
    assert load_scenario(tmp_path / "small.toml").digest != d1


def test_problems_in_referenced_files_are_reported_with_their_names(tmp_path: Path) -> None:
    src = TEST_DATA / "good"
    for f in src.iterdir():
        shutil.copy(f, tmp_path / f.name)
    m = tmp_path / "small-map.geojson"
    m.write_text(m.read_text().replace('"lanes": 3', '"lanes": 0'))
    p = tmp_path / "small-permits.toml"
    p.write_text(p.read_text().replace('zones = ["TA1"]', 'zones = ["TA2"]'))
    with pytest.raises(ModelError) as err:
        load_scenario(tmp_path / "small.toml")
    text = str(err.value)
    assert 'small-map.geojson: features["E2"].properties.lanes:' in text
    # The permit reference is checked once the map is valid again.
    m.write_text(m.read_text().replace('"lanes": 0', '"lanes": 3'))
    with pytest.raises(ModelError) as err:
        load_scenario(tmp_path / "small.toml")
    assert (
        "small-permits.toml: permit[\"P-1\"].zones[0]: unknown zone 'TA2' (did you mean 'TA1'?)"
        in str(err.value)
    )


def test_an_ed269_file_can_be_a_scenarios_zone_file(tmp_path: Path, shared_data: Path) -> None:
    for f in (TEST_DATA / "good").iterdir():
        shutil.copy(f, tmp_path / f.name)
    ed = shared_data / "ed269" / "interuss_che_cis_source_sample_ed269.json"
    text = (tmp_path / "small.toml").read_text()
    text = text.replace(
        'zones = ["small-zones.geojson"]', f'zones = ["small-zones.geojson", "{ed}"]'
    )
    (tmp_path / "small.toml").write_text(text)
    b = load_scenario(tmp_path / "small.toml")
    assert "LSXX" in b.zones and "NF1" in b.zones


def _with(tmp_path: Path, text: str) -> Path:
    """The small scenario with ``text`` appended (as a new file next to its inputs)."""
    src = TEST_DATA / "good"
    for f in src.iterdir():
        shutil.copy(f, tmp_path / f.name)
    p = tmp_path / "v2x.toml"
    p.write_text((src / "small.toml").read_text() + "\n" + text, encoding="utf-8")
    return p


def test_v2x_table_faults_and_connected_flags_load() -> None:
    b = load_scenario(ROOT / "scenarios" / "expressway-platoon-blackout.toml")
    s = b.scenario
    assert s.v2x.platoon_max == 6 and s.v2x.range == 300.0 and s.v2x.latency == 0.1
    assert all(a.connected for a in s.agent) and s.flow[0].connected == 0.1
    fault = s.event[0]
    assert fault.action == "v2x_degrade" and (fault.at, fault.until) == (30.0, 200.0)
    assert fault.factor == 0.0 and fault.zone == "v2x-underpass"


@pytest.mark.parametrize(
    ("text", "where", "expected"),
    [
        (
            '[[event]]\nat = 10\naction = "v2x_degrade"\n',
            "event[1].factor",
            "give 'factor' with v2x_degrade",
        ),
        (
            '[[event]]\nat = 10\naction = "v2x_blackout"\nfactor = 0.5\n',
            "event[1].factor",
            "only with it",
        ),
        (
            '[[event]]\nat = 10\nuntil = 5\naction = "sensor_dropout"\n',
            "event[1].until",
            "is not after at",
        ),
        (
            '[[event]]\nat = 10\naction = "v2x_blackout"\nzone = "nowhere"\n',
            "event[1].zone",
            "unknown zone 'nowhere'",
        ),
        (
            '[[event]]\nat = 10\naction = "sensor_dropout"\nagent = "ghost"\n',
            "event[1].agent",
            "unknown agent 'ghost'",
        ),
        (
            '[[event]]\nat = 10\naction = "sensor_dropout"\nnoise = 3\n',
            "event[1].noise",
            "belong to gnss_degrade",
        ),
        ("[v2x]\nlatency = 2.0\n", "v2x.latency", "less than or equal to 1.5"),
        ("[v2x]\nplatoon_max = 1\n", "v2x.platoon_max", "greater than or equal to 2"),
    ],
)
def test_bad_v2x_input_names_the_field(
    tmp_path: Path, text: str, where: str, expected: str
) -> None:
    with pytest.raises(ModelError) as err:
        load_scenario(_with(tmp_path, text))
    msg = str(err.value)
    assert where in msg and expected in msg, msg


def test_connected_is_for_road_vehicles_only(tmp_path: Path) -> None:
    p = _with(tmp_path, "")
    text = p.read_text().replace(
        'type = "uav-light-quad"', 'type = "uav-light-quad"\nconnected = true', 1
    )
    assert "connected = true" in text
    p.write_text(text)
    with pytest.raises(ModelError) as err:
        load_scenario(p)
    assert "connected applies to ICVs only" in str(err.value)
