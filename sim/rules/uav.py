"""UAV rules: corridors, bands, altitude caps, vertiports, endurance, classes, VLOS.

Planned corridors and their bands, altitude caps, vertiports and test bases, endurance, the
classes of Decree 761 Art. 62 and their limits, and visual line of sight.

Heights above ground (AGL) come from the plan's altitude (m AMSL) less the lowest ground under
each leg (the map's elevation areas, :func:`sim.rules.plans.ground_min`), so a leg over lower
ground counts at its highest true height.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import shapely

from sim.model.altitude import Altitude, Datum
from sim.model.map import Corridor, Vertiport
from sim.model.permit import Permit
from sim.model.vehicle import Domain, UavClass, UavType
from sim.model.zone import ZoneKind
from sim.rules import containment, fmt
from sim.rules.context import CONTAINMENT_TOLERANCE, Context, Findings
from sim.rules.plans import AgentPlan
from sim.rules.provisions import Provisions

RULES = (
    "uav.corridor",
    "uav.corridor_band",
    "uav.altitude_cap",
    "uav.vertiport",
    "uav.endurance",
    "uav.class",
    "uav.class_limits",
    "uav.bvlos",
)
EPS = 1e-6
"""Tolerance (m, s) of comparisons: a plan exactly at a limit keeps it."""


@dataclass(frozen=True)
class Peak:
    """The highest point of a plan: height above ground (m), altitude (m AMSL), where, when."""

    agl: float
    amsl: float
    where: tuple[float, float, float]
    time: tuple[float, float]


def peak(plan: AgentPlan) -> Peak:
    """The highest true height of a UAV plan (legs and the take-off and landing columns)."""
    best: Peak | None = None
    for col in (plan.takeoff, plan.landing):
        if col is not None:
            cand = Peak(col.top - col.ground, col.top, (col.x, col.y, col.top), (col.t0, col.t1))
            if best is None or cand.agl > best.agl:
                best = cand
    for leg in plan.legs:
        z = max(leg.z_in, leg.z)
        cand = Peak(
            z - leg.ground_min, z, (float(leg.xy[0, 0]), float(leg.xy[0, 1]), z), (leg.t0, leg.t1)
        )
        if best is None or cand.agl > best.agl:
            best = cand
    assert best is not None
    return best


def lower_to(plan: AgentPlan, excess: float) -> str:
    """The cruise altitude that removes ``excess`` metres, in the datum the plan was written in."""
    alt = plan.spec.altitude
    if alt is None:
        top = peak(plan)
        return f"at most {fmt.height(top.agl - excess)} (give an altitude)"
    return fmt.altitude(Altitude(value=math.floor((alt.value - excess) * 10) / 10, datum=alt.datum))


def class_of(vt: UavType, prov: Provisions) -> UavClass:
    """The class of Decree 761 Art. 62 that a UAV's masses put it in."""
    for cls in (UavClass.MICRO, UavClass.LIGHT, UavClass.SMALL, UavClass.MEDIUM):
        lim = prov.uav.classes.get(cls)
        if lim is None:
            continue
        if lim.empty_mass_below is not None and not vt.empty_mass < lim.empty_mass_below:
            continue
        if lim.max_empty_mass is not None and vt.empty_mass > lim.max_empty_mass:
            continue
        if lim.max_mtow is not None and vt.mtow > lim.max_mtow:
            continue
        return cls
    return UavClass.LARGE


def check(ctx: Context, out: Findings) -> None:
    """Check every UAV plan."""
    out.check(*RULES)
    for plan in ctx.plans:
        vt = plan.vtype
        if not isinstance(vt, UavType):
            continue
        _class(ctx, plan, vt, out)
        _vertiports(ctx, plan, out)
        _endurance(ctx, plan, vt, out)
        _bands(ctx, plan, out)
        _zone_caps(ctx, plan, out)
        if plan.permit is not None:
            _corridors(ctx, plan, plan.permit, out)
            _permit_cap(ctx, plan, plan.permit, out)
            _bvlos(ctx, plan, plan.permit, out)


def _class(ctx: Context, plan: AgentPlan, vt: UavType, out: Findings) -> None:
    actual = class_of(vt, ctx.prov)
    if actual is not vt.uav_class:
        out.add(
            "uav.class",
            agent=plan.id,
            vtype=vt.id,
            declared=vt.uav_class.value,
            empty=vt.empty_mass,
            mtow=vt.mtow,
            actual=actual.value,
        )
    lim = ctx.prov.uav.classes.get(actual)
    if lim is None:
        return
    top = peak(plan)
    if lim.max_height is not None and top.agl > lim.max_height + EPS:
        out.add(
            "uav.class_limits",
            agent=plan.id,
            time=top.time,
            where=top.where,
            cls=actual.value,
            what="at",
            value=fmt.height(top.agl),
            limit=fmt.height(lim.max_height),
            fix=f"lower {plan.id}'s cruise altitude to {lower_to(plan, top.agl - lim.max_height)}",
        )
    fastest = max(plan.legs, key=lambda g: g.speed, default=None)
    if lim.max_speed is not None and fastest is not None and fastest.speed > lim.max_speed + EPS:
        out.add(
            "uav.class_limits",
            agent=plan.id,
            time=(fastest.t0, fastest.t1),
            where=(float(fastest.xy[0, 0]), float(fastest.xy[0, 1]), fastest.z),
            cls=actual.value,
            what="at",
            value=f"{fastest.speed * 3.6:.4g} km/h",
            limit=f"{lim.max_speed * 3.6:.4g} km/h",
            fix=f"lower {plan.id}'s planned speed to {lim.max_speed * 3.6:.4g} km/h",
        )


def _vertiports(ctx: Context, plan: AgentPlan, out: Findings) -> None:
    nodes = ctx.map.nodes("air")
    phase = plan.spec.phase or (plan.permit.phase if plan.permit is not None else None)
    in_base = phase in ctx.prov.uav.test_base_phases
    bases = [
        zn
        for zn, z in enumerate(ctx.fences.zones)
        if z.kind is ZoneKind.TEST_AREA and ctx.applies_to(zn, Domain.UAV)
    ]
    for col, verb in ((plan.takeoff, "takes off from"), (plan.landing, "lands at")):
        if col is None:
            continue
        common = {"agent": plan.id, "time": (col.t0, col.t1), "where": (col.x, col.y, col.ground)}
        if not isinstance(nodes.get(col.node), Vertiport):
            vps = sorted(n for n, e in nodes.items() if isinstance(e, Vertiport))
            out.add(
                "uav.vertiport",
                **common,
                detail=f"{plan.id} {verb} {col.node}, which is not a vertiport",
                fix=f"start and end {plan.id}'s route at a vertiport ({', '.join(vps)})",
            )
            continue
        if not in_base:
            continue
        point = shapely.Point(col.x, col.y)
        inside = any(
            ctx.active_throughout(int(ctx.fences.vol_zone[v]), col.t0, max(col.t1, col.t0 + EPS))
            and ctx.outlines[v].distance(point) <= CONTAINMENT_TOLERANCE
            for v in range(len(ctx.fences.vol_zone))
            if int(ctx.fences.vol_zone[v]) in bases
        )
        if not inside:
            out.add(
                "uav.vertiport",
                **common,
                detail=f"{plan.id} ({phase.value if phase else ''}) {verb} {col.node}, "
                + (
                    f"outside every UAV test base ({containment.names(ctx, bases)})"
                    if bases
                    else "but the zone files define no UAV test base"
                ),
                fix=f"use a vertiport inside a UAV test base for {plan.id}'s "
                f"{'take-off' if col is plan.takeoff else 'landing'}",
            )


def _endurance(ctx: Context, plan: AgentPlan, vt: UavType, out: Findings) -> None:
    reserve = ctx.prov.uav.endurance_reserve
    flight = plan.arrive - plan.depart
    need = flight + reserve * vt.endurance
    if need > vt.endurance + EPS:
        out.add(
            "uav.endurance",
            agent=plan.id,
            time=(plan.depart, plan.arrive),
            flight=flight,
            reserve=reserve,
            need=need,
            endurance=vt.endurance,
            vtype=vt.id,
            excess=need - vt.endurance,
        )


def _bands(ctx: Context, plan: AgentPlan, out: Findings) -> None:
    if plan.z_plan is None or plan.spec.altitude is None:
        return  # without an altitude the plan flies inside each band
    arr = ctx.layers["air"]
    for leg in plan.legs:
        a, c = int(arr.pts_off[leg.e]), int(arr.pts_off[leg.e + 1])
        fl, ce = float(arr.floor[a:c].max()), float(arr.ceiling[a:c].min())
        if fl - EPS <= plan.z_plan <= ce + EPS:
            continue
        cor = ctx.map.by_id.get(leg.base)
        if not isinstance(cor, Corridor):
            continue
        out.add(
            "uav.corridor_band",
            agent=plan.id,
            time=(leg.t0, leg.t1),
            where=(float(leg.xy[0, 0]), float(leg.xy[0, 1]), leg.z),
            edge=leg.base,
            alt=fmt.altitude(plan.spec.altitude),
            floor=fmt.altitude(cor.floor),
            ceiling=fmt.altitude(cor.ceiling),
        )


def _cap_excess(plan: AgentPlan, cap: Altitude) -> float:
    """How far (m) the plan's peak is above ``cap`` (AGL, or AMSL/WGS84 taken as AMSL)."""
    top = peak(plan)
    if cap.datum is Datum.AGL:
        return top.agl - cap.value
    return top.amsl - cap.value


def _permit_cap(ctx: Context, plan: AgentPlan, permit: Permit, out: Findings) -> None:
    cap = permit.conditions.altitude_cap
    if cap is None:
        return
    excess = _cap_excess(plan, cap)
    if excess > EPS:
        top = peak(plan)
        out.add(
            "uav.altitude_cap",
            agent=plan.id,
            time=top.time,
            where=top.where,
            alt=fmt.in_datum(top.agl, top.amsl, cap.datum),
            cap=fmt.altitude(cap),
            source=f"permit {permit.id}",
            target=lower_to(plan, excess),
        )


def _zone_caps(ctx: Context, plan: AgentPlan, out: Findings) -> None:
    """Caps of zones the plan flies through while they are active (zone rules max_altitude)."""
    done: set[int] = set()
    for hit in ctx.hits:
        if ctx.plans[hit.plan] is not plan or hit.zone in done:
            continue
        zone = ctx.zone(hit.zone)
        cap = zone.rules.max_altitude
        if cap is None or not ctx.applies_to(hit.zone, Domain.UAV):
            continue
        ground = ctx.ground(hit.where[0], hit.where[1])
        value = hit.z - ground if cap.datum is Datum.AGL else hit.z
        if value > cap.value + EPS:
            done.add(hit.zone)
            out.add(
                "uav.altitude_cap",
                agent=plan.id,
                zone=zone.id,
                time=(hit.t0, hit.t1),
                where=hit.where,
                alt=fmt.in_datum(hit.z - ground, hit.z, cap.datum),
                cap=fmt.altitude(cap),
                source=f"zone {zone.id}",
                target=lower_to(plan, value - cap.value),
            )


def _corridors(ctx: Context, plan: AgentPlan, permit: Permit, out: Findings) -> None:
    bases = containment.inclusion_zones(ctx, Domain.UAV, permit.zones)
    for leg in plan.legs:
        if leg.base in permit.corridors:
            continue
        if bases:
            off = containment.outside(ctx, plan, leg, bases, use_z=True)
            if off is None:
                continue
            where, t = off.where, off.t
        elif permit.corridors:
            where, t = (float(leg.xy[0, 0]), float(leg.xy[0, 1]), leg.z), leg.t0
        else:
            continue
        out.add(
            "uav.corridor",
            agent=plan.id,
            time=(t, leg.t1),
            where=where,
            permit=permit.id,
            edge=leg.base,
        )


def _bvlos(ctx: Context, plan: AgentPlan, permit: Permit, out: Findings) -> None:
    if permit.conditions.bvlos or plan.takeoff is None:
        return
    vlos = ctx.prov.uav.vlos_radius
    x0, y0 = plan.takeoff.x, plan.takeoff.y
    for leg in plan.legs:
        d = ((leg.xy[:, 0] - x0) ** 2 + (leg.xy[:, 1] - y0) ** 2) ** 0.5
        beyond = d > vlos + EPS
        if beyond.any():
            k = int(beyond.argmax())
            s = float(((leg.xy[1 : k + 1] - leg.xy[:k]) ** 2).sum(axis=1).__pow__(0.5).sum())
            t = leg.t0 + (leg.t1 - leg.t0) * (s / leg.length if leg.length else 0.0)
            out.add(
                "uav.bvlos",
                agent=plan.id,
                time=(t, plan.arrive),
                where=(float(leg.xy[k, 0]), float(leg.xy[k, 1]), leg.z),
                permit=permit.id,
                dist=float(max(float(d.max()), _max_dist(plan, x0, y0))),
                node=plan.takeoff.node,
                vlos=vlos,
            )
            return


def _max_dist(plan: AgentPlan, x0: float, y0: float) -> float:
    return max(
        float((((leg.xy[:, 0] - x0) ** 2 + (leg.xy[:, 1] - y0) ** 2) ** 0.5).max())
        for leg in plan.legs
    )
