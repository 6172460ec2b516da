"""Permit rules for every domain, and the 18-month term of ICV test notices.

A permit that lists the vehicle, is for its domain and phase, and covers the operation's dates
(validity) and hours (weekly windows in the permit's time zone, daylight saving included).
"""

from __future__ import annotations

import calendar
import datetime as dt

from sim.model.permit import PHASE_DOMAIN, Permit
from sim.model.timeutil import Schedule, zone_info
from sim.model.vehicle import Domain
from sim.rules import fmt
from sim.rules.context import Context, Findings
from sim.rules.plans import AgentPlan

RULES = (
    "permit.missing",
    "permit.vehicle",
    "permit.phase",
    "permit.validity",
    "permit.hours",
    "permit.term",
)
_A = {Domain.ICV: "an ICV", Domain.UAV: "a UAV", Domain.SHIP: "a ship"}
SEARCH_DAYS = 14
"""How far ahead (days) a hint looks for permitted hours."""


def check(ctx: Context, out: Findings) -> None:
    """Check every agent's permit."""
    out.check(*RULES)
    seen_terms: set[str] = set()
    for plan in ctx.plans:
        permit = plan.permit
        if permit is None:
            out.add("permit.missing", agent=plan.id, time=(plan.depart, plan.arrive))
            continue
        _vehicle_and_phase(plan, permit, out)
        _dates_and_hours(ctx, plan, permit, out)
        if plan.domain is Domain.ICV and permit.id not in seen_terms:
            seen_terms.add(permit.id)
            _term(ctx, plan, permit, out)


def _vehicle_and_phase(plan: AgentPlan, permit: Permit, out: Findings) -> None:
    if plan.id not in permit.vehicles:
        out.add("permit.vehicle", agent=plan.id, permit=permit.id)
    if PHASE_DOMAIN[permit.phase] is not plan.domain:
        wanted = ", ".join(p.value for p, d in PHASE_DOMAIN.items() if d is plan.domain)
        out.add(
            "permit.phase",
            agent=plan.id,
            detail=f"{plan.id} is {_A[plan.domain]} but permit {permit.id} is for phase "
            f"{permit.phase.value}",
            fix=f"use a permit for {_A[plan.domain]} phase ({wanted}) for {plan.id}",
        )
    elif plan.spec.phase is not None and plan.spec.phase is not permit.phase:
        out.add(
            "permit.phase",
            agent=plan.id,
            detail=f"{plan.id} runs a {plan.spec.phase.value} but permit {permit.id} is for "
            f"{permit.phase.value}",
            fix=f"use a {plan.spec.phase.value} permit for {plan.id}, or run it as "
            f"{permit.phase.value}",
        )


def _dates_and_hours(ctx: Context, plan: AgentPlan, permit: Permit, out: Findings) -> None:
    tz = zone_info(permit.time_zone) if permit.time_zone else ctx.local_tz()
    start = ctx.instant(plan.depart)
    end = ctx.instant(plan.arrive)
    when = fmt.span(start.astimezone(tz), end.astimezone(tz))
    if start < permit.valid_from or end > permit.valid_until:
        if start < permit.valid_from:
            fix = f"depart at {fmt.clock(permit.valid_from.astimezone(tz))} or later"
        else:
            fix = (
                f"finish by {fmt.clock(permit.valid_until.astimezone(tz))}, or renew permit "
                f"{permit.id}"
            )
        out.add(
            "permit.validity",
            agent=plan.id,
            time=(plan.depart, plan.arrive),
            permit=permit.id,
            span=when,
            valid=f"{fmt.clock(permit.valid_from.astimezone(tz))} to "
            f"{fmt.clock(permit.valid_until.astimezone(tz))}",
            fix=fix,
        )
    if not permit.hours or end <= start:
        return
    assert permit.time_zone is not None
    hours = Schedule(weekly=permit.hours, time_zone=permit.time_zone)
    inside = hours.active_intervals(start, end)
    if inside == [(start, end)]:
        return
    gap0 = start if not inside or inside[0][0] > start else inside[0][1]
    t_gap = (gap0 - ctx.scenario.start).total_seconds()
    out.add(
        "permit.hours",
        agent=plan.id,
        time=(t_gap, plan.arrive),
        where=plan.position(t_gap),
        permit=permit.id,
        span=when,
        hours=_describe_hours(permit),
        fix=_next_slot(hours, start, end - start, tz, permit),
    )


def _describe_hours(permit: Permit) -> str:
    parts = []
    for w in permit.hours:
        days = ",".join(d.value for d in w.days)
        parts.append(f"{days} {_hhmm(w.start)}-{_hhmm(w.end)}")
    return "; ".join(parts) + f" {permit.time_zone}"


def _hhmm(sec: int) -> str:
    return f"{sec // 3600:02d}:{sec % 3600 // 60:02d}"


def _next_slot(
    hours: Schedule, start: dt.datetime, length: dt.timedelta, tz: dt.tzinfo, permit: Permit
) -> str:
    """A hint: the earliest departure at or after ``start`` whose whole operation fits."""
    horizon = start + dt.timedelta(days=SEARCH_DAYS)
    for a, b in hours.active_intervals(start, horizon):
        if b - a >= length:
            return (
                f"depart at {fmt.clock(a.astimezone(tz))} or later (within permit "
                f"{permit.id}'s hours)"
            )
    return (
        f"split the operation: it lasts {fmt.duration(length.total_seconds())}, longer than "
        f"any window of permit {permit.id}'s hours"
    )


def add_months(t: dt.datetime, months: int) -> dt.datetime:
    """``t`` plus a number of calendar months (the day clipped to the month's length)."""
    y, m = divmod(t.month - 1 + months, 12)
    year, month = t.year + y, m + 1
    day = min(t.day, calendar.monthrange(year, month)[1])
    return t.replace(year=year, month=month, day=day)


def _term(ctx: Context, plan: AgentPlan, permit: Permit, out: Findings) -> None:
    limit = ctx.prov.icv.max_permit_term_months
    latest = add_months(permit.valid_from, limit)
    if permit.valid_until <= latest or permit.phase not in _ICV_PHASES:
        return
    months = (permit.valid_until.year - permit.valid_from.year) * 12 + (
        permit.valid_until.month - permit.valid_from.month
    )
    if add_months(permit.valid_from, months) < permit.valid_until:
        months += 1  # a part month counts
    out.add(
        "permit.term",
        agent=plan.id,
        permit=permit.id,
        months=months,
        limit=limit,
        end=fmt.clock(latest.astimezone(permit.valid_from.tzinfo)),
    )


_ICV_PHASES = frozenset(p for p, d in PHASE_DOMAIN.items() if d is Domain.ICV)
