"""Plans: timing as the engine flies and drives, AGL/AMSL conversion, and 4-D volumes."""

from __future__ import annotations

import pytest

from sim.rules.context import Context
from sim.rules.plans import LANDING, TAKEOFF
from tests.rules.casetable import Case, build


def _ctx(base: str, patch: dict | None = None) -> Context:
    return Context(build(Case("t", base, "MustBeAccepted", (), patch=patch or {})))


def test_uav_plan_timing_and_altitudes() -> None:
    ctx = _ctx("base-uav.toml")
    (plan,) = ctx.plans
    assert plan.takeoff is not None and plan.landing is not None
    assert plan.z_plan == pytest.approx(94.0)  # 90 m AGL over 4 m ground
    assert plan.takeoff.t1 == pytest.approx(18.0)  # 90 m at 5 m/s
    assert [leg.base for leg in plan.legs] == ["C-BASE-W1", "C-W1-W2", "C-W2-HUB"]
    assert plan.legs[-1].t1 == pytest.approx(168.0)  # 3000 m at 20 m/s
    assert plan.landing.ground == 24.0  # the rooftop pad's own elevation
    assert plan.arrive == pytest.approx(182.0)
    assert plan.position(93.0) == pytest.approx((1500.0, 3000.0, 94.0))


def test_uav_without_altitude_flies_mid_band() -> None:
    ctx = _ctx("base-uav.toml", {"agent": [{"id": "uav-1", "altitude": "__delete__"}]})
    (plan,) = ctx.plans
    assert plan.z_plan is None
    assert all(leg.z == pytest.approx(94.0) for leg in plan.legs)  # (64 + 124) / 2


def test_volumes_pieces_and_columns() -> None:
    ctx = _ctx("base-uav.toml")
    pv = ctx.volumes
    assert pv.iv.n == 2 + 15  # two columns and 3000 m in 200 m pieces
    assert sorted(set(pv.leg.tolist())) == [LANDING, TAKEOFF, 0, 1, 2]
    k = int((pv.leg == 0).nonzero()[0][0])
    assert pv.iv.r[k] == pytest.approx(10.5)
    assert (pv.iv.zlo[k], pv.iv.zhi[k]) == pytest.approx((94 - 5.25, 94 + 5.25))
    assert pv.iv.t1[k] - pv.iv.t0[k] == pytest.approx(10.0)


def test_icv_timing_follows_posted_limits() -> None:
    ctx = _ctx("base-icv.toml", {"agent": [{"id": "icv-1", "speed": "70 km/h"}]})
    (plan,) = ctx.plans
    speeds = [round(leg.speed * 3.6, 6) for leg in plan.legs]
    assert speeds == [50.0, 70.0]
    assert plan.arrive == pytest.approx(1000 / (50 / 3.6) + 1000 / (70 / 3.6))


def test_origin_destination_is_routed() -> None:
    ctx = _ctx(
        "base-icv.toml",
        {"agent": [{"id": "icv-1", "route": "__delete__", "origin": "A", "destination": "C"}]},
    )
    assert ctx.plans[0].nodes == ("A", "B", "C")
