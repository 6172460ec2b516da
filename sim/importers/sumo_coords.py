"""SUMO network coordinates (m) -> map-file coordinates (WGS84 lon/lat or local metres).

SUMO stores positions as *network* coordinates: projected coordinates plus ``netOffset``
(``<location netOffset=... projParameter=...>``). A geo-referenced network (a real
``projParameter``, not ``"!"``) is converted back: projected = network - netOffset, then
unprojected to WGS84 lon/lat (deg) with pyproj; the map's origin is the lon/lat of the centre
of ``convBoundary``. Positions are rounded to 1e-8 deg (about 1 mm).

A network without a projection keeps its network x/y (m) as local east/north metres, rounded
to 1 mm, so positions match SUMO's. Only when some position lies farther than the map
format's 200 km from (0, 0) (a non-normalised network) are all positions shifted by the
centre of ``convBoundary``; the shift is returned for the header's description.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import numpy as np
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError, ProjError

from sim.importers.sumo_xml import XY, Location
from sim.model.errors import ModelError
from sim.model.map_file import MAX_EXTENT

DEG_DIGITS = 8
"""Decimal places kept for lon/lat (deg): 1e-8 deg is about 1 mm."""
METRE_DIGITS = 3
"""Decimal places kept for local metres (1 mm)."""


class NetCoordinates:
    """Converts a network's positions into the coordinates of the map file it becomes."""

    def __init__(self, file: str, location: Location | None, positions: Iterable[XY]) -> None:
        """Set up the conversion.

        Args:
            file: the network file (for messages).
            location: the network's ``<location>``, if any.
            positions: every network position (m) the map will hold, to check the extent of
                a local map.

        Raises:
            ModelError: an invalid ``projParameter``.
        """
        self.crs = "local"
        self.origin: tuple[float, float] | None = None
        self.shift: XY = (0.0, 0.0)
        self._inverse: Transformer | None = None
        self._offset: XY = (0.0, 0.0)
        if location is not None and location.proj:
            self._geo(file, location)
        else:
            far = max((max(abs(x), abs(y)) for x, y in positions), default=0.0)
            if far > MAX_EXTENT and location is not None:
                x0, y0, x1, y1 = location.conv_boundary
                self.shift = ((x0 + x1) / 2.0, (y0 + y1) / 2.0)

    def _geo(self, file: str, location: Location) -> None:
        where = "location.projParameter"
        try:
            crs = CRS.from_user_input(location.proj)
            self._inverse = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)
        except (CRSError, ProjError) as exc:
            raise ModelError.single(
                file, where, f"not a projection pyproj understands ({exc}): {location.proj!r}"
            ) from None
        self.crs = "wgs84"
        self._offset = location.net_offset
        x0, y0, x1, y1 = location.conv_boundary
        lon, lat = self._lonlat([((x0 + x1) / 2.0, (y0 + y1) / 2.0)], file, "location")[0]
        self.origin = (lon, lat)

    def _lonlat(self, pts: Sequence[XY], file: str, where: str) -> list[list[float]]:
        assert self._inverse is not None
        arr = np.asarray(pts, dtype=float).reshape(-1, 2)
        lon, lat = self._inverse.transform(
            arr[:, 0] - self._offset[0], arr[:, 1] - self._offset[1], errcheck=False
        )
        out = []
        for a, b in zip(np.atleast_1d(lon), np.atleast_1d(lat), strict=True):
            if not (math.isfinite(a) and math.isfinite(b) and abs(b) <= 90.0):
                raise ModelError.single(
                    file,
                    where,
                    "position could not be converted to lon/lat with the network's "
                    "projParameter (is netOffset right?)",
                )
            out.append([round(float(a), DEG_DIGITS), round(float(b), DEG_DIGITS)])
        return out

    def convert(self, pts: Sequence[XY], file: str, where: str) -> list[list[float]]:
        """Map-file coordinates of network positions (m); ``where`` names them in messages."""
        if self._inverse is not None:
            return self._lonlat(pts, file, where)
        sx, sy = self.shift
        return [[round(x - sx, METRE_DIGITS), round(y - sy, METRE_DIGITS)] for x, y in pts]
