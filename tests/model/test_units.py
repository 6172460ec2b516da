from __future__ import annotations

import math

import pytest
from pydantic import ValidationError

from sim.model.altitude import Altitude, Datum
from sim.model.base import StrictModel
from sim.model.units import Metres, MetresPerSecond, PerSecond, Radians, Seconds


class Q(StrictModel):
    length: Metres = 0.0
    speed: MetresPerSecond = 0.0
    duration: Seconds = 0.0
    rate: PerSecond = 0.0
    angle: Radians = 0.0


@pytest.mark.parametrize(
    ("field", "text", "si"),
    [
        ("length", "400 ft", 121.92),
        ("length", "2.5 km", 2500.0),
        ("length", 12, 12.0),
        ("speed", "36 km/h", 10.0),
        ("speed", "10 kn", 5.144444444444445),
        ("speed", "13.5", 13.5),
        ("duration", "15 min", 900.0),
        ("duration", "2 h", 7200.0),
        ("rate", "600 /h", 600 / 3600),
        ("rate", "600 veh/h", 600 / 3600),
        ("angle", "90 deg", math.pi / 2),
    ],
)
def test_units_convert_to_si(field: str, text: object, si: float) -> None:
    assert getattr(Q.model_validate({field: text}), field) == pytest.approx(si, rel=1e-12)


@pytest.mark.parametrize("bad", ["fast", "10 parsecs", "1e400 m", True, "nan m"])
def test_bad_quantities_are_rejected(bad: object) -> None:
    with pytest.raises(ValidationError):
        Q.model_validate({"length": bad})


def test_altitude_compact_and_table_forms_agree() -> None:
    a = Altitude.model_validate("400 ft AMSL")
    b = Altitude.model_validate({"value": "400 ft", "datum": "AMSL"})
    assert a == b
    assert a.datum is Datum.AMSL
    assert a.value == pytest.approx(121.92)
    assert str(Altitude.model_validate("90 m AGL")) == "90 m AGL"


@pytest.mark.parametrize("bad", ["90", "90 m ASL", "200000 m AGL", {"value": 1}])
def test_bad_altitudes_are_rejected(bad: object) -> None:
    with pytest.raises(ValidationError):
        Altitude.model_validate(bad)
