"""Property test: mutated inputs never raise anything but the project's own ModelError."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
import tomllib
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from sim.model.bundle import parse_scenario
from sim.model.errors import ModelError
from sim.model.map_file import parse_map
from sim.model.zone_file import parse_zones
from tests.conftest import TEST_DATA

GOOD = TEST_DATA / "good"
SCENARIO = tomllib.loads((GOOD / "small.toml").read_text(encoding="utf-8"))
MAP = json.loads((GOOD / "small-map.geojson").read_text(encoding="utf-8"))
ZONES = json.loads((GOOD / "small-zones.geojson").read_text(encoding="utf-8"))

leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(
        [
            "J1",
            "J4",
            "V1",
            "car",
            "10 km/h",
            "90 m AGL",
            "MON",
            "07:00",
            "25:00",
            "2026-12-01T08:00:00+08:00",
            "2026-12-01T08:00:00",
            "Asia/Shanghai",
            "Polygon",
            "Point",
            "road",
            "air",
            "no_fly",
            "both",
            "P-1",
            "-1 m",
            "1e999 m",
        ]
    ),
    st.datetimes(timezones=st.sampled_from([None, dt.UTC])),
    st.lists(st.integers(-1000, 1000), max_size=4),
    st.just({}),
    st.just([]),
)


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(node, dict):
        for k, v in node.items():
            out.extend(_paths(v, (*prefix, k)))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            out.extend(_paths(v, (*prefix, i)))
    return out


def _get(node: Any, path: tuple[Any, ...]) -> Any:
    for p in path:
        node = node[p]
    return node


@st.composite
def mutated(draw: st.DrawFn, base: Any) -> Any:
    doc = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 4))):
        paths = _paths(doc)
        path = draw(st.sampled_from(paths))
        op = draw(st.sampled_from(["replace", "delete", "add", "duplicate"]))
        if not path:
            if op == "replace":
                doc = draw(leaves)
            continue
        parent, key = _get(doc, path[:-1]), path[-1]
        if op == "replace":
            parent[key] = draw(leaves)
        elif op == "delete":
            del parent[key]
        elif op == "add" and isinstance(parent, dict):
            parent[draw(st.sampled_from(["extra", "speed", "radius", "id", "route", "floor"]))] = (
                draw(leaves)
            )
        elif op == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[key]))
    return doc


# FUZZ_EXAMPLES=5000 pytest tests/model/test_fuzz.py hunts longer than the default run.
SETTINGS = settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "150")))


@SETTINGS
@given(doc=mutated(SCENARIO))
def test_mutated_scenarios_raise_only_model_errors(doc: Any) -> None:
    try:
        parse_scenario(doc, GOOD / "small.toml")
    except ModelError as exc:
        assert exc.issues
        for issue in exc.issues:
            assert issue.file and issue.message


@SETTINGS
@given(doc=mutated(MAP))
def test_mutated_maps_raise_only_model_errors(doc: Any) -> None:
    try:
        parse_map(doc, "m.geojson")
    except ModelError as exc:
        assert exc.issues


@SETTINGS
@given(doc=mutated(ZONES))
def test_mutated_zone_files_raise_only_model_errors(doc: Any) -> None:
    try:
        parse_zones(doc, "z.geojson")
    except ModelError as exc:
        assert exc.issues


def test_unmutated_inputs_are_valid() -> None:
    parse_scenario(copy.deepcopy(SCENARIO), GOOD / "small.toml")
    parse_map(copy.deepcopy(MAP), "m.geojson")
    parse_zones(copy.deepcopy(ZONES), "z.geojson")
    assert Path(GOOD / "small.toml").is_file()
