"""Agent states at any instant of a trace, read through the trace's random access.

:class:`TraceFrames` never loads the whole trace: a state at time ``t`` comes from the one or
two frames around ``t`` (the reader decodes only their chunk and keeps a few chunks cached),
positions are interpolated between them, and the matching of agents between two frames is
cached (a replay playing forwards reuses it for every drawn frame in between).
"""

from __future__ import annotations

import itertools
import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from sim.trace import Frame, TraceReader

F32 = npt.NDArray[np.float32]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

KIND_ICV = 0
KIND_UAV = 1
KIND_SHIP = 2
KIND_OTHER = 3
KIND_CODES = {"icv": KIND_ICV, "uav": KIND_UAV, "ship": KIND_SHIP}
"""Agent kinds of the trace's agent table as small integers."""
STATUS_NAMES = {0: "waiting", 1: "active", 2: "arrived", 3: "held", 4: "failed"}
"""Status codes the engine records (``sim.state.fleet``)."""
STATUS_HELD = 3
STATUS_FAILED = 4
V2X_FIELDS = ("mode", "link", "platoon")
"""Value columns of traces of connected vehicles: controller mode, followed agent, platoon head
(agent indices; -1 for none)."""


@dataclass(frozen=True, slots=True)
class AgentTable:
    """The trace's agent table as arrays indexed by the agent index of the frames.

    Attributes:
        ids: agent id strings, ``""`` where the index is unused.
        kind: kind codes (:data:`KIND_CODES`; :data:`KIND_OTHER` for others).
        tested: whether the agent runs under a permit (not background traffic).
        length: body length (m); a UAV's span.
        width: body width (m); a ship's beam, a UAV's span.
        rows: the table's rows (dicts) by index, for the panel.
    """

    ids: list[str]
    kind: npt.NDArray[np.int8]
    tested: npt.NDArray[np.bool_]
    length: F32
    width: F32
    rows: dict[int, dict[str, object]]

    @classmethod
    def of(cls, agents: list[dict[str, object]]) -> AgentTable:
        """Build from :attr:`TraceReader.agents`."""
        size = max((int(a["index"]) for a in agents), default=-1) + 1  # type: ignore[call-overload]
        ids = [""] * size
        kind = np.full(size, KIND_OTHER, dtype=np.int8)
        tested = np.zeros(size, dtype=np.bool_)
        length = np.ones(size, dtype=np.float32)
        width = np.ones(size, dtype=np.float32)
        rows: dict[int, dict[str, object]] = {}
        for a in agents:
            i = int(a["index"])  # type: ignore[call-overload]
            ids[i] = str(a["id"])
            kind[i] = KIND_CODES.get(str(a.get("kind")), KIND_OTHER)
            tested[i] = a.get("permit") is not None
            length[i] = _positive(a.get("length"))
            width[i] = _positive(a.get("width"))
            rows[i] = a
        return cls(ids, kind, tested, length, width, rows)

    def __len__(self) -> int:
        """Size of the index range (largest agent index + 1)."""
        return len(self.ids)

    def index_of(self, agent_id: str) -> int | None:
        """The index of an agent id, or None."""
        try:
            return self.ids.index(agent_id)
        except ValueError:
            return None

    def kinds_present(self) -> list[str]:
        """Names of the kinds in the table."""
        names = {v: k for k, v in KIND_CODES.items()}
        return sorted(names[int(k)] for k in np.unique(self.kind) if int(k) in names)


def _positive(value: object) -> float:
    if isinstance(value, int | float) and math.isfinite(value) and value > 0:
        return float(value)
    return 1.0


@dataclass(frozen=True, slots=True)
class AgentState:
    """The agents present at one instant, one row per agent.

    Attributes:
        t: the instant (s after the start).
        frame: the number of the last frame at or before ``t``.
        ids: agent indices (keys of :class:`AgentTable`).
        x: east (m), as recorded (an ICV's front bumper; a ship's or UAV's centre).
        y: north (m).
        z: altitude (m AMSL).
        heading: heading (rad, counter-clockwise from east).
        speed: speed (m/s).
        ttc: car-following time to collision (s; inf where none).
        status: status codes (:data:`STATUS_NAMES`).
        mode: connected-driving controller mode per agent (``viz.links.MODE_*``; -1 not
            connected), or None when the trace records no ``mode`` column.
        link: agent index of the vehicle whose V2X messages each agent follows (-1 none), or
            None when the trace records no ``link`` column.
        platoon: agent index of the head of each agent's platoon (-1 none), or None when the
            trace records no ``platoon`` column.
    """

    t: float
    frame: int
    ids: I32
    x: F32
    y: F32
    z: F32
    heading: F32
    speed: F32
    ttc: F32
    status: npt.NDArray[np.int8]
    mode: I32 | None = None
    link: I32 | None = None
    platoon: I32 | None = None

    def __len__(self) -> int:
        """Number of agents."""
        return int(self.ids.shape[0])

    def row_of(self, index: int) -> int | None:
        """The row of agent ``index``, or None if it is not present."""
        hits = np.nonzero(self.ids == index)[0]
        return int(hits[0]) if len(hits) else None


def match(a: I32, b: I32) -> tuple[I32, I32]:
    """Rows ``ia`` of ``a`` and ``ib`` of ``b`` with ``a[ia] == b[ib]`` (agents in both frames)."""
    if len(a) == 0 or len(b) == 0:
        empty = np.zeros(0, dtype=np.int32)
        return empty, empty
    if np.all(a[1:] > a[:-1]) and np.all(b[1:] > b[:-1]):  # the engine writes sorted ids
        pos = np.searchsorted(b, a)
        ok = pos < len(b)
        ok[ok] = b[pos[ok]] == a[ok]
        ia = np.nonzero(ok)[0]
        return ia.astype(np.int32), pos[ia].astype(np.int32)
    _, ia, ib = np.intersect1d(a, b, assume_unique=True, return_indices=True)
    return ia.astype(np.int32), ib.astype(np.int32)


@dataclass(frozen=True, slots=True)
class TrailSegments:
    """Straight pieces of the agents' recent paths (m), with the agent index of each."""

    x0: F32
    y0: F32
    x1: F32
    y1: F32
    agent: I32

    def __len__(self) -> int:
        """Number of segments."""
        return int(self.agent.shape[0])


class TraceFrames:
    """Agent states and trails at any time of a trace, from the reader's random access."""

    def __init__(self, reader: TraceReader, match_cache: int = 64) -> None:
        """Wrap an open reader.

        Args:
            reader: the trace.
            match_cache: how many frame-pair matchings to keep.
        """
        self.reader = reader
        fields = reader.fields
        if "x" not in fields or "y" not in fields:
            raise ValueError(f"the trace records no x, y positions (fields: {', '.join(fields)})")
        self._col = {name: fields.index(name) for name in fields}
        self.has_v2x = all(name in self._col for name in V2X_FIELDS)
        """Whether the trace records the connected-driving columns (:data:`V2X_FIELDS`)."""
        self._matches: OrderedDict[tuple[int, int], tuple[I32, I32]] = OrderedDict()
        self._match_cache = match_cache
        self._segments: OrderedDict[tuple[int, int], TrailSegments] = OrderedDict()
        times = reader.times
        self.times = times
        self.n_frames = len(times)
        self.t_first = float(times[0]) if len(times) else 0.0
        self.t_last = float(times[-1]) if len(times) else 0.0
        steps = np.diff(times)
        positive = steps[steps > 0]
        self.frame_interval = float(np.median(positive)) if len(positive) else 1.0
        """Typical time between frames (s)."""

    # --- frames ----------------------------------------------------------------------------

    def _column(self, frame: Frame, name: str, default: float) -> F32:
        col = self._col.get(name)
        if col is None:
            return np.full(len(frame), default, dtype=np.float32)
        return frame.values[:, col]

    def _code(self, frame: Frame, name: str) -> I32 | None:
        """A column of small integers (a mode, an agent index) as int32.

        -1 (none) where the value is negative or not finite; huge values are clipped (they
        match no agent).
        """
        col = self._col.get(name)
        if col is None:
            return None
        values = frame.values[:, col].astype(np.float64)
        codes = np.where(np.isfinite(values), np.rint(values), -1.0)
        return np.clip(codes, -1.0, float(2**30)).astype(np.int32)

    def _pair(self, i: int, j: int) -> tuple[I32, I32]:
        key = (i, j)
        hit = self._matches.get(key)
        if hit is not None:
            self._matches.move_to_end(key)
            return hit
        result = match(self.reader.frame(i).ids, self.reader.frame(j).ids)
        self._matches[key] = result
        if len(self._matches) > self._match_cache:
            self._matches.popitem(last=False)
        return result

    def index_at(self, t: float) -> int:
        """The number of the last frame at or before ``t`` (s); 0 before the first."""
        return self.reader.index_at(t)

    def state_at(self, t: float, interpolate: bool = True) -> AgentState:
        """The agents at ``t`` (s): those of the last frame at or before ``t``.

        With ``interpolate``, agents also present in the next frame are moved linearly towards
        it (positions, altitude, speed; headings along the shorter turn).

        Raises:
            IndexError: when the trace has no frames.
            TraceError: when the chunk holding the frame is corrupt.
        """
        k = self.index_at(t)
        fa = self.reader.frame(k)
        x = np.array(self._column(fa, "x", 0.0), dtype=np.float32)
        y = np.array(self._column(fa, "y", 0.0), dtype=np.float32)
        z = np.array(self._column(fa, "z", 0.0), dtype=np.float32)
        hd = np.array(self._column(fa, "heading", 0.0), dtype=np.float32)
        sp = np.array(self._column(fa, "speed", 0.0), dtype=np.float32)
        ttc = np.array(self._column(fa, "ttc", np.inf), dtype=np.float32)
        ta = float(self.times[k])
        if interpolate and k + 1 < self.n_frames and t > ta:
            tb = float(self.times[k + 1])
            if tb > ta:
                alpha = np.float32(min((t - ta) / (tb - ta), 1.0))
                fb = self.reader.frame(k + 1)
                ia, ib = self._pair(k, k + 1)
                for arr, name in ((x, "x"), (y, "y"), (z, "z"), (sp, "speed")):
                    other = self._column(fb, name, 0.0)
                    arr[ia] += alpha * (other[ib] - arr[ia])
                turn = self._column(fb, "heading", 0.0)[ib] - hd[ia]
                turn = (turn + np.float32(math.pi)) % np.float32(2 * math.pi) - np.float32(math.pi)
                hd[ia] += alpha * turn
        mode = link = platoon = None
        if self.has_v2x:  # discrete values: those of the frame at or before t
            mode, link, platoon = (self._code(fa, name) for name in V2X_FIELDS)
        return AgentState(t, k, fa.ids, x, y, z, hd, sp, ttc, fa.status, mode, link, platoon)

    # --- trails ----------------------------------------------------------------------------

    def _segments_between(self, i: int, j: int) -> TrailSegments:
        key = (i, j)
        hit = self._segments.get(key)
        if hit is not None:
            self._segments.move_to_end(key)
            return hit
        fi, fj = self.reader.frame(i), self.reader.frame(j)
        ia, ib = self._pair(i, j)
        xi, yi = self._column(fi, "x", 0.0), self._column(fi, "y", 0.0)
        xj, yj = self._column(fj, "x", 0.0), self._column(fj, "y", 0.0)
        seg = TrailSegments(
            np.ascontiguousarray(xi[ia]),
            np.ascontiguousarray(yi[ia]),
            np.ascontiguousarray(xj[ib]),
            np.ascontiguousarray(yj[ib]),
            np.ascontiguousarray(fi.ids[ia]),
        )
        self._segments[key] = seg
        if len(self._segments) > self._match_cache:
            self._segments.popitem(last=False)
        return seg

    def trail(self, state: AgentState, length: float, max_segments: int = 10) -> Trail:
        """The agents' paths over the ``length`` seconds before ``state``.

        The path runs through frames at fixed frame numbers (multiples of a step chosen so
        there are at most ``max_segments`` pieces), so trails do not flicker while playing and
        each piece can be cached by its pair of frame numbers; the live piece runs from the
        last frame to the current (interpolated) positions.
        """
        k = state.frame
        fk = self.reader.frame(k)
        live = TrailSegments(
            np.ascontiguousarray(self._column(fk, "x", 0.0)),
            np.ascontiguousarray(self._column(fk, "y", 0.0)),
            state.x,
            state.y,
            state.ids,
        )
        if length <= 0 or k == 0:
            return Trail([], live)
        frames_back = max(1, round(length / self.frame_interval))
        step = max(1, math.ceil(frames_back / max_segments))
        first = max(0, k - frames_back)
        anchors = list(range(first + (-first) % step, k + 1, step))
        if not anchors or anchors[0] != first:
            anchors.insert(0, first)
        if anchors[-1] != k:
            anchors.append(k)
        pieces = [((a, b), self._segments_between(a, b)) for a, b in itertools.pairwise(anchors)]
        return Trail(pieces, live)


@dataclass(frozen=True, slots=True)
class Trail:
    """Recent paths: pieces between recorded frames, and the live piece.

    The pieces are oldest first, each keyed by its pair of frame numbers; the live piece runs
    from the last frame to the current positions.
    """

    pieces: list[tuple[tuple[int, int], TrailSegments]]
    live: TrailSegments
