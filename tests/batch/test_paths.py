from __future__ import annotations

import pytest

from sim.batch.paths import ById, ByIndex, FieldPath, PathError
from sim.model.errors import format_path

DOC = {
    "name": "x",
    "flow": [{"id": "bg-grid", "rate": "300 /h"}, {"id": "bg.x:1", "rate": 1}],
    "agent": [{"id": "uav-01", "altitude": "90 m AGL"}],
    "zones": ["a.geojson"],
    "separation": {"rpz": 50},
}


@pytest.mark.parametrize(
    ("text", "parts", "canonical"),
    [
        ("separation.rpz", ("separation", "rpz"), "separation.rpz"),
        ("flow[bg-grid].rate", ("flow", ById("bg-grid"), "rate"), 'flow["bg-grid"].rate'),
        ('flow["bg.x:1"].rate', ("flow", ById("bg.x:1"), "rate"), 'flow["bg.x:1"].rate'),
        ("flow[bg.x:1].rate", ("flow", ById("bg.x:1"), "rate"), 'flow["bg.x:1"].rate'),
        ("agent[0].speed", ("agent", ByIndex(0), "speed"), "agent[0].speed"),
        ("zones[0]", ("zones", ByIndex(0)), "zones[0]"),
        ("flow[bg-grid].mix.car", ("flow", ById("bg-grid"), "mix", "car"), None),
    ],
)
def test_parse(text: str, parts: tuple, canonical: str | None) -> None:
    fp = FieldPath.parse(text)
    assert fp.parts == parts
    if canonical is not None:
        assert str(fp) == canonical


@pytest.mark.parametrize("text", ["", "1abc", "flow[", "flow[].rate", "a..b", "a.b ", "a[x]b"])
def test_malformed(text: str) -> None:
    with pytest.raises(PathError):
        FieldPath.parse(text)


def test_apply_sets_and_creates_tables() -> None:
    doc = {k: (v.copy() if isinstance(v, (dict, list)) else v) for k, v in DOC.items()}
    doc["flow"] = [dict(f) for f in DOC["flow"]]
    FieldPath.parse("flow[bg-grid].rate").apply(doc, "900 /h")
    FieldPath.parse("wind.speed").apply(doc, 6)
    FieldPath.parse("zones[0]").apply(doc, "b.geojson")
    assert doc["flow"][0]["rate"] == "900 /h"
    assert doc["flow"][1]["rate"] == 1
    assert doc["wind"] == {"speed": 6}
    assert doc["zones"] == ["b.geojson"]
    assert DOC["flow"][0]["rate"] == "300 /h"


def test_locate_matches_the_models_error_paths() -> None:
    fp = FieldPath.parse("flow[bg-grid].rate")
    assert format_path(fp.locate(DOC), DOC) == 'flow["bg-grid"].rate'


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("flow[bg-grd].rate", "did you mean 'bg-grid'"),
        ("flow[5].rate", "index 5 is out of range"),
        ("name.first", "'name' is a string, not a table"),
        ("separation[0]", "not an array"),
        ("event[0].at", "no 'event' to select an item from"),
    ],
)
def test_apply_errors(text: str, message: str) -> None:
    with pytest.raises(PathError, match=message.replace("(", r"\(")):
        FieldPath.parse(text).apply({**DOC, "flow": list(DOC["flow"])}, 1)


def test_model_value_follows_ids() -> None:
    class Flow:
        def __init__(self, id: str, rate: float) -> None:
            self.id, self.rate = id, rate

    class Scen:
        flow = (Flow("a", 0.1), Flow("bg-grid", 0.25))

    assert FieldPath.parse("flow[bg-grid].rate").model_value(Scen()) == 0.25
    assert FieldPath.parse("flow[1].rate").model_value(Scen()) == 0.25
    assert FieldPath.parse("flow[nope].rate").model_value(Scen()) is None
