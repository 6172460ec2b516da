"""The provision parameters (``provisions.toml``, package data): numbers with their sources.

Loaded once per process by :func:`provisions` (an immutable, validated model; cached). Units
are SI: metres, seconds, m/s, kg; wall-clock times are seconds after midnight.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from functools import lru_cache
from importlib import resources
from typing import Annotated

from pydantic import Field, StrictInt

from sim.model.base import StrictModel
from sim.model.permit import Phase
from sim.model.timeutil import ClockSeconds, TimeZoneName
from sim.model.units import Kilograms, Metres, MetresPerSecond, Seconds
from sim.model.vehicle import UavClass


class UavClassLimits(StrictModel):
    """Mass bounds (kg) of a UAV class of Decree 761 Art. 62 and its flight limits."""

    empty_mass_below: Kilograms | None = None
    """Empty mass strictly below this (kg)."""
    max_empty_mass: Kilograms | None = None
    """Empty mass at most this (kg)."""
    max_mtow: Kilograms | None = None
    """Maximum take-off mass at most this (kg)."""
    max_height: Metres | None = None
    """Highest true height (m above ground)."""
    max_speed: MetresPerSecond | None = None
    """Highest speed (m/s)."""


class Application(StrictModel):
    """The flight application deadline (Decree 761 Art. 26): a wall-clock time days before."""

    deadline: ClockSeconds
    """Wall-clock time of the deadline (s after midnight)."""
    days_before: Annotated[StrictInt, Field(ge=0, le=30)]
    time_zone: TimeZoneName


class UavProvisions(StrictModel):
    """UAV parameters."""

    controlled_height: Metres
    vlos_radius: Metres
    endurance_reserve: Annotated[float, Field(ge=0.0, lt=1.0)]
    horizontal_buffer: Metres
    vertical_buffer: Metres
    time_buffer: Seconds
    volume_length: Annotated[Metres, Field(gt=0.0)]
    altitude_margin: Metres
    test_base_phases: tuple[Phase, ...]
    exempt_classes: tuple[UavClass, ...]
    registration_classes: tuple[UavClass, ...]
    certificate_classes: tuple[UavClass, ...]
    insurance_classes: tuple[UavClass, ...]
    licence_classes: tuple[UavClass, ...]
    application: Application
    classes: dict[UavClass, UavClassLimits]


class AirspaceProvisions(StrictModel):
    """Controlled airspace along linear features and around airports (m)."""

    controlled_road_classes: tuple[str, ...]
    road_buffer: Metres
    railway_buffer: Metres
    airport_buffer: Metres


class RestrictionProvisions(StrictModel):
    """Notice periods of temporary restrictions (s)."""

    notice: Seconds
    emergency_notice: Seconds


class IcvProvisions(StrictModel):
    """ICV parameters."""

    insurance_min_cny: Annotated[float, Field(ge=0.0)]
    max_permit_term_months: Annotated[StrictInt, Field(ge=1, le=240)]
    gate_phases: tuple[Phase, ...]
    gate_time: Seconds
    gate_distance: Metres
    gate_max_violations: Annotated[StrictInt, Field(ge=0)]
    gate_max_at_fault_accidents: Annotated[StrictInt, Field(ge=0)]
    sun_altitude: float
    """Sun altitude (deg) at sunrise and sunset."""


class ShipProvisions(StrictModel):
    """Unmanned-ship parameters."""

    notice_working_days: Annotated[StrictInt, Field(ge=0, le=365)]
    time_zone: TimeZoneName
    holidays: tuple[dt.date, ...] = ()
    workdays: tuple[dt.date, ...] = ()
    under_keel_clearance: Metres


class Provisions(StrictModel):
    """All provision parameters."""

    uav: UavProvisions
    airspace: AirspaceProvisions
    restrictions: RestrictionProvisions
    icv: IcvProvisions
    ship: ShipProvisions


@lru_cache(maxsize=1)
def provisions() -> Provisions:
    """The parameters of ``sim/rules/provisions.toml`` (read and validated once)."""
    text = resources.files("sim.rules").joinpath("provisions.toml").read_text(encoding="utf-8")
    return Provisions.model_validate(tomllib.loads(text))
