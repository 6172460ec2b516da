"""Permits issued to test operators: which vehicles, which phase, where, when, on what terms.

A permit names its vehicles and test phase (Art. 43 stages for ICVs, Art. 44 for UAVs and
ships), where they may operate (road classes, zones, corridors, waters), its validity window
and weekly hours, its conditions (speed and altitude caps, safety driver, night operation,
BVLOS) and the evidence behind it (insurance, registration, licences).
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, StrictBool, StrictInt, model_validator

from sim.model.altitude import Altitude
from sim.model.base import Identifier, StrictModel
from sim.model.errors import field_error
from sim.model.map import RoadClass
from sim.model.timeutil import AwareDatetime, TimeZoneName, WeeklyWindow
from sim.model.units import MetresPerSecond
from sim.model.vehicle import Domain
from sim.model.zone import BreachAction


class Phase(StrEnum):
    """Test phases: ICV stages of Art. 43, UAV and ship phases of Art. 44."""

    ROAD_TEST = "road_test"
    DEMO_APPLICATION = "demo_application"
    DEMO_OPERATION = "demo_operation"
    DRIVERLESS = "driverless"
    UAV_TEST = "uav_test"
    UAV_OPERATION = "uav_operation"
    SHIP_TEST = "ship_test"


PHASE_DOMAIN: dict[Phase, Domain] = {
    Phase.ROAD_TEST: Domain.ICV,
    Phase.DEMO_APPLICATION: Domain.ICV,
    Phase.DEMO_OPERATION: Domain.ICV,
    Phase.DRIVERLESS: Domain.ICV,
    Phase.UAV_TEST: Domain.UAV,
    Phase.UAV_OPERATION: Domain.UAV,
    Phase.SHIP_TEST: Domain.SHIP,
}
"""The domain each phase belongs to."""


FlightOperation = Literal[
    "swarm", "over_crowds", "drops_items", "control_from_vehicle", "cellular_control"
]
"""UAV operations that cancel the no-application exemption (Decree 761 Art. 31)."""


class PermitConditions(StrictModel):
    """Conditions attached to a permit."""

    speed_cap: Annotated[MetresPerSecond, Field(gt=0.0, le=150.0)] | None = None
    """Highest speed allowed under the permit (m/s)."""
    altitude_cap: Altitude | None = None
    """Highest altitude allowed under the permit (UAVs)."""
    safety_driver: StrictBool | None = None
    """Whether a safety driver must be aboard; default: yes, except in the driverless phase."""
    night_operation: StrictBool = False
    """Whether operation between sunset and sunrise is allowed."""
    bvlos: StrictBool = False
    """Whether UAV flight beyond visual line of sight is allowed."""
    max_occupants: Annotated[StrictInt, Field(ge=0, le=100)] | None = None
    """Most persons aboard besides the safety driver (ICVs)."""
    controlled_airspace: StrictBool = False
    """Whether the flights are approved in controlled airspace (above 120 m true height, and
    the buffers around airports, expressways and electrified railways; Decree 761 Art. 19)."""
    operations: tuple[FlightOperation, ...] = ()
    """UAV operations the permit allows that cancel the no-application exemption of Decree
    761 Art. 31: ``swarm``, ``over_crowds``, ``drops_items``, ``control_from_vehicle``,
    ``cellular_control``."""
    breach_action: BreachAction | None = None
    """What the engine does when a vehicle under this permit breaches a fence or the permit's
    own terms; the stricter of this and the zone's action is carried out (see
    ``sim.model.zone.stricter_action``). ``None``: the zone's action."""


class Evidence(StrictModel):
    """Documents behind a permit (checked by rules that rest on the national provisions)."""

    insurance_cny: Annotated[float, Field(ge=0.0)] | None = None
    """Liability cover per vehicle (CNY)."""
    registration: str = ""
    licences: tuple[str, ...] = ()
    certificates: tuple[str, ...] = ()


class Permit(StrictModel):
    """A permit for a set of vehicles in one test phase."""

    id: Identifier
    operator: str = Field(min_length=1, max_length=200)
    vehicles: tuple[Identifier, ...] = Field(min_length=1)
    phase: Phase
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    hours: tuple[WeeklyWindow, ...] = ()
    """Weekly operating hours; empty means any time within the validity window."""
    time_zone: TimeZoneName | None = None
    road_classes: tuple[RoadClass, ...] = ()
    zones: tuple[Identifier, ...] = ()
    """Zones the permit authorises (test areas, authorisation-required zones, test waters)."""
    corridors: tuple[Identifier, ...] = ()
    waters: tuple[Identifier, ...] = ()
    """Waterway edges the permit covers."""
    conditions: PermitConditions = PermitConditions()
    evidence: Evidence = Evidence()
    issued_by: str = ""
    notes: str = ""

    @property
    def domain(self) -> Domain:
        """The domain of the permit's phase."""
        return PHASE_DOMAIN[self.phase]

    @property
    def needs_safety_driver(self) -> bool:
        """Whether a safety driver must be aboard (ICVs)."""
        if self.conditions.safety_driver is not None:
            return self.conditions.safety_driver
        return self.phase is not Phase.DRIVERLESS

    @model_validator(mode="after")
    def _check(self) -> Permit:
        if self.valid_until <= self.valid_from:
            raise field_error(
                "valid_until",
                f"valid_until {self.valid_until.isoformat()} is not after valid_from "
                f"{self.valid_from.isoformat()}",
            )
        if self.hours and self.time_zone is None:
            raise field_error("time_zone", "weekly 'hours' need a time_zone (e.g. 'Asia/Shanghai')")
        if len(set(self.vehicles)) != len(self.vehicles):
            raise field_error("vehicles", "a vehicle is listed twice in 'vehicles'")
        domain = self.domain
        if self.road_classes and domain is not Domain.ICV:
            raise field_error(
                "road_classes", f"road_classes apply to ICV phases, not {self.phase.value}"
            )
        if self.corridors and domain is not Domain.UAV:
            raise field_error("corridors", f"corridors apply to UAV phases, not {self.phase.value}")
        if self.waters and domain is not Domain.SHIP:
            raise field_error("waters", f"waters apply to ship phases, not {self.phase.value}")
        if self.conditions.altitude_cap is not None and domain is not Domain.UAV:
            raise field_error(
                "conditions.altitude_cap",
                f"conditions.altitude_cap applies to UAV phases, not {self.phase.value}",
            )
        for key in ("controlled_airspace", "operations"):
            if getattr(self.conditions, key) and domain is not Domain.UAV:
                raise field_error(
                    f"conditions.{key}",
                    f"conditions.{key} applies to UAV phases, not {self.phase.value}",
                )
        if self.conditions.bvlos and domain is not Domain.UAV:
            raise field_error(
                "conditions.bvlos",
                f"conditions.bvlos applies to UAV phases, not {self.phase.value}",
            )
        if self.phase is Phase.DRIVERLESS and self.conditions.safety_driver:
            raise field_error(
                "conditions.safety_driver", "a driverless permit cannot require a safety driver"
            )
        return self


class PermitFile(StrictModel):
    """A TOML file of permits (and optionally vehicle types) shared by scenarios."""

    permit: tuple[Permit, ...] = ()
