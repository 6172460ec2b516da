"""Zone rules (ED-269 semantics) in 4-D, and the notice of temporary restrictions.

Every plan's volumes against every active zone that applies to its vehicle kind: PROHIBITED is
an error, REQ_AUTHORISATION an error unless the permit names the zone, CONDITIONAL a warning
carrying the zone's conditions; temporary restrictions need notice (Decree 761 Art. 20).
"""

from __future__ import annotations

from sim.model.zone import Restriction
from sim.rules import fmt
from sim.rules.context import Context, Findings, ZoneHit

RULES = ("zone.prohibited", "zone.authorisation", "zone.conditional", "zone.notice")
EMERGENCY = "EMERGENCY"
"""ED-269 reason code of an emergency restriction (the short notice period applies)."""


def check(ctx: Context, out: Findings) -> None:
    """Check every plan against the zones it meets."""
    out.check(*RULES)
    first: dict[tuple[int, int], ZoneHit] = {}
    last: dict[tuple[int, int], float] = {}
    for hit in ctx.hits:
        if not ctx.applies_to(hit.zone, ctx.plans[hit.plan].domain):
            continue
        key = (hit.plan, hit.zone)
        if key not in first:
            first[key] = hit
        last[key] = max(last.get(key, hit.t1), hit.t1)
    for (pn, zn), hit in sorted(first.items(), key=lambda kv: (kv[1].t0, kv[0])):
        plan = ctx.plans[pn]
        zone = ctx.zone(zn)
        span = (hit.t0, last[(pn, zn)])
        common = {"agent": plan.id, "zone": zone.id, "time": span, "where": hit.where}
        if zone.restriction is Restriction.PROHIBITED:
            out.add(
                "zone.prohibited",
                **common,
                about=f" ({zone.message})" if zone.message else "",
                fix=_around(ctx, zn, hit, plan.id),
            )
        elif zone.restriction is Restriction.REQ_AUTHORISATION:
            permit = plan.permit
            if permit is None or zone.id not in permit.zones:
                out.add(
                    "zone.authorisation",
                    **common,
                    permit=permit.id if permit is not None else "(none)",
                )
        elif zone.restriction is Restriction.CONDITIONAL:
            out.add(
                "zone.conditional",
                **common,
                conditions=zone.conditions
                or zone.message
                or "see the zone's restriction conditions "
                + ", ".join(zone.restriction_conditions),
            )
    _notice(ctx, out, {zn for _, zn in first})


def _around(ctx: Context, zn: int, hit: ZoneHit, agent: str) -> str:
    """Hint for a prohibited zone: go around it, or after it closes when it does."""
    text = f"route {agent} around zone {ctx.fences.zone_ids[zn]}"
    for _, b in ctx.zone_windows_of(zn):
        if b > hit.t0 and b < ctx.horizon - 1.0:
            when = ctx.instant(b).astimezone(ctx.local_tz())
            return text + f", or fly after it ends at {fmt.clock(when)}"
    return text


def _notice(ctx: Context, out: Findings, met: set[int]) -> None:
    """Temporary restrictions that plans meet, announced less than the notice period ahead."""
    p = ctx.prov.restrictions
    tz = ctx.local_tz()
    for zn in sorted(met):
        zone = ctx.zone(zn)
        if zone.published is None:
            continue
        horizon = ctx.instant(ctx.horizon)
        starts = [
            a
            for s in zone.schedule
            for a, _ in s.active_intervals(zone.published, max(horizon, zone.published))
        ]
        if any(s.permanent for s in zone.schedule):
            starts.append(zone.published)
        if not starts:
            continue
        effective = min(starts)
        lead = (effective - zone.published).total_seconds()
        emergency = EMERGENCY in zone.reason
        need = p.emergency_notice if emergency else p.notice
        if lead >= need:
            continue
        t_eff = (effective - ctx.scenario.start).total_seconds()
        out.add(
            "zone.notice",
            zone=zone.id,
            time=(t_eff, t_eff),
            published=fmt.clock(zone.published.astimezone(tz)),
            lead=fmt.duration(max(lead, 0.0)),
            effective=fmt.clock(effective.astimezone(tz)),
            notice=fmt.duration(need) + (" (emergency)" if emergency else ""),
        )
