"""The argument lists of the motion kernels, built from the fleet and a network layer.

One place spells out which fleet column and which network array goes where, for the engine,
the tests (which also feed the same tuple to the numpy twins) and the benchmarks.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from sim.kernels.cacc import cacc_config
from sim.network.arrays import LayerArrays
from sim.state.fleet import FleetState


def road_args(
    f: FleetState,
    net: LayerArrays,
    idx: np.ndarray,
    dt: float,
    cfg: np.ndarray,
    ws: tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray],
    lead: np.ndarray,
    gap: np.ndarray,
    flags: np.ndarray,
    t: float = 0.0,
    ccfg: np.ndarray | None = None,
) -> tuple[Any, ...]:
    """Arguments of :func:`sim.kernels.road.road_step` (and its twin).

    ``t`` (s): time of the tick; ``ccfg``: the connected vehicles' controller configuration
    (:func:`sim.kernels.cacc.cacc_config`, its defaults when ``None``).
    """
    lo, hi, best, counts = ws
    if ccfg is None:
        ccfg = cacc_config()
    return (
        idx, dt, cfg,
        f.status, f.edge, f.s, f.lane, f.speed, f.accel, f.x, f.y, f.heading, f.lc_cool,
        f.distance, f.length, f.width, f.v0, f.T, f.a_max, f.b_comf, f.s0, f.delta, f.politeness,
        f.lc_threshold, f.b_safe, f.max_decel, f.replay,
        f.ctrl, t, ccfg, f.heard_t, f.heard_u, f.heard_v, f.heard_x, f.heard_y, f.heard_from,
        f.gnss_ex, f.gnss_ey, f.sensor_ok, f.plat_pos, f.cacc_u, f.cacc_h, f.cacc_mode,
        f.spat_t, f.spat_state, f.spat_left, f.spat_green, f.spat_from,
        f.route_off, f.route_len, f.route_pos, f.routes,
        net.edge_length, net.speed_limit, net.lanes, net.lane_width, net.two_way,
        net.edge_from, net.edge_to, net.stop_offset, net.box_start, net.box_end,
        net.node_signalised, net.signal_state,
        net.pts_off, net.pts_x, net.pts_y, net.pts_s,
        lo, hi, best, counts, lead, gap, flags,
    )  # fmt: skip


def air_args(
    f: FleetState,
    net: LayerArrays,
    idx: np.ndarray,
    dt: float,
    tick: int,
    cfg: np.ndarray,
    flags: np.ndarray,
) -> tuple[Any, ...]:
    """Arguments of :func:`sim.kernels.air.air_step` (and its twin)."""
    return (
        idx, dt, tick, cfg,
        f.status, f.phase, f.edge, f.s, f.speed, f.vz, f.accel, f.x, f.y, f.z, f.heading,
        f.distance, f.energy, f.endurance, f.v0, f.max_speed, f.a_max, f.climb_rate,
        f.descent_rate, f.z_cruise, f.z_goal, f.gust_u, f.gust_v, f.rng_key,
        f.route_off, f.route_len, f.route_pos, f.routes,
        net.edge_length, net.speed_limit, net.pts_off, net.pts_x, net.pts_y, net.pts_s,
        net.floor, net.ceiling, flags,
    )  # fmt: skip


def water_args(
    f: FleetState,
    net: LayerArrays,
    idx: np.ndarray,
    dt: float,
    cfg: np.ndarray,
    flags: np.ndarray,
) -> tuple[Any, ...]:
    """Arguments of :func:`sim.kernels.water.water_step` (and its twin)."""
    return (
        idx, dt, cfg,
        f.status, f.edge, f.s, f.speed, f.accel, f.x, f.y, f.heading, f.yaw_rate, f.xte,
        f.distance, f.v0, f.max_speed, f.a_max, f.speed_tau, f.nomoto_k, f.nomoto_t,
        f.length, f.route_off, f.route_len, f.route_pos, f.routes,
        net.edge_length, net.speed_limit, net.width, net.pts_off, net.pts_x, net.pts_y,
        net.pts_s, flags,
    )  # fmt: skip
