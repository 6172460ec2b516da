"""Reading and cross-checking zone files (see :mod:`sim.model.zone` for the format)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sim.model.errors import Issue, ModelError, format_path
from sim.model.features import read_collection
from sim.model.files import display_name, read_json
from sim.model.map import Crs, Origin
from sim.model.map_file import position_problem
from sim.model.zone import (
    REQUIRED_RESTRICTION,
    Restriction,
    Zone,
    ZoneFeature,
    ZoneFileHeader,
    ZoneSet,
    ZoneVolume,
)

_VOLUME_FIELDS = ("geometry", "radius", "floor", "ceiling")


def _select(props: Mapping[str, Any]) -> tuple[type[BaseModel] | None, str, str]:
    return ZoneFeature, "", ""


def _geometry_types(schema: type[BaseModel]) -> tuple[str, ...]:
    return ZoneFeature.geometry_types


def load_zones(path: Path) -> ZoneSet:
    """Read, validate and cross-check a zone file.

    Raises:
        ModelError: listing every problem found.
    """
    return parse_zones(read_json(path), display_name(path))


def _with_time_zone(doc: Any) -> Any:
    """Copy of ``doc`` with the header's time zone filled into schedules that have none."""
    if not isinstance(doc, dict) or not isinstance(doc.get("testzone"), dict):
        return doc
    tz = doc["testzone"].get("time_zone")
    if not isinstance(tz, str) or not isinstance(doc.get("features"), list):
        return doc
    out = copy.deepcopy(doc)
    for feat in out["features"]:
        props = feat.get("properties") if isinstance(feat, dict) else None
        sched = props.get("schedule") if isinstance(props, dict) else None
        entries = [sched] if isinstance(sched, dict) else sched if isinstance(sched, list) else []
        for entry in entries:
            if isinstance(entry, dict) and "time_zone" not in entry and entry.get("weekly"):
                entry["time_zone"] = tz
    return out


def parse_zones(doc: Any, file: str) -> ZoneSet:
    """Validate a parsed zone document (see :func:`load_zones`)."""
    issues: list[Issue] = []
    filled = _with_time_zone(doc)
    header, found = read_collection(filled, file, ZoneFileHeader, _select, _geometry_types, issues)
    feats = [(i, f) for i, f in found if isinstance(f, ZoneFeature)]
    zones: list[Zone] = []
    groups: dict[str, list[tuple[int, ZoneFeature]]] = {}
    for i, f in feats:
        groups.setdefault(f.id, []).append((i, f))
    for zone_id, members in groups.items():
        i0, f0 = members[0]
        ok = True
        for i, f in members[1:]:
            for name in ZoneFeature.zone_fields:
                if name in (f.model_fields_set | f0.model_fields_set) and getattr(
                    f, name
                ) != getattr(f0, name):
                    issues.append(
                        Issue(
                            file,
                            format_path(("features", i, "properties", name), doc),
                            f"differs from features[{i0}], another volume of zone "
                            f"{zone_id!r}; zone-level properties must agree",
                        )
                    )
                    ok = False
        if not ok:
            continue
        zone_data = {name: getattr(f0, name) for name in ZoneFeature.zone_fields}
        if zone_data["restriction"] is None:
            zone_data["restriction"] = REQUIRED_RESTRICTION.get(f0.kind, Restriction.NO_RESTRICTION)
        volumes = tuple(
            ZoneVolume(**{name: getattr(f, name) for name in _VOLUME_FIELDS}) for _, f in members
        )
        zones.append(Zone(id=zone_id, volumes=volumes, **zone_data))
    if header is not None:
        for i, f in feats:
            origin = header.origin
            if header.crs is Crs.WGS84:
                lon0, lat0 = f.geometry.positions()[0][:2]
                ok = -180.0 <= lon0 <= 180.0 and -85.0 <= lat0 <= 85.0
                origin = Origin(lon=lon0, lat=lat0) if ok else None
            for pos in f.geometry.positions():
                msg = position_problem(header.crs, origin, pos)
                if msg:
                    issues.append(
                        Issue(
                            file, format_path(("features", i, "geometry", "coordinates"), doc), msg
                        )
                    )
                    break
    if issues:
        raise ModelError(issues)
    assert header is not None
    return ZoneSet(header=header, zones=tuple(zones), source=file)


def load_zone_file(path: Path) -> ZoneSet:
    """Read a zone file: testzone zones GeoJSON, or ED-269 JSON used directly."""
    from sim.model.ed269 import is_ed269, parse_ed269

    doc = read_json(path)
    if is_ed269(doc):
        return parse_ed269(doc, display_name(path))
    return parse_zones(doc, display_name(path))


def zones_to_geojson(zones: ZoneSet) -> dict[str, Any]:
    """Write a zone set as a testzone zone file (GeoJSON; one feature per volume).

    ``parse_zones(zones_to_geojson(z), ...)`` gives back the same zones.
    """
    header = zones.header.model_dump(mode="json", exclude_none=True, exclude_defaults=False)
    header["format"] = "testzone-zones"
    features = []
    for z in zones.zones:
        zone_props = z.model_dump(
            mode="json", exclude={"id", "volumes", "kind", "name"}, exclude_defaults=True
        )
        zone_props["schedule"] = [
            s.model_dump(mode="json", exclude_defaults=True) for s in z.schedule
        ]
        for s in zone_props["schedule"]:
            for w in s.get("weekly", []):
                w["start"], w["end"] = _clock(w["start"]), _clock(w["end"])
        zone_props["restriction"] = z.restriction.value
        for v in z.volumes:
            props: dict[str, Any] = {"id": z.id, "name": z.name, "kind": z.kind.value, **zone_props}
            props["floor"] = v.floor.model_dump(mode="json")
            if v.ceiling is not None:
                props["ceiling"] = v.ceiling.model_dump(mode="json")
            if v.radius is not None:
                props["radius"] = v.radius
            features.append(
                {"type": "Feature", "geometry": v.geometry.to_geojson(), "properties": props}
            )
    return {"type": "FeatureCollection", "testzone": header, "features": features}


def _clock(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"
