"""What every check needs, computed once, and the :class:`Findings` the checks fill.

The local frame, layers, fences, zone windows, plans and their 4-D volumes, and the zone hits
of those volumes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from functools import cached_property, reduce

import numpy as np
import numpy.typing as npt
import shapely
from shapely.geometry.base import BaseGeometry

from sim.geo.fences import KIND_BIT, FenceArrays, compile_fences
from sim.geo.intents import zone_windows
from sim.geo.localmap import LocalFrame
from sim.kernels.deconflict import zone_hits
from sim.model.bundle import ScenarioBundle
from sim.model.map import GRAPH_LAYERS, Crs
from sim.model.scenario import ZoneEvent
from sim.model.vehicle import Domain
from sim.model.zone import Restriction, Zone
from sim.network.arrays import LayerArrays, build_layer
from sim.rules.catalogue import make
from sim.rules.plans import AgentPlan, Planner, PlanVolumes, build_volumes
from sim.rules.provisions import Provisions, provisions
from sim.rules.violation import Violation

F64 = npt.NDArray[np.float64]
CONTAINMENT_TOLERANCE = 1.0e-3
"""A route within this distance (m) of an inclusion zone's outline counts as inside it."""
TIME_EPS = 1.0e-6
"""Shortest time (s) inside an active zone that counts as a meeting (rounding below it)."""


@dataclass
class Findings:
    """What the checks found: violations, the rules evaluated, and rules skipped (and why)."""

    violations: list[Violation] = field(default_factory=list)
    checked: set[str] = field(default_factory=set)
    skipped: dict[str, str] = field(default_factory=dict)

    def add(self, rule_id: str, **kwargs: object) -> None:
        """Record a violation of ``rule_id`` (see :func:`sim.rules.catalogue.make`)."""
        self.violations.append(make(rule_id, **kwargs))  # type: ignore[arg-type]

    def check(self, *rule_ids: str) -> None:
        """Record that these rules were evaluated."""
        self.checked.update(rule_ids)

    def skip(self, rule_id: str, reason: str) -> None:
        """Record that a rule could not be evaluated, and why."""
        self.skipped.setdefault(rule_id, reason)


@dataclass(frozen=True)
class ZoneHit:
    """Where a plan meets a zone: the first time and place, and the whole span (s)."""

    plan: int
    zone: int
    t0: float
    t1: float
    where: tuple[float, float, float]
    speed: float
    z: float
    vol: int
    zvol: int


class Context:
    """A scenario prepared for checking (all in the map's local ENU frame, metres, seconds)."""

    def __init__(self, bundle: ScenarioBundle) -> None:
        """Project the map and zones, time the plans and build their volumes."""
        self.bundle = bundle
        self.scenario = bundle.scenario
        self.prov: Provisions = provisions()
        self.map = bundle.map
        self.frame = LocalFrame.of_map(bundle.map)
        self.layers: dict[str, LayerArrays] = {
            layer: build_layer(bundle.map, layer, self.frame) for layer in GRAPH_LAYERS
        }
        self.fences: FenceArrays = compile_fences(bundle.map, bundle.zone_sets, self.frame)
        planner = Planner(bundle, self.layers, self.prov, self.frame)
        self.plans: list[AgentPlan] = [
            planner.plan(k, spec)
            for k, spec in enumerate(self.scenario.agent)
            if not spec.background  # recorded or scripted traffic, like flows: not under test
        ]
        last = max((p.arrive for p in self.plans), default=0.0)
        self.horizon = max(self.scenario.duration, last) + 1.0
        self.win_off, self.win_t0, self.win_t1 = self._windows()
        self.volumes: PlanVolumes = build_volumes(self.plans, self.prov)

    # --- zones -------------------------------------------------------------------------------
    def _windows(self) -> tuple[npt.NDArray[np.int32], F64, F64]:
        """Zone active windows (s), with the scenario's scripted close/open orders applied."""
        off, w0, w1 = zone_windows(self.fences, self.scenario.start, self.horizon)
        events = [e for e in self.scenario.event if isinstance(e, ZoneEvent)]
        if not events:
            return off, w0, w1
        windows = [
            list(zip(w0[off[z] : off[z + 1]], w1[off[z] : off[z + 1]], strict=True))
            for z in range(self.fences.n_zones)
        ]
        for ev in sorted(events, key=lambda e: float(e.at)):
            if ev.zone not in self.fences.zone_ids:
                continue
            z = self.fences.index(ev.zone)
            t = float(ev.at)
            kept = [(a, min(b, t)) for a, b in windows[z] if a < t]
            if ev.action == "close_zone":
                kept.append((t, self.horizon))
            windows[z] = _merge(kept)
        new_off = [0]
        n0: list[float] = []
        n1: list[float] = []
        for ws in windows:
            for a, b in ws:
                n0.append(a)
                n1.append(b)
            new_off.append(len(n0))
        return (
            np.array(new_off, dtype=np.int32),
            np.array(n0, dtype=np.float64),
            np.array(n1, dtype=np.float64),
        )

    def zone_windows_of(self, zn: int) -> list[tuple[float, float]]:
        """The active windows ``[t0, t1)`` (s) of zone number ``zn``."""
        a, b = int(self.win_off[zn]), int(self.win_off[zn + 1])
        return list(zip(self.win_t0[a:b].tolist(), self.win_t1[a:b].tolist(), strict=True))

    def active_throughout(self, zn: int, t0: float, t1: float) -> bool:
        """Whether zone ``zn`` is active during the whole of ``[t0, t1)`` (s)."""
        return any(a <= t0 and t1 <= b for a, b in self.zone_windows_of(zn))

    def applies_to(self, zn: int, domain: Domain) -> bool:
        """Whether zone ``zn``'s rules apply to vehicles of ``domain``."""
        return bool(int(self.fences.kinds[zn]) & KIND_BIT[domain])

    def zone(self, zn: int) -> Zone:
        """The zone model of zone number ``zn``."""
        return self.fences.zones[zn]

    @cached_property
    def outlines(self) -> list[BaseGeometry]:
        """Each zone volume's 2-D outline in the local frame (shapely; circles as 256-gons)."""
        fa = self.fences
        out: list[BaseGeometry] = []
        for v in range(len(fa.vol_zone)):
            if fa.vol_circle[v]:
                out.append(shapely.Point(fa.cx[v], fa.cy[v]).buffer(fa.radius[v], quad_segs=64))
                continue
            rings = [
                shapely.Polygon(
                    np.column_stack(
                        [
                            fa.vx[fa.ring_off[r] : fa.ring_off[r + 1]],
                            fa.vy[fa.ring_off[r] : fa.ring_off[r + 1]],
                        ]
                    )
                )
                for r in range(int(fa.ring_start[v]), int(fa.ring_end[v]))
            ]
            out.append(reduce(lambda a, b: a.symmetric_difference(b), rings))  # even-odd rule
        return out

    @cached_property
    def hits(self) -> list[ZoneHit]:
        """Every (volume, zone) meeting in 4-D, earliest first, timed to the path.

        The zone-hit kernel finds the meetings of whole volumes (corridor pieces); each is then
        timed exactly (:meth:`_timed`): when the piece's path is inside the zone, against the
        zone's active windows. A meeting that the path makes only while the zone is inactive
        (a vehicle reaching a school zone the second it closes) is dropped.
        """
        fa = self.fences
        iv = self.volumes.iv
        if iv.n == 0 or len(fa.vol_zone) == 0:
            return []
        vol, zvol, ot0, ot1 = zone_hits(
            *iv.kernel_args(), fa.vol_zone, fa.vol_circle, fa.cx, fa.cy, fa.radius,
            fa.ring_start, fa.ring_end, fa.ring_off, fa.vx, fa.vy, fa.floor, fa.ceiling,
            fa.bbox, self.win_off, self.win_t0, self.win_t1, 250.0,
        )  # fmt: skip
        out = []
        for k in range(len(vol)):
            v, zv = int(vol[k]), int(zvol[k])
            zn = int(fa.vol_zone[zv])
            span: tuple[float, float] | None = (float(ot0[k]), float(ot1[k]))
            if self._matters(zn):
                span = self._timed(v, zv, zn)
            if span is None:
                continue
            out.append(
                ZoneHit(
                    plan=int(iv.plan[v]),
                    zone=zn,
                    t0=span[0],
                    t1=span[1],
                    where=self.volumes.where(v, span[0]),
                    speed=float(self.volumes.speed[v]),
                    z=float(self.volumes.z[v]),
                    vol=v,
                    zvol=zv,
                )
            )
        out.sort(key=lambda h: (h.t0, h.plan, h.zone, h.vol))
        return out

    def _matters(self, zn: int) -> bool:
        """Whether a rule reads meetings with zone ``zn`` (restrictions, speed or altitude caps)."""
        z = self.zone(zn)
        return (
            z.restriction is not Restriction.NO_RESTRICTION
            or z.rules.max_speed is not None
            or z.rules.max_altitude is not None
        )

    def _timed(self, v: int, zv: int, zn: int) -> tuple[float, float] | None:
        """When volume ``v``'s path is inside zone volume ``zv`` while zone ``zn`` is active.

        ``None`` when never. Where the part of the path inside cannot be computed (shapely
        misses a touch that the exact kernel saw), the whole volume's window is used.
        """
        iv = self.volumes.iv
        t0v, t1v = float(iv.t0[v]), float(iv.t1[v])
        part = self._inside_part(v, zv)
        if part is None:
            return _first_overlap(t0v, t1v, self.zone_windows_of(zn))
        u0, u1 = part
        a = t0v + u0 * (t1v - t0v)
        b = t0v + u1 * (t1v - t0v)
        if b - a <= TIME_EPS:  # an instant of contact: is the zone active then?
            for w0, w1 in self.zone_windows_of(zn):
                if w0 <= a < w1:
                    return a, max(a, min(t1v, w1))
            return None
        return _first_overlap(a, b, self.zone_windows_of(zn))

    def _inside_part(self, v: int, zv: int) -> tuple[float, float] | None:
        """Where volume ``v``'s segment is near zone volume ``zv``: fractions ``(u0, u1)``.

        From its first to its last point within the volume's radius of the zone volume (exact
        for circles), or ``None``.
        """
        fa = self.fences
        iv = self.volumes.iv
        ax, ay, bx, by = (float(iv.x0[v]), float(iv.y0[v]), float(iv.x1[v]), float(iv.y1[v]))
        r = float(iv.r[v])
        if ax == bx and ay == by:
            return 0.0, 1.0  # a column: in the zone (as the kernel says) all its window
        if fa.vol_circle[zv]:
            dx, dy = bx - ax, by - ay
            fx, fy = ax - float(fa.cx[zv]), ay - float(fa.cy[zv])
            rr = float(fa.radius[zv]) + r
            qa = dx * dx + dy * dy
            qb = 2.0 * (fx * dx + fy * dy)
            qc = fx * fx + fy * fy - rr * rr
            root = max(0.0, qb * qb - 4.0 * qa * qc) ** 0.5  # 0: the tangent the kernel saw
            u0 = max(0.0, (-qb - root) / (2.0 * qa))
            u1 = min(1.0, (-qb + root) / (2.0 * qa))
            return (u0, u1) if u0 <= u1 else None
        region = self.outlines[zv]
        if r > 0.0:
            region = region.buffer(r, quad_segs=16)
        seg = shapely.LineString([(ax, ay), (bx, by)])
        cut = seg.intersection(region)
        if cut.is_empty:
            return None
        us = [
            seg.project(shapely.Point(c)) / seg.length
            for g in getattr(cut, "geoms", [cut])
            for c in (g.coords[0], g.coords[-1])
        ]
        return min(us), max(us)

    # --- places and times --------------------------------------------------------------------
    def instant(self, t: float) -> dt.datetime:
        """The aware instant of scenario time ``t`` (s)."""
        return self.scenario.instant(t)

    def local_tz(self) -> dt.tzinfo:
        """The scenario's time zone (its ``time_zone``, else the fixed offset of ``start``)."""
        from sim.model.timeutil import zone_info

        if self.scenario.time_zone:
            return zone_info(self.scenario.time_zone)
        tz = self.scenario.start.tzinfo
        assert tz is not None
        return tz

    def lonlat(self, x: float, y: float) -> tuple[float, float] | None:
        """WGS84 lon/lat (deg) of a local position, or ``None`` when the map has no origin."""
        proj = self.frame.projection
        if proj is None:
            return None
        lon, lat = proj.to_wgs84(x, y)
        return float(lon), float(lat)

    def map_coords(self, x: float, y: float) -> tuple[float, float]:
        """A local position in the map file's own coordinates."""
        if self.map.header.crs is Crs.LOCAL or self.frame.projection is None:
            return x, y
        ll = self.lonlat(x, y)
        assert ll is not None
        return ll

    def ground(self, x: float, y: float) -> float:
        """Ground elevation (m AMSL) at a local position."""
        mx, my = self.map_coords(x, y)
        return self.map.ground_elevation(mx, my)


def _merge(pieces: list[tuple[float, float]]) -> list[tuple[float, float]]:
    out: list[tuple[float, float]] = []
    for a, b in sorted(p for p in pieces if p[1] > p[0]):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def _first_overlap(
    a: float, b: float, windows: list[tuple[float, float]]
) -> tuple[float, float] | None:
    """The first part of ``[a, b)`` (s) in one of ``windows`` longer than :data:`TIME_EPS`."""
    for w0, w1 in windows:
        lo, hi = max(a, w0), min(b, w1)
        if hi - lo > TIME_EPS:
            return lo, hi
    return None
