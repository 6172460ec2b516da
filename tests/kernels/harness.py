"""Drive one kernel over a hand-made fleet: the same calls the engine makes."""

from __future__ import annotations

import numpy as np

from sim.kernels import reference
from sim.kernels.air import air_step
from sim.kernels.road import road_step, road_workspace
from sim.kernels.water import water_step
from sim.network.arrays import LayerArrays
from sim.state.fleet import ACTIVE, HELD, FleetState

ROAD_CFG = np.array([60.0, 3.0, 3.0, 30.0])


def road_args(
    f: FleetState, net: LayerArrays, idx: np.ndarray, dt: float, ws=None, flags=None
) -> tuple:
    lo, hi, best, counts = ws if ws is not None else road_workspace(net.n_edges)
    flags = flags if flags is not None else np.zeros(max(1, len(idx)), dtype=np.int64)
    return (
        idx,
        dt,
        ROAD_CFG,
        f.status,
        f.edge,
        f.s,
        f.lane,
        f.speed,
        f.accel,
        f.x,
        f.y,
        f.heading,
        f.lc_cool,
        f.distance,
        f.length,
        f.v0,
        f.T,
        f.a_max,
        f.b_comf,
        f.s0,
        f.delta,
        f.politeness,
        f.lc_threshold,
        f.b_safe,
        f.max_decel,
        f.route_off,
        f.route_len,
        f.route_pos,
        f.routes,
        net.edge_length,
        net.speed_limit,
        net.lanes,
        net.lane_width,
        net.two_way,
        net.edge_to,
        net.node_signalised,
        net.signal_state,
        net.pts_off,
        net.pts_x,
        net.pts_y,
        net.pts_s,
        lo,
        hi,
        best,
        counts,
        np.full(len(f.x), -1, dtype=np.int64),
        np.full(len(f.x), 1e9),
        flags,
    )


def road_tick(f: FleetState, net: LayerArrays, dt: float, twin: bool = False) -> int:
    n = f.n
    idx = np.nonzero((f.status[:n] == ACTIVE) | (f.status[:n] == HELD))[0]
    if len(idx) == 0:
        return 0
    fn = reference.road_step_ref if twin else road_step
    return fn(*road_args(f, net, idx, dt))


def air_args(
    f: FleetState, net: LayerArrays, idx: np.ndarray, dt: float, tick: int, cfg: np.ndarray
) -> tuple:
    flags = np.zeros(max(1, 2 * len(idx)), dtype=np.int64)
    return (
        idx,
        dt,
        tick,
        cfg,
        f.status,
        f.phase,
        f.edge,
        f.s,
        f.speed,
        f.vz,
        f.accel,
        f.x,
        f.y,
        f.z,
        f.heading,
        f.distance,
        f.energy,
        f.endurance,
        f.v0,
        f.max_speed,
        f.a_max,
        f.climb_rate,
        f.descent_rate,
        f.z_cruise,
        f.z_goal,
        f.gust_u,
        f.gust_v,
        f.rng_key,
        f.route_off,
        f.route_len,
        f.route_pos,
        f.routes,
        net.edge_length,
        net.speed_limit,
        net.pts_off,
        net.pts_x,
        net.pts_y,
        net.pts_s,
        net.floor,
        net.ceiling,
        flags,
    )


def water_args(
    f: FleetState, net: LayerArrays, idx: np.ndarray, dt: float, cfg: np.ndarray
) -> tuple:
    flags = np.zeros(max(1, len(idx)), dtype=np.int64)
    return (
        idx,
        dt,
        cfg,
        f.status,
        f.edge,
        f.s,
        f.speed,
        f.accel,
        f.x,
        f.y,
        f.heading,
        f.yaw_rate,
        f.xte,
        f.distance,
        f.v0,
        f.max_speed,
        f.a_max,
        f.speed_tau,
        f.nomoto_k,
        f.nomoto_t,
        f.length,
        f.route_off,
        f.route_len,
        f.route_pos,
        f.routes,
        net.edge_length,
        net.speed_limit,
        net.pts_off,
        net.pts_x,
        net.pts_y,
        net.pts_s,
        flags,
    )


__all__ = ["air_args", "air_step", "road_args", "road_tick", "water_args", "water_step"]
