"""GeoJSON geometries as plain coordinate tuples, checked with shapely.

Coordinates are ``(x, y)`` or ``(x, y, z)``: longitude/latitude in degrees for a ``wgs84``
file, or east/north metres for a ``local`` file. Polygons are validated with shapely, and
an invalid one is reported with shapely's own explanation (e.g. ``Self-intersection[3 4]``).
"""

from __future__ import annotations

import math
from typing import Any, Literal

from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from shapely.validation import explain_validity

from sim.model.base import StrictModel

Coord = tuple[float, ...]


class GeometryError(ValueError):
    """A problem inside a GeoJSON geometry, with its location below ``geometry``."""

    def __init__(self, path: tuple[str | int, ...], message: str) -> None:
        super().__init__(message)
        self.path = path
        self.message = message


Where = tuple[str | int, ...]


def _coord(value: Any, where: Where) -> Coord:
    if not isinstance(value, (list, tuple)) or not 2 <= len(value) <= 3:
        raise GeometryError(where, f"expected a position [x, y] or [x, y, z], got {value!r}")
    out = []
    for v in value:
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise GeometryError(where, f"coordinates must be finite numbers, got {value!r}")
        out.append(float(v))
    return tuple(out)


def _coords(value: Any, where: Where, min_len: int) -> tuple[Coord, ...]:
    if not isinstance(value, (list, tuple)):
        raise GeometryError(where, f"expected a list of positions, got {type(value).__name__}")
    if len(value) < min_len:
        raise GeometryError(where, f"expected at least {min_len} positions, got {len(value)}")
    return tuple(_coord(v, (*where, i)) for i, v in enumerate(value))


class Geometry(StrictModel):
    """A GeoJSON geometry (Point, LineString, Polygon or MultiPolygon) with checked coordinates."""

    type: Literal["Point", "LineString", "Polygon", "MultiPolygon"]
    coordinates: Any

    @classmethod
    def parse(cls, data: Any) -> Geometry:
        """Validate a raw GeoJSON geometry dict.

        Raises:
            GeometryError: naming where in the geometry the problem is, and what it is.
        """
        if not isinstance(data, dict):
            raise GeometryError(
                (), f"expected a GeoJSON geometry object, got {type(data).__name__}"
            )
        gtype = data.get("type")
        extra = set(data) - {"type", "coordinates", "bbox"}
        if extra:
            raise GeometryError((sorted(extra)[0],), "unknown geometry member")
        if "coordinates" not in data:
            raise GeometryError(("coordinates",), "required field is missing")
        raw = data["coordinates"]
        if gtype == "Point":
            coords: Any = _coord(raw, ("coordinates",))
        elif gtype == "LineString":
            coords = _coords(raw, ("coordinates",), 2)
        elif gtype == "Polygon":
            coords = _rings(raw, ("coordinates",))
        elif gtype == "MultiPolygon":
            if not isinstance(raw, (list, tuple)) or not raw:
                raise GeometryError(("coordinates",), "a MultiPolygon needs a list of polygons")
            coords = tuple(_rings(p, ("coordinates", i)) for i, p in enumerate(raw))
        else:
            raise GeometryError(
                ("type",),
                f"unsupported geometry type {gtype!r} "
                "(expected Point, LineString, Polygon or MultiPolygon)",
            )
        geom = cls(type=gtype, coordinates=coords)
        dims = {len(p) for p in geom.positions()}
        if len(dims) > 1:
            raise GeometryError(
                ("coordinates",), "mixes 2-D and 3-D positions; use one or the other"
            )
        if gtype in ("Polygon", "MultiPolygon"):
            shp = geom.to_shapely()
            if not shp.is_valid:
                raise GeometryError((), f"invalid polygon: {explain_validity(shp)}")
            if shp.area <= 0:
                raise GeometryError((), "invalid polygon: zero area")
        if gtype == "LineString":
            line = geom.to_shapely()
            if line.length <= 0:
                raise GeometryError((), "line has zero length (all positions are equal)")
        return geom

    def to_shapely(self) -> BaseGeometry:
        """The geometry as a shapely object (2-D, in the file's coordinates)."""
        return shape({"type": self.type, "coordinates": _flat2d(self.coordinates)})

    def positions(self) -> list[Coord]:
        """Every position of the geometry, flattened."""
        if self.type == "Point":
            return [self.coordinates]
        if self.type == "LineString":
            return list(self.coordinates)
        if self.type == "Polygon":
            return [p for ring in self.coordinates for p in ring]
        return [p for poly in self.coordinates for ring in poly for p in ring]

    def to_geojson(self) -> dict[str, Any]:
        """The geometry as a GeoJSON dict with lists."""
        return {"type": self.type, "coordinates": _lists(self.coordinates)}


def _flat2d(value: Any) -> Any:
    """Coordinates with positions cut to (x, y)."""
    if isinstance(value, tuple) and value and isinstance(value[0], float):
        return value[:2]
    return tuple(_flat2d(v) for v in value)


def _lists(value: Any) -> Any:
    if isinstance(value, tuple):
        return [_lists(v) for v in value]
    return value


def _rings(raw: Any, where: Where) -> tuple[tuple[Coord, ...], ...]:
    if not isinstance(raw, (list, tuple)) or not raw:
        raise GeometryError(where, "a Polygon needs a list of linear rings")
    rings = []
    for i, ring in enumerate(raw):
        pts = _coords(ring, (*where, i), 4)
        if pts[0][:2] != pts[-1][:2]:
            raise GeometryError((*where, i), "linear ring is not closed (first != last position)")
        rings.append(pts)
    return tuple(rings)
