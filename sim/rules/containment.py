"""Whether a route stays inside inclusion zones (test areas, test bases, test waters).

A leg counts as inside where it lies within the union of the given zones' outlines (with a
1 mm tolerance: a route along a zone's edge is inside), taking only zones active during the
whole leg and, for UAVs, only volumes whose band holds the leg's altitude.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from shapely.geometry.base import BaseGeometry

from sim.model.vehicle import Domain
from sim.model.zone import ZoneKind
from sim.rules.context import CONTAINMENT_TOLERANCE, Context
from sim.rules.plans import AgentPlan, Leg

INCLUSION = (ZoneKind.TEST_AREA, ZoneKind.TEST_WATERS)


@dataclass(frozen=True)
class Outside:
    """The part of a leg outside the allowed zones: its length (m), first point and time."""

    length: float
    where: tuple[float, float, float]
    t: float


def inclusion_zones(ctx: Context, domain: Domain, ids: tuple[str, ...] | None) -> list[int]:
    """Numbers of the inclusion zones for ``domain``: those named in ``ids``, or all of them."""
    out = []
    for zn, zone in enumerate(ctx.fences.zones):
        if zone.kind not in INCLUSION or not ctx.applies_to(zn, domain):
            continue
        if ids is None or zone.id in ids:
            out.append(zn)
    return out


def region(ctx: Context, zones: list[int], t0: float, t1: float, z: float | None) -> BaseGeometry:
    """The union (local frame) of the zones active all of ``[t0, t1)`` whose band holds ``z``."""
    fa = ctx.fences
    parts = []
    for v in range(len(fa.vol_zone)):
        zn = int(fa.vol_zone[v])
        if zn not in zones or not ctx.active_throughout(zn, t0, t1):
            continue
        if z is not None and not (fa.floor[v] <= z <= fa.ceiling[v]):
            continue
        parts.append(ctx.outlines[v])
    if not parts:
        return shapely.Polygon()
    return shapely.union_all(parts).buffer(CONTAINMENT_TOLERANCE)


def outside(
    ctx: Context, plan: AgentPlan, leg: Leg, zones: list[int], use_z: bool
) -> Outside | None:
    """The part of ``leg`` outside ``zones`` (see the module docstring), or ``None``."""
    area = region(ctx, zones, leg.t0, leg.t1, leg.z if use_z else None)
    line = shapely.LineString(leg.xy)
    rest = line.difference(area) if not area.is_empty else line
    if rest.is_empty or rest.length <= CONTAINMENT_TOLERANCE:
        return None
    pieces = list(getattr(rest, "geoms", [rest]))
    first = min(pieces, key=lambda g: line.project(shapely.Point(g.coords[0])))
    p = first.coords[0]
    s = line.project(shapely.Point(p))
    t = leg.t0 + (leg.t1 - leg.t0) * (s / leg.length if leg.length > 0 else 0.0)
    return Outside(float(rest.length), (float(p[0]), float(p[1]), leg.z), t)


def names(ctx: Context, zones: list[int]) -> str:
    """The ids of zones, for messages."""
    return ", ".join(ctx.fences.zone_ids[z] for z in zones) or "none"
