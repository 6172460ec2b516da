"""Struct-of-arrays fleet state, grown by doubling, with id <-> index maps.

One row per agent ever spawned (rows are never reused, so an index names one agent for the
whole run). Kernels read and write these arrays in place; Python touches single rows only
when an agent is spawned or flagged by a kernel.
"""

from __future__ import annotations

from typing import ClassVar

import numpy as np
import numpy.typing as npt

KIND_ICV = 0
KIND_UAV = 1
KIND_SHIP = 2
KIND_NAMES = ("icv", "uav", "ship")

WAITING = 0
"""Spawned into the table but not yet on the network (e.g. no room at the entry)."""
ACTIVE = 1
ARRIVED = 2
HELD = 3
"""Stopped by a scripted event or a breach action; resumes on ``resume_agent``."""
FAILED = 4
"""Left the run abnormally (e.g. battery depleted)."""
STATUS_NAMES = ("waiting", "active", "arrived", "held", "failed")

PH_GROUND = 0
PH_TAKEOFF = 1
PH_CRUISE = 2
PH_LANDING = 3
PH_DONE = 4


class FleetState:
    """Agents as columns; the unit of each column is in :attr:`COLUMNS`."""

    COLUMNS: ClassVar[tuple[tuple[str, str, float, str], ...]] = (
        # name, dtype, fill, unit / meaning
        ("kind", "int8", 0, "0 icv, 1 uav, 2 ship"),
        ("status", "int8", WAITING, "WAITING/ACTIVE/ARRIVED/HELD/FAILED"),
        ("x", "float64", 0.0, "m east"),
        ("y", "float64", 0.0, "m north"),
        ("z", "float64", 0.0, "m AMSL"),
        ("heading", "float64", 0.0, "rad from east, counter-clockwise"),
        ("speed", "float64", 0.0, "m/s along track (ground speed)"),
        ("vz", "float64", 0.0, "m/s vertical"),
        ("accel", "float64", 0.0, "m/s2 along track"),
        ("length", "float64", 4.8, "m"),
        ("width", "float64", 1.9, "m"),
        ("height", "float64", 1.5, "m"),
        ("route_off", "int32", 0, "offset into the route store"),
        ("route_len", "int32", 0, "edges in the route"),
        ("route_pos", "int32", 0, "index of the current edge in the route"),
        ("edge", "int32", -1, "current directed edge of the agent's layer"),
        ("s", "float64", 0.0, "m along the current edge"),
        ("lane", "int32", 0, "lane, 0 = rightmost"),
        ("lc_cool", "float64", 0.0, "s until another lane change is considered"),
        ("v0", "float64", 30.0, "m/s desired (planned) speed"),
        ("T", "float64", 1.5, "s IDM time headway"),
        ("a_max", "float64", 1.0, "m/s2 IDM / max acceleration"),
        ("b_comf", "float64", 2.0, "m/s2 IDM comfortable deceleration"),
        ("s0", "float64", 2.0, "m IDM standstill gap"),
        ("delta", "float64", 4.0, "IDM exponent"),
        ("politeness", "float64", 0.2, "MOBIL politeness"),
        ("lc_threshold", "float64", 0.2, "m/s2 MOBIL threshold"),
        ("b_safe", "float64", 4.0, "m/s2 MOBIL safe deceleration"),
        ("max_speed", "float64", 50.0, "m/s"),
        ("max_decel", "float64", 8.0, "m/s2"),
        ("replay", "int8", 0, "1: posed from a recorded trajectory, not driven"),
        ("phase", "int8", PH_GROUND, "UAV flight phase"),
        ("z_cruise", "float64", 0.0, "m AMSL planned cruise altitude"),
        ("z_goal", "float64", 0.0, "m AMSL ground at the destination"),
        ("climb_rate", "float64", 3.0, "m/s"),
        ("descent_rate", "float64", 2.0, "m/s"),
        ("energy", "float64", 1.0, "battery fraction left"),
        ("endurance", "float64", 1800.0, "s flight time at cruise"),
        ("gust_u", "float64", 0.0, "m/s gust east"),
        ("gust_v", "float64", 0.0, "m/s gust north"),
        ("rng_key", "uint64", 0, "per-agent key of the counter-based noise"),
        ("yaw_rate", "float64", 0.0, "rad/s"),
        ("nomoto_k", "float64", 0.1, "1/s"),
        ("nomoto_t", "float64", 10.0, "s"),
        ("speed_tau", "float64", 20.0, "s ship speed time constant"),
        ("xte", "float64", 0.0, "m cross-track error (ships), left positive"),
        ("t_depart", "float64", 0.0, "s actual departure"),
        ("t_arrive", "float64", -1.0, "s arrival, -1 before"),
        ("distance", "float64", 0.0, "m travelled"),
        ("ttc", "float64", np.inf, "s time to collision with the leader now (inf none)"),
        ("min_ttc", "float64", np.inf, "s lowest TTC so far"),
        ("tet", "float64", 0.0, "s time exposed below the TTC threshold"),
        ("tit", "float64", 0.0, "s2 time-integrated TTC below the threshold"),
        ("max_drac", "float64", 0.0, "m/s2 highest deceleration rate to avoid a crash"),
        # --- connected vehicles (sim.engine.v2x) ---
        ("ctrl", "int8", 0, "1: connected, driven by CACC with the ACC fallback"),
        ("cam_phase", "int64", 0, "tick offset of its CAM broadcasts"),
        ("degrade", "float64", 1.0, "V2X delivery factor now (1 nominal, 0 blackout)"),
        ("sensor_ok", "int8", 1, "0: on-board sensors out (a scripted fault)"),
        ("gnss_ex", "float64", 0.0, "m east error of its GNSS fix now"),
        ("gnss_ey", "float64", 0.0, "m north error of its GNSS fix now"),
        ("cacc_u", "float64", 0.0, "m/s2 CACC commanded acceleration"),
        ("cacc_h", "float64", 0.0, "s time gap in use by CACC/ACC (0 unset)"),
        ("cacc_mode", "int8", -1, "-1 none, 0 cruise, 1 ACC, 2 CACC, 3 minimal risk"),
        ("prev_mode", "int8", -1, "cacc_mode of the tick before"),
        ("plat_pos", "int32", -1, "place in its platoon (0 head, -1 none)"),
        ("plat_head", "int32", -1, "index of its platoon's head (-1 none)"),
        ("heard_t", "float64", -np.inf, "s send time of the last CAM heard"),
        ("heard_v", "float64", 0.0, "m/s speed in that CAM"),
        ("heard_a", "float64", 0.0, "m/s2 acceleration in that CAM"),
        ("heard_u", "float64", 0.0, "m/s2 commanded acceleration in that CAM"),
        ("heard_x", "float64", 0.0, "m east reported position in that CAM"),
        ("heard_y", "float64", 0.0, "m north reported position in that CAM"),
        ("heard_from", "int64", -1, "sender of that CAM"),
        ("spat_t", "float64", -np.inf, "s send time of the last SPaT heard"),
        ("spat_state", "int64", 0, "signal state in it (0 green, 1 yellow, 2 red)"),
        ("spat_left", "float64", 0.0, "s to the next change, as of spat_t"),
        ("spat_green", "float64", 0.0, "s to the next green, as of spat_t"),
        ("spat_from", "int64", -1, "approach edge it was about"),
        ("n_sent", "int64", 0, "CAMs broadcast"),
        ("n_recv", "int64", 0, "CAMs from its leader decoded"),
        ("n_lost", "int64", 0, "CAMs from its leader lost"),
        ("spat_recv", "int64", 0, "SPaT messages decoded"),
        ("spat_lost", "int64", 0, "SPaT messages lost"),
        ("t_cacc", "float64", 0.0, "s driven in CACC"),
        ("t_acc", "float64", 0.0, "s driven in the ACC fallback"),
        ("n_fallback", "int64", 0, "switches from CACC to ACC or minimal risk"),
        ("tg_sum", "float64", 0.0, "s sum of time gaps while in CACC above 5 m/s"),
        ("tg_n", "int64", 0, "ticks in that sum"),
        ("tg_min", "float64", np.inf, "s smallest such time gap"),
        ("ss_pred", "int32", -1, "platoon predecessor of the string-stability window"),
        ("ss_t", "float64", 0.0, "s in CACC behind it"),
        ("ss_hi", "float64", 0.0, "m/s highest own speed in the window"),
        ("ss_lo", "float64", 0.0, "m/s lowest own speed in the window"),
        ("ss_phi", "float64", 0.0, "m/s highest predecessor speed in the window"),
        ("ss_plo", "float64", 0.0, "m/s lowest predecessor speed in the window"),
    )

    kind: npt.NDArray[np.int8]
    status: npt.NDArray[np.int8]
    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    z: npt.NDArray[np.float64]
    heading: npt.NDArray[np.float64]
    speed: npt.NDArray[np.float64]
    vz: npt.NDArray[np.float64]
    accel: npt.NDArray[np.float64]
    length: npt.NDArray[np.float64]
    width: npt.NDArray[np.float64]
    height: npt.NDArray[np.float64]
    route_off: npt.NDArray[np.int32]
    route_len: npt.NDArray[np.int32]
    route_pos: npt.NDArray[np.int32]
    edge: npt.NDArray[np.int32]
    s: npt.NDArray[np.float64]
    lane: npt.NDArray[np.int32]
    lc_cool: npt.NDArray[np.float64]
    v0: npt.NDArray[np.float64]
    T: npt.NDArray[np.float64]
    a_max: npt.NDArray[np.float64]
    b_comf: npt.NDArray[np.float64]
    s0: npt.NDArray[np.float64]
    delta: npt.NDArray[np.float64]
    politeness: npt.NDArray[np.float64]
    lc_threshold: npt.NDArray[np.float64]
    b_safe: npt.NDArray[np.float64]
    max_speed: npt.NDArray[np.float64]
    max_decel: npt.NDArray[np.float64]
    replay: npt.NDArray[np.int8]
    phase: npt.NDArray[np.int8]
    z_cruise: npt.NDArray[np.float64]
    z_goal: npt.NDArray[np.float64]
    climb_rate: npt.NDArray[np.float64]
    descent_rate: npt.NDArray[np.float64]
    energy: npt.NDArray[np.float64]
    endurance: npt.NDArray[np.float64]
    gust_u: npt.NDArray[np.float64]
    gust_v: npt.NDArray[np.float64]
    rng_key: npt.NDArray[np.uint64]
    yaw_rate: npt.NDArray[np.float64]
    nomoto_k: npt.NDArray[np.float64]
    nomoto_t: npt.NDArray[np.float64]
    speed_tau: npt.NDArray[np.float64]
    xte: npt.NDArray[np.float64]
    t_depart: npt.NDArray[np.float64]
    t_arrive: npt.NDArray[np.float64]
    distance: npt.NDArray[np.float64]
    ttc: npt.NDArray[np.float64]
    min_ttc: npt.NDArray[np.float64]
    tet: npt.NDArray[np.float64]
    tit: npt.NDArray[np.float64]
    max_drac: npt.NDArray[np.float64]
    ctrl: npt.NDArray[np.int8]
    cam_phase: npt.NDArray[np.int64]
    degrade: npt.NDArray[np.float64]
    sensor_ok: npt.NDArray[np.int8]
    gnss_ex: npt.NDArray[np.float64]
    gnss_ey: npt.NDArray[np.float64]
    cacc_u: npt.NDArray[np.float64]
    cacc_h: npt.NDArray[np.float64]
    cacc_mode: npt.NDArray[np.int8]
    prev_mode: npt.NDArray[np.int8]
    plat_pos: npt.NDArray[np.int32]
    plat_head: npt.NDArray[np.int32]
    heard_t: npt.NDArray[np.float64]
    heard_v: npt.NDArray[np.float64]
    heard_a: npt.NDArray[np.float64]
    heard_u: npt.NDArray[np.float64]
    heard_x: npt.NDArray[np.float64]
    heard_y: npt.NDArray[np.float64]
    heard_from: npt.NDArray[np.int64]
    spat_t: npt.NDArray[np.float64]
    spat_state: npt.NDArray[np.int64]
    spat_left: npt.NDArray[np.float64]
    spat_green: npt.NDArray[np.float64]
    spat_from: npt.NDArray[np.int64]
    n_sent: npt.NDArray[np.int64]
    n_recv: npt.NDArray[np.int64]
    n_lost: npt.NDArray[np.int64]
    spat_recv: npt.NDArray[np.int64]
    spat_lost: npt.NDArray[np.int64]
    t_cacc: npt.NDArray[np.float64]
    t_acc: npt.NDArray[np.float64]
    n_fallback: npt.NDArray[np.int64]
    tg_sum: npt.NDArray[np.float64]
    tg_n: npt.NDArray[np.int64]
    tg_min: npt.NDArray[np.float64]
    ss_pred: npt.NDArray[np.int32]
    ss_t: npt.NDArray[np.float64]
    ss_hi: npt.NDArray[np.float64]
    ss_lo: npt.NDArray[np.float64]
    ss_phi: npt.NDArray[np.float64]
    ss_plo: npt.NDArray[np.float64]

    def __init__(self, capacity: int = 64) -> None:
        """Create an empty fleet with room for ``capacity`` agents before growing."""
        self.n = 0
        self.capacity = max(1, int(capacity))
        for name, dtype, fill, _ in self.COLUMNS:
            setattr(self, name, np.full(self.capacity, fill, dtype=dtype))
        self.ids: list[str] = []
        self.index: dict[str, int] = {}
        self.routes = np.zeros(256, dtype=np.int32)
        self.n_route = 0

    def _grow(self, need: int) -> None:
        new_cap = self.capacity
        while new_cap < need:
            new_cap *= 2
        if new_cap == self.capacity:
            return
        for name, dtype, fill, _ in self.COLUMNS:
            old = getattr(self, name)
            arr = np.full(new_cap, fill, dtype=dtype)
            arr[: self.n] = old[: self.n]
            setattr(self, name, arr)
        self.capacity = new_cap

    def add(self, agent_id: str, kind: int, route: npt.ArrayLike) -> int:
        """Append an agent with its route (directed edge numbers); return its index.

        Raises:
            ValueError: if the id is already taken.
        """
        if agent_id in self.index:
            raise ValueError(f"agent id {agent_id!r} is already in the fleet")
        self._grow(self.n + 1)
        i = self.n
        self.n += 1
        self.ids.append(agent_id)
        self.index[agent_id] = i
        self.kind[i] = kind
        r = np.asarray(route, dtype=np.int32)
        if self.n_route + len(r) > len(self.routes):
            cap = len(self.routes)
            while cap < self.n_route + len(r):
                cap *= 2
            grown = np.zeros(cap, dtype=np.int32)
            grown[: self.n_route] = self.routes[: self.n_route]
            self.routes = grown
        self.routes[self.n_route : self.n_route + len(r)] = r
        self.route_off[i] = self.n_route
        self.route_len[i] = len(r)
        self.n_route += len(r)
        return i

    def route_of(self, i: int) -> npt.NDArray[np.int32]:
        """The route (directed edge numbers) of agent ``i``."""
        o = int(self.route_off[i])
        return self.routes[o : o + int(self.route_len[i])]

    def indices(self, kind: int, status: int = ACTIVE) -> npt.NDArray[np.int32]:
        """Indices of agents of a kind in a status, ascending."""
        n = self.n
        return np.nonzero((self.kind[:n] == kind) & (self.status[:n] == status))[0].astype(np.int32)
