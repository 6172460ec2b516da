"""Recognise and load any testzone input file: scenario, permit file, map or zone file."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from sim.model.bundle import ScenarioBundle, load_scenario, parse_permit_file
from sim.model.ed269 import is_ed269, parse_ed269
from sim.model.errors import ModelError
from sim.model.files import display_name, read_json, read_toml
from sim.model.map import Map
from sim.model.map_file import parse_map
from sim.model.permit import PermitFile
from sim.model.zone import ZoneSet
from sim.model.zone_file import parse_zones

FileKind = Literal["scenario", "permits", "map", "zones"]


@dataclass(frozen=True)
class LoadedFile:
    """A validated input file and what it is."""

    path: Path
    kind: FileKind
    content: ScenarioBundle | PermitFile | Map | ZoneSet


def load_file(path: Path) -> LoadedFile:
    """Load and validate a file of any supported kind, told apart by suffix and content.

    Raises:
        ModelError: the file is unreadable, of an unknown kind, or invalid.
    """
    name = display_name(path)
    suffix = path.suffix.lower()
    if suffix == ".toml":
        doc = read_toml(path)
        if "permit" in doc and not ({"start", "map", "agent"} & set(doc)):
            return LoadedFile(path, "permits", parse_permit_file(doc, name))
        return LoadedFile(path, "scenario", load_scenario(path))
    if suffix in (".geojson", ".json"):
        doc = read_json(path)
        fmt = _format_of(doc)
        if fmt == "testzone-map":
            return LoadedFile(path, "map", parse_map(doc, name))
        if fmt == "testzone-zones":
            return LoadedFile(path, "zones", parse_zones(doc, name))
        if is_ed269(doc):
            return LoadedFile(path, "zones", parse_ed269(doc, name))
        raise ModelError.single(
            name,
            "testzone.format",
            "cannot tell what this file is: expected a GeoJSON FeatureCollection with "
            '"testzone": {"format": "testzone-map"} or {"format": "testzone-zones"}, '
            'or ED-269 zone data ("UASZoneList")' + (f" (got {fmt!r})" if fmt is not None else ""),
        )
    raise ModelError.single(
        name,
        "",
        f"unsupported file type {suffix or '(none)'!r}: expected a scenario or permit "
        "file (.toml), or a map or zone file (.geojson/.json)",
    )


def _format_of(doc: Any) -> Any:
    if isinstance(doc, dict) and isinstance(doc.get("testzone"), dict):
        return doc["testzone"].get("format")
    return None
