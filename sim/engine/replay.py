"""Recorded road agents: their trajectories matched to the road network, stored flat.

A recorded trajectory (``[agent.trajectory]``: states every ``dt`` s of position, heading and
speed) is matched once, when its agent spawns, to the agent's route: each state's centre is
projected on every edge of the route, the nearest edge wins, and the front bumper's place
is the projection plus half the body along the route (into the next edge past an edge's
end, back into the edge before for a point before an edge's start); the lane is the one
whose centre line is nearest the lateral offset, unless the recording names its lanes.
Everything is vectorised numpy over the states; per tick only the replay kernel
(:func:`sim.kernels.replay.replay_step`) runs.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from sim.kernels.geometry import lane_offset
from sim.network.arrays import LayerArrays

FloatArray = npt.NDArray[np.float64]


def project_on_edge(
    net: LayerArrays, e: int, px: FloatArray, py: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """Project points on edge ``e``'s line: (distance m, ``s`` m along it, offset m right).

    The offset is signed: positive to the right of the line's direction. Points before the
    start or past the end project on the extension of the first or last segment (``s`` below
    0 or beyond the length), as lanes rarely end square across the road.
    """
    a, b = int(net.pts_off[e]), int(net.pts_off[e + 1])
    xs, ys, ss = net.pts_x[a:b], net.pts_y[a:b], net.pts_s[a:b]
    x0, y0, x1, y1 = xs[:-1], ys[:-1], xs[1:], ys[1:]
    dx, dy = x1 - x0, y1 - y0
    seg2 = np.maximum(dx * dx + dy * dy, 1e-12)
    qx, qy = px[:, None] - x0[None, :], py[:, None] - y0[None, :]
    lo = np.zeros(len(dx))
    hi = np.ones(len(dx))
    lo[0], hi[-1] = -np.inf, np.inf  # beyond the ends: along the end segments' lines
    w = np.clip((qx * dx + qy * dy) / seg2, lo, hi)
    cx, cy = x0 + w * dx, y0 + w * dy
    dist = np.hypot(px[:, None] - cx, py[:, None] - cy)
    best = np.argmin(dist, axis=1)
    rows = np.arange(len(px))
    seg = np.sqrt(seg2)
    s = ss[best] + w[rows, best] * seg[best]
    cross = dx[best] * qy[rows, best] - dy[best] * qx[rows, best]  # > 0: left of the line
    return dist[rows, best], s, -cross / seg[best]


def match_route(
    net: LayerArrays,
    route: npt.NDArray[np.int32],
    px: FloatArray,
    py: FloatArray,
    length: float,
    recorded_lanes: npt.NDArray[np.int32] | None = None,
) -> tuple[npt.NDArray[np.int32], FloatArray, npt.NDArray[np.int32]]:
    """Route position, front-bumper ``s`` (m) and lane of each recorded centre (m, m).

    See the module docstring. ``length`` is the body length (m); ``recorded_lanes`` (-1
    unknown) override the nearest lane where given.
    """
    n, k = len(px), len(route)
    dist = np.empty((k, n))
    along = np.empty((k, n))
    side = np.empty((k, n))
    e_len = net.edge_length[route]
    for r, e in enumerate(route):
        dist[r], along[r], side[r] = project_on_edge(net, int(e), px, py)
        outside = (along[r] < 0.0) | (along[r] > e_len[r])
        dist[r] += 1e-3 * outside  # ties (collinear edges): the edge the point lies along
    best = np.argmin(dist, axis=0)
    cols = np.arange(n)
    offset = side[best, cols]
    # one coordinate along the whole route (m), front bumper = centre + half the body
    cum = np.concatenate([[0.0], np.cumsum(e_len)])
    g = cum[best] + along[best, cols] + 0.5 * length
    pos = np.clip(np.searchsorted(cum, g, side="right") - 1, 0, k - 1).astype(np.int32)
    s = np.clip(g - cum[pos], 0.0, e_len[pos])
    lanes = np.empty(n, dtype=np.int32)
    for r in np.unique(pos):
        e = int(route[r])
        nl = int(net.lanes[e])
        centres = np.array(
            [lane_offset(nl, ln, net.lane_width[e], net.two_way[e]) for ln in range(nl)]
        )
        at = pos == r
        lanes[at] = np.argmin(np.abs(offset[at][:, None] - centres[None, :]), axis=1)
    if recorded_lanes is not None:
        known = recorded_lanes >= 0
        lanes[known] = np.minimum(recorded_lanes[known], net.lanes[route[pos[known]]] - 1)
    return pos, s, lanes


class ReplayStore:
    """The matched trajectories of a run's recorded agents, as flat arrays for the kernel.

    Per agent (fleet-sized): ``off``/``count`` into the store, ``t0`` (s) of the first
    state, ``dt`` (s) between states. Per state: ``x``, ``y`` (m), ``h`` (rad), ``v`` (m/s),
    ``pos`` (route position), ``s`` (m, front bumper), ``lane``. Both grow by doubling, so
    adding agents one by one costs amortised O(states).
    """

    AGENT_COLUMNS = (("off", np.int64, 0), ("count", np.int64, 0), ("t0", np.float64, 0.0),
                     ("dt", np.float64, 1.0))  # fmt: skip
    STATE_COLUMNS = (("x", np.float64), ("y", np.float64), ("h", np.float64),
                     ("v", np.float64), ("pos", np.int32), ("s", np.float64),
                     ("lane", np.int32))  # fmt: skip

    def __init__(self) -> None:
        """An empty store."""
        for name, dtype, fill in self.AGENT_COLUMNS:
            setattr(self, name, np.full(64, fill, dtype=dtype))
        for name, dtype in self.STATE_COLUMNS:
            setattr(self, name, np.zeros(256, dtype=dtype))
        self.n_states = 0

    @staticmethod
    def _grown(old: np.ndarray, need: int, fill: float = 0) -> np.ndarray:
        if need <= len(old):
            return old
        new = np.full(max(need, 2 * len(old)), fill, dtype=old.dtype)
        new[: len(old)] = old
        return new

    def add(
        self,
        i: int,
        net: LayerArrays,
        route: npt.NDArray[np.int32],
        t0: float,
        step: float,
        xy: FloatArray,
        heading: FloatArray,
        speed: FloatArray,
        length: float,
        lanes: npt.NDArray[np.int32] | None = None,
    ) -> None:
        """Store agent ``i``'s trajectory, matched to ``route``.

        ``xy`` (n by 2, m, engine frame) are its states from ``t0`` s, every ``step`` s, with
        ``heading`` (rad) and ``speed`` (m/s), and the recorded ``lanes`` if known (-1
        unknown).
        """
        for name, _, fill in self.AGENT_COLUMNS:
            setattr(self, name, self._grown(getattr(self, name), i + 1, fill))
        pos, s, lanes = match_route(net, route, xy[:, 0], xy[:, 1], length, lanes)
        a, n = self.n_states, len(xy)
        self.off[i], self.count[i] = a, n
        self.t0[i], self.dt[i] = t0, step
        values = (xy[:, 0], xy[:, 1], heading, speed, pos, s, lanes)
        for (name, _), column in zip(self.STATE_COLUMNS, values, strict=True):
            arr = self._grown(getattr(self, name), a + n)
            arr[a : a + n] = column
            setattr(self, name, arr)
        self.n_states = a + n

    def first(self, i: int) -> tuple[int, float, int]:
        """Route position, ``s`` (m) and lane of agent ``i``'s first state."""
        o = int(self.off[i])
        return int(self.pos[o]), float(self.s[o]), int(self.lane[o])

    def kernel_args(self) -> tuple[npt.NDArray[np.generic], ...]:
        """The store's part of :func:`sim.kernels.replay.replay_step`'s arguments."""
        agents = tuple(getattr(self, name) for name, _, _ in self.AGENT_COLUMNS)
        return agents + tuple(getattr(self, name) for name, _ in self.STATE_COLUMNS)
