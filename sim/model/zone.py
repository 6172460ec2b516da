"""Electronic fences (zones): a 2-D outline x altitude band x schedule, with rules.

Follows EUROCAE ED-269 semantics so an ED-269 ``UASZone`` maps onto a :class:`Zone` without
loss: several volumes (``geometry`` entries) per zone, each with its own lower and upper
limit and vertical reference; a list of applicability schedules; restriction
PROHIBITED / REQ_AUTHORISATION / CONDITIONAL / NO_RESTRICTION; reasons, authorities,
messages. ``kind`` adds the test-zone meaning (Art. 43/44) on top.

In a zone file (a GeoJSON FeatureCollection) each feature is one volume; features that
share an ``id`` are the volumes of one zone and must agree on the zone-level properties.
A circle is a ``Point`` geometry with a ``radius`` (m).
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any, ClassVar, Literal

from pydantic import Field, StrictBool, StrictInt, field_validator, model_validator

from sim.model.altitude import Altitude, Datum
from sim.model.base import Identifier, StrictModel
from sim.model.errors import field_error
from sim.model.geometry import Geometry
from sim.model.map import Crs, Origin
from sim.model.timeutil import AwareDatetime, Schedule, TimeZoneName
from sim.model.units import Metres, MetresPerSecond
from sim.model.vehicle import Domain


class ZoneKind(StrEnum):
    """What a zone means in the test zone."""

    TEST_AREA = "test_area"
    """Designated test area / UAV test base: tested vehicles must stay inside (inclusion)."""
    NO_FLY = "no_fly"
    """Prohibited airspace (ED-269 PROHIBITED), e.g. around an airport."""
    AUTHORISATION_REQUIRED = "authorisation_required"
    """Entry only with an authorisation naming the zone (ED-269 REQ_AUTHORISATION)."""
    CONDITIONAL = "conditional"
    """Entry allowed under the zone's stated conditions (ED-269 CONDITIONAL)."""
    SPEED_LIMIT = "speed_limit"
    """A lower speed limit applies inside."""
    TEST_WATERS = "test_waters"
    """Designated waters for unmanned-ship tests (inclusion)."""
    ADVISORY = "advisory"
    """Information only (ED-269 NO_RESTRICTION)."""


class Restriction(StrEnum):
    """ED-269 restriction types."""

    PROHIBITED = "PROHIBITED"
    REQ_AUTHORISATION = "REQ_AUTHORISATION"
    CONDITIONAL = "CONDITIONAL"
    NO_RESTRICTION = "NO_RESTRICTION"


REQUIRED_RESTRICTION: dict[ZoneKind, Restriction] = {
    ZoneKind.NO_FLY: Restriction.PROHIBITED,
    ZoneKind.AUTHORISATION_REQUIRED: Restriction.REQ_AUTHORISATION,
    ZoneKind.CONDITIONAL: Restriction.CONDITIONAL,
    ZoneKind.ADVISORY: Restriction.NO_RESTRICTION,
}
"""Kinds whose ED-269 restriction is fixed."""

DEFAULT_VEHICLE_KINDS: dict[ZoneKind, tuple[Domain, ...]] = {
    ZoneKind.TEST_AREA: (Domain.ICV, Domain.UAV, Domain.SHIP),
    ZoneKind.NO_FLY: (Domain.UAV,),
    ZoneKind.AUTHORISATION_REQUIRED: (Domain.UAV,),
    ZoneKind.CONDITIONAL: (Domain.UAV,),
    ZoneKind.SPEED_LIMIT: (Domain.ICV, Domain.SHIP),
    ZoneKind.TEST_WATERS: (Domain.SHIP,),
    ZoneKind.ADVISORY: (Domain.ICV, Domain.UAV, Domain.SHIP),
}
"""Which vehicle kinds a zone's rules apply to, unless the zone says otherwise."""


class BreachAction(StrEnum):
    """What the engine does when an agent breaches a zone."""

    WARN = "warn"
    HOLD = "hold"
    """UAV hovers in place."""
    RETURN = "return"
    """UAV flies back to its launch vertiport."""
    LAND = "land"
    """UAV lands where it is."""
    STOP = "stop"
    """ICV or ship stops (at the road side)."""


_ACTION_RANK: dict[BreachAction, int] = {
    BreachAction.WARN: 0,
    BreachAction.HOLD: 1,
    BreachAction.STOP: 1,
    BreachAction.RETURN: 2,
    BreachAction.LAND: 3,
}


def stricter_action(zone: BreachAction, permit: BreachAction | None) -> BreachAction:
    """The stricter of a zone's and a permit's breach action (the zone's on a tie).

    Order: ``warn`` < ``hold`` = ``stop`` < ``return`` < ``land``: recording only, then
    stopping where the agent is, then leaving the area (back to launch), then ending the flight.
    """
    if permit is None or _ACTION_RANK[permit] <= _ACTION_RANK[zone]:
        return zone
    return permit


class ZoneRules(StrictModel):
    """Rule parameters of a zone (data, not code)."""

    max_speed: Annotated[MetresPerSecond, Field(gt=0.0, le=150.0)] | None = None
    """Speed limit inside the zone (m/s)."""
    vehicle_kinds: tuple[Domain, ...] | None = None
    """Vehicle kinds the zone's rules apply to; default depends on the zone kind."""
    breach_action: BreachAction = BreachAction.WARN
    max_altitude: Altitude | None = None
    """Highest altitude a UAV may fly inside the zone (a zone's own altitude cap)."""


class Authority(StrictModel):
    """An authority responsible for a zone (ED-269 ``zoneAuthority``)."""

    name: str = ""
    service: str = ""
    email: str = ""
    contact_name: str = ""
    site_url: str = ""
    phone: str = ""
    purpose: Literal["AUTHORIZATION", "NOTIFICATION", "INFORMATION", ""] = ""
    interval_before: str = ""
    """ISO 8601 duration of the notice needed before entry (e.g. ``P1D``)."""


class ZoneVolume(StrictModel):
    """One volume of a zone: outline (polygon, or circle = point + radius) x altitude band."""

    geometry: Geometry
    radius: Annotated[Metres, Field(gt=0.0, le=200_000.0)] | None = None
    floor: Altitude
    ceiling: Altitude | None
    """Upper limit; ``None`` means no upper limit."""

    @property
    def is_circle(self) -> bool:
        """Whether the outline is a circle (point + radius)."""
        return self.geometry.type == "Point"


class ZoneFeature(StrictModel):
    """The properties of one zone feature in a zone file (one volume of a zone)."""

    geometry_types: ClassVar[tuple[str, ...]] = ("Polygon", "MultiPolygon", "Point")
    zone_fields: ClassVar[tuple[str, ...]] = (
        "name",
        "kind",
        "restriction",
        "schedule",
        "rules",
        "message",
        "conditions",
        "reason",
        "other_reason",
        "country",
        "zone_type",
        "region",
        "u_space_class",
        "regulation_exemption",
        "restriction_conditions",
        "authority",
        "extended_properties",
        "published",
    )

    id: Identifier
    name: str = ""
    kind: ZoneKind
    restriction: Restriction | None = None
    """ED-269 restriction; fixed by ``kind`` for no_fly, authorisation_required, conditional
    and advisory, otherwise free (default NO_RESTRICTION)."""
    geometry: Geometry
    radius: Annotated[Metres, Field(gt=0.0, le=200_000.0)] | None = None
    floor: Altitude = Altitude(value=0.0, datum=Datum.AGL)
    ceiling: Altitude | None = None
    schedule: tuple[Schedule, ...] = (Schedule(permanent=True),)
    rules: ZoneRules = ZoneRules()
    message: str = ""
    conditions: str = ""
    """For conditional zones: the conditions of entry, in words."""
    reason: tuple[str, ...] = ()
    other_reason: str = ""
    country: str = ""
    zone_type: Literal["COMMON", "CUSTOMIZED"] = "COMMON"
    region: StrictInt | None = None
    u_space_class: str = ""
    regulation_exemption: StrictBool | None = None
    restriction_conditions: tuple[str, ...] = ()
    authority: tuple[Authority, ...] = ()
    extended_properties: dict[str, Any] = Field(default_factory=dict)
    published: AwareDatetime | None = None
    """When a temporary restriction was announced (aware date-time; Decree 761 Art. 20)."""

    @field_validator("schedule", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return [value] if isinstance(value, dict) else value

    @field_validator("schedule")
    @classmethod
    def _not_empty(cls, value: tuple[Schedule, ...]) -> tuple[Schedule, ...]:
        if not value:
            raise ValueError("give at least one schedule entry (or leave it out: permanent)")
        return value

    @model_validator(mode="after")
    def _check(self) -> ZoneFeature:
        required = REQUIRED_RESTRICTION.get(self.kind)
        if required is not None and self.restriction not in (None, required):
            raise field_error(
                "restriction",
                f"a {self.kind.value} zone has restriction {required.value}, "
                f"not {self.restriction.value if self.restriction else None}",
            )
        if self.geometry.type == "Point" and self.radius is None:
            raise field_error("radius", "a circle zone (Point geometry) needs a 'radius' in metres")
        if self.geometry.type != "Point" and self.radius is not None:
            raise field_error("radius", "'radius' applies only to a circle zone (Point geometry)")
        if self.kind is ZoneKind.SPEED_LIMIT and self.rules.max_speed is None:
            raise field_error("rules.max_speed", "a speed_limit zone needs rules.max_speed")
        if (
            self.ceiling is not None
            and self.floor.datum == self.ceiling.datum
            and self.floor.value >= self.ceiling.value
        ):
            raise field_error("ceiling", f"floor {self.floor} is not below ceiling {self.ceiling}")
        return self


class Zone(StrictModel):
    """An electronic fence: one or more volumes sharing a kind, schedule and rules."""

    id: Identifier
    name: str
    kind: ZoneKind
    restriction: Restriction
    volumes: tuple[ZoneVolume, ...] = Field(min_length=1)
    schedule: tuple[Schedule, ...]
    rules: ZoneRules
    message: str = ""
    conditions: str = ""
    reason: tuple[str, ...] = ()
    other_reason: str = ""
    country: str = ""
    zone_type: Literal["COMMON", "CUSTOMIZED"] = "COMMON"
    region: int | None = None
    u_space_class: str = ""
    regulation_exemption: bool | None = None
    restriction_conditions: tuple[str, ...] = ()
    authority: tuple[Authority, ...] = ()
    extended_properties: dict[str, Any] = Field(default_factory=dict)
    published: dt.datetime | None = None
    """When a temporary restriction was announced (Decree 761 Art. 20); ``None``: not given."""

    @property
    def vehicle_kinds(self) -> tuple[Domain, ...]:
        """Vehicle kinds the zone's rules apply to."""
        if self.rules.vehicle_kinds is not None:
            return self.rules.vehicle_kinds
        return DEFAULT_VEHICLE_KINDS[self.kind]

    @property
    def is_inclusion(self) -> bool:
        """Whether tested vehicles must stay inside (test areas, test waters)."""
        return self.kind in (ZoneKind.TEST_AREA, ZoneKind.TEST_WATERS)

    def is_active(self, when: dt.datetime) -> bool:
        """Whether any of the zone's schedules applies at the aware instant ``when``."""
        return any(s.is_active(when) for s in self.schedule)


class ZoneFileHeader(StrictModel):
    """The ``testzone`` member of a zone file."""

    format: Literal["testzone-zones"]
    version: Literal[1] = 1
    name: str = ""
    description: str = ""
    crs: Crs = Crs.WGS84
    origin: Origin | None = None
    """Only for ``local`` files that should also be placed on the globe."""
    time_zone: TimeZoneName | None = None
    """Default time zone of weekly schedule windows in this file."""
    source: dict[str, Any] = Field(default_factory=dict)
    """Metadata of the file the zones came from (e.g. ED-269 ``formatVersion``, ``createdAt``)."""


class ZoneSet(StrictModel):
    """The zones of one zone file."""

    header: ZoneFileHeader
    zones: tuple[Zone, ...] = ()
    source: str = ""

    def by_id(self) -> dict[str, Zone]:
        """Zones by id."""
        return {z.id: z for z in self.zones}
