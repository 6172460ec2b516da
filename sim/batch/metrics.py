"""The metrics a sweep can collect: names, units, and how each is read from a finished run.

Every metric is a number read from the run's summary (:meth:`Simulation.run`) or its fleet
arrays; none depends on the wall clock. ``violations`` expands to a total and one column per
run-time rule of the catalogue (``violations.fence.prohibited``, ``violations.separation.loss``
...), so every results file of a sweep has the same columns whatever its runs did.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING, Any, Literal

import numpy as np

from sim.rules.catalogue import catalogue
from sim.state.fleet import ARRIVED, KIND_NAMES, WAITING

if TYPE_CHECKING:
    from sim.engine.simulation import RunResult, Simulation

ColumnKind = Literal["int", "float", "str", "bool"]

METRICS: dict[str, tuple[ColumnKind, str]] = {
    "violations": ("int", "violations in the run, in total and by rule (count)"),
    "collisions": ("int", "collisions of any kind (count)"),
    "uav_conflicts": ("int", "predicted UAV conflicts within the look-ahead (count)"),
    "uav_separation_losses": ("int", "UAV losses of separation (count)"),
    "min_ttc": ("float", "lowest time to collision between road vehicles (s; null: none)"),
    "tet": ("float", "time exposed below the TTC threshold, summed over road vehicles (s)"),
    "tit": ("float", "time-integrated TTC below the threshold (s^2)"),
    "max_drac": ("float", "highest deceleration rate to avoid a crash (m/s^2)"),
    "min_pet": ("float", "lowest post-encroachment time at junctions (s; null: none)"),
    "pet_below_threshold": ("int", "junction encroachments below the PET threshold (count)"),
    "mean_speed": (
        "float",
        "distance travelled over time on the network, all agents (m/s; null: nobody moved)",
    ),
    "mean_speed_icv": ("float", "the same for road vehicles (m/s)"),
    "mean_speed_uav": ("float", "the same for UAVs (m/s)"),
    "mean_speed_ship": ("float", "the same for ships (m/s)"),
    "spawned": ("int", "agents that entered the network (count)"),
    "arrived": ("int", "agents that reached their destination (count)"),
    "failed": ("int", "agents that failed on the way, e.g. an empty battery (count)"),
    "active_at_end": ("int", "agents still under way when the run ended (count)"),
    "vehicle_updates": ("int", "agent-ticks simulated (count)"),
    "events": ("int", "events recorded (count)"),
    "connected_vehicles": ("int", "connected (V2X, CACC) vehicles that entered (count)"),
    "v2x_delivery_ratio": (
        "float",
        "CAMs followers decoded from their leaders over those sent to them (null: none)",
    ),
    "cacc_share": ("float", "time in CACC over time in CACC or the ACC fallback (null: none)"),
    "cacc_fallbacks": ("int", "switches from CACC to ACC or a minimal risk manoeuvre (count)"),
    "max_platoon_size": ("int", "largest platoon, head included (vehicles)"),
    "platoon_time_gap_mean": ("float", "mean time gap of platoon followers in CACC (s)"),
    "platoon_time_gap_min": ("float", "smallest such time gap (s)"),
    "string_stability_max": (
        "float",
        "largest speed-range ratio follower / predecessor in a platoon (<= 1: string-stable)",
    ),
}
"""Metric name -> (column kind, description with unit). Default: all of them."""

V2X_KEYS = {
    "connected_vehicles": "connected_vehicles",
    "v2x_delivery_ratio": "cam_delivery_ratio",
    "cacc_share": "cacc_share",
    "cacc_fallbacks": "fallbacks",
    "max_platoon_size": "max_platoon_size",
    "platoon_time_gap_mean": "platoon_time_gap_mean",
    "platoon_time_gap_min": "platoon_time_gap_min",
}
"""Metrics read from the summary's ``v2x`` table (absent: no connected vehicle, 0 or null)."""


def runtime_rules() -> tuple[str, ...]:
    """Ids of the rules the engine reports while a scenario runs, in catalogue order."""
    return tuple(r.id for r in catalogue().values() if r.stage == "runtime")


def metric_columns(metrics: tuple[str, ...]) -> list[tuple[str, ColumnKind]]:
    """The result columns of the chosen metrics, in the order given."""
    cols: list[tuple[str, ColumnKind]] = []
    for m in metrics:
        cols.append((m, METRICS[m][0]))
        if m == "violations":
            cols += [(f"violations.{rule}", "int") for rule in runtime_rules()]
    return cols


def _num(v: Any) -> float | None:
    if v is None:
        return None
    f = float(v)
    return f if math.isfinite(f) else None


def mean_speeds(sim: Simulation) -> dict[str, float | None]:
    """Distance over time on the network (m/s), for all agents and per kind.

    An agent's time runs from its departure to its arrival, or to the end of the run; agents
    still waiting to enter do not count. Stops (held agents, queues) lower the mean, as in a
    travel speed.
    """
    f = sim.fleet
    n = f.n
    end = sim.tick * sim.dt
    went = f.status[:n] != WAITING
    t_end = np.where((f.status[:n] == ARRIVED) & (f.t_arrive[:n] >= 0.0), f.t_arrive[:n], end)
    time = np.where(went, np.maximum(t_end - f.t_depart[:n], 0.0), 0.0)
    dist = np.where(went, f.distance[:n], 0.0)
    out: dict[str, float | None] = {}
    total_t = float(time.sum())
    out["mean_speed"] = float(dist.sum()) / total_t if total_t > 0 else None
    for k, name in enumerate(KIND_NAMES):
        mask = f.kind[:n] == k
        t = float(time[mask].sum())
        out[f"mean_speed_{name}"] = float(dist[mask].sum()) / t if t > 0 else None
    return out


def extract(sim: Simulation, result: RunResult, metrics: tuple[str, ...]) -> dict[str, Any]:
    """The values of the chosen metrics' columns for a finished run."""
    s = result.summary
    row: dict[str, Any] = {}
    speeds: dict[str, float | None] | None = None
    for m in metrics:
        if m == "violations":
            by_rule: dict[str, int] = dict(s.get("violations", {}))
            row["violations"] = int(sum(by_rule.values()))
            for rule in runtime_rules():
                row[f"violations.{rule}"] = int(by_rule.get(rule, 0))
        elif m.startswith("mean_speed"):
            if speeds is None:
                speeds = mean_speeds(sim)
            row[m] = speeds[m]
        elif m == "active_at_end":
            row[m] = int(result.active)
        elif m in V2X_KEYS or m == "string_stability_max":
            v2x = s.get("v2x") or {}
            if m == "string_stability_max":
                value = (v2x.get("string_stability") or {}).get("max_ratio")
            else:
                value = v2x.get(V2X_KEYS[m])
            row[m] = int(value or 0) if METRICS[m][0] == "int" else _num(value)
        elif METRICS[m][0] == "int":
            row[m] = int(s.get(m) or 0)
        else:
            row[m] = _num(s.get(m))
    return row
