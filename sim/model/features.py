"""Shared reading of GeoJSON FeatureCollections whose features carry typed properties.

Both map files and zone files are FeatureCollections that a GIS opens as they are. The
``testzone`` foreign member at the top holds the header (format, crs, origin ...). Each
feature's ``properties`` is validated by the schema that its ``layer``/``kind`` selects; the
geometry is injected as the ``geometry`` field. All problems are collected, not just the first.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from sim.model.errors import Issue, format_path, issues_from_pydantic
from sim.model.geometry import Geometry, GeometryError

H = TypeVar("H", bound=BaseModel)

Selector = Callable[[Mapping[str, Any]], "tuple[type[BaseModel] | None, str, str]"]
"""Picks the schema for a feature's properties; returns (schema, or None with the offending
property name and a message)."""


def read_collection(
    doc: Any,
    file: str,
    header_schema: type[H],
    select: Selector,
    geometry_types: Callable[[type[BaseModel]], tuple[str, ...]],
    issues: list[Issue],
    header_defaults: Mapping[str, Any] | None = None,
    failed: set[Any] | None = None,
) -> tuple[H | None, list[tuple[int, BaseModel]]]:
    """Validate a FeatureCollection document.

    Args:
        doc: the parsed JSON document.
        file: the file name used in messages.
        header_schema: schema of the ``testzone`` header member.
        select: picks the properties schema of a feature.
        geometry_types: the geometry types a schema accepts.
        issues: list that receives every problem found.
        header_defaults: values used for header fields the file leaves out.
        failed: set that receives the ids of features that failed validation, so that
            cross-checks can stay quiet about references to them.

    Returns:
        The header (``None`` if invalid) and ``(feature index, element)`` pairs.
    """
    if not isinstance(doc, dict):
        issues.append(Issue(file, "", f"expected a GeoJSON object, got {type(doc).__name__}"))
        return None, []
    if doc.get("type") != "FeatureCollection":
        issues.append(Issue(file, "type", f"expected 'FeatureCollection', got {doc.get('type')!r}"))
        return None, []
    unknown = set(doc) - {"type", "features", "testzone", "bbox", "name", "crs"}
    for key in sorted(unknown):
        issues.append(
            Issue(file, key, "unknown top-level member (expected type, features, testzone)")
        )
    failed = failed if failed is not None else set()
    header_raw = dict(header_defaults or {})
    raw = doc.get("testzone", {})
    if not isinstance(raw, dict):
        issues.append(Issue(file, "testzone", "expected an object with the file header"))
        raw = {}
    header_raw.update(raw)
    header: H | None = None
    try:
        header = header_schema.model_validate(header_raw)
    except ValidationError as exc:
        issues.extend(issues_from_pydantic(exc, file, ("testzone",), doc))
    features = doc.get("features")
    if not isinstance(features, list):
        issues.append(Issue(file, "features", "expected a list of features"))
        return header, []
    out: list[tuple[int, BaseModel]] = []
    for i, feat in enumerate(features):
        where: tuple[str | int, ...] = ("features", i)
        if not isinstance(feat, dict):
            issues.append(Issue(file, format_path(where, doc), "expected a GeoJSON Feature object"))
            continue
        if feat.get("type") != "Feature":
            issues.append(
                Issue(
                    file,
                    format_path((*where, "type"), doc),
                    f"expected 'Feature', got {feat.get('type')!r}",
                )
            )
            continue
        for key in sorted(set(feat) - {"type", "id", "geometry", "properties", "bbox"}):
            issues.append(Issue(file, format_path((*where, key), doc), "unknown Feature member"))
        props = feat.get("properties")
        if not isinstance(props, dict):
            issues.append(
                Issue(
                    file,
                    format_path((*where, "properties"), doc),
                    "expected an object of properties",
                )
            )
            continue
        if "id" in feat and "id" in props and feat["id"] != props["id"]:
            issues.append(
                Issue(
                    file, format_path((*where, "id"), doc), "Feature id differs from properties.id"
                )
            )
        ident = props.get("id", feat.get("id"))
        ident = ident if isinstance(ident, str) else None
        schema, key, why = select(props)
        if schema is None:
            failed.add(ident)
            issues.append(Issue(file, format_path((*where, "properties", key), doc), why))
            continue
        try:
            geom = Geometry.parse(feat.get("geometry"))
        except GeometryError as exc:
            failed.add(ident)
            issues.append(
                Issue(file, format_path((*where, "geometry", *exc.path), doc), exc.message)
            )
            continue
        allowed = geometry_types(schema)
        if geom.type not in allowed:
            failed.add(ident)
            issues.append(
                Issue(
                    file,
                    format_path((*where, "geometry", "type"), doc),
                    f"a {props.get('kind')} needs a {' or '.join(allowed)} geometry, "
                    f"got {geom.type}",
                )
            )
            continue
        data = dict(props)
        if "id" not in data and isinstance(feat.get("id"), str):
            data["id"] = feat["id"]
        data["geometry"] = geom
        try:
            out.append((i, schema.model_validate(data)))
        except ValidationError as exc:
            failed.add(ident)
            issues.extend(issues_from_pydantic(exc, file, (*where, "properties"), doc))
    return header, out
