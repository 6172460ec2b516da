"""Loading the permit-check case table (tests/rules/cases.toml) and building its scenarios."""

from __future__ import annotations

import copy
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.model.bundle import ScenarioBundle, parse_scenario
from sim.model.files import read_toml
from tests.conftest import TEST_DATA

TABLE = Path(__file__).with_name("cases.toml")
CHECKS = TEST_DATA / "checks"
DELETE = "__delete__"
VERDICTS = {"MustBeAccepted": "permitted", "MustBeRejected": "refused"}


@dataclass(frozen=True)
class Case:
    name: str
    base: str
    expect: str
    rules: tuple[str, ...]
    covers: tuple[str, ...] = ()
    agents: tuple[str, ...] | None = None
    patch: dict[str, Any] = field(default_factory=dict)
    description: str = ""

    @property
    def verdict(self) -> str:
        return VERDICTS[self.expect]


def load_cases() -> list[Case]:
    doc = tomllib.loads(TABLE.read_text(encoding="utf-8"))
    out = []
    for raw in doc["case"]:
        out.append(
            Case(
                name=raw["name"],
                base=raw["base"],
                expect=raw["expect"],
                rules=tuple(raw["rules"]),
                covers=tuple(raw.get("covers", ())),
                agents=tuple(raw["agents"]) if "agents" in raw else None,
                patch=raw.get("patch", {}),
                description=raw.get("description", ""),
            )
        )
    return out


def merge(base: Any, patch: Any) -> Any:
    """Merge ``patch`` into a copy of ``base`` (see the header of cases.toml)."""
    if isinstance(base, dict) and isinstance(patch, dict):
        out = copy.deepcopy(base)
        for key, value in patch.items():
            if value == DELETE:
                out.pop(key, None)
            elif key in out:
                out[key] = merge(out[key], value)
            else:
                out[key] = copy.deepcopy(value)
        return out
    if (
        isinstance(base, list)
        and isinstance(patch, list)
        and all(isinstance(x, dict) and "id" in x for x in base + patch)
    ):
        out = copy.deepcopy(base)
        for item in patch:
            k = next((i for i, x in enumerate(out) if x["id"] == item["id"]), None)
            if item.get(DELETE) is True:
                if k is not None:
                    out.pop(k)
            elif k is None:
                out.append(copy.deepcopy(item))
            else:
                out[k] = merge(out[k], item)
        return out
    return copy.deepcopy(patch)


def build(case: Case) -> ScenarioBundle:
    path = CHECKS / case.base
    doc = merge(read_toml(path), case.patch)
    return parse_scenario(doc, path)
