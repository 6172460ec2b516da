"""Import ASTM F3548 operational intents (InterUSS flight-intent collections) as UAV flights.

:func:`read_intents` reads the file as data (the ``json`` module; nothing is evaluated) and
resolves every intent; :func:`import_f3548` turns the chosen ones into a
:class:`~sim.importers.uav_bundle.UavImport`. Accepted inputs:

- an InterUSS ``FlightIntentCollection``: ``{"intents": {NAME: {"full": REQUEST} | {"delta":
  {"source": NAME, "mutation": {...}}}}}``, where a request holds ``request.operational_intent``
  and optionally ``request.flight_authorisation``;
- one F3548 ``OperationalIntent`` (``{"reference": {...}, "details": {...}}``), bare or as
  ``{"operational_intent": ...}`` (the USS-to-USS details response).

**Deltas.** A ``delta`` intent is its ``source`` intent (resolved first, recursively) with the
``mutation`` applied as InterUSS applies overrides: objects merge key by key (a key written
``+key`` replaces instead of merging), lists merge item by item (extra items are appended,
missing ones kept), anything else replaces. An unknown source or a cycle is an error.

**Volumes.** Each ``Volume4D`` needs an ``outline_polygon`` (``vertices`` of ``{lat, lng}``) or
an ``outline_circle`` (``center``, ``radius`` in ``M`` or ``FT``), ``altitude_lower`` and
``altitude_upper`` (reference ``W84``; ``M`` or ``FT``) and ``time_start`` and ``time_end``
(RFC 3339). They are kept as declared intent volumes of the agent (``AgentSpec.volumes``),
which the permit checker deconflicts as they are. InterUSS's ``reference_time`` (from which
the test harness shifts the times) is not applied: times are used as written.

**Flights.** By default every intent that is not a delta (the first plan of each flight)
becomes an agent, in file order; ``intents`` chooses others, in the order given (for equal
priorities and departures, the earlier stands for the one planned first). Each agent flies a
route through its volumes: in each volume a straight leg along the outline's long axis
(inside the outline, from near one end to near the other; across a circle from west to east),
joined from volume to volume, starting and ending at vertiports; each leg a corridor of the
volume's band and width. The agent departs at the start of its first volume, at its type's
cruise speed, at the middle of the band when all its volumes share one band. States are
kept (``intent_state``): Nonconforming and Contingent intents are not deconflicted, and
their ``off_nominal_volumes`` are reported but not written. ``priority`` is kept; the
``flight_authorisation`` gives the permit's operator (``operator_id``), registration
(``uas_serial_number``) and ``bvlos`` (``operation_mode``).

**Heights.** W84 heights are used as metres AMSL (testzone has no geoid model; near Bern the
geoid lies about 50 m above the ellipsoid). The files carry no terrain, so the map's ground is
at the lowest floor of the imported volumes unless ``ground_elevation`` is given.

Problems raise :class:`~sim.model.errors.ModelError` naming the element, e.g.
``intents.flight_1.full.request.operational_intent.volumes[0].time_end: missing``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from shapely.validation import explain_validity

from sim.geo.projection import LocalProjection
from sim.importers.json_words import json_kind, short_repr
from sim.importers.uav_bundle import AirLeg, AirNode, Flight, UavImport, identifier
from sim.model.errors import Issue, ModelError, did_you_mean
from sim.model.files import display_name, read_json
from sim.model.vehicle import UavType

STATES = ("Accepted", "Activated", "Nonconforming", "Contingent")
"""F3548 states of an operational intent that a flight plan can be in."""
DECONFLICTED = ("Accepted", "Activated")
FEET = 0.3048
"""Metres per foot."""
UNITS = {"M": 1.0, "FT": FEET}
SAME_PLACE = 1.0
"""Distance (m) under which two route points are one node."""


@dataclass(frozen=True)
class Volume:
    """One F3548 ``Volume4D``: outline (lon/lat deg), band (m W84), window (aware instants)."""

    where: str
    ring: tuple[tuple[float, float], ...] | None
    center: tuple[float, float] | None
    radius: float | None
    floor: float
    ceiling: float
    start: dt.datetime
    end: dt.datetime


@dataclass(frozen=True)
class Intent:
    """A resolved intent of the file.

    Attributes:
        name: its key in the collection (``operational_intent`` for a single intent).
        source: the intent its delta applies to (``None`` for a full one); ``root``: the full
            intent at the start of its delta chain (the flight it is a version of).
        state, priority: as declared (priority 0 when absent).
        volumes, off_nominal: the nominal and off-nominal volumes.
        operator, serial, mode, uas_class: from ``flight_authorisation`` ("" when absent).
    """

    name: str
    source: str | None
    root: str
    state: str
    priority: int
    volumes: tuple[Volume, ...]
    off_nominal: tuple[Volume, ...]
    operator: str = ""
    serial: str = ""
    mode: str = ""
    uas_class: str = ""


@dataclass(frozen=True)
class F3548Options:
    """Choices the file does not make.

    Attributes:
        vtype: the vehicle type flown.
        intents: the intents that become agents, in order (``None``: every full intent).
        ground_elevation: the map's ground (m, W84 taken as AMSL); ``None``: the lowest
            floor of the imported volumes.
    """

    vtype: UavType
    intents: tuple[str, ...] | None = None
    ground_elevation: float | None = None


def apply_mutation(base: Any, mutation: Any, where: str) -> Any:
    """``base`` with an InterUSS override ``mutation`` applied (see the module docstring).

    Raises:
        ValueError: an object is merged into something that is not one (``where`` names it).
    """
    if base is None:
        return mutation
    if isinstance(mutation, list):
        if not isinstance(base, list):
            return mutation
        merged = []
        for i in range(max(len(base), len(mutation))):
            if i >= len(base):
                merged.append(mutation[i])
            elif i >= len(mutation):
                merged.append(base[i])
            else:
                merged.append(apply_mutation(base[i], mutation[i], f"{where}[{i}]"))
        return merged
    if isinstance(mutation, dict):
        if not isinstance(base, dict):
            raise ValueError(f"{where}: cannot merge an object into {json_kind(base)}")
        out = dict(base)
        for key, value in mutation.items():
            replace = key.startswith("+")
            name = key[1:] if replace else key
            if not replace and out.get(name) is not None:
                out[name] = apply_mutation(out[name], value, f"{where}.{name}")
            else:
                out[name] = value
        return out
    return mutation


class _Reader:
    """Resolves and checks the intents of one document, collecting every problem."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.issues: list[Issue] = []

    def fail(self, path: str, message: str) -> None:
        self.issues.append(Issue(self.file, path, message))

    def stop(self) -> None:
        if self.issues:
            raise ModelError(self.issues)


def read_intents(path: Path) -> list[Intent]:
    """Every intent of an F3548 / InterUSS file, resolved, in file order.

    Raises:
        ModelError: naming the element of every problem found.
    """
    file = display_name(path)
    doc = read_json(path)
    r = _Reader(file)
    if not isinstance(doc, dict):
        raise ModelError.single(file, "", f"expected a JSON object, got {json_kind(doc)}")
    if "intents" in doc:
        out = _collection(r, doc)
    elif "operational_intent" in doc or ("reference" in doc and "details" in doc):
        oi = doc.get("operational_intent", doc)
        prefix = "operational_intent" if "operational_intent" in doc else ""
        out = [_single(r, oi, prefix)]
    else:
        raise ModelError.single(
            file,
            "",
            "not an F3548 file: expected an InterUSS flight-intent collection "
            '({"intents": ...}) or an operational intent ({"reference", "details"})',
        )
    r.stop()
    return [i for i in out if i is not None]


def _collection(r: _Reader, doc: dict[str, Any]) -> list[Intent | None]:
    extra = sorted(set(doc) - {"intents"})
    if extra:
        r.fail(extra[0], "not supported (only 'intents' is read; transformations are not applied)")
    intents = doc["intents"]
    if not isinstance(intents, dict) or not intents:
        raise ModelError.single(
            r.file, "intents", f"expected an object of named intents, got {json_kind(intents)}"
        )
    resolved: dict[str, tuple[Any, str | None, str]] = {}

    failed: set[str] = set()

    def resolve(name: str, stack: tuple[str, ...]) -> tuple[Any, str | None, str] | None:
        if name in resolved:
            return resolved[name]
        if name in failed:
            return None
        got = _resolve(name, stack)
        if got is None:
            failed.add(name)
        return got

    def _resolve(name: str, stack: tuple[str, ...]) -> tuple[Any, str | None, str] | None:
        where = f"intents.{name}"
        entry = intents[name]
        if not isinstance(entry, dict) or len(set(entry) & {"full", "delta"}) != 1:
            r.fail(where, "expected an object with either 'full' or 'delta'")
            return None
        for key in sorted(set(entry) - {"full", "delta"}):
            r.fail(f"{where}.{key}", "unknown member (expected 'full' or 'delta')")
        if "full" in entry:
            resolved[name] = (entry["full"], None, name)
            return resolved[name]
        delta = entry["delta"]
        if not isinstance(delta, dict) or not isinstance(delta.get("source"), str):
            r.fail(f"{where}.delta.source", "expected the name of the intent the delta applies to")
            return None
        source = delta["source"]
        if source not in intents:
            r.fail(
                f"{where}.delta.source",
                f"unknown intent {source!r}{did_you_mean(source, intents)}",
            )
            return None
        if source in (*stack, name):
            path = (*stack, name, source)
            cycle = path[path.index(source) :]
            r.fail(f"{where}.delta.source", f"the deltas form a cycle: {' -> '.join(cycle)}")
            failed.update(cycle)
            return None
        base = resolve(source, (*stack, name))
        if base is None:
            return None
        mutation = delta.get("mutation", {})
        if not isinstance(mutation, dict):
            r.fail(f"{where}.delta.mutation", f"expected an object, got {json_kind(mutation)}")
            return None
        try:
            merged = apply_mutation(base[0], mutation, f"{where}.delta.mutation")
        except ValueError as exc:
            r.fail(f"{where}.delta.mutation", str(exc))
            return None
        resolved[name] = (merged, source, base[2])
        return resolved[name]

    out: list[Intent | None] = []
    for name in intents:
        got = resolve(name, ())
        if got is None:
            out.append(None)
            continue
        body, source, root = got
        where = f"intents.{name}" + (".full" if source is None else "")
        suffix = "" if source is None else f" (after applying the delta to {source!r})"
        if not isinstance(body, dict) or not isinstance(body.get("request"), dict):
            r.fail(f"{where}.request", f"expected the injection request object{suffix}")
            out.append(None)
            continue
        req = body["request"]
        oi = req.get("operational_intent")
        intent = _details(r, name, source, root, oi, f"{where}.request.operational_intent", suffix)
        if intent is not None:
            intent = _authorisation(r, intent, req.get("flight_authorisation"), where, suffix)
        out.append(intent)
    return out


def _single(r: _Reader, oi: Any, prefix: str) -> Intent | None:
    if not isinstance(oi, dict):
        raise ModelError.single(r.file, prefix, f"expected an object, got {json_kind(oi)}")
    ref = oi.get("reference") if isinstance(oi.get("reference"), dict) else {}
    details = oi.get("details")
    where = f"{prefix}.details" if prefix else "details"
    if not isinstance(details, dict):
        raise ModelError.single(r.file, where, f"expected an object, got {json_kind(details)}")
    merged = dict(details)
    merged.setdefault("state", ref.get("state"))
    name = ref.get("id") if isinstance(ref.get("id"), str) else "operational_intent"
    intent = _details(r, name, None, name, merged, where, "")
    if intent is not None and isinstance(ref.get("manager"), str):
        intent = replace(intent, operator=ref["manager"])
    return intent


def _details(
    r: _Reader,
    name: str,
    source: str | None,
    root: str,
    oi: Any,
    where: str,
    suffix: str,
) -> Intent | None:
    """Check an operational intent's state, priority and volumes."""
    if not isinstance(oi, dict):
        r.fail(where, f"expected an operational intent object{suffix}")
        return None
    state = oi.get("state")
    ok = True
    if state not in STATES:
        r.fail(
            f"{where}.state",
            f"expected one of {', '.join(STATES)}, got {short_repr(state)}{suffix}",
        )
        ok = False
    prio = oi.get("priority", 0)
    if isinstance(prio, bool) or not isinstance(prio, int) or not 0 <= prio <= 1000:
        r.fail(f"{where}.priority", f"expected an integer 0-1000, got {short_repr(prio)}{suffix}")
        ok = False
    vols = _volumes(r, oi.get("volumes", []), f"{where}.volumes", suffix)
    off = _volumes(r, oi.get("off_nominal_volumes", []), f"{where}.off_nominal_volumes", suffix)
    if vols is None or off is None or not ok:
        return None
    if not vols and not off:
        r.fail(f"{where}.volumes", f"the intent has no volumes{suffix}")
        return None
    return Intent(name, source, root, str(state), int(prio), vols, off)


def _authorisation(r: _Reader, intent: Intent, fa: Any, where: str, suffix: str) -> Intent:
    if fa is None:
        return intent
    if not isinstance(fa, dict):
        r.fail(f"{where}.request.flight_authorisation", f"expected an object{suffix}")
        return intent
    got = {}
    for key, attr in (
        ("operator_id", "operator"),
        ("uas_serial_number", "serial"),
        ("operation_mode", "mode"),
        ("uas_class", "uas_class"),
    ):
        value = fa.get(key, "")
        if not isinstance(value, str):
            r.fail(f"{where}.request.flight_authorisation.{key}", f"expected a string{suffix}")
            continue
        got[attr] = value
    return replace(intent, **got)


def _volumes(r: _Reader, raw: Any, where: str, suffix: str) -> tuple[Volume, ...] | None:
    if not isinstance(raw, list):
        r.fail(where, f"expected a list of Volume4D, got {json_kind(raw)}{suffix}")
        return None
    out = []
    bad = False
    for i, v in enumerate(raw):
        vol = _volume(r, v, f"{where}[{i}]", suffix)
        if vol is None:
            bad = True
        else:
            out.append(vol)
    return None if bad else tuple(out)


def _volume(r: _Reader, raw: Any, where: str, suffix: str) -> Volume | None:
    n0 = len(r.issues)
    if not isinstance(raw, dict) or not isinstance(raw.get("volume"), dict):
        r.fail(f"{where}.volume", f"expected a Volume4D with a 'volume' object{suffix}")
        return None
    vol = raw["volume"]
    poly, circ = vol.get("outline_polygon"), vol.get("outline_circle")
    ring = center = radius = None
    if (poly is None) == (circ is None):
        r.fail(
            f"{where}.volume", f"expected exactly one of outline_polygon, outline_circle{suffix}"
        )
    elif poly is not None:
        ring = _ring(r, poly, f"{where}.volume.outline_polygon", suffix)
    else:
        center, radius = _circle(r, circ, f"{where}.volume.outline_circle", suffix)
    lo = _altitude(r, vol.get("altitude_lower"), f"{where}.volume.altitude_lower", suffix)
    hi = _altitude(r, vol.get("altitude_upper"), f"{where}.volume.altitude_upper", suffix)
    t0 = _time(r, raw.get("time_start"), f"{where}.time_start", suffix)
    t1 = _time(r, raw.get("time_end"), f"{where}.time_end", suffix)
    if len(r.issues) > n0:
        return None
    assert lo is not None and hi is not None and t0 is not None and t1 is not None
    if lo >= hi:
        r.fail(
            f"{where}.volume.altitude_upper",
            f"{hi:g} m is not above altitude_lower {lo:g} m{suffix}",
        )
        return None
    if t1 <= t0:
        r.fail(f"{where}.time_end", f"{t1.isoformat()} is not after time_start{suffix}")
        return None
    return Volume(where, ring, center, radius, lo, hi, t0, t1)


def _latlng(r: _Reader, raw: Any, where: str, suffix: str) -> tuple[float, float] | None:
    if not isinstance(raw, dict):
        r.fail(where, f'expected {{"lat": deg, "lng": deg}}, got {short_repr(raw)}{suffix}')
        return None
    lat, lng = raw.get("lat"), raw.get("lng")
    for key, val, lim in (("lat", lat, 90.0), ("lng", lng, 180.0)):
        if isinstance(val, bool) or not isinstance(val, (int, float)) or not math.isfinite(val):
            r.fail(f"{where}.{key}", f"expected a number, got {short_repr(val)}{suffix}")
            return None
        if abs(val) > lim:
            r.fail(f"{where}.{key}", f"{val:g} deg is out of range (+-{lim:g}){suffix}")
            return None
    return float(lng), float(lat)


def _ring(r: _Reader, poly: Any, where: str, suffix: str) -> tuple[tuple[float, float], ...] | None:
    verts = poly.get("vertices") if isinstance(poly, dict) else None
    if not isinstance(verts, list) or len(verts) < 3:
        r.fail(f"{where}.vertices", f"expected at least 3 vertices{suffix}")
        return None
    pts = []
    for j, v in enumerate(verts):
        p = _latlng(r, v, f"{where}.vertices[{j}]", suffix)
        if p is None:
            return None
        pts.append(p)
    shape = shapely.Polygon(pts)
    if not shape.is_valid or shape.area <= 0:
        why = explain_validity(shape) if not shape.is_valid else "zero area"
        r.fail(where, f"invalid polygon: {why}{suffix}")
        return None
    return tuple(pts)


def _circle(
    r: _Reader, circ: Any, where: str, suffix: str
) -> tuple[tuple[float, float] | None, float | None]:
    if not isinstance(circ, dict):
        r.fail(where, f"expected an object with center and radius{suffix}")
        return None, None
    center = _latlng(r, circ.get("center"), f"{where}.center", suffix)
    radius = _length(r, circ.get("radius"), f"{where}.radius", suffix)
    if radius is not None and not 0 < radius <= 200_000:
        r.fail(f"{where}.radius", f"{radius:g} m is not in (0, 200000] m{suffix}")
        radius = None
    return center, radius


def _length(r: _Reader, raw: Any, where: str, suffix: str) -> float | None:
    if not isinstance(raw, dict):
        r.fail(where, f'expected {{"value": number, "units": "M"}}, got {short_repr(raw)}{suffix}')
        return None
    value, units = raw.get("value"), raw.get("units", "M")
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        r.fail(f"{where}.value", f"expected a number, got {short_repr(value)}{suffix}")
        return None
    if units not in UNITS:
        r.fail(f"{where}.units", f"expected 'M' or 'FT', got {short_repr(units)}{suffix}")
        return None
    return float(value) * UNITS[units]


def _altitude(r: _Reader, raw: Any, where: str, suffix: str) -> float | None:
    if raw is None:
        r.fail(where, f"required to deconflict in 4-D, but missing{suffix}")
        return None
    value = _length(r, raw, where, suffix)
    ref = raw.get("reference", "W84") if isinstance(raw, dict) else None
    if ref != "W84":
        r.fail(
            f"{where}.reference",
            f"expected 'W84' (the only F3548 reference), got {short_repr(ref)}{suffix}",
        )
        return None
    if value is not None and not -500.0 <= value <= 100_000.0:
        r.fail(f"{where}.value", f"{value:g} m is out of range (-500 to 100000 m){suffix}")
        return None
    return value


def _time(r: _Reader, raw: Any, where: str, suffix: str) -> dt.datetime | None:
    if raw is None:
        r.fail(where, f"required to deconflict in 4-D, but missing{suffix}")
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("value"), str):
        r.fail(where, f'expected {{"value": RFC 3339 time, "format": "RFC3339"}}{suffix}')
        return None
    if raw.get("format", "RFC3339") != "RFC3339":
        r.fail(
            f"{where}.format", f"expected 'RFC3339', got {short_repr(raw.get('format'))}{suffix}"
        )
        return None
    try:
        when = dt.datetime.fromisoformat(raw["value"])
    except ValueError:
        r.fail(f"{where}.value", f"not an RFC 3339 time: {short_repr(raw['value'])}{suffix}")
        return None
    if when.tzinfo is None:
        r.fail(f"{where}.value", f"an RFC 3339 time needs an offset or Z{suffix}")
        return None
    return when


# --- flights ---------------------------------------------------------------------------------
def import_f3548(path: Path, opts: F3548Options) -> tuple[UavImport, list[Intent]]:
    """Read an F3548 / InterUSS file and build the import (see the module docstring).

    Returns:
        The import and every resolved intent of the file (for the report).

    Raises:
        ModelError: a malformed file, or an unknown intent in ``opts.intents``.
    """
    file = display_name(path)
    intents = read_intents(path)
    by_name = {i.name: i for i in intents}
    if opts.intents is None:
        chosen = [i for i in intents if i.source is None]
    else:
        issues = [
            Issue(file, "intents", f"no intent {n!r} in the file{did_you_mean(n, by_name)}")
            for n in opts.intents
            if n not in by_name
        ]
        dup = sorted({n for n in opts.intents if opts.intents.count(n) > 1})
        issues += [Issue(file, "intents", f"intent {n!r} is chosen twice") for n in dup]
        if issues:
            raise ModelError(issues)
        chosen = [by_name[n] for n in opts.intents]
    ids: dict[str, str] = {}
    for i in chosen:
        aid = identifier(i.name, "flight")
        if aid in ids:
            raise ModelError.single(
                file, f"intents.{i.name}", f"its agent id {aid!r} is also {ids[aid]!r}'s"
            )
        ids[aid] = i.name
    flown = [i.volumes or i.off_nominal for i in chosen]
    every = [v for i in chosen for v in (*i.volumes, *i.off_nominal)]
    centres = [_centre(v) for vs in flown for v in vs]
    lon0 = round(float(np.mean([c[0] for c in centres])), 7)
    lat0 = round(float(np.mean([c[1] for c in centres])), 7)
    ground = (
        opts.ground_elevation
        if opts.ground_elevation is not None
        else min(v.floor for vs in flown for v in vs)
    )
    proj = LocalProjection(lon0, lat0)
    start = min(v.start for v in every)
    end = max(v.end for v in every)
    imp = UavImport(
        name=f"F3548 intents {path.name}",
        source=path.name,
        command="f3548",
        origin=(lon0, lat0, ground),
        ground_elevation=ground,
        start=start,
        duration=0.0,
        valid_from=start,
        valid_until=end,
        description=f"ASTM F3548 operational intents from {path.name}",
    )
    last = end
    for intent, vols in zip(chosen, flown, strict=True):
        t_end = _flight(imp, intent, vols, identifier(intent.name, "flight"), proj, opts)
        last = max(last, t_end)
    imp.duration = math.ceil((last - start).total_seconds())
    imp.valid_until = start + dt.timedelta(seconds=imp.duration)
    if opts.ground_elevation is None:
        imp.notes.append(
            f"no terrain in the file: the ground is put at the lowest volume floor, {ground:g} m "
            "(W84 heights taken as AMSL)"
        )
    return imp, intents


def _centre(v: Volume) -> tuple[float, float]:
    if v.center is not None:
        return v.center
    assert v.ring is not None
    c = shapely.Polygon(v.ring).centroid
    return float(c.x), float(c.y)


def _axis(v: Volume, proj: LocalProjection) -> tuple[np.ndarray, np.ndarray, float]:
    """A straight leg (ends in local m) inside the volume's outline, and the outline's width."""
    if v.center is not None:
        assert v.radius is not None
        x, y = proj.to_local(v.center[0], v.center[1])
        c = np.array([float(x), float(y)])
        h = np.array([0.5 * v.radius, 0.0])
        return c - h, c + h, v.radius
    assert v.ring is not None
    xs, ys = proj.to_local(np.array([p[0] for p in v.ring]), np.array([p[1] for p in v.ring]))
    xy = np.column_stack([xs, ys])
    poly = shapely.Polygon(xy)
    centre = poly.centroid if poly.contains(poly.centroid) else poly.representative_point()
    c = np.array([centre.x, centre.y])
    d = xy - c
    _, vecs = np.linalg.eigh(d.T @ d)
    u = vecs[:, -1]
    if u[0] < 0 or (u[0] == 0 and u[1] < 0):
        u = -u
    perp = np.array([-u[1], u[0]])
    q = d @ perp
    width = float(q.max() - q.min())
    reach = float(np.hypot(d[:, 0], d[:, 1]).max()) * 2.0 + 1.0
    chord = shapely.LineString([c - reach * u, c + reach * u]).intersection(poly)
    pieces = [g for g in getattr(chord, "geoms", [chord]) if g.geom_type == "LineString"]
    piece = min(pieces, key=lambda g: g.distance(centre), default=None)
    if piece is None or piece.length < 2.0 * SAME_PLACE:
        return c - 0.5 * u, c + 0.5 * u, width
    ends = np.array(piece.coords)[[0, -1]]
    if (ends[1] - ends[0]) @ u < 0:
        ends = ends[::-1]
    shrink = min(0.5 * width, 0.25 * piece.length)
    return ends[0] + shrink * u, ends[1] - shrink * u, width


def _flight(
    imp: UavImport,
    intent: Intent,
    vols: tuple[Volume, ...],
    aid: str,
    proj: LocalProjection,
    opts: F3548Options,
) -> dt.datetime:
    """Add the intent's nodes, corridors and agent; return when its planned flight ends."""
    vt = opts.vtype
    axes = [_axis(v, proj) for v in vols]
    widths = [w for _, _, w in axes]
    pts: list[tuple[np.ndarray, int]] = []  # (local point, volume index)
    for k, (a, b, _) in enumerate(axes):
        if pts and np.hypot(*(b - pts[-1][0])) < np.hypot(*(a - pts[-1][0])):
            a, b = b, a
        for p in (a, b):
            if pts and np.hypot(*(p - pts[-1][0])) < SAME_PLACE:
                continue
            pts.append((p, k))
    if len(pts) < 2:  # a volume too small to hold a leg: cross it anyway
        p = pts[0][0]
        pts.append((p + np.array([SAME_PLACE, 0.0]), 0))
    names = [f"{aid}:launch"] + [f"{aid}:{j}" for j in range(1, len(pts) - 1)] + [f"{aid}:land"]
    for j, ((p, _), name) in enumerate(zip(pts, names, strict=True)):
        lon, lat = proj.to_wgs84(p[0], p[1])
        kind = "vertiport" if j in (0, len(pts) - 1) else "waypoint"
        imp.nodes.append(AirNode(name, kind, float(lon), float(lat)))  # type: ignore[arg-type]
    corridors = []
    length = 0.0
    for j in range(1, len(pts)):
        (pa, ka), (pb, kb) = pts[j - 1], pts[j]
        lo = min(vols[ka].floor, vols[kb].floor)
        hi = max(vols[ka].ceiling, vols[kb].ceiling)
        width = max(1.0, min(widths[ka], widths[kb], 10_000.0))
        cid = f"C-{aid}-{j}"
        corridors.append(cid)
        length += float(np.hypot(*(pb - pa)))
        imp.legs.append(AirLeg(cid, names[j - 1], names[j], lo, hi, "WGS84", width))
    bands = {(v.floor, v.ceiling) for v in vols}
    altitude = None
    top = max(v.ceiling for v in vols)
    if len(bands) == 1:
        lo, hi = bands.pop()
        altitude = (0.5 * (lo + hi), "WGS84")
        top = altitude[0]
    depart = vols[0].start
    climb = max(0.0, top - imp.ground_elevation)
    t_flight = climb / vt.climb_rate + length / vt.cruise_speed + climb / vt.descent_rate
    arrive = depart + dt.timedelta(seconds=t_flight)
    window_end = max(v.end for v in vols)
    if arrive > window_end:
        imp.notes.append(
            f"{aid}: the route takes {t_flight:.0f} s at {vt.id}'s cruise speed, beyond the "
            "end of its volumes"
        )
    if intent.off_nominal:
        imp.notes.append(
            f"{aid}: {len(intent.off_nominal)} off-nominal volume(s) are not written"
            + ("" if intent.volumes else " (the route runs through them: no nominal volumes)")
        )
    if intent.state not in DECONFLICTED:
        imp.notes.append(f"{aid}: a {intent.state} intent is not deconflicted")
    if intent.uas_class:
        imp.notes.append(f"{aid}: flown as {vt.id} (the file gives UAS class {intent.uas_class})")
    imp.flights.append(
        Flight(
            id=aid,
            vtype=vt.id,
            route=tuple(names),
            depart=depart,
            speed=None,
            altitude=altitude,
            operator=intent.operator or "unknown operator (F3548 intent)",
            corridors=tuple(corridors),
            priority=intent.priority,
            intent_state=intent.state,
            volumes=tuple(_volume_table(v) for v in intent.volumes),
            registration=intent.serial,
            bvlos=intent.mode.lower() == "bvlos",
            comment=(
                f"intent {intent.name!r}"
                + (
                    f" (delta of {intent.source!r}, flight {intent.root!r})"
                    if intent.source
                    else ""
                )
                + f": {intent.state}, priority {intent.priority}, {len(intent.volumes)} volume(s)"
            ),
        )
    )
    return max(arrive, window_end)


def _volume_table(v: Volume) -> dict[str, Any]:
    """A volume as an ``[[agent.volumes]]`` table (lon/lat rounded to 1e-9 deg)."""
    out: dict[str, Any] = {}
    if v.ring is not None:
        out["outline"] = [[round(x, 9), round(y, 9)] for x, y in v.ring]
    else:
        assert v.center is not None and v.radius is not None
        out["center"] = [round(v.center[0], 9), round(v.center[1], 9)]
        out["radius"] = round(v.radius, 3)
    out["floor"] = {"value": round(v.floor, 3), "datum": "WGS84"}
    out["ceiling"] = {"value": round(v.ceiling, 3), "datum": "WGS84"}
    out["start"] = v.start
    out["end"] = v.end
    return out
