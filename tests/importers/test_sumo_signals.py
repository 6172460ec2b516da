"""tlLogic phases -> signal plans: ambers, all-red phases, rotation and offset."""

from __future__ import annotations

import pytest

from sim.importers.sumo_signals import Link, junction_plan, signal_plans
from sim.importers.sumo_xml import Phase, TlLogic
from sim.model.errors import ModelError

# Links 0-1 come from edge N, 2-3 from edge W (both into junction J).
LINKS = [Link(0, "J", "N"), Link(1, "J", "N"), Link(2, "J", "W"), Link(3, "J", "W")]


def tl(*phases: tuple[float, str], offset: float = 0.0) -> TlLogic:
    return TlLogic("T", "0", offset, tuple(Phase(d, s) for d, s in phases))


def test_two_phase_plan_with_ambers() -> None:
    plan = junction_plan(tl((42, "GGrr"), (3, "yyrr"), (42, "rrGG"), (3, "rryy")), LINKS)
    assert plan == {
        "offset": 0.0,
        "phases": [
            {"duration": 42.0, "green": ["N"], "yellow": 3.0},
            {"duration": 42.0, "green": ["W"], "yellow": 3.0},
        ],
    }


def test_all_red_phase_and_long_amber() -> None:
    plan = junction_plan(
        tl((30, "GGrr"), (12, "yyrr"), (2, "rrrr"), (30, "rrGG"), (4, "rryy"), (2, "rrrr")), LINKS
    )
    assert plan is not None
    assert plan["phases"] == [
        {"duration": 30.0, "green": ["N"], "yellow": 0.0},
        {"duration": 14.0, "green": [], "yellow": 0.0},  # amber > 10 s + all red: one phase
        {"duration": 30.0, "green": ["W"], "yellow": 4.0},
        {"duration": 2.0, "green": [], "yellow": 0.0},
    ]


def test_green_needs_half_of_an_edges_links() -> None:
    # W has three links; link 2 (its right turn) stays green throughout, yet W has green
    # only in its own phase. Half of an edge's links is enough (N's in the last phase).
    links = [*LINKS, Link(4, "J", "W")]
    plan = junction_plan(
        tl((40, "GGGrr"), (3, "yyGyy"), (40, "rrGGG"), (3, "rryyy"), (10, "GrGrr")), links
    )
    assert plan is not None
    assert [p["green"] for p in plan["phases"]] == [["N"], ["W"], ["N"]]


def test_program_starting_with_an_amber_is_rotated() -> None:
    # SUMO at t=0 is in the amber that ends W's green; the plan starts with N's green.
    plan = junction_plan(tl((3, "rryy"), (30, "GGrr"), (3, "yyrr"), (30, "rrGG")), LINKS)
    assert plan is not None
    assert [p["green"] for p in plan["phases"]] == [["N"], ["W"]]
    assert plan["offset"] == pytest.approx(63.0)  # 30 + 3 + 30 into the plan's cycle


def test_sumo_offset_delays_the_program() -> None:
    # Checked against libsumo: offset=10 on a 90 s cycle is 80 s into it at t=0.
    plan = junction_plan(
        tl((42, "GGrr"), (3, "yyrr"), (42, "rrGG"), (3, "rryy"), offset=10.0), LINKS
    )
    assert plan is not None and plan["offset"] == pytest.approx(80.0)


def test_equal_phases_merge_and_never_green_gives_none() -> None:
    plan = junction_plan(tl((20, "GGrr"), (10, "GGrr"), (30, "rrGG")), LINKS)
    assert plan is not None
    assert [p["duration"] for p in plan["phases"]] == [30.0, 30.0]
    assert junction_plan(tl((20, "rrrr"), (3, "yyyy")), LINKS) is None


def test_plans_per_junction_and_bad_programs() -> None:
    links = [Link(0, "J", "N"), Link(1, "K", "E")]
    plans = signal_plans("n.net.xml", tl((30, "Gr"), (30, "rG")), links, {})
    assert set(plans) == {"J", "K"}
    with pytest.raises(ModelError, match=r"connection\[from=N.*linkIndex"):
        signal_plans(
            "n.net.xml",
            tl(
                (30, "G"),
            ),
            links,
            {1: "connection[from=N,to=S,fromLane=0]"},
        )
    with pytest.raises(ModelError, match=r"tlLogic\[id=T\]\.phase\[0\]\.state"):
        signal_plans(
            "n.net.xml",
            tl(
                (30, "GX"),
            ),
            links,
            {},
        )
    with pytest.raises(ModelError, match=r"phase\[1\]\.duration"):
        signal_plans("n.net.xml", tl((30, "Gr"), (4000, "rG")), links, {})
