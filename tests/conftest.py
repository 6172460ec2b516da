"""Shared fixtures: paths to the repository's test data and to ../shared/data (real files)."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA = ROOT / "tests" / "data"
SHARED_DATA = ROOT.parent / "shared" / "data"


@pytest.fixture
def shared_data() -> Path:
    """The folder of real third-party input files; skip where it is absent (a user's clone)."""
    if not SHARED_DATA.is_dir():
        pytest.skip(
            f"real-world test data not found at {SHARED_DATA} (CI has it; a user's clone does not)"
        )
    return SHARED_DATA


def pytest_configure(config: pytest.Config) -> None:
    """Hypothesis defaults: no per-example deadline (CI machines vary in speed)."""
    from hypothesis import HealthCheck, settings

    settings.register_profile(
        "default", deadline=None, suppress_health_check=[HealthCheck.too_slow]
    )
    settings.load_profile("default")


@pytest.fixture(scope="module")
def crime_unrounded() -> Iterator[None]:
    """CommonRoad-CriMe without its display rounding and per-call logging (for a module).

    CriMe rounds its results (TTC to 0.01 s ...); comparisons are of the definitions, so the
    rounding is switched off. Only modules that import CriMe use this fixture.
    """
    import commonroad_crime.utility.general as crime_general

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(crime_general, "int_round", lambda value, tolerance=1: value)
        logging.disable(logging.INFO)
        yield
        logging.disable(logging.NOTSET)
