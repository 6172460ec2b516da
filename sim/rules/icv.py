"""ICV rules (Art. 43 and the national road-test specification).

Road classes, test areas, safety driver, night operation, occupants and the stage gates of the
demonstration phases.
"""

from __future__ import annotations

from sim.model.map import Road
from sim.model.permit import Permit
from sim.model.vehicle import Domain
from sim.rules import containment, fmt
from sim.rules.context import Context, Findings
from sim.rules.plans import AgentPlan
from sim.rules.sun import nights

RULES = (
    "icv.road_class",
    "icv.test_area",
    "icv.safety_driver",
    "icv.night",
    "icv.occupants",
    "icv.stage_gate",
)


def check(ctx: Context, out: Findings) -> None:
    """Check every ICV under a permit."""
    out.check(*RULES)
    for plan in ctx.plans:
        if plan.domain is not Domain.ICV or plan.permit is None:
            continue
        permit = plan.permit
        _road_classes(ctx, plan, permit, out)
        _test_areas(ctx, plan, permit, out)
        _crew(plan, permit, out)
        _night(ctx, plan, permit, out)
        _stage_gate(ctx, plan, permit, out)


def _road_classes(ctx: Context, plan: AgentPlan, permit: Permit, out: Findings) -> None:
    if not permit.road_classes:
        return
    allowed = ", ".join(c.value for c in permit.road_classes)
    for leg in plan.legs:
        road = ctx.map.by_id.get(leg.base)
        if isinstance(road, Road) and road.road_class not in permit.road_classes:
            out.add(
                "icv.road_class",
                agent=plan.id,
                time=(leg.t0, leg.t1),
                where=(float(leg.xy[0, 0]), float(leg.xy[0, 1]), leg.z),
                permit=permit.id,
                edge=leg.base,
                road_class=road.road_class.value,
                allowed=allowed,
            )


def _test_areas(ctx: Context, plan: AgentPlan, permit: Permit, out: Findings) -> None:
    zones = containment.inclusion_zones(ctx, Domain.ICV, permit.zones)
    if not zones:
        return  # the permit names no test area: no area to stay in (as the run-time monitor)
    for leg in plan.legs:
        off = containment.outside(ctx, plan, leg, zones, use_z=False)
        if off is not None:
            out.add(
                "icv.test_area",
                agent=plan.id,
                time=(off.t, leg.t1),
                where=off.where,
                permit=permit.id,
                zones=containment.names(ctx, zones),
                edge=leg.base,
                outside=off.length,
            )


def _crew(plan: AgentPlan, permit: Permit, out: Findings) -> None:
    aboard = plan.spec.safety_driver if plan.spec.safety_driver is not None else True
    if permit.needs_safety_driver and not aboard:
        out.add(
            "icv.safety_driver",
            agent=plan.id,
            time=(plan.depart, plan.arrive),
            permit=permit.id,
            phase=permit.phase.value,
        )
    limit = permit.conditions.max_occupants
    n = plan.spec.occupants or 0
    if limit is not None and n > limit:
        out.add(
            "icv.occupants",
            agent=plan.id,
            time=(plan.depart, plan.arrive),
            permit=permit.id,
            n=n,
            limit=limit,
        )


def _night(ctx: Context, plan: AgentPlan, permit: Permit, out: Findings) -> None:
    if permit.conditions.night_operation or not plan.legs:
        return
    mid = plan.legs[len(plan.legs) // 2].xy.mean(axis=0)
    ll = ctx.lonlat(float(mid[0]), float(mid[1]))
    if ll is None:
        out.skip("icv.night", "the map has no origin on the globe, so no sunrise or sunset")
        return
    start, end = ctx.instant(plan.depart), ctx.instant(plan.arrive)
    found = nights(start, end, ll[0], ll[1], ctx.prov.icv.sun_altitude)
    if not found:
        return
    sunset, sunrise = found[0]
    tz = ctx.local_tz()
    a = max(start, sunset)
    b = min(end, sunrise)
    t_a = (a - ctx.scenario.start).total_seconds()
    t_b = (b - ctx.scenario.start).total_seconds()
    if start < sunset:
        fix = f"finish by sunset at {sunset.astimezone(tz).strftime('%H:%M:%S')}, or allow "
    else:
        fix = f"depart after sunrise at {fmt.clock(sunrise.astimezone(tz))}, or allow "
    out.add(
        "icv.night",
        agent=plan.id,
        time=(t_a, t_b),
        where=plan.position(t_a),
        permit=permit.id,
        span=fmt.span(a.astimezone(tz), b.astimezone(tz)),
        sunset=sunset.astimezone(tz).strftime("%H:%M:%S"),
        sunrise=sunrise.astimezone(tz).strftime("%H:%M:%S"),
        fix=fix + f"night_operation in permit {permit.id}",
    )


def _stage_gate(ctx: Context, plan: AgentPlan, permit: Permit, out: Findings) -> None:
    p = ctx.prov.icv
    phase = plan.spec.phase or permit.phase
    if phase not in p.gate_phases:
        return
    hours = p.gate_time / 3600.0
    km = p.gate_distance / 1000.0
    need = f"{hours:g} h or {km:g} km in automated mode on its route's sections"
    hist = plan.spec.history
    if hist is None:
        out.add(
            "icv.stage_gate",
            severity="warning",
            agent=plan.id,
            permit=permit.id,
            detail=f"{plan.id} runs a {phase.value}, which needs {need}, but the scenario gives "
            "no driving history: the stage gate cannot be confirmed",
            fix=f"give {plan.id}'s history (automated_time, automated_distance, sections)",
        )
        return
    route = sorted({leg.base for leg in plan.legs})
    missing = [s for s in route if s not in hist.sections]
    problems = []
    fixes = []
    if missing:
        problems.append(f"sections {', '.join(missing)} were never tested")
        fixes.append(f"test {plan.id} on {', '.join(missing)} first")
    if hist.automated_time < p.gate_time and hist.automated_distance < p.gate_distance:
        problems.append(
            f"only {hist.automated_time / 3600:g} h and {hist.automated_distance / 1000:g} km "
            "were recorded"
        )
        fixes.append(
            f"record {max(0.0, hours - hist.automated_time / 3600):g} h or "
            f"{max(0.0, km - hist.automated_distance / 1000):g} km more"
        )
    if hist.violations > p.gate_max_violations:
        problems.append(f"traffic violations were recorded ({hist.violations})")
        fixes.append("a record without traffic violations")
    if hist.at_fault_accidents > p.gate_max_at_fault_accidents:
        problems.append(f"at-fault accidents were recorded ({hist.at_fault_accidents})")
        fixes.append("a record without at-fault accidents")
    if problems:
        out.add(
            "icv.stage_gate",
            agent=plan.id,
            time=(plan.depart, plan.arrive),
            permit=permit.id,
            detail=f"{plan.id} runs a {phase.value}, which needs {need}: " + "; ".join(problems),
            fix="; ".join(fixes) + f" before the {phase.value}",
        )
