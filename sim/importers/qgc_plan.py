"""Import a QGroundControl ``.plan`` file (JSON) as a UAV flight, its air layer and its fences.

:func:`import_qgc_plan` reads the plan as data (the ``json`` module; nothing is evaluated) and
returns a :class:`~sim.importers.uav_bundle.UavImport`. Mapping rules:

**Home.** ``mission.plannedHomePosition`` ``[lat, lon, alt]`` (deg, deg, m AMSL) is the launch
vertiport ``home``, the map's origin and its ground elevation (QGC plans carry no terrain, so
the ground is flat at the home altitude).

**Mission items** (``mission.items``, MAVLink ``MAV_CMD`` numbers), in order:

* ``22`` NAV_TAKEOFF and ``84`` NAV_VTOL_TAKEOFF: the climb at home to ``param7`` (their
  lat/lon are not used: the vehicle takes off where it stands);
* ``16`` NAV_WAYPOINT, ``82`` NAV_SPLINE_WAYPOINT (flown straight), ``17``/``18``/``19``
  NAV_LOITER_UNLIM/_TURNS/_TIME and ``31`` NAV_LOITER_TO_ALT: a waypoint ``wp-N`` at
  ``param5``/``param6`` (lat/lon) and ``param7`` (altitude); hold and loiter times are not
  flown (testzone routes have no holds) but are added to the planned duration;
* ``20`` NAV_RETURN_TO_LAUNCH: back to ``home``, then land; the mission ends;
* ``21`` NAV_LAND and ``85`` NAV_VTOL_LAND: land at ``param5``/``param6`` (a vertiport
  ``land-N``, or ``home`` within 5 m of it; without a position, where the vehicle is: the
  last waypoint becomes a vertiport); the mission ends;
* ``178`` DO_CHANGE_SPEED: ground or air speed ``param2`` (m/s) from the next leg on (as each
  corridor's ``speed_limit`` when speeds differ); climb and descent speeds are ignored;
* known commands that do not move the vehicle (camera, gimbal, servo, ROI, delays, mode ...):
  ignored, each reported by number and name;
* anything else (``DO_JUMP``, ``DO_SET_HOME``, complex items such as surveys, unknown
  numbers): unsupported, an error naming the item, unless ``skip_unsupported`` (then reported
  and left out).

Items after the mission's end are reported as ignored.

**Altitudes.** An item's ``frame`` gives the datum of ``param7``: ``0``/``5`` global (AMSL),
``3``/``6`` relative to home (written as AGL: the ground is at the home altitude), ``10``/``11``
above terrain (AGL; no terrain data, so the same flat ground). When every positioned item
uses the same altitude the agent gets it as its ``altitude``; otherwise each corridor's band
spans its leg's altitudes and the agent flies mid-band (see ``docs/formats.md``).

**Speed.** ``mission.hoverSpeed`` for multirotors and helicopters (``vehicleType`` 2, 3, 4,
13, 14, 15), ``mission.cruiseSpeed`` otherwise; the vehicle type's cruise speed when the plan
gives neither; changed by ``178`` items.

**Geofence** (``geoFence``, version 2): each polygon (``[[lat, lon], ...]``) and circle
(``{"center": [lat, lon], "radius": m}``) becomes a zone from the ground up, without ceiling:
inclusion -> ``test_area`` for UAVs (named in the permit), exclusion -> ``no_fly``.
``fenceAction`` (PX4 ``GF_ACTION``: 1 warn, 2 hold, 3 return, 4 terminate, 5 land) becomes the
zone's breach action. **Rally points** become vertiports ``rally-N`` (alternative landing
sites, not on the route).

Problems raise :class:`~sim.model.errors.ModelError` naming the element, e.g.
``mission.items[3].command: MAV_CMD 9999 is not supported``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal

from sim.geo.projection import LocalProjection
from sim.importers.json_words import json_kind, short_repr
from sim.importers.uav_bundle import AirLeg, AirNode, Fence, Flight, UavImport, identifier
from sim.model.errors import Issue, ModelError
from sim.model.files import display_name, read_json
from sim.model.vehicle import UavType

TAKEOFF = {22: "NAV_TAKEOFF", 84: "NAV_VTOL_TAKEOFF"}
WAYPOINT = {
    16: "NAV_WAYPOINT",
    17: "NAV_LOITER_UNLIM",
    18: "NAV_LOITER_TURNS",
    19: "NAV_LOITER_TIME",
    31: "NAV_LOITER_TO_ALT",
    82: "NAV_SPLINE_WAYPOINT",
}
RTL = {20: "NAV_RETURN_TO_LAUNCH"}
LAND = {21: "NAV_LAND", 85: "NAV_VTOL_LAND"}
CHANGE_SPEED = {178: "DO_CHANGE_SPEED"}
IGNORED = {
    80: "NAV_ROI",
    93: "NAV_DELAY",
    112: "CONDITION_DELAY",
    113: "CONDITION_CHANGE_ALT",
    114: "CONDITION_DISTANCE",
    115: "CONDITION_YAW",
    176: "DO_SET_MODE",
    181: "DO_SET_RELAY",
    182: "DO_REPEAT_RELAY",
    183: "DO_SET_SERVO",
    184: "DO_REPEAT_SERVO",
    189: "DO_LAND_START",
    194: "DO_SET_REVERSE",
    195: "DO_SET_ROI_LOCATION",
    196: "DO_SET_ROI_WPNEXT_OFFSET",
    197: "DO_SET_ROI_NONE",
    200: "DO_CONTROL_VIDEO",
    201: "DO_SET_ROI",
    202: "DO_DIGICAM_CONFIGURE",
    203: "DO_DIGICAM_CONTROL",
    204: "DO_MOUNT_CONFIGURE",
    205: "DO_MOUNT_CONTROL",
    206: "DO_SET_CAM_TRIGG_DIST",
    208: "DO_PARACHUTE",
    211: "DO_GRIPPER",
    214: "DO_SET_CAM_TRIGG_INTERVAL",
    530: "SET_CAMERA_MODE",
    531: "SET_CAMERA_ZOOM",
    532: "SET_CAMERA_FOCUS",
    1000: "DO_GIMBAL_MANAGER_PITCHYAW",
    1001: "DO_GIMBAL_MANAGER_CONFIGURE",
    2000: "IMAGE_START_CAPTURE",
    2001: "IMAGE_STOP_CAPTURE",
    2003: "DO_TRIGGER_CONTROL",
    2500: "VIDEO_START_CAPTURE",
    2501: "VIDEO_STOP_CAPTURE",
    3000: "DO_VTOL_TRANSITION",
}
"""Commands that do not move the vehicle along its path: ignored, and reported."""
UNSUPPORTED = {
    30: "NAV_CONTINUE_AND_CHANGE_ALT",
    92: "NAV_GUIDED_ENABLE",
    94: "NAV_PAYLOAD_PLACE",
    177: "DO_JUMP",
    179: "DO_SET_HOME",
    192: "DO_REPOSITION",
    5000: "NAV_FENCE_RETURN_POINT",
}
"""Known commands that change the path in ways testzone cannot follow."""
FRAMES = {0: "AMSL", 5: "AMSL", 3: "relative", 6: "relative", 10: "terrain", 11: "terrain"}
"""MAV_FRAME numbers of positioned items and how ``param7`` is measured."""
MULTIROTORS = {2, 3, 4, 13, 14, 15}
"""MAV_TYPE numbers that fly at QGC's ``hoverSpeed`` (quad, coax, helicopter, hexa, octo, tri)."""
FENCE_ACTIONS = {0: None, 1: "warn", 2: "hold", 3: "return", 4: "land", 5: "land"}
"""PX4 ``GF_ACTION`` -> breach action (terminate counts as the strictest, land)."""
SAME_PLACE = 1.0
"""Distance (m) under which two consecutive route points are one node."""
HOME_RADIUS = 5.0
"""A landing within this distance (m) of home lands at the ``home`` vertiport."""
MAX_RANGE = 150_000.0
"""Farthest a route point may be from home (m): within the extent of a testzone map."""


@dataclass(frozen=True)
class QgcOptions:
    """Choices the plan file does not make.

    Attributes:
        start: when the flight starts (the plan has no date).
        vtype: the vehicle type flown (its rates time the plan).
        width: corridor width (m).
        band: half-height (m) of each corridor's band around its leg's altitudes.
        skip_unsupported: report unsupported items and leave them out instead of failing.
    """

    start: dt.datetime
    vtype: UavType
    width: float = 20.0
    band: float = 10.0
    skip_unsupported: bool = False


@dataclass
class _Point:
    """A route point: a node id, its lon/lat (deg), local x/y (m) and altitude (m AMSL)."""

    node: str
    kind: str
    lon: float
    lat: float
    x: float
    y: float
    z: float
    item: str = ""


@dataclass
class _Mission:
    """What the item walk found."""

    points: list[_Point] = field(default_factory=list)
    speeds: list[float] = field(default_factory=list)
    """Speed (m/s) in force on the leg into each point after the first."""
    hold: float = 0.0
    """Hold and loiter time (s) the route does not fly."""
    takeoff_z: float | None = None


class _Reader:
    """Walks one plan document, collecting issues (errors) and notes (what was left out)."""

    def __init__(self, file: str, opts: QgcOptions) -> None:
        self.file = file
        self.opts = opts
        self.issues: list[Issue] = []
        self.notes: list[str] = []
        self.datums: set[str] = set()
        """How the positioned items measure altitude: ``AMSL``, ``relative``, ``terrain``."""

    def fail(self, path: str, message: str) -> None:
        self.issues.append(Issue(self.file, path, message))

    def stop(self) -> None:
        if self.issues:
            raise ModelError(self.issues)

    def obj(self, value: Any, path: str) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise ModelError.single(
                self.file, path, f"expected a JSON object, got {json_kind(value)}"
            )
        return value

    def number(self, value: Any, path: str, what: str = "a number") -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, f"expected {what}, got {short_repr(value)}")
            return None
        if not math.isfinite(value):
            self.fail(path, f"expected a finite number, got {value!r}")
            return None
        return float(value)


def import_qgc_plan(path: Path, opts: QgcOptions) -> UavImport:
    """Read a QGroundControl ``.plan`` file (see the module docstring).

    Raises:
        ModelError: naming the element of every problem found.
    """
    file = display_name(path)
    doc = read_json(path)
    r = _Reader(file, opts)
    top = r.obj(doc, "")
    if top.get("fileType") != "Plan":
        raise ModelError.single(
            file,
            "fileType",
            f"expected 'Plan' (a QGroundControl plan file), got {short_repr(top.get('fileType'))}",
        )
    if top.get("version") != 1:
        r.fail(
            "version",
            f"only version 1 plan files are supported, got {short_repr(top.get('version'))}",
        )
    mission = r.obj(top.get("mission"), "mission")
    if mission.get("version") != 2:
        r.fail(
            "mission.version",
            f"only version 2 missions are supported, got {short_repr(mission.get('version'))}",
        )
    home_raw = mission.get("plannedHomePosition")
    if not isinstance(home_raw, list) or len(home_raw) != 3:
        raise ModelError.single(
            file,
            "mission.plannedHomePosition",
            f"expected [lat, lon, alt], got {short_repr(home_raw)}",
        )
    home_ll = _ll(r, home_raw, "mission.plannedHomePosition")
    home_alt = r.number(home_raw[2], "mission.plannedHomePosition[2]", "an altitude (m AMSL)")
    r.stop()
    assert home_ll is not None and home_alt is not None
    if not -500.0 <= home_alt <= 9000.0:
        raise ModelError.single(
            file,
            "mission.plannedHomePosition[2]",
            f"home altitude {home_alt:g} m AMSL is out of range (-500 to 9000 m)",
        )
    proj = LocalProjection(home_ll[1], home_ll[0])
    home = _Point("home", "vertiport", home_ll[1], home_ll[0], 0.0, 0.0, home_alt)
    m = _walk(r, mission, home, proj)
    fences = _fences(r, top.get("geoFence"))
    rally = _rally(r, top.get("rallyPoints"))
    r.stop()
    return _build(r, path, mission, home, m, fences, rally)


def _walk(r: _Reader, mission: dict[str, Any], home: _Point, proj: LocalProjection) -> _Mission:
    """Walk the mission items into route points, speeds and notes."""
    items = mission.get("items")
    if not isinstance(items, list):
        raise ModelError.single(r.file, "mission.items", f"expected a list, got {json_kind(items)}")
    vt = r.opts.vtype
    speed = _default_speed(r, mission, vt)
    m = _Mission(points=[home])
    ended = ""
    for k, raw in enumerate(items):
        where = f"mission.items[{k}]"
        label = f"{where} (item {k + 1})"
        if not isinstance(raw, dict):
            r.fail(where, f"expected a mission item object, got {json_kind(raw)}")
            continue
        kind = raw.get("type")
        if kind == "ComplexItem":
            what = raw.get("complexItemType", "?")
            _unsupported(r, where, f"complex item {short_repr(what)} is not supported", label)
            continue
        if kind != "SimpleItem":
            r.fail(
                f"{where}.type", f"expected 'SimpleItem' or 'ComplexItem', got {short_repr(kind)}"
            )
            continue
        cmd = raw.get("command")
        if isinstance(cmd, bool) or not isinstance(cmd, int):
            r.fail(f"{where}.command", f"expected a MAV_CMD number, got {short_repr(cmd)}")
            continue
        name = _name(cmd)
        if ended:
            r.notes.append(f"{label}: MAV_CMD {cmd} {name} ignored: the mission ended at {ended}")
            continue
        params = raw.get("params")
        if not isinstance(params, list) or len(params) != 7:
            r.fail(f"{where}.params", f"expected 7 parameters, got {short_repr(params)}")
            continue
        if cmd in IGNORED:
            r.notes.append(f"{label}: MAV_CMD {cmd} {name} ignored: it does not move the vehicle")
            continue
        if cmd in CHANGE_SPEED:
            speed = _speed_change(r, where, label, params, speed)
            continue
        if cmd in TAKEOFF:
            if len(m.points) > 1:
                _unsupported(
                    r, where, f"MAV_CMD {cmd} {name} after waypoints is not supported", label
                )
                continue
            z = _altitude(r, where, raw, params, home)
            if z is not None:
                m.takeoff_z = z
            continue
        if cmd in RTL:
            _add(m, replace(home, z=m.points[-1].z), speed)
            ended = f"{label} ({name})"
            r.notes.append(
                f"{label}: {name} is flown back at the altitude of the leg before it (the "
                "vehicle's own return altitude is a parameter, not in the plan)"
            )
            continue
        if cmd in WAYPOINT:
            z = _altitude(r, where, raw, params, home)
            ll = _position(r, where, params, required=True)
            if z is None or ll is None:
                continue
            x, y = proj.to_local(ll[1], ll[0])
            if math.hypot(float(x), float(y)) > MAX_RANGE:
                r.fail(
                    f"{where}.params[4]",
                    f"the waypoint is more than {MAX_RANGE / 1e3:g} km from home",
                )
                continue
            pt = _Point(f"wp-{k + 1}", "waypoint", ll[1], ll[0], float(x), float(y), z, label)
            _add(m, pt, speed)
            m.hold += _hold(r, label, cmd, params, speed)
            continue
        if cmd in LAND:
            ended = f"{label} ({name})"
            ll = _position(r, where, params, required=False)
            if ll is not None:
                x, y = proj.to_local(ll[1], ll[0])
                if math.hypot(float(x), float(y)) > MAX_RANGE:
                    r.fail(
                        f"{where}.params[4]",
                        f"the landing is more than {MAX_RANGE / 1e3:g} km from home",
                    )
                    continue
            _land(m, home, ll, proj, speed, k)
            continue
        if cmd in UNSUPPORTED:
            _unsupported(r, f"{where}.command", f"MAV_CMD {cmd} {name} is not supported", label)
            continue
        _unsupported(r, f"{where}.command", f"MAV_CMD {cmd} is not supported", label)
    if len(m.points) > 1 and not ended:
        r.notes.append(
            "the mission ends without RTL or LAND: the flight lands at its last waypoint"
        )
        last = m.points[-1]
        m.points[-1] = replace(last, node=last.node.replace("wp-", "land-"), kind="vertiport")
    return m


def _add(m: _Mission, pt: _Point, speed: float) -> None:
    """Append a route point; one at the place of the previous point merges with it.

    A vertiport replaces a waypoint at its place (a landing there); of two waypoints at one
    place the first stays, at the higher altitude; a waypoint at a vertiport is dropped.
    """
    prev = m.points[-1]
    if math.hypot(pt.x - prev.x, pt.y - prev.y) >= SAME_PLACE:
        m.points.append(pt)
        m.speeds.append(speed)
        return
    if pt.kind == "vertiport" and prev.kind == "waypoint":
        m.points[-1] = replace(pt, z=prev.z, item=prev.item)
    elif pt.kind == "waypoint" and prev.kind == "waypoint":
        m.points[-1] = replace(prev, z=max(prev.z, pt.z))


def _land(
    m: _Mission,
    home: _Point,
    ll: tuple[float, float] | None,
    proj: LocalProjection,
    speed: float,
    k: int,
) -> None:
    """The landing: at a position (``home`` when within 5 m of it), or where the vehicle is."""
    last = m.points[-1]
    if ll is None:
        if last.kind == "waypoint":
            m.points[-1] = replace(last, node=f"land-{k + 1}", kind="vertiport")
        return
    x, y = proj.to_local(ll[1], ll[0])
    if math.hypot(float(x), float(y)) <= HOME_RADIUS:
        _add(m, replace(home, z=last.z), speed)
        return
    pt = _Point(f"land-{k + 1}", "vertiport", ll[1], ll[0], float(x), float(y), last.z)
    pt.item = f"item {k + 1}"
    _add(m, pt, speed)


def _position(
    r: _Reader, where: str, params: list[Any], required: bool
) -> tuple[float, float] | None:
    """``param5``/``param6`` as (lat, lon) deg; ``None`` when absent (0/0 or null)."""
    lat, lon = params[4], params[5]
    if (lat is None and lon is None) or (lat == 0 and lon == 0):
        if required:
            r.fail(f"{where}.params[4]", "a waypoint needs a latitude and longitude")
        return None
    la = r.number(lat, f"{where}.params[4]", "a latitude")
    lo = r.number(lon, f"{where}.params[5]", "a longitude")
    if la is None or lo is None:
        return None
    if not (-90.0 <= la <= 90.0 and -180.0 <= lo <= 180.0):
        r.fail(f"{where}.params[4]", f"position lat {la:g}, lon {lo:g} is out of range")
        return None
    return la, lo


def _altitude(
    r: _Reader, where: str, raw: dict[str, Any], params: list[Any], home: _Point
) -> float | None:
    """``param7`` in the item's frame as metres AMSL (relative and terrain: above home)."""
    frame = raw.get("frame")
    datum = FRAMES.get(frame) if isinstance(frame, int) and not isinstance(frame, bool) else None
    if datum is None:
        r.fail(
            f"{where}.frame",
            f"MAV_FRAME {short_repr(frame)} is not supported for a positioned item "
            "(0/5 global AMSL, 3/6 relative to home, 10/11 above terrain)",
        )
        return None
    alt = r.number(params[6], f"{where}.params[6]", "an altitude (m)")
    if alt is None:
        return None
    r_alt = alt if datum == "AMSL" else home.z + alt
    if not -500.0 <= r_alt <= 20_000.0:
        r.fail(f"{where}.params[6]", f"altitude {alt:g} m ({datum}) is out of range")
        return None
    r.datums.add(datum)
    return r_alt


def _hold(r: _Reader, label: str, cmd: int, params: list[Any], speed: float) -> float:
    """Time (s) a waypoint holds or loiters, which the route does not fly; noted."""
    name = _name(cmd)
    p1 = params[0] if isinstance(params[0], (int, float)) and not isinstance(params[0], bool) else 0
    if cmd == 16 and p1 > 0:
        r.notes.append(f"{label}: {name} hold of {p1:g} s is not flown (routes have no holds)")
        return float(p1)
    if cmd == 19 and p1 > 0:
        r.notes.append(f"{label}: {name} loiter of {p1:g} s is flown as a pass")
        return float(p1)
    if cmd == 18:
        radius = params[2] if isinstance(params[2], (int, float)) else 0
        turn = 2.0 * math.pi * abs(float(radius or 0.0)) / max(speed, 0.1)
        r.notes.append(f"{label}: {name} ({p1:g} turns) is flown as a pass")
        return max(0.0, float(p1)) * turn
    if cmd == 17:
        r.notes.append(
            f"{label}: {name} (loiter until told otherwise) is flown as a pass; the vehicle "
            "would wait there for the pilot"
        )
    return 0.0


def _speed_change(r: _Reader, where: str, label: str, params: list[Any], speed: float) -> float:
    kind = (
        params[0] if isinstance(params[0], (int, float)) and not isinstance(params[0], bool) else 1
    )
    value = params[1]
    if int(kind) in (2, 3):
        r.notes.append(f"{label}: DO_CHANGE_SPEED of the climb or descent speed is ignored")
        return speed
    v = r.number(value, f"{where}.params[1]", "a speed (m/s)")
    if v is None or v <= 0:  # -1: no change
        return speed
    if v > r.opts.vtype.max_speed:
        r.fail(
            f"{where}.params[1]",
            f"speed {v:g} m/s is above the vehicle type {r.opts.vtype.id}'s max_speed "
            f"{r.opts.vtype.max_speed:g} m/s (choose another --type)",
        )
        return speed
    return v


def _default_speed(r: _Reader, mission: dict[str, Any], vt: UavType) -> float:
    vehicle = mission.get("vehicleType")
    key = "hoverSpeed" if vehicle in MULTIROTORS else "cruiseSpeed"
    raw = mission.get(key)
    if raw is None:
        r.notes.append(f"mission.{key} is not given: flown at {vt.id}'s cruise speed")
        return vt.cruise_speed
    v = r.number(raw, f"mission.{key}", "a speed (m/s)")
    if v is None:
        return vt.cruise_speed
    if not 0 < v <= vt.max_speed:
        r.fail(
            f"mission.{key}",
            f"speed {v:g} m/s is not in (0, {vt.max_speed:g}] m/s, the range of the vehicle "
            f"type {vt.id} (choose another --type)",
        )
        return vt.cruise_speed
    return v


def _unsupported(r: _Reader, path: str, message: str, label: str) -> None:
    if r.opts.skip_unsupported:
        r.notes.append(f"{label}: {message}: left out (--skip-unsupported)")
    else:
        r.fail(path, message)


def _fences(r: _Reader, raw: Any) -> list[Fence]:
    if raw is None:
        return []
    gf = r.obj(raw, "geoFence")
    if gf.get("version") != 2:
        r.fail(
            "geoFence.version",
            f"only version 2 geofences are supported, got {short_repr(gf.get('version'))}",
        )
        return []
    out: list[Fence] = []
    polys = gf.get("polygons", [])
    circles = gf.get("circles", [])
    for key, seq in (("polygons", polys), ("circles", circles)):
        if not isinstance(seq, list):
            r.fail(f"geoFence.{key}", f"expected a list, got {json_kind(seq)}")
    for i, p in enumerate(polys if isinstance(polys, list) else []):
        where = f"geoFence.polygons[{i}]"
        if not isinstance(p, dict):
            r.fail(where, f"expected a fence polygon object, got {json_kind(p)}")
            continue
        ring_raw = p.get("polygon")
        if not isinstance(ring_raw, list) or len(ring_raw) < 3:
            r.fail(
                f"{where}.polygon",
                f"expected at least 3 [lat, lon] points, got {short_repr(ring_raw)}",
            )
            continue
        ring = []
        for j, pt in enumerate(ring_raw):
            if not isinstance(pt, list) or len(pt) < 2:
                r.fail(f"{where}.polygon[{j}]", f"expected [lat, lon], got {short_repr(pt)}")
                break
            ll = _ll(r, pt, f"{where}.polygon[{j}]")
            if ll is None:
                break
            ring.append((ll[1], ll[0]))
        else:
            incl = _inclusion(r, p, where)
            out.append(
                Fence(
                    f"geofence-polygon-{i + 1}",
                    "test_area" if incl else "no_fly",
                    f"QGC {'inclusion' if incl else 'exclusion'} fence (polygon {i + 1})",
                    ring=tuple(ring),
                    breach_action=_action(r, p, where),
                )
            )
    for i, c in enumerate(circles if isinstance(circles, list) else []):
        where = f"geoFence.circles[{i}]"
        if not isinstance(c, dict) or not isinstance(c.get("circle"), dict):
            r.fail(
                where, 'expected {"circle": {"center": [lat, lon], "radius": m}, "inclusion": ...}'
            )
            continue
        circle = c["circle"]
        centre = circle.get("center")
        if not isinstance(centre, list) or len(centre) < 2:
            r.fail(f"{where}.circle.center", f"expected [lat, lon], got {short_repr(centre)}")
            continue
        ll = _ll(r, centre, f"{where}.circle.center")
        radius = r.number(circle.get("radius"), f"{where}.circle.radius", "a radius (m)")
        if ll is None or radius is None:
            continue
        if not 0 < radius <= 200_000:
            r.fail(f"{where}.circle.radius", f"radius {radius:g} m is not in (0, 200000] m")
            continue
        incl = _inclusion(r, c, where)
        out.append(
            Fence(
                f"geofence-circle-{i + 1}",
                "test_area" if incl else "no_fly",
                f"QGC {'inclusion' if incl else 'exclusion'} fence (circle {i + 1})",
                center=(ll[1], ll[0]),
                radius=radius,
                breach_action=_action(r, c, where),
            )
        )
    for key in ("breachReturn",):
        if gf.get(key) not in (None, [], {}):
            r.notes.append(f"geoFence.{key} is ignored (testzone returns to the launch vertiport)")
    return out


def _ll(r: _Reader, pt: list[Any], where: str) -> tuple[float, float] | None:
    la = r.number(pt[0], f"{where}[0]", "a latitude")
    lo = r.number(pt[1], f"{where}[1]", "a longitude")
    if la is None or lo is None:
        return None
    if not (-90.0 <= la <= 90.0 and -180.0 <= lo <= 180.0):
        r.fail(where, f"position lat {la:g}, lon {lo:g} is out of range")
        return None
    return la, lo


def _inclusion(r: _Reader, fence: dict[str, Any], where: str) -> bool:
    incl = fence.get("inclusion", True)
    if not isinstance(incl, bool):
        r.fail(f"{where}.inclusion", f"expected true or false, got {short_repr(incl)}")
        return True
    if fence.get("maxAltitude") not in (None, 0):
        r.notes.append(f"{where}.maxAltitude is ignored: the zone has no ceiling")
    return incl


def _action(r: _Reader, fence: dict[str, Any], where: str) -> str | None:
    raw = fence.get("fenceAction")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int) or raw not in FENCE_ACTIONS:
        r.fail(f"{where}.fenceAction", f"expected a PX4 GF_ACTION 0-5, got {short_repr(raw)}")
        return None
    return FENCE_ACTIONS[raw]


def _rally(r: _Reader, raw: Any) -> list[tuple[float, float]]:
    if raw is None:
        return []
    rp = r.obj(raw, "rallyPoints")
    pts = rp.get("points", [])
    if not isinstance(pts, list):
        r.fail("rallyPoints.points", f"expected a list, got {json_kind(pts)}")
        return []
    out = []
    for i, pt in enumerate(pts):
        if not isinstance(pt, list) or len(pt) < 2:
            r.fail(f"rallyPoints.points[{i}]", f"expected [lat, lon, alt], got {short_repr(pt)}")
            continue
        ll = _ll(r, pt, f"rallyPoints.points[{i}]")
        if ll is not None:
            out.append((ll[1], ll[0]))
    return out


def _build(
    r: _Reader,
    path: Path,
    mission: dict[str, Any],
    home: _Point,
    m: _Mission,
    fences: list[Fence],
    rally: list[tuple[float, float]],
) -> UavImport:
    """Nodes, corridors, the flight and the time window of the walked mission."""
    opts = r.opts
    vt = opts.vtype
    stem = identifier(path.stem.removesuffix(".plan"))
    nodes = [AirNode(home.node, "vertiport", home.lon, home.lat, "home (planned home position)")]
    legs: list[AirLeg] = []
    flights: list[Flight] = []
    datum = "AGL" if r.datums and r.datums <= {"relative", "terrain"} else "AMSL"
    ground = home.z
    incl = tuple(f.id for f in fences if f.kind == "test_area")
    pts = m.points
    if len(pts) == 1:
        r.notes.append(
            "the mission never leaves home: no flight is written (home and fences only)"
            if mission.get("items")
            else "the mission has no items: no flight is written (home and fences only)"
        )
    duration = 60.0
    if len(pts) > 1:
        z_first = m.takeoff_z if m.takeoff_z is not None else pts[1].z
        zs = [z_first] + [p.z for p in pts[1:]]
        seen = {home.node}
        for p in pts[1:]:
            if p.node not in seen:
                seen.add(p.node)
                kind: Literal["vertiport", "waypoint"] = (
                    "vertiport" if p.kind == "vertiport" else "waypoint"
                )
                nodes.append(AirNode(p.node, kind, p.lon, p.lat, p.item))
        uniform = len({round(z, 6) for z in zs}) == 1
        one_speed = len({round(v, 9) for v in m.speeds}) == 1
        length = 0.0
        flight_time = 0.0
        for i in range(1, len(pts)):
            a, b = pts[i - 1], pts[i]
            za, zb = zs[i - 1], zs[i]
            lo = max(ground, min(za, zb) - opts.band) - (0.0 if datum == "AMSL" else ground)
            hi = max(za, zb) + opts.band - (0.0 if datum == "AMSL" else ground)
            d = math.hypot(b.x - a.x, b.y - a.y)
            length += d
            flight_time += d / m.speeds[i - 1]
            legs.append(
                AirLeg(
                    f"C-{a.node}-{b.node}",
                    a.node,
                    b.node,
                    lo,
                    hi,
                    datum,
                    opts.width,
                    None if one_speed else m.speeds[i - 1],
                )
            )
        z_top = max(zs)
        flight_time += (z_top - ground) / vt.climb_rate + (z_top - ground) / vt.descent_rate
        flight_time += m.hold
        duration = 60.0 * math.ceil((1.25 * flight_time + 60.0) / 60.0)
        altitude = None
        if uniform:
            altitude = (zs[0] if datum == "AMSL" else zs[0] - ground, datum)
        else:
            r.notes.append(
                f"the waypoints are at different altitudes ({min(zs) - ground:g} to "
                f"{z_top - ground:g} m above home): the agent gets no single altitude and "
                "flies mid-band, kept inside each leg's band"
            )
        if not one_speed:
            r.notes.append(
                "the mission changes speed: each corridor's speed_limit is the speed flown on it"
            )
        flights.append(
            Flight(
                id=stem,
                vtype=vt.id,
                route=tuple(p.node for p in pts),
                depart=opts.start,
                speed=max(m.speeds),
                altitude=altitude,
                operator="unknown operator (QGroundControl plan)",
                corridors=tuple(leg.id for leg in legs),
                zones=incl,
                comment=f"{len(pts) - 1} legs, {length:.0f} m",
            )
        )
    for i, (lon, lat) in enumerate(rally):
        nodes.append(AirNode(f"rally-{i + 1}", "vertiport", lon, lat, f"rally point {i + 1}"))
    if r.issues:
        raise ModelError(r.issues)
    end = opts.start + dt.timedelta(seconds=duration)
    return UavImport(
        name=f"QGC plan {path.name}",
        source=path.name,
        command="qgc",
        origin=(home.lon, home.lat, home.z),
        ground_elevation=ground,
        start=opts.start,
        duration=duration,
        valid_from=opts.start,
        valid_until=end,
        nodes=nodes,
        legs=legs,
        fences=fences,
        flights=flights,
        notes=r.notes,
        description=f"QGroundControl plan {path.name}",
    )


def _name(cmd: int) -> str:
    for table in (TAKEOFF, WAYPOINT, RTL, LAND, CHANGE_SPEED, IGNORED, UNSUPPORTED):
        if cmd in table:
            return table[cmd]
    return "(unknown)"
