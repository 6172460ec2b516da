from __future__ import annotations

import datetime as dt
import os

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from sim.model.timeutil import Schedule

UTC = dt.UTC
CN = dt.timezone(dt.timedelta(hours=8))


def weekly(days: list[str], start: str, end: str, tz: str = "Asia/Shanghai") -> Schedule:
    return Schedule.model_validate(
        {"weekly": [{"days": days, "start": start, "end": end}], "time_zone": tz}
    )


def test_weekly_window_boundaries_are_half_open() -> None:
    s = weekly(["MON"], "07:00", "09:00")
    monday = dt.datetime(2026, 12, 7, tzinfo=CN)
    assert not s.is_active(monday.replace(hour=6, minute=59, second=59))
    assert s.is_active(monday.replace(hour=7))
    assert s.is_active(monday.replace(hour=8, minute=59, second=59))
    assert not s.is_active(monday.replace(hour=9))
    assert not s.is_active(monday.replace(hour=7) + dt.timedelta(days=1))


def test_window_past_midnight_belongs_to_its_start_day() -> None:
    s = weekly(["FRI"], "22:00", "02:00")
    friday = dt.datetime(2026, 12, 11, tzinfo=CN)
    assert s.is_active(friday.replace(hour=23))
    assert s.is_active(friday + dt.timedelta(days=1, hours=1))  # Saturday 01:00
    assert not s.is_active(friday + dt.timedelta(hours=1))  # Friday 01:00 (Thursday's night)


def test_dst_change_is_honoured() -> None:
    # Europe/Berlin leaves summer time on 2026-10-25 (03:00 CEST -> 02:00 CET).
    s = weekly(["SUN"], "00:00", "06:00", tz="Europe/Berlin")
    t0 = dt.datetime(2026, 10, 24, tzinfo=UTC)
    spans = s.active_intervals(t0, t0 + dt.timedelta(days=2))
    assert len(spans) == 1
    a, b = spans[0]
    assert (b - a) == dt.timedelta(hours=7)  # six wall-clock hours contain one repeated hour
    assert a == dt.datetime(2026, 10, 24, 22, tzinfo=UTC)


def test_start_end_bounds() -> None:
    s = Schedule.model_validate(
        {"start": "2026-12-07T10:00:00+08:00", "end": "2026-12-07T16:00:00+08:00"}
    )
    assert not s.is_active(dt.datetime(2026, 12, 7, 9, 59, tzinfo=CN))
    assert s.is_active(dt.datetime(2026, 12, 7, 10, tzinfo=CN))
    assert not s.is_active(dt.datetime(2026, 12, 7, 16, tzinfo=CN))
    t0 = dt.datetime(2026, 12, 7, 0, tzinfo=CN)
    assert s.active_intervals(t0, t0 + dt.timedelta(days=1)) == [(s.start, s.end)]


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"permanent": True, "start": "2026-01-01T00:00:00Z"},
        {"weekly": [{"days": ["MON"], "start": "07:00", "end": "09:00"}]},
        {"weekly": [{"days": ["MON"], "start": "07:00", "end": "07:00"}], "time_zone": "UTC"},
        {"weekly": [{"days": ["MOM"], "start": "07:00", "end": "09:00"}], "time_zone": "UTC"},
        {"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"},
        {"start": "2026-01-01T00:00:00"},
    ],
)
def test_invalid_schedules(data: dict[str, object]) -> None:
    with pytest.raises(ValidationError):
        Schedule.model_validate(data)


times = st.integers(min_value=0, max_value=86400 // 60 - 1).map(
    lambda m: f"{m // 60:02d}:{m % 60:02d}"
)
days = st.lists(
    st.sampled_from(["MON", "TUE", "WED", "THU", "FRI", "SAT", "SUN"]),
    min_size=1,
    max_size=7,
    unique=True,
)
zones = st.sampled_from(["Asia/Shanghai", "Europe/Berlin", "America/New_York", "UTC"])


@settings(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "60")), deadline=None)
@given(days=days, start=times, end=times, tz=zones, offset_h=st.integers(0, 24 * 14))
def test_active_intervals_agree_with_is_active(
    days: list[str], start: str, end: str, tz: str, offset_h: int
) -> None:
    if start == end:
        return
    s = weekly(days, start, end, tz)
    t0 = dt.datetime(2026, 3, 1, tzinfo=UTC) + dt.timedelta(hours=offset_h)
    t1 = t0 + dt.timedelta(days=3)
    spans = s.active_intervals(t0, t1)
    step = dt.timedelta(minutes=13)
    t = t0
    while t < t1:
        inside = any(a <= t < b for a, b in spans)
        assert inside == s.is_active(t), (t, spans)
        t += step


def test_window_ending_in_the_skipped_hour_ends_at_the_jump() -> None:
    # New York springs forward on 2026-03-08: 02:00 EST becomes 03:00 EDT (07:00 UTC).
    s = weekly(["SUN"], "00:00", "02:30", tz="America/New_York")
    t0 = dt.datetime(2026, 3, 8, 0, tzinfo=UTC)
    ((a, b),) = s.active_intervals(t0, t0 + dt.timedelta(days=1))
    assert a == dt.datetime(2026, 3, 8, 5, tzinfo=UTC)
    assert b == dt.datetime(2026, 3, 8, 7, tzinfo=UTC)
    assert not s.is_active(b)


def test_window_in_the_repeated_hour_is_active_twice() -> None:
    # New York falls back on 2026-11-01: 01:00-02:00 EDT, then 01:00-02:00 EST again.
    s = weekly(["SUN"], "01:15", "01:45", tz="America/New_York")
    t0 = dt.datetime(2026, 11, 1, 0, tzinfo=UTC)
    spans = s.active_intervals(t0, t0 + dt.timedelta(days=1))
    assert spans == [
        (dt.datetime(2026, 11, 1, 5, 15, tzinfo=UTC), dt.datetime(2026, 11, 1, 5, 45, tzinfo=UTC)),
        (dt.datetime(2026, 11, 1, 6, 15, tzinfo=UTC), dt.datetime(2026, 11, 1, 6, 45, tzinfo=UTC)),
    ]
