"""Strategic deconfliction of UAV plans in 4-D (ASTM F3548-21) and corridor capacity.

Plans are ranked as F3548 prioritises operational intents: higher ``priority`` first
(SCD0015: an intent may not conflict with one of higher priority); among equal priorities the
one planned first wins (SCD0035, conflicts between equal priorities not permitted). The
scenario does not record when each plan was filed, so the earlier departure stands for the
earlier plan, and the scenario's order breaks ties. Plans are then admitted in rank order: a
plan whose 4-D volumes meet a volume of an admitted plan is refused (``uav.conflict``, an error
for that plan only) and does not block the plans after it, as a refused intent never exists
in the DSS. The volume pairs come from the ``plan_pairs`` kernel (grid broadphase; no Python
loop over all pairs).

A plan that declares its operational intent (``AgentSpec.volumes``: polygon or circle outlines
x altitude band x time window, as F3548 ``Volume4D``) is deconflicted with those volumes instead
of the volumes around its route: the kernel sees each as a capsule that holds it, and every pair
it finds that involves a declared volume is then decided exactly on the 2-D regions (shapely
distances; touching counts, as in the kernel). Plans whose intent is Nonconforming or
Contingent (``intent_state``) are left out: they are neither refused nor block other plans.

Capacity: each corridor (both directions of a map edge) holds at most ``capacity`` UAVs at
once. Plans are admitted in the same rank order; a plan that would raise the count above the
capacity at some instant of its time in the corridor is refused (``uav.capacity``).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

import numpy as np
import shapely
from shapely.geometry.base import BaseGeometry

from sim.geo.intents import IntentVolumes, suggest_cells
from sim.kernels.deconflict import plan_pairs
from sim.model.map import Corridor
from sim.model.vehicle import Domain
from sim.rules.context import Context, Findings
from sim.rules.plans import AgentPlan, DeclaredVolume

RULES = ("uav.conflict", "uav.capacity")


def rank(plan: AgentPlan) -> tuple[int, float, int]:
    """Sort key of the F3548 admission order: priority (high first), departure, order."""
    return (-plan.priority, plan.depart, plan.order)


def check(ctx: Context, out: Findings) -> None:
    """Deconflict the UAV plans and check corridor capacities."""
    out.check(*RULES)
    uavs = [pn for pn, p in enumerate(ctx.plans) if p.domain is Domain.UAV]
    if len(uavs) < 1:
        return
    _conflicts(ctx, uavs, out)
    _capacity(ctx, uavs, out)


@dataclass
class _Volumes:
    """The volumes deconflicted: route volumes, or the declared intent volumes of a plan.

    Attributes:
        iv: the volumes (``plan`` = plan number); declared ones as their enclosing capsules.
        route: the route volume (an index into ``ctx.volumes``) of each row, or -1.
        declared: the declared volume of each row that is one, else ``None``.
    """

    iv: IntentVolumes
    route: list[int]
    declared: list[DeclaredVolume | None]

    def shape(self, v: int) -> tuple[BaseGeometry, float]:
        """Volume ``v``'s 2-D region: the points within the returned radius (m) of the core."""
        d = self.declared[v]
        if d is not None:
            return d.core, d.radius
        iv = self.iv
        a = (float(iv.x0[v]), float(iv.y0[v]))
        b = (float(iv.x1[v]), float(iv.y1[v]))
        core = shapely.Point(a) if a == b else shapely.LineString([a, b])
        return core, float(iv.r[v])

    def meet(self, v: int, w: int) -> bool:
        """Whether the 2-D regions of ``v`` and ``w`` meet (touching counts), exactly."""
        if self.declared[v] is None and self.declared[w] is None:
            return True  # two route capsules: the kernel's test is exact
        (a, ra), (b, rb) = self.shape(v), self.shape(w)
        return bool(a.distance(b) <= (ra + rb) * (1.0 + 1.0e-12) + 1.0e-9)

    def where(self, ctx: Context, v: int, w: int, t: float) -> tuple[float, float, float]:
        """A place (m; z m AMSL) where volume ``v`` meets ``w`` at time ``t`` (s)."""
        if self.declared[v] is None:
            return ctx.volumes.where(self.route[v], t)
        (a, ra), (b, rb) = self.shape(v), self.shape(w)
        region_a = a.buffer(ra, quad_segs=16) if ra > 0 else a
        region_b = b.buffer(rb, quad_segs=16) if rb > 0 else b
        both = region_a.intersection(region_b)
        p = (both if not both.is_empty else region_a).representative_point()
        iv = self.iv
        z = 0.5 * (max(iv.zlo[v], iv.zlo[w]) + min(iv.zhi[v], iv.zhi[w]))
        return float(p.x), float(p.y), float(z)


def _deconflicted(ctx: Context, uavs: list[int]) -> _Volumes:
    """The volumes of the plans in ``uavs``: declared ones where a plan gives them."""
    pv = ctx.volumes
    route_args = pv.iv.kernel_args()
    blocks: list[np.ndarray] = []  # one (9, n) block of kernel columns per plan
    plan: list[np.ndarray] = []
    route: list[np.ndarray] = []
    declared: list[DeclaredVolume | None] = []
    for pn in uavs:
        p = ctx.plans[pn]
        if p.declared:
            rows = [(*d.capsule, d.zlo, d.zhi, d.t0, d.t1) for d in p.declared]
            blocks.append(np.array(rows, dtype=np.float64).T)
            route.append(np.full(len(rows), -1, dtype=np.int64))
            declared += list(p.declared)
        else:
            sel = pv.by_plan[pn]
            blocks.append(np.stack([a[sel] for a in route_args]))
            route.append(sel.astype(np.int64))
            declared += [None] * len(sel)
        plan.append(np.full(blocks[-1].shape[1], pn, dtype=np.int32))
    cols = np.concatenate(blocks, axis=1) if blocks else np.zeros((9, 0))
    iv = IntentVolumes(*cols, np.concatenate(plan) if plan else np.zeros(0, dtype=np.int32))
    return _Volumes(iv, np.concatenate(route).tolist() if route else [], declared)


def _conflicts(ctx: Context, uavs: list[int], out: Findings) -> None:
    uavs = [pn for pn in uavs if ctx.plans[pn].deconflicted]
    if len(uavs) < 2:
        return
    dv = _deconflicted(ctx, uavs)
    iv = dv.iv
    if iv.n == 0:
        return
    cell, tcell = suggest_cells(iv)
    a, b = plan_pairs(*iv.kernel_args(), iv.plan, cell, tcell)
    pairs: dict[tuple[int, int], list[tuple[int, int]]] = defaultdict(list)
    for i, j in zip(a.tolist(), b.tolist(), strict=True):
        if not dv.meet(i, j):
            continue
        p, q = int(iv.plan[i]), int(iv.plan[j])
        if p > q:
            p, q, i, j = q, p, j, i
        pairs[(p, q)].append((i, j))
    neighbours: dict[int, set[int]] = defaultdict(set)
    for p, q in pairs:
        neighbours[p].add(q)
        neighbours[q].add(p)
    order = sorted(uavs, key=lambda pn: rank(ctx.plans[pn]))
    admitted: set[int] = set()
    for pn in order:
        against = sorted(neighbours[pn] & admitted)
        if not against:
            admitted.add(pn)
            continue
        me = ctx.plans[pn]
        for other_pn in against:
            key = (min(pn, other_pn), max(pn, other_pn))
            vols = [(i, j) if int(iv.plan[i]) == pn else (j, i) for i, j in pairs[key]]
            first = min(vols, key=lambda v: max(iv.t0[v[0]], iv.t0[v[1]]))
            mine, theirs = first
            t0 = float(max(iv.t0[mine], iv.t0[theirs]))
            t1 = float(min(iv.t1[mine], iv.t1[theirs]))
            delay = max(float(iv.t1[o] - iv.t0[m]) for m, o in vols)
            other = ctx.plans[other_pn]
            if other.priority != me.priority:
                why = ""
            elif other.depart < me.depart:
                why = ", which departs first"
            else:
                why = ", which comes first in the scenario"
            out.add(
                "uav.conflict",
                agent=me.id,
                time=(t0, t1),
                where=dv.where(ctx, mine, theirs, t0),
                prio=me.priority,
                other=other.id,
                other_prio=other.priority,
                why=why,
                delay=delay,
            )


def _capacity(ctx: Context, uavs: list[int], out: Findings) -> None:
    occupancy: dict[str, dict[int, tuple[float, float]]] = defaultdict(dict)
    for pn in uavs:
        for leg in ctx.plans[pn].legs:
            cur = occupancy[leg.base].get(pn)
            occupancy[leg.base][pn] = (
                (leg.t0, leg.t1) if cur is None else (min(cur[0], leg.t0), max(cur[1], leg.t1))
            )
    for edge_id in sorted(occupancy):
        cor = ctx.map.by_id.get(edge_id)
        if not isinstance(cor, Corridor):
            continue
        users = occupancy[edge_id]
        if len(users) <= cor.capacity:
            continue
        admitted: list[tuple[float, float]] = []
        for pn in sorted(users, key=lambda k: rank(ctx.plans[k])):
            a, b = users[pn]
            n = _most_at_once(admitted, a, b)
            if n + 1 <= cor.capacity:
                admitted.append((a, b))
                continue
            plan = ctx.plans[pn]
            t_full = _first_full(admitted, a, b, cor.capacity)
            out.add(
                "uav.capacity",
                agent=plan.id,
                time=(t_full, b),
                where=plan.position(t_full),
                n=n + 1,
                edge=edge_id,
                capacity=cor.capacity,
                delay=_delay(admitted, a, b, cor.capacity),
            )


def _most_at_once(spans: list[tuple[float, float]], a: float, b: float) -> int:
    """The most of ``spans`` (half-open, s) open at one instant of ``[a, b)``."""
    events = []
    for s0, s1 in spans:
        lo, hi = max(s0, a), min(s1, b)
        if lo < hi:
            events += [(lo, 1), (hi, -1)]
    best = cur = 0
    for _, d in sorted(events, key=lambda e: (e[0], e[1])):
        cur += d
        best = max(best, cur)
    return best


def _first_full(spans: list[tuple[float, float]], a: float, b: float, cap: int) -> float:
    """The first instant of ``[a, b)`` at which ``cap`` of ``spans`` are open."""
    events = []
    for s0, s1 in spans:
        lo, hi = max(s0, a), min(s1, b)
        if lo < hi:
            events += [(lo, 1), (hi, -1)]
    cur = 0
    for t, d in sorted(events, key=lambda e: (e[0], e[1])):
        cur += d
        if cur >= cap:
            return t
    return a


def _delay(spans: list[tuple[float, float]], a: float, b: float, cap: int) -> float:
    """The least delay (s) after which ``[a, b)`` fits under ``cap`` (tried at span ends)."""
    for end in sorted({s1 for _, s1 in spans if s1 > a}):
        shift = end - a
        if _most_at_once(spans, a + shift, b + shift) + 1 <= cap:
            return shift
    return 0.0
