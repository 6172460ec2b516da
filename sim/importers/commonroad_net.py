"""A CommonRoad lanelet network as testzone roads and junctions (local metres).

- **Junction connectors**: lanelets inside an intersection (the successors of its incomings,
  2020a ``<intersection>``) are not roads: their ends merge into one junction node, and the
  box model of the engine drives the turns. Files without intersection elements (2018b) get
  the same treatment for lanelets without a same-direction neighbour that leave a fork (their
  predecessor has several successors) or enter a merge (their successor has several
  predecessors).
- **Roads**: the other lanelets grouped by same-direction adjacency (``adjacentLeft`` /
  ``adjacentRight`` with ``drivingDir="same"``) into one-way multi-lane roads, lanes ordered
  from the right. The road's line is the centre between its rightmost lane's right bound and
  its leftmost lane's left bound; its lane width is the mean width over the lanes (clipped to
  2..6 m).
- **Nodes**: the end of a road and the start of each road its lanelets lead to (directly or
  through connectors) are one node, placed at the mean of those ends, or at the mean of the
  connectors' centre lines for an intersection; roads are extended to their nodes.
- **Speed limits**: the lanelets' own (2018b ``<speedLimit>``, 2020a max-speed signs), the
  lowest over a road's lanes; where the file has none, the caller infers one.

Lanes keep their index from the right across a node (the engine's convention), so where a
road gains a lane on its right (an on-ramp joining), lane indices shift by one there.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from shapely import LineString, MultiPoint

from sim.importers.commonroad_xml import Lanelet, Scenario, centre_line, resample

MIN_LANE_WIDTH = 2.0
MAX_LANE_WIDTH = 6.0
"""Lane widths (m) the map schema accepts; measured widths are clipped to them."""
TAPER = 30.0
"""Length (m) over which a road's line shifts to meet a node beside its end (at most half
the road's length)."""


@dataclass
class Section:
    """One road: lanelets side by side (ids, rightmost first), from node ``src`` to ``dst``."""

    id: str
    lanelets: list[int]
    line: np.ndarray
    """Centre line (n, 2), m."""
    lane_width: float
    speed_limit: float | None
    """m/s, or None when no lanelet has one."""
    road_class: str
    src: str = ""
    dst: str = ""


@dataclass
class LaneletNetwork:
    """Roads and nodes of a lanelet network, and where each lanelet went."""

    sections: list[Section]
    nodes: dict[str, tuple[float, float]]
    """Node id -> position (m)."""
    section_of: dict[int, Section]
    """Lanelet id -> its road (connectors are absent)."""
    node_of_connector: dict[int, str]
    """Connector lanelet id -> its junction node."""
    notes: list[str] = field(default_factory=list)


class _UnionFind:
    def __init__(self) -> None:
        self.parent: dict[object, object] = {}

    def find(self, a: object) -> object:
        self.parent.setdefault(a, a)
        root = a
        while self.parent[root] != root:
            root = self.parent[root]
        while self.parent[a] != root:
            self.parent[a], a = root, self.parent[a]
        return root

    def union(self, a: object, b: object) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self.parent[rb] = ra


def connectors(sc: Scenario) -> set[int]:
    """Lanelet ids that are junction connectors (see the module docstring)."""
    out: set[int] = set()
    for inter in sc.intersections.values():
        for inc in inter.incomings:
            out.update(inc.successors_right, inc.successors_straight, inc.successors_left)
    lls = sc.lanelets
    if sc.intersections:
        return _close_over(sc, {i for i in out if i in lls})
    for ll in lls.values():
        if _same_neighbour(ll, lls):
            continue
        fork = any(len(lls[p].successors) > 1 for p in ll.predecessors if p in lls)
        merge = any(len(lls[q].predecessors) > 1 for q in ll.successors if q in lls)
        if fork or merge:
            out.add(ll.id)
    return out


def _close_over(sc: Scenario, declared: set[int]) -> set[int]:
    """Add the lanelets continuing a declared connector inside its intersection.

    Files often split a movement into two lanelets and declare only the first; a successor or
    predecessor of a connector, not an incoming lanelet, whose centre line lies inside the
    convex hull of the declared connectors (1 m margin), is a connector too.
    """
    lls = sc.lanelets
    incoming = {
        i for inter in sc.intersections.values() for inc in inter.incomings
        for i in inc.incoming_lanelets
    }  # fmt: skip
    out = set(declared)
    if not out:
        return out
    hull = MultiPoint(np.vstack([lls[c].centre for c in out])).convex_hull.buffer(1.0)
    todo = list(out)
    while todo:
        c = todo.pop()
        for q in (*lls[c].successors, *lls[c].predecessors):
            if q in out or q not in lls or q in incoming:
                continue
            line = LineString(lls[q].centre)
            if line.length > 0 and line.intersection(hull).length >= 0.8 * line.length:
                out.add(q)
                todo.append(q)
    return out


def _same_neighbour(ll: Lanelet, lls: dict[int, Lanelet]) -> bool:
    return (ll.adjacent_left in lls and ll.adjacent_left_dir == "same") or (
        ll.adjacent_right in lls and ll.adjacent_right_dir == "same"
    )


def _road_class(types: set[str]) -> str:
    if types & {"highway", "interstate", "accessRamp", "exitRamp"}:
        return "highway"
    return "urban"


def _group(sc: Scenario, conn: set[int]) -> list[list[int]]:
    """Same-direction neighbours of the non-connector lanelets, each group rightmost first."""
    lls = sc.lanelets
    uf = _UnionFind()
    for ll in lls.values():
        if ll.id in conn:
            continue
        uf.find(ll.id)
        for other, way in (
            (ll.adjacent_left, ll.adjacent_left_dir),
            (ll.adjacent_right, ll.adjacent_right_dir),
        ):
            if other in lls and other not in conn and way == "same":
                uf.union(ll.id, other)
    groups: dict[object, list[int]] = {}
    for lid in lls:
        if lid not in conn:
            groups.setdefault(uf.find(lid), []).append(lid)
    out = []
    for members in groups.values():
        out.append(_right_to_left(members, lls))
    return out


def _right_to_left(members: list[int], lls: dict[int, Lanelet]) -> list[int]:
    inside = set(members)
    starts = [
        m
        for m in members
        if not (lls[m].adjacent_right in inside and lls[m].adjacent_right_dir == "same")
    ]
    if len(starts) == 1:
        order, cur = [starts[0]], starts[0]
        while lls[cur].adjacent_left in inside and lls[cur].adjacent_left not in order:
            cur = lls[cur].adjacent_left  # type: ignore[assignment]
            order.append(cur)
        if len(order) == len(members):
            return order
    # inconsistent links: order by lateral position, right to left, at the first lane's middle
    ref = lls[members[0]].centre
    mid = ref[len(ref) // 2]
    k = min(len(ref) - 1, len(ref) // 2 + 1)
    d = ref[k] - ref[max(0, k - 1)]
    left = np.array([-d[1], d[0]])
    return sorted(members, key=lambda m: float(np.dot(_nearest(lls[m].centre, mid) - mid, left)))


def _nearest(line: np.ndarray, p: np.ndarray) -> np.ndarray:
    return line[int(np.argmin(np.hypot(*(line - p).T)))]


def build_network(sc: Scenario) -> LaneletNetwork:
    """Roads and junction nodes of ``sc``'s lanelets (see the module docstring)."""
    lls = sc.lanelets
    conn = connectors(sc)
    sections: list[Section] = []
    section_of: dict[int, Section] = {}
    for members in _group(sc, conn):
        right, left = lls[members[0]], lls[members[-1]]
        line = centre_line(left.left_bound, right.right_bound)
        n = len(line)
        lb = resample(left.left_bound, n)
        rb = resample(right.right_bound, n)
        width = float(np.mean(np.hypot(*(lb - rb).T))) / len(members)
        limits = [lls[m].speed_limit for m in members if lls[m].speed_limit is not None]
        types = {t for m in members for t in lls[m].lanelet_types}
        sec = Section(
            id=f"L{members[0]}",
            lanelets=members,
            line=line,
            lane_width=float(np.clip(width, MIN_LANE_WIDTH, MAX_LANE_WIDTH)),
            speed_limit=min(limits) if limits else None,  # type: ignore[type-var]
            road_class=_road_class(types),
        )
        sections.append(sec)
        for m in members:
            section_of[m] = sec
    # nodes: road ends joined through successor links (and through connectors)
    uf = _UnionFind()
    for sec in sections:
        uf.find(("start", sec.id))
        uf.find(("end", sec.id))
    for ll in lls.values():
        here: object = ("conn", ll.id) if ll.id in conn else ("end", section_of[ll.id].id)
        for q in ll.successors:
            if q not in lls:
                continue
            there = ("conn", q) if q in conn else ("start", section_of[q].id)
            if ll.id in conn:
                uf.union(("conn", ll.id), there)
            else:
                uf.union(here, there)
        for p in ll.predecessors:
            if p not in lls:
                continue
            before = ("conn", p) if p in conn else ("end", section_of[p].id)
            uf.union(before, ("conn", ll.id) if ll.id in conn else ("start", section_of[ll.id].id))
    for inter in sc.intersections.values():  # one intersection, one junction node
        first = None
        for inc in inter.incomings:
            for c in (*inc.successors_right, *inc.successors_straight, *inc.successors_left):
                if c in conn:
                    first = first or ("conn", c)
                    uf.union(first, ("conn", c))
    points: dict[object, list[np.ndarray]] = {}
    has_conn: set[object] = set()
    for sec in sections:
        points.setdefault(uf.find(("start", sec.id)), []).append(sec.line[:1])
        points.setdefault(uf.find(("end", sec.id)), []).append(sec.line[-1:])
    for c in conn:
        root = uf.find(("conn", c))
        if root not in has_conn:
            points[root] = []
            has_conn.add(root)
        points[root].append(lls[c].centre)
    outs: dict[object, list[Section]] = {}
    ins: dict[object, list[Section]] = {}
    for sec in sections:
        outs.setdefault(uf.find(("start", sec.id)), []).append(sec)
        ins.setdefault(uf.find(("end", sec.id)), []).append(sec)
    names: dict[object, str] = {}
    nodes: dict[str, tuple[float, float]] = {}
    for k, root in enumerate(sorted(points, key=_node_order(sections, uf))):
        names[root] = f"J{k}"
        if root not in has_conn and len(outs.get(root, [])) == 1:
            p = outs[root][0].line[0]  # a chain or a merge: where the road on starts
        elif root not in has_conn and len(ins.get(root, [])) == 1:
            p = ins[root][0].line[-1]  # a fork: where the road in ends
        else:
            p = np.vstack(points[root]).mean(axis=0)
        nodes[names[root]] = (float(p[0]), float(p[1]))
    for sec in sections:
        sec.src = names[uf.find(("start", sec.id))]
        sec.dst = names[uf.find(("end", sec.id))]
        half = 0.5 * sec.lane_width * len(sec.lanelets)
        sec.line = _to_nodes(sec.line, nodes[sec.src], nodes[sec.dst], half)
    node_of_connector = {c: names[uf.find(("conn", c))] for c in conn}
    notes: list[str] = []
    loops = [s.id for s in sections if s.src == s.dst]
    if loops:
        notes.append(f"roads {', '.join(loops)} start and end at one node (kept as loops)")
    return LaneletNetwork(sections, nodes, section_of, node_of_connector, notes)


def _node_order(sections: list[Section], uf: _UnionFind) -> Callable[[object], tuple[int, str]]:
    """Nodes numbered in the order the roads (file order) first reach them: stable ids."""
    rank: dict[object, int] = {}
    for sec in sections:
        for key in (("start", sec.id), ("end", sec.id)):
            rank.setdefault(uf.find(key), len(rank))
    return lambda root: (rank.get(root, len(rank)), str(root))


def _to_nodes(
    line: np.ndarray, a: tuple[float, float], b: tuple[float, float], half_width: float
) -> np.ndarray:
    """A road line running from node ``a`` to node ``b``.

    An end within the road's half width of its node is moved onto it (a lane shift where a
    road gains or loses a lane), the shift fading out over :data:`TAPER` m of the line so its
    direction barely changes; a farther node (an intersection's centre) is appended.
    """
    out = line.copy()
    seg = np.hypot(*np.diff(out, axis=0).T)
    s = np.concatenate([[0.0], np.cumsum(seg)])
    taper = min(TAPER, 0.5 * s[-1])
    if np.hypot(*(out[0] - a)) <= half_width:  # shift the start, fading out over the taper
        w = np.clip(1.0 - s / max(taper, 1e-9), 0.0, 1.0)
        out = out + np.outer(w, np.asarray(a) - out[0])
    else:
        out = np.vstack([a, out])
    if np.hypot(*(out[-1] - b)) <= half_width:
        w = np.clip(1.0 - (s[-1] - s) / max(taper, 1e-9), 0.0, 1.0)
        out[-len(s) :] = out[-len(s) :] + np.outer(w, np.asarray(b) - out[-1])
    else:
        out = np.vstack([out, b])
    keep = np.r_[True, np.hypot(*np.diff(out, axis=0).T) > 0.05]
    out = out[keep]
    if len(out) < 2:
        out = np.array([a, b])
    return out
