"""Sunrise and sunset (night operation) and working days (sea-trial notice)."""

from __future__ import annotations

import datetime as dt

from sim.rules.provisions import provisions
from sim.rules.ship import earliest_trial, working_days_between
from sim.rules.sun import nights, sun_times

CST = dt.timezone(dt.timedelta(hours=8))


def _near(a: dt.datetime, b: dt.datetime, minutes: float = 2.0) -> bool:
    return abs((a - b).total_seconds()) <= minutes * 60


def test_shanghai_winter_sunrise_and_sunset() -> None:
    # NOAA solar calculator, Lingang (121.9 E, 30.92 N), 7 Dec 2026: 06:37 and 16:50 CST
    rise, sset = sun_times(dt.date(2026, 12, 7), 121.9, 30.92)
    assert _near(rise, dt.datetime(2026, 12, 7, 6, 37, tzinfo=CST))
    assert _near(sset, dt.datetime(2026, 12, 7, 16, 50, tzinfo=CST))


def test_london_midsummer() -> None:
    rise, sset = sun_times(dt.date(2026, 6, 21), -0.1278, 51.5074)
    assert _near(rise, dt.datetime(2026, 6, 21, 3, 43, tzinfo=dt.UTC))
    assert _near(sset, dt.datetime(2026, 6, 21, 20, 21, tzinfo=dt.UTC))


def test_polar_night_has_no_sunrise() -> None:
    assert sun_times(dt.date(2026, 12, 21), 15.6, 78.2) is None


def test_nights_overlapping_an_interval() -> None:
    a = dt.datetime(2026, 12, 7, 12, 0, tzinfo=CST)
    b = dt.datetime(2026, 12, 7, 16, 0, tzinfo=CST)
    assert nights(a, b, 121.9, 30.92) == []
    (night,) = nights(a, b + dt.timedelta(hours=2), 121.9, 30.92)
    assert night[1] - night[0] > dt.timedelta(hours=13)


def test_working_days_strictly_between() -> None:
    p = provisions().ship
    tue, wed_2w = dt.date(2026, 11, 24), dt.date(2026, 12, 9)
    assert working_days_between(tue, wed_2w, p) == 10
    assert working_days_between(tue + dt.timedelta(days=1), wed_2w, p) == 9
    assert earliest_trial(dt.date(2026, 11, 25), 10, p) == dt.date(2026, 12, 10)


def test_holidays_and_adjusted_workdays_count() -> None:
    p = provisions().ship.model_copy(
        update={"holidays": (dt.date(2026, 12, 1),), "workdays": (dt.date(2026, 11, 29),)}
    )
    # Sun 29 Nov becomes a working day, Tue 1 Dec a holiday: the count stays 10
    assert working_days_between(dt.date(2026, 11, 24), dt.date(2026, 12, 9), p) == 10
