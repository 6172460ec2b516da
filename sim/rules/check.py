"""The static permit check: every rule of the catalogue that can be decided before a run.

:func:`check_bundle` prepares the scenario once (:class:`~sim.rules.context.Context`: plans,
4-D volumes, zone hits) and runs the rule groups; the verdict is ``refused`` exactly when some
violation is an error. Output is deterministic: violations sorted by severity, rule, agent and
time; no wall clock anywhere (deadlines are measured from the scenario's ``submitted``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from sim.model.bundle import ScenarioBundle
from sim.rules import airspace, evidence, icv, permits, ship, speeds, strategic, uav, zones
from sim.rules.catalogue import catalogue
from sim.rules.context import Context, Findings
from sim.rules.violation import Violation, sort_violations

Verdict = Literal["permitted", "refused"]
GROUPS: tuple[Callable[[Context, Findings], None], ...] = (
    permits.check,
    evidence.check,
    icv.check,
    speeds.check,
    zones.check,
    uav.check,
    airspace.check,
    strategic.check,
    ship.check,
)
"""The rule groups, in the order they run (the report is sorted afterwards)."""


@dataclass(frozen=True)
class CheckReport:
    """The outcome of a static check.

    Attributes:
        scenario: the scenario's name.
        verdict: ``refused`` when some violation is an error, else ``permitted``.
        violations: sorted (:meth:`Violation.sort_key`).
        rules_checked: ids of the rules evaluated, sorted.
        skipped: rules that could not be evaluated, with the reason (text output only).
    """

    scenario: str
    verdict: Verdict
    violations: tuple[Violation, ...]
    rules_checked: tuple[str, ...]
    skipped: dict[str, str] = field(default_factory=dict)

    @property
    def errors(self) -> int:
        """Number of errors."""
        return sum(1 for v in self.violations if v.severity == "error")

    @property
    def warnings(self) -> int:
        """Number of warnings."""
        return sum(1 for v in self.violations if v.severity == "warning")

    def to_json(self) -> dict[str, Any]:
        """The DESIGN.md JSON object of ``testzone check --format json``."""
        return {
            "scenario": self.scenario,
            "verdict": self.verdict,
            "violations": [v.to_json() for v in self.violations],
            "rules_checked": list(self.rules_checked),
        }


def check_bundle(bundle: ScenarioBundle) -> CheckReport:
    """Check a loaded scenario against its permits, zones, map and the provisions."""
    ctx = Context(bundle)
    found = Findings()
    for group in GROUPS:
        group(ctx, found)
    domains = {p.domain.value for p in ctx.plans}
    cat = catalogue()
    checked = sorted(
        r for r in found.checked if r not in found.skipped and domains & set(cat[r].domains)
    )
    violations = tuple(sort_violations([_placed(ctx, v) for v in found.violations]))
    verdict: Verdict = "refused" if any(v.severity == "error" for v in violations) else "permitted"
    skipped = {k: v for k, v in sorted(found.skipped.items()) if domains & set(cat[k].domains)}
    return CheckReport(bundle.scenario.name, verdict, violations, tuple(checked), skipped)


def _placed(ctx: Context, v: Violation) -> Violation:
    """An agent's violation without a time or place gets the agent's whole plan and start."""
    if v.agent is None or (v.time is not None and v.where is not None):
        return v
    plan = next((p for p in ctx.plans if p.id == v.agent), None)
    if plan is None:
        return v
    time = v.time if v.time is not None else (plan.depart, plan.arrive)
    where = v.where if v.where is not None else plan.position(time[0])
    return replace(v, time=time, where=where)
