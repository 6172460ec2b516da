"""Drive one kernel over a hand-made fleet: the same calls the engine makes."""

from __future__ import annotations

import numpy as np

from sim.engine import kernel_args
from sim.kernels import reference
from sim.kernels.air import air_step
from sim.kernels.road import road_step, road_workspace
from sim.kernels.water import water_step
from sim.network.arrays import LayerArrays
from sim.state.fleet import ACTIVE, HELD, FleetState

ROAD_CFG = np.array([60.0, 3.0, 3.0, 30.0])


def road_args(
    f: FleetState,
    net: LayerArrays,
    idx: np.ndarray,
    dt: float,
    t: float = 0.0,
    ccfg: np.ndarray | None = None,
) -> tuple:
    """Arguments of road_step for a hand-made fleet (fresh workspaces and outputs)."""
    flags = np.zeros(max(1, len(idx)), dtype=np.int64)
    lead = np.full(len(f.x), -1, dtype=np.int64)
    gap = np.full(len(f.x), 1e9)
    return kernel_args.road_args(
        f, net, idx, dt, ROAD_CFG, road_workspace(net.n_edges), lead, gap, flags, t, ccfg
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
    return kernel_args.air_args(
        f, net, idx, dt, tick, cfg, np.zeros(max(1, 2 * len(idx)), dtype=np.int64)
    )


def water_args(
    f: FleetState, net: LayerArrays, idx: np.ndarray, dt: float, cfg: np.ndarray
) -> tuple:
    return kernel_args.water_args(f, net, idx, dt, cfg, np.zeros(max(1, len(idx)), dtype=np.int64))


__all__ = ["air_args", "air_step", "road_args", "road_tick", "water_args", "water_step"]
