"""Evidence in the permit: insurance, registration, pilot licences, operating certificates.

As the national ICV specification and Decree 761 ask for them.
"""

from __future__ import annotations

from sim.model.vehicle import Domain, UavType
from sim.rules.context import Context, Findings

RULES = (
    "evidence.insurance",
    "evidence.registration",
    "evidence.licence",
    "evidence.certificate",
)


def check(ctx: Context, out: Findings) -> None:
    """Check the evidence of each ICV's and UAV's permit."""
    out.check(*RULES)
    prov = ctx.prov
    for plan in ctx.plans:
        permit = plan.permit
        if permit is None:
            continue
        ev = permit.evidence
        have = ev.insurance_cny or 0.0
        if plan.domain is Domain.ICV:
            need = prov.icv.insurance_min_cny
            if have < need:
                out.add(
                    "evidence.insurance",
                    agent=plan.id,
                    permit=permit.id,
                    detail=f"permit {permit.id} shows "
                    + (f"RMB {have:,.0f} of" if ev.insurance_cny is not None else "no")
                    + f" liability cover for {plan.id}; at least RMB {need:,.0f} per vehicle "
                    "is required",
                    need=f"RMB {need:,.0f}",
                )
            if not ev.registration:
                out.add("evidence.registration", agent=plan.id, permit=permit.id)
            continue
        vt = plan.vtype
        if not isinstance(vt, UavType):
            continue
        cls = vt.uav_class
        if cls in prov.uav.insurance_classes and have <= 0.0:
            out.add(
                "evidence.insurance",
                agent=plan.id,
                permit=permit.id,
                detail=f"{plan.id} is a {cls.value} UAV, which needs liability insurance, but "
                f"permit {permit.id} shows none",
                need="the insured amount",
            )
        if cls in prov.uav.registration_classes and not ev.registration:
            out.add("evidence.registration", agent=plan.id, permit=permit.id)
        if cls in prov.uav.licence_classes and not ev.licences:
            out.add("evidence.licence", agent=plan.id, permit=permit.id, cls=cls.value)
        if cls in prov.uav.certificate_classes and not ev.certificates:
            out.add("evidence.certificate", agent=plan.id, permit=permit.id, cls=cls.value)
