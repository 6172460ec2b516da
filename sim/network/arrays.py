"""A map layer as flat arrays for the kernels: directed edges, polylines, limits, bands.

Everything is in the local ENU frame (x east, y north, metres). Edge ``e``'s polyline is
``pts_x[pts_off[e]:pts_off[e + 1]]`` (and ``pts_y``), with ``pts_s`` the distance (m) along
the edge at each point. Headings are angles from east, counter-clockwise (rad).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from sim.geo.localmap import LocalFrame
from sim.model.map import Corridor, Direction, Junction, Map, Road, Vertiport, Waterway

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I8 = npt.NDArray[np.int8]

MAX_LANES = 8
"""Most lanes on one road edge (the schema's limit); lane groups are ``edge * MAX_LANES + lane``."""
NO_LIMIT = 1.0e9
"""Speed limit (m/s) used where an edge has none."""


@dataclass
class LayerArrays:
    """Flat arrays of one graph layer (``road``, ``air`` or ``water``).

    Attributes:
        layer: the layer name.
        edge_ids: directed edge ids (``ID`` or ``ID:rev``), index = edge number.
        node_ids: node ids, index = node number.
        edge_from, edge_to: node numbers at each end (int32).
        edge_length: length along the polyline (m).
        speed_limit: current limit (m/s); scripted events may change it during a run.
        lanes: lanes in the direction of travel (road; 1 elsewhere).
        lane_width: lane width (m).
        two_way: whether the drawn line carries both directions (lanes sit right of it).
        width, depth: waterway or corridor width (m) and waterway depth (m).
        floor, ceiling: corridor band (m AMSL) at each polyline point (air layer).
        pts_off: polyline offsets (int32, length E + 1).
        pts_x, pts_y, pts_s: polyline points (m) and distance along the edge (m).
        node_x, node_y: node positions (m); node_ground: ground elevation at nodes (m AMSL).
        node_signalised: whether a node has a traffic-signal plan (road).
        signal_state: per edge, the signal at its downstream end: 0 green/none, 1 yellow, 2 red.
        stop_offset: per edge, how far before its end (m) vehicles stop: 1 m outside the
            junction box.
        box_start, box_end: half size (m) of the junction box at each edge's start and end:
            half the width of the widest road meeting there; inside it a road vehicle moves
            on a straight chord from its lane on one edge to its lane on the next.
    """

    layer: str
    edge_ids: list[str]
    node_ids: list[str]
    edge_from: I32
    edge_to: I32
    edge_length: F64
    speed_limit: F64
    lanes: I32
    lane_width: F64
    two_way: npt.NDArray[np.bool_]
    width: F64
    depth: F64
    pts_off: I32
    pts_x: F64
    pts_y: F64
    pts_s: F64
    floor: F64
    ceiling: F64
    node_x: F64
    node_y: F64
    node_ground: F64
    node_signalised: npt.NDArray[np.bool_]
    signal_state: I8
    stop_offset: F64 = field(default_factory=lambda: np.zeros(0))
    box_start: F64 = field(default_factory=lambda: np.zeros(0))
    box_end: F64 = field(default_factory=lambda: np.zeros(0))
    edge_index: dict[str, int] = field(default_factory=dict)
    node_index: dict[str, int] = field(default_factory=dict)
    node_is_vertiport: npt.NDArray[np.bool_] = field(
        default_factory=lambda: np.zeros(0, dtype=np.bool_)
    )

    @property
    def n_edges(self) -> int:
        """Number of directed edges."""
        return len(self.edge_ids)

    def edge_between(self, a: str, b: str) -> int:
        """The shortest directed edge from node ``a`` to node ``b``; raises ``KeyError``."""
        ia, ib = self.node_index[a], self.node_index[b]
        cands = np.nonzero((self.edge_from == ia) & (self.edge_to == ib))[0]
        if len(cands) == 0:
            raise KeyError(f"no {self.layer} edge from {a!r} to {b!r}")
        return int(cands[np.argmin(self.edge_length[cands])])


def build_layer(the_map: Map, layer: str, frame: LocalFrame | None = None) -> LayerArrays:
    """Flatten one layer of a map into :class:`LayerArrays` (projected once to local metres)."""
    frame = frame or LocalFrame.of_map(the_map)
    nodes = the_map.nodes(layer)
    node_ids = list(nodes)
    node_index = {n: i for i, n in enumerate(node_ids)}
    node_xy = frame.xy([nodes[n].position for n in node_ids]) if node_ids else np.zeros((0, 2))
    ground = np.array([_node_ground(the_map, nodes[n]) for n in node_ids], dtype=np.float64)
    signalised = np.array(
        [isinstance(nodes[n], Junction) and nodes[n].signal is not None for n in node_ids],  # type: ignore[union-attr]
        dtype=np.bool_,
    )
    directed = the_map.directed_edges(layer)
    e_from, e_to, length, limit, lanes, lane_w, two_way, width, depth = ([] for _ in range(9))
    off = [0]
    px: list[F64] = []
    py: list[F64] = []
    ps: list[F64] = []
    fl: list[F64] = []
    ce: list[F64] = []
    for d in directed:
        xy = frame.xy(d.coordinates)
        if isinstance(d.edge, Road):
            xy = round_corners(xy, max(MIN_BEND_RADIUS, 2.0 * d.edge.lanes * d.edge.lane_width))
        seg = np.hypot(*np.diff(xy, axis=0).T)
        s = np.concatenate([[0.0], np.cumsum(seg)])
        px.append(xy[:, 0])
        py.append(xy[:, 1])
        ps.append(s)
        off.append(off[-1] + len(xy))
        e = d.edge
        e_from.append(node_index[d.src])
        e_to.append(node_index[d.dst])
        length.append(float(s[-1]))
        two_way.append(e.direction is Direction.BOTH)
        if isinstance(e, Road):
            limit.append(e.speed_limit)
            lanes.append(e.lanes)
            lane_w.append(e.lane_width)
            width.append(e.lanes * e.lane_width)
            depth.append(0.0)
        elif isinstance(e, Corridor):
            limit.append(e.speed_limit or NO_LIMIT)
            lanes.append(1)
            lane_w.append(e.width)
            width.append(e.width)
            depth.append(0.0)
        elif isinstance(e, Waterway):
            limit.append(e.speed_limit)
            lanes.append(1)
            lane_w.append(e.width)
            width.append(e.width)
            depth.append(e.depth)
        if isinstance(e, Corridor):
            pts = d.coordinates
            fl.append(np.array([_amsl(the_map, e.floor, p) for p in pts], dtype=np.float64))
            ce.append(np.array([_amsl(the_map, e.ceiling, p) for p in pts], dtype=np.float64))
        else:
            fl.append(np.full(len(xy), -np.inf))
            ce.append(np.full(len(xy), np.inf))

    def cat(parts: list[F64]) -> F64:
        return np.concatenate(parts).astype(np.float64) if parts else np.zeros(0)

    n_e = len(directed)
    arrays = LayerArrays(
        layer=layer,
        edge_ids=[d.id for d in directed],
        node_ids=node_ids,
        edge_from=np.array(e_from, dtype=np.int32),
        edge_to=np.array(e_to, dtype=np.int32),
        edge_length=np.array(length, dtype=np.float64),
        speed_limit=np.array(limit, dtype=np.float64),
        lanes=np.array(lanes, dtype=np.int32),
        lane_width=np.array(lane_w, dtype=np.float64),
        two_way=np.array(two_way, dtype=np.bool_),
        width=np.array(width, dtype=np.float64),
        depth=np.array(depth, dtype=np.float64),
        pts_off=np.array(off, dtype=np.int32),
        pts_x=cat(px),
        pts_y=cat(py),
        pts_s=cat(ps),
        floor=cat(fl),
        ceiling=cat(ce),
        node_x=np.ascontiguousarray(node_xy[:, 0], dtype=np.float64),
        node_y=np.ascontiguousarray(node_xy[:, 1], dtype=np.float64),
        node_ground=ground,
        node_signalised=signalised,
        signal_state=np.zeros(n_e, dtype=np.int8),
        node_is_vertiport=np.array(
            [isinstance(nodes[n], Vertiport) for n in node_ids], dtype=np.bool_
        ),
    )
    arrays.box_start, arrays.box_end, arrays.stop_offset = _junction_boxes(arrays)
    arrays.edge_index = {eid: i for i, eid in enumerate(arrays.edge_ids)}
    arrays.node_index = node_index
    return arrays


MIN_BEND_RADIUS = 10.0
"""Smallest radius (m) of the arcs that replace a road's sharp bends (see :func:`round_corners`)."""
BEND_ANGLE = math.radians(20.0)
"""Bends sharper than this (rad) are rounded."""
ARC_STEP = math.radians(5.0)
"""Angle (rad) between the points of a rounded bend."""


def round_corners(xy: F64, radius: float) -> F64:
    """A road's polyline (m) with every bend sharper than :data:`BEND_ANGLE` rounded.

    Lanes are drawn at fixed offsets from the line, segment by segment: at a sharp vertex the
    offset lanes jump, and a body spanning the vertex cuts across the lane beside it (on a
    two-way road, into oncoming traffic). Each such vertex becomes a circular arc of
    ``radius`` m (less where the neighbouring segments are too short: the arc takes at most
    half of each), in steps of at most :data:`ARC_STEP`. The end points stay; the result is
    the same, reversed, for the reversed line.
    """
    n = len(xy)
    if n < 3:
        return xy
    seg = np.diff(xy, axis=0)
    lens = np.hypot(seg[:, 0], seg[:, 1])
    out = [xy[0]]
    for k in range(1, n - 1):
        a, b = seg[k - 1], seg[k]
        la, lb = lens[k - 1], lens[k]
        if la <= 0.0 or lb <= 0.0:
            out.append(xy[k])
            continue
        turn = math.atan2(a[0] * b[1] - a[1] * b[0], a[0] * b[0] + a[1] * b[1])
        if abs(turn) <= BEND_ANGLE or abs(turn) > math.radians(170.0):
            out.append(xy[k])
            continue
        half = math.tan(0.5 * abs(turn))
        tangent = min(radius * half, 0.5 * la, 0.5 * lb)
        r = tangent / half
        da = a / la
        start = xy[k] - tangent * da
        sign = 1.0 if turn > 0.0 else -1.0
        centre = start + sign * r * np.array([-da[1], da[0]])
        steps = max(2, math.ceil(abs(turn) / ARC_STEP))
        h0 = math.atan2(da[1], da[0])
        for j in range(steps + 1):
            h = h0 + sign * abs(turn) * j / steps
            out.append(centre + sign * r * np.array([math.sin(h), -math.cos(h)]))
    out.append(xy[-1])
    return np.array(out, dtype=np.float64)


CORNER_RADIUS = 4.0
"""Kerb radius of junction corners (m), as netconvert's ``--default.junctions.radius``."""


def _junction_boxes(a: LayerArrays) -> tuple[F64, F64, F64]:
    """Junction box half sizes at each edge's start and end, and the stop-line offsets (m).

    A junction's box reaches :data:`CORNER_RADIUS` beyond the widest road meeting there (its
    full width when it carries both directions, as each direction's lanes lie on one side of
    its line), so that a turn from the kerb lane has a radius a bus can drive; vehicles stop
    1 m outside it. Boxes take at most a third of an edge, less 1 m.
    """
    half = np.zeros(len(a.node_ids))
    for e in range(a.n_edges):
        w = a.lanes[e] * a.lane_width[e] * (1.0 if a.two_way[e] else 0.5) + CORNER_RADIUS
        p0, p1 = int(a.pts_off[e]), int(a.pts_off[e + 1])
        length = float(a.edge_length[e])
        # a short first or last segment (at most twice the box) joins the lanes to the
        # junction's centre (SUMO imports): the box covers it and 0.5 m more, so that box
        # paths start on the lanes proper, with their heading
        first = float(a.pts_s[p0 + 1]) if p1 - p0 > 2 else 0.0
        last = length - float(a.pts_s[p1 - 2]) if p1 - p0 > 2 else 0.0
        for node, anchor in ((a.edge_from[e], first), (a.edge_to[e], last)):
            extra = anchor + 0.5 if anchor < min(length / 3.0, 2.0 * w) else 0.0
            half[node] = max(half[node], w, extra)
    limit = np.maximum(a.edge_length / 3.0 - 1.0, 0.0)
    box_start = np.minimum(half[a.edge_from], limit) if a.n_edges else np.zeros(0)
    box_end = np.minimum(half[a.edge_to], limit) if a.n_edges else np.zeros(0)
    return box_start.astype(np.float64), box_end.astype(np.float64), box_end + 1.0


def _node_ground(the_map: Map, node: object) -> float:
    if isinstance(node, Vertiport) and node.elevation is not None:
        return float(node.elevation)
    pos = node.position  # type: ignore[attr-defined]
    return the_map.ground_elevation(pos[0], pos[1])


def _amsl(the_map: Map, alt: object, pos: tuple[float, ...]) -> float:
    value = the_map.to_amsl(alt, pos[0], pos[1])  # type: ignore[arg-type]
    if value is None:  # WGS84 ellipsoid heights: no geoid model here, taken as AMSL
        return float(alt.value)  # type: ignore[attr-defined]
    return float(value)
