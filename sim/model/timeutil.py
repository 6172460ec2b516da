"""Dates, times, time zones and schedules (zone applicability, permit hours).

Instants are timezone-aware :class:`datetime.datetime` objects. Weekly windows are wall-clock
times in an IANA time zone (``Asia/Shanghai``), so daylight-saving changes are honoured by
:mod:`zoneinfo`. A window whose end is earlier than its start runs past midnight.
"""

from __future__ import annotations

import datetime as dt
import itertools
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import BeforeValidator, Field, StrictBool, model_validator

from sim.model.base import StrictModel
from sim.model.errors import did_you_mean, field_error


def _parse_aware_datetime(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip()
        if text.endswith(("Z", "z")):
            text = text[:-1] + "+00:00"
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise ValueError(
                f"expected an ISO 8601 date-time with offset like '2026-12-01T09:00:00+08:00', "
                f"got {value!r}"
            ) from None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        raise ValueError("expected a date-time with a time and an offset, got a date only")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            raise ValueError(
                "date-time has no time zone offset; write it like '2026-12-01T09:00:00+08:00'"
            )
        return value
    raise ValueError(f"expected an ISO 8601 date-time string, got {type(value).__name__}")


AwareDatetime = Annotated[dt.datetime, BeforeValidator(_parse_aware_datetime)]
"""A timezone-aware date-time, from an ISO 8601 string or a TOML offset date-time."""


@lru_cache(maxsize=1)
def _zone_names() -> frozenset[str]:
    return frozenset(available_timezones())


@lru_cache(maxsize=256)
def zone_info(name: str) -> ZoneInfo:
    """Return the :class:`ZoneInfo` for an IANA name (cached)."""
    return ZoneInfo(name)


def _parse_time_zone(value: Any) -> Any:
    if not isinstance(value, str):
        raise ValueError(f"expected an IANA time zone name like 'Asia/Shanghai', got {value!r}")
    try:
        if "/" not in value and value not in {"UTC", "GMT"}:
            raise ZoneInfoNotFoundError(value)
        zone_info(value)
    except (ZoneInfoNotFoundError, ValueError):
        extra = did_you_mean(value, _zone_names()) or " (expected e.g. 'Asia/Shanghai')"
        raise ValueError(f"unknown time zone {value!r}{extra}") from None
    return value


TimeZoneName = Annotated[str, BeforeValidator(_parse_time_zone)]
"""An IANA time zone name such as ``Asia/Shanghai``; checked against the tz database."""


def _parse_clock(value: Any) -> Any:
    if isinstance(value, dt.time):
        if value.tzinfo is not None:
            raise ValueError("a wall-clock time takes no offset; the schedule's time_zone applies")
        return value.hour * 3600 + value.minute * 60 + value.second
    if isinstance(value, str):
        parts = value.strip().split(":")
        try:
            if len(parts) not in (2, 3):
                raise ValueError
            h, m = int(parts[0]), int(parts[1])
            s = int(parts[2]) if len(parts) == 3 else 0
        except ValueError:
            raise ValueError(f"expected a time 'HH:MM' or 'HH:MM:SS', got {value!r}") from None
        if (h, m, s) == (24, 0, 0):
            return 86400
        if not (0 <= h < 24 and 0 <= m < 60 and 0 <= s < 60):
            raise ValueError(f"time {value!r} is out of range (00:00 to 24:00)")
        return h * 3600 + m * 60 + s
    raise ValueError(f"expected a time 'HH:MM', got {value!r}")


ClockSeconds = Annotated[int, BeforeValidator(_parse_clock)]
"""A wall-clock time of day in seconds after local midnight (0 to 86400), from ``"HH:MM"``."""


class Weekday(StrEnum):
    """Days of the week (ED-269 spelling); ``ANY`` means every day."""

    MON = "MON"
    TUE = "TUE"
    WED = "WED"
    THU = "THU"
    FRI = "FRI"
    SAT = "SAT"
    SUN = "SUN"
    ANY = "ANY"


_WEEKDAY_INDEX = {d: i for i, d in enumerate(list(Weekday)[:7])}


class WeeklyWindow(StrictModel):
    """A wall-clock window on given weekdays, e.g. MON-FRI 07:00-09:00.

    ``end`` earlier than ``start`` means the window runs past midnight into the next day;
    the day names refer to the day the window starts.
    """

    days: tuple[Weekday, ...] = Field(min_length=1)
    start: ClockSeconds
    end: ClockSeconds

    @model_validator(mode="after")
    def _check(self) -> WeeklyWindow:
        if self.start == self.end:
            raise field_error("end", "window is empty: start equals end")
        if self.start >= 86400:
            raise field_error("start", "window start must be before 24:00")
        if len(set(self.days)) != len(self.days):
            raise field_error("days", "a day is listed twice in 'days'")
        return self

    def day_indices(self) -> frozenset[int]:
        """Weekday numbers (Monday = 0) on which the window starts."""
        if Weekday.ANY in self.days:
            return frozenset(range(7))
        return frozenset(_WEEKDAY_INDEX[d] for d in self.days)


class Schedule(StrictModel):
    """When something applies: permanently, between two instants, and/or in weekly windows.

    Active at instant ``t`` when ``start <= t < end`` (each bound optional) and, if weekly
    windows are given, the local wall time at ``t`` in ``time_zone`` falls in one of them.
    Mirrors one ED-269 ``applicability`` entry.
    """

    permanent: StrictBool = False
    start: AwareDatetime | None = None
    end: AwareDatetime | None = None
    weekly: tuple[WeeklyWindow, ...] = ()
    time_zone: TimeZoneName | None = None

    @model_validator(mode="after")
    def _check(self) -> Schedule:
        if self.permanent and (self.start or self.end or self.weekly):
            raise field_error(
                "permanent", "a permanent schedule takes no start, end or weekly windows"
            )
        if not self.permanent and not (self.start or self.end or self.weekly):
            raise ValueError("give permanent = true, or a start/end, or weekly windows")
        if self.start and self.end and self.end <= self.start:
            raise field_error(
                "end", f"end {self.end.isoformat()} is not after start {self.start.isoformat()}"
            )
        if self.weekly and self.time_zone is None:
            raise field_error("time_zone", "weekly windows need a time_zone (e.g. 'Asia/Shanghai')")
        return self

    def is_active(self, when: dt.datetime) -> bool:
        """Whether the schedule applies at the aware instant ``when``."""
        if self.permanent:
            return True
        if self.start is not None and when < self.start:
            return False
        if self.end is not None and when >= self.end:
            return False
        if not self.weekly:
            return True
        assert self.time_zone is not None
        local = when.astimezone(zone_info(self.time_zone))
        sec = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        today = local.weekday()
        yesterday = (today - 1) % 7
        for w in self.weekly:
            days = w.day_indices()
            if w.start < w.end:
                if today in days and w.start <= sec < w.end:
                    return True
            else:  # runs past midnight
                if today in days and sec >= w.start:
                    return True
                if yesterday in days and sec < w.end:
                    return True
        return False

    def active_intervals(
        self, t0: dt.datetime, t1: dt.datetime
    ) -> list[tuple[dt.datetime, dt.datetime]]:
        """Maximal sub-intervals of ``[t0, t1)`` during which the schedule is active.

        Exactly the instants where :meth:`is_active` holds: a window on a daylight-saving day
        has its true length, a bound that falls into the skipped hour ends at the jump, and a
        bound in the repeated hour is crossed twice.
        """
        if t1 <= t0:
            return []
        lo = max(t0, self.start) if self.start else t0
        hi = min(t1, self.end) if self.end else t1
        if hi <= lo:
            return []
        if self.permanent or not self.weekly:
            return [(lo, hi)]
        assert self.time_zone is not None
        tz = zone_info(self.time_zone)
        # is_active can change only where the local wall clock crosses a window bound or
        # midnight, or jumps at a DST transition: collect those instants and test between them.
        points = {lo, hi}
        bounds = {0, 86400} | {w.start for w in self.weekly} | {w.end for w in self.weekly}
        day = lo.astimezone(tz).date() - dt.timedelta(days=1)
        last = hi.astimezone(tz).date() + dt.timedelta(days=1)
        while day <= last:
            for sec in bounds:
                wall_day = day + dt.timedelta(days=sec // 86400)
                rem = sec % 86400
                wall = dt.datetime.combine(
                    wall_day, dt.time(rem // 3600, rem % 3600 // 60, rem % 60)
                )
                for fold in (0, 1):
                    inst = wall.replace(tzinfo=tz, fold=fold).astimezone(dt.UTC)
                    if lo < inst < hi:
                        points.add(inst)
            transition = _transition(day, tz)
            if transition is not None and lo < transition < hi:
                points.add(transition)
            day += dt.timedelta(days=1)
        ordered = sorted(points)
        pieces = [(a, b) for a, b in itertools.pairwise(ordered) if self.is_active(a + (b - a) / 2)]
        return _merge(pieces)


def _transition(day: dt.date, tz: ZoneInfo) -> dt.datetime | None:
    """The instant the UTC offset changes during a local day, if it does (to the second)."""
    a = dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    b = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    if a.astimezone(tz).utcoffset() == b.astimezone(tz).utcoffset():
        return None
    lo, hi = 0, int((b - a).total_seconds())
    off_a = a.astimezone(tz).utcoffset()
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if (a + dt.timedelta(seconds=mid)).astimezone(tz).utcoffset() == off_a:
            lo = mid
        else:
            hi = mid
    return a + dt.timedelta(seconds=hi)


def _merge(
    pieces: list[tuple[dt.datetime, dt.datetime]],
) -> list[tuple[dt.datetime, dt.datetime]]:
    pieces.sort()
    out: list[tuple[dt.datetime, dt.datetime]] = []
    for a, b in pieces:
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out
