"""The :class:`Violation` type: one broken rule, as ``testzone check`` reports it.

Its JSON form is exactly the ``violations[]`` item of the DESIGN.md contract::

    {"rule": str, "severity": "error" | "warning", "agent": str | null, "zone": str | null,
     "time": [t0, t1] | null, "where": [x, y, z] | null, "article": str, "message": str}

``time`` is in seconds after the scenario start, ``where`` in metres (local ENU frame of the
map: x east, y north, z AMSL). ``hint`` (what to change, one line) is for the text form only.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

Severity = Literal["error", "warning"]
SEVERITY_RANK: dict[str, int] = {"error": 0, "warning": 1}
"""Sort order of severities: errors first."""


@dataclass(frozen=True, slots=True)
class Violation:
    """A rule broken by a scenario (static check) or a run (run-time monitor).

    Attributes:
        rule: the rule id of the catalogue, e.g. ``"zone.authorisation"``.
        severity: ``"error"`` (refuses the plan, fails the run) or ``"warning"``.
        agent: the agent id, or ``None`` when the finding concerns no single agent.
        zone: the zone id involved, or ``None``.
        time: ``(t0, t1)`` s after the scenario start during which it applies, or ``None``.
        where: ``(x, y, z)`` (m, local ENU, z AMSL) of the first place it applies, or ``None``.
        article: the legal provision or standard the rule rests on (with its confidence).
        message: what is wrong, in one sentence.
        hint: what to change, in one line ("lower the cruise altitude to 110 m AGL").
    """

    rule: str
    severity: Severity
    agent: str | None
    zone: str | None
    time: tuple[float, float] | None
    where: tuple[float, float, float] | None
    article: str
    message: str
    hint: str = ""

    def sort_key(self) -> tuple[Any, ...]:
        """Deterministic order: severity, rule, agent, time, zone, message."""
        t = self.time if self.time is not None else (-math.inf, -math.inf)
        return (
            SEVERITY_RANK[self.severity],
            self.rule,
            self.agent or "",
            t,
            self.zone or "",
            self.message,
        )

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md JSON form (times rounded to 1 ms, positions to 1 mm)."""
        return {
            "rule": self.rule,
            "severity": self.severity,
            "agent": self.agent,
            "zone": self.zone,
            "time": None if self.time is None else [_r(self.time[0], 3), _r(self.time[1], 3)],
            "where": None if self.where is None else [_r(v, 3) for v in self.where],
            "article": self.article,
            "message": self.message,
        }


def _r(value: float, digits: int) -> float:
    """Round for output; -0.0 becomes 0.0 so that output is byte-stable."""
    out = round(float(value), digits)
    return 0.0 if out == 0.0 else out


def sort_violations(items: list[Violation]) -> list[Violation]:
    """Violations in the report order (:meth:`Violation.sort_key`), duplicates dropped."""
    return sorted(set(items), key=Violation.sort_key)
