"""Declared intent volumes (AgentSpec.volumes, intent_state) in strategic deconfliction."""

from __future__ import annotations

import numpy as np
import pytest

from sim.model.errors import ModelError
from sim.rules.check import check_bundle
from sim.rules.context import Context
from sim.rules.plans import enclosing_capsule
from tests.rules.casetable import Case, build

ROUTE = ["VP-BASE", "W1", "W2", "VP-HUB"]
SQUARE = [[500.0, 2900.0], [700.0, 2900.0], [700.0, 3100.0], [500.0, 3100.0]]


def vol(outline=None, center=None, radius=None, floor=80, ceiling=110, start=0, end=600):
    out = {"floor": f"{floor} m AGL", "ceiling": f"{ceiling} m AGL", "start": start, "end": end}
    if outline is not None:
        out["outline"] = outline
    if center is not None:
        out["center"], out["radius"] = center, radius
    return out


def bundle(uav1: dict, uav2: dict):
    a1 = {"id": "uav-1", **uav1}
    a2 = {
        "id": "uav-2",
        "type": "test-quad",
        "permit": "P-UAV",
        "route": ROUTE,
        "speed": "20 m/s",
        "altitude": "90 m AGL",
        **uav2,
    }
    return build(Case("t", "base-uav.toml", "MustBeAccepted", (), patch={"agent": [a1, a2]}))


def conflicts(b) -> list[tuple[str, str]]:
    return [(v.agent, v.message) for v in check_bundle(b).violations if v.rule == "uav.conflict"]


def test_routes_apart_in_time_but_declared_volumes_overlap() -> None:
    # without declared volumes: the same route 10 min apart does not conflict
    assert conflicts(bundle({}, {"depart": "10 min"})) == []
    b = bundle({"volumes": [vol(SQUARE)]}, {"depart": "10 min", "volumes": [vol(SQUARE)]})
    ((agent, message),) = conflicts(b)
    assert agent == "uav-2" and "uav-1's plan (priority 0)" in message  # departs later


def test_declared_volumes_replace_the_route_volumes() -> None:
    assert [a for a, _ in conflicts(bundle({}, {}))] == ["uav-2"]  # same route, same time
    far = [[x, y + 500.0] for x, y in SQUARE]
    assert conflicts(bundle({"volumes": [vol(SQUARE)]}, {"volumes": [vol(far)]})) == []


def test_priority_and_nonconforming_states() -> None:
    b = bundle({"volumes": [vol(SQUARE)]}, {"volumes": [vol(SQUARE)], "priority": 5})
    assert [a for a, _ in conflicts(b)] == ["uav-1"]
    for state in ("Nonconforming", "Contingent"):
        b = bundle({"volumes": [vol(SQUARE)]}, {"volumes": [vol(SQUARE)], "intent_state": state})
        assert conflicts(b) == [], state
    b = bundle({"volumes": [vol(SQUARE)]}, {"volumes": [vol(SQUARE)], "intent_state": "Activated"})
    assert [a for a, _ in conflicts(b)] == ["uav-2"]


def _segment_distance(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    u = float(np.clip((p - a) @ ab / (ab @ ab), 0.0, 1.0))
    return float(np.hypot(*(p - (a + u * ab))))


@pytest.mark.parametrize(("radius", "meets"), [(29.9, False), (30.1, True)])
def test_polygon_and_circle_are_decided_exactly(radius: float, meets: bool) -> None:
    # the circle's centre lies 30 m below the triangle's lower edge (y = 3000), but inside
    # the capsule the broadphase sees the triangle as: only the exact test tells them apart
    tri = [[0.0, 3000.0], [100.0, 3000.0], [0.0, 3100.0]]
    centre = np.array([60.0, 2970.0])
    x0, y0, x1, y1, r = enclosing_capsule(np.array(tri))
    assert _segment_distance(centre, np.array([x0, y0]), np.array([x1, y1])) < r
    b = bundle({"volumes": [vol(tri)]}, {"volumes": [vol(center=list(centre), radius=radius)]})
    assert bool(conflicts(b)) is meets


def test_touching_bands_meet_touching_windows_do_not() -> None:
    low, high = vol(SQUARE, floor=60, ceiling=80), vol(SQUARE, floor=80, ceiling=100)
    assert conflicts(bundle({"volumes": [low]}, {"volumes": [high]}))
    first, then = vol(SQUARE, end=60), vol(SQUARE, start=60, end=120)
    assert conflicts(bundle({"volumes": [first]}, {"volumes": [then]})) == []


def test_volume_times_as_date_times_and_amsl_heights() -> None:
    v = vol(SQUARE, start="2026-12-09T14:01:00+08:00", end="2026-12-09T14:02:00+08:00")
    ctx = Context(bundle({"volumes": [v]}, {}))
    (d,) = ctx.plans[0].declared
    assert (d.t0, d.t1) == (60.0, 120.0)
    assert (d.zlo, d.zhi) == (84.0, 114.0)  # 80 and 110 m AGL over 4 m ground
    assert ctx.plans[0].deconflicted and ctx.plans[1].declared == ()


def test_enclosing_capsule_holds_the_points() -> None:
    rng = np.random.default_rng(7)
    for _ in range(50):
        pts = rng.normal(size=(12, 2)) * rng.uniform(1, 300, size=2) + rng.uniform(-1e3, 1e3, 2)
        x0, y0, x1, y1, r = enclosing_capsule(pts)
        a, b = np.array([x0, y0]), np.array([x1, y1])
        ab = b - a
        u = np.clip(((pts - a) @ ab) / max(ab @ ab, 1e-300), 0.0, 1.0)
        dist = np.hypot(*(pts - (a + u[:, None] * ab)).T)
        assert (dist <= r).all()


@pytest.mark.parametrize(
    ("volume", "where", "message"),
    [
        (vol(SQUARE, center=[0, 0], radius=5), "outline", "either 'outline'"),
        ({**vol(), "center": [0.0, 0.0]}, "outline", "both 'center' and 'radius'"),
        (vol([[0, 0], [1, 1], [0, 0]]), "outline", "at least 3 distinct points"),
        (vol([[0, 0], [10, 10], [10, 0], [0, 10]]), "outline", "invalid polygon: Self-inter"),
        (vol(SQUARE, floor=100, ceiling=90), "ceiling", "is not below ceiling"),
        (vol(SQUARE, start=60, end=60), "end", "end is not after start"),
        ({**vol(SQUARE), "top": 3}, "top", "unknown field 'top'"),
    ],
)
def test_bad_volumes_name_the_field(volume: dict, where: str, message: str) -> None:
    with pytest.raises(ModelError) as exc:
        bundle({"volumes": [volume]}, {})
    (issue,) = exc.value.issues
    assert issue.path == f'agent["uav-1"].volumes[0].{where}'
    assert message in issue.message
