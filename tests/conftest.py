"""Shared fixtures: paths to the repository's data and to ../shared/data (real third-party files)."""

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
        pytest.skip(f"real-world test data not found at {SHARED_DATA} (present in CI, not in a user's clone)")
    return SHARED_DATA
