"""Headless pygame, the bundled mixed scenario run once, and a synthetic trace."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from sim.commands.render import projector
from tests.conftest import ROOT
from tests.viz.synthetic import write_trace
from viz.replay import Replay, open_replay

MIXED_UNTIL = 240.0
"""Seconds of the mixed scenario the tests run (UAV, ship, ICVs and a stop event in it)."""


@pytest.fixture(scope="session", autouse=True)
def _headless() -> Iterator[None]:
    """A dummy video driver, so events can be posted and fonts rendered without a display."""
    import pygame

    os.environ["SDL_VIDEODRIVER"] = "dummy"
    pygame.display.init()
    pygame.font.init()
    yield
    pygame.quit()


@pytest.fixture(scope="session")
def mixed_trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled mixed scenario, run for four minutes."""
    from sim.commands.run import simulate
    from sim.model.bundle import load_scenario

    out = tmp_path_factory.mktemp("mixed") / "mixed.tztrace"
    simulate(load_scenario(ROOT / "scenarios" / "mixed-zone-day.toml"), out, until=MIXED_UNTIL)
    return out


@pytest.fixture(scope="session")
def synthetic_trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """300 agents for 120 s on a local grid map, a breach at 30 s."""
    return write_trace(tmp_path_factory.mktemp("synthetic"))


@pytest.fixture
def mixed(mixed_trace: Path) -> Iterator[Replay]:
    with open_replay(mixed_trace, projector) as replay:
        yield replay


@pytest.fixture
def synthetic(synthetic_trace: Path) -> Iterator[Replay]:
    with open_replay(synthetic_trace) as replay:
        yield replay
