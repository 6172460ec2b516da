"""The map: road, air-corridor and waterway layers in one GeoJSON FeatureCollection.

A map file is a GeoJSON ``FeatureCollection`` (QGIS opens it as is) with a ``testzone``
header member and features whose ``properties.layer`` / ``properties.kind`` say what they are:

=========  ===============  ==========  =====================================================
layer      kind             geometry    meaning
=========  ===============  ==========  =====================================================
road       junction         Point       road node; optional traffic-signal plan
road       road             LineString  lane-bearing road edge ``from`` -> ``to`` (ICVs)
air        vertiport        Point       UAV take-off and landing site
air        waypoint         Point       corridor node
air        corridor         LineString  air route with altitude floor/ceiling, width, capacity
water      berth            Point       ship berth / start-end point
water      waypoint         Point       waterway node
water      waterway         LineString  navigable channel with width, depth, speed limit
terrain    elevation_area   Polygon     ground elevation (m AMSL) inside the polygon
obstacle   obstacle         Polygon     static obstacle (building, mast) with a height (m AGL)
air        airport          Point       aerodrome (not a node): controlled airspace around it
rail       railway          LineString  railway line (not routable), ``electrified`` or not
=========  ===============  ==========  =====================================================

Edges with ``direction = "both"`` stand for two directed edges: ``ID`` (from -> to) and
``ID:rev`` (to -> from). Coordinates are WGS84 lon/lat (``crs = "wgs84"``, with an
``origin`` for the local frame) or local east/north metres (``crs = "local"``).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property
from typing import Annotated, Any, ClassVar, Literal, TypeVar

from pydantic import Field, StrictBool, StrictInt, model_validator

from sim.model.altitude import Altitude, Datum
from sim.model.base import Identifier, StrictModel
from sim.model.errors import field_error
from sim.model.geometry import Coord, Geometry
from sim.model.units import Metres, MetresPerSecond, Seconds

EARTH_RADIUS = 6_371_008.8
"""Mean Earth radius (m), for the approximate distances used in validation messages."""

REVERSE_SUFFIX = ":rev"
"""Suffix of the reverse directed edge of a two-way edge."""


class Crs(StrEnum):
    """Coordinate reference of a map or zone file."""

    WGS84 = "wgs84"
    LOCAL = "local"


class Origin(StrictModel):
    """Origin of the local ENU frame: longitude, latitude (deg) and altitude (m AMSL)."""

    lon: float = Field(ge=-180.0, le=180.0)
    lat: float = Field(ge=-85.0, le=85.0)
    alt: Metres = 0.0


class MapHeader(StrictModel):
    """The ``testzone`` member of a map file."""

    format: Literal["testzone-map"]
    version: Literal[1] = 1
    name: str = Field(min_length=1, max_length=200)
    description: str = ""
    crs: Crs
    origin: Origin | None = None
    ground_elevation: Metres = Field(default=0.0, ge=-500.0, le=9000.0)
    """Default ground elevation (m AMSL) where no elevation area applies."""

    @model_validator(mode="after")
    def _origin_needed(self) -> MapHeader:
        if self.crs is Crs.WGS84 and self.origin is None:
            raise field_error(
                "origin", "a wgs84 map needs an 'origin' {lon, lat} for its local frame"
            )
        return self


class Direction(StrEnum):
    """Travel direction of an edge relative to its from -> to geometry."""

    FORWARD = "forward"
    BOTH = "both"


class RoadClass(StrEnum):
    """Road classes of Art. 43 (highways incl. expressways; urban roads incl. urban expressways)."""

    HIGHWAY = "highway"
    EXPRESSWAY = "expressway"
    URBAN = "urban"
    URBAN_EXPRESSWAY = "urban_expressway"
    TEST_AREA = "test_area"


Layer = Literal["road", "air", "water", "rail", "terrain", "obstacle"]
PositiveSeconds = Annotated[Seconds, Field(gt=0.0, le=3600.0)]


class SignalPhase(StrictModel):
    """One phase of a fixed-time signal plan: which incoming edges have green, for how long."""

    duration: PositiveSeconds
    """Green time of the phase (s)."""
    green: tuple[Identifier, ...] = ()
    """Directed ids of incoming road edges that have green (empty: all red)."""
    yellow: Annotated[Seconds, Field(ge=0.0, le=10.0)] = 3.0
    """Yellow (amber) time after the green (s)."""


class SignalPlan(StrictModel):
    """A fixed-time traffic-signal plan at a junction."""

    offset: Annotated[Seconds, Field(ge=0.0, le=3600.0)] = 0.0
    """Time (s) into the cycle at scenario start."""
    phases: tuple[SignalPhase, ...] = Field(min_length=1)

    @property
    def cycle(self) -> float:
        """Cycle length (s): sum of green and yellow times."""
        return sum(p.duration + p.yellow for p in self.phases)


class Element(StrictModel):
    """Base of all map features: an id, an optional name and a geometry."""

    geometry_types: ClassVar[tuple[str, ...]] = ("Point",)
    id: Identifier
    name: str = ""
    geometry: Geometry

    @property
    def position(self) -> Coord:
        """The position of a point feature."""
        return self.geometry.coordinates  # type: ignore[no-any-return]


class Node(Element):
    """A graph node (point feature)."""


class Edge(Element):
    """A graph edge (line feature) between two nodes of the same layer."""

    geometry_types: ClassVar[tuple[str, ...]] = ("LineString",)
    from_: Identifier = Field(alias="from")
    to: Identifier
    direction: Direction = Direction.FORWARD

    @model_validator(mode="after")
    def _no_loop(self) -> Edge:
        if self.from_ == self.to:
            raise field_error("to", f"edge starts and ends at the same node {self.to!r}")
        return self


class Junction(Node):
    """A road junction (node of the road layer)."""

    layer: Literal["road"]
    kind: Literal["junction"]
    signal: SignalPlan | None = None


class Road(Edge):
    """A lane-bearing road edge (ICVs), with its road class, speed limit (m/s) and lanes."""

    layer: Literal["road"]
    kind: Literal["road"]
    road_class: RoadClass
    speed_limit: Annotated[MetresPerSecond, Field(gt=0.0, le=70.0)]
    lanes: Annotated[StrictInt, Field(ge=1, le=8)]
    lane_width: Annotated[Metres, Field(ge=2.0, le=6.0)] = 3.5


class Vertiport(Node):
    """A UAV take-off and landing site; ``elevation`` (m AMSL) overrides the ground elevation."""

    layer: Literal["air"]
    kind: Literal["vertiport"]
    elevation: Annotated[Metres, Field(ge=-500.0, le=9000.0)] | None = None
    pads: Annotated[StrictInt, Field(ge=1, le=100)] = 1


class AirWaypoint(Node):
    """A node of the air-corridor network."""

    layer: Literal["air"]
    kind: Literal["waypoint"]


class Corridor(Edge):
    """An air corridor between two air nodes with its altitude band, width (m) and capacity."""

    layer: Literal["air"]
    kind: Literal["corridor"]
    floor: Altitude
    ceiling: Altitude
    width: Annotated[Metres, Field(gt=0.0, le=10000.0)]
    capacity: Annotated[StrictInt, Field(ge=1, le=10000)] = 1
    """Most UAVs in the corridor at once."""
    speed_limit: Annotated[MetresPerSecond, Field(gt=0.0, le=150.0)] | None = None


class Berth(Node):
    """A ship berth (start or end point of a ship mission)."""

    layer: Literal["water"]
    kind: Literal["berth"]


class WaterWaypoint(Node):
    """A node of the waterway network."""

    layer: Literal["water"]
    kind: Literal["waypoint"]


class Waterway(Edge):
    """A navigable waterway along its centreline, with width (m), depth (m), speed limit (m/s)."""

    layer: Literal["water"]
    kind: Literal["waterway"]
    width: Annotated[Metres, Field(gt=0.0, le=50000.0)]
    depth: Annotated[Metres, Field(gt=0.0, le=12000.0)]
    speed_limit: Annotated[MetresPerSecond, Field(gt=0.0, le=40.0)]
    direction: Direction = Direction.BOTH


class Airport(Element):
    """An airport (aerodrome reference point), not a graph node.

    Its surroundings are controlled airspace for UAVs (Decree 761 Art. 19). ``radius`` (m) is
    the aerodrome's own extent around the point; the buffer around it is a published parameter
    of the permit checker.
    """

    layer: Literal["air"]
    kind: Literal["airport"]
    radius: Annotated[Metres, Field(ge=0.0, le=20_000.0)] = 0.0


class Railway(Element):
    """A railway line (not routable).

    Above and around an electrified one is controlled airspace for UAVs (Decree 761 Art. 19).
    """

    geometry_types: ClassVar[tuple[str, ...]] = ("LineString",)
    layer: Literal["rail"]
    kind: Literal["railway"]
    electrified: StrictBool = True


class ElevationArea(Element):
    """Ground elevation (m AMSL) inside a polygon; the highest matching area wins."""

    geometry_types: ClassVar[tuple[str, ...]] = ("Polygon", "MultiPolygon")
    layer: Literal["terrain"]
    kind: Literal["elevation_area"]
    elevation: Annotated[Metres, Field(ge=-500.0, le=9000.0)]


class Obstacle(Element):
    """A static obstacle (building, mast) of a given height above ground (m)."""

    geometry_types: ClassVar[tuple[str, ...]] = ("Polygon", "MultiPolygon")
    layer: Literal["obstacle"]
    kind: Literal["obstacle"]
    height: Annotated[Metres, Field(gt=0.0, le=1000.0)]


E = TypeVar("E", bound=Element)

FEATURE_SCHEMAS: dict[tuple[str, str], type[Element]] = {
    ("road", "junction"): Junction,
    ("road", "road"): Road,
    ("air", "vertiport"): Vertiport,
    ("air", "waypoint"): AirWaypoint,
    ("air", "corridor"): Corridor,
    ("air", "airport"): Airport,
    ("rail", "railway"): Railway,
    ("water", "berth"): Berth,
    ("water", "waypoint"): WaterWaypoint,
    ("water", "waterway"): Waterway,
    ("terrain", "elevation_area"): ElevationArea,
    ("obstacle", "obstacle"): Obstacle,
}
"""Schema of each (layer, kind) pair."""

GRAPH_LAYERS: tuple[str, ...] = ("road", "air", "water")


@dataclass(frozen=True, slots=True)
class DirectedEdge:
    """One travel direction of a map edge.

    Attributes:
        id: ``edge.id`` for the forward direction, ``edge.id + ":rev"`` for the reverse.
        src: id of the node travelled from.
        dst: id of the node travelled to.
        edge: the map edge.
        reverse: whether this runs against the edge's drawn geometry.
    """

    id: str
    src: str
    dst: str
    edge: Edge
    reverse: bool

    @property
    def coordinates(self) -> tuple[Coord, ...]:
        """Positions along the direction of travel."""
        pts: tuple[Coord, ...] = self.edge.geometry.coordinates
        return pts[::-1] if self.reverse else pts


class Map(StrictModel):
    """A validated map: header and the elements of each layer."""

    header: MapHeader
    elements: tuple[Element, ...] = ()
    source: str = ""
    """File the map was read from (for messages)."""

    @cached_property
    def by_id(self) -> dict[str, Element]:
        """Every element by its id."""
        return {e.id: e for e in self.elements}

    def of_type(self, cls: type[E]) -> list[E]:
        """Elements of one schema class, in file order."""
        return [e for e in self.elements if isinstance(e, cls)]

    def nodes(self, layer: str) -> dict[str, Node]:
        """Nodes of a graph layer (``road``, ``air``, ``water``) by id."""
        return {e.id: e for e in self.elements if isinstance(e, Node) and e.layer == layer}  # type: ignore[attr-defined]

    def edges(self, layer: str) -> list[Edge]:
        """Edges of a graph layer in file order."""
        return [e for e in self.elements if isinstance(e, Edge) and e.layer == layer]  # type: ignore[attr-defined]

    @cached_property
    def _directed(self) -> dict[str, list[DirectedEdge]]:
        out: dict[str, list[DirectedEdge]] = {layer: [] for layer in GRAPH_LAYERS}
        for layer in GRAPH_LAYERS:
            for e in self.edges(layer):
                out[layer].append(DirectedEdge(e.id, e.from_, e.to, e, False))
                if e.direction is Direction.BOTH:
                    out[layer].append(DirectedEdge(e.id + REVERSE_SUFFIX, e.to, e.from_, e, True))
        return out

    def directed_edges(self, layer: str) -> list[DirectedEdge]:
        """Directed edges of a graph layer (two-way edges give two)."""
        return self._directed[layer]

    def directed_edge(self, edge_id: str) -> DirectedEdge | None:
        """The directed edge with this id (``ID`` or ``ID:rev``), in any layer."""
        for edges in self._directed.values():
            for d in edges:
                if d.id == edge_id:
                    return d
        return None

    def ground_elevation(self, x: float, y: float) -> float:
        """Ground elevation (m AMSL) at a position in the file's coordinates."""
        from shapely import Point  # local import keeps module import light

        best: float | None = None
        pt = Point(x, y)
        for area in self.of_type(ElevationArea):
            if area.geometry.to_shapely().covers(pt) and (best is None or area.elevation > best):
                best = area.elevation
        return self.header.ground_elevation if best is None else best

    def to_amsl(self, alt: Altitude, x: float, y: float) -> float | None:
        """An altitude as metres AMSL at a position; ``None`` for WGS84 (needs a geoid)."""
        if alt.datum is Datum.AMSL:
            return alt.value
        if alt.datum is Datum.AGL:
            return alt.value + self.ground_elevation(x, y)
        return None


def approx_distance(crs: Crs, a: Coord, b: Coord) -> float:
    """Approximate distance (m) between two positions of a file, for validation only.

    Local files: planar distance. WGS84 files: equirectangular approximation, good to well
    under 1 % over a test zone. Real geometry goes through :mod:`sim.geo`'s projection.
    """
    if crs is Crs.LOCAL:
        return math.hypot(a[0] - b[0], a[1] - b[1])
    lat = math.radians((a[1] + b[1]) / 2.0)
    dx = math.radians(b[0] - a[0]) * math.cos(lat) * EARTH_RADIUS
    dy = math.radians(b[1] - a[1]) * EARTH_RADIUS
    return math.hypot(dx, dy)


def schema_geometry_types(schema: type[Any]) -> tuple[str, ...]:
    """Geometry types a feature schema accepts."""
    return getattr(schema, "geometry_types", ("Point",))
