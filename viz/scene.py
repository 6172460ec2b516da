"""The static part of a replay: the map's layers and the zones, in the local ENU frame (m).

The map and zone files are read with :mod:`sim.model`. Their coordinates become local metres
through a *projector* the caller supplies (``viz`` may not import :mod:`sim.geo`; the
``testzone`` commands pass ``sim.geo.localmap.LocalFrame.of_map(map).xy``). Maps in the
``local`` CRS need no projector.

A zone's activity over the run is worked out once from its schedule (the model's
:meth:`~sim.model.timeutil.Schedule.active_intervals`), so asking "is it active at t" while
replaying is a binary search.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.model.geometry import Coord
from sim.model.map import (
    Airport,
    AirWaypoint,
    Berth,
    Corridor,
    Crs,
    Direction,
    ElevationArea,
    Junction,
    Map,
    Obstacle,
    Railway,
    Road,
    Vertiport,
    Waterway,
    WaterWaypoint,
)
from sim.model.map_file import load_map
from sim.model.zone import Zone, ZoneSet
from sim.model.zone_file import load_zone_file

F64 = npt.NDArray[np.float64]

Projector = Callable[[Sequence[Coord], Crs | None], F64]
"""Positions in a file's coordinates (and that file's CRS, None: the map's) to ``(n, 2)`` local
metres."""
ProjectorFactory = Callable[[Map], Projector]
"""Builds the projector of a map (its origin and CRS)."""

CIRCLE_VERTICES = 96
"""Vertices of the polygon that stands for a circular zone."""


class SceneError(Exception):
    """A replay cannot be set up: a file it needs is missing or unusable.

    Attributes:
        path: the file concerned.
        message: what is wrong, without the file name.
    """

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(path, message)

    def __str__(self) -> str:
        """Format as ``file: message``."""
        return f"{self.path}: {self.message}"


@dataclass(frozen=True, slots=True)
class Line:
    """A polyline of the map with the width it covers on the ground.

    Attributes:
        id: the map element's id.
        xy: vertices, ``(n, 2)`` local metres.
        width: width (m) of the road, corridor or waterway.
    """

    id: str
    xy: F64
    width: float


@dataclass(frozen=True, slots=True)
class Area:
    """A polygon (outer ring first, then holes), ``(n, 2)`` local metres each."""

    id: str
    rings: tuple[F64, ...]
    value: float = 0.0
    """Height of an obstacle (m above ground) or elevation of a terrain area (m AMSL)."""


@dataclass(slots=True)
class MapScene:
    """The map's layers in local metres.

    Attributes:
        name: the map's name.
        roads: road edges, width = lanes x lane width (both directions for two-way roads).
        junctions: junction positions, ``(n, 2)`` m.
        corridors: air corridors with their width (m).
        vertiports: vertiport positions ``(n, 2)`` m; ``vertiport_ids`` their ids.
        air_waypoints: corridor waypoints ``(n, 2)`` m.
        waterways: waterways with their width (m).
        berths: berth positions ``(n, 2)`` m; ``water_waypoints`` the other water nodes.
        obstacles: obstacle polygons (value: height, m).
        elevation_areas: terrain polygons (value: elevation, m AMSL).
        railways: railway lines (width 0).
        airports: aerodrome reference points with their radius (m).
        ground_elevation: default ground height (m AMSL).
    """

    name: str = ""
    roads: list[Line] = field(default_factory=list)
    junctions: F64 = field(default_factory=lambda: np.zeros((0, 2)))
    corridors: list[Line] = field(default_factory=list)
    vertiports: F64 = field(default_factory=lambda: np.zeros((0, 2)))
    vertiport_ids: list[str] = field(default_factory=list)
    air_waypoints: F64 = field(default_factory=lambda: np.zeros((0, 2)))
    waterways: list[Line] = field(default_factory=list)
    berths: F64 = field(default_factory=lambda: np.zeros((0, 2)))
    water_waypoints: F64 = field(default_factory=lambda: np.zeros((0, 2)))
    obstacles: list[Area] = field(default_factory=list)
    elevation_areas: list[Area] = field(default_factory=list)
    railways: list[Line] = field(default_factory=list)
    airports: list[tuple[F64, float]] = field(default_factory=list)
    ground_elevation: float = 0.0

    def bounds(self) -> tuple[float, float, float, float] | None:
        """``(xmin, ymin, xmax, ymax)`` (m) of everything drawn, or None for an empty map."""
        parts: list[F64] = [line.xy for line in (*self.roads, *self.corridors, *self.waterways)]
        parts += [self.junctions, self.vertiports, self.air_waypoints, self.berths]
        parts += [a.rings[0] for a in self.obstacles]
        return _bounds(parts)


@dataclass(slots=True)
class ZoneShape:
    """One zone as drawn: its outline in local metres and its activity over the run.

    Attributes:
        id: the zone's id.
        kind: its kind (``no_fly``, ``test_area`` ...).
        name: its name.
        polygons: one entry per outline (volume, or polygon of a MultiPolygon), each the outer
            ring then its holes, ``(n, 2)`` m.
        band: the altitude band in words (for the panel), e.g. ``"0 m AGL - 120 m AGL"``.
        zone: the model object (schedule, rules, message).
        bounds: the pieces of the run between activity changes, seconds after the start.
        states: whether the zone is active in each piece (one fewer than ``bounds``).
    """

    id: str
    kind: str
    name: str
    polygons: list[tuple[F64, ...]]
    band: str
    zone: Zone
    bounds: list[float]
    states: list[bool]
    start: dt.datetime

    def scheduled_at(self, t: float) -> bool:
        """Whether the zone's schedule makes it active at ``t`` (s after the start)."""
        if self.bounds and self.bounds[0] <= t < self.bounds[-1]:
            k = bisect.bisect_right(self.bounds, t) - 1
            return self.states[k]
        return self.zone.is_active(self.start + dt.timedelta(seconds=t))

    def extent(self) -> tuple[float, float, float, float]:
        """``(xmin, ymin, xmax, ymax)`` (m) of the outlines."""
        b = _bounds([p[0] for p in self.polygons])
        assert b is not None
        return b

    def centroid(self) -> tuple[float, float]:
        """A point to put the label at (m): the centre of the largest outline's box."""
        best = max(self.polygons, key=lambda p: float(np.ptp(p[0][:, 0]) * np.ptp(p[0][:, 1])))
        ring = best[0]
        return float((ring[:, 0].min() + ring[:, 0].max()) / 2), float(
            (ring[:, 1].min() + ring[:, 1].max()) / 2
        )


def _bounds(parts: Sequence[F64]) -> tuple[float, float, float, float] | None:
    pts = [p.reshape(-1, 2) for p in parts if p.size]
    if not pts:
        return None
    allp = np.concatenate(pts)
    return (
        float(allp[:, 0].min()),
        float(allp[:, 1].min()),
        float(allp[:, 0].max()),
        float(allp[:, 1].max()),
    )


def identity_projector(the_map: Map) -> Projector:
    """The projector of a ``local`` map (coordinates are already metres).

    Raises:
        SceneError: for a ``wgs84`` map, which needs a real projection.
    """
    if the_map.header.crs is not Crs.LOCAL:
        raise SceneError(
            the_map.source or "map",
            "the map is in lon/lat (wgs84); the viewer needs a projection to its local frame",
        )

    def project(coords: Sequence[Coord], crs: Crs | None = None) -> F64:
        if crs is not None and crs is not Crs.LOCAL:
            raise SceneError(the_map.source or "map", "lon/lat zones need a projection")
        return np.asarray([c[:2] for c in coords], dtype=np.float64).reshape(-1, 2)

    return project


def _points(project: Projector, coords: list[Coord]) -> F64:
    if not coords:
        return np.zeros((0, 2))
    return project(coords, None)


def _rings(
    project: Projector, geometry_type: str, coordinates: Any, crs: Crs | None
) -> list[tuple[F64, ...]]:
    """A Polygon's or MultiPolygon's polygons, each its rings in local metres."""
    polys = [coordinates] if geometry_type == "Polygon" else list(coordinates)
    return [tuple(project(ring, crs) for ring in poly) for poly in polys]


def map_scene(the_map: Map, project: Projector) -> MapScene:
    """The map's layers projected to local metres."""
    scene = MapScene(name=the_map.header.name, ground_elevation=the_map.header.ground_elevation)
    for road in the_map.of_type(Road):
        width = road.lanes * road.lane_width * (2 if road.direction is Direction.BOTH else 1)
        scene.roads.append(Line(road.id, project(road.geometry.coordinates, None), width))
    for cor in the_map.of_type(Corridor):
        scene.corridors.append(Line(cor.id, project(cor.geometry.coordinates, None), cor.width))
    for ww in the_map.of_type(Waterway):
        scene.waterways.append(Line(ww.id, project(ww.geometry.coordinates, None), ww.width))
    for rail in the_map.of_type(Railway):
        scene.railways.append(Line(rail.id, project(rail.geometry.coordinates, None), 0.0))
    scene.junctions = _points(project, [j.position for j in the_map.of_type(Junction)])
    vps = the_map.of_type(Vertiport)
    scene.vertiports = _points(project, [v.position for v in vps])
    scene.vertiport_ids = [v.id for v in vps]
    scene.air_waypoints = _points(project, [w.position for w in the_map.of_type(AirWaypoint)])
    scene.berths = _points(project, [b.position for b in the_map.of_type(Berth)])
    scene.water_waypoints = _points(project, [w.position for w in the_map.of_type(WaterWaypoint)])
    for obs in the_map.of_type(Obstacle):
        for poly in _rings(project, obs.geometry.type, obs.geometry.coordinates, None):
            scene.obstacles.append(Area(obs.id, poly, obs.height))
    for area in the_map.of_type(ElevationArea):
        for poly in _rings(project, area.geometry.type, area.geometry.coordinates, None):
            scene.elevation_areas.append(Area(area.id, poly, area.elevation))
    for ap in the_map.of_type(Airport):
        scene.airports.append((project([ap.position], None)[0], ap.radius))
    return scene


def _circle(centre: F64, radius: float) -> F64:
    a = np.linspace(0.0, 2 * math.pi, CIRCLE_VERTICES, endpoint=False)
    return np.column_stack([centre[0] + radius * np.cos(a), centre[1] + radius * np.sin(a)])


def _band(zone: Zone) -> str:
    v = zone.volumes[0]
    lo = f"{v.floor.value:g} m {v.floor.datum}"
    hi = f"{v.ceiling.value:g} m {v.ceiling.datum}" if v.ceiling is not None else "unlimited"
    return f"{lo} - {hi}"


def zone_shapes(
    zone_sets: Sequence[ZoneSet],
    project: Projector,
    start: dt.datetime,
    duration: float,
) -> list[ZoneShape]:
    """Every zone's outlines in local metres and its activity over ``[0, duration]`` s."""
    out: list[ZoneShape] = []
    end = start + dt.timedelta(seconds=max(duration, 0.0))
    for zs in zone_sets:
        crs = zs.header.crs
        for zone in zs.zones:
            polygons: list[tuple[F64, ...]] = []
            for vol in zone.volumes:
                if vol.is_circle:
                    centre = project([vol.geometry.coordinates], crs)[0]
                    polygons.append((_circle(centre, float(vol.radius or 0.0)),))
                else:
                    polygons += _rings(project, vol.geometry.type, vol.geometry.coordinates, crs)
            bounds, states = _activity(zone, start, end)
            out.append(
                ZoneShape(
                    id=zone.id,
                    kind=zone.kind.value,
                    name=zone.name,
                    polygons=polygons,
                    band=_band(zone),
                    zone=zone,
                    bounds=bounds,
                    states=states,
                    start=start,
                )
            )
    return out


def _activity(zone: Zone, start: dt.datetime, end: dt.datetime) -> tuple[list[float], list[bool]]:
    """Pieces of ``[start, end)`` between the zone's activity changes and its state in each."""
    total = (end - start).total_seconds()
    if total <= 0:
        return [], []
    if all(s.permanent for s in zone.schedule):
        return [0.0, total], [True]
    cuts = {0.0, total}
    for s in zone.schedule:
        for a, b in s.active_intervals(start, end):
            cuts.add((a - start).total_seconds())
            cuts.add((b - start).total_seconds())
    bounds = sorted(c for c in cuts if 0.0 <= c <= total)
    states = [
        zone.is_active(start + dt.timedelta(seconds=(a + b) / 2))
        for a, b in itertools.pairwise(bounds)
    ]
    return bounds, states


def load_map_scene(path: Path, factory: ProjectorFactory | None) -> tuple[MapScene, Projector]:
    """Read a map file and project it.

    Raises:
        ModelError: when the file is missing or invalid (from :mod:`sim.model`).
        SceneError: when a lon/lat map comes without a projector.
    """
    the_map = load_map(path)
    project = (factory or identity_projector)(the_map)
    return map_scene(the_map, project), project


def load_zone_sets(paths: Sequence[Path]) -> list[ZoneSet]:
    """Read zone files (testzone GeoJSON or ED-269).

    Raises:
        ModelError: when a file is missing or invalid.
    """
    return [load_zone_file(p) for p in paths]
