"""Reading a SUMO network file (``.net.xml``) into plain typed records.

Only what the importer needs is read: ``location``, ``junction``, ``edge``/``lane``,
``connection`` and ``tlLogic``/``phase``. Positions are SUMO network coordinates (m);
speeds are m/s, widths and lengths m, durations and offsets s. The XML is parsed with
:mod:`xml.etree.ElementTree` (no DTD or external entity is fetched). Every problem becomes a
:class:`~sim.model.errors.ModelError` naming the file and the element, e.g.
``edge[id=E3].lane[1].shape``; problems of different elements are collected, not just the
first.
"""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

from sim.model.errors import Issue, ModelError
from sim.model.files import display_name, read_text

XY = tuple[float, float]
"""A position in SUMO network coordinates (m)."""
NORMAL_FUNCTIONS = frozenset({"", "normal"})
"""Values of an edge's ``function`` attribute that mark a real road (not internal, connector,
walkingarea or crossing)."""
MAX_ISSUES = 50
"""Most problems reported for one file."""


@dataclass(frozen=True, slots=True)
class Location:
    """The ``<location>`` element: how network coordinates relate to a projection."""

    net_offset: XY
    """Added to projected coordinates to get network coordinates (m)."""
    conv_boundary: tuple[float, float, float, float]
    """Network extent ``xmin, ymin, xmax, ymax`` (m)."""
    proj: str
    """The PROJ string, or ``""`` when the network is not geo-referenced (``"!"``)."""


@dataclass(frozen=True, slots=True)
class Junction:
    """A ``<junction>``: id, SUMO type and position (m)."""

    id: str
    type: str
    xy: XY


@dataclass(frozen=True, slots=True)
class Lane:
    """A ``<lane>`` of an edge: speed (m/s), width (m, ``None`` = SUMO default), shape (m)."""

    id: str
    index: int
    speed: float
    width: float | None
    shape: tuple[XY, ...]
    car: bool
    """Whether passenger cars may use the lane (``allow``/``disallow``)."""


@dataclass(frozen=True, slots=True)
class Edge:
    """An ``<edge>``: one-way road from junction ``from_`` to junction ``to``."""

    id: str
    from_: str
    to: str
    function: str
    type: str
    name: str
    shape: tuple[XY, ...]
    lanes: tuple[Lane, ...]

    @property
    def normal(self) -> bool:
        """Whether this is a real road (no ``function`` or ``function="normal"``)."""
        return self.function in NORMAL_FUNCTIONS

    @property
    def car_lanes(self) -> tuple[Lane, ...]:
        """The lanes passenger cars may use, in index order."""
        return tuple(lane for lane in self.lanes if lane.car)


@dataclass(frozen=True, slots=True)
class Connection:
    """A ``<connection>`` from a lane of one edge to a lane of another, maybe signalised."""

    where: str
    from_: str
    to: str
    from_lane: int
    tl: str
    """Id of the controlling ``tlLogic`` (``""``: none)."""
    link_index: int
    """Index of the link in the tlLogic's state strings (-1: none)."""


@dataclass(frozen=True, slots=True)
class Phase:
    """A ``<phase>`` of a tlLogic: duration (s) and one signal letter per link."""

    duration: float
    state: str


@dataclass(frozen=True, slots=True)
class TlLogic:
    """The first ``<tlLogic>`` program of a traffic light: offset (s) and phases."""

    id: str
    program_id: str
    offset: float
    phases: tuple[Phase, ...]


@dataclass(frozen=True, slots=True)
class SumoNet:
    """The parts of a SUMO network the importer uses, in file order."""

    file: str
    location: Location | None
    junctions: dict[str, Junction]
    """Non-internal junctions by id."""
    edges: dict[str, Edge]
    """Normal edges (no ``function`` or ``function="normal"``) by id."""
    connections: tuple[Connection, ...]
    tls: dict[str, TlLogic]


class ElementError(Exception):
    """One problem with one XML element (caught per element and collected by the readers)."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def element_label(el: ET.Element) -> str:
    """How an element is named in messages: ``tag[id=...]``, or the tag."""
    ident = el.get("id")
    return f"{el.tag}[id={ident}]" if ident is not None else el.tag


def _attr(el: ET.Element, where: str, name: str) -> str:
    value = el.get(name)
    if value is None or value == "":
        raise ElementError(f"{where}.{name}", "required attribute is missing")
    return value


def _float(el: ET.Element, where: str, name: str, default: float | None = None) -> float:
    raw = el.get(name)
    if raw is None:
        if default is not None:
            return default
        raise ElementError(f"{where}.{name}", "required attribute is missing (expected a number)")
    try:
        value = float(raw)
    except ValueError:
        raise ElementError(f"{where}.{name}", f"expected a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise ElementError(f"{where}.{name}", f"expected a finite number, got {raw!r}")
    return value


def _int(el: ET.Element, where: str, name: str, default: int | None = None) -> int:
    raw = el.get(name)
    if raw is None:
        if default is not None:
            return default
        raise ElementError(f"{where}.{name}", "required attribute is missing (expected an integer)")
    try:
        return int(raw)
    except ValueError:
        raise ElementError(f"{where}.{name}", f"expected an integer, got {raw!r}") from None


def _numbers(raw: str, where: str, count: int) -> tuple[float, ...]:
    parts = raw.split(",")
    try:
        values = tuple(float(p) for p in parts)
    except ValueError:
        values = ()
    if len(values) != count or not all(math.isfinite(v) for v in values):
        raise ElementError(where, f"expected {count} comma-separated numbers, got {raw!r}")
    return values


def _shape(el: ET.Element, where: str) -> tuple[XY, ...]:
    raw = el.get("shape")
    if raw is None:
        return ()
    pts: list[XY] = []
    for token in raw.split():
        parts = token.split(",")
        try:
            values = [float(p) for p in parts]
        except ValueError:
            values = []
        if len(values) not in (2, 3) or not all(math.isfinite(v) for v in values):
            raise ElementError(
                f"{where}.shape", f"expected positions 'x,y x,y ...' in metres, got {token!r}"
            )
        pts.append((values[0], values[1]))
    if len(pts) < 2:
        raise ElementError(f"{where}.shape", f"expected at least 2 positions, got {len(pts)}")
    return tuple(pts)


def passenger_allowed(allow: str | None, disallow: str | None) -> bool | None:
    """Whether SUMO's ``allow``/``disallow`` lists admit class ``passenger``.

    Returns ``None`` when neither attribute is given (the caller decides the default).
    """
    if allow is not None:
        tokens = allow.split()
        return "all" in tokens or "passenger" in tokens
    if disallow is not None:
        tokens = disallow.split()
        return not ("all" in tokens or "passenger" in tokens)
    return None


def _location(el: ET.Element) -> Location:
    where = "location"
    offset = _numbers(el.get("netOffset", "0,0"), f"{where}.netOffset", 2)
    boundary = _numbers(_attr(el, where, "convBoundary"), f"{where}.convBoundary", 4)
    proj = el.get("projParameter", "!").strip()
    return Location(
        (offset[0], offset[1]),
        (boundary[0], boundary[1], boundary[2], boundary[3]),
        "" if proj in ("", "!") else proj,
    )


def _junction(el: ET.Element) -> Junction:
    where = element_label(el)
    ident = _attr(el, "junction", "id")
    return Junction(ident, el.get("type", ""), (_float(el, where, "x"), _float(el, where, "y")))


def _lane(el: ET.Element, where: str, edge_el: ET.Element) -> Lane:
    car = passenger_allowed(el.get("allow"), el.get("disallow"))
    if car is None:
        car = passenger_allowed(edge_el.get("allow"), edge_el.get("disallow"))
    speed = _float(el, where, "speed")
    if speed <= 0:
        raise ElementError(f"{where}.speed", f"expected a positive speed in m/s, got {speed:g}")
    width = _float(el, where, "width") if el.get("width") is not None else None
    return Lane(
        el.get("id", ""),
        _int(el, where, "index", default=0),
        speed,
        width if width is not None and width > 0 else None,
        _shape(el, where),
        car is not False,
    )


def _edge(el: ET.Element) -> Edge:
    ident = _attr(el, "edge", "id")
    where = element_label(el)
    lanes = tuple(
        _lane(lane_el, f"{where}.lane[{i}]", el) for i, lane_el in enumerate(el.findall("lane"))
    )
    function = el.get("function", "")
    if function in NORMAL_FUNCTIONS and not lanes:
        raise ElementError(where, "edge has no <lane> (expected at least one)")
    return Edge(
        ident,
        el.get("from", ""),
        el.get("to", ""),
        function,
        el.get("type", ""),
        el.get("name", ""),
        _shape(el, where),
        tuple(sorted(lanes, key=lambda lane: lane.index)),
    )


def _connection(el: ET.Element) -> Connection:
    from_, to = el.get("from", ""), el.get("to", "")
    where = f"connection[from={from_},to={to},fromLane={el.get('fromLane', '')}]"
    tl = el.get("tl", "")
    return Connection(
        where,
        _attr(el, where, "from"),
        _attr(el, where, "to"),
        _int(el, where, "fromLane", default=0),
        tl,
        _int(el, where, "linkIndex") if tl else -1,
    )


def _tl_logic(el: ET.Element) -> TlLogic:
    ident = _attr(el, "tlLogic", "id")
    where = element_label(el)
    phases = []
    for i, ph in enumerate(el.findall("phase")):
        pw = f"{where}.phase[{i}]"
        duration = _float(ph, pw, "duration")
        if duration < 0:
            raise ElementError(f"{pw}.duration", f"expected a duration >= 0 s, got {duration:g}")
        phases.append(Phase(duration, _attr(ph, pw, "state")))
    if not phases or sum(p.duration for p in phases) <= 0:
        raise ElementError(where, "expected at least one <phase> with a positive duration")
    return TlLogic(ident, el.get("programID", ""), _float(el, where, "offset", 0.0), tuple(phases))


def parse_xml(path: Path) -> tuple[str, ET.Element]:
    """Read and parse the file; return its display name and the ``<net>`` root element.

    Raises:
        ModelError: unreadable file, malformed XML, or a root element other than ``<net>``.
    """
    file = display_name(path)
    text = read_text(path)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise ModelError.single(
            file, "", f"not well-formed XML at line {line}, column {col + 1}: {exc.msg}"
        ) from None
    if root.tag != "net":
        raise ModelError.single(
            file,
            root.tag,
            f"expected a SUMO network file (root element <net>), got <{root.tag}>",
        )
    return file, root


def read_sumo_net(path: Path) -> SumoNet:
    """Read a SUMO ``.net.xml`` file.

    Raises:
        ModelError: naming the file and each offending element.
    """
    file, root = parse_xml(path)
    issues: list[Issue] = []
    location: Location | None = None
    junctions: dict[str, Junction] = {}
    edges: dict[str, Edge] = {}
    connections: list[Connection] = []
    tls: dict[str, TlLogic] = {}
    seen_edges: set[str] = set()
    for el in root:
        try:
            if el.tag == "location" and location is None:
                location = _location(el)
            elif el.tag == "junction" and el.get("type") != "internal":
                j = _junction(el)
                if j.id in junctions:
                    raise ElementError(element_label(el), "duplicate junction id")
                junctions[j.id] = j
            elif el.tag == "edge":
                ident = _attr(el, "edge", "id")
                if ident in seen_edges:
                    raise ElementError(element_label(el), "duplicate edge id")
                seen_edges.add(ident)
                if el.get("function", "") in NORMAL_FUNCTIONS:
                    edges[ident] = _edge(el)
            elif el.tag == "connection":
                connections.append(_connection(el))
            elif el.tag == "tlLogic":
                tl = _tl_logic(el)
                tls.setdefault(tl.id, tl)
        except ElementError as bad:
            issues.append(Issue(file, bad.where, bad.message))
    issues.extend(_check_references(file, junctions, edges, connections, tls))
    if issues:
        raise ModelError(issues[:MAX_ISSUES])
    return SumoNet(file, location, junctions, edges, tuple(connections), tls)


def _check_references(
    file: str,
    junctions: dict[str, Junction],
    edges: dict[str, Edge],
    connections: list[Connection],
    tls: dict[str, TlLogic],
) -> list[Issue]:
    issues = []
    for e in edges.values():
        for field, ref in (("from", e.from_), ("to", e.to)):
            if not ref:
                issues.append(
                    Issue(file, f"edge[id={e.id}].{field}", "required attribute is missing")
                )
            elif ref not in junctions:
                issues.append(
                    Issue(
                        file,
                        f"edge[id={e.id}].{field}",
                        f"unknown junction {ref!r} (expected the id of a <junction> in the file)",
                    )
                )
    for c in connections:
        if c.tl and c.tl not in tls:
            issues.append(Issue(file, f"{c.where}.tl", f"no <tlLogic id={c.tl!r}> in the file"))
        elif c.tl and c.link_index < 0:
            issues.append(Issue(file, f"{c.where}.linkIndex", "expected an index >= 0"))
    return issues
