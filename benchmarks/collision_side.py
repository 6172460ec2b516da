"""Both sides of the collision benchmark: one box set, queried all-against-all.

Scene (SI units): vehicles on the lanes of a square grid of two-way roads (200 m blocks, two
lanes of 3.5 m per direction), the grid sized so that each lane holds a vehicle every
``HEADWAY`` m on average: a busy urban network. Vehicles are cars (85 %, 3.8-5.2 x 1.7-2.0 m)
and buses or lorries (15 %, 8-14 x 2.4-2.6 m), spaced along their lane by their length plus an
exponential gap (mean ``HEADWAY`` - 6 m) less 1 m, so a few percent touch their leader; cross
traffic in the junctions adds more contacts. Headings follow the lane with 0.02 rad of noise.

testzone answers with :func:`sim.kernels.collision.collide` (hash-grid broadphase and OBB
narrowphase, the call the engine makes each tick; the boxes do not move). CommonRoad answers
with ``pycrcc.ShapeGroup.overlap`` on a group of ``RectOBB`` (FCL's dynamic AABB-tree
broadphase, then its OBB test): the fastest all-against-all query with a pair list in
commonroad-drivability-checker; ``CollisionChecker.find_all_colliding_objects`` called per box
is slower. CommonRoad's time excludes building its ``RectOBB`` objects and the group (warm,
cached); that build time is reported separately.
"""

from __future__ import annotations

import math
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from sim.kernels.collision import collide, collision_workspace

HEADWAY = 22.0
"""Mean distance (m) between consecutive vehicles on a lane."""
BLOCK = 200.0
"""Road spacing (m) of the grid."""
LANES = 2
"""Lanes per direction."""
LANE_WIDTH = 3.5
"""m."""

F64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Boxes:
    """Vehicle footprints: centre (m), heading (rad from east, counter-clockwise), size (m)."""

    x: F64
    y: F64
    heading: F64
    length: F64
    width: F64

    def __len__(self) -> int:
        return len(self.x)


def make_boxes(n: int, seed: int = 1) -> Boxes:
    """``n`` vehicles on the lanes of a grid of roads sized for ``HEADWAY`` (seeded)."""
    rng = np.random.default_rng(seed)
    roads = max(2, math.ceil(math.sqrt(n * HEADWAY / (2 * BLOCK * 2 * LANES))))
    side = roads * BLOCK
    n_lanes = 2 * roads * 2 * LANES  # east-west and north-south roads, both directions
    lane = np.sort(rng.integers(0, n_lanes, n))
    big = rng.random(n) < 0.15
    length = np.where(big, rng.uniform(8.0, 14.0, n), rng.uniform(3.8, 5.2, n))
    width = np.where(big, rng.uniform(2.4, 2.6, n), rng.uniform(1.7, 2.0, n))
    step = length + rng.exponential(HEADWAY - 6.0, n) - 1.0
    first = np.r_[True, lane[1:] != lane[:-1]]
    csum = np.cumsum(step)
    base = np.maximum.accumulate(np.where(first, csum - step, 0.0))
    s = (csum - base + rng.uniform(0.0, side, n_lanes)[lane]) % side  # m along the lane
    road = lane // (4 * LANES)
    rest = lane % (4 * LANES)
    vertical = rest >= 2 * LANES
    rest = rest % (2 * LANES)
    forward = rest < LANES
    offset = ((rest % LANES) + 0.5) * LANE_WIDTH + rng.normal(0.0, 0.2, n)  # right of the line
    centre_line = (road + 0.5) * BLOCK
    along = np.where(forward, s, side - s)
    across = centre_line + np.where(forward, -offset, offset)
    heading = np.where(forward, 0.0, math.pi)
    heading = np.where(vertical, heading + 0.5 * math.pi, heading)
    x = np.where(vertical, np.where(forward, centre_line + offset, centre_line - offset), along)
    y = np.where(vertical, along, across)
    heading = heading + rng.normal(0.0, 0.02, n)
    return Boxes(x, y, heading, length, width)


class TestzoneQuery:
    """All-against-all query of a box set with :func:`collide` (buffers kept between calls)."""

    __test__ = False  # not a pytest class

    def __init__(self, boxes: Boxes, cell_size: float = 0.0) -> None:
        n = len(boxes)
        self.b = boxes
        self.cell = cell_size
        self.idx = np.arange(n, dtype=np.int64)
        self.kind = np.zeros(n, dtype=np.int8)
        self.zeros = np.zeros(n)
        self.out_i = np.zeros(max(16, n // 4), dtype=np.int64)
        self.out_j = np.zeros(max(16, n // 4), dtype=np.int64)
        self.ws_i, self.ws_f = collision_workspace(n)

    def __call__(self) -> int:
        """Run the query; returns the number of colliding pairs (in ``out_i``/``out_j``)."""
        b, z = self.b, self.zeros
        args = (self.idx, self.kind, b.x, b.y, z, b.heading, b.length, b.width, z)
        prev = (b.x, b.y, z, b.heading, self.cell, 0.01, self.ws_i, self.ws_f)
        n = collide(*args, *prev, self.out_i, self.out_j)
        if n > len(self.out_i):
            self.out_i = np.zeros(2 * n, dtype=np.int64)
            self.out_j = np.zeros(2 * n, dtype=np.int64)
            n = collide(*args, *prev, self.out_i, self.out_j)
        return n

    def pairs(self) -> set[tuple[int, int]]:
        """Colliding pairs ``(i, j)``, ``i < j``."""
        n = self()
        return set(zip(self.out_i[:n].tolist(), self.out_j[:n].tolist(), strict=True))


def commonroad_group(boxes: Boxes) -> Any:
    """A ``pycrcc.ShapeGroup`` of the boxes as ``RectOBB`` (raises ImportError without it)."""
    import commonroad_dc.pycrcc as pycrcc

    group = pycrcc.ShapeGroup()
    hl, hw = (0.5 * boxes.length).tolist(), (0.5 * boxes.width).tolist()
    x, y, h = boxes.x.tolist(), boxes.y.tolist(), boxes.heading.tolist()
    for k in range(len(x)):
        group.add_shape(pycrcc.RectOBB(hl[k], hw[k], h[k], x[k], y[k]))
    return group


def commonroad_pairs(group: Any) -> set[tuple[int, int]]:
    """Colliding pairs ``(i, j)``, ``i < j``, from ``group.overlap(group)``."""
    return {(min(a, b), max(a, b)) for a, b in group.overlap(group) if a != b}


def median_seconds(fn: Callable[[], Any], min_time: float = 1.0, min_reps: int = 5) -> float:
    """Median wall time (s) of ``fn()`` over at least ``min_reps`` calls and ``min_time`` s."""
    times: list[float] = []
    t_end = time.perf_counter() + min_time
    while len(times) < min_reps or time.perf_counter() < t_end:
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def compare(n: int, seed: int = 1, peer_only: bool = False) -> dict[str, dict[str, Any]]:
    """Time both sides on the same ``n`` boxes and check that they find the same pairs.

    Returns rows per side: ``boxes``, ``pairs``, ``colliding_boxes``, ``seconds`` (median per
    query), ``queries_per_s`` and for CommonRoad ``build_seconds``. Raises ImportError when
    CommonRoad is missing and :class:`MismatchError` when the answers differ.
    """
    boxes = make_boxes(n, seed)
    t0 = time.perf_counter()
    group = commonroad_group(boxes)
    theirs = commonroad_pairs(group)  # the first query also builds FCL's objects
    build = time.perf_counter() - t0
    rows: dict[str, dict[str, Any]] = {}
    sec = median_seconds(lambda: group.overlap(group))
    rows["commonroad"] = _row(n, theirs, sec) | {"build_seconds": build}
    if not peer_only:
        query = TestzoneQuery(boxes)
        ours = query.pairs()  # compiles on first use
        if ours != theirs:
            raise MismatchError(ours, theirs)
        rows["testzone"] = _row(n, ours, median_seconds(query))
    return rows


def _row(n: int, pairs: set[tuple[int, int]], sec: float) -> dict[str, Any]:
    hit = {i for p in pairs for i in p}
    return {
        "boxes": n,
        "pairs": len(pairs),
        "colliding_boxes": len(hit),
        "seconds": sec,
        "queries_per_s": 1.0 / sec,
    }


class MismatchError(RuntimeError):
    """testzone and CommonRoad found different colliding pairs."""

    def __init__(self, ours: set[tuple[int, int]], theirs: set[tuple[int, int]]) -> None:
        only_ours, only_theirs = sorted(ours - theirs), sorted(theirs - ours)
        super().__init__(
            f"MISMATCH: testzone {len(ours)} pairs, CommonRoad {len(theirs)}; "
            f"only testzone: {len(only_ours)} e.g. {only_ours[:5]}; "
            f"only CommonRoad: {len(only_theirs)} e.g. {only_theirs[:5]}"
        )


def table(rows: dict[str, dict[str, Any]]) -> str:
    """A small text table of :func:`compare`'s rows."""
    cols = ["boxes", "pairs", "colliding_boxes", "seconds", "queries_per_s", "build_seconds"]
    lines = [f"{'side':<11}" + "".join(f"{c:>16}" for c in cols)]
    for side, row in rows.items():
        cells = []
        for c in cols:
            v = row.get(c, "")
            if c in ("seconds", "build_seconds") and v != "":
                cells.append(f"{v * 1e3:>13,.3f} ms")
            elif isinstance(v, float):
                cells.append(f"{v:>16,.1f}")
            else:
                cells.append(f"{v:>16,}" if isinstance(v, int) else f"{v!s:>16}")
        lines.append(f"{side:<11}" + "".join(cells))
    return "\n".join(lines)
