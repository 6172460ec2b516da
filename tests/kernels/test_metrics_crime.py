"""The metric kernels agree with CommonRoad-CriMe (``commonroad_crime``) to 1e-6 relative.

Both are evaluated on the same vehicles and time steps: synthetic trajectories on a straight
lanelet (one along +x, one tilted), synthetic crossings at a two-road intersection, and the
recorded NGSIM US-101 scenario (../shared/data/commonroad/USA_US101-4_1_T-1.xml).

CriMe rounds its results (TTC to 0.01 s, PET to 1e-4 s ...); the rounding is switched off
here (``int_round`` -> identity) so that the definitions, not the display precision, are
compared. CriMe's lane-based measures work on along-lane quantities that it extracts from
the scenario; the kernels take those quantities as inputs, and :func:`_crime_lane_inputs`
extracts them exactly as CriMe 0.4.5 does, quirks included:

- gap (``HW``): curvilinear ``s`` of (ego centre + l_ego/2) to that of (other centre -
  l_other/2), where the half-lengths are added to *both* x and y. On a lane along +x this is
  the bumper-to-bumper gap; on a lane at heading phi it is the centre distance minus
  ``(l_ego + l_other)/2 (cos phi + sin phi)`` (asserted in ``test_tilted_road``).
- speeds and accelerations: the magnitude times ``cos`` of the lanelet's heading from east
  (not of the angle between vehicle and lane); the leader's acceleration loses its sign
  (``|a| cos``); accelerations are CriMe's own ``np.gradient`` of the recorded speeds.
- THW: the time the ego's recorded trajectory needs to bring its front past the other's rear
  (``thw_trajectory``), not ``gap / v``.
"""

from __future__ import annotations

import itertools
import math
from pathlib import Path

import numpy as np
import pytest

try:
    from commonroad.common.file_reader import CommonRoadFileReader
    from commonroad.geometry.shape import Rectangle
    from commonroad.prediction.prediction import TrajectoryPrediction
    from commonroad.scenario.intersection import Intersection, IntersectionIncomingElement
    from commonroad.scenario.lanelet import Lanelet, LaneletType
    from commonroad.scenario.obstacle import DynamicObstacle, ObstacleType
    from commonroad.scenario.scenario import Scenario, Tag
    from commonroad.scenario.state import CustomState, InitialState
    from commonroad.scenario.trajectory import Trajectory
    from commonroad_crime.data_structure.configuration import CriMeConfiguration
    from commonroad_crime.measure.acceleration.a_long_req import ALongReq
    from commonroad_crime.measure.time.pet import PET
    from commonroad_crime.measure.time.tet import TET
    from commonroad_crime.measure.time.thw import THW
    from commonroad_crime.measure.time.tit import TIT
    from commonroad_crime.measure.time.ttc import TTC
    from commonroad_crime.utility.solver import compute_lanelet_width_orientation
except ImportError as exc:  # pragma: no cover - depends on the optional extra
    pytest.skip(
        f"commonroad-crime / commonroad-io not importable ({exc}); install the optional "
        "'bench' extra: pip install -e '.[bench]'",
        allow_module_level=True,
    )

from sim.kernels import metrics as m

DT = 0.1
A_EPS = 0.1  # CriMe's |delta a| threshold for the constant-velocity TTC
REL = 1e-6
WIDTH = 3.5


pytestmark = pytest.mark.usefixtures("crime_unrounded")


def _same(ours: float, theirs: float) -> bool:
    if math.isinf(ours) or math.isinf(theirs):
        return ours == theirs
    return abs(ours - theirs) <= REL * max(abs(theirs), 1e-3)


# --- scenario construction ---------------------------------------------------------------------
def _lanelet(lid: int, p0, p1, pred=(), succ=(), types=None, n: int = 41) -> Lanelet:
    p0, p1 = np.asarray(p0, float), np.asarray(p1, float)
    d = (p1 - p0) / np.linalg.norm(p1 - p0)
    left = np.array([-d[1], d[0]]) * WIDTH / 2
    c = p0 + np.linspace(0.0, 1.0, n)[:, None] * (p1 - p0)
    return Lanelet(
        c + left,
        c,
        c - left,
        lid,
        predecessor=list(pred),
        successor=list(succ),
        lanelet_type=types or {LaneletType.URBAN},
    )


def _track(phi: float, s0: float, v0: float, acc: float, n: int) -> np.ndarray:
    """(x, y, heading, speed, acceleration) per step along heading ``phi`` through the origin."""
    t = np.arange(n) * DT
    s = s0 + v0 * t + 0.5 * acc * t * t
    return np.stack(
        [s * math.cos(phi), s * math.sin(phi), np.full(n, phi), v0 + acc * t, np.full(n, acc)],
        axis=1,
    )


def _vehicle(oid: int, tr: np.ndarray, length: float, width: float = 1.8) -> DynamicObstacle:
    def fields(k: int) -> dict:
        x, y, h, v, a = tr[k]
        return {"time_step": k, "position": np.array([x, y]), "orientation": h}, v, a

    init, v0, a0 = fields(0)
    states = []
    for k in range(1, len(tr)):
        f, v, a = fields(k)
        states.append(CustomState(**f, velocity=v, acceleration=a))
    shape = Rectangle(length, width)
    return DynamicObstacle(
        oid,
        ObstacleType.CAR,
        shape,
        InitialState(**init, velocity=v0, acceleration=a0, yaw_rate=0.0, slip_angle=0.0),
        TrajectoryPrediction(Trajectory(1, states), shape),
    )


def _road(phi: float, ego: np.ndarray, other: np.ndarray, l_ego: float, l_other: float):
    sc = Scenario(DT)
    c, s = math.cos(phi), math.sin(phi)
    sc.add_objects(_lanelet(1, (-60 * c, -60 * s), (700 * c, 700 * s), n=77))
    sc.add_objects(_vehicle(101, ego, l_ego))
    sc.add_objects(_vehicle(102, other, l_other))
    sc.assign_obstacles_to_lanelets()
    return sc


def _config(sc: Scenario, ego_id: int) -> CriMeConfiguration:
    cfg = CriMeConfiguration()
    cfg.update(sce=sc)
    cfg.update(ego_id=ego_id)
    return cfg


# --- CriMe's inputs ----------------------------------------------------------------------------
def _crime_lane_inputs(ttc: TTC, t: int) -> tuple[float, float, float, float, float]:
    """(gap m, v_f, v_l m/s, a_f, a_l m/s^2) as CriMe 0.4.5's ``TTC.compute`` sees them.

    Call after ``ttc.compute(other, t)``: reads the states CriMe completed (velocity_y,
    gradient accelerations) and its curvilinear frame; see the module docstring.
    """
    ego, other = ttc.ego_vehicle, ttc.other_vehicle
    se, so = ego.state_at_time(t), other.state_at_time(t)
    net = ttc.sce.lanelet_network
    lanelet = net.find_lanelet_by_id(net.find_lanelet_by_position([se.position])[0][0])
    th_e = compute_lanelet_width_orientation(lanelet, se.position)[1]
    th_o = compute_lanelet_width_orientation(lanelet, so.position)[1]
    p_e = se.position + ego.obstacle_shape.length / 2
    p_o = so.position - other.obstacle_shape.length / 2
    gap = (
        ttc.clcs.convert_to_curvilinear_coords(p_o[0], p_o[1])[0]
        - ttc.clcs.convert_to_curvilinear_coords(p_e[0], p_e[1])[0]
    )
    if gap < 0:
        gap = math.inf
    v_f = np.sign(se.velocity) * math.hypot(se.velocity, se.velocity_y) * math.cos(th_e)
    a_f = np.sign(se.acceleration) * math.hypot(se.acceleration, se.acceleration_y) * math.cos(th_e)
    v_l = math.hypot(so.velocity, so.velocity_y) * math.cos(th_o)
    a_l = math.hypot(so.acceleration, so.acceleration_y) * math.cos(th_o)
    return float(gap), float(v_f), float(v_l), float(a_f), float(a_l)


def _thw_inputs(thw: THW, t: int) -> tuple[np.ndarray, float]:
    """Ego front ``s`` per step and the other's rear ``s`` at ``t``, in CriMe's frame (m)."""
    ego, other = thw.ego_vehicle, thw.other_vehicle
    half_e, half_o = ego.obstacle_shape.length / 2, other.obstacle_shape.length / 2
    last = ego.prediction.final_time_step
    front = np.array(
        [
            thw.clcs.convert_to_curvilinear_coords(*ego.state_at_time(k).position)[0] + half_e
            for k in range(last + 1)
        ]
    )
    rear = thw.clcs.convert_to_curvilinear_coords(*other.state_at_time(t).position)[0] - half_o
    return front, float(rear)


class Tally:
    """Counts compared cases and finite values per measure (the tests assert on them)."""

    def __init__(self) -> None:
        self.n: dict[str, int] = {}
        self.finite: dict[str, int] = {}

    def add(self, name: str, value: float) -> None:
        self.n[name] = self.n.get(name, 0) + 1
        self.finite[name] = self.finite.get(name, 0) + math.isfinite(value)


def _compare_lane_measures(
    sc: Scenario, ego: int, other: int, steps, tally: Tally, *, alr: bool, drac: bool
) -> None:
    cfg = _config(sc, ego)
    ttc, thw = TTC(cfg), THW(cfg)
    a_req = ALongReq(cfg) if alr else None
    for t in steps:
        theirs = ttc.compute(other, t, verbose=False)
        if not isinstance(theirs, float) or math.isnan(theirs):
            continue  # CriMe could not evaluate this step (a state is missing)
        gap, v_f, v_l, a_f, a_l = _crime_lane_inputs(ttc, t)
        ours = m.ttc_const_accel(gap, v_f, v_l, a_f, a_l, A_EPS)
        assert _same(ours, theirs), ("TTC", ego, other, t, ours, theirs)
        tally.add("ttc", theirs)
        if abs(a_l - a_f) <= A_EPS and v_f > v_l:  # here CriMe's TTC is gap / closing speed
            assert _same(m.ttc_car_following(gap, v_f, v_l), theirs)
            tally.add("ttc_cv", theirs)

        theirs = thw.compute(other, t, verbose=False)
        front, rear = _thw_inputs(thw, t)
        ours = m.thw_trajectory(front, t, rear, DT)
        assert _same(ours, theirs), ("THW", ego, other, t, ours, theirs)
        tally.add("thw", theirs)

        if a_req is not None:
            theirs = a_req.compute(other, t, verbose=False)
            # ALongReq takes the speeds without CriMe-TTC's sign factor (equal here: v_x > 0)
            ours = m.a_long_req(gap, v_f, v_l, a_l)
            assert _same(ours, theirs), ("ALongReq", ego, other, t, ours, theirs)
            tally.add("a_long_req", theirs)
            if drac and a_l == 0.0 and v_f > v_l:
                assert _same(-m.drac(gap, v_f, v_l), theirs), ("DRAC", ego, other, t)
                tally.add("drac", theirs)


def _random_pair(rng: np.random.Generator, phi: float, n: int, constant: bool):
    l_e, l_o = rng.uniform(3.8, 6.5, 2)
    v_e, v_o = rng.uniform(6, 25), rng.uniform(0, 22)
    # accelerations keep both speeds >= 0 over the horizon; the leader keeps a constant speed
    # in every other case so that DRAC (a_l = 0) is exercised
    horizon = n * DT
    a_e = 0.0 if constant else rng.uniform(max(-2.5, -v_e / horizon), 1.5)
    a_o = 0.0 if constant or rng.random() < 0.5 else rng.uniform(max(-2.5, -v_o / horizon), 1.5)
    gap0 = rng.uniform(3, 60)
    ego = _track(phi, 0.0, v_e, a_e, n)
    other = _track(phi, l_e / 2 + gap0 + l_o / 2, v_o, a_o, n)
    return ego, other, l_e, l_o


# --- tests -------------------------------------------------------------------------------------
def test_straight_road_along_x() -> None:
    """30 pairs on a lane along +x, where CriMe's inputs are the textbook ones."""
    rng = np.random.default_rng(11)
    tally = Tally()
    n = 60
    for case in range(30):
        ego, other, l_e, l_o = _random_pair(rng, 0.0, n, constant=case % 2 == 0)
        sc = _road(0.0, ego, other, l_e, l_o)
        cfg = _config(sc, 101)
        ttc = TTC(cfg)
        for t in (0, 15, 30, 45):
            theirs = ttc.compute(102, t, verbose=False)
            gap, v_f, v_l, _, _ = _crime_lane_inputs(ttc, t)
            bumper = other[t, 0] - ego[t, 0] - (l_e + l_o) / 2
            assert gap == pytest.approx(bumper if bumper >= 0 else math.inf, rel=1e-9, abs=1e-9)
            assert (v_f, v_l) == pytest.approx((ego[t, 3], other[t, 3]), rel=1e-12)
            # constant speeds: the fleet kernel with the textbook inputs (a negative bumper gap
            # -- the synthetic cars drove through each other -- is a collision, TTC 0, for the
            # kernel but "the other is not ahead", inf, for CriMe's HW; not compared)
            if case % 2 == 0 and bumper > 0:
                out = [np.empty(1) for _ in range(3)]
                m.car_following_metrics(
                    np.array([0]),
                    np.array([1]),
                    np.array([bumper]),
                    np.array([ego[t, 3], other[t, 3]]),
                    *out,
                )
                assert _same(out[0][0], theirs), (case, t, out[0][0], theirs)
                tally.add("fleet_ttc", theirs)
                # CriMe's THW is gap / v rounded up to the next sample
                thw_c = THW(cfg).compute(102, t, verbose=False)
                if math.isfinite(thw_c):
                    assert out[1][0] < thw_c <= out[1][0] + DT + 1e-9
        _compare_lane_measures(sc, 101, 102, (0, 15, 30, 45), tally, alr=False, drac=False)
    assert tally.n["ttc"] == 120 and tally.finite["ttc"] >= 30
    assert tally.finite["fleet_ttc"] >= 15 and tally.finite["thw"] >= 40


def test_tilted_road() -> None:
    """25 pairs on a lane at 0.4 rad: TTC, THW, required acceleration and DRAC."""
    rng = np.random.default_rng(12)
    phi = 0.4
    tally = Tally()
    n = 60
    for case in range(25):
        ego, other, l_e, l_o = _random_pair(rng, phi, n, constant=case % 5 == 0)
        sc = _road(phi, ego, other, l_e, l_o)
        cfg = _config(sc, 101)
        ttc = TTC(cfg)
        ttc.compute(102, 0, verbose=False)
        gap = _crime_lane_inputs(ttc, 0)[0]
        centre = math.hypot(other[0, 0] - ego[0, 0], other[0, 1] - ego[0, 1])
        # the documented HW convention: half-lengths added to x and y, not along the lane
        expected = centre - (l_e + l_o) / 2 * (math.cos(phi) + math.sin(phi))
        if expected > 0:
            assert gap == pytest.approx(expected, rel=1e-6)
        _compare_lane_measures(sc, 101, 102, (0, 20, 40), tally, alr=True, drac=True)
    assert tally.n["ttc"] == 75 and tally.finite["ttc"] >= 20
    assert tally.n["a_long_req"] == 75 and tally.n.get("drac", 0) >= 10


def test_tet_tit_on_a_straight_road() -> None:
    """TET/TIT over a closing pair's recording: CriMe's sums equal :func:`accumulate`'s."""
    rng = np.random.default_rng(13)
    checked = 0
    for _ in range(4):
        n = 60
        ego = _track(0.0, 0.0, rng.uniform(18, 24), rng.uniform(-0.5, 0.5), n)
        other = _track(0.0, rng.uniform(25, 40), rng.uniform(5, 10), 0.0, n)
        sc = _road(0.0, ego, other, 4.5, 4.5)
        cfg = _config(sc, 101)
        cfg.time.tau = 3.0
        tet_c = TET(cfg).compute(102, 0, verbose=False)
        tit_c = TIT(cfg).compute(102, 0, verbose=False)
        ttc = TTC(cfg)
        idx = np.array([0])
        min_ttc, tet, tit = np.array([math.inf]), np.zeros(1), np.zeros(1)
        for t in range(len(ttc.ego_vehicle.prediction.trajectory.state_list)):
            ttc.compute(102, t, verbose=False)
            value = m.ttc_const_accel(*_crime_lane_inputs(ttc, t), A_EPS)
            m.accumulate(idx, np.array([value]), DT, 3.0, min_ttc, tet, tit)
        assert tet[0] > 0
        assert _same(tet[0], tet_c) and _same(tit[0], tit_c), (tet, tet_c, tit, tit_c)
        checked += 1
    assert checked == 4


def _us101_pairs(sc: Scenario, steps) -> dict[tuple[int, int], list[int]]:
    """Follower -> leader pairs: consecutive vehicles on the same lanelet at each step."""
    net = sc.lanelet_network
    pairs: dict[tuple[int, int], list[int]] = {}
    for t in steps:
        groups: dict[int, list] = {}
        for o in sc.dynamic_obstacles:
            st = o.state_at_time(t)
            if st is None:
                continue
            for lid in net.find_lanelet_by_position([st.position])[0]:
                groups.setdefault(lid, []).append(o)
        for lid, obs in groups.items():
            cv = net.find_lanelet_by_id(lid).center_vertices
            d = (cv[-1] - cv[0]) / np.linalg.norm(cv[-1] - cv[0])
            obs.sort(key=lambda o, t=t, d=d: float(o.state_at_time(t).position @ d))
            for f, lead in itertools.pairwise(obs):
                steps_of = pairs.setdefault((f.obstacle_id, lead.obstacle_id), [])
                if t not in steps_of:
                    steps_of.append(t)
    return pairs


def test_recorded_us101(shared_data: Path) -> None:
    """NGSIM US-101 (recorded): every same-lanelet follower/leader pair every 0.5 s."""
    path = shared_data / "commonroad" / "USA_US101-4_1_T-1.xml"
    sc, _ = CommonRoadFileReader(str(path)).open(lanelet_assignment=True)
    pairs = _us101_pairs(sc, range(0, 101, 5))
    assert len(pairs) >= 7
    tally = Tally()
    for (ego, other), steps in sorted(pairs.items()):
        _compare_lane_measures(sc, ego, other, steps, tally, alr=True, drac=True)
    assert tally.n["ttc"] >= 100 and tally.finite["ttc"] >= 10
    assert tally.n["thw"] >= 100 and tally.finite["thw"] >= 10
    assert tally.n["a_long_req"] >= 100 and tally.finite["ttc_cv"] >= 3
    assert tally.n.get("drac", 0) >= 3

    # TET / TIT over the whole recording of the pair with the smallest TTC (tau = 5 s)
    cfg = _config(sc, 451)
    cfg.time.tau = 5.0
    tet_c, tit_c = TET(cfg).compute(442, 0, verbose=False), TIT(cfg).compute(442, 0, verbose=False)
    ttc = TTC(cfg)
    min_ttc, tet, tit = np.array([math.inf]), np.zeros(1), np.zeros(1)
    for t in range(len(ttc.ego_vehicle.prediction.trajectory.state_list)):
        if not isinstance(ttc.compute(442, t, verbose=False), float):
            continue
        if ttc.other_vehicle.state_at_time(t) is None:
            continue
        value = m.ttc_const_accel(*_crime_lane_inputs(ttc, t), A_EPS)
        m.accumulate(np.array([0]), np.array([value]), DT, 5.0, min_ttc, tet, tit)
    assert tet[0] > 0 and _same(tet[0], tet_c) and _same(tit[0], tit_c), (tet, tet_c, tit, tit_c)


# --- PET at an intersection --------------------------------------------------------------------
def _crossing(ego: np.ndarray, other: np.ndarray, length: float) -> Scenario:
    """Two straight roads crossing at the origin: ego west -> east, other south -> north."""
    sc = Scenario(DT, tags={Tag.INTERSECTION})
    junction = {LaneletType.INTERSECTION}
    sc.add_objects(
        [
            _lanelet(1, (-150, 0), (-10, 0), succ=[2]),
            _lanelet(2, (-10, 0), (10, 0), pred=[1], succ=[3], types=junction),
            _lanelet(3, (10, 0), (150, 0), pred=[2]),
            _lanelet(4, (0, -150), (0, -10), succ=[5]),
            _lanelet(5, (0, -10), (0, 10), pred=[4], succ=[6], types=junction),
            _lanelet(6, (0, 10), (0, 150), pred=[5]),
        ]
    )
    sc.lanelet_network.add_intersection(
        Intersection(
            1000,
            [
                IntersectionIncomingElement(1001, {1}, successors_straight={2}),
                IntersectionIncomingElement(1002, {4}, successors_straight={5}),
            ],
        )
    )
    sc.add_objects(_vehicle(101, ego, length))
    sc.add_objects(_vehicle(102, other, length))
    sc.assign_obstacles_to_lanelets()
    return sc


def test_pet_at_synthetic_crossings() -> None:
    """PET of 16 crossings (either vehicle first, or both inside at once)."""
    rng = np.random.default_rng(14)
    n = 120
    length, width = 4.6, 1.8
    # the conflict area CriMe derives: the overlap of the two junction lanelets
    area = (0.0, 0.0, 0.0, WIDTH, WIDTH, 0.0)  # (x, y, heading, length, width, radius)
    finite = 0
    for case in range(16):
        v_e, v_o = rng.uniform(6, 14, 2)
        t_e, t_o = rng.uniform(2, 8, 2)  # when each would reach the origin
        ego = _track(0.0, -v_e * t_e, v_e, 0.0, n)
        other = _track(math.pi / 2, -v_o * t_o, v_o, 0.0, n)
        pet = PET(_config(_crossing(ego, other, length), 101))
        theirs = pet.compute(102, 0, verbose=False)
        xs, ys = pet.ca.exterior.xy
        assert (min(xs), max(xs), min(ys), max(ys)) == (
            -WIDTH / 2,
            WIDTH / 2,
            -WIDTH / 2,
            WIDTH / 2,
        )
        # CriMe scans the samples 0 .. len(state_list) - 1, i.e. not the last one
        k_end = len(pet.ego_vehicle.prediction.trajectory.state_list)
        a, b = ego[:k_end], other[:k_end]
        ours = m.pet_pair(
            a[:, 0], a[:, 1], a[:, 2], length, width, 0.0,
            b[:, 0], b[:, 1], b[:, 2], length, width, 0.0,
            *area, DT, 0, 1,
        )  # fmt: skip
        assert _same(ours, theirs), (case, ours, theirs, t_e, t_o)
        finite += math.isfinite(theirs)
    assert finite >= 8


def test_pet_known_difference_when_ego_never_leaves() -> None:
    """CriMe gives inf when the ego is still in the area at the end of the recording, even if
    the other vehicle passed before the ego entered; :func:`pet_from_intervals` reports it."""
    n = 120
    length = 4.6
    other = _track(math.pi / 2, -20.0, 10.0, 0.0, n)  # through the area at about 2 s
    # the ego touches the area from 10.9 s and would leave it only after 11.9 s, past the
    # last sample CriMe scans (11.8 s)
    ego = _track(0.0, -91.25 - 0.013, 8.0, 0.0, n)
    pet = PET(_config(_crossing(ego, other, length), 101))
    assert pet.compute(102, 0, verbose=False) == math.inf
    k_end = len(pet.ego_vehicle.prediction.trajectory.state_list)
    a, b = ego[:k_end], other[:k_end]
    area = (0.0, 0.0, 0.0, WIDTH, WIDTH, 0.0)
    ea, xa = m.occupancy_interval(*a[:, :3].T, length, 1.8, 0.0, *area, 0, 1)
    eb, xb = m.occupancy_interval(*b[:, :3].T, length, 1.8, 0.0, *area, 0, 1)
    assert xa == -1 and 0 <= xb <= ea
    assert m.pet_from_intervals(ea, xa, eb, xb, DT) == pytest.approx((ea - xb) * DT)
