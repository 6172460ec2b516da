"""The rule catalogue: every rule with a stable id, title, source, severity and templates.

Each entry names the provision it rests on and the confidence of that source, its severity,
and the templates of its message and its one-line hint.

Ids are ``area.name`` (``permit.hours``, ``zone.authorisation``, ``uav.altitude_cap``); they are
part of the output contract and never change meaning. Static rules are checked by
``testzone check`` (:mod:`sim.rules.check`); run-time rules (``fence.*``, ``collision.*``,
``separation.loss``) are reported by the engine's monitors while a scenario runs.

Confidence of the source, as in RULES-REFERENCE.md: ``V`` read in the legal text or standard,
``S`` from a secondary source, ``U`` not verified, ``S/U`` a draft known from secondary sources.
Rules on S or U sources say so in their citation (:meth:`Rule.cite`) and keep their numbers in
``provisions.toml``. Templates are :meth:`str.format` strings over the values a check supplies.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from types import MappingProxyType
from typing import Any, Literal

from sim.rules.violation import Severity, Violation

Stage = Literal["static", "runtime"]

SHANGHAI = "Shanghai AI Regulations (2022)"
"""Shanghai Regulations on Promoting the Development of the AI Sector (2022)."""
NATIONAL_ICV = "MIIT/MPS/MOT ICV road-test specification (2021)"
"""Intelligent Connected Vehicle Road Test and Demonstration Application Management
Specification (trial), MIIT/MPS/MOT 2021."""
DECREE = "Decree 761"
"""Interim Regulations on the Flight Management of Unmanned Aircraft (State Council and CMC
Decree 761, 2024)."""
MTSL = "Maritime Traffic Safety Law"
"""Maritime Traffic Safety Law of the PRC (2021 revision)."""


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule of the catalogue.

    Attributes:
        id: the stable id (``area.name``).
        title: a short title.
        article: the provision or standard it rests on (``Decree 761 Art. 19``).
        confidence: ``V``, ``S``, ``U`` or ``S/U`` (see the module docstring).
        severity: ``error`` refuses a plan (fails a run); ``warning`` informs.
        domains: the vehicle kinds it concerns (``icv``, ``uav``, ``ship``).
        stage: ``static`` (``testzone check``) or ``runtime`` (``testzone run``).
        message: template of the violation message.
        hint: template of the one-line "what to change".
        note: how the rule reads its source, where that needs saying.
    """

    id: str
    title: str
    article: str
    confidence: str
    severity: Severity
    domains: tuple[str, ...]
    stage: Stage
    message: str
    hint: str = ""
    note: str = ""

    def cite(self) -> str:
        """The article as reported in violations; S and U sources say so."""
        if self.confidence == "V":
            return self.article
        words = {
            "S": "secondary source",
            "U": "unverified",
            "S/U": "draft, secondary source",
        }[self.confidence]
        return f"{self.article} ({words}: {self.confidence})"


ALL = ("icv", "uav", "ship")


def _entries() -> tuple[Rule, ...]:
    s: Stage = "static"
    rt: Stage = "runtime"
    return (
        # --- permits: every vehicle under a valid permit --------------------------------------
        Rule(
            "permit.missing", "Every tested vehicle has a permit",
            f"{SHANGHAI} Arts. 43-44", "V", "error", ALL, s,
            "{agent} has no permit", "name a permit for {agent} (agent.permit)",
        ),
        Rule(
            "permit.vehicle", "The permit lists the vehicle",
            f"{SHANGHAI} Arts. 43-44; the permit's own terms", "V", "error", ALL, s,
            "permit {permit} does not list vehicle {agent}",
            "add {agent} to permit {permit}'s vehicles, or use a permit that lists it",
        ),
        Rule(
            "permit.phase", "The permit is for the vehicle's domain and test phase",
            f"{SHANGHAI} Arts. 43-44", "V", "error", ALL, s,
            "{detail}", "{fix}",
        ),
        Rule(
            "permit.validity", "The operation lies within the permit's validity",
            "the permit's own terms", "V", "error", ALL, s,
            "{agent} operates {span}, outside permit {permit}'s validity ({valid})",
            "{fix}",
        ),
        Rule(
            "permit.hours", "The operation lies within the permit's weekly hours",
            "the permit's own terms", "V", "error", ALL, s,
            "{agent} operates {span}, outside permit {permit}'s hours ({hours})",
            "{fix}",
        ),
        Rule(
            "permit.term", "An ICV test notice lasts at most 18 months",
            NATIONAL_ICV, "S", "warning", ("icv",), s,
            "permit {permit} runs {months} months, more than the {limit} months a test notice may"
            " last",
            "end permit {permit} by {end}",
        ),
        # --- evidence in the permit ---------------------------------------------------------
        Rule(
            "evidence.insurance", "Liability insurance of the required amount",
            f"{NATIONAL_ICV} (ICVs: RMB 5 million); {DECREE} Art. 12 (UAVs)", "S", "error",
            ("icv", "uav"), s,
            "{detail}", "add liability cover of at least {need} to permit {permit}'s evidence",
            note="ICV amount from a secondary source (S); UAV insurance duty read in the decree "
            "(V).",
        ),
        Rule(
            "evidence.registration", "The vehicle is registered",
            f"{NATIONAL_ICV} (test plates); {DECREE} Art. 10 (real-name registration)", "S",
            "error", ("icv", "uav"), s,
            "permit {permit} names no registration for {agent}",
            "add the registration to permit {permit}'s evidence.registration",
        ),
        Rule(
            "evidence.licence", "Small and larger UAVs have a licensed pilot",
            f"{DECREE} Art. 16", "V", "error", ("uav",), s,
            "{agent} is a {cls} UAV, which needs a licensed pilot, but permit {permit} names no "
            "licence",
            "add the pilot's licence to permit {permit}'s evidence.licences",
        ),
        Rule(
            "evidence.certificate", "UAVs above micro are flown under an operating certificate",
            f"{DECREE} Art. 11", "V", "warning", ("uav",), s,
            "{agent} is a {cls} UAV; operating it needs an operating certificate, which permit "
            "{permit} does not list",
            "add the operating certificate to permit {permit}'s evidence.certificates",
            note="a warning: the permit may omit a certificate the platform holds on file.",
        ),
        # --- ICVs -----------------------------------------------------------------------------
        Rule(
            "icv.road_class", "Only road classes the permit allows",
            f"{SHANGHAI} Art. 43; {NATIONAL_ICV}", "V", "error", ("icv",), s,
            "{agent}'s route uses {edge} ({road_class}), a road class permit {permit} does not "
            "allow ({allowed})",
            "route {agent} around {edge}, or add {road_class} to permit {permit}'s road_classes",
        ),
        Rule(
            "icv.test_area", "The route stays inside the permitted test areas",
            f"{SHANGHAI} Art. 43 (designated sections and areas)", "V", "error", ("icv",), s,
            "{agent}'s route leaves the test areas of permit {permit} ({zones}) on {edge}, "
            "{outside:.0f} m outside",
            "route {agent} inside {zones}, or add a test area covering {edge} to permit {permit}",
        ),
        Rule(
            "icv.safety_driver", "A safety driver is aboard unless the stage is driverless",
            NATIONAL_ICV, "S", "error", ("icv",), s,
            "{agent} runs without a safety driver but permit {permit} ({phase}) requires one",
            "put a safety driver aboard {agent} (safety_driver = true)",
        ),
        Rule(
            "icv.night", "Night operation only if the permit allows it",
            "the permit's own terms (night_operation)", "V", "error", ("icv",), s,
            "{agent} operates at night ({span}; sunset {sunset}, sunrise {sunrise} local time) "
            "but permit {permit} does not allow night operation",
            "{fix}",
            note="night is from sunset to sunrise at the route (NOAA solar position, sun "
            "altitude -0.833 deg).",
        ),
        Rule(
            "icv.occupants", "Persons aboard within the permit's limit",
            f"{NATIONAL_ICV} (road tests: trained testers only)", "S", "error", ("icv",), s,
            "{agent} carries {n} persons besides the safety driver, more than permit {permit} "
            "allows ({limit})",
            "carry at most {limit} persons besides the safety driver in {agent}",
        ),
        Rule(
            "icv.stage_gate", "Automated hours or km on the same sections before demonstrations",
            "Pudong/Lingang ICV rules, draft Art. 17", "S/U", "error", ("icv",), s,
            "{detail}", "{fix}",
            note="a warning when the scenario gives no history: the gate cannot be confirmed.",
        ),
        # --- speeds ---------------------------------------------------------------------------
        Rule(
            "speed.edge_limit", "Planned speed within each edge's posted limit",
            "road traffic law; the map's posted limits", "V", "warning", ALL, s,
            "{agent}'s planned speed {speed} is above the {limit} limit of {edge}; it will be "
            "held to the limit there",
            "plan {agent} at most {limit} on {edge}",
        ),
        Rule(
            "speed.zone", "Speed within a zone's speed limit",
            "the zone's own rules (max_speed)", "V", "error", ALL, s,
            "{agent} would travel at {speed} in zone {zone}, above its limit {limit}",
            "lower {agent}'s planned speed to {limit}",
        ),
        Rule(
            "speed.permit_cap", "Speed within the permit's cap",
            "the permit's own terms (speed_cap)", "V", "error", ALL, s,
            "{agent} would travel at {speed} on {edge}, above permit {permit}'s cap {cap}",
            "lower {agent}'s planned speed to {cap}",
        ),
        # --- zones (ED-269 semantics), all kinds the zone applies to --------------------------
        Rule(
            "zone.prohibited", "No entry into prohibited zones",
            "ED-269 PROHIBITED; " + DECREE + " Art. 19", "V", "error", ALL, s,
            "{agent}'s plan enters prohibited zone {zone}{about}",
            "{fix}",
        ),
        Rule(
            "zone.authorisation", "Authorisation zones only with a permit naming them",
            "ED-269 REQ_AUTHORISATION; " + DECREE + " Art. 19", "V", "error", ALL, s,
            "{agent}'s plan enters zone {zone}, which needs an authorisation that permit "
            "{permit} does not give",
            "add zone {zone} to permit {permit}, or route {agent} around it",
        ),
        Rule(
            "zone.conditional", "Conditional zones: their conditions apply",
            "ED-269 CONDITIONAL", "V", "warning", ALL, s,
            "{agent}'s plan enters conditional zone {zone}: {conditions}",
            "meet the conditions of zone {zone}",
        ),
        Rule(
            "zone.notice", "Temporary restrictions announced in time",
            f"{DECREE} Art. 20", "V", "warning", ("uav",), s,
            "temporary restriction {zone} was announced {published}, {lead} before it takes "
            "effect at {effective}; Art. 20 asks for {notice}",
            "plan around zone {zone} all the same: a late restriction still applies",
        ),
        # --- UAVs ------------------------------------------------------------------------------
        Rule(
            "uav.corridor", "UAVs fly only on planned corridors outside their test bases",
            f"{SHANGHAI} Art. 44 (air routes, electronic fences)", "V", "error", ("uav",), s,
            "{agent} flies {edge}, a corridor permit {permit} does not name, outside its test "
            "bases",
            "add corridor {edge} to permit {permit}'s corridors, or plan another route",
        ),
        Rule(
            "uav.corridor_band", "The cruise altitude lies in each corridor's band",
            f"{SHANGHAI} Art. 44 (air routes)", "V", "error", ("uav",), s,
            "{agent}'s cruise altitude {alt} is outside corridor {edge}'s band {floor} to "
            "{ceiling}",
            "set {agent}'s cruise altitude between {floor} and {ceiling}",
        ),
        Rule(
            "uav.altitude_cap", "Below the permit's and zones' altitude caps",
            "the permit's own terms (altitude_cap); the zone's rules (max_altitude)", "V",
            "error", ("uav",), s,
            "{agent} would fly at {alt}, above the cap {cap} of {source}",
            "lower {agent}'s cruise altitude to {target}",
        ),
        Rule(
            "uav.vertiport", "Take-off and landing only at vertiports (inside a test base)",
            f"{SHANGHAI} Art. 44 (test bases, take-off and landing sites)", "V", "error",
            ("uav",), s,
            "{detail}", "{fix}",
            note="the phases in provisions uav.test_base_phases (uav_test) must also take off "
            "and land inside a UAV test base; operations may use any vertiport of the map.",
        ),
        Rule(
            "uav.endurance", "Planned flight time plus reserve within the endurance",
            "airworthiness practice; test-zone operating rules", "U", "error", ("uav",), s,
            "{agent}'s flight takes {flight:.1f} s; with the {reserve:.0%} reserve it needs "
            "{need:.1f} s, more than the {endurance:.1f} s endurance of {vtype}",
            "shorten {agent}'s flight by {excess:.1f} s (a shorter route or a higher speed), or "
            "use a UAV with more endurance",
        ),
        Rule(
            "uav.class", "The declared UAV class matches its masses",
            f"{DECREE} Art. 62", "V", "error", ("uav",), s,
            "vehicle type {vtype} is declared {declared} but its masses (empty {empty:g} kg, "
            "MTOW {mtow:g} kg) make it {actual}",
            "declare uav_class = \"{actual}\" for {vtype}",
        ),
        Rule(
            "uav.class_limits", "Height and speed within the class's limits",
            f"{DECREE} Art. 62", "V", "error", ("uav",), s,
            "{agent} ({cls}) would fly {what} {value}, above the {cls} class limit {limit}",
            "{fix}",
        ),
        Rule(
            "uav.bvlos", "Beyond visual line of sight only if the permit allows it",
            f"{DECREE} Art. 32; CAAC AC-61-FS-2018-20R2 (VLOS radius)", "S", "error", ("uav",),
            s,
            "{agent} flies {dist:.0f} m from its take-off point {node}, beyond visual line of "
            "sight ({vlos:.0f} m), but permit {permit} does not allow BVLOS",
            "stay within {vlos:.0f} m of {node}, or set conditions.bvlos in permit {permit}",
        ),
        Rule(
            "uav.conflict", "Strategic deconfliction of flight plans in 4-D",
            "ASTM F3548-21 SCD0015, SCD0035 (priorities; equal priority: first planned wins)",
            "V", "error", ("uav",), s,
            "{agent}'s plan (priority {prio}) conflicts in 4-D with {other}'s plan (priority "
            "{other_prio}){why}",
            "delay {agent}'s departure by at least {delay:.0f} s, fly it at another altitude, or "
            "raise its priority",
            note="the lower-priority plan is refused; between equal priorities the plan that "
            "departs later (then: comes later in the scenario), standing for the one planned "
            "later.",
        ),
        Rule(
            "uav.capacity", "Corridor capacity",
            f"{SHANGHAI} Art. 44 (air-route planning); the map's corridor capacity", "V", "error",
            ("uav",), s,
            "{n} UAVs would be in corridor {edge} at once (capacity {capacity}); {agent} is over "
            "the capacity",
            "delay {agent}'s departure by at least {delay:.0f} s, or route it around {edge}",
            note="UAVs are admitted by priority, then departure, then scenario order; those "
            "that do not fit are refused.",
        ),
        Rule(
            "uav.exemption", "Operations that cancel the no-application exemption",
            f"{DECREE} Art. 31", "V", "error", ("uav",), s,
            "{agent}'s flight ({flags}) needs an application and permit {permit} does not allow "
            "it",
            "add {flags_list} to permit {permit}'s conditions.operations",
        ),
        Rule(
            "uav.application_deadline", "Flight applications by 12:00 (Beijing) the day before",
            f"{DECREE} Arts. 26, 29, 30", "V", "error", ("uav",), s,
            "{agent}'s flight needs an application ({why}), due by {deadline}; the plan was "
            "submitted {submitted}",
            "submit by {deadline}, or move the flight to {later} or later",
        ),
        Rule(
            "airspace.controlled_height", "Above 120 m true height is controlled airspace",
            f"{DECREE} Art. 19", "V", "error", ("uav",), s,
            "{agent} would fly at {alt}, in controlled airspace above {limit}, without approval "
            "in permit {permit}",
            "lower {agent}'s cruise altitude to {target}, or obtain controlled-airspace "
            "approval (conditions.controlled_airspace)",
        ),
        Rule(
            "airspace.controlled_area",
            "Controlled airspace around airports, expressways, electrified railways",
            f"{DECREE} Art. 19 (buffer widths published by the city)", "U", "error", ("uav",),
            s,
            "{agent}'s plan passes within {buffer:.0f} m of {feature} ({what}), controlled "
            "airspace, without approval in permit {permit}",
            "route {agent} at least {buffer:.0f} m clear of {feature}, or obtain "
            "controlled-airspace approval (conditions.controlled_airspace)",
            note="Art. 19 is V; the buffer widths are unverified parameters (U).",
        ),
        # --- ships -----------------------------------------------------------------------------
        Rule(
            "ship.test_waters", "The route stays inside designated test waters",
            f"{SHANGHAI} Art. 44; {MTSL} Art. 19", "V", "error", ("ship",), s,
            "{agent}'s route leaves the designated test waters ({zones}) on {edge}, "
            "{outside:.0f} m outside",
            "route {agent} inside {zones}",
        ),
        Rule(
            "ship.waters", "Only waterways the permit names",
            "the permit's own terms (waters)", "V", "error", ("ship",), s,
            "{agent} uses waterway {edge}, which permit {permit} does not name",
            "add {edge} to permit {permit}'s waters, or route {agent} around it",
        ),
        Rule(
            "ship.draught", "Draught within the waterway's depth",
            f"{MTSL}; the map's waterway depths", "V", "error", ("ship",), s,
            "{agent} ({vtype}) draws {draught:g} m, more than waterway {edge} allows "
            "({depth:g} m deep, {ukc:g} m clearance)",
            "use a vessel drawing at most {allowed:g} m, or route {agent} around {edge}",
        ),
        Rule(
            "ship.notice", "Sea trials reported 10 working days ahead",
            f"{MTSL} Art. 49", "V", "error", ("ship",), s,
            "the sea trial of {agent} on {date} was reported {notified}, {days} working days "
            "ahead; at least {need} are required",
            "start the trial on {earliest} or later",
            note="working days are Monday to Friday, less the holidays and plus the adjusted "
            "working days listed in provisions.toml.",
        ),
        # --- run-time rules (reported by the engine while a scenario runs) --------------------
        Rule(
            "fence.prohibited", "Entered a prohibited zone", "ED-269 PROHIBITED; " + DECREE
            + " Art. 19", "V", "error", ALL, rt, "{agent} entered prohibited zone {zone}",
        ),
        Rule(
            "fence.authorisation", "Entered an authorisation zone without authorisation",
            "ED-269 REQ_AUTHORISATION", "V", "error", ALL, rt,
            "{agent} entered zone {zone} without an authorisation naming it",
        ),
        Rule(
            "fence.left_test_area", "Left the permitted test areas",
            f"{SHANGHAI} Arts. 43-44", "V", "error", ALL, rt,
            "{agent} left the test areas of its permit",
        ),
        Rule(
            "fence.speeding", "Speeding in a zone", "the zone's own rules (max_speed)", "V",
            "error", ("icv", "ship"), rt, "{agent} exceeded the speed limit of zone {zone}",
        ),
        Rule(
            "collision.icv", "Road vehicles collided", "road traffic law", "V", "error",
            ("icv",), rt, "{agent} collided with {other}",
        ),
        Rule(
            "collision.uav", "UAVs collided", DECREE, "V", "error", ("uav",), rt,
            "{agent} collided with {other}",
        ),
        Rule(
            "collision.ship", "Ships collided", MTSL, "V", "error", ("ship",), rt,
            "{agent} collided with {other}",
        ),
        Rule(
            "collision.obstacle", "Collided with an obstacle of the map", "road traffic law; "
            + DECREE, "V", "error", ALL, rt, "{agent} hit an obstacle",
        ),
        Rule(
            "separation.loss", "Loss of separation between UAVs",
            "ASTM F3548-21 (conformance); Decree 761 Art. 33", "V", "error", ("uav",), rt,
            "{agent} lost separation with {other}",
        ),
        Rule(
            "permit.speed_exceeded", "Above the permit's speed cap during the run",
            "the permit's own terms (speed_cap)", "V", "error", ALL, rt,
            "{agent} went at {speed}, above permit {permit}'s cap {cap}",
        ),
        Rule(
            "permit.altitude_exceeded", "Above the permit's altitude cap during the run",
            "the permit's own terms (altitude_cap)", "V", "error", ("uav",), rt,
            "{agent} flew at {alt}, above permit {permit}'s cap {cap}",
            note="a UAV can be taken above its planned altitude by a corridor's band or by "
            "tactical conflict resolution.",
        ),
    )  # fmt: skip


@lru_cache(maxsize=1)
def catalogue() -> Mapping[str, Rule]:
    """Every rule by id (read-only; built once)."""
    rules = {r.id: r for r in _entries()}
    return MappingProxyType(rules)


def static_rules() -> tuple[str, ...]:
    """Ids of the rules ``testzone check`` evaluates, sorted."""
    return tuple(sorted(r.id for r in catalogue().values() if r.stage == "static"))


def make(
    rule_id: str,
    *,
    agent: str | None = None,
    zone: str | None = None,
    time: tuple[float, float] | None = None,
    where: tuple[float, float, float] | None = None,
    severity: Severity | None = None,
    **values: Any,
) -> Violation:
    """A violation of ``rule_id`` with its message and hint filled from ``values``.

    ``agent`` and ``zone`` are also available to the templates. ``severity`` overrides the
    rule's (used only where the catalogue entry's note says so).
    """
    rule = catalogue()[rule_id]
    fields = {"agent": agent, "zone": zone, **values}
    return Violation(
        rule=rule.id,
        severity=severity or rule.severity,
        agent=agent,
        zone=zone,
        time=None if time is None else (float(time[0]), float(time[1])),
        where=None if where is None else (float(where[0]), float(where[1]), float(where[2])),
        article=rule.cite(),
        message=rule.message.format(**fields),
        hint=rule.hint.format(**fields) if rule.hint else "",
    )
