"""A map's positions in the local ENU frame (m): one projection per map, done once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from sim.geo.projection import FloatArray, LocalProjection
from sim.model.geometry import Coord
from sim.model.map import Crs, Map


class LocalFrame:
    """Converts a map file's coordinates (lon/lat or local metres) to local x/y metres."""

    def __init__(self, crs: Crs, lon0: float | None = None, lat0: float | None = None) -> None:
        """Create the frame; ``lon0``/``lat0`` (deg) are required for ``wgs84`` coordinates."""
        self.crs = crs
        self.projection: LocalProjection | None = None
        if lon0 is not None and lat0 is not None:
            self.projection = LocalProjection(lon0, lat0)
        if crs is Crs.WGS84 and self.projection is None:
            raise ValueError("lon/lat coordinates need an origin to project to the local frame")

    @classmethod
    def of_map(cls, the_map: Map) -> LocalFrame:
        """The local frame of a map (its origin, if any)."""
        origin = the_map.header.origin
        if origin is None:
            return cls(the_map.header.crs)
        return cls(the_map.header.crs, origin.lon, origin.lat)

    def xy(self, coords: Sequence[Coord], crs: Crs | None = None) -> FloatArray:
        """Positions as an ``(n, 2)`` array of local metres (x east, y north)."""
        arr = np.asarray([c[:2] for c in coords], dtype=float).reshape(-1, 2)
        if (crs or self.crs) is Crs.LOCAL:
            return arr
        assert self.projection is not None
        x, y = self.projection.to_local(arr[:, 0], arr[:, 1])
        return np.column_stack([x, y])


def polyline_length(xy: FloatArray) -> float:
    """Length (m) of a polyline given as an ``(n, 2)`` array of metres."""
    if len(xy) < 2:
        return 0.0
    return float(np.hypot(*np.diff(xy, axis=0).T).sum())
