"""Everything a replay shows, opened from one trace file: map, zones, agents, events.

:func:`open_replay` reads the trace's header, agent table, events and summary (the frames stay
on disk), then the map and zone files the header names (paths relative to the trace), or the
ones given instead.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from types import TracebackType
from typing import Any, Self

import numpy as np
import numpy.typing as npt
import shapely

from sim.trace import TraceReader
from viz.agents import KIND_UAV, AgentState, AgentTable, TraceFrames
from viz.events import EventIndex
from viz.scene import (
    MapScene,
    ProjectorFactory,
    SceneError,
    ZoneShape,
    load_map_scene,
    load_zone_sets,
    zone_shapes,
)

F64 = npt.NDArray[np.float64]

MIN_VIEW = 200.0
"""Smallest width (m) of the first view."""
FLASH_WINDOW = 10.0
"""How long (s of run time, at 1x) a breached zone flashes after the breach."""


@dataclass(frozen=True, slots=True)
class ZoneState:
    """Which zones are active and which flash (a recent breach), by zone number."""

    active: tuple[bool, ...]
    flashing: tuple[bool, ...]


@dataclass
class Replay:
    """An open trace with its map and zones, ready to draw.

    Attributes:
        path: the trace file.
        reader: its reader (frames are read on demand).
        frames: agent states at any time.
        agents: the agent table.
        events: the event index.
        map: the map's layers (None when the trace names no map).
        zones: the zones.
        start: the scenario's start (aware date-time); times are seconds after it.
        t_end: the end of the run (s).
        title: the scenario's name.
    """

    path: Path
    reader: TraceReader
    frames: TraceFrames
    agents: AgentTable
    events: EventIndex
    map: MapScene | None
    zones: list[ZoneShape]
    start: dt.datetime
    t_end: float
    title: str
    _overrides: list[tuple[list[float], list[bool]]] = field(default_factory=list)
    _breaches: list[list[float]] = field(default_factory=list)
    _elevation: list[tuple[Any, float]] = field(default_factory=list)

    # --- lifetime --------------------------------------------------------------------------

    def close(self) -> None:
        """Close the trace file."""
        self.reader.close()

    def __enter__(self) -> Self:
        """Return the replay itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the trace file."""
        self.close()

    # --- queries ---------------------------------------------------------------------------

    @property
    def t_first(self) -> float:
        """Time of the first frame (s)."""
        return self.frames.t_first

    @property
    def t_last(self) -> float:
        """Time of the last frame (s)."""
        return self.frames.t_last

    @property
    def summary(self) -> dict[str, Any] | None:
        """The run summary recorded in the trace."""
        return self.reader.summary

    @property
    def violation_counts(self) -> dict[str, int]:
        """Violations by rule, from the run summary (empty when there are none or no summary)."""
        found = (self.summary or {}).get("violations")
        if not isinstance(found, dict):
            return {}
        return {str(k): int(v) for k, v in found.items() if isinstance(v, int)}

    @property
    def header(self) -> dict[str, Any]:
        """The trace header."""
        return self.reader.header

    def state_at(self, t: float, interpolate: bool = True) -> AgentState:
        """The agents at ``t`` (s); see :meth:`TraceFrames.state_at`."""
        return self.frames.state_at(t, interpolate)

    def zone_state(self, t: float, flash_window: float = FLASH_WINDOW) -> ZoneState:
        """Zone activity at ``t`` (s): the schedule, unless a platform opened or closed it.

        A zone flashes during ``flash_window`` seconds after each breach of it, switching
        three times a window (a function of ``t`` only, so renders are reproducible).
        """
        active = []
        flashing = []
        for z, (times, states), breaches in zip(
            self.zones, self._overrides, self._breaches, strict=True
        ):
            k = bisect.bisect_right(times, t) - 1
            active.append(states[k] if k >= 0 else z.scheduled_at(t))
            b = bisect.bisect_right(breaches, t) - 1
            on = False
            if b >= 0 and t - breaches[b] < flash_window:
                on = int((t - breaches[b]) / flash_window * 6) % 2 == 0
            flashing.append(on)
        return ZoneState(tuple(active), tuple(flashing))

    def ground_at(self, x: F64, y: F64) -> F64:
        """Ground elevation (m AMSL) at local positions (m).

        The highest terrain area there, or the map's default ground elevation.
        """
        base = self.map.ground_elevation if self.map is not None else 0.0
        best = np.full(np.shape(x), -np.inf, dtype=np.float64)
        for poly, elevation in self._elevation:
            inside = shapely.contains_xy(poly, x, y)
            best = np.where(inside, np.maximum(best, elevation), best)
        return np.where(np.isfinite(best), best, base)

    def height_agl(self, state: AgentState) -> F64:
        """Each agent's height above the ground below it (m; 0 for non-UAVs)."""
        out = np.zeros(len(state), dtype=np.float64)
        uav = self.agents.kind[state.ids] == KIND_UAV
        if uav.any():
            x = state.x[uav].astype(np.float64)
            y = state.y[uav].astype(np.float64)
            out[uav] = state.z[uav] - self.ground_at(x, y)
        return out

    def bounds(self) -> tuple[float, float, float, float]:
        """What to show at first (m): the map, else the zones, else the first frame's agents.

        A map smaller than :data:`MIN_VIEW` m across (a lone vertiport of an imported
        geofence) is shown with its zones, and at least that wide.
        """
        if self.map is not None:
            b = self.map.bounds()
            if b is not None and max(b[2] - b[0], b[3] - b[1]) >= MIN_VIEW:
                return b
            if b is not None:
                for z in self.zones:
                    e = z.extent()
                    b = (min(b[0], e[0]), min(b[1], e[1]), max(b[2], e[2]), max(b[3], e[3]))
                cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
                half = max(b[2] - b[0], b[3] - b[1], MIN_VIEW) / 2
                return (cx - half, cy - half, cx + half, cy + half)
        if self.zones:
            ext = np.array([z.extent() for z in self.zones])
            return (
                float(ext[:, 0].min()),
                float(ext[:, 1].min()),
                float(ext[:, 2].max()),
                float(ext[:, 3].max()),
            )
        if self.frames.n_frames:
            st = self.frames.state_at(self.t_first, interpolate=False)
            if len(st):
                return (
                    float(st.x.min()),
                    float(st.y.min()),
                    float(st.x.max()),
                    float(st.y.max()),
                )
        return (-500.0, -500.0, 500.0, 500.0)


def number(value: object) -> float | None:
    """``value`` as a finite float, or None (summaries are data from a file)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value) if math.isfinite(value) else None


def _resolve(trace: Path, name: object, what: str) -> Path:
    if not isinstance(name, str) or not name:
        raise SceneError(trace, f"the trace header's {what} is not a file name")
    p = Path(name)
    return p if p.is_absolute() else trace.parent / p


def open_replay(
    path: Path,
    projector: ProjectorFactory | None = None,
    map_path: Path | None = None,
    zone_paths: Sequence[Path] | None = None,
    cache_chunks: int = 4,
) -> Replay:
    """Open a trace and the map and zones it was run on.

    Args:
        path: the trace file.
        projector: builds the map's lon/lat -> local metres projection (needed for ``wgs84``
            maps; the commands pass ``sim.geo``'s).
        map_path: the map to draw instead of the one the header names.
        zone_paths: zone files to draw instead of the ones the header names.
        cache_chunks: decoded chunks the reader keeps in memory.

    Raises:
        TraceError: the trace is missing, truncated or corrupt.
        ModelError: the map or a zone file is missing or invalid.
        SceneError: the header does not say where the map is, or a lon/lat map has no
            projection.
    """
    reader = TraceReader(path, cache_chunks=cache_chunks)
    try:
        return _build(path, reader, projector, map_path, zone_paths)
    except BaseException:
        reader.close()
        raise


def _build(
    path: Path,
    reader: TraceReader,
    projector: ProjectorFactory | None,
    map_path: Path | None,
    zone_paths: Sequence[Path] | None,
) -> Replay:
    header = reader.header
    try:
        frames = TraceFrames(reader)
    except ValueError as exc:
        raise SceneError(path, str(exc)) from None
    if frames.n_frames == 0:
        raise SceneError(path, "the trace has no frames to show")
    try:
        start = dt.datetime.fromisoformat(str(header.get("start")))
    except ValueError:
        raise SceneError(
            path, f"the trace header's start {header.get('start')!r} is not a date-time"
        ) from None
    if start.utcoffset() is None:
        start = start.replace(tzinfo=dt.UTC)
    duration = header.get("duration")
    t_end = max(
        float(duration) if isinstance(duration, int | float) and math.isfinite(duration) else 0.0,
        frames.t_last,
    )
    scene: MapScene | None = None
    project = None
    if map_path is None and "map_file" in header:
        map_path = _resolve(path, header["map_file"], "map_file")
        if not map_path.is_file():
            raise SceneError(
                path,
                f"the map it was run on is not at {map_path} (the header names "
                f"{header['map_file']!r}, relative to the trace); give the map with --map FILE",
            )
    if map_path is not None:
        scene, project = load_map_scene(map_path, projector)
    if zone_paths is None:
        names = header.get("zone_files", [])
        if not isinstance(names, list):
            raise SceneError(path, "the trace header's zone_files is not a list of file names")
        zone_paths = [_resolve(path, n, "zone_files entry") for n in names]
        for zp, name in zip(zone_paths, names, strict=True):
            if not zp.is_file():
                raise SceneError(
                    path,
                    f"the zone file it was run with is not at {zp} (the header names {name!r}, "
                    "relative to the trace); give the zone files with --zones FILE",
                )
    zones: list[ZoneShape] = []
    if zone_paths:
        if project is None:
            raise SceneError(zone_paths[0], "zones need the map they lie on (give --map)")
        zones = zone_shapes(load_zone_sets(zone_paths), project, start, t_end)
    events = EventIndex(reader.events)
    replay = Replay(
        path=path,
        reader=reader,
        frames=frames,
        agents=AgentTable.of(reader.agents),
        events=events,
        map=scene,
        zones=zones,
        start=start,
        t_end=t_end,
        title=str(header.get("scenario_name") or path.stem),
    )
    index = {z.id: k for k, z in enumerate(zones)}
    replay._overrides = [([], []) for _ in zones]
    replay._breaches = [[] for _ in zones]
    for row in events.all:
        zid = row.raw.get("zone")
        k = index.get(zid) if isinstance(zid, str) else None
        if k is None:
            continue
        kind = row.raw.get("kind")
        if kind in ("close_zone", "open_zone"):
            replay._overrides[k][0].append(row.t)
            replay._overrides[k][1].append(kind == "close_zone")
        elif row.category == "violation":
            replay._breaches[k].append(row.t)
    if scene is not None:
        for area in scene.elevation_areas:
            poly = shapely.Polygon(area.rings[0], holes=list(area.rings[1:]))
            shapely.prepare(poly)
            replay._elevation.append((poly, area.value))
    return replay
