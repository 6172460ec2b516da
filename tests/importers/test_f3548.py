"""ASTM F3548 / InterUSS intents: deltas, 4-D conflicts and priorities as F3548, broken files."""

from __future__ import annotations

import copy
import datetime as dt
import json
import os
from pathlib import Path
from typing import Any

import pytest
import shapely
from typer.testing import CliRunner

from sim.cli import app
from sim.commands.run import simulate
from sim.importers.f3548 import F3548Options, apply_mutation, import_f3548, read_intents
from sim.model.bundle import load_scenario
from sim.model.vehicle import builtin_vehicle_types

CHE = "f3548/interuss_che_conflicting_flights.json"
CHE_2023 = "f3548/interuss_che_conflicting_flights_v2023-10-18.json"
FILES = ["map.geojson", "permits.toml", "scenario.toml", "zones.geojson"]
QUAD = builtin_vehicle_types()["uav-light-quad"]


def render(trace: Path, png: Path, *extra: str) -> None:
    """``testzone render`` the trace to a PNG (skipped where the command does not exist yet)."""
    if cli("render", "--help").exit_code != 0:
        pytest.skip("testzone render is not available in this build")
    result = cli("render", trace, "-o", png, "-q", *extra)
    assert result.exit_code == 0, result.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def cli(*args: Any) -> Any:
    return CliRunner().invoke(app, [str(a) for a in args])


def imported(source: Path, out: Path, *intents: str) -> Any:
    args: list[Any] = ["import", "f3548", source, "-o", out]
    for name in intents:
        args += ["--intent", name]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert sorted(os.listdir(out)) == FILES
    assert cli("validate", *(out / f for f in FILES)).exit_code == 0
    return result


def check(out: Path) -> tuple[int, dict[str, Any]]:
    result = cli("check", out / "scenario.toml", "--format", "json")
    return result.exit_code, json.loads(result.output)


def errors(report: dict[str, Any]) -> list[tuple[str, str]]:
    return [(v["rule"], v["agent"]) for v in report["violations"] if v["severity"] == "error"]


def test_every_intent_resolves_with_its_deltas(shared_data: Path) -> None:
    raw = json.loads((shared_data / CHE).read_text())["intents"]
    intents = read_intents(shared_data / CHE)
    assert [i.name for i in intents] == list(raw)  # all 12, in file order
    assert sum(1 for e in raw.values() if "delta" in e) == 10
    by = {i.name: i for i in intents}
    assert {i.root for i in intents} == {"flight_1_planned_vol_A", "flight_2_planned_vol_A"}
    assert all(len(i.volumes) == 1 for i in intents)  # one Volume4D each, as in the file
    assert sum(len(i.off_nominal) for i in intents) == 1
    bands = {n: (i.volumes[0].floor, i.volumes[0].ceiling) for n, i in by.items()}
    assert bands["flight_1_planned_vol_A"] == (605.0, 635.0)
    assert bands["flight_1_activated_vol_A_extended"] == (575.0, 635.0)  # delta of a delta
    assert bands["flight_2_activated_vol_B"] == (650.0, 705.0)
    pair = ("flight_1_activated_vol_B", "flight_2_equal_prio_planned_vol_B")
    assert [by[n].state for n in pair] == ["Activated", "Accepted"]
    assert by["flight_2_activated_vol_B"].priority == 100
    assert by["flight_2_equal_prio_planned_vol_B"].priority == 0
    noncon = by["flight_2_equal_prio_nonconforming_vol_A"]
    assert noncon.state == "Nonconforming" and noncon.volumes[0].floor == 650.0
    assert noncon.off_nominal[0].floor == 605.0
    # the outline and time window are the source's, untouched by the mutations
    verts = raw["flight_1_planned_vol_A"]["full"]["request"]["operational_intent"]["volumes"][0]
    ring = [(v["lng"], v["lat"]) for v in verts["volume"]["outline_polygon"]["vertices"]]
    assert by["flight_1_activated_vol_B"].volumes[0].ring == tuple(ring)
    assert by["flight_1_planned_vol_A"].operator == "CHEo5kut30e0mt01-qwe"


def _outline(intent_doc: dict[str, Any]) -> shapely.Polygon:
    vol = intent_doc["full"]["request"]["operational_intent"]["volumes"][0]["volume"]
    return shapely.Polygon([(v["lng"], v["lat"]) for v in vol["outline_polygon"]["vertices"]])


def test_higher_priority_flight_wins_the_4d_conflict(shared_data: Path, tmp_path: Path) -> None:
    raw = json.loads((shared_data / CHE).read_text())["intents"]
    # independently of testzone: the two outlines overlap, and so do bands and windows
    assert _outline(raw["flight_1_planned_vol_A"]).intersects(
        _outline(raw["flight_2_planned_vol_A"])
    )
    out = tmp_path / "out"
    result = imported(shared_data / CHE, out)
    assert "read " in result.output and ": 12 intents" in result.output
    assert result.output.count("  agent ") == 2
    code, report = check(out)
    assert code == 1 and report["verdict"] == "refused"
    # F3548 SCD0015: the lower-priority plan (flight_1, priority 0) must yield to flight_2 (100)
    assert errors(report) == [("uav.conflict", "flight_1_planned_vol_A")]
    (v,) = [v for v in report["violations"] if v["rule"] == "uav.conflict"]
    assert "flight_2_planned_vol_A's plan (priority 100)" in v["message"]
    assert v["time"] == [0.0, 1500.0]  # the whole shared 25-minute window
    b = load_scenario(out / "scenario.toml")
    assert [(a.id, a.priority, a.intent_state, len(a.volumes)) for a in b.scenario.agent] == [
        ("flight_1_planned_vol_A", 0, "Accepted", 1),
        ("flight_2_planned_vol_A", 100, "Accepted", 1),
    ]
    assert b.scenario.start == dt.datetime(2023, 2, 12, 10, 27, 14, 483425, tzinfo=dt.UTC)
    assert {p.evidence.registration for p in b.permits.values()} == {"1AF49UL5CC5J6K"}
    _, run = simulate(b, tmp_path / "t.tztrace", until=120.0)
    assert run.spawned == 2 and run.arrived == 2
    render(tmp_path / "t.tztrace", tmp_path / "t.png", "--at", "30")


def test_equal_priority_the_later_plan_is_refused(shared_data: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    imported(shared_data / CHE_2023, out)
    code, report = check(out)
    assert code == 1
    assert errors(report) == [("uav.conflict", "conflicting_flight")]
    (v,) = [v for v in report["violations"] if v["rule"] == "uav.conflict"]
    assert "first_flight's plan (priority 0), which comes first in the scenario" in v["message"]


@pytest.mark.parametrize(
    ("intents", "refused"),
    [
        # different bands (650-705 m vs 605-635 m): no conflict
        (("flight_1_planned_vol_B", "flight_2_planned_vol_A"), []),
        # priority beats the order of planning
        (("flight_2_activated_vol_B", "flight_1_planned_vol_B"), ["flight_1_planned_vol_B"]),
        (("flight_1_planned_vol_B", "flight_2_activated_vol_B"), ["flight_1_planned_vol_B"]),
        # equal priority: the one planned later (later in --intent order) is refused
        (("flight_1_activated_vol_B", "flight_2_equal_prio_planned_vol_B"),
         ["flight_2_equal_prio_planned_vol_B"]),
        (("flight_2_equal_prio_planned_vol_B", "flight_1_activated_vol_B"),
         ["flight_1_activated_vol_B"]),
        # a Nonconforming intent is not deconflicted
        (("flight_1_activated_vol_B", "flight_2_equal_prio_nonconforming_vol_A"), []),
        # the extended volume A reaches down into nothing new: still vol A against vol A
        (("flight_2_activated_vol_A", "flight_1_planned_vol_A_extended"),
         ["flight_1_planned_vol_A_extended"]),
    ],
)  # fmt: skip
def test_chosen_intents_decide_as_f3548(
    shared_data: Path, tmp_path: Path, intents: tuple[str, ...], refused: list[str]
) -> None:
    out = tmp_path / "out"
    imported(shared_data / CHE, out, *intents)
    code, report = check(out)
    assert errors(report) == [("uav.conflict", a) for a in refused]
    assert code == (1 if refused else 0)
    b = load_scenario(out / "scenario.toml")
    assert [a.id for a in b.scenario.agent] == list(intents)


def test_output_is_deterministic(shared_data: Path, tmp_path: Path, monkeypatch: Any) -> None:
    imported(shared_data / CHE, tmp_path / "a")
    monkeypatch.chdir(shared_data)
    imported(Path(CHE), tmp_path / "b")
    for f in FILES:
        assert (tmp_path / "a" / f).read_bytes() == (tmp_path / "b" / f).read_bytes(), f


def test_apply_mutation_as_interuss() -> None:
    base = {"a": {"b": 1, "c": [1, {"d": 2}]}, "e": None, "f": [1, 2, 3]}
    mut = {"a": {"c": [5, {"x": 3}, 7]}, "e": {"y": 1}, "+f": [9], "g": 4}
    assert apply_mutation(base, mut, "m") == {
        "a": {"b": 1, "c": [5, {"d": 2, "x": 3}, 7]},
        "e": {"y": 1},
        "f": [9],
        "g": 4,
    }
    assert apply_mutation({"a": [1, 2, 3]}, {"a": [0]}, "m") == {"a": [0, 2, 3]}
    with pytest.raises(ValueError, match=r"m\.a: cannot merge an object into a number"):
        apply_mutation({"a": 1}, {"a": {"b": 2}}, "m")


# --- small synthetic files -------------------------------------------------------------------
T0 = "2026-01-05T10:00:00Z"
T1 = "2026-01-05T10:10:00Z"


def volume(circle: tuple[float, float, float] | None = None, lo: float = 100, hi: float = 150,
           t0: str = T0, t1: str = T1) -> dict[str, Any]:  # fmt: skip
    lng, lat, r = circle or (7.0, 47.0, 50.0)
    return {
        "volume": {
            "outline_circle": {
                "center": {"lng": lng, "lat": lat},
                "radius": {"value": r, "units": "M"},
            },
            "altitude_lower": {"value": lo, "reference": "W84", "units": "M"},
            "altitude_upper": {"value": hi, "reference": "W84", "units": "M"},
        },
        "time_start": {"value": t0, "format": "RFC3339"},
        "time_end": {"value": t1, "format": "RFC3339"},
    }  # fmt: skip


def full(*vols: dict[str, Any], priority: int = 0, state: str = "Accepted") -> dict[str, Any]:
    oi = {"volumes": list(vols), "state": state, "off_nominal_volumes": [], "priority": priority}
    return {"full": {"reference_time": T0, "request": {"operational_intent": oi}}}


def write(tmp_path: Path, doc: Any) -> Path:
    path = tmp_path / "i.json"
    path.write_text(json.dumps(doc) if not isinstance(doc, str) else doc)
    return path


def test_circles_and_several_volumes(tmp_path: Path) -> None:
    # 0.001 deg of longitude at 47 N is 75.8 m: 50 m circles 75.8 m apart overlap
    a = full(volume((7.0, 47.0, 50.0)), volume((7.002, 47.0, 50.0)))
    b = full(volume((7.001, 47.0, 50.0), t0="2026-01-05T10:05:00Z", t1="2026-01-05T10:20:00Z"))
    c = full(volume((7.001, 47.0, 50.0), lo=151, hi=200))  # above a's band: no conflict
    out = tmp_path / "out"
    imported(write(tmp_path, {"intents": {"a": a, "b": b, "c": c}}), out)
    _, report = check(out)
    assert [e for e in errors(report) if e[0] == "uav.conflict"] == [("uav.conflict", "b")]
    bundle = load_scenario(out / "scenario.toml")
    agent = bundle.scenario.agent[0]
    assert len(agent.volumes) == 2 and agent.volumes[0].radius == 50.0
    assert agent.route == ("a:launch", "a:1", "a:2", "a:land")  # across both circles
    _, run = simulate(bundle, None, until=420.0)  # b departs at 300 s
    assert run.spawned == 3 and run.arrived == 3


def test_single_operational_intent(tmp_path: Path) -> None:
    oi = {
        "reference": {"id": "op-1", "manager": "uss1", "state": "Activated"},
        "details": {"volumes": [volume()], "off_nominal_volumes": [], "priority": 3},
    }
    intents = read_intents(write(tmp_path, {"operational_intent": oi}))
    ((i),) = intents
    assert (i.name, i.state, i.priority, i.operator) == ("op-1", "Activated", 3, "uss1")
    imp, _ = import_f3548(write(tmp_path, oi), F3548Options(vtype=QUAD))
    assert imp.flights[0].id == "op-1" and imp.flights[0].intent_state == "Activated"


def bad(tmp_path: Path, doc: Any, *extra: str) -> list[str]:
    out = tmp_path / "out"
    result = cli("import", "f3548", write(tmp_path, doc), "-o", out, *extra)
    assert result.exit_code == 2, result.output
    assert not out.exists() and "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert all(line.split(": ")[0].endswith("i.json") for line in lines), lines
    return lines


def delta(source: str, mutation: Any | None = None) -> dict[str, Any]:
    return {"delta": {"source": source, "mutation": mutation or {}}}


OI = "request.operational_intent"


def mutate(**fields: Any) -> dict[str, Any]:
    return {"request": {"operational_intent": fields}}


def broken(path: str, value: Any) -> dict[str, Any]:
    """A one-intent collection with one field of the request replaced."""
    doc = full(volume())
    node = doc["full"]
    keys = path.split(".")
    for k in keys[:-1]:
        node = node[int(k)] if isinstance(node, list) else node[k]
    if value is KeyError:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value
    return {"intents": {"f": doc}}


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"intents": {"a": delta("b"), "b": delta("a")}},
         "intents.b.delta.source: the deltas form a cycle: a -> b -> a"),
        ({"intents": {"a": delta("a")}}, "intents.a.delta.source: the deltas form a cycle: a -> a"),
        ({"intents": {"a": full(volume()), "b": delta("c")}},
         "intents.b.delta.source: unknown intent 'c'"),
        ({"intents": {"a": {"full": {}, "delta": {}}}},
         "intents.a: expected an object with either 'full' or 'delta'"),
        ({"intents": {"a": full(volume()), "b": delta("a", mutate(state={"x": 1}))}},
         "intents.b.delta.mutation: intents.b.delta.mutation.request.operational_intent.state: "
         "cannot merge"),
        ({"intents": {"a": full(volume()), "b": delta("a", mutate(priority=-1))}},
         "intents.b.request.operational_intent.priority: expected an integer 0-1000, got -1 "
         "(after applying the delta to 'a')"),
        (broken(f"{OI}.volumes.0.time_end", KeyError),
         "intents.f.full.request.operational_intent.volumes[0].time_end: required to deconflict"),
        (broken(f"{OI}.volumes.0.volume.altitude_lower.reference", "AGL"),
         "volumes[0].volume.altitude_lower.reference: expected 'W84'"),
        (broken(f"{OI}.volumes.0.volume.outline_polygon", {"vertices": [{"lat": 1, "lng": 2}]}),
         "volumes[0].volume: expected exactly one of outline_polygon, outline_circle"),
        (broken(f"{OI}.volumes.0.volume.altitude_upper.value", 90),
         "volumes[0].volume.altitude_upper: 90 m is not above altitude_lower 100 m"),
        (broken(f"{OI}.volumes.0.time_start.value", "yesterday"),
         "volumes[0].time_start.value: not an RFC 3339 time: 'yesterday'"),
        (broken(f"{OI}.volumes.0.time_end.value", "2026-01-05T09:00:00Z"),
         "volumes[0].time_end: 2026-01-05T09:00:00+00:00 is not after time_start"),
        (broken(f"{OI}.volumes.0.volume.outline_circle.center.lat", 95),
         "outline_circle.center.lat: 95 deg is out of range"),
        (broken(f"{OI}.state", "Ended"), "operational_intent.state: expected one of Accepted"),
        (broken(f"{OI}.volumes", []), "operational_intent.volumes: the intent has no volumes"),
        ({"intents": {}}, "intents: expected an object of named intents"),
        ({"flights": []}, "not an F3548 file"),
        ({"intents": {"a": full(volume())}, "transformations": []},
         "transformations: not supported"),
        ("[", "JSON syntax error"),
    ],
)  # fmt: skip
def test_broken_files_name_the_element(tmp_path: Path, doc: Any, expected: str) -> None:
    lines = bad(tmp_path, doc)
    assert any(expected in line for line in lines), lines
    assert len(lines) == 1, lines


def test_a_bad_polygon_is_named(tmp_path: Path) -> None:
    doc = full(volume())
    vol = doc["full"]["request"]["operational_intent"]["volumes"][0]["volume"]
    del vol["outline_circle"]
    bow = [(0, 0), (1, 1), (1, 0), (0, 1)]
    vol["outline_polygon"] = {
        "vertices": [{"lng": 7 + x / 1e3, "lat": 47 + y / 1e3} for x, y in bow]
    }
    (line,) = bad(tmp_path, {"intents": {"f": doc}})
    assert "volumes[0].volume.outline_polygon: invalid polygon: Self-intersection" in line


def test_unknown_intent_option(tmp_path: Path) -> None:
    doc = {"intents": {"flight_a": full(volume())}}
    (line,) = bad(tmp_path, doc, "--intent", "flight_b")
    assert "intents: no intent 'flight_b' in the file (did you mean 'flight_a'?)" in line
    lines = bad(tmp_path, copy.deepcopy(doc), "--intent", "flight_a", "--intent", "flight_a")
    assert "intent 'flight_a' is chosen twice" in lines[0]
