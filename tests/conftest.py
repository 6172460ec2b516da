"""Shared fixtures: paths to the repository's test data and to ../shared/data (real files)."""

from __future__ import annotations

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
