"""Loading a scenario with everything it refers to, and the cross-file checks.

:func:`load_scenario` reads the scenario TOML, the map, zone and permit files it names
(paths relative to the scenario file), validates each, then checks references between them:
unknown nodes, edges, zones, permits and types; disconnected routes; duplicate ids; times
outside the scenario; fields that do not apply to the vehicle's kind. Every problem found is
reported, each as ``file: field.path: message``.
"""

from __future__ import annotations

import hashlib
import json
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from sim.model.errors import Issue, ModelError, did_you_mean, format_path, issues_from_pydantic
from sim.model.files import display_name, read_toml
from sim.model.map import Crs, Map, Road
from sim.model.map_file import load_map
from sim.model.permit import Permit, PermitFile
from sim.model.scenario import (
    AgentEvent,
    AgentSpec,
    FaultEvent,
    FlowSpec,
    Scenario,
    SpeedLimitEvent,
    ZoneEvent,
)
from sim.model.vehicle import (
    LAYER_OF_DOMAIN,
    Domain,
    RoadVehicleType,
    ShipType,
    UavType,
    builtin_vehicle_types,
)
from sim.model.zone import Zone, ZoneSet
from sim.model.zone_file import load_zone_file

AnyVehicleType = RoadVehicleType | UavType | ShipType


@dataclass(frozen=True)
class ScenarioBundle:
    """A validated scenario with its map, zones, permits and vehicle types resolved.

    Attributes:
        path: the scenario file.
        scenario: the scenario as written (times in seconds after ``start``).
        map: the map it runs on.
        zone_sets: one :class:`ZoneSet` per zone file, in the scenario's order.
        permits: all permits (inline and from permit files) by id.
        vehicle_types: built-in and scenario-defined vehicle types by id.
        digest: SHA-256 over every input file's bytes, identifying the exact inputs.
    """

    path: Path
    scenario: Scenario
    map: Map
    zone_sets: tuple[ZoneSet, ...]
    permits: dict[str, Permit]
    vehicle_types: dict[str, AnyVehicleType]
    digest: str
    files: tuple[Path, ...] = field(default=())

    @property
    def zones(self) -> dict[str, Zone]:
        """Every zone of every zone file, by id."""
        return {z.id: z for zs in self.zone_sets for z in zs.zones}

    def domain_of(self, agent: AgentSpec | FlowSpec) -> Domain:
        """The domain of an agent (from its vehicle type) or a flow (from its first type)."""
        type_id = agent.type if isinstance(agent, AgentSpec) else agent.type_ids()[0]
        assert type_id is not None
        return self.vehicle_types[type_id].domain


def parse_permit_file(doc: dict[str, Any], name: str) -> PermitFile:
    """Validate a parsed TOML file of ``[[permit]]`` tables; ``name`` names it in messages."""
    try:
        return PermitFile.model_validate(doc)
    except ValidationError as exc:
        raise ModelError(issues_from_pydantic(exc, name, (), doc)) from None


def load_scenario(path: Path) -> ScenarioBundle:
    """Load and cross-check a scenario and the files it names.

    Raises:
        ModelError: listing every problem in every file involved.
    """
    return parse_scenario(read_toml(path), path)


def parse_scenario(doc: Any, path: Path) -> ScenarioBundle:
    """Validate a parsed scenario document; ``path`` names it and anchors relative paths.

    Raises:
        ModelError: listing every problem in every file involved.
    """
    name = display_name(path)
    if not isinstance(doc, dict):
        raise ModelError.single(
            name, "", f"expected a table of scenario keys, got {type(doc).__name__}"
        )
    try:
        scenario = Scenario.model_validate(doc)
    except ValidationError as exc:
        raise ModelError(issues_from_pydantic(exc, name, (), doc)) from None

    issues: list[Issue] = []
    base = path.parent
    files: list[Path] = [path]

    def resolve(rel: str, where: tuple[str | int, ...]) -> Path | None:
        target = (base / rel) if not Path(rel).is_absolute() else Path(rel)
        if not target.is_file():
            issues.append(
                Issue(
                    name,
                    format_path(where, doc),
                    f"file not found: {rel!r} (looked for {display_name(target)})",
                )
            )
            return None
        files.append(target)
        return target

    the_map: Map | None = None
    map_path = resolve(scenario.map, ("map",))
    if map_path is not None:
        try:
            the_map = load_map(map_path)
        except ModelError as exc:
            issues.extend(exc.issues)

    zone_sets: list[ZoneSet] = []
    for k, rel in enumerate(scenario.zones):
        zpath = resolve(rel, ("zones", k))
        if zpath is not None:
            try:
                zone_sets.append(load_zone_file(zpath))
            except ModelError as exc:
                issues.extend(exc.issues)

    permits: dict[str, Permit] = {}
    permit_where: dict[str, str] = {}
    permit_src: dict[str, tuple[str, Any, int]] = {}
    for k, rel in enumerate(scenario.permits):
        ppath = resolve(rel, ("permits", k))
        if ppath is None:
            continue
        try:
            pdoc = read_toml(ppath)
            pfile = parse_permit_file(pdoc, display_name(ppath))
        except ModelError as exc:
            issues.extend(exc.issues)
            continue
        for j, p in enumerate(pfile.permit):
            permit_src[p.id] = (display_name(ppath), pdoc, j)
            if p.id in permits:
                issues.append(
                    Issue(
                        display_name(ppath),
                        f'permit["{p.id}"]',
                        f"duplicate permit id (also in {permit_where[p.id]})",
                    )
                )
            permits[p.id] = p
            permit_where[p.id] = display_name(ppath)
    for k, p in enumerate(scenario.permit):
        if p.id in permits:
            issues.append(
                Issue(
                    name,
                    format_path(("permit", k, "id"), doc),
                    f"duplicate permit id (also in {permit_where[p.id]})",
                )
            )
        permits[p.id] = p
        permit_where[p.id] = name
        permit_src[p.id] = (name, doc, k)

    types: dict[str, AnyVehicleType] = builtin_vehicle_types()
    for k, vt in enumerate(scenario.vehicle_type):
        if vt.id in types:
            issues.append(
                Issue(
                    name,
                    format_path(("vehicle_type", k, "id"), doc),
                    f"duplicate vehicle type id {vt.id!r} (a built-in type or defined "
                    "twice; choose another id)",
                )
            )
        types[vt.id] = vt

    if issues:
        raise ModelError(issues)
    assert the_map is not None
    checker = _CrossChecker(name, doc, scenario, the_map, zone_sets, permits, permit_src, types)
    issues.extend(checker.run())
    if issues:
        raise ModelError(issues)
    digest = _digest(files, doc)
    return ScenarioBundle(
        path, scenario, the_map, tuple(zone_sets), permits, types, digest, tuple(files)
    )


def _digest(files: Sequence[Path], doc: Any) -> str:
    """SHA-256 over the inputs; a scenario built in memory (no file) hashes as canonical JSON."""
    h = hashlib.sha256()
    for i, f in enumerate(files):
        if i == 0 and not f.is_file():
            data = json.dumps(doc, sort_keys=True, default=str, separators=(",", ":")).encode()
        else:
            data = f.read_bytes()
        h.update(f"{i}:{len(data)}:".encode())
        h.update(data)
    return h.hexdigest()


class _CrossChecker:
    """References between the scenario, its map, zones, permits and vehicle types."""

    def __init__(
        self,
        file: str,
        doc: Any,
        scenario: Scenario,
        the_map: Map,
        zone_sets: list[ZoneSet],
        permits: dict[str, Permit],
        permit_src: dict[str, tuple[str, Any, int]],
        types: dict[str, AnyVehicleType],
    ) -> None:
        self.file = file
        self.doc = doc
        self.s = scenario
        self.map = the_map
        self.zone_sets = zone_sets
        self.permits = permits
        self.permit_src = permit_src
        self.types = types
        self.zones: dict[str, Zone] = {}
        self.adjacency: dict[str, dict[str, set[str]]] = {}
        for layer in ("road", "air", "water"):
            adj: dict[str, set[str]] = {n: set() for n in the_map.nodes(layer)}
            for d in the_map.directed_edges(layer):
                adj.setdefault(d.src, set()).add(d.dst)
            self.adjacency[layer] = adj

    def issue(self, where: tuple[str | int, ...], message: str) -> Issue:
        return Issue(self.file, format_path(where, self.doc), message)

    def run(self) -> Iterator[Issue]:
        yield from self._zones()
        yield from self._permits()
        yield from self._agents()
        yield from self._flows()
        yield from self._events()

    def _zones(self) -> Iterator[Issue]:
        where_of: dict[str, str] = {}
        for k, zs in enumerate(self.zone_sets):
            if (
                zs.header.crs is Crs.WGS84
                and self.map.header.crs is Crs.LOCAL
                and self.map.header.origin is None
            ):
                yield self.issue(
                    ("zones", k),
                    f"zone file {zs.source} is in lon/lat but the map is in "
                    "local metres without an origin: give the map an origin",
                )
            for z in zs.zones:
                if z.id in self.zones:
                    yield self.issue(
                        ("zones", k), f"zone id {z.id!r} in {zs.source} is also in {where_of[z.id]}"
                    )
                self.zones[z.id] = z
                where_of[z.id] = zs.source

    def _permits(self) -> Iterator[Issue]:
        corridors = {e.id for e in self.map.edges("air")}
        waters = {e.id for e in self.map.edges("water")}
        for pid, p in self.permits.items():
            file, doc, k = self.permit_src[pid]

            def at(
                key: str, j: int, msg: str, file: str = file, doc: Any = doc, k: int = k
            ) -> Issue:
                return Issue(file, format_path(("permit", k, key, j), doc), msg)

            for j, z in enumerate(p.zones):
                if z not in self.zones:
                    yield at("zones", j, f"unknown zone {z!r}{did_you_mean(z, self.zones)}")
            for j, c in enumerate(p.corridors):
                if c not in corridors:
                    yield at("corridors", j, f"unknown corridor {c!r}{did_you_mean(c, corridors)}")
            for j, w in enumerate(p.waters):
                if w not in waters:
                    yield at("waters", j, f"unknown waterway {w!r}{did_you_mean(w, waters)}")

    def _route(
        self, where: tuple[str | int, ...], spec: AgentSpec | FlowSpec, layer: str
    ) -> Iterator[Issue]:
        adj = self.adjacency[layer]
        nodes = self.map.nodes(layer)
        if spec.route is not None:
            bad = False
            for j, n in enumerate(spec.route):
                if n not in nodes:
                    bad = True
                    yield self.issue(
                        (*where, "route", j), f"unknown {layer} node {n!r}{did_you_mean(n, nodes)}"
                    )
            if bad:
                return
            for j in range(len(spec.route) - 1):
                a, b = spec.route[j], spec.route[j + 1]
                if b not in adj.get(a, set()):
                    leaving = ", ".join(sorted(adj.get(a, set()))) or "none"
                    yield self.issue(
                        (*where, "route", j + 1),
                        f"route is disconnected: no {layer} edge from {a!r} to {b!r} "
                        f"(edges from {a!r} go to: {leaving})",
                    )
            return
        o, d = spec.endpoints
        ok = True
        for key, n in (("origin", o), ("destination", d)):
            if n not in nodes:
                ok = False
                yield self.issue(
                    (*where, key), f"unknown {layer} node {n!r}{did_you_mean(n, nodes)}"
                )
        if ok and not _reachable(adj, o, d):
            yield self.issue((*where, "destination"), f"no {layer} path from {o!r} to {d!r}")

    def _time(self, where: tuple[str | int, ...], t: Any, inclusive_end: bool) -> Iterator[Issue]:
        if not isinstance(t, float):
            return
        dur = self.s.duration
        if t < 0 or t > dur or (t == dur and not inclusive_end):
            yield self.issue(
                where,
                f"time {t:g} s is outside the scenario (0 to {dur:g} s after "
                f"start {self.s.start.isoformat()})",
            )

    def _agents(self) -> Iterator[Issue]:
        seen: dict[str, int] = {}
        for k, a in enumerate(self.s.agent):
            where: tuple[str | int, ...] = ("agent", k)
            if a.id in seen:
                yield self.issue(
                    (*where, "id"), f"duplicate agent id {a.id!r} (also agent[{seen[a.id]}])"
                )
            seen.setdefault(a.id, k)
            yield from self._time((*where, "depart"), a.depart, inclusive_end=False)
            vt = self.types.get(a.type)
            if vt is None:
                yield self.issue(
                    (*where, "type"),
                    f"unknown vehicle type {a.type!r}{did_you_mean(a.type, self.types)}",
                )
                continue
            if a.background and a.permit is not None:
                yield self.issue(
                    (*where, "background"),
                    "a background agent is not under test and has no permit: drop 'permit' "
                    "or 'background'",
                )
            if a.permit is not None and a.permit not in self.permits:
                yield self.issue(
                    (*where, "permit"),
                    f"permit {a.permit!r} is missing: no such permit in this scenario"
                    f"{did_you_mean(a.permit, self.permits)}",
                )
            domain = vt.domain
            yield from self._route(where, a, LAYER_OF_DOMAIN[domain])
            yield from self._domain_fields(where, a, domain)

    def _domain_fields(
        self, where: tuple[str | int, ...], a: AgentSpec | FlowSpec, domain: Domain
    ) -> Iterator[Issue]:
        if a.altitude is not None and domain is not Domain.UAV:
            yield self.issue(
                (*where, "altitude"), f"altitude applies to UAVs only (this is a {domain.value})"
            )
        if a.connected and domain is not Domain.ICV:
            yield self.issue(
                (*where, "connected"), f"connected applies to ICVs only (this is a {domain.value})"
            )
        if isinstance(a, AgentSpec):
            if a.connected and a.trajectory is not None and self.s.trajectories == "replay":
                yield self.issue(
                    (*where, "connected"),
                    "a replayed vehicle follows its recording, so it cannot drive with CACC",
                )
            for key in ("safety_driver", "occupants", "history", "start", "trajectory"):
                if getattr(a, key) is not None and domain is not Domain.ICV:
                    yield self.issue(
                        (*where, key), f"{key} applies to ICVs only (this is a {domain.value})"
                    )
            for key in ("priority", "volumes", "intent_state", *a.flight_flags()):
                if getattr(a, key) not in (None, False, ()) and domain is not Domain.UAV:
                    yield self.issue(
                        (*where, key), f"{key} applies to UAVs only (this is a {domain.value})"
                    )
            if a.history is not None and domain is Domain.ICV:
                roads = {e.id for e in self.map.edges("road")}
                for j, sec in enumerate(a.history.sections):
                    if sec not in roads:
                        yield self.issue(
                            (*where, "history", "sections", j),
                            f"unknown road edge {sec!r}{did_you_mean(sec, roads)} "
                            "(sections are map road ids, without ':rev')",
                        )
            if a.start is not None and domain is Domain.ICV and a.route and len(a.route) > 1:
                first = [
                    e
                    for e in self.map.edges("road")
                    if {e.from_, e.to} == {a.route[0], a.route[1]} and isinstance(e, Road)
                ]
                if first and all(a.start.lane >= e.lanes for e in first):
                    yield self.issue(
                        (*where, "start", "lane"),
                        f"lane {a.start.lane} does not exist: the first road of the route has "
                        f"{max(e.lanes for e in first)} lanes (0 = rightmost)",
                    )
        vt_speed = None
        if isinstance(a, AgentSpec):
            vt = self.types[a.type]
            vt_speed = vt.max_speed
        if a.speed is not None and vt_speed is not None and a.speed > vt_speed:
            yield self.issue(
                (*where, "speed"),
                f"planned speed {a.speed:g} m/s exceeds the vehicle "
                f"type's max_speed {vt_speed:g} m/s",
            )

    def _flows(self) -> Iterator[Issue]:
        agent_ids = {a.id for a in self.s.agent}
        seen: dict[str, int] = {}
        for k, f in enumerate(self.s.flow):
            where: tuple[str | int, ...] = ("flow", k)
            if f.id in seen or f.id in agent_ids:
                yield self.issue(
                    (*where, "id"),
                    f"duplicate id {f.id!r} (flow and agent ids share one namespace)",
                )
            seen.setdefault(f.id, k)
            yield from self._time((*where, "begin"), f.begin, inclusive_end=False)
            if f.end is not None:
                yield from self._time((*where, "end"), f.end, inclusive_end=True)
                if isinstance(f.end, float) and isinstance(f.begin, float) and f.end <= f.begin:
                    yield self.issue(
                        (*where, "end"), f"end {f.end:g} s is not after begin {f.begin:g} s"
                    )
            domains = set()
            bad = False
            for tid in f.type_ids():
                vt = self.types.get(tid)
                key = "type" if f.type is not None else "mix"
                if vt is None:
                    bad = True
                    yield self.issue(
                        (*where, key),
                        f"unknown vehicle type {tid!r}{did_you_mean(tid, self.types)}",
                    )
                else:
                    domains.add(vt.domain)
            if bad:
                continue
            if len(domains) > 1:
                yield self.issue(
                    (*where, "mix"),
                    "a flow's vehicle types must all be of one kind "
                    f"(got {', '.join(sorted(d.value for d in domains))})",
                )
                continue
            domain = domains.pop()
            yield from self._route(where, f, LAYER_OF_DOMAIN[domain])
            yield from self._domain_fields(where, f, domain)

    def _events(self) -> Iterator[Issue]:
        agents = {a.id for a in self.s.agent}
        for k, e in enumerate(self.s.event):
            where: tuple[str | int, ...] = ("event", k)
            yield from self._time((*where, "at"), e.at, inclusive_end=True)
            if isinstance(e, FaultEvent):
                if e.zone is not None and e.zone not in self.zones:
                    yield self.issue(
                        (*where, "zone"),
                        f"unknown zone {e.zone!r}{did_you_mean(e.zone, self.zones)}",
                    )
                if e.agent is not None and e.agent not in agents:
                    yield self.issue(
                        (*where, "agent"),
                        f"unknown agent {e.agent!r}{did_you_mean(e.agent, agents)}",
                    )
            elif isinstance(e, ZoneEvent) and e.zone not in self.zones:
                yield self.issue(
                    (*where, "zone"), f"unknown zone {e.zone!r}{did_you_mean(e.zone, self.zones)}"
                )
            elif isinstance(e, AgentEvent) and e.agent not in agents:
                yield self.issue(
                    (*where, "agent"), f"unknown agent {e.agent!r}{did_you_mean(e.agent, agents)}"
                )
            elif isinstance(e, SpeedLimitEvent):
                d = self.map.directed_edge(e.edge)
                if d is None:
                    ids = [
                        x.id for layer in ("road", "water") for x in self.map.directed_edges(layer)
                    ]
                    yield self.issue(
                        (*where, "edge"), f"unknown edge {e.edge!r}{did_you_mean(e.edge, ids)}"
                    )


def _reachable(adj: dict[str, set[str]], src: str, dst: str) -> bool:
    seen = {src}
    todo = deque([src])
    while todo:
        n = todo.popleft()
        if n == dst:
            return True
        for m in adj.get(n, ()):
            if m not in seen:
                seen.add(m)
                todo.append(m)
    return False
