"""Unmanned-ship rules: test waters, permitted waterways, draught, sea-trial notice.

The notice is 10 working days ahead (Maritime Traffic Safety Law Art. 49).
"""

from __future__ import annotations

import datetime as dt

from sim.model.map import Waterway
from sim.model.timeutil import zone_info
from sim.model.vehicle import Domain, ShipType
from sim.rules import containment, fmt
from sim.rules.context import Context, Findings
from sim.rules.provisions import ShipProvisions

RULES = ("ship.test_waters", "ship.waters", "ship.draught", "ship.notice")
EPS = 1e-9


def is_working_day(day: dt.date, prov: ShipProvisions) -> bool:
    """Monday to Friday, less the listed holidays, plus the listed adjusted working days."""
    if day in prov.workdays:
        return True
    return day.weekday() < 5 and day not in prov.holidays


def working_days_between(a: dt.date, b: dt.date, prov: ShipProvisions) -> int:
    """Working days strictly after ``a`` and strictly before ``b``."""
    n = 0
    day = a + dt.timedelta(days=1)
    while day < b:
        n += is_working_day(day, prov)
        day += dt.timedelta(days=1)
    return n


def earliest_trial(notified: dt.date, need: int, prov: ShipProvisions) -> dt.date:
    """The first date with ``need`` working days between ``notified`` and it."""
    day = notified + dt.timedelta(days=1)
    n = 0
    while n < need:
        n += is_working_day(day, prov)
        day += dt.timedelta(days=1)
    return day


def check(ctx: Context, out: Findings) -> None:
    """Check every ship plan."""
    out.check(*RULES)
    p = ctx.prov.ship
    designated = containment.inclusion_zones(ctx, Domain.SHIP, None)
    for plan in ctx.plans:
        vt = plan.vtype
        if not isinstance(vt, ShipType):
            continue
        permit = plan.permit
        named = containment.inclusion_zones(
            ctx, Domain.SHIP, permit.zones if permit is not None else ()
        )
        zones = named or designated
        for leg in plan.legs:
            off = containment.outside(ctx, plan, leg, zones, use_z=False) if zones else None
            if not zones or off is not None:
                out.add(
                    "ship.test_waters",
                    agent=plan.id,
                    time=(off.t if off else leg.t0, leg.t1),
                    where=off.where if off else (float(leg.xy[0, 0]), float(leg.xy[0, 1]), leg.z),
                    zones=containment.names(ctx, zones) if zones else "none designated",
                    edge=leg.base,
                    outside=off.length if off else leg.length,
                )
            if permit is not None and permit.waters and leg.base not in permit.waters:
                out.add(
                    "ship.waters",
                    agent=plan.id,
                    time=(leg.t0, leg.t1),
                    where=(float(leg.xy[0, 0]), float(leg.xy[0, 1]), leg.z),
                    permit=permit.id,
                    edge=leg.base,
                )
            ww = ctx.map.by_id.get(leg.base)
            if isinstance(ww, Waterway) and vt.draught + p.under_keel_clearance > ww.depth + EPS:
                out.add(
                    "ship.draught",
                    agent=plan.id,
                    time=(leg.t0, leg.t1),
                    where=(float(leg.xy[0, 0]), float(leg.xy[0, 1]), leg.z),
                    vtype=vt.id,
                    draught=vt.draught,
                    edge=leg.base,
                    depth=ww.depth,
                    ukc=p.under_keel_clearance,
                    allowed=ww.depth - p.under_keel_clearance,
                )
        _notice(ctx, plan.id, plan.depart, out)


def _notice(ctx: Context, agent: str, depart: float, out: Findings) -> None:
    p = ctx.prov.ship
    notified = ctx.scenario.notified
    if notified is None:
        out.skip("ship.notice", "the scenario gives no 'notified' time of the sea trial")
        return
    tz = zone_info(p.time_zone)
    day = ctx.instant(depart).astimezone(tz).date()
    told = notified.astimezone(tz).date()
    days = working_days_between(told, day, p)
    if days >= p.notice_working_days:
        return
    out.add(
        "ship.notice",
        agent=agent,
        time=(depart, depart),
        date=day.isoformat(),
        notified=fmt.clock(notified.astimezone(tz)),
        days=days,
        need=p.notice_working_days,
        earliest=earliest_trial(told, p.notice_working_days, p).isoformat(),
    )
