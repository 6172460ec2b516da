"""Safety monitoring during a run: collisions, UAV conflicts and losses of separation.

Conflict detection runs every ``separation.interval`` s (as BlueSky's ASAS interval) over the
UAVs in the air, with the state-based method of :mod:`sim.kernels.conflict` (protected zone
``rpz`` x ``hpz``, look-ahead ``lookahead``). A pair entering conflict gives a ``conflict``
event; a pair losing separation gives a ``separation_loss`` event, which is a violation
(rule ``separation.loss``) and fails the run's verdict. Pairs are reported once per episode:
again only after they have been clear in between. With ``resolution = "mvp"`` the conflicts
are also resolved (:mod:`sim.engine.resolution`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from sim.engine.resolution import MvpResolution
from sim.kernels.air import PH_CRUISE, PH_LANDING, PH_TAKEOFF
from sim.kernels.collision import collide, collision_workspace, obstacle_hits
from sim.kernels.conflict import CONFLICT, LOS, conflict_buffers, detect
from sim.kernels.geometry import road_footprints
from sim.kernels.metrics import area_candidates, area_grid, pet_step
from sim.model.map import Obstacle
from sim.state.fleet import ACTIVE, FAILED, HELD, KIND_ICV, KIND_UAV

if TYPE_CHECKING:
    from sim.engine.simulation import Simulation


class SeparationMonitor:
    """UAV conflict detection state of one run."""

    def __init__(self, sim: Simulation) -> None:
        """Read the separation settings of the scenario."""
        self.sim = sim
        sep = sim.bundle.scenario.separation
        self.rpz = float(sep.rpz)
        self.hpz = float(sep.hpz)
        self.lookahead = float(sep.lookahead)
        self.every = max(1, round(sep.interval / sim.dt))
        self.bufs = conflict_buffers(256)
        self.conflicts: set[tuple[int, int]] = set()
        self.losses: set[tuple[int, int]] = set()
        self.n_conflicts = 0
        self.n_losses = 0
        self.min_separation = np.inf
        self.resolution = (
            MvpResolution(sim, self.rpz, self.hpz, self.lookahead)
            if sep.resolution == "mvp"
            else None
        )

    def step(self, tick: int, t: float) -> None:
        """Run detection on the ticks that fall on the detection interval."""
        if tick % self.every:
            return
        f = self.sim.fleet
        n = f.n
        airborne = (
            (f.kind[:n] == KIND_UAV)
            & ((f.status[:n] == ACTIVE) | (f.status[:n] == HELD))
            & (
                (f.phase[:n] == PH_TAKEOFF)
                | (f.phase[:n] == PH_CRUISE)
                | (f.phase[:n] == PH_LANDING)
            )
        )
        idx = np.nonzero(airborne)[0]
        if len(idx) < 2:
            self._update(t, set(), set(), {})
            if self.resolution is not None:
                zero = np.zeros(n)
                self.resolution.step(t, 0, self.bufs, idx, zero, zero)
            return
        vx = f.speed[:n] * np.cos(f.heading[:n])
        vy = f.speed[:n] * np.sin(f.heading[:n])
        while True:
            k = detect(
                idx, f.x, f.y, f.z, vx, vy, f.vz, self.rpz, self.hpz, self.lookahead, *self.bufs
            )
            if k <= len(self.bufs[0]):
                break
            self.bufs = conflict_buffers(2 * k)
        if self.resolution is not None:
            self.resolution.step(t, k, self.bufs, idx, vx, vy)
        own, intruder, tcpa, dcpa, _, _, flags = (b[:k] for b in self.bufs)
        once = own < intruder
        conflicts: set[tuple[int, int]] = set()
        losses: set[tuple[int, int]] = set()
        info: dict[tuple[int, int], tuple[float, float]] = {}
        for a, b, tc, dc, fl in zip(
            own[once], intruder[once], tcpa[once], dcpa[once], flags[once], strict=True
        ):
            pair = (int(a), int(b))
            info[pair] = (float(tc), float(dc))
            if fl & CONFLICT:
                conflicts.add(pair)
            if fl & LOS:
                losses.add(pair)
        self._update(t, conflicts, losses, info)

    def _update(
        self,
        t: float,
        conflicts: set[tuple[int, int]],
        losses: set[tuple[int, int]],
        info: dict[tuple[int, int], tuple[float, float]],
    ) -> None:
        f = self.sim.fleet
        for a, b in sorted(conflicts - self.conflicts):
            tc, dc = info[(a, b)]
            self.n_conflicts += 1
            self.sim.event(
                t, "conflict", f.ids[a], other=f.ids[b], tcpa=round(tc, 6), dcpa=round(dc, 6)
            )
        for a, b in sorted(losses - self.losses):
            self.n_losses += 1
            dist = float(np.hypot(f.x[a] - f.x[b], f.y[a] - f.y[b]))
            self.sim.violation(
                t,
                f.ids[a],
                "separation.loss",
                other=f.ids[b],
                detail=f"{dist:.1f} m horizontal, {abs(f.z[a] - f.z[b]):.1f} m "
                f"vertical (protected zone {self.rpz:g} m x {self.hpz:g} m)",
            )
        for a, b in info:
            d = float(np.hypot(f.x[a] - f.x[b], f.y[a] - f.y[b]))
            self.min_separation = min(self.min_separation, d)
        self.conflicts = conflicts
        self.losses = losses


class CollisionMonitor:
    """Exact collisions every tick, between agents of one kind and against the map's obstacles.

    The kernels are in :mod:`sim.kernels.collision`.

    Ships are rectangles, UAVs cylinders (radius half the span), checked in 2-D/3-D and swept
    over the tick so fast movers cannot pass through each other between ticks. Road vehicles
    are rectangles spanning their route from the rear to the front bumper (through a junction
    box they follow the movement's arc, see ``sim.kernels.geometry.road_footprints``), checked
    against each other and the map's obstacles; besides, a road vehicle whose gap to its leader
    along the path is gone has collided with it. A new colliding pair is a violation
    (``collision.icv``, ``collision.uav``, ``collision.ship``; ``collision.obstacle`` against
    the map): road vehicles and ships stop, UAVs are lost.
    """

    RULE = ("collision.icv", "collision.uav", "collision.ship")

    def __init__(self, sim: Simulation) -> None:
        """Prepare pose buffers and compile the map's obstacles."""
        self.sim = sim
        self.cap = 0
        self.pose: list[np.ndarray] = []
        self.prev: list[np.ndarray] = []
        self.seen = np.zeros(0, dtype=np.bool_)
        self.blen = np.zeros(0)  # body lengths (m): road bodies as drawn (see road_footprints)
        self.ws = collision_workspace(64)
        self.out = [np.zeros(256, dtype=np.int64), np.zeros(256, dtype=np.int64)]
        self.touching: set[tuple[int, int]] = set()
        self.obstacle_touching: set[tuple[int, int]] = set()
        self.n_collisions = 0
        self._obstacles()

    def _obstacles(self) -> None:
        sim = self.sim
        obs = sim.bundle.map.of_type(Obstacle)
        off = [0]
        xs: list[float] = []
        ys: list[float] = []
        base: list[float] = []
        height: list[float] = []
        self.obstacle_ids = []
        for o in obs:
            polys = (
                [o.geometry.coordinates]
                if o.geometry.type == "Polygon"
                else list(o.geometry.coordinates)
            )
            for poly in polys:
                ring = sim.frame.xy(poly[0])
                xs.extend(ring[:-1, 0].tolist())
                ys.extend(ring[:-1, 1].tolist())
                off.append(len(xs))
                c = poly[0][0]
                base.append(sim.bundle.map.ground_elevation(c[0], c[1]))
                height.append(o.height)
                self.obstacle_ids.append(o.id)
        self.obs = (
            np.array(off, dtype=np.int64),
            np.array(xs),
            np.array(ys),
            np.array(base),
            np.array(height),
            np.full(len(base), 0b111, dtype=np.int64),
        )

    def _grow(self, n: int) -> None:
        if n <= self.cap:
            return
        cap = max(n, 2 * self.cap, 64)
        old_pose, old_prev, old_seen, old_len = self.pose, self.prev, self.seen, self.blen
        self.blen = np.zeros(cap)
        self.blen[: self.cap] = old_len
        self.pose = [np.zeros(cap) for _ in range(4)]
        self.prev = [np.zeros(cap) for _ in range(4)]
        self.seen = np.zeros(cap, dtype=np.bool_)
        if old_pose:
            for new, old in zip(self.pose + self.prev, old_pose + old_prev, strict=True):
                new[: self.cap] = old
            self.seen[: self.cap] = old_seen
        self.cap = cap

    def step(self, t: float) -> None:
        """Check the tick that just ended."""
        sim = self.sim
        f = sim.fleet
        n = f.n
        self._grow(n)
        moving = (f.status[:n] == ACTIVE) | (f.status[:n] == HELD)
        idx = np.nonzero(moving)[0]
        if len(idx) == 0:
            return
        cx, cy, cz, ch = self.pose
        px, py, pz, ph = self.prev
        # previous pose: last tick's (new agents start where they are)
        px[idx], py[idx], pz[idx], ph[idx] = cx[idx], cy[idx], cz[idx], ch[idx]
        road_idx = idx[f.kind[idx] == KIND_ICV]
        driven = road_idx[f.replay[road_idx] == 0]
        if len(driven):
            road = sim.layers["road"]
            bx, by, bh, bl = (np.empty(len(driven)) for _ in range(4))
            road_footprints(
                driven, f.s, f.edge, f.lane, f.length, f.route_off, f.route_pos, f.route_len,
                f.routes, road.edge_length, road.lanes, road.lane_width, road.two_way,
                road.box_start, road.box_end, road.pts_off, road.pts_x, road.pts_y, road.pts_s,
                bx, by, bh, bl,
            )  # fmt: skip
            cx[driven], cy[driven], ch[driven] = bx, by, bh
            self.blen[driven] = bl
        # UAVs, ships and recorded road vehicles: the body where the agent is
        posed = idx[(f.kind[idx] != KIND_ICV) | (f.replay[idx] != 0)]
        self.blen[posed] = f.length[posed]
        cx[posed], cy[posed], ch[posed] = f.x[posed], f.y[posed], f.heading[posed]
        cz[idx] = f.z[idx]
        if len(road_idx):
            self.sim.pet.step(t, road_idx, cx, cy, ch, self.blen)
        fresh = idx[~self.seen[idx]]
        px[fresh], py[fresh], pz[fresh], ph[fresh] = cx[fresh], cy[fresh], cz[fresh], ch[fresh]
        self.seen[idx] = True
        # all shapes in 2-D/3-D; road vehicles also along their paths (below)
        shaped = idx
        if len(self.ws[1]) < 8 * len(shaped) + 16:  # a workspace holds up to n agents
            self.ws = collision_workspace(2 * len(shaped))
        k = 0
        while len(shaped) > 1:
            k = collide(
                shaped,
                f.kind,
                cx,
                cy,
                cz,
                ch,
                self.blen,
                f.width,
                f.height,
                px,
                py,
                pz,
                ph,
                -1.0,
                0.01,
                *self.ws,
                *self.out,
            )
            if k <= len(self.out[0]):
                break
            self.out = [np.zeros(2 * k, dtype=np.int64), np.zeros(2 * k, dtype=np.int64)]
        pairs = {(int(a), int(b)) for a, b in zip(self.out[0][:k], self.out[1][:k], strict=True)}
        lead, gap = self.sim.lead, self.sim.gap
        if len(road_idx) and len(lead) >= n:
            bumped = road_idx[(lead[road_idx] >= 0) & (gap[road_idx] <= 0.0)]
            for a in bumped:
                b = int(lead[a])
                if f.replay[a] and f.replay[b]:
                    continue  # two recordings: their lanes are matched, the 2-D check rules
                pairs.add((min(int(a), b), max(int(a), b)))
        for a, b in sorted(pairs - self.touching):
            self._collide(t, a, b)
        self.touching = pairs
        if len(self.obs[4]):
            self._obstacle_step(t, idx)

    def _obstacle_step(self, t: float, idx: np.ndarray) -> None:
        f = self.sim.fleet
        cx, cy, cz, ch = self.pose
        px, py, pz, ph = self.prev
        cap = max(64, len(idx))
        while True:
            out_a, out_o = np.zeros(cap, dtype=np.int64), np.zeros(cap, dtype=np.int64)
            args = (f.kind, cx, cy, cz, ch, self.blen, f.width, f.height, px, py, pz, ph)
            k = obstacle_hits(idx, *args, *self.obs, -1.0, 0.01, out_a, out_o)
            if k <= cap:
                break
            cap = k
        hits = {(int(a), int(o)) for a, o in zip(out_a[:k], out_o[:k], strict=True)}
        for a, o in sorted(hits - self.obstacle_touching):
            self.n_collisions += 1
            self.sim.violation(
                t,
                f.ids[a],
                "collision.obstacle",
                obstacle=self.obstacle_ids[o],
                detail=f"hit obstacle {self.obstacle_ids[o]}",
            )
            self._stop(a)
        self.obstacle_touching = hits

    def _collide(self, t: float, a: int, b: int) -> None:
        f = self.sim.fleet
        self.n_collisions += 1
        rel = float(
            np.hypot(
                f.speed[a] * np.cos(f.heading[a]) - f.speed[b] * np.cos(f.heading[b]),
                f.speed[a] * np.sin(f.heading[a]) - f.speed[b] * np.sin(f.heading[b]),
            )
        )
        self.sim.violation(
            t,
            f.ids[a],
            self.RULE[int(f.kind[a])],
            other=f.ids[b],
            detail=f"at {rel:.1f} m/s relative speed",
            where=[round(float(f.x[a]), 3), round(float(f.y[a]), 3), round(float(f.z[a]), 3)],
        )
        self._stop(a)
        self._stop(b)

    def _stop(self, i: int) -> None:
        f = self.sim.fleet
        if f.kind[i] == KIND_UAV:
            if f.status[i] in (ACTIVE, HELD):
                f.status[i] = FAILED
                self.sim.failed += 1
        elif f.status[i] == ACTIVE and not f.replay[i]:  # a recording goes on as recorded
            f.status[i] = HELD


class PetMonitor:
    """Post-encroachment time (Allen, Shin & Cooper 1978) at the road junctions of the map.

    Conflict areas are the junction boxes of intersections (nodes where three or more roads
    meet), as discs of the box's half size. Every tick :func:`sim.kernels.metrics.pet_step`
    reports an agent entering an area after another one left it; only pairs that came from
    different approaches count (a follower from the same approach measures a headway, not an
    encroachment). The run summary keeps the lowest PET, per agent and overall, and the
    number of samples below ``pet_threshold``; each such sample is a ``pet`` event.
    """

    def __init__(self, sim: Simulation) -> None:
        """Find the intersections and their boxes."""
        self.sim = sim
        road = sim.layers["road"]
        n_nodes = len(road.node_ids)
        degree = np.zeros(n_nodes, dtype=np.int64)
        half = np.zeros(n_nodes)
        for e in range(road.n_edges):
            degree[road.edge_to[e]] += 1
            degree[road.edge_from[e]] += 1
            half[road.edge_to[e]] = max(half[road.edge_to[e]], road.box_end[e])
        nodes = np.nonzero((degree >= 6) & (half > 0.0))[0]  # >= 3 roads (two directions each)
        self.node = nodes
        self.ax = road.node_x[nodes].astype(np.float64)
        self.ay = road.node_y[nodes].astype(np.float64)
        self.ar = half[nodes].astype(np.float64)
        zeros = np.zeros(len(nodes))
        self.areas = (self.ax, self.ay, zeros, zeros, zeros, self.ar)
        self.cell = 2.0 * (float(self.ar.max()) + 15.0) if len(nodes) else 1.0
        self.grid = area_grid(self.ax, self.ay, self.cell) if len(nodes) else None
        self.state = [
            np.full(0, -1, dtype=np.int64),
            np.zeros(len(nodes), dtype=np.int64),
            np.full(len(nodes), -np.inf),
            np.full(len(nodes), -1, dtype=np.int64),
        ]
        self.threshold = sim.cfg.pet_threshold
        self.min_pet = np.inf
        self.below = 0
        self.per_agent: dict[int, float] = {}

    def step(
        self,
        t: float,
        road_idx: np.ndarray,
        cx: np.ndarray,
        cy: np.ndarray,
        ch: np.ndarray,
        blen: np.ndarray,
    ) -> None:
        """Feed one tick of road-vehicle body poses and lengths (fleet-indexed; m and rad)."""
        if self.grid is None or len(road_idx) == 0:
            return
        f = self.sim.fleet
        if len(self.state[0]) < f.n:
            grown = np.full(max(f.n, 2 * len(self.state[0]), 64), -1, dtype=np.int64)
            grown[: len(self.state[0])] = self.state[0]
            self.state[0] = grown
        m = len(road_idx)
        cand = np.empty(m, dtype=np.int64)
        k = min(len(blen), len(f.width))  # both cover the fleet's n agents
        reach = 0.5 * np.hypot(blen[:k], f.width[:k])
        area_candidates(
            road_idx, cx, cy, reach, self.ax, self.ay, self.ar, self.cell, *self.grid, cand
        )
        out = [
            np.empty(m, dtype=np.int64),
            np.empty(m, dtype=np.int64),
            np.empty(m, dtype=np.int64),
            np.empty(m),
        ]
        radius = np.zeros(len(f.x))
        k = pet_step(
            t, road_idx, cand, cx, cy, ch, blen, f.width, radius, *self.areas, *self.state, *out
        )
        for q in range(k):
            area, first, second, pet = (
                int(out[0][q]),
                int(out[1][q]),
                int(out[2][q]),
                float(out[3][q]),
            )
            node = int(self.node[area])
            if self._approach(first, node) == self._approach(second, node):
                continue
            self.min_pet = min(self.min_pet, pet)
            for a in (first, second):
                self.per_agent[a] = min(self.per_agent.get(a, np.inf), pet)
            if pet < self.threshold:
                self.below += 1
                road = self.sim.layers["road"]
                self.sim.event(
                    t,
                    "pet",
                    f.ids[second],
                    other=f.ids[first],
                    junction=road.node_ids[node],
                    pet=round(pet, 6),
                )

    def _approach(self, i: int, node: int) -> int:
        """The edge agent ``i`` came into ``node`` on (-1 if it started there)."""
        f = self.sim.fleet
        road = self.sim.layers["road"]
        route = f.route_of(i)
        for k in range(int(f.route_pos[i]), -1, -1):
            if road.edge_to[int(route[k])] == node:
                return int(route[k])
        return -1
