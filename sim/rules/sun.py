"""Sunrise and sunset (NOAA solar calculator equations), for the night-operation rule.

The equations of the NOAA Global Monitoring Laboratory's solar calculator (after Jean Meeus,
*Astronomical Algorithms*, 1991): solar declination and the equation of time from the Julian
century, then the hour angle at which the sun's centre stands at ``altitude`` degrees (-0.833:
the upper limb on the horizon with standard refraction). Accurate to about a minute between
+-72 deg latitude. Angles in degrees, times in UTC.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math


def _solar(jc: float) -> tuple[float, float]:
    """Declination (deg) and equation of time (min) at Julian century ``jc``."""
    l0 = (280.46646 + jc * (36000.76983 + jc * 0.0003032)) % 360.0
    m = 357.52911 + jc * (35999.05029 - 0.0001537 * jc)
    e = 0.016708634 - jc * (0.000042037 + 0.0000001267 * jc)
    mr = math.radians(m)
    c = (
        math.sin(mr) * (1.914602 - jc * (0.004817 + 0.000014 * jc))
        + math.sin(2 * mr) * (0.019993 - 0.000101 * jc)
        + math.sin(3 * mr) * 0.000289
    )
    true_long = l0 + c
    omega = 125.04 - 1934.136 * jc
    app_long = true_long - 0.00569 - 0.00478 * math.sin(math.radians(omega))
    eps0 = 23.0 + (26.0 + (21.448 - jc * (46.815 + jc * (0.00059 - jc * 0.001813))) / 60.0) / 60.0
    eps = eps0 + 0.00256 * math.cos(math.radians(omega))
    decl = math.degrees(math.asin(math.sin(math.radians(eps)) * math.sin(math.radians(app_long))))
    y = math.tan(math.radians(eps / 2.0)) ** 2
    l0r = math.radians(l0)
    eqt = 4.0 * math.degrees(
        y * math.sin(2 * l0r)
        - 2 * e * math.sin(mr)
        + 4 * e * y * math.sin(mr) * math.cos(2 * l0r)
        - 0.5 * y * y * math.sin(4 * l0r)
        - 1.25 * e * e * math.sin(2 * mr)
    )
    return decl, eqt


def sun_times(
    day: dt.date, lon: float, lat: float, altitude: float = -0.833
) -> tuple[dt.datetime, dt.datetime] | None:
    """Sunrise and sunset (aware UTC) on the UTC date ``day`` at ``lon``, ``lat`` (deg).

    ``None`` when the sun does not cross ``altitude`` that day (polar day or night). Two
    passes: the solar position is evaluated again at the first estimate of each event.
    """
    midnight = dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)
    out = []
    for sign in (1.0, -1.0):  # sunrise: hour angle east of the meridian; sunset: west
        minutes = 720.0 - 4.0 * lon
        for _ in range(3):
            jd = 2440587.5 + (midnight.timestamp() + minutes * 60.0) / 86400.0
            decl, eqt = _solar((jd - 2451545.0) / 36525.0)
            latr, declr = math.radians(lat), math.radians(decl)
            cos_h = (math.sin(math.radians(altitude)) - math.sin(latr) * math.sin(declr)) / (
                math.cos(latr) * math.cos(declr)
            )
            if not -1.0 <= cos_h <= 1.0:
                return None
            ha = math.degrees(math.acos(cos_h))
            minutes = 720.0 - 4.0 * (lon + sign * ha) - eqt
        out.append(midnight + dt.timedelta(minutes=minutes))
    return out[0], out[1]


def nights(
    t0: dt.datetime, t1: dt.datetime, lon: float, lat: float, altitude: float = -0.833
) -> list[tuple[dt.datetime, dt.datetime]]:
    """The nights (sunset to next sunrise, aware UTC) that overlap ``[t0, t1)``."""
    out = []
    day = t0.astimezone(dt.UTC).date() - dt.timedelta(days=2)
    last = t1.astimezone(dt.UTC).date() + dt.timedelta(days=1)
    events: list[tuple[dt.datetime, str]] = []
    while day <= last:
        st = sun_times(day, lon, lat, altitude)
        if st is not None:
            events += [(st[0], "rise"), (st[1], "set")]
        day += dt.timedelta(days=1)
    events.sort()
    for (a, ka), (b, kb) in itertools.pairwise(events):
        if ka == "set" and kb == "rise" and a < t1 and t0 < b:
            out.append((a, b))
    return out
