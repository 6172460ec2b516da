"""The case-table world (tests/data/checks) is the output of its generator, and valid."""

from __future__ import annotations

import importlib.util
import json

from sim.model.map_file import load_map
from sim.model.zone_file import load_zones
from tests.conftest import TEST_DATA

CHECKS = TEST_DATA / "checks"


def test_world_files_are_the_generators_output() -> None:
    spec = importlib.util.spec_from_file_location("make_world", CHECKS / "make_world.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    assert json.loads((CHECKS / "map.geojson").read_text()) == mod.build_map()
    assert json.loads((CHECKS / "zones.geojson").read_text()) == mod.build_zones()
    assert load_map(CHECKS / "map.geojson").header.name == "check-table world"
    assert len(load_zones(CHECKS / "zones.geojson").zones) == 13
