"""The Violation type: the DESIGN.md JSON contract, ordering and stable output."""

from __future__ import annotations

import json

from sim.rules.violation import Violation, sort_violations

KEYS = ["rule", "severity", "agent", "zone", "time", "where", "article", "message"]


def _v(**kw: object) -> Violation:
    base: dict[str, object] = {
        "rule": "uav.altitude_cap",
        "severity": "error",
        "agent": "uav-1",
        "zone": None,
        "time": (1.23456, 7.0),
        "where": (-0.0, 2.00049, 3.0),
        "article": "the permit's own terms",
        "message": "too high",
        "hint": "lower it",
    }
    base.update(kw)
    return Violation(**base)  # type: ignore[arg-type]


def test_json_has_exactly_the_contract_keys() -> None:
    doc = _v().to_json()
    assert list(doc) == KEYS
    assert doc["time"] == [1.235, 7.0]
    assert doc["where"] == [0.0, 2.0, 3.0]
    assert json.dumps(doc)  # serialisable
    assert _v(time=None, where=None, agent=None).to_json()["time"] is None


def test_sorted_by_severity_rule_agent_time() -> None:
    items = [
        _v(severity="warning", rule="a.a"),
        _v(rule="b.b", agent="uav-2"),
        _v(rule="b.b", agent="uav-1", time=(5.0, 6.0)),
        _v(rule="b.b", agent="uav-1", time=(1.0, 2.0)),
        _v(rule="a.z", agent=None, time=None),
    ]
    out = sort_violations(items)
    assert [(v.severity, v.rule, v.agent, v.time) for v in out] == [
        ("error", "a.z", None, None),
        ("error", "b.b", "uav-1", (1.0, 2.0)),
        ("error", "b.b", "uav-1", (5.0, 6.0)),
        ("error", "b.b", "uav-2", (1.23456, 7.0)),
        ("warning", "a.a", "uav-1", (1.23456, 7.0)),
    ]


def test_duplicates_are_dropped() -> None:
    assert len(sort_violations([_v(), _v()])) == 1
