"""Speed rules for every domain: posted limits, zone limits (4-D) and the permit's cap.

A planned speed above an edge's posted limit is a warning (vehicles are held to posted limits);
above the limit of a zone it passes while the zone is active, or the permit's cap, an error.
"""

from __future__ import annotations

from sim.rules import fmt
from sim.rules.context import Context, Findings

RULES = ("speed.edge_limit", "speed.zone", "speed.permit_cap")
EPS = 1e-9
"""Tolerance (m/s) of speed comparisons: a plan exactly at a limit keeps it."""


def check(ctx: Context, out: Findings) -> None:
    """Check every agent's speeds."""
    out.check(*RULES)
    for plan in ctx.plans:
        if plan.spec.speed is not None:
            by_limit: dict[float, list[int]] = {}
            for k, leg in enumerate(plan.legs):
                if plan.spec.speed > leg.limit + EPS:
                    by_limit.setdefault(leg.limit, []).append(k)
            for limit, legs in sorted(by_limit.items()):
                first = plan.legs[legs[0]]
                more = f" (and {len(legs) - 1} more edges)" if len(legs) > 1 else ""
                out.add(
                    "speed.edge_limit",
                    agent=plan.id,
                    time=(first.t0, first.t1),
                    where=(float(first.xy[0, 0]), float(first.xy[0, 1]), first.z),
                    speed=fmt.speed(plan.spec.speed, plan.domain),
                    limit=fmt.speed(limit, plan.domain),
                    edge=first.base + more,
                )
        permit = plan.permit
        cap = permit.conditions.speed_cap if permit is not None else None
        if cap is not None and permit is not None:
            over = [leg for leg in plan.legs if leg.speed > cap + EPS]
            if over:
                leg = max(over, key=lambda g: g.speed)
                out.add(
                    "speed.permit_cap",
                    agent=plan.id,
                    time=(leg.t0, leg.t1),
                    where=(float(leg.xy[0, 0]), float(leg.xy[0, 1]), leg.z),
                    permit=permit.id,
                    speed=fmt.speed(leg.speed, plan.domain),
                    cap=fmt.speed(cap, plan.domain),
                    edge=leg.base,
                )
    seen: dict[tuple[int, int], tuple[float, float, tuple[float, float, float], float]] = {}
    for hit in ctx.hits:
        plan = ctx.plans[hit.plan]
        limit = float(ctx.fences.max_speed[hit.zone])
        if not ctx.applies_to(hit.zone, plan.domain) or hit.speed <= limit + EPS:
            continue
        key = (hit.plan, hit.zone)
        if key in seen:
            t0, t1, where, v = seen[key]
            seen[key] = (t0, max(t1, hit.t1), where, max(v, hit.speed))
        else:
            seen[key] = (hit.t0, hit.t1, hit.where, hit.speed)
    for (pn, zn), (t0, t1, where, v) in seen.items():
        plan = ctx.plans[pn]
        out.add(
            "speed.zone",
            agent=plan.id,
            zone=ctx.fences.zone_ids[zn],
            time=(t0, t1),
            where=where,
            speed=fmt.speed(v, plan.domain),
            limit=fmt.speed(float(ctx.fences.max_speed[zn]), plan.domain),
        )
