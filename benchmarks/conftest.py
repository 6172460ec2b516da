"""pytest-benchmark suites: ``pytest benchmarks`` (never part of the test run)."""

from __future__ import annotations

import pytest


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every benchmark so that ``-m 'not benchmark'`` deselects them."""
    for item in items:
        item.add_marker(pytest.mark.benchmark)
