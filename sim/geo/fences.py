"""Electronic fences compiled to packed arrays in the local frame, with a grid index.

Each zone volume becomes either a circle (centre, radius) or a set of rings (outer rings and
holes of a Polygon/MultiPolygon, tested together with the even-odd rule), an altitude band in
metres AMSL, and a bounding box. AGL limits are converted once with the ground elevation at the
volume's centroid (the map's elevation areas; flat test zones are exact); WGS84 heights are
taken as AMSL (no geoid model). A uniform grid over all bounding boxes lists, per cell, the
volumes that may contain a point in it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.geo.localmap import LocalFrame
from sim.model.altitude import Altitude, Datum
from sim.model.map import Crs, Map
from sim.model.vehicle import Domain
from sim.model.zone import Zone, ZoneKind, ZoneSet

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
KIND_BIT = {Domain.ICV: 1, Domain.UAV: 2, Domain.SHIP: 4}
"""Bit of each vehicle kind in a zone's ``kinds`` mask (fleet kind k has bit ``1 << k``)."""
UNLIMITED = 1.0e9


@dataclass
class FenceArrays:
    """Zones as arrays (index = zone number) and their volumes.

    Attributes:
        zone_ids: zone ids in order; ``zones[z]`` the model objects.
        kinds: bit mask of the vehicle kinds each zone's rules apply to.
        max_speed: speed limit inside each zone (m/s; +inf where none).
        vol_zone: the zone number of each volume.
        vol_circle: whether a volume is a circle (else rings).
        cx, cy, radius: circle centre and radius (m).
        ring_start, ring_end: the volume's rings in ``ring_off``.
        ring_off: vertex offsets of the rings into ``vx``/``vy`` (m).
        floor, ceiling: the band (m AMSL).
        bbox: per volume (xmin, ymin, xmax, ymax) (m).
        grid_x0, grid_y0, cell, nx, ny: the grid; ``cell_off``/``cell_items`` its CSR lists.
    """

    zone_ids: list[str]
    zones: list[Zone]
    kinds: npt.NDArray[np.int64]
    max_speed: F64
    vol_zone: I32
    vol_circle: npt.NDArray[np.bool_]
    cx: F64
    cy: F64
    radius: F64
    ring_start: I32
    ring_end: I32
    ring_off: I32
    vx: F64
    vy: F64
    floor: F64
    ceiling: F64
    bbox: F64
    grid_x0: float = 0.0
    grid_y0: float = 0.0
    cell: float = 1.0
    nx: int = 1
    ny: int = 1
    cell_off: I32 = field(default_factory=lambda: np.zeros(2, dtype=np.int32))
    cell_items: I32 = field(default_factory=lambda: np.zeros(0, dtype=np.int32))

    @property
    def n_zones(self) -> int:
        """Number of zones."""
        return len(self.zone_ids)

    def kernel_args(self) -> tuple[Any, ...]:
        """The zone arrays in the order :func:`sim.kernels.fences.fence_step` takes them.

        They follow its ``zone_active`` argument.
        """
        return (
            self.kinds, self.max_speed, self.vol_zone, self.vol_circle, self.cx, self.cy,
            self.radius, self.ring_start, self.ring_end, self.ring_off, self.vx, self.vy,
            self.floor, self.ceiling, self.grid_x0, self.grid_y0, self.cell, self.nx, self.ny,
            self.cell_off, self.cell_items,
        )  # fmt: skip

    def index(self, zone_id: str) -> int:
        """The number of a zone; raises ``KeyError``."""
        return self.zone_ids.index(zone_id)


def _band(the_map: Map, alt: Altitude | None, x: float, y: float, default: float) -> float:
    if alt is None:
        return default
    if alt.datum is Datum.AGL:
        return alt.value + the_map.ground_elevation(x, y)
    return alt.value


def compile_fences(
    the_map: Map, zone_sets: Sequence[ZoneSet], frame: LocalFrame | None = None, cell: float = 250.0
) -> FenceArrays:
    """Project every zone of ``zone_sets`` into the map's local frame and index it."""
    frame = frame or LocalFrame.of_map(the_map)
    zones = [z for zs in zone_sets for z in zs.zones]
    crs_of = {id(z): zs.header.crs for zs in zone_sets for z in zs.zones}
    kinds = np.array([sum(KIND_BIT[k] for k in z.vehicle_kinds) for z in zones], dtype=np.int64)
    max_speed = np.array(
        [z.rules.max_speed if z.rules.max_speed is not None else np.inf for z in zones]
    )
    vol_zone, vol_circle, cx, cy, rad, rs, re_, fl, ce, bbox = ([] for _ in range(10))
    ring_off = [0]
    vx: list[float] = []
    vy: list[float] = []
    for zn, z in enumerate(zones):
        crs = crs_of[id(z)]
        for v in z.volumes:
            vol_zone.append(zn)
            if v.is_circle:
                c = frame.xy([v.geometry.coordinates], crs=crs)[0]
                r = float(v.radius or 0.0)
                vol_circle.append(True)
                cx.append(c[0])
                cy.append(c[1])
                rad.append(r)
                rs.append(len(ring_off) - 1)
                re_.append(len(ring_off) - 1)
                bbox.append((c[0] - r, c[1] - r, c[0] + r, c[1] + r))
                ref = c
            else:
                polys = (
                    [v.geometry.coordinates]
                    if v.geometry.type == "Polygon"
                    else list(v.geometry.coordinates)
                )
                rs.append(len(ring_off) - 1)
                xmin = ymin = np.inf
                xmax = ymax = -np.inf
                for poly in polys:
                    for ring in poly:
                        xy = frame.xy(ring, crs=crs)
                        vx.extend(xy[:, 0].tolist())
                        vy.extend(xy[:, 1].tolist())
                        ring_off.append(len(vx))
                        xmin, ymin = min(xmin, xy[:, 0].min()), min(ymin, xy[:, 1].min())
                        xmax, ymax = max(xmax, xy[:, 0].max()), max(ymax, xy[:, 1].max())
                re_.append(len(ring_off) - 1)
                vol_circle.append(False)
                cx.append(0.0)
                cy.append(0.0)
                rad.append(0.0)
                bbox.append((xmin, ymin, xmax, ymax))
                ref = np.array([(xmin + xmax) / 2, (ymin + ymax) / 2])  # bbox centre
            # AGL -> AMSL with the ground at the volume's reference point
            gx, gy = _map_coords(the_map, frame, float(ref[0]), float(ref[1]))
            fl.append(_band(the_map, v.floor, gx, gy, default=-UNLIMITED))
            ce.append(_band(the_map, v.ceiling, gx, gy, default=UNLIMITED))
    fa = FenceArrays(
        zone_ids=[z.id for z in zones],
        zones=zones,
        kinds=kinds,
        max_speed=max_speed.astype(np.float64),
        vol_zone=np.array(vol_zone, dtype=np.int32),
        vol_circle=np.array(vol_circle, dtype=np.bool_),
        cx=np.array(cx, dtype=np.float64),
        cy=np.array(cy, dtype=np.float64),
        radius=np.array(rad, dtype=np.float64),
        ring_start=np.array(rs, dtype=np.int32),
        ring_end=np.array(re_, dtype=np.int32),
        ring_off=np.array(ring_off, dtype=np.int32),
        vx=np.array(vx, dtype=np.float64),
        vy=np.array(vy, dtype=np.float64),
        floor=np.array(fl, dtype=np.float64),
        ceiling=np.array(ce, dtype=np.float64),
        bbox=np.array(bbox, dtype=np.float64).reshape(-1, 4),
    )
    _index(fa, cell)
    return fa


def _map_coords(the_map: Map, frame: LocalFrame, x: float, y: float) -> tuple[float, float]:
    """Local metres -> the map file's own coordinates (for its elevation lookup)."""
    if the_map.header.crs is Crs.LOCAL or frame.projection is None:
        return x, y
    lon, lat = frame.projection.to_wgs84(x, y)
    return float(lon), float(lat)


def _index(fa: FenceArrays, cell: float) -> None:
    """Build the grid: each cell lists the volumes whose bounding box touches it."""
    if len(fa.vol_zone) == 0:
        return
    b = fa.bbox
    x0, y0 = float(b[:, 0].min()), float(b[:, 1].min())
    x1, y1 = float(b[:, 2].max()), float(b[:, 3].max())
    span = max(x1 - x0, y1 - y0)
    cell = max(cell, span / 1024.0)  # at most ~1M cells
    nx = int(np.floor((x1 - x0) / cell)) + 1
    ny = int(np.floor((y1 - y0) / cell)) + 1
    lists: list[list[int]] = [[] for _ in range(nx * ny)]
    for v in range(len(fa.vol_zone)):
        i0 = int((b[v, 0] - x0) // cell)
        i1 = int((b[v, 2] - x0) // cell)
        j0 = int((b[v, 1] - y0) // cell)
        j1 = int((b[v, 3] - y0) // cell)
        for i in range(max(0, i0), min(nx - 1, i1) + 1):
            for j in range(max(0, j0), min(ny - 1, j1) + 1):
                lists[j * nx + i].append(v)
    off = np.zeros(nx * ny + 1, dtype=np.int32)
    off[1:] = np.cumsum([len(cl) for cl in lists])
    fa.grid_x0, fa.grid_y0, fa.cell, fa.nx, fa.ny = x0, y0, cell, nx, ny
    fa.cell_off = off
    fa.cell_items = np.array([v for cl in lists for v in cl], dtype=np.int32)


INCLUSION = (ZoneKind.TEST_AREA, ZoneKind.TEST_WATERS)
