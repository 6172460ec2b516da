"""SUMO ``tlLogic`` programs -> testzone fixed-time signal plans (one per junction).

A SUMO traffic light switches *links* (lane-to-lane connections, numbered by the
connection's ``linkIndex``); a testzone plan gives green to whole *incoming edges*. For each
junction that a traffic light controls (the ``to`` junction of the from-edge of its links),
the program's phases are walked in order:

* Only links that cars use count: the connection's from-lane admits passenger cars and its
  from- and to-edges are imported. Links of skipped (pedestrian, rail ...) edges are dropped.
* **Green.** An incoming edge has green in a phase when at least half of its counted links
  show ``G`` or ``g`` (a lone always-green right-turn link does not turn the whole edge green,
  which would let its straight-on traffic cross the other stream). Other letters (``r``,
  ``y``, ``Y``, ``u``, ``s``, ``o``, ``O``) are not green.
* **Yellow.** A phase in which some of the junction's links show ``y``/``Y`` and no edge has
  green that had none in the phase before is the amber of that phase: its duration is added
  to the previous plan phase's ``yellow`` (while that stays <= 10 s, the schema's limit;
  beyond, it becomes a phase of its own, with ``yellow = 0``).
* **Other phases** become plan phases with ``yellow = 0`` (all-red phases: an empty ``green``
  list). A phase that gives exactly the same green as the one before, which had no yellow,
  extends it (up to 3600 s).
* If the program starts with an amber (it belongs to the last phase), the walk starts at the
  first phase that is not one, and the offset is shifted to match.

Durations are the phases' ``duration`` (s); actuated and delay-based programs are taken as
their fixed-time defaults. The cycle (sum of green and yellow times) equals the program's
total duration. SUMO's ``offset`` *delays* the program (at time 0 it is ``-offset`` modulo
the cycle into it, as in ``NLJunctionControlBuilder``); testzone's ``offset`` is the time
into the cycle at the start, so it is ``(-offset - shift) mod cycle``. A junction whose
plan would never give green to any edge gets no signal.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sim.importers.sumo_xml import TlLogic
from sim.model.errors import ModelError

GREEN = frozenset("Gg")
YELLOW = frozenset("yY")
LETTERS = frozenset("rRyYgGsuoO")
"""Signal letters of SUMO's state strings."""
MAX_YELLOW = 10.0
"""Longest yellow (s) the map schema accepts."""
MAX_PHASE = 3600.0
"""Longest phase (s) the map schema accepts."""
GREEN_SHARE = 0.5
"""Least share of an edge's links that must be green for the edge to have green."""


@dataclass(frozen=True, slots=True)
class Link:
    """One signalised link that cars use: its index and the junction and edge it enters from."""

    index: int
    junction: str
    """Testzone id of the controlled junction."""
    edge: str
    """Testzone id of the incoming edge."""


@dataclass(slots=True)
class _PlanPhase:
    duration: float
    green: frozenset[str]
    yellow: float = 0.0


def _check(file: str, tl: TlLogic, links: Iterable[Link], where_link: dict[int, str]) -> None:
    for i, ph in enumerate(tl.phases):
        bad = sorted(set(ph.state) - LETTERS)
        if bad:
            raise ModelError.single(
                file,
                f"tlLogic[id={tl.id}].phase[{i}].state",
                f"unknown signal letter(s) {''.join(bad)!r} (expected letters of "
                f"{''.join(sorted(LETTERS))!r})",
            )
        for link in links:
            if link.index >= len(ph.state):
                raise ModelError.single(
                    file,
                    f"{where_link.get(link.index, 'connection')}.linkIndex",
                    f"link {link.index} is beyond the {len(ph.state)} signals of "
                    f"tlLogic[id={tl.id}].phase[{i}].state",
                )
        if ph.duration > MAX_PHASE:
            raise ModelError.single(
                file,
                f"tlLogic[id={tl.id}].phase[{i}].duration",
                f"expected at most {MAX_PHASE:g} s, got {ph.duration:g}",
            )


def _greens(state: str, links: list[Link]) -> tuple[frozenset[str], bool]:
    count: dict[str, int] = {}
    green: dict[str, int] = {}
    yellow = False
    for link in links:
        letter = state[link.index]
        count[link.edge] = count.get(link.edge, 0) + 1
        green[link.edge] = green.get(link.edge, 0) + (letter in GREEN)
        yellow = yellow or letter in YELLOW
    return frozenset(e for e, n in count.items() if green[e] >= GREEN_SHARE * n), yellow


def junction_plan(tl: TlLogic, links: list[Link]) -> dict[str, Any] | None:
    """The signal plan (map-file dict) of one junction from its links, or ``None``."""
    steps = [(p.duration, *_greens(p.state, links)) for p in tl.phases]
    n = len(steps)
    amber = [
        has_yellow and green <= steps[k - 1][1] and n > 1
        for k, (_, green, has_yellow) in enumerate(steps)
    ]
    start = next((k for k in range(n) if not amber[k]), None)
    if start is None:
        start, amber = 0, [False] * n
    out: list[_PlanPhase] = []
    for k in [*range(start, n), *range(start)]:
        duration, green, _ = steps[k]
        if duration <= 0:
            continue
        last = out[-1] if out else None
        if amber[k] and last is not None and last.yellow + duration <= MAX_YELLOW:
            last.yellow += duration
        elif (
            not amber[k]
            and last is not None
            and last.yellow == 0
            and last.green == green
            and last.duration + duration <= MAX_PHASE
        ):
            last.duration += duration
        else:
            out.append(_PlanPhase(duration, green))
    if not any(p.green for p in out):
        return None
    cycle = sum(p.duration for p in tl.phases)
    shift = sum(p.duration for p in tl.phases[:start])
    offset = round((-tl.offset - shift) % cycle, 6) % cycle
    return {
        "offset": offset,
        "phases": [
            {
                "duration": round(p.duration, 6),
                "green": sorted(p.green),
                "yellow": round(p.yellow, 6),
            }
            for p in out
        ],
    }


def signal_plans(
    file: str, tl: TlLogic, links: list[Link], where_link: dict[int, str]
) -> dict[str, dict[str, Any]]:
    """Signal plans of the junctions a traffic light controls, by testzone junction id.

    Args:
        file: the network file (for messages).
        tl: the traffic light's program.
        links: the signalised links that cars use (see the module docstring).
        where_link: element path of the connection of each link index (for messages).

    Raises:
        ModelError: a state letter SUMO does not know, a link index beyond the state string,
            or a phase longer than 3600 s.
    """
    _check(file, tl, links, where_link)
    by_junction: dict[str, list[Link]] = {}
    for link in links:
        by_junction.setdefault(link.junction, []).append(link)
    plans = {}
    for junction, own in by_junction.items():
        plan = junction_plan(tl, own)
        if plan is not None:
            plans[junction] = plan
    return plans
