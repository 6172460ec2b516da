"""Formatting quantities for messages: speeds in each domain's usual unit, altitudes, times."""

from __future__ import annotations

import datetime as dt

from sim.model.altitude import Altitude, Datum
from sim.model.vehicle import Domain

KNOT = 1852.0 / 3600.0
"""One knot (m/s)."""


def speed(v: float, domain: Domain) -> str:
    """A speed (m/s) as km/h (ICVs), m/s (UAVs) or knots (ships)."""
    if domain is Domain.SHIP:
        return f"{v / KNOT:.3g} kn"
    if domain is Domain.UAV:
        return f"{v:.3g} m/s"
    return f"{v * 3.6:.4g} km/h"


def metres(v: float) -> str:
    """A length or height (m), rounded to the decimetre."""
    return f"{round(v, 1):g} m"


def altitude(alt: Altitude) -> str:
    """An altitude as written (``120 m AGL``)."""
    return f"{round(alt.value, 1):g} m {alt.datum.value}"


def height(agl: float) -> str:
    """A height above ground (m)."""
    return f"{round(agl, 1):g} m AGL"


def in_datum(value_agl: float, value_amsl: float, datum: Datum) -> str:
    """An altitude in the datum the user wrote (AGL, or AMSL/WGS84 as AMSL)."""
    if datum is Datum.AGL:
        return f"{round(value_agl, 1):g} m AGL"
    return f"{round(value_amsl, 1):g} m {datum.value}"


def clock(t: dt.datetime) -> str:
    """A local date-time as ``2026-12-07 09:00:05 +08:00``."""
    text = t.isoformat(sep=" ", timespec="seconds")
    return text[:-6] + " " + text[-6:] if len(text) > 6 and text[-6] in "+-" else text


def span(a: dt.datetime, b: dt.datetime) -> str:
    """A local time span, the date once when both ends share it."""
    if a.date() == b.date() and a.utcoffset() == b.utcoffset():
        return f"{clock(a)[:-7]}–{b.strftime('%H:%M:%S')} {clock(a)[-6:]}"
    return f"{clock(a)} – {clock(b)}"


def duration(seconds: float) -> str:
    """A duration as ``1 h 05 min``, ``4 min 10 s`` or ``12 s``."""
    s = round(seconds)
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    if h:
        return f"{h} h {m:02d} min"
    if m:
        return f"{m} min {sec:02d} s" if sec else f"{m} min"
    return f"{sec} s"
