"""Strategic deconfliction benchmark: a day of UAV flight plans against each other and the zones.

Units: metres (local ENU, flat ground at 0 m AMSL), seconds after midnight, m/s.

Plans (:func:`make_plans`, seeded ``numpy.random.Generator``): each UAV departs from a uniform
random point of a ``side`` x ``side`` area (40 km) at a uniform random time of the day, climbs
vertically at 3 m/s to a cruise altitude uniform in 30-120 m, flies 3-8 straight legs of
0.5-3 km (turning up to +-90 deg between legs, kept inside the area) at a ground speed
uniform in 10-25 m/s, and lands vertically at 3 m/s. Its operational intent is one volume
per leg (a corridor capsule with a horizontal buffer uniform in 30-60 m and a band of
+-10 m about the cruise altitude) plus a zero-length take-off and a landing volume (the
band from the ground to the cruise band's top); every window gets a time buffer of 30 s
on each side. Flights last about 5-20 minutes, so 10,000 plans a day keep ~100 UAVs airborne.

Zones (:func:`make_zones`): centres uniform over the area, sizes (diameters) log-uniform in
100 m-3 km; 20 % circles, the rest star-shaped polygons of 4-12 vertices, 10 % of them with a
hole and 10 % multipolygons of two parts, 5 % of the zones with a second volume on top;
floors on the ground (60 %) or at 30-100 m, ceilings unlimited (30 %) or 30-150 m above the
floor; half of the zones permanent, the rest active in 1-3 windows of 1-6 hours.

Grid sizes (:func:`cells`): the plan grid uses ``sim.geo.intents.suggest_cells``, twice the
median box size and window of a volume (~2.3 km and ~250 s here), so a volume lands in about
3.4 cells; on this traffic that was 1.5-2.5x faster than cells of the median size (which
spend their time on ~8 entries per volume) and within ~20 % of the best size tried from 1k to
100k plans. The zone grid uses the median box size of a volume (~1.2 km): zone_hits times
were flat within ~10 % for zone cells of 0.5-2 km.
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np

from sim.geo.intents import IntentVolumes, suggest_cells
from sim.kernels.deconflict import plan_pairs, zone_hits

SIDE = 40_000.0  # [m] side of the square area
DAY = 86_400.0  # [s]
CLIMB = 3.0  # [m/s] vertical speed of take-off and landing
TIME_BUFFER = 30.0  # [s] added before and after every window
BAND = 10.0  # [m] half height of the cruise band
ZONE_FIELDS = (
    "vol_zone", "vol_circle", "cx", "cy", "radius", "ring_start", "ring_end", "ring_off",
    "vx", "vy", "floor", "ceiling", "bbox",
)  # fmt: skip


def _cumsum_by(v: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """Inclusive cumulative sums of ``v`` restarting at each group of ``counts`` items."""
    cs = np.cumsum(v)
    ends = np.cumsum(counts)
    before = np.concatenate([[0.0], cs[ends[:-1] - 1]]) if len(counts) else np.zeros(0)
    return cs - np.repeat(before, counts)


def make_plans(n_plans: int, seed: int, side: float = SIDE, day: float = DAY) -> IntentVolumes:
    """``n_plans`` flight plans as 4-D volumes (see the module docstring); vectorised."""
    rng = np.random.default_rng(seed)
    n = int(n_plans)
    nseg = rng.integers(3, 9, n)
    speed = rng.uniform(10.0, 25.0, n)
    alt = rng.uniform(30.0, 120.0, n)
    buf = rng.uniform(30.0, 60.0, n)
    dep = rng.uniform(0.0, day, n)
    sx = rng.uniform(0.0, side, n)
    sy = rng.uniform(0.0, side, n)
    h0 = rng.uniform(-math.pi, math.pi, n)
    m = int(nseg.sum())
    leg_plan = np.repeat(np.arange(n), nseg)
    length = rng.uniform(500.0, 3000.0, m)
    turn = rng.uniform(-0.5 * math.pi, 0.5 * math.pi, m)
    first = np.concatenate([[0], np.cumsum(nseg)[:-1]])
    turn[first] = 0.0
    heading = h0[leg_plan] + _cumsum_by(turn, nseg)
    dx = length * np.cos(heading)
    dy = length * np.sin(heading)
    xe = sx[leg_plan] + _cumsum_by(dx, nseg)
    ye = sy[leg_plan] + _cumsum_by(dy, nseg)
    xs, ys = xe - dx, ye - dy
    xs, xe, ys, ye = (np.clip(v, 0.0, side) for v in (xs, xe, ys, ye))
    dur = np.hypot(xe - xs, ye - ys) / speed[leg_plan]
    climb = alt / CLIMB
    t_exit = dep[leg_plan] + climb[leg_plan] + _cumsum_by(dur, nseg)
    t_enter = t_exit - dur
    # plan-major layout: take-off, legs, landing
    per = nseg + 2
    voff = np.concatenate([[0], np.cumsum(per)])
    total = int(voff[-1])
    leg_idx = np.repeat(voff[:-1] + 1, nseg) + (np.arange(m) - np.repeat(first, nseg))
    to_idx = voff[:-1]
    ld_idx = voff[1:] - 1
    last = first + nseg - 1
    x0, y0, x1, y1 = (np.empty(total) for _ in range(4))
    r, zlo, zhi, t0, t1 = (np.empty(total) for _ in range(5))
    plan = np.repeat(np.arange(n, dtype=np.int32), per)
    x0[leg_idx], y0[leg_idx], x1[leg_idx], y1[leg_idx] = xs, ys, xe, ye
    zlo[leg_idx] = (alt - BAND)[leg_plan]
    zhi[leg_idx] = (alt + BAND)[leg_plan]
    t0[leg_idx] = t_enter - TIME_BUFFER
    t1[leg_idx] = t_exit + TIME_BUFFER
    r[leg_idx] = buf[leg_plan]
    for idx, px, py, ta, tb in (
        (to_idx, xs[first], ys[first], dep, dep + climb),
        (ld_idx, xe[last], ye[last], t_exit[last], t_exit[last] + climb),
    ):
        x0[idx], x1[idx], y0[idx], y1[idx] = px, px, py, py
        zlo[idx] = 0.0
        zhi[idx] = alt + BAND
        t0[idx] = ta - TIME_BUFFER
        t1[idx] = tb + TIME_BUFFER
        r[idx] = buf
    return IntentVolumes(x0, y0, x1, y1, r, zlo, zhi, t0, t1, plan)


def _star(rng: np.random.Generator, cx: float, cy: float, rad: float) -> np.ndarray:
    """A star-shaped simple ring of 4-12 vertices about ``(cx, cy)``, closed (first repeated)."""
    k = int(rng.integers(4, 13))
    # jittered even angles: every gap < pi, so the ring is simple and holds the centre
    ang = (np.arange(k) + rng.uniform(0.0, 0.5, k)) * (2.0 * math.pi / k) + rng.uniform(0.0, 7.0)
    rho = rad * rng.uniform(0.6, 1.0, k)
    ring = np.column_stack([cx + rho * np.cos(ang), cy + rho * np.sin(ang)])
    return np.vstack([ring, ring[:1]])


def make_zones(
    n_zones: int, seed: int, side: float = SIDE, day: float = DAY, horizon: float | None = None
) -> dict[str, Any]:
    """``n_zones`` zones as ``FenceArrays``-like arrays plus their windows (module docstring).

    Returns a dict with the arrays of ``ZONE_FIELDS`` and ``win_off``, ``win_t0``, ``win_t1``
    (windows clipped to ``[0, horizon]``, default the day).
    """
    rng = np.random.default_rng(seed)
    horizon = day if horizon is None else horizon
    cols: dict[str, list[Any]] = {f: [] for f in ZONE_FIELDS if f != "ring_off"}
    ring_off = [0]
    vx: list[np.ndarray] = []
    vy: list[np.ndarray] = []
    nvert = 0
    win_off = [0]
    w0: list[float] = []
    w1: list[float] = []
    for z in range(int(n_zones)):
        cx, cy = rng.uniform(0.0, side, 2)
        rad = 0.5 * math.exp(rng.uniform(math.log(100.0), math.log(3000.0)))
        circle = rng.random() < 0.2
        rings: list[np.ndarray] = []
        if not circle:
            rings.append(_star(rng, cx, cy, rad))
            if rng.random() < 0.1:  # a hole: the outline scaled to 40 % about the centre
                rings.append(np.column_stack([cx, cy]) + 0.4 * (rings[0] - [cx, cy]))
            if rng.random() < 0.1:  # a second part, clear of the first
                ang = rng.uniform(0.0, 2.0 * math.pi)
                rings.append(
                    _star(rng, cx + 3 * rad * math.cos(ang), cy + 3 * rad * math.sin(ang), rad)
                )
        floor = 0.0 if rng.random() < 0.6 else float(rng.uniform(30.0, 100.0))
        ceiling = 1.0e9 if rng.random() < 0.3 else floor + float(rng.uniform(30.0, 150.0))
        bands = [(floor, ceiling)]
        if ceiling < 1.0e9 and rng.random() < 0.05:  # a second volume on top
            bands.append((ceiling, ceiling + float(rng.uniform(50.0, 200.0))))
        for floor, ceiling in bands:
            cols["vol_zone"].append(z)
            cols["vol_circle"].append(circle)
            cols["cx"].append(cx if circle else 0.0)
            cols["cy"].append(cy if circle else 0.0)
            cols["radius"].append(rad if circle else 0.0)
            cols["ring_start"].append(len(ring_off) - 1)
            for ring in rings:
                vx.append(ring[:, 0])
                vy.append(ring[:, 1])
                nvert += len(ring)
                ring_off.append(nvert)
            cols["ring_end"].append(len(ring_off) - 1)
            cols["floor"].append(floor)
            cols["ceiling"].append(ceiling)
            if circle:
                cols["bbox"].append((cx - rad, cy - rad, cx + rad, cy + rad))
            else:
                allv = np.vstack(rings)
                cols["bbox"].append((*allv.min(axis=0), *allv.max(axis=0)))
        if rng.random() < 0.5:
            pieces = [(0.0, horizon)]
        else:
            pieces = []
            for _ in range(int(rng.integers(1, 4))):
                a = float(rng.uniform(0.0, day))
                pieces.append((a, a + float(rng.uniform(3600.0, 6 * 3600.0))))
        merged: list[list[float]] = []
        for a, b in sorted(pieces):
            a, b = max(a, 0.0), min(b, horizon)
            if b <= a:
                continue
            if merged and a <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], b)
            else:
                merged.append([a, b])
        for a, b in merged:
            w0.append(a)
            w1.append(b)
        win_off.append(len(w0))
    out: dict[str, Any] = {
        "vol_zone": np.array(cols["vol_zone"], dtype=np.int32),
        "vol_circle": np.array(cols["vol_circle"], dtype=np.bool_),
        "cx": np.array(cols["cx"], dtype=np.float64),
        "cy": np.array(cols["cy"], dtype=np.float64),
        "radius": np.array(cols["radius"], dtype=np.float64),
        "ring_start": np.array(cols["ring_start"], dtype=np.int32),
        "ring_end": np.array(cols["ring_end"], dtype=np.int32),
        "ring_off": np.array(ring_off, dtype=np.int32),
        "vx": np.concatenate(vx) if vx else np.zeros(0),
        "vy": np.concatenate(vy) if vy else np.zeros(0),
        "floor": np.array(cols["floor"], dtype=np.float64),
        "ceiling": np.array(cols["ceiling"], dtype=np.float64),
        "bbox": np.array(cols["bbox"], dtype=np.float64).reshape(-1, 4),
        "win_off": np.array(win_off, dtype=np.int32),
        "win_t0": np.array(w0, dtype=np.float64),
        "win_t1": np.array(w1, dtype=np.float64),
    }
    return out


def zone_args(zones: dict[str, Any]) -> tuple[Any, ...]:
    """The zone arrays in :func:`sim.kernels.deconflict.zone_hits` order (after the volumes)."""
    return (*(zones[f] for f in ZONE_FIELDS), zones["win_off"], zones["win_t0"], zones["win_t1"])


def cells(iv: IntentVolumes) -> tuple[float, float, float]:
    """Grid sizes ``(cell m, tcell s, zone cell m)`` used by the benchmark (module docstring)."""
    cell, tcell = suggest_cells(iv)
    zone_cell, _ = suggest_cells(iv, factor=1.0)
    return cell, tcell, zone_cell


def deconflict(
    iv: IntentVolumes, zones: dict[str, Any], cell: float, tcell: float, zcell: float
) -> dict[str, Any]:
    """The full job: every plan against every other plan, and every plan against the zones."""
    a, b = plan_pairs(*iv.kernel_args(), iv.plan, cell, tcell)
    hv, hz, ot0, ot1 = zone_hits(*iv.kernel_args(), *zone_args(zones), zcell)
    return {"a": a, "b": b, "vol": hv, "zvol": hz, "ot0": ot0, "ot1": ot1}


def run(
    n_plans: int,
    n_zones: int = 1000,
    seed: int = 1,
    repeat: int = 3,
    cell_scale: float = 1.0,
    side: float = SIDE,
) -> dict[str, Any]:
    """Time :func:`deconflict` (best of ``repeat``, after a warm-up call); counts and sizes.

    ``cell_scale`` multiplies the grid sizes of :func:`cells` (for experiments); ``side`` (m)
    is the side of the square area of the plans and zones.
    """
    iv = make_plans(n_plans, seed, side=side)
    zones = make_zones(n_zones, seed + 1, side=side)
    cell, tcell, zcell = (c * cell_scale for c in cells(iv))
    out = deconflict(iv, zones, cell, tcell, zcell)  # compile / load the cache
    best = math.inf
    best_pp = math.inf
    best_zh = math.inf
    for _ in range(max(1, repeat)):
        t = time.perf_counter()
        plan_pairs(*iv.kernel_args(), iv.plan, cell, tcell)
        t1 = time.perf_counter()
        zone_hits(*iv.kernel_args(), *zone_args(zones), zcell)
        t2 = time.perf_counter()
        best = min(best, t2 - t)
        best_pp = min(best_pp, t1 - t)
        best_zh = min(best_zh, t2 - t1)
    conflicting = np.unique(np.concatenate([iv.plan[out["a"]], iv.plan[out["b"]]]))
    return {
        "plans": n_plans,
        "volumes": iv.n,
        "zones": n_zones,
        "zone_volumes": len(zones["vol_zone"]),
        "seconds": best,
        "plan_pairs_s": best_pp,
        "zone_hits_s": best_zh,
        "us_per_plan": best / n_plans * 1e6,
        "pairs": len(out["a"]),
        "plans_in_conflict": len(conflicting),
        "zone_hits": len(out["vol"]),
        "cell": cell,
        "tcell": tcell,
        "zone_cell": zcell,
        "repeat": repeat,
        "side_km": side / 1000.0,
    }


def table(rows: list[dict[str, Any]]) -> str:
    """A human-readable table of :func:`run` results."""
    head = (
        f"{'plans':>8}{'area km':>9}{'volumes':>10}{'zones':>7}{'seconds':>10}{'pairs s':>9}"
        f"{'zones s':>9}{'us/plan':>9}{'pairs':>9}{'in confl.':>10}{'zone hits':>11}"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"{r['plans']:>8,}{r['side_km']:>4.0f}x{r['side_km']:<4.0f}{r['volumes']:>10,}{r['zones']:>7,}{r['seconds']:>10.3f}"
            f"{r['plan_pairs_s']:>9.3f}{r['zone_hits_s']:>9.3f}{r['us_per_plan']:>9.1f}"
            f"{r['pairs']:>9,}{r['plans_in_conflict']:>10,}{r['zone_hits']:>11,}"
        )
    return "\n".join(lines)
