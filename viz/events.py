"""The trace's events as a reviewer reads them: a category, one line of text, quick lookup.

Categories: ``violation`` (any event naming a rule: fence breaches, losses of separation,
collisions, permit caps), ``safety`` (conflicts, PET, resolutions), ``platform`` (scripted
actions, zones switching on or off), ``fence`` (entering and leaving zones), ``fault`` (faults of
connected driving starting and ending: V2X blackouts and degradations, GNSS errors, sensor
dropouts; and vehicles falling back from CACC or starting a minimal-risk manoeuvre) and
``traffic`` (departures, arrivals, landings). The event list and ``n``/``p`` skip the traffic
events.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

PLATFORM_KINDS = frozenset(
    {
        "close_zone",
        "open_zone",
        "stop_agent",
        "resume_agent",
        "set_speed_limit",
        "zone_active",
        "zone_inactive",
    }
)
SAFETY_KINDS = frozenset({"conflict", "pet", "resolution", "resume", "battery_empty"})
FENCE_KINDS = frozenset({"zone_enter", "zone_exit", "zone_conditions"})
TRAFFIC_KINDS = frozenset({"depart", "arrive", "landed"})
FAULT_STARTS = ("v2x_blackout", "v2x_degrade", "gnss_degrade", "sensor_dropout")
"""Faults of connected driving (in a zone, for one agent or everywhere); each ends with
``<kind>_end``."""
FALLBACK_KINDS = frozenset({"cacc_fallback", "minimal_risk"})
"""A connected vehicle losing its V2X following (ACC fallback) or its perception (minimal-risk
manoeuvre)."""
FAULT_KINDS = frozenset(FAULT_STARTS) | frozenset(f"{k}_end" for k in FAULT_STARTS) | FALLBACK_KINDS
_SHOWN_KEYS = ("zone", "other", "action", "edge", "junction")


def category(event: dict[str, Any]) -> str:
    """The category of an event (see the module docstring)."""
    kind = str(event.get("kind", ""))
    if "rule" in event or kind == "breach" or kind.startswith("collision"):
        return "violation"
    if kind in SAFETY_KINDS:
        return "safety"
    if kind in PLATFORM_KINDS:
        return "platform"
    if kind in FENCE_KINDS:
        return "fence"
    if kind in TRAFFIC_KINDS:
        return "traffic"
    if kind in FAULT_KINDS:
        return "fault"
    return "safety"


def clock(t: float) -> str:
    """Seconds after the start as ``m:ss.s`` or ``h:mm:ss``."""
    sign = "-" if t < 0 else ""
    t = abs(t)
    h, rem = divmod(int(t), 3600)
    m, s = divmod(rem, 60)
    if h:
        return f"{sign}{h}:{m:02d}:{s:02d}"
    return f"{sign}{m}:{s:02d}.{int((t - int(t)) * 10) % 10}"


def describe(event: dict[str, Any]) -> str:
    """One line: kind (or rule), agent and the details that matter."""
    kind = str(event.get("kind", "?"))
    parts = [str(event["rule"]) if "rule" in event else kind]
    if event.get("agent"):
        parts.append(str(event["agent"]))
    for key in _SHOWN_KEYS:
        if event.get(key) is not None:
            value = event[key]
            parts.append(f"{key} {value}" if key != "action" else f"-> {value}")
    if kind == "conflict" and "tcpa" in event:
        parts.append(f"tcpa {float(event['tcpa']):.0f} s")
    if kind == "pet" and "pet" in event:
        parts.append(f"PET {float(event['pet']):.1f} s")
    if kind == "set_speed_limit" and "speed" in event:
        parts.append(f"{float(event['speed']) * 3.6:.0f} km/h")
    if kind in FAULT_KINDS:
        parts += _fault_details(kind, event)
    return "  ".join(parts)


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def _fault_details(kind: str, event: dict[str, Any]) -> list[str]:
    """What a fault or fallback event adds: where, the delivery factor, the GNSS error."""
    out = []
    if not event.get("agent") and event.get("zone") is None and kind not in FALLBACK_KINDS:
        out.append("everywhere")
    factor = _number(event.get("factor"))
    if kind == "v2x_degrade" and factor is not None:
        out.append(f"delivery x{factor:g}")
    noise = _number(event.get("noise"))
    if kind == "gnss_degrade" and noise:
        out.append(f"noise {noise:g} m")
    bias = event.get("bias")
    if kind == "gnss_degrade" and isinstance(bias, list) and len(bias) == 2:
        bx, by = _number(bias[0]), _number(bias[1])
        if bx is not None and by is not None and (bx or by):
            out.append(f"bias {bx:g}, {by:g} m")
    where = event.get("where")
    if kind in FALLBACK_KINDS and isinstance(where, list) and len(where) >= 2:
        x, y = _number(where[0]), _number(where[1])
        if x is not None and y is not None:
            out.append(f"at {x:.0f}, {y:.0f} m")
    return out


@dataclass(frozen=True, slots=True)
class EventRow:
    """One event as listed: time (s), category, agent id and the raw event."""

    t: float
    category: str
    agent: str | None
    raw: dict[str, Any]

    @property
    def text(self) -> str:
        """The event in one line (made when shown, not for every event of a long run)."""
        return describe(self.raw)


class EventIndex:
    """All events of a trace in time order, with the notable ones (no traffic) indexed."""

    def __init__(self, events: Sequence[dict[str, Any]]) -> None:
        """Index ``events`` (sorted by ``t``, as :attr:`TraceReader.events` gives them)."""
        self.all = [EventRow(float(e["t"]), category(e), e.get("agent"), e) for e in events]
        self.notable = [r for r in self.all if r.category != "traffic"]
        self._notable_t = [r.t for r in self.notable]
        self._all_t = [r.t for r in self.all]
        self._by_agent: dict[str, list[EventRow]] | None = None

    def rows(self, include_traffic: bool) -> list[EventRow]:
        """The rows of the event list."""
        return self.all if include_traffic else self.notable

    def times(self, include_traffic: bool) -> list[float]:
        """The times (s) of :meth:`rows`."""
        return self._all_t if include_traffic else self._notable_t

    def next_time(self, t: float, eps: float = 1e-6) -> float | None:
        """Time (s) of the first notable event after ``t``, or None."""
        k = bisect.bisect_right(self._notable_t, t + eps)
        return self._notable_t[k] if k < len(self._notable_t) else None

    def previous_time(self, t: float, eps: float = 1e-6) -> float | None:
        """Time (s) of the last notable event before ``t``, or None."""
        k = bisect.bisect_left(self._notable_t, t - eps) - 1
        return self._notable_t[k] if k >= 0 else None

    def notable_at(self, t: float, eps: float = 1e-6) -> EventRow | None:
        """The first notable event at time ``t`` (s), if there is one."""
        k = bisect.bisect_left(self._notable_t, t - eps)
        if k < len(self.notable) and abs(self.notable[k].t - t) <= eps:
            return self.notable[k]
        return None

    def last_row_at(self, t: float, include_traffic: bool) -> int:
        """Row number of the last listed event at or before ``t`` (-1 if none)."""
        return bisect.bisect_right(self.times(include_traffic), t) - 1

    def of_agent(self, agent: str) -> list[EventRow]:
        """All events of one agent (as actor or as the ``other`` party), in time order."""
        if self._by_agent is None:
            by: dict[str, list[EventRow]] = {}
            for r in self.all:
                if r.agent:
                    by.setdefault(r.agent, []).append(r)
                other = r.raw.get("other")
                if isinstance(other, str) and other != r.agent:
                    by.setdefault(other, []).append(r)
            self._by_agent = by
        return self._by_agent.get(agent, [])

    def violations(self) -> list[EventRow]:
        """The violation events."""
        return [r for r in self.notable if r.category == "violation"]
