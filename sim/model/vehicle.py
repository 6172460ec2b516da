"""Vehicle types: dimensions and dynamics of road vehicles (ICVs), UAVs and ships.

Built-in types cover the common cases (``car``, ``bus``, ``truck``, UAVs by the classes of
Decree 761 Art. 62, small unmanned surface vessels); a scenario may add its own with
``[[vehicle_type]]`` tables. Every parameter is SI: m, s, m/s, m/s², kg, J, W, 1/s.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import Field, model_validator

from sim.model.base import Identifier, StrictModel
from sim.model.errors import field_error
from sim.model.units import (
    Joules,
    Kilograms,
    Metres,
    MetresPerSecond,
    MetresPerSecond2,
    RadiansPerSecond,
    Seconds,
    Watts,
)


class Domain(StrEnum):
    """The three domains of a test zone."""

    ICV = "icv"
    UAV = "uav"
    SHIP = "ship"


LAYER_OF_DOMAIN: dict[Domain, str] = {Domain.ICV: "road", Domain.UAV: "air", Domain.SHIP: "water"}
"""Which map layer each domain travels on."""


class IdmParams(StrictModel):
    """Intelligent Driver Model parameters (Treiber, Hennecke & Helbing 2000)."""

    v0: Annotated[MetresPerSecond, Field(gt=0.0, le=70.0)] = 33.3
    """Desired speed (m/s), capped by speed limits."""
    T: Annotated[Seconds, Field(gt=0.0, le=10.0)] = 1.5
    """Safe time headway (s)."""
    a: Annotated[MetresPerSecond2, Field(gt=0.0, le=10.0)] = 1.0
    """Maximum acceleration (m/s²)."""
    b: Annotated[MetresPerSecond2, Field(gt=0.0, le=15.0)] = 2.0
    """Comfortable deceleration (m/s²)."""
    s0: Annotated[Metres, Field(ge=0.0, le=20.0)] = 2.0
    """Minimum gap at standstill (m)."""
    delta: Annotated[float, Field(ge=1.0, le=10.0)] = 4.0
    """Acceleration exponent (1)."""


class MobilParams(StrictModel):
    """MOBIL lane-change parameters (Kesting, Treiber & Helbing 2007)."""

    politeness: Annotated[float, Field(ge=0.0, le=1.0)] = 0.2
    """Weight of other drivers' disadvantage (1)."""
    threshold: Annotated[MetresPerSecond2, Field(ge=0.0, le=5.0)] = 0.2
    """Acceleration gain needed to change lanes (m/s²)."""
    b_safe: Annotated[MetresPerSecond2, Field(gt=0.0, le=15.0)] = 4.0
    """Largest deceleration imposed on the new follower (m/s²)."""


class RoadVehicleType(StrictModel):
    """A road vehicle: car, bus or truck, with IDM and MOBIL parameters."""

    id: Identifier
    kind: Literal["car", "bus", "truck"]
    length: Annotated[Metres, Field(ge=1.0, le=30.0)]
    width: Annotated[Metres, Field(ge=0.5, le=3.5)]
    max_speed: Annotated[MetresPerSecond, Field(gt=0.0, le=100.0)]
    max_decel: Annotated[MetresPerSecond2, Field(gt=0.0, le=15.0)] = 8.0
    """Emergency braking deceleration (m/s²)."""
    idm: IdmParams = IdmParams()
    mobil: MobilParams = MobilParams()

    @property
    def domain(self) -> Domain:
        """Always :attr:`Domain.ICV`."""
        return Domain.ICV


class UavClass(StrEnum):
    """UAV classes of Decree 761 Art. 62."""

    MICRO = "micro"
    LIGHT = "light"
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class UavType(StrictModel):
    """A UAV: class, masses (kg), size (m), speed and climb limits, battery endurance."""

    id: Identifier
    kind: Literal["uav"]
    uav_class: UavClass
    empty_mass: Annotated[Kilograms, Field(gt=0.0, le=20000.0)]
    mtow: Annotated[Kilograms, Field(gt=0.0, le=20000.0)]
    """Maximum take-off mass (kg)."""
    span: Annotated[Metres, Field(gt=0.0, le=60.0)]
    """Largest horizontal dimension (m)."""
    height: Annotated[Metres, Field(gt=0.0, le=20.0)] = 0.5
    max_speed: Annotated[MetresPerSecond, Field(gt=0.0, le=150.0)]
    cruise_speed: Annotated[MetresPerSecond, Field(gt=0.0, le=150.0)]
    climb_rate: Annotated[MetresPerSecond, Field(gt=0.0, le=50.0)]
    descent_rate: Annotated[MetresPerSecond, Field(gt=0.0, le=50.0)]
    max_accel: Annotated[MetresPerSecond2, Field(gt=0.0, le=30.0)] = 3.0
    max_turn_rate: Annotated[RadiansPerSecond, Field(gt=0.0, le=10.0)] = 1.0
    endurance: Annotated[Seconds, Field(gt=0.0, le=86400.0 * 3)]
    """Flight time on a full battery or tank (s)."""
    battery_energy: Annotated[Joules, Field(gt=0.0)] | None = None
    hover_power: Annotated[Watts, Field(gt=0.0)] | None = None

    @model_validator(mode="after")
    def _check(self) -> UavType:
        if self.mtow < self.empty_mass:
            raise field_error(
                "mtow", f"mtow {self.mtow:g} kg is below empty_mass {self.empty_mass:g} kg"
            )
        if self.cruise_speed > self.max_speed:
            raise field_error(
                "cruise_speed",
                f"cruise_speed {self.cruise_speed:g} m/s exceeds max_speed {self.max_speed:g} m/s",
            )
        return self

    @property
    def domain(self) -> Domain:
        """Always :attr:`Domain.UAV`."""
        return Domain.UAV


class ShipType(StrictModel):
    """An unmanned ship with Nomoto first-order steering parameters."""

    id: Identifier
    kind: Literal["ship"]
    length: Annotated[Metres, Field(gt=0.5, le=400.0)]
    beam: Annotated[Metres, Field(gt=0.2, le=70.0)]
    draught: Annotated[Metres, Field(gt=0.0, le=25.0)]
    max_speed: Annotated[MetresPerSecond, Field(gt=0.0, le=40.0)]
    max_accel: Annotated[MetresPerSecond2, Field(gt=0.0, le=5.0)] = 0.2
    speed_time_constant: Annotated[Seconds, Field(gt=0.0, le=3600.0)] = 20.0
    """First-order time constant of the speed response (s)."""
    nomoto_k: Annotated[float, Field(gt=0.0, le=10.0)] = 0.1
    """Nomoto gain K (1/s per rad of rudder)."""
    nomoto_t: Annotated[Seconds, Field(gt=0.0, le=600.0)] = 10.0
    """Nomoto time constant T (s)."""

    @model_validator(mode="after")
    def _check(self) -> ShipType:
        if self.beam >= self.length:
            raise field_error(
                "beam", f"beam {self.beam:g} m is not less than length {self.length:g} m"
            )
        return self

    @property
    def domain(self) -> Domain:
        """Always :attr:`Domain.SHIP`."""
        return Domain.SHIP


VehicleType = Annotated[RoadVehicleType | UavType | ShipType, Field(discriminator="kind")]


def builtin_vehicle_types() -> dict[str, RoadVehicleType | UavType | ShipType]:
    """The built-in vehicle types by id (a fresh dict on each call)."""
    types: list[RoadVehicleType | UavType | ShipType] = [
        RoadVehicleType(id="car", kind="car", length=4.8, width=1.9, max_speed=50.0),
        RoadVehicleType(
            id="bus",
            kind="bus",
            length=12.0,
            width=2.55,
            max_speed=27.8,
            max_decel=6.0,
            idm=IdmParams(v0=25.0, T=1.8, a=0.8, b=1.5, s0=2.5),
            mobil=MobilParams(politeness=0.5),
        ),
        RoadVehicleType(
            id="truck",
            kind="truck",
            length=16.5,
            width=2.55,
            max_speed=27.8,
            max_decel=6.0,
            idm=IdmParams(v0=25.0, T=2.0, a=0.6, b=1.5, s0=3.0),
            mobil=MobilParams(politeness=0.5),
        ),
        UavType(
            id="uav-light-quad",
            kind="uav",
            uav_class=UavClass.LIGHT,
            empty_mass=1.2,
            mtow=2.5,
            span=0.6,
            height=0.3,
            max_speed=20.0,
            cruise_speed=12.0,
            climb_rate=5.0,
            descent_rate=3.0,
            endurance=1800.0,
            battery_energy=77.0 * 3600,
            hover_power=150.0,
        ),
        UavType(
            id="uav-small-delivery",
            kind="uav",
            uav_class=UavClass.SMALL,
            empty_mass=9.0,
            mtow=20.0,
            span=1.8,
            height=0.6,
            max_speed=25.0,
            cruise_speed=15.0,
            climb_rate=4.0,
            descent_rate=3.0,
            endurance=2400.0,
            battery_energy=900.0 * 3600,
            hover_power=1200.0,
        ),
        UavType(
            id="uav-medium-cargo",
            kind="uav",
            uav_class=UavClass.MEDIUM,
            empty_mass=60.0,
            mtow=140.0,
            span=5.0,
            height=1.5,
            max_speed=30.0,
            cruise_speed=22.0,
            climb_rate=3.0,
            descent_rate=2.5,
            max_accel=2.0,
            endurance=3600.0,
        ),
        ShipType(id="usv-small", kind="ship", length=6.0, beam=2.2, draught=0.5, max_speed=8.0),
        ShipType(
            id="usv-survey",
            kind="ship",
            length=12.0,
            beam=3.5,
            draught=1.2,
            max_speed=7.0,
            speed_time_constant=40.0,
            nomoto_k=0.07,
            nomoto_t=18.0,
        ),
    ]
    return {t.id: t for t in types}
