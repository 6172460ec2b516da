"""Physical quantities in user files: a bare number is SI, a string may carry a unit.

Examples accepted for a speed: ``13.9`` (m/s), ``"50 km/h"``, ``"10 kn"``. For a length:
``120`` (m), ``"400 ft"``, ``"2.5 km"``. For a duration: ``90`` (s), ``"15 min"``, ``"2 h"``.
For a rate: ``0.1`` (1/s), ``"600 /h"``, ``"600 veh/h"``. Values are converted once, at load
time, to SI floats; everything downstream works in metres, seconds, m/s and radians.
"""

from __future__ import annotations

import math
import re
from typing import Annotated, Any

from pydantic import BeforeValidator

_LENGTH = {"m": 1.0, "km": 1000.0, "ft": 0.3048, "nm": 1852.0, "mi": 1609.344, "cm": 0.01}
_SPEED = {
    "m/s": 1.0,
    "km/h": 1.0 / 3.6,
    "kmh": 1.0 / 3.6,
    "kph": 1.0 / 3.6,
    "kn": 1852.0 / 3600.0,
    "kt": 1852.0 / 3600.0,
    "mph": 1609.344 / 3600.0,
}
_DURATION = {"s": 1.0, "min": 60.0, "h": 3600.0, "d": 86400.0}
_ACCEL = {"m/s2": 1.0, "m/s^2": 1.0, "m/s²": 1.0, "g": 9.80665}
_RATE = {"/s": 1.0, "/min": 1.0 / 60.0, "/h": 1.0 / 3600.0, "veh/h": 1.0 / 3600.0}
_ANGLE = {"rad": 1.0, "deg": math.pi / 180.0, "°": math.pi / 180.0}
_MASS = {"kg": 1.0, "g": 0.001, "t": 1000.0}
_ENERGY = {"j": 1.0, "kj": 1e3, "wh": 3600.0, "kwh": 3.6e6}
_POWER = {"w": 1.0, "kw": 1e3}
_ANGULAR_RATE = {"rad/s": 1.0, "deg/s": math.pi / 180.0}

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)?\s*$")


def _parser(kind: str, table: dict[str, float]) -> Any:
    """Build a function converting ``value [unit]`` to an SI float (other types pass through)."""

    def parse(value: Any) -> Any:
        if isinstance(value, bool):
            raise ValueError(f"expected a {kind} (number or string with unit), got a boolean")
        if isinstance(value, (int, float)):
            number = float(value)
        elif isinstance(value, str):
            match = _QUANTITY.match(value)
            if not match:
                raise ValueError(f"expected a {kind} like '{_example(kind)}', got {value!r}")
            number = float(match.group(1))
            unit = (match.group(2) or "").strip()
            if unit:
                factor = table.get(unit) or table.get(unit.lower())
                if factor is None:
                    units = ", ".join(sorted(table))
                    raise ValueError(f"unknown {kind} unit {unit!r} (expected one of: {units})")
                number *= factor
        else:
            return value  # let pydantic report the type error
        if not math.isfinite(number):
            raise ValueError(f"expected a finite {kind}, got {value!r}")
        return number

    return parse


def _example(kind: str) -> str:
    return {
        "length": "120 m",
        "speed": "50 km/h",
        "duration": "15 min",
        "acceleration": "1.5 m/s2",
        "rate": "600 /h",
        "angle": "30 deg",
        "mass": "4 kg",
        "energy": "500 Wh",
        "power": "300 W",
        "angular rate": "30 deg/s",
    }.get(kind, "1.0")


Metres = Annotated[float, BeforeValidator(_parser("length", _LENGTH))]
"""A length in metres (m)."""
MetresPerSecond = Annotated[float, BeforeValidator(_parser("speed", _SPEED))]
"""A speed in metres per second (m/s)."""
parse_duration = _parser("duration", _DURATION)
"""Convert a number (s) or a string like ``"15 min"`` to seconds; raises ``ValueError``."""

Seconds = Annotated[float, BeforeValidator(parse_duration)]
"""A duration in seconds (s)."""
MetresPerSecond2 = Annotated[float, BeforeValidator(_parser("acceleration", _ACCEL))]
"""An acceleration in metres per second squared (m/s²)."""
PerSecond = Annotated[float, BeforeValidator(_parser("rate", _RATE))]
"""A rate of events per second (1/s)."""
Radians = Annotated[float, BeforeValidator(_parser("angle", _ANGLE))]
"""An angle in radians (rad)."""
RadiansPerSecond = Annotated[float, BeforeValidator(_parser("angular rate", _ANGULAR_RATE))]
"""An angular rate in radians per second (rad/s)."""
Kilograms = Annotated[float, BeforeValidator(_parser("mass", _MASS))]
"""A mass in kilograms (kg)."""
Joules = Annotated[float, BeforeValidator(_parser("energy", _ENERGY))]
"""An energy in joules (J)."""
Watts = Annotated[float, BeforeValidator(_parser("power", _POWER))]
"""A power in watts (W)."""
