"""Provision parameters: loaded from package data, with the numbers of RULES-REFERENCE.md."""

from __future__ import annotations

import re
from importlib import resources

import pytest

from sim.model.vehicle import UavClass
from sim.rules.provisions import provisions


def test_numbers_of_the_reference() -> None:
    p = provisions()
    assert p.uav.controlled_height == 120.0
    micro = p.uav.classes[UavClass.MICRO]
    assert micro.max_height == 50.0
    assert micro.max_speed == pytest.approx(40 / 3.6)
    assert p.uav.classes[UavClass.LIGHT].max_mtow == 7.0
    assert p.uav.application.deadline == 12 * 3600 and p.uav.application.days_before == 1
    assert p.uav.application.time_zone == "Asia/Shanghai"
    assert p.restrictions.notice == 24 * 3600 and p.restrictions.emergency_notice == 1800
    assert p.ship.notice_working_days == 10
    assert p.icv.insurance_min_cny == 5_000_000
    assert p.icv.gate_time == 240 * 3600 and p.icv.gate_distance == 1_000_000
    assert p.icv.max_permit_term_months == 18


def test_every_number_names_its_source() -> None:
    text = resources.files("sim.rules").joinpath("provisions.toml").read_text(encoding="utf-8")
    for line in text.splitlines():
        if re.match(r"^\s*[a-z_]+\s*=\s*[-\d\"]", line) and re.search(r"\d", line.split("#")[0]):
            assert "#" in line, f"no source comment: {line}"


def test_cached_and_immutable() -> None:
    p = provisions()
    assert p is provisions()
    with pytest.raises(Exception):  # noqa: B017 - pydantic's frozen-instance error
        p.uav.controlled_height = 1.0  # type: ignore[misc]
