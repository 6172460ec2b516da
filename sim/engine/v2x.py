"""Connected driving in a run: the V2X channel, CACC platoons, SPaT, scripted faults, metrics.

Per tick, around the road kernel (which drives connected vehicles with CACC/ACC itself, see
:func:`sim.kernels.cacc.connected_acc`):

1. before it, :func:`sim.kernels.faults.fault_step` sets each road vehicle's V2X delivery
   factor, sensor state and GNSS error from the faults active now (only while a fault is
   active, and once more after the last one ends, to restore the nominal values);
2. after it, :func:`sim.kernels.platoon.platoon_step` updates platoon places and metrics,
   then :func:`sim.kernels.v2x.v2x_step` broadcasts every connected vehicle's new state (the
   position it reports carries its GNSS error) and delivers to each follower the CAM its
   leader sent ``latency`` ago, and :func:`sim.kernels.v2x.spat_step` delivers the signal
   phase and timing of the approach each connected vehicle is on.

Faults are SimPy processes that switch on at ``at`` and off at ``until``, each with a trace
event. Nothing here runs when the scenario has no connected vehicle.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any

import numpy as np

from sim.kernels.cacc import C_R, MODE_ACC, MODE_MRC, cacc_config
from sim.kernels.faults import FAULT_GNSS, FAULT_SENSOR, FAULT_V2X, fault_step
from sim.kernels.geometry import point_at
from sim.kernels.noise import uniform
from sim.kernels.platoon import platoon_step
from sim.kernels.v2x import new_history, spat_step, v2x_step
from sim.model.scenario import MAX_LATENCY_TICKS, FaultEvent

if TYPE_CHECKING:
    import simpy

    from sim.engine.simulation import Simulation

CONNECTED_COUNTER = 0x434F4E4E << 24
"""Noise counter of a flow vehicle's "is it connected" draw (clear of every other stream)."""
FIELDS = ("mode", "link", "platoon")
"""Trace columns added when a run has connected vehicles: controller mode (-1 none, 0 cruise,
1 ACC, 2 CACC, 3 minimal risk), the agent whose CAM it follows (its leader, while fresh;
-1 none) and its platoon's head (-1: in no platoon of two or more)."""
KIND_OF_ACTION = {
    "v2x_blackout": FAULT_V2X,
    "v2x_degrade": FAULT_V2X,
    "gnss_degrade": FAULT_GNSS,
    "sensor_dropout": FAULT_SENSOR,
}
SS_WARMUP = 10.0
"""Seconds in CACC behind a predecessor before its string-stability window opens."""
SS_MIN_RANGE = 0.5
"""Smallest predecessor speed range (m/s) of a window that is judged (below it, no
disturbance to amplify)."""
TG_MIN_SPEED = 5.0
"""Time gaps are measured above this speed (m/s)."""
JOIN_TIME_GAP = 2.0
"""A CACC follower within this time gap (s) of its leader is a platoon member."""
MODE_EVENT = {MODE_ACC: "cacc_fallback", MODE_MRC: "minimal_risk"}


def is_connected_draw(key: int, share: float) -> bool:
    """Whether a flow vehicle with noise key ``key`` is connected at penetration ``share``."""
    if share <= 0.0:
        return False
    return bool(uniform(np.uint64(key), CONNECTED_COUNTER) < share)


class ConnectedDriving:
    """V2X state of one run (history rings, SPaT lights, faults) and its per-tick passes."""

    def __init__(self, sim: Simulation) -> None:
        """Read the ``[v2x]`` table and the fault events; prepare the arrays."""
        self.sim = sim
        sc = sim.bundle.scenario
        cfg = sc.v2x
        self.enabled = (
            any(a.connected for a in sc.agent)
            or any(f.connected > 0.0 for f in sc.flow)
            or any(isinstance(e, FaultEvent) for e in sc.event)
        )
        """Whether the run has connected vehicles or faults (else nothing here runs)."""
        self.ccfg = cacc_config(**cfg.controller_overrides())
        self.timeout = cfg.timeout
        self.period = max(1, round(1.0 / (cfg.cam_rate * sim.dt)))
        self.spat_period = max(1, round(1.0 / (cfg.spat_rate * sim.dt)))
        self.latency = min(round(cfg.latency / sim.dt), MAX_LATENCY_TICKS)
        self.r = cfg.range
        self.spat_r = cfg.spat_range
        self.hist = new_history(sim.fleet.capacity, MAX_LATENCY_TICKS + 1)
        self.changed = np.zeros(64, dtype=np.int64)
        self.connected_ids: list[int] = []
        self.max_platoon = 0
        road = sim.layers["road"]
        n_e = road.n_edges
        self.next_change = np.full(n_e, np.inf)
        """Per road edge: scenario time (s) of its signal's next change (inf: none known)."""
        self.next_green = np.full(n_e, np.inf)
        """Per road edge: scenario time (s) its signal next turns green (while green: the
        green after this one)."""
        self.l_green = np.zeros(n_e)
        self.l_x = np.zeros(n_e)
        self.l_y = np.zeros(n_e)
        for e in range(n_e):
            s = max(0.0, float(road.edge_length[e] - road.stop_offset[e]))
            self.l_x[e], self.l_y[e], _ = point_at(
                road.pts_off, road.pts_x, road.pts_y, road.pts_s, e, s, 0.0
            )
        self.l_phase = np.arange(n_e, dtype=np.int64) % self.spat_period
        self.l_degrade = np.ones(n_e)
        self.l_left = np.zeros(n_e)
        self.lights = np.full(64, -1, dtype=np.int64)
        """Per agent: the signalised approach edge it is on (-1 none), for SPaT."""
        self.signalised_edge = road.node_signalised[road.edge_to]
        self._faults(sc.event)

    # --- faults --------------------------------------------------------------------------------
    def _faults(self, events: tuple[Any, ...]) -> None:
        faults = [e for e in events if isinstance(e, FaultEvent)]
        self.faults = faults
        n = len(faults)
        self.f_kind = np.array([KIND_OF_ACTION[e.action] for e in faults], dtype=np.int64)
        self.f_active = np.zeros(n, dtype=np.int8)
        self.f_agent = np.full(n, -1, dtype=np.int64)
        self.f_factor = np.array(
            [0.0 if e.action == "v2x_blackout" else (e.factor or 0.0) for e in faults]
        )
        self.f_noise = np.array([e.noise for e in faults], dtype=float)
        self.f_bx = np.array([e.bias[0] for e in faults], dtype=float)
        self.f_by = np.array([e.bias[1] for e in faults], dtype=float)
        fa = self.sim.fences.fa
        vols: list[int] = []
        off = [0]
        for e in faults:
            if e.zone is not None:
                zn = fa.zone_ids.index(e.zone)
                vols.extend(np.nonzero(fa.vol_zone == zn)[0].tolist())
            off.append(len(vols))
        self.f_voff = np.array(off, dtype=np.int64)
        self.f_vols = np.array(vols, dtype=np.int64)
        self.fault_dirty = False

    def processes(self, env: simpy.Environment) -> None:
        """Start one process per fault event (on at ``at``, off at ``until``)."""
        for k, ev in enumerate(self.faults):
            env.process(self._fault(env, k, ev))

    def _fault(self, env: simpy.Environment, k: int, ev: FaultEvent) -> Any:
        at = float(ev.at)
        if at > env.now:
            yield env.timeout(at - env.now)
        self.f_active[k] = 1
        self.fault_dirty = True
        data: dict[str, Any] = {"zone": ev.zone} if ev.zone is not None else {}
        if ev.action == "v2x_degrade":
            data["factor"] = ev.factor
        if ev.action == "gnss_degrade":
            data.update(noise=ev.noise, bias=list(ev.bias))
        self.sim.event(env.now, ev.action, ev.agent, **data)
        if ev.until is None:
            return
        yield env.timeout(float(ev.until) - env.now)
        self.f_active[k] = 0
        self.sim.event(env.now, f"{ev.action}_end", ev.agent, **data)

    # --- spawning and signals ------------------------------------------------------------------
    def connect(self, i: int) -> None:
        """Make road agent ``i`` a connected vehicle (V2X unit, CACC)."""
        f = self.sim.fleet
        f.ctrl[i] = 1
        f.cam_phase[i] = int(f.rng_key[i] % np.uint64(self.period))
        self.connected_ids.append(i)

    def signal_changes(
        self, edges: np.ndarray, when: np.ndarray | float, green: np.ndarray | float | None = None
    ) -> None:
        """Record the next signal change of road ``edges``, at ``when`` (s).

        ``green`` (s): when they next turn green (unchanged when ``None``).
        """
        self.next_change[edges] = when
        if green is not None:
            self.next_green[edges] = green

    # --- per tick ------------------------------------------------------------------------------
    def before_road(self, tick: int, idx: np.ndarray) -> None:
        """Apply the active faults to the road vehicles ``idx`` (positions at the tick's start)."""
        if not self.faults or not (self.fault_dirty or self.f_active.any()):
            return
        self.fault_dirty = bool(self.f_active.any())
        f = self.sim.fleet
        for k, ev in enumerate(self.faults):
            if ev.agent is not None:
                self.f_agent[k] = f.index.get(ev.agent, -2)
        fa = self.sim.fences.fa
        fault_step(
            idx, tick, f.x, f.y, f.rng_key, self.f_kind, self.f_active, self.f_agent,
            self.f_factor, self.f_noise, self.f_bx, self.f_by, self.f_voff, self.f_vols,
            fa.vol_circle, fa.cx, fa.cy, fa.radius, fa.ring_start, fa.ring_end, fa.ring_off,
            fa.vx, fa.vy, f.degrade, f.sensor_ok, f.gnss_ex, f.gnss_ey,
        )  # fmt: skip

    def after_road(self, tick: int, t: float, idx: np.ndarray) -> None:
        """Platoons and metrics, then the channel, at the end of tick ``tick`` (time ``t``, s).

        ``tick`` and ``t`` are those of the new state (the tick just completed plus one).
        """
        sim = self.sim
        f = sim.fleet
        if len(self.changed) < len(idx):
            self.changed = np.zeros(2 * len(idx), dtype=np.int64)
        if len(self.lights) < f.capacity:
            self.lights = np.full(f.capacity, -1, dtype=np.int64)
        if self.hist[0].shape[0] < f.capacity:
            grown = new_history(f.capacity, MAX_LATENCY_TICKS + 1)
            for old, new in zip(self.hist, grown, strict=True):
                new[: old.shape[0]] = old
            self.hist = grown
        k = platoon_step(
            idx, sim.dt, sim.lead, sim.gap, f.speed, f.cacc_h, self.ccfg[C_R], f.ctrl,
            f.cacc_mode, f.prev_mode, f.plat_pos, f.plat_head, f.t_cacc, f.t_acc, f.n_fallback,
            f.tg_sum, f.tg_n, f.tg_min, f.ss_pred, f.ss_t, f.ss_hi, f.ss_lo, f.ss_phi, f.ss_plo,
            SS_WARMUP, TG_MIN_SPEED, JOIN_TIME_GAP, self.changed,
        )  # fmt: skip
        for i in self.changed[:k]:
            i = int(i)
            if f.status[i] in (1, 3):  # still on the road
                name = MODE_EVENT.get(int(f.cacc_mode[i]), "cacc_fallback")
                where = [round(float(f.x[i]), 3), round(float(f.y[i]), 3)]
                sim.event(t, name, f.ids[i], where=where)
        if len(idx):
            self.max_platoon = max(self.max_platoon, int(f.plat_pos[idx].max()) + 1)
        px = f.x + f.gnss_ex
        py = f.y + f.gnss_ey
        v2x_step(
            idx, tick, t, f.ctrl, sim.lead, f.x, f.y, f.speed, f.accel, f.cacc_u, px, py,
            f.rng_key, f.degrade, f.cam_phase, self.period, self.latency, self.r, *self.hist,
            f.heard_t, f.heard_v, f.heard_a, f.heard_u, f.heard_x, f.heard_y, f.heard_from,
            f.n_sent, f.n_recv, f.n_lost,
        )  # fmt: skip
        road = sim.layers["road"]
        e = f.edge[idx]
        light = np.where(self.signalised_edge[e] & (f.ctrl[idx] != 0), e, -1)
        if (light >= 0).any():
            lights = self.lights
            lights[idx] = light
            np.subtract(self.next_change, t, out=self.l_left)
            np.subtract(self.next_green, t, out=self.l_green)
            spat_step(
                idx, tick, t, f.ctrl, lights, f.x, f.y, f.rng_key, f.degrade, self.spat_period,
                self.spat_r, self.l_x, self.l_y, road.signal_state, self.l_left, self.l_green,
                self.l_phase, self.l_degrade, f.spat_t, f.spat_state, f.spat_left, f.spat_green,
                f.spat_from, f.spat_recv, f.spat_lost,
            )  # fmt: skip

    # --- trace and summary ---------------------------------------------------------------------
    def frame_columns(self, ids: np.ndarray, t: float) -> np.ndarray:
        """The :data:`FIELDS` columns (float32, shape ``(len(ids), 3)``) of a trace frame."""
        f = self.sim.fleet
        out = np.empty((len(ids), len(FIELDS)), dtype=np.float32)
        out[:, 0] = f.cacc_mode[ids]
        fresh = (f.heard_from[ids] >= 0) & (t - f.heard_t[ids] <= self.timeout)
        out[:, 1] = np.where(fresh, f.heard_from[ids], -1)
        pos = f.plat_pos[ids]
        head = f.plat_head[ids]
        is_head = (pos == 0) & np.isin(ids, head[pos >= 1])
        out[:, 2] = np.where((pos >= 1) | is_head, head, -1)
        return out

    def summary(self) -> dict[str, Any]:
        """Run totals: messages, controller modes, time gaps and string stability."""
        f = self.sim.fleet
        ids = np.array(self.connected_ids, dtype=np.int64)

        def total(col: np.ndarray) -> int:
            return int(col[ids].sum()) if len(ids) else 0

        def num(v: float) -> float | None:
            return round(float(v), 6) if math.isfinite(v) else None

        recv, lost = total(f.n_recv), total(f.n_lost)
        t_cacc = float(f.t_cacc[ids].sum()) if len(ids) else 0.0
        t_acc = float(f.t_acc[ids].sum()) if len(ids) else 0.0
        tg_n = total(f.tg_n)
        ratios = []
        for i in ids:
            rng_pred = f.ss_phi[i] - f.ss_plo[i]
            if f.ss_pred[i] >= 0 and f.ss_t[i] > SS_WARMUP and rng_pred >= SS_MIN_RANGE:
                ratios.append((f.ss_hi[i] - f.ss_lo[i]) / rng_pred)
        arr = np.array(ratios)
        return {
            "connected_vehicles": len(ids),
            "cam_sent": total(f.n_sent),
            "cam_received": recv,
            "cam_lost": lost,
            "cam_delivery_ratio": num(recv / (recv + lost)) if recv + lost else None,
            "spat_received": total(f.spat_recv),
            "spat_lost": total(f.spat_lost),
            "cacc_time": round(t_cacc, 6),
            "acc_time": round(t_acc, 6),
            "cacc_share": num(t_cacc / (t_cacc + t_acc)) if t_cacc + t_acc > 0 else None,
            "fallbacks": total(f.n_fallback),
            "max_platoon_size": self.max_platoon,
            "platoon_time_gap_mean": num(float(f.tg_sum[ids].sum()) / tg_n) if tg_n else None,
            "platoon_time_gap_min": num(float(f.tg_min[ids].min())) if len(ids) else None,
            "string_stability": {
                "pairs": len(ratios),
                "max_ratio": num(float(arr.max())) if len(arr) else None,
                "geometric_mean_ratio": (
                    num(float(np.exp(np.log(np.maximum(arr, 1e-9)).mean()))) if len(arr) else None
                ),
                "amplifying_pairs": int((arr > 1.0).sum()),
                "warmup": SS_WARMUP,
                "min_predecessor_range": SS_MIN_RANGE,
            },
        }
