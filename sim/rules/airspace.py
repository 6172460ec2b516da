"""Decree 761 airspace rules: controlled airspace, exemptions and application deadlines.

Controlled airspace is above 120 m true height and the buffers around airports, expressways and
electrified railways of the map (Art. 19); some operations cancel the no-application exemption
(Art. 31); applications are due by 12:00 Beijing time the day before (Art. 26), measured from
the scenario's ``submitted`` time, never the machine's clock.

Which flights need an application: UAVs of a class outside the exempt ones (micro, light,
small), flights with an exemption-cancelling operation, and flights that enter controlled
airspace (above 120 m, the buffers, or a prohibited or authorisation zone).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cached_property

import shapely
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

from sim.model.map import Airport, Railway, Road
from sim.model.permit import Permit
from sim.model.timeutil import zone_info
from sim.model.vehicle import Domain, UavType
from sim.model.zone import Restriction
from sim.rules import fmt
from sim.rules.context import Context, Findings
from sim.rules.plans import AgentPlan
from sim.rules.uav import EPS, lower_to, peak

RULES = (
    "airspace.controlled_height",
    "airspace.controlled_area",
    "uav.exemption",
    "uav.application_deadline",
)


@dataclass(frozen=True)
class Feature:
    """A map feature with controlled airspace around it: its geometry (local m) and buffer (m)."""

    id: str
    what: str
    shape: BaseGeometry
    buffer: float


class ControlledAirspace:
    """The controlled-airspace features of a map, projected once."""

    def __init__(self, ctx: Context) -> None:
        """Collect the expressways, electrified railways and airports of the map."""
        self.ctx = ctx

    @cached_property
    def features(self) -> list[Feature]:
        """The features, in map order."""
        ctx = self.ctx
        a = ctx.prov.airspace
        out = []
        for e in ctx.map.elements:
            if isinstance(e, Road) and e.road_class.value in a.controlled_road_classes:
                xy = ctx.frame.xy(e.geometry.coordinates)
                out.append(
                    Feature(e.id, f"{e.road_class.value} {e.name}".strip(),
                            shapely.LineString(xy), a.road_buffer)
                )  # fmt: skip
            elif isinstance(e, Railway) and e.electrified:
                xy = ctx.frame.xy(e.geometry.coordinates)
                out.append(
                    Feature(e.id, f"electrified railway {e.name}".strip(),
                            shapely.LineString(xy), a.railway_buffer)
                )  # fmt: skip
            elif isinstance(e, Airport):
                xy = ctx.frame.xy([e.geometry.coordinates])
                out.append(
                    Feature(e.id, f"airport {e.name}".strip(), shapely.Point(xy[0]),
                            e.radius + a.airport_buffer)
                )  # fmt: skip
        return out


def check(ctx: Context, out: Findings) -> None:
    """Check controlled airspace, exemptions and application deadlines of every UAV plan."""
    out.check(*RULES)
    controlled = ControlledAirspace(ctx)
    restricted: dict[int, list[str]] = {}
    for hit in ctx.hits:
        zone = ctx.zone(hit.zone)
        if ctx.plans[hit.plan].domain is Domain.UAV and zone.restriction in (
            Restriction.PROHIBITED,
            Restriction.REQ_AUTHORISATION,
        ):
            names = restricted.setdefault(hit.plan, [])
            if zone.id not in names:
                names.append(zone.id)
    submitted = ctx.scenario.submitted
    for pn, plan in enumerate(ctx.plans):
        vt = plan.vtype
        if not isinstance(vt, UavType):
            continue
        permit = plan.permit
        why: list[str] = []
        if vt.uav_class not in ctx.prov.uav.exempt_classes:
            why.append(f"a {vt.uav_class.value} UAV")
        flags = plan.spec.flight_flags()
        if flags:
            why.append(", ".join(flags))
            allowed = permit.conditions.operations if permit is not None else ()
            missing = [f for f in flags if f not in allowed]
            if missing:
                out.add(
                    "uav.exemption",
                    agent=plan.id,
                    time=(plan.depart, plan.arrive),
                    permit=permit.id if permit is not None else "(none)",
                    flags=", ".join(missing),
                    flags_list=", ".join(repr(f) for f in missing),
                )
        why += _height(ctx, plan, permit, out)
        why += _areas(ctx, plan, permit, controlled, out)
        if pn in restricted:
            why.append("in zone " + ", ".join(restricted[pn]))
        if not why:
            continue
        if submitted is None:
            out.skip("uav.application_deadline", "the scenario gives no 'submitted' time")
            continue
        _deadline(ctx, plan, submitted, why, out)


def _approved(permit: Permit | None) -> bool:
    return permit is not None and permit.conditions.controlled_airspace


def _height(ctx: Context, plan: AgentPlan, permit: Permit | None, out: Findings) -> list[str]:
    limit = ctx.prov.uav.controlled_height
    top = peak(plan)
    if top.agl <= limit + EPS:
        return []
    if not _approved(permit):
        out.add(
            "airspace.controlled_height",
            agent=plan.id,
            time=top.time,
            where=top.where,
            alt=fmt.height(top.agl),
            limit=f"{limit:g} m true height",
            permit=permit.id if permit is not None else "(none)",
            target=lower_to(plan, top.agl - limit),
        )
    return [f"above {limit:g} m"]


def _areas(
    ctx: Context,
    plan: AgentPlan,
    permit: Permit | None,
    controlled: ControlledAirspace,
    out: Findings,
) -> list[str]:
    vt = plan.vtype
    assert isinstance(vt, UavType)
    r = 0.5 * vt.span + ctx.prov.uav.horizontal_buffer
    why = []
    for feat in controlled.features:
        hit = _first_near(plan, feat, r)
        if hit is None:
            continue
        t, where = hit
        why.append(f"near {feat.id}")
        if not _approved(permit):
            out.add(
                "airspace.controlled_area",
                agent=plan.id,
                time=(t, t),
                where=where,
                buffer=feat.buffer,
                feature=feat.id,
                what=feat.what,
                permit=permit.id if permit is not None else "(none)",
            )
    return why


def _first_near(
    plan: AgentPlan, feat: Feature, r: float
) -> tuple[float, tuple[float, float, float]] | None:
    """When and where a plan first comes within ``buffer + r`` of a feature, or ``None``."""
    lim = feat.buffer + r
    for col in (plan.takeoff,):
        if col is not None and shapely.Point(col.x, col.y).distance(feat.shape) <= lim + EPS:
            return col.t0, (col.x, col.y, col.ground)
    for leg in plan.legs:
        line = shapely.LineString(leg.xy)
        if line.distance(feat.shape) <= lim + EPS:
            # the first point of the leg within the limit
            zone = feat.shape.buffer(lim + EPS, quad_segs=32)
            inside = line.intersection(zone)
            p = (
                nearest_points(line, feat.shape)[0]
                if inside.is_empty
                else shapely.Point(next(iter(getattr(inside, "geoms", [inside]))).coords[0])
            )
            s = line.project(p)
            t = leg.t0 + (leg.t1 - leg.t0) * (s / leg.length if leg.length else 0.0)
            return t, (float(p.x), float(p.y), leg.z)
    col = plan.landing
    if col is not None and shapely.Point(col.x, col.y).distance(feat.shape) <= lim + EPS:
        return col.t0, (col.x, col.y, col.top)
    return None


def _deadline(
    ctx: Context, plan: AgentPlan, submitted: dt.datetime, why: list[str], out: Findings
) -> None:
    app = ctx.prov.uav.application
    tz = zone_info(app.time_zone)
    takeoff = ctx.instant(plan.depart).astimezone(tz)
    day = takeoff.date() - dt.timedelta(days=app.days_before)
    deadline = dt.datetime.combine(day, dt.time(0), tzinfo=tz) + dt.timedelta(seconds=app.deadline)
    if submitted <= deadline:
        return
    sub = submitted.astimezone(tz)
    cut = dt.datetime.combine(sub.date(), dt.time(0), tzinfo=tz) + dt.timedelta(
        seconds=app.deadline
    )
    first = sub.date() + dt.timedelta(days=app.days_before + (0 if sub <= cut else 1))
    out.add(
        "uav.application_deadline",
        agent=plan.id,
        time=(plan.depart, plan.depart),
        why="; ".join(why),
        deadline=f"{fmt.clock(deadline)} ({app.time_zone})",
        submitted=fmt.clock(sub),
        later=first.isoformat(),
    )
