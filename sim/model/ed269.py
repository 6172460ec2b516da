"""EUROCAE ED-269 geographical zones <-> :class:`~sim.model.zone.Zone`, without loss.

Reads both the published ED-269 JSON (``{"formatVersion", "createdAt", "UASZoneList": [...]}``)
and the EUROCONTROL draft used by its geofencing prototype (``{"uas_zones": [...]}``, with
``schedule`` for ``dailyPeriod`` and single objects where ED-269 has lists). Every ED-269
field has a place in the zone model; :func:`to_ed269` writes the published form back, and
``parse_ed269(to_ed269(z)) == z`` holds for every zone set read from ED-269.

Mapping: restriction PROHIBITED -> kind ``no_fly``, REQ_AUTHORISATION ->
``authorisation_required``, CONDITIONAL -> ``conditional``, NO_RESTRICTION -> ``advisory``.
Each ``geometry`` entry becomes a volume (``uomDimensions`` FT converted to metres; a null
upper limit means no ceiling). Daily periods are UTC wall-clock windows (ED-269 times are
UTC; an explicit offset in a time selects a fixed-offset zone). An applicability marked
``permanent: YES`` that also carries dates or periods is contradictory; it is read as
permanent (the side of safety) and the original entry is kept in
``extended_properties["ed269:applicability"]`` so that writing it back restores it.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

from pydantic import ConfigDict, Field, ValidationError

from sim.model.altitude import Altitude, Datum
from sim.model.base import StrictModel
from sim.model.errors import Issue, ModelError, format_path, issues_from_pydantic
from sim.model.files import display_name, read_json
from sim.model.geometry import Geometry, GeometryError
from sim.model.map import Crs
from sim.model.timeutil import Schedule, WeeklyWindow
from sim.model.zone import (
    Authority,
    Restriction,
    Zone,
    ZoneFileHeader,
    ZoneKind,
    ZoneRules,
    ZoneSet,
    ZoneVolume,
)

FT = 0.3048
KIND_OF_RESTRICTION = {
    Restriction.PROHIBITED: ZoneKind.NO_FLY,
    Restriction.REQ_AUTHORISATION: ZoneKind.AUTHORISATION_REQUIRED,
    Restriction.CONDITIONAL: ZoneKind.CONDITIONAL,
    Restriction.NO_RESTRICTION: ZoneKind.ADVISORY,
}
ORIGINAL_APPLICABILITY = "ed269:applicability"


class _Ed(StrictModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class EdPeriod(_Ed):
    """ED-269 ``dailyPeriod`` entry (draft: ``schedule``)."""

    day: list[str] | str | None = None
    startTime: str | None = None  # noqa: N815
    endTime: str | None = None  # noqa: N815
    startEvent: str | None = None  # noqa: N815
    endEvent: str | None = None  # noqa: N815


class EdApplicability(_Ed):
    """ED-269 ``applicability`` entry."""

    permanent: Literal["YES", "NO"] | None = None
    startDateTime: str | None = None  # noqa: N815
    endDateTime: str | None = None  # noqa: N815
    dailyPeriod: list[EdPeriod] | None = None  # noqa: N815
    schedule: list[EdPeriod] | None = None


class EdAuthority(_Ed):
    """ED-269 ``zoneAuthority`` entry."""

    name: str | None = None
    service: str | None = None
    email: str | None = None
    contactName: str | None = None  # noqa: N815
    siteURL: str | None = None  # noqa: N815
    phone: str | None = None
    purpose: Literal["AUTHORIZATION", "NOTIFICATION", "INFORMATION"] | None = None
    intervalBefore: str | None = None  # noqa: N815


class EdGeometry(_Ed):
    """ED-269 ``geometry`` entry (one volume)."""

    uomDimensions: Literal["M", "FT"] = "M"  # noqa: N815
    lowerLimit: float | str | None = None  # noqa: N815
    lowerVerticalReference: Literal["AGL", "AMSL", "WGS84"] = "AGL"  # noqa: N815
    upperLimit: float | str | None = None  # noqa: N815
    upperVerticalReference: Literal["AGL", "AMSL", "WGS84"] = "AGL"  # noqa: N815
    horizontalProjection: dict[str, Any]  # noqa: N815


class EdZone(_Ed):
    """ED-269 ``UASZone``."""

    identifier: str = Field(min_length=1, max_length=128)
    country: str = ""
    name: str | None = None
    type: Literal["COMMON", "CUSTOMIZED"] = "COMMON"
    restriction: Restriction
    restrictionConditions: list[str] | str | None = None  # noqa: N815
    region: int | None = None
    reason: list[str] = Field(default_factory=list)
    otherReasonInfo: str | None = None  # noqa: N815
    regulationExemption: Literal["YES", "NO"] | None = None  # noqa: N815
    uSpaceClass: str | None = None  # noqa: N815
    message: str | None = None
    zoneAuthority: list[EdAuthority] | EdAuthority | None = None  # noqa: N815
    applicability: list[EdApplicability] | EdApplicability | None = None
    geometry: list[EdGeometry] = Field(min_length=1)
    extendedProperties: dict[str, Any] | None = None  # noqa: N815


def is_ed269(doc: Any) -> bool:
    """Whether a parsed JSON document looks like ED-269 zone data."""
    return isinstance(doc, dict) and ("UASZoneList" in doc or "uas_zones" in doc)


def load_ed269(path: Path) -> ZoneSet:
    """Read an ED-269 JSON file as a zone set; raise :class:`ModelError` on problems."""
    return parse_ed269(read_json(path), display_name(path))


def parse_ed269(doc: Any, file: str) -> ZoneSet:
    """Convert a parsed ED-269 document into a :class:`ZoneSet`."""
    if not is_ed269(doc):
        raise ModelError.single(
            file, "", "not ED-269 data: expected 'UASZoneList' (or 'uas_zones')"
        )
    key = "UASZoneList" if "UASZoneList" in doc else "uas_zones"
    items = doc[key]
    if not isinstance(items, list):
        raise ModelError.single(file, key, "expected a list of UAS zones")
    issues: list[Issue] = []
    zones: list[Zone] = []
    seen: set[str] = set()
    for i, raw in enumerate(items):
        where: tuple[str | int, ...] = (key, i)
        try:
            ez = EdZone.model_validate(raw)
        except ValidationError as exc:
            issues.extend(issues_from_pydantic(exc, file, where, doc))
            continue
        if ez.identifier in seen:
            issues.append(
                Issue(file, format_path((*where, "identifier"), doc), "duplicate identifier")
            )
        seen.add(ez.identifier)
        try:
            zones.append(_zone(ez, file, where, doc, raw))
        except ModelError as exc:
            issues.extend(exc.issues)
    if issues:
        raise ModelError(issues)
    source = {k: v for k, v in doc.items() if k != key}
    header = ZoneFileHeader(
        format="testzone-zones",
        name=Path(file).name,
        crs=Crs.WGS84,
        time_zone="UTC",
        description=f"ED-269 zones read from {file}",
        source={"ed269": source} if source else {},
    )
    return ZoneSet(header=header, zones=tuple(zones), source=file)


def _limit(
    value: float | str | None, uom: str, datum: str, what: str, where: Any
) -> Altitude | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    try:
        number = float(value)
    except ValueError:
        raise ValueError(f"{what}: expected a number, got {value!r}") from None
    return Altitude(value=number * (FT if uom == "FT" else 1.0), datum=Datum(datum))


def _time_zone_of(times: list[str | None]) -> tuple[str, list[str | None]]:
    """Split offsets off ED-269 times; all must share one offset (default UTC)."""
    offsets = set()
    plain: list[str | None] = []
    for t in times:
        if t is None:
            plain.append(None)
            continue
        text = t.strip().removesuffix("Z")
        for sign in "+-":
            if sign in text:
                text, off = text.split(sign, 1)
                offsets.add(sign + off)
        plain.append(text)
    if len(offsets) > 1:
        raise ValueError(f"daily periods mix time offsets {sorted(offsets)}")
    off = offsets.pop() if offsets else "+00:00"
    hours, _, minutes = off[1:].partition(":")
    if int(minutes or 0):
        raise ValueError(f"time offset {off} is not a whole hour")
    h = int(hours) * (1 if off[0] == "+" else -1)
    return ("UTC" if h == 0 else f"Etc/GMT{-h:+d}"), plain


def _schedules(ez: EdZone) -> tuple[tuple[Schedule, ...], Any]:
    """Schedules of a zone, and the original applicability to keep (or None)."""
    apps = ez.applicability
    if apps is None:
        return (Schedule(permanent=True),), None
    entries = apps if isinstance(apps, list) else [apps]
    out: list[Schedule] = []
    keep = None
    for a in entries:
        periods = [
            p for p in (a.dailyPeriod or a.schedule or []) if p.startTime or p.endTime or p.day
        ]
        has_more = bool(a.startDateTime or a.endDateTime or periods)
        if a.permanent == "YES":
            out.append(Schedule(permanent=True))
            if has_more:
                keep = [e.model_dump(exclude_none=True) for e in entries]
            continue
        tz, times = _time_zone_of([t for p in periods for t in (p.startTime, p.endTime)])
        windows = []
        for k, p in enumerate(periods):
            days = p.day if isinstance(p.day, list) else [p.day] if p.day else ["ANY"]
            if p.startEvent or p.endEvent:
                raise ValueError("daily periods bound by sunrise/sunset events are not supported")
            windows.append(
                WeeklyWindow.model_validate(
                    {
                        "days": days,
                        "start": times[2 * k] or "00:00",
                        "end": times[2 * k + 1] or "24:00",
                    }
                )
            )
        out.append(
            Schedule(
                start=a.startDateTime,
                end=a.endDateTime,
                weekly=tuple(windows),
                time_zone=tz if windows else None,
            )
        )
    return tuple(out), keep


def _zone(ez: EdZone, file: str, where: tuple[str | int, ...], doc: Any, raw: Any) -> Zone:
    vols = []
    for g_i, g in enumerate(ez.geometry):
        gw = (*where, "geometry", g_i)
        hp = g.horizontalProjection
        try:
            if hp.get("type") == "Circle":
                center, radius = hp.get("center"), hp.get("radius")
                extra = set(hp) - {"type", "center", "radius"}
                if extra:
                    raise GeometryError((sorted(extra)[0],), "unknown member of a Circle")
                geom = Geometry.parse({"type": "Point", "coordinates": center})
                if isinstance(radius, bool) or not isinstance(radius, (int, float)) or radius <= 0:
                    raise GeometryError(
                        ("radius",), f"expected a positive radius in metres, got {radius!r}"
                    )
                radius_m: float | None = float(radius) * (FT if g.uomDimensions == "FT" else 1.0)
            else:
                geom = Geometry.parse(hp)
                radius_m = None
                if geom.type not in ("Polygon", "MultiPolygon"):
                    raise GeometryError(("type",), f"expected Polygon or Circle, got {geom.type}")
        except GeometryError as exc:
            raise ModelError.single(
                file, format_path((*gw, "horizontalProjection", *exc.path), doc), exc.message
            ) from None
        try:
            floor = _limit(
                g.lowerLimit, g.uomDimensions, g.lowerVerticalReference, "lowerLimit", gw
            )
            ceiling = _limit(
                g.upperLimit, g.uomDimensions, g.upperVerticalReference, "upperLimit", gw
            )
            vols.append(
                ZoneVolume(
                    geometry=geom,
                    radius=radius_m,
                    floor=floor or Altitude(value=0.0, datum=Datum.AGL),
                    ceiling=ceiling,
                )
            )
        except ValidationError as exc:
            raise ModelError(issues_from_pydantic(exc, file, gw, doc)) from None
        except ValueError as exc:
            raise ModelError.single(file, format_path(gw, doc), str(exc)) from None
    try:
        schedule, keep = _schedules(ez)
    except ValidationError as exc:
        raise ModelError(issues_from_pydantic(exc, file, (*where, "applicability"), doc)) from None
    except ValueError as exc:
        raise ModelError.single(
            file, format_path((*where, "applicability"), doc), str(exc)
        ) from None
    auths = (
        ez.zoneAuthority
        if isinstance(ez.zoneAuthority, list)
        else ([ez.zoneAuthority] if ez.zoneAuthority else [])
    )
    conds = ez.restrictionConditions
    extended = dict(ez.extendedProperties or {})
    if keep is not None:
        extended[ORIGINAL_APPLICABILITY] = keep
    try:
        return Zone(
            id=ez.identifier,
            name=ez.name or "",
            kind=KIND_OF_RESTRICTION[ez.restriction],
            restriction=ez.restriction,
            volumes=tuple(vols),
            schedule=schedule,
            rules=ZoneRules(),
            message=ez.message or "",
            reason=tuple(ez.reason),
            other_reason=ez.otherReasonInfo or "",
            country=ez.country,
            zone_type=ez.type,
            region=ez.region,
            u_space_class=ez.uSpaceClass or "",
            regulation_exemption=None
            if ez.regulationExemption is None
            else ez.regulationExemption == "YES",
            restriction_conditions=tuple(
                conds if isinstance(conds, list) else [conds] if conds else []
            ),
            authority=tuple(
                Authority(
                    name=a.name or "",
                    service=a.service or "",
                    email=a.email or "",
                    contact_name=a.contactName or "",
                    site_url=a.siteURL or "",
                    phone=a.phone or "",
                    purpose=a.purpose or "",
                    interval_before=a.intervalBefore or "",
                )
                for a in auths
            ),
            extended_properties=extended,
        )
    except ValidationError as exc:
        raise ModelError(issues_from_pydantic(exc, file, where, doc)) from None


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def _iso(t: dt.datetime | None) -> str | None:
    return None if t is None else t.isoformat()


def to_ed269(zones: ZoneSet, created_at: dt.datetime | None = None) -> dict[str, Any]:
    """Write a zone set as a published-form ED-269 document (limits in metres).

    Args:
        zones: the zone set.
        created_at: the ``createdAt`` stamp; by default the one the source file had, if any.
    """
    source = dict(zones.header.source.get("ed269", {}))
    out_zones = []
    for z in zones.zones:
        ext = dict(z.extended_properties)
        original = ext.pop(ORIGINAL_APPLICABILITY, None)
        if original is not None:
            applicability = original
        else:
            applicability = []
            for s in z.schedule:
                tz_off = _offset_of(s.time_zone)
                applicability.append(
                    {
                        "permanent": "YES" if s.permanent else "NO",
                        "startDateTime": _iso(s.start),
                        "endDateTime": _iso(s.end),
                        "dailyPeriod": [
                            {
                                "day": [d.value for d in w.days],
                                "startTime": _clock(w.start) + tz_off,
                                "endTime": _clock(w.end) + tz_off,
                            }
                            for w in s.weekly
                        ],
                    }
                )
        geometry = []
        for v in z.volumes:
            if v.is_circle:
                hp: dict[str, Any] = {
                    "type": "Circle",
                    "center": list(v.geometry.coordinates),
                    "radius": v.radius,
                }
            else:
                hp = v.geometry.to_geojson()
            geometry.append(
                {
                    "uomDimensions": "M",
                    "lowerLimit": v.floor.value,
                    "lowerVerticalReference": v.floor.datum.value,
                    "upperLimit": None if v.ceiling is None else v.ceiling.value,
                    "upperVerticalReference": (v.ceiling or v.floor).datum.value,
                    "horizontalProjection": hp,
                }
            )
        out_zones.append(
            {
                "identifier": z.id,
                "country": z.country,
                "name": z.name,
                "type": z.zone_type,
                "restriction": z.restriction.value,
                "restrictionConditions": list(z.restriction_conditions),
                "region": z.region,
                "reason": list(z.reason),
                "otherReasonInfo": z.other_reason or None,
                "regulationExemption": None
                if z.regulation_exemption is None
                else ("YES" if z.regulation_exemption else "NO"),
                "uSpaceClass": z.u_space_class or None,
                "message": z.message or None,
                "zoneAuthority": [
                    {
                        "name": a.name,
                        "service": a.service,
                        "email": a.email,
                        "contactName": a.contact_name,
                        "siteURL": a.site_url,
                        "phone": a.phone,
                        "purpose": a.purpose or None,
                        "intervalBefore": a.interval_before or None,
                    }
                    for a in z.authority
                ],
                "applicability": applicability,
                "geometry": geometry,
                "extendedProperties": ext,
            }
        )
    doc: dict[str, Any] = {"formatVersion": source.get("formatVersion", "1.0.0")}
    stamp = created_at.isoformat() if created_at else source.get("createdAt")
    if stamp:
        doc["createdAt"] = stamp
    doc["UASZoneList"] = out_zones
    return doc


def _offset_of(time_zone: str | None) -> str:
    if time_zone in (None, "UTC"):
        return "Z"
    if time_zone.startswith("Etc/GMT"):
        h = -int(time_zone[7:] or 0)
        return f"{'+' if h >= 0 else '-'}{abs(h):02d}:00"
    raise ValueError(
        f"ED-269 daily periods are UTC or fixed offsets; {time_zone} has DST or varies"
    )
