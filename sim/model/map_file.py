"""Reading and cross-checking map files (see :mod:`sim.model.map` for the format)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from sim.model.errors import Issue, ModelError, did_you_mean, format_path
from sim.model.features import read_collection
from sim.model.files import display_name, read_json
from sim.model.map import (
    FEATURE_SCHEMAS,
    REVERSE_SUFFIX,
    Corridor,
    Crs,
    Direction,
    Edge,
    Element,
    Junction,
    Map,
    MapHeader,
    Node,
    Origin,
    approx_distance,
    schema_geometry_types,
)

ENDPOINT_TOLERANCE = 5.0
"""Largest distance (m) between an edge's end and its node's position."""
MAX_EXTENT = 200_000.0
"""Largest distance (m) of any position from the map origin: beyond it, a file is absurd."""


def _select(props: Mapping[str, Any]) -> tuple[type[BaseModel] | None, str, str]:
    layer, kind = props.get("layer"), props.get("kind")
    layers = sorted({lay for lay, _ in FEATURE_SCHEMAS})
    if layer not in layers:
        return None, "layer", f"expected one of {', '.join(layers)} (got {layer!r})"
    schema = FEATURE_SCHEMAS.get((str(layer), str(kind)))
    if schema is None:
        kinds = sorted(k for lay, k in FEATURE_SCHEMAS if lay == layer)
        article = "an" if str(layer)[0] in "aeiou" else "a"
        return (
            None,
            "kind",
            f"{article} {layer} feature is one of {', '.join(kinds)} (got {kind!r})",
        )
    return schema, "", ""


def load_map(path: Path) -> Map:
    """Read, validate and cross-check a map file.

    Raises:
        ModelError: listing every problem found.
    """
    return parse_map(read_json(path), display_name(path))


def parse_map(doc: Any, file: str) -> Map:
    """Validate a parsed map document (see :func:`load_map`)."""
    issues: list[Issue] = []
    failed: set[Any] = set()
    header, found = read_collection(
        doc, file, MapHeader, _select, schema_geometry_types, issues, failed=failed
    )
    elements: list[tuple[int, Element]] = [(i, e) for i, e in found if isinstance(e, Element)]
    if header is not None:
        issues.extend(_cross_check(doc, file, header, elements, failed))
    if issues:
        raise ModelError(issues)
    assert header is not None
    return Map(header=header, elements=tuple(e for _, e in elements), source=file)


def _cross_check(
    doc: Any, file: str, header: MapHeader, elements: list[tuple[int, Element]], failed: set[Any]
) -> Iterable[Issue]:
    """References between features; stays quiet about ids of features that failed already."""

    def where(i: int, *rest: str | int) -> str:
        return format_path(("features", i, *rest), doc)

    first: dict[str, int] = {}
    duplicated: set[str] = set()
    for i, e in elements:
        ids = [e.id]
        if isinstance(e, Edge) and e.direction is Direction.BOTH:
            ids.append(e.id + REVERSE_SUFFIX)
        for ident in ids:
            if ident in first:
                duplicated.add(ident)
                yield Issue(
                    file,
                    where(i, "properties", "id"),
                    f"duplicate id {ident!r} (also features[{first[ident]}])",
                )
            else:
                first[ident] = i

    yield from _check_extent(file, header, elements, where)

    nodes: dict[str, tuple[int, Node]] = {e.id: (i, e) for i, e in elements if isinstance(e, Node)}
    incoming: dict[str, set[str]] = {}
    for i, e in elements:
        if not isinstance(e, Edge):
            continue
        layer: str = e.layer  # type: ignore[attr-defined]
        last = len(e.geometry.coordinates) - 1
        for field, ref, end in (("from", e.from_, 0), ("to", e.to, last)):
            if ref in failed or ref in duplicated:
                continue
            hit = nodes.get(ref)
            if hit is None or hit[1].layer != layer:  # type: ignore[attr-defined]
                names = [n for n, (_, node) in nodes.items() if node.layer == layer]  # type: ignore[attr-defined]
                yield Issue(
                    file,
                    where(i, "properties", field),
                    f"unknown {layer} node {ref!r}{did_you_mean(ref, names)}",
                )
                continue
            pos = hit[1].position
            gap = approx_distance(header.crs, e.geometry.coordinates[end], pos)
            if gap > ENDPOINT_TOLERANCE:
                yield Issue(
                    file,
                    where(i, "geometry", "coordinates", end),
                    f"line {'starts' if end == 0 else 'ends'} {gap:.1f} m from its "
                    f"{field!r} node {ref!r} (expected within {ENDPOINT_TOLERANCE:g} m)",
                )
        incoming.setdefault(e.to, set()).add(e.id)
        if e.direction is Direction.BOTH:
            incoming.setdefault(e.from_, set()).add(e.id + REVERSE_SUFFIX)
        if isinstance(e, Corridor):
            lo, hi = (
                _metres_amsl(header, e.floor.value, e.floor.datum.value),
                _metres_amsl(header, e.ceiling.value, e.ceiling.datum.value),
            )
            if lo is not None and hi is not None and lo >= hi:
                yield Issue(
                    file,
                    where(i, "properties", "floor"),
                    f"floor {e.floor} is not below ceiling {e.ceiling}",
                )

    for i, e in elements:
        if isinstance(e, Junction) and e.signal is not None:
            into = incoming.get(e.id, set())
            for p, phase in enumerate(e.signal.phases):
                for g, edge_id in enumerate(phase.green):
                    base = edge_id.removesuffix(REVERSE_SUFFIX)
                    if edge_id not in into and base not in failed and base not in duplicated:
                        yield Issue(
                            file,
                            where(i, "properties", "signal", "phases", p, "green", g),
                            f"{edge_id!r} is not a road edge entering junction {e.id!r}"
                            f" (entering: {', '.join(sorted(into)) or 'none'})",
                        )


def _metres_amsl(header: MapHeader, value: float, datum: str) -> float | None:
    if datum == "AMSL":
        return value
    if datum == "AGL":
        return value + header.ground_elevation
    return None


def _check_extent(
    file: str, header: MapHeader, elements: list[tuple[int, Element]], where: Any
) -> Iterable[Issue]:
    origin = header.origin
    for i, e in elements:
        for pos in e.geometry.positions():
            msg = position_problem(header.crs, origin, pos)
            if msg:
                yield Issue(file, where(i, "geometry", "coordinates"), msg)
                break


def position_problem(crs: Crs, origin: Origin | None, pos: tuple[float, ...]) -> str | None:
    """Why a position is absurd for a test-zone file, or ``None`` if it is fine."""
    if crs is Crs.WGS84:
        lon, lat = pos[0], pos[1]
        if not (-180.0 <= lon <= 180.0 and -90.0 <= lat <= 90.0):
            tip = ""
            if -90.0 <= lon <= 90.0 and -180.0 <= lat <= 180.0:
                tip = "; longitude and latitude look swapped (GeoJSON order is [lon, lat])"
            return f"position {list(pos)} is not a lon/lat pair (lon -180..180, lat -90..90){tip}"
        if origin is None:
            return None
        d = approx_distance(crs, (origin.lon, origin.lat), (lon, lat))
        if d > MAX_EXTENT:
            swapped = approx_distance(crs, (origin.lon, origin.lat), (lat, lon)) < MAX_EXTENT
            tip = (
                "; longitude and latitude look swapped (GeoJSON order is [lon, lat])"
                if swapped
                else ""
            )
            return (
                f"position {list(pos)} is {d / 1000:.0f} km from the origin "
                f"(at most {MAX_EXTENT / 1000:.0f} km expected){tip}"
            )
        return None
    if max(abs(pos[0]), abs(pos[1])) > MAX_EXTENT:
        return (
            f"position {list(pos)} is farther than {MAX_EXTENT / 1000:.0f} km from the local "
            "origin; is this file in lon/lat (crs 'wgs84')?"
        )
    return None
