"""Reading a CommonRoad scenario file (XML, formats 2018b and 2020a) into plain typed records.

:func:`parse_commonroad` returns a :class:`Scenario`: the road network (lanelets, traffic
signs and lights, intersections), the obstacles with their recorded trajectories and the
planning problems. Nothing is converted to testzone's model here; this is a reader.

Units are CommonRoad's, SI throughout: positions and lengths in m (the scenario's local
Cartesian frame), orientations in rad (counter-clockwise from +x), velocities in m/s,
accelerations in m/s^2; times are integer *time steps* of ``Scenario.time_step_size`` s.

**Formats.** The ``commonRoadVersion`` attribute must be ``2018b`` or ``2020a``. 2018b keeps
obstacles in ``<obstacle>`` with a ``<role>`` (``static``/``dynamic``), the speed limit in a
lanelet's ``<speedLimit>`` (m/s) and tags in the root's ``tags`` attribute. 2020a has
``<staticObstacle>``/``<dynamicObstacle>``/``<environmentObstacle>``, ``<location>``,
``<scenarioTags>``, ``<trafficSign>``/``<trafficLight>``/``<intersection>`` and lanelet
types, line markings, stop lines and user restrictions. Both kinds of element are read in
either version. ``<phantomObstacle>`` and occupancy-set predictions are not read (such a
dynamic obstacle has an empty trajectory).

**Values.** A value given as ``<exact>`` is used as is; one given as
``<intervalStart>``/``<intervalEnd>`` becomes the interval's midpoint (goal states keep
their intervals). A state's position is a ``<point>``, or the centre of a single
rectangle/circle, or the centroid of a polygon.

**Speed limits.** 2018b: ``<speedLimit>``. 2020a: the lowest ``MAX_SPEED`` sign among the
lanelet's own ``<trafficSignRef>`` (signs are not propagated to successor lanelets). A sign
is ``MAX_SPEED`` when its ``trafficSignID`` is the German ``274`` (which CommonRoad files use
in every country) or the country's own id from :data:`MAX_SPEED_SIGN_IDS` (``R2-1`` in the
USA), the country being the first part of the benchmark id. Its first ``additionalValue`` is
the limit in m/s, CommonRoad's unit for all speeds (in ``USA_Peach-4_8_T-1.xml``, 15.6464
and 11.176 m/s are exactly 35 and 25 mph).

**Safety.** The text is parsed with :mod:`xml.etree.ElementTree`; a document with a DTD
(``<!DOCTYPE``) or entity declaration is refused before parsing, and nothing is fetched or
evaluated. Every problem becomes a :class:`~sim.model.errors.ModelError` naming the file
and the element, e.g. ``lanelet[id=3214].leftBound: has 1 point, expected at least 2``;
problems of different elements are collected, not just the first.
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

import numpy as np

from sim.importers.sumo_xml import ElementError as _ElementError
from sim.importers.sumo_xml import element_label as _label
from sim.model.errors import Issue, ModelError
from sim.model.files import display_name, read_text

XY = tuple[float, float]
"""A position (x, y) in the scenario's frame (m)."""
SUPPORTED_VERSIONS: tuple[str, ...] = ("2018b", "2020a")
"""Values of ``commonRoadVersion`` this reader accepts."""
GERMAN_MAX_SPEED = "274"
"""The German ``MAX_SPEED`` sign id, which CommonRoad files use as a max-speed sign everywhere."""
MAX_SPEED_SIGN_IDS: dict[str, str] = {
    "DEU": "274",
    "ZAM": "274",
    "CHN": "274",
    "ITA": "274",
    "USA": "R2-1",
    "PRI": "R2-1",
    "ESP": "r301",
    "RUS": "3.24",
    "ARG": "R15",
    "BEL": "C43",
    "FRA": "B14",
    "GRC": "Ρ-32",
    "HRV": "B31",
}
"""Country code (benchmark id prefix) -> that country's ``MAX_SPEED`` sign id, as commonroad-io
(``TrafficSignID<Country>.MAX_SPEED``) has them."""
TRAFFIC_LIGHT_COLORS = frozenset({"red", "redYellow", "green", "yellow", "inactive"})
"""Colors a traffic light cycle element may have."""
UNKNOWN_LOCATION = 999
"""CommonRoad's placeholder (also negative) for an unknown geoNameId, latitude or longitude."""
MAX_ISSUES = 50
"""Most problems reported for one file."""

Role = Literal["dynamic", "static", "environment"]
DrivingDir = Literal["same", "opposite"]


# --- records -----------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class Rectangle:
    """A rectangle of ``length`` (along its orientation) by ``width`` (m).

    ``orientation`` (rad) and ``center`` (m) are relative to the obstacle's state (zero for
    an obstacle's own shape) or absolute for a goal region.
    """

    length: float
    width: float
    orientation: float = 0.0
    center: XY = (0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Circle:
    """A circle of ``radius`` (m) around ``center`` (m)."""

    radius: float
    center: XY = (0.0, 0.0)


@dataclass(frozen=True, slots=True)
class Polygon:
    """A polygon of at least 3 vertices (m), not closed (the last vertex is not repeated)."""

    points: tuple[XY, ...]


@dataclass(frozen=True, slots=True)
class ShapeGroup:
    """Several shapes that together make one obstacle's shape (a ``<shape>`` with many)."""

    shapes: tuple[Rectangle | Circle | Polygon, ...]


Shape = Rectangle | Circle | Polygon | ShapeGroup
"""An obstacle's or a goal region's shape."""


@dataclass(frozen=True, slots=True)
class StopLine:
    """A lanelet's ``<stopLine>`` (2020a).

    ``points`` holds its two end points (m), or is empty when the file gives none (the stop
    line is then the lanelet's end, by CommonRoad's convention).
    """

    points: tuple[XY, ...]
    line_marking: str | None
    traffic_signs: tuple[int, ...]
    traffic_lights: tuple[int, ...]


@dataclass(frozen=True, slots=True, eq=False)
class Lanelet:
    """A ``<lanelet>``: a lane piece between a left and a right bound, driven left-bound ahead.

    The arrays are read-only float64 of shape ``(n, 2)``, positions in m. ``centre`` is the
    mean of the bounds point by point; when they have different point counts, both are first
    resampled at ``max(n_left, n_right)`` points evenly spaced along their length. Records
    with arrays compare by identity.
    """

    id: int
    left_bound: np.ndarray
    right_bound: np.ndarray
    centre: np.ndarray
    left_line_marking: str | None
    """``lineMarking`` of the left bound (``solid``, ``dashed`` ...), None if not given."""
    right_line_marking: str | None
    predecessors: tuple[int, ...]
    successors: tuple[int, ...]
    adjacent_left: int | None
    adjacent_left_dir: DrivingDir | None
    """``drivingDir`` of the left neighbour: ``same`` or ``opposite`` (None: no neighbour)."""
    adjacent_right: int | None
    adjacent_right_dir: DrivingDir | None
    speed_limit: float | None
    """Speed limit (m/s): 2018b ``<speedLimit>`` or 2020a referenced MAX_SPEED sign; None."""
    lanelet_types: tuple[str, ...]
    """``laneletType`` values (2020a), e.g. ``("urban",)``; empty in 2018b."""
    user_one_way: tuple[str, ...]
    """Road users (``vehicle``, ``car``, ``bicycle`` ...) that may use it one way only."""
    user_bidirectional: tuple[str, ...]
    """Road users that may use it both ways."""
    stop_line: StopLine | None
    traffic_signs: tuple[int, ...]
    """Ids of the ``<trafficSign>`` elements it references."""
    traffic_lights: tuple[int, ...]
    """Ids of the ``<trafficLight>`` elements it references."""


@dataclass(frozen=True, slots=True)
class TrafficSignElement:
    """One sign of a ``<trafficSign>``: its country-specific id and additional values (text)."""

    sign_id: str
    additional_values: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class TrafficSign:
    """A ``<trafficSign>`` (2020a) and the lanelets that reference it."""

    id: int
    elements: tuple[TrafficSignElement, ...]
    position: XY | None
    virtual: bool
    """True for a sign that exists only in the map (e.g. a legal limit without a pole)."""
    max_speed: float | None
    """The lowest speed (m/s) among its MAX_SPEED elements, None if it has none."""
    lanelets: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class TrafficLight:
    """A ``<trafficLight>`` (2020a) and the lanelets that reference it.

    The light shows ``cycle[k][0]`` for ``cycle[k][1]`` time steps, in order, repeating;
    ``offset`` (time steps) shifts the cycle's start (see :meth:`color_at`).
    """

    id: int
    cycle: tuple[tuple[str, int], ...]
    """``(color, duration in time steps)``; colors: red, redYellow, green, yellow, inactive."""
    offset: int
    position: XY | None
    direction: str
    """Directions it governs: ``all`` (default), ``left``, ``straight``, ``leftStraight`` ..."""
    active: bool
    lanelets: tuple[int, ...]
    """Lanelets referencing it (directly or through their stop line), in file order."""

    @property
    def cycle_length(self) -> int:
        """Duration of one cycle (time steps)."""
        return sum(d for _, d in self.cycle)

    def color_at(self, time_step: int) -> str:
        """The color shown at ``time_step`` (commonroad-io's ``get_state_at_time_step``)."""
        t = (time_step - self.offset) % self.cycle_length
        for color, duration in self.cycle:
            if t < duration:
                return color
            t -= duration
        return self.cycle[-1][0]  # pragma: no cover - t < cycle_length


@dataclass(frozen=True, slots=True)
class Incoming:
    """An ``<incoming>`` of an intersection: its lanelets and where they lead (lanelet ids)."""

    id: int
    incoming_lanelets: tuple[int, ...]
    successors_right: tuple[int, ...]
    successors_straight: tuple[int, ...]
    successors_left: tuple[int, ...]
    is_left_of: int | None
    """Id of the incoming this one is to the left of (None: not given)."""


@dataclass(frozen=True, slots=True)
class Intersection:
    """An ``<intersection>`` (2020a): its incomings and crossing (pedestrian) lanelets."""

    id: int
    incomings: tuple[Incoming, ...]
    crossings: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class State:
    """One state of an obstacle or a planning problem.

    ``time_step`` is an integer step of the scenario's ``time_step_size``; ``position`` in m,
    ``orientation`` in rad, ``velocity`` in m/s, ``acceleration`` in m/s^2, ``yaw_rate`` in
    rad/s, ``slip_angle`` in rad (None where the file gives none).
    """

    time_step: int
    position: XY
    orientation: float
    velocity: float | None = None
    acceleration: float | None = None
    yaw_rate: float | None = None
    slip_angle: float | None = None


@dataclass(frozen=True, slots=True, eq=False)
class Trajectory:
    """States as parallel read-only arrays, time steps strictly increasing.

    ``time_step`` int64 ``(n,)``, ``position`` float64 ``(n, 2)`` m, ``orientation`` rad,
    ``velocity`` m/s and ``acceleration`` m/s^2 float64 ``(n,)`` (NaN where a state has none).
    """

    time_step: np.ndarray
    position: np.ndarray
    orientation: np.ndarray
    velocity: np.ndarray
    acceleration: np.ndarray

    def __len__(self) -> int:
        """Number of states."""
        return len(self.time_step)

    def __iter__(self) -> Iterator[State]:
        """The states one by one."""
        return (self.state(i) for i in range(len(self)))

    def state(self, i: int) -> State:
        """The ``i``-th state (velocity/acceleration None where NaN)."""
        v, a = float(self.velocity[i]), float(self.acceleration[i])
        return State(
            int(self.time_step[i]),
            (float(self.position[i, 0]), float(self.position[i, 1])),
            float(self.orientation[i]),
            None if math.isnan(v) else v,
            None if math.isnan(a) else a,
        )


@dataclass(frozen=True, slots=True, eq=False)
class Obstacle:
    """An obstacle, with its shape, initial state and recorded trajectory.

    Read from ``<dynamicObstacle>``/``<staticObstacle>``/``<environmentObstacle>`` (2020a)
    or ``<obstacle>`` with a ``<role>`` (2018b).
    ``type`` is CommonRoad's (``car``, ``truck``, ``bus``, ``bicycle``, ``pedestrian``,
    ``motorcycle``, ``priorityVehicle``, ``parkedVehicle``, ``constructionZone``,
    ``building`` ...). ``trajectory`` holds the states after ``initial_state`` (empty for
    static and environment obstacles); see :attr:`track` for both together. Environment
    obstacles have no initial state.
    """

    id: int
    role: Role
    type: str
    shape: Shape
    initial_state: State | None
    trajectory: Trajectory

    @property
    def track(self) -> Trajectory:
        """The initial state followed by the trajectory."""
        if self.initial_state is None:
            return self.trajectory
        return _trajectory([self.initial_state, *self.trajectory])


@dataclass(frozen=True, slots=True)
class GoalState:
    """One ``<goalState>`` of a planning problem; intervals are ``(start, end)``, inclusive.

    ``time_step`` in time steps; the goal region is ``lanelets`` (ids) and/or ``shapes`` (m;
    a ``<point>`` becomes a circle of radius 0); ``orientation`` rad; ``velocity`` m/s.
    """

    time_step: tuple[int, int]
    lanelets: tuple[int, ...] = ()
    shapes: tuple[Rectangle | Circle | Polygon, ...] = ()
    orientation: tuple[float, float] | None = None
    velocity: tuple[float, float] | None = None


@dataclass(frozen=True, slots=True)
class PlanningProblem:
    """A ``<planningProblem>``: the ego vehicle's initial state and its goal states (any of)."""

    id: int
    initial_state: State
    goals: tuple[GoalState, ...]


@dataclass(frozen=True, slots=True)
class Location:
    """The 2020a ``<location>``; None for a value that is absent or CommonRoad's 999 placeholder.

    ``latitude``/``longitude`` in degrees (WGS84) of a point in the scenario (not its
    frame's origin: CommonRoad 2020a gives no projection unless ``geoTransformation``).
    """

    geo_name_id: int | None
    latitude: float | None
    longitude: float | None


@dataclass(frozen=True, slots=True, eq=False)
class Scenario:
    """A whole CommonRoad file. The dicts are keyed by id, in file order."""

    file: str
    """The file as named in messages."""
    version: str
    """``commonRoadVersion``: ``2018b`` or ``2020a``."""
    benchmark_id: str
    time_step_size: float
    """Duration of one time step (s)."""
    author: str
    affiliation: str
    source: str
    date: str
    tags: tuple[str, ...]
    location: Location | None
    lanelets: dict[int, Lanelet]
    traffic_signs: dict[int, TrafficSign]
    traffic_lights: dict[int, TrafficLight]
    intersections: dict[int, Intersection]
    obstacles: dict[int, Obstacle]
    planning_problems: dict[int, PlanningProblem]

    @property
    def country(self) -> str:
        """The country code that starts the benchmark id (``USA`` ...), or ``""``."""
        head = self.benchmark_id.split("_", 1)[0]
        return head if len(head) == 3 and head.isalpha() else ""

    @property
    def dynamic_obstacles(self) -> list[Obstacle]:
        """The obstacles with role ``dynamic``, in file order."""
        return [o for o in self.obstacles.values() if o.role == "dynamic"]

    @property
    def static_obstacles(self) -> list[Obstacle]:
        """The obstacles with role ``static``, in file order."""
        return [o for o in self.obstacles.values() if o.role == "static"]


# --- entry points ------------------------------------------------------------------------------
def parse_commonroad(path: Path) -> Scenario:
    """Read a CommonRoad XML file (2018b or 2020a).

    Raises:
        ModelError: unreadable or malformed file, unsupported version, or bad elements,
            each problem naming the file and the element.
    """
    return parse_commonroad_text(read_text(Path(path)), display_name(Path(path)))


_DTD = re.compile(r"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def parse_commonroad_text(text: str, name: str = "<input>") -> Scenario:
    """Parse the text of a CommonRoad XML file; ``name`` names it in messages.

    Raises:
        ModelError: as :func:`parse_commonroad`.
    """
    dtd = _DTD.search(text)
    if dtd:
        line = text.count("\n", 0, dtd.start()) + 1
        raise ModelError.single(
            name, "", f"document type or entity declaration at line {line} is not accepted"
        )
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        line, col = getattr(exc, "position", (0, 0))
        raise ModelError.single(
            name, "", f"not well-formed XML at line {line}, column {col + 1}: {exc.msg}"
        ) from None
    if root.tag != "commonRoad":
        raise ModelError.single(
            name, "", f"not a CommonRoad file: root element <{root.tag}>, expected <commonRoad>"
        )
    version = (root.get("commonRoadVersion") or "").strip()
    if not version:
        raise ModelError.single(
            name, "commonRoad.commonRoadVersion", "required attribute is missing"
        )
    if version not in SUPPORTED_VERSIONS:
        raise ModelError.single(
            name,
            "commonRoad.commonRoadVersion",
            f"unsupported CommonRoad version {version} (supported: "
            f"{', '.join(SUPPORTED_VERSIONS)})",
        )
    return _Reader(name, root, version).read()


# --- element errors and value helpers ----------------------------------------------------------
def _id(el: ET.Element, where: str, attr: str = "id") -> int:
    raw = el.get(attr)
    if raw is None or not raw.strip():
        raise _ElementError(f"{where}.{attr}" if attr != "id" else where, f"no {attr} attribute")
    try:
        return int(raw)
    except ValueError:
        raise _ElementError(where, f"{attr} must be an integer, got {raw!r}") from None


def _refs(el: ET.Element, tag: str, where: str) -> tuple[int, ...]:
    return tuple(_id(c, f"{where}.{tag}", "ref") for c in el.findall(tag))


def _required(el: ET.Element, tag: str, where: str) -> ET.Element:
    child = el.find(tag)
    if child is None:
        raise _ElementError(where, f"<{tag}> is missing")
    return child


def _text(el: ET.Element, where: str) -> str:
    text = (el.text or "").strip()
    if not text:
        raise _ElementError(where, "is empty")
    return text


def _number(el: ET.Element, where: str) -> float:
    raw = _text(el, where)
    try:
        value = float(raw)
    except ValueError:
        raise _ElementError(where, f"expected a number, got {raw!r}") from None
    if not math.isfinite(value):
        raise _ElementError(where, f"expected a finite number, got {raw!r}")
    return value


def _interval(el: ET.Element, where: str) -> tuple[float, float]:
    """``<exact>`` (as a zero-width interval) or ``<intervalStart>``/``<intervalEnd>``."""
    exact = el.find("exact")
    if exact is not None:
        v = _number(exact, f"{where}.exact")
        return v, v
    start, end = el.find("intervalStart"), el.find("intervalEnd")
    if start is None or end is None:
        raise _ElementError(where, "expected <exact> or <intervalStart> and <intervalEnd>")
    lo, hi = _number(start, f"{where}.intervalStart"), _number(end, f"{where}.intervalEnd")
    if hi < lo:
        raise _ElementError(where, f"interval end {hi:g} is before its start {lo:g}")
    return lo, hi


def _value(el: ET.Element, where: str) -> float:
    lo, hi = _interval(el, where)
    return lo if lo == hi else 0.5 * (lo + hi)


def _optional_value(el: ET.Element, tag: str, where: str) -> float | None:
    child = el.find(tag)
    return None if child is None else _value(child, f"{where}.{tag}")


def _step(value: float, where: str) -> int:
    if value != math.floor(value):
        raise _ElementError(where, f"expected an integer time step, got {value:g}")
    if value < 0:
        raise _ElementError(where, f"expected a time step >= 0, got {value:g}")
    return int(value)


def _point(el: ET.Element, where: str) -> XY:
    return (
        _number(_required(el, "x", where), f"{where}.x"),
        _number(_required(el, "y", where), f"{where}.y"),
    )


def _positive(el: ET.Element, tag: str, where: str) -> float:
    value = _number(_required(el, tag, where), f"{where}.{tag}")
    if value <= 0:
        raise _ElementError(f"{where}.{tag}", f"expected a positive length in m, got {value:g}")
    return value


def _rectangle(el: ET.Element, where: str) -> Rectangle:
    orient = el.find("orientation")
    center = el.find("center")
    return Rectangle(
        _positive(el, "length", where),
        _positive(el, "width", where),
        0.0 if orient is None else _number(orient, f"{where}.orientation"),
        (0.0, 0.0) if center is None else _point(center, f"{where}.center"),
    )


def _circle(el: ET.Element, where: str) -> Circle:
    center = el.find("center")
    return Circle(
        _positive(el, "radius", where),
        (0.0, 0.0) if center is None else _point(center, f"{where}.center"),
    )


def _polygon(el: ET.Element, where: str) -> Polygon:
    pts = tuple(_point(p, f"{where}.point[{i}]") for i, p in enumerate(el.findall("point")))
    if len(pts) >= 2 and pts[0] == pts[-1]:
        pts = pts[:-1]
    if len(pts) < 3:
        raise _ElementError(where, f"has {_count(len(pts), 'point')}, expected at least 3")
    return Polygon(pts)


_SHAPES = {"rectangle": _rectangle, "circle": _circle, "polygon": _polygon}


def _shapes(el: ET.Element, where: str) -> list[Rectangle | Circle | Polygon]:
    out = []
    counts: dict[str, int] = {}
    for child in el:
        if child.tag in _SHAPES:
            k = counts.get(child.tag, 0)
            counts[child.tag] = k + 1
            out.append(_SHAPES[child.tag](child, f"{where}.{child.tag}[{k}]"))
    return out


def _shape(el: ET.Element, where: str) -> Shape:
    shapes = _shapes(el, where)
    if not shapes:
        raise _ElementError(where, "expected a <rectangle>, <circle> or <polygon>")
    return shapes[0] if len(shapes) == 1 else ShapeGroup(tuple(shapes))


def _centroid(points: tuple[XY, ...]) -> XY:
    xs = np.array([p[0] for p in points])
    ys = np.array([p[1] for p in points])
    cross = xs * np.roll(ys, -1) - np.roll(xs, -1) * ys
    area = cross.sum() / 2.0
    if abs(area) < 1e-12:
        return float(xs.mean()), float(ys.mean())
    cx = ((xs + np.roll(xs, -1)) * cross).sum() / (6.0 * area)
    cy = ((ys + np.roll(ys, -1)) * cross).sum() / (6.0 * area)
    return float(cx), float(cy)


def _position(el: ET.Element, where: str) -> XY:
    point = el.find("point")
    if point is not None:
        return _point(point, f"{where}.point")
    if el.find("lanelet") is not None:
        raise _ElementError(where, "position given as lanelets; expected a <point> or a shape")
    shapes = _shapes(el, where)
    if len(shapes) != 1:
        raise _ElementError(
            where,
            f"expected a <point> or one shape, got {_count(len(shapes), 'shape')}",
        )
    shape = shapes[0]
    if isinstance(shape, Polygon):
        return _centroid(shape.points)
    return shape.center


def _state(el: ET.Element, where: str) -> State:
    time = _required(el, "time", where)
    return State(
        _step(_value(time, f"{where}.time"), f"{where}.time"),
        _position(_required(el, "position", where), f"{where}.position"),
        _value(_required(el, "orientation", where), f"{where}.orientation"),
        _optional_value(el, "velocity", where),
        _optional_value(el, "acceleration", where),
        _optional_value(el, "yawRate", where),
        _optional_value(el, "slipAngle", where),
    )


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _frozen(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


def _trajectory(states: list[State]) -> Trajectory:
    def opt(v: float | None) -> float:
        return math.nan if v is None else v

    return Trajectory(
        _frozen(np.array([s.time_step for s in states], dtype=np.int64)),
        _frozen(np.array([s.position for s in states], dtype=np.float64).reshape(-1, 2)),
        _frozen(np.array([s.orientation for s in states], dtype=np.float64)),
        _frozen(np.array([opt(s.velocity) for s in states], dtype=np.float64)),
        _frozen(np.array([opt(s.acceleration) for s in states], dtype=np.float64)),
    )


def resample(line: np.ndarray, n: int) -> np.ndarray:
    """``n`` points evenly spaced along a polyline's length (its ends included)."""
    seg = np.hypot(*np.diff(line, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    if s[-1] <= 0.0:
        return np.repeat(line[:1], n, axis=0)
    t = np.linspace(0.0, s[-1], n)
    return np.column_stack([np.interp(t, s, line[:, 0]), np.interp(t, s, line[:, 1])])


def centre_line(left: np.ndarray, right: np.ndarray) -> np.ndarray:
    """The mean of two bounds, point by point; resampled first if their point counts differ.

    Both are ``(n, 2)`` arrays in m; the result has ``max(len(left), len(right))`` points.
    """
    if len(left) != len(right):
        n = max(len(left), len(right))
        left, right = resample(left, n), resample(right, n)
    return 0.5 * (left + right)


def _marking(el: ET.Element, where: str) -> str | None:
    mark = el.find("lineMarking")
    return None if mark is None else _text(mark, f"{where}.lineMarking")


def _driving_dir(el: ET.Element, where: str) -> DrivingDir:
    raw = el.get("drivingDir")
    if raw == "same":
        return "same"
    if raw == "opposite":
        return "opposite"
    raise _ElementError(f"{where}.drivingDir", f"expected 'same' or 'opposite', got {raw!r}")


# --- the reader --------------------------------------------------------------------------------
@dataclass
class _Reader:
    file: str
    root: ET.Element
    version: str

    def read(self) -> Scenario:
        issues: list[Issue] = []
        lanelets: dict[int, Lanelet] = {}
        signs: dict[int, TrafficSign] = {}
        lights: dict[int, TrafficLight] = {}
        intersections: dict[int, Intersection] = {}
        obstacles: dict[int, Obstacle] = {}
        problems: dict[int, PlanningProblem] = {}
        location: Location | None = None
        tags: tuple[str, ...] = tuple((self.root.get("tags") or "").split())
        seen: dict[int, str] = {}
        dt = self._time_step_size(issues)
        country = self.root.get("benchmarkID", "").split("_", 1)[0]
        readers = {
            "lanelet": (self._lanelet, lanelets),
            "trafficSign": (lambda el, w: self._sign(el, w, country), signs),
            "trafficLight": (self._light, lights),
            "intersection": (self._intersection, intersections),
            "obstacle": (self._obstacle_2018b, obstacles),
            "dynamicObstacle": (lambda el, w: self._obstacle(el, w, "dynamic"), obstacles),
            "staticObstacle": (lambda el, w: self._obstacle(el, w, "static"), obstacles),
            "environmentObstacle": (lambda el, w: self._obstacle(el, w, "environment"), obstacles),
            "planningProblem": (self._planning_problem, problems),
        }
        for el in self.root:
            where = _label(el)
            try:
                if el.tag == "location":
                    location = self._location(el)
                elif el.tag == "scenarioTags":
                    tags = tuple(child.tag for child in el)
                elif el.tag in readers:
                    parse, into = readers[el.tag]
                    ident = _id(el, where)
                    if ident in seen:
                        raise _ElementError(where, f"duplicate id (also used by a <{seen[ident]}>)")
                    seen[ident] = el.tag
                    into[ident] = parse(el, where)  # type: ignore[operator]
            except _ElementError as bad:
                issues.append(Issue(self.file, bad.where, bad.message))
        if not lanelets and not issues:
            issues.append(Issue(self.file, "", "no <lanelet> in the file"))
        issues.extend(self._check_references(lanelets, signs, lights, intersections, problems))
        if issues:
            raise ModelError(issues[:MAX_ISSUES])
        lanelets, signs, lights = _link(lanelets, signs, lights)
        return Scenario(
            self.file,
            self.version,
            self.root.get("benchmarkID", ""),
            dt,
            self.root.get("author", ""),
            self.root.get("affiliation", ""),
            self.root.get("source", ""),
            self.root.get("date", ""),
            tags,
            location,
            lanelets,
            signs,
            lights,
            intersections,
            obstacles,
            problems,
        )

    def _time_step_size(self, issues: list[Issue]) -> float:
        where = "commonRoad.timeStepSize"
        raw = self.root.get("timeStepSize")
        if raw is None:
            issues.append(Issue(self.file, where, "required attribute is missing"))
            return math.nan
        try:
            dt = float(raw)
        except ValueError:
            dt = math.nan
        if not (math.isfinite(dt) and dt > 0):
            issues.append(Issue(self.file, where, f"expected a positive number of s, got {raw!r}"))
        return dt

    def _location(self, el: ET.Element) -> Location:
        def get(tag: str, bound: float) -> float | None:
            child = el.find(tag)
            if child is None:
                return None
            v = _number(child, f"location.{tag}")
            if abs(v) == UNKNOWN_LOCATION:
                return None
            if abs(v) > bound:
                raise _ElementError(f"location.{tag}", f"expected degrees within ±{bound:g}")
            return v

        geo = get("geoNameId", math.inf)
        if geo is not None and geo != int(geo):
            raise _ElementError("location.geoNameId", f"expected an integer, got {geo:g}")
        return Location(
            None if geo is None else int(geo), get("gpsLatitude", 90), get("gpsLongitude", 180)
        )

    # lanelets and the network -----------------------------------------------------------------
    def _bound(self, el: ET.Element, tag: str, where: str) -> tuple[np.ndarray, str | None]:
        w = f"{where}.{tag}"
        bound = _required(el, tag, where)
        pts = [_point(p, f"{w}.point[{i}]") for i, p in enumerate(bound.findall("point"))]
        if len(pts) < 2:
            raise _ElementError(w, f"has {_count(len(pts), 'point')}, expected at least 2")
        return np.array(pts, dtype=np.float64), _marking(bound, w)

    def _lanelet(self, el: ET.Element, where: str) -> Lanelet:
        ident = _id(el, where)
        left, left_mark = self._bound(el, "leftBound", where)
        right, right_mark = self._bound(el, "rightBound", where)
        adjacent: dict[str, tuple[int | None, DrivingDir | None]] = {}
        for side in ("adjacentLeft", "adjacentRight"):
            adj = el.find(side)
            adjacent[side] = (
                (None, None)
                if adj is None
                else (_id(adj, f"{where}.{side}", "ref"), _driving_dir(adj, f"{where}.{side}"))
            )
        speed = el.find("speedLimit")
        limit = None
        if speed is not None:
            limit = _number(speed, f"{where}.speedLimit")
            if limit <= 0:
                raise _ElementError(
                    f"{where}.speedLimit", f"expected a positive speed in m/s, got {limit:g}"
                )
        stop = el.find("stopLine")
        return Lanelet(
            id=ident,
            left_bound=_frozen(left),
            right_bound=_frozen(right),
            centre=_frozen(centre_line(left, right)),
            left_line_marking=left_mark,
            right_line_marking=right_mark,
            predecessors=_refs(el, "predecessor", where),
            successors=_refs(el, "successor", where),
            adjacent_left=adjacent["adjacentLeft"][0],
            adjacent_left_dir=adjacent["adjacentLeft"][1],
            adjacent_right=adjacent["adjacentRight"][0],
            adjacent_right_dir=adjacent["adjacentRight"][1],
            speed_limit=limit,
            lanelet_types=tuple(
                _text(t, f"{where}.laneletType") for t in el.findall("laneletType")
            ),
            user_one_way=tuple(_text(t, f"{where}.userOneWay") for t in el.findall("userOneWay")),
            user_bidirectional=tuple(
                _text(t, f"{where}.userBidirectional") for t in el.findall("userBidirectional")
            ),
            stop_line=None if stop is None else self._stop_line(stop, f"{where}.stopLine"),
            traffic_signs=_refs(el, "trafficSignRef", where),
            traffic_lights=_refs(el, "trafficLightRef", where),
        )

    def _stop_line(self, el: ET.Element, where: str) -> StopLine:
        pts = tuple(_point(p, f"{where}.point[{i}]") for i, p in enumerate(el.findall("point")))
        if len(pts) not in (0, 2):
            raise _ElementError(where, f"has {_count(len(pts), 'point')}, expected 0 or 2")
        return StopLine(
            pts,
            _marking(el, where),
            _refs(el, "trafficSignRef", where),
            _refs(el, "trafficLightRef", where),
        )

    def _sign(self, el: ET.Element, where: str, country: str) -> TrafficSign:
        ident = _id(el, where)
        elements = []
        speeds = []
        max_ids = {GERMAN_MAX_SPEED, MAX_SPEED_SIGN_IDS.get(country, GERMAN_MAX_SPEED)}
        for i, item in enumerate(el.findall("trafficSignElement")):
            w = f"{where}.trafficSignElement[{i}]"
            sign_id = _text(_required(item, "trafficSignID", w), f"{w}.trafficSignID")
            values = tuple((v.text or "").strip() for v in item.findall("additionalValue"))
            elements.append(TrafficSignElement(sign_id, values))
            if sign_id in max_ids:
                raw = values[0] if values else ""
                try:
                    speed = float(raw)
                except ValueError:
                    speed = math.nan
                if not (math.isfinite(speed) and speed > 0):
                    raise _ElementError(
                        f"{w}.additionalValue",
                        f"MAX_SPEED sign {sign_id}: expected the speed limit in m/s, got {raw!r}",
                    )
                speeds.append(speed)
        if not elements:
            raise _ElementError(where, "has no <trafficSignElement>")
        pos = el.find("position")
        virtual = el.find("virtual")
        return TrafficSign(
            ident,
            tuple(elements),
            None if pos is None else _position(pos, f"{where}.position"),
            virtual is not None and _bool(virtual, f"{where}.virtual"),
            min(speeds) if speeds else None,
            (),
        )

    def _light(self, el: ET.Element, where: str) -> TrafficLight:
        ident = _id(el, where)
        cycle_el = _required(el, "cycle", where)
        cycle = []
        for i, item in enumerate(cycle_el.findall("cycleElement")):
            w = f"{where}.cycle.cycleElement[{i}]"
            duration = _number(_required(item, "duration", w), f"{w}.duration")
            if duration != int(duration) or duration <= 0:
                raise _ElementError(
                    f"{w}.duration", f"expected a positive number of time steps, got {duration:g}"
                )
            color = _text(_required(item, "color", w), f"{w}.color")
            if color not in TRAFFIC_LIGHT_COLORS:
                raise _ElementError(
                    f"{w}.color",
                    f"unknown color {color!r} (expected one of: "
                    f"{', '.join(sorted(TRAFFIC_LIGHT_COLORS))})",
                )
            cycle.append((color, int(duration)))
        if not cycle:
            raise _ElementError(f"{where}.cycle", "has no <cycleElement>")
        offset_el = cycle_el.find("timeOffset")
        offset = 0
        if offset_el is not None:
            w = f"{where}.cycle.timeOffset"
            offset = _step(_number(offset_el, w), w)
        pos = el.find("position")
        direction = el.find("direction")
        active = el.find("active")
        return TrafficLight(
            ident,
            tuple(cycle),
            offset,
            None if pos is None else _position(pos, f"{where}.position"),
            "all" if direction is None else _text(direction, f"{where}.direction"),
            True if active is None else _bool(active, f"{where}.active"),
            (),
        )

    def _intersection(self, el: ET.Element, where: str) -> Intersection:
        incomings = []
        for i, inc in enumerate(el.findall("incoming")):
            w = f"{where}.incoming[{i}]"
            left_of = inc.find("isLeftOf")
            incomings.append(
                Incoming(
                    _id(inc, w),
                    _refs(inc, "incomingLanelet", w),
                    _refs(inc, "successorsRight", w),
                    _refs(inc, "successorsStraight", w),
                    _refs(inc, "successorsLeft", w),
                    None if left_of is None else _id(left_of, f"{w}.isLeftOf", "ref"),
                )
            )
        if not incomings:
            raise _ElementError(where, "has no <incoming>")
        crossings = tuple(
            ref
            for k, c in enumerate(el.findall("crossing"))
            for ref in _refs(c, "crossingLanelet", f"{where}.crossing[{k}]")
        )
        return Intersection(_id(el, where), tuple(incomings), crossings)

    # obstacles --------------------------------------------------------------------------------
    def _obstacle_2018b(self, el: ET.Element, where: str) -> Obstacle:
        role = _text(_required(el, "role", where), f"{where}.role")
        if role not in ("static", "dynamic"):
            raise _ElementError(
                f"{where}.role", f"unknown role {role!r} (expected 'static' or 'dynamic')"
            )
        return self._obstacle(el, where, "static" if role == "static" else "dynamic")

    def _obstacle(self, el: ET.Element, where: str, role: Role) -> Obstacle:
        ident = _id(el, where)
        kind = _text(_required(el, "type", where), f"{where}.type")
        shape = _shape(_required(el, "shape", where), f"{where}.shape")
        init_el = el.find("initialState")
        initial = None if init_el is None else _state(init_el, f"{where}.initialState")
        states: list[State] = []
        traj = el.find("trajectory")
        if traj is not None and role != "environment":
            w = f"{where}.trajectory"
            states = [_state(s, f"{w}.state[{i}]") for i, s in enumerate(traj.findall("state"))]
            if not states:
                raise _ElementError(w, "has no <state>")
        if initial is None and role != "environment":
            if not states:
                raise _ElementError(where, "<initialState> is missing")
            initial, states = states[0], states[1:]  # 2018b files without <initialState>
        previous = initial.time_step if initial is not None else -1
        for i, s in enumerate(states):
            if s.time_step <= previous:
                raise _ElementError(
                    f"{where}.trajectory.state[{i}].time",
                    f"time step {s.time_step} is not after the previous state's ({previous})",
                )
            previous = s.time_step
        return Obstacle(ident, role, kind, shape, initial, _trajectory(states))

    # planning problems ------------------------------------------------------------------------
    def _planning_problem(self, el: ET.Element, where: str) -> PlanningProblem:
        ident = _id(el, where)
        initial = _state(_required(el, "initialState", where), f"{where}.initialState")
        goals = tuple(
            self._goal(g, f"{where}.goalState[{i}]") for i, g in enumerate(el.findall("goalState"))
        )
        return PlanningProblem(ident, initial, goals)

    def _goal(self, el: ET.Element, where: str) -> GoalState:
        time = _required(el, "time", where)
        lo, hi = _interval(time, f"{where}.time")
        steps = (_step(lo, f"{where}.time"), _step(hi, f"{where}.time"))
        lanelets: tuple[int, ...] = ()
        shapes: tuple[Rectangle | Circle | Polygon, ...] = ()
        pos = el.find("position")
        if pos is not None:
            w = f"{where}.position"
            lanelets = _refs(pos, "lanelet", w)
            shapes = tuple(_shapes(pos, w))
            point = pos.find("point")
            if point is not None:
                shapes = (*shapes, Circle(0.0, _point(point, f"{w}.point")))
        orient, vel = el.find("orientation"), el.find("velocity")
        return GoalState(
            steps,
            lanelets,
            shapes,
            None if orient is None else _interval(orient, f"{where}.orientation"),
            None if vel is None else _interval(vel, f"{where}.velocity"),
        )

    # references -------------------------------------------------------------------------------
    def _check_references(
        self,
        lanelets: dict[int, Lanelet],
        signs: dict[int, TrafficSign],
        lights: dict[int, TrafficLight],
        intersections: dict[int, Intersection],
        problems: dict[int, PlanningProblem],
    ) -> list[Issue]:
        issues: list[Issue] = []

        def check(where: str, ref: int | None, known: dict, what: str) -> None:
            if ref is not None and ref not in known:
                issues.append(Issue(self.file, where, f"unknown {what} {ref}"))

        for ll in lanelets.values():
            w = f"lanelet[id={ll.id}]"
            for ref in ll.predecessors:
                check(f"{w}.predecessor", ref, lanelets, "lanelet")
            for ref in ll.successors:
                check(f"{w}.successor", ref, lanelets, "lanelet")
            check(f"{w}.adjacentLeft", ll.adjacent_left, lanelets, "lanelet")
            check(f"{w}.adjacentRight", ll.adjacent_right, lanelets, "lanelet")
            stop = ll.stop_line
            for ref in ll.traffic_signs + (stop.traffic_signs if stop else ()):
                check(f"{w}.trafficSignRef", ref, signs, "traffic sign")
            for ref in ll.traffic_lights + (stop.traffic_lights if stop else ()):
                check(f"{w}.trafficLightRef", ref, lights, "traffic light")
        for x in intersections.values():
            incoming_ids = {inc.id for inc in x.incomings}
            for inc in x.incomings:
                w = f"intersection[id={x.id}].incoming[id={inc.id}]"
                for ref in (
                    *inc.incoming_lanelets,
                    *inc.successors_right,
                    *inc.successors_straight,
                    *inc.successors_left,
                ):
                    check(w, ref, lanelets, "lanelet")
                if inc.is_left_of is not None and inc.is_left_of not in incoming_ids:
                    issues.append(
                        Issue(self.file, f"{w}.isLeftOf", f"unknown incoming {inc.is_left_of}")
                    )
            for ref in x.crossings:
                check(f"intersection[id={x.id}].crossing", ref, lanelets, "lanelet")
        for p in problems.values():
            for k, goal in enumerate(p.goals):
                for ref in goal.lanelets:
                    check(
                        f"planningProblem[id={p.id}].goalState[{k}].position",
                        ref,
                        lanelets,
                        "lanelet",
                    )
        return issues


def _bool(el: ET.Element, where: str) -> bool:
    raw = _text(el, where).lower()
    if raw in ("true", "1"):
        return True
    if raw in ("false", "0"):
        return False
    raise _ElementError(where, f"expected true or false, got {raw!r}")


def _link(
    lanelets: dict[int, Lanelet], signs: dict[int, TrafficSign], lights: dict[int, TrafficLight]
) -> tuple[dict[int, Lanelet], dict[int, TrafficSign], dict[int, TrafficLight]]:
    """Resolve speed limits from signs; record which lanelets reference each sign and light."""
    sign_users: dict[int, list[int]] = {i: [] for i in signs}
    light_users: dict[int, list[int]] = {i: [] for i in lights}
    out: dict[int, Lanelet] = {}
    for ll in lanelets.values():
        stop = ll.stop_line
        for ref in dict.fromkeys(ll.traffic_signs + (stop.traffic_signs if stop else ())):
            sign_users[ref].append(ll.id)
        for ref in dict.fromkeys(ll.traffic_lights + (stop.traffic_lights if stop else ())):
            light_users[ref].append(ll.id)
        limit = ll.speed_limit
        if limit is None:
            speeds = [s for r in ll.traffic_signs if (s := signs[r].max_speed) is not None]
            limit = min(speeds) if speeds else None
        out[ll.id] = ll if limit == ll.speed_limit else replace(ll, speed_limit=limit)
    signs = {i: replace(s, lanelets=tuple(sign_users[i])) for i, s in signs.items()}
    lights = {i: replace(t, lanelets=tuple(light_users[i])) for i, t in lights.items()}
    return out, signs, lights
