"""PET at a junction: two vehicles crossing from different approaches give one PET sample."""

from __future__ import annotations

import json
from pathlib import Path

from sim.engine.simulation import Simulation
from sim.model.bundle import parse_scenario


def _cross_map() -> dict:
    def junction(jid: str, x: float, y: float) -> dict:
        return {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [x, y]},
            "properties": {"layer": "road", "kind": "junction", "id": jid},
        }

    def road(rid: str, a: tuple[str, float, float], b: tuple[str, float, float]) -> dict:
        return {
            "type": "Feature",
            "geometry": {"type": "LineString", "coordinates": [[a[1], a[2]], [b[1], b[2]]]},
            "properties": {
                "layer": "road",
                "kind": "road",
                "id": rid,
                "from": a[0],
                "to": b[0],
                "road_class": "urban",
                "speed_limit": "50 km/h",
                "lanes": 1,
                "direction": "both",
            },
        }

    c, w, e, s, n = (
        ("C", 0.0, 0.0),
        ("W", -300.0, 0.0),
        ("E", 300.0, 0.0),
        ("S", 0.0, -300.0),
        ("N", 0.0, 300.0),
    )
    feats = [junction(*p) for p in (c, w, e, s, n)]
    feats += [road("RW", w, c), road("RE", c, e), road("RS", s, c), road("RN", c, n)]
    return {
        "type": "FeatureCollection",
        "testzone": {"format": "testzone-map", "name": "cross", "crs": "local"},
        "features": feats,
    }


def test_crossing_vehicles_give_a_pet_sample(tmp_path: Path) -> None:
    (tmp_path / "cross.geojson").write_text(json.dumps(_cross_map()))
    doc = {
        "name": "cross",
        "start": "2026-12-01T09:00:00+08:00",
        "duration": 120,
        "map": "cross.geojson",
        "agent": [
            {"id": "a", "type": "car", "route": ["W", "C", "E"], "speed": "40 km/h"},
            {"id": "b", "type": "car", "route": ["S", "C", "N"], "speed": "40 km/h", "depart": 1},
        ],
    }
    sim = Simulation(parse_scenario(doc, tmp_path / "cross.toml"))
    result = sim.run()
    assert result.arrived == 2
    assert result.summary["collisions"] == 0
    pet = result.summary["min_pet"]
    assert pet is not None and 0.0 < pet < 10.0  # b waited for a: a short but positive PET
    assert set(sim.pet.per_agent) == {sim.fleet.index["a"], sim.fleet.index["b"]}
