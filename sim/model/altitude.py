"""Altitudes with their vertical datum.

``AGL`` is height above the ground (the map's ground elevation at that point), ``AMSL``
height above mean sea level, ``WGS84`` height above the WGS84 ellipsoid (as in ASTM F3548
``W84`` volumes). Values are metres; ``"400 ft AMSL"`` style strings are accepted.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Any

from pydantic import model_validator

from sim.model.base import StrictModel
from sim.model.errors import field_error
from sim.model.units import Metres


class Datum(StrEnum):
    """Vertical reference of an altitude."""

    AGL = "AGL"
    AMSL = "AMSL"
    WGS84 = "WGS84"


_COMPACT = re.compile(r"^\s*(.+?)\s+(AGL|AMSL|WGS84|agl|amsl|wgs84)\s*$")


class Altitude(StrictModel):
    """A vertical position: ``value`` in metres above the reference ``datum``."""

    value: Metres
    datum: Datum

    @model_validator(mode="before")
    @classmethod
    def _compact(cls, data: Any) -> Any:
        """Accept ``"120 m AGL"`` as shorthand for ``{value = 120, datum = "AGL"}``."""
        if isinstance(data, str):
            match = _COMPACT.match(data)
            if not match:
                raise ValueError(
                    f"expected an altitude like '120 m AGL' or {{value = 120, datum = 'AGL'}}, "
                    f"got {data!r}"
                )
            return {"value": match.group(1), "datum": match.group(2).upper()}
        return data

    @model_validator(mode="after")
    def _range(self) -> Altitude:
        # 100 km (the Karman line) is the top: real zone data use 100000 m AMSL for "unlimited".
        if not -500.0 <= self.value <= 100_000.0:
            raise field_error(
                "value",
                f"altitude {self.value:g} m is absurd for a test zone (expected -500 to 100000 m)",
            )
        return self

    def __str__(self) -> str:
        """Format as ``120 m AGL``."""
        return f"{self.value:g} m {self.datum.value}"
