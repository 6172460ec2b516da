"""Frames per second of the replay viewer drawing 10,000 agents with fences and trails.

Run: ``pytest benchmarks/test_viz_fps.py --benchmark-columns=mean,stddev,ops``
(``ops`` is frames per second). Goal: >= 60 fps on one core with batched drawing.

The trace is synthetic (tests/viz/synthetic.py): 10,000 agents (ICVs on a road grid, UAVs at
60-120 m, ships on a river) over a 4 x 3 km map with four fences, a frame every second. Each
benchmark round is one drawn frame of a 1280 x 800 window: map and fences, 30 s trails, every
agent's body, labels, timeline, panel and event list.

- ``playing``: the camera holds still while the replay plays at 10x (the common case).
- ``panning``: the camera moves every frame, so the background and the trails are redrawn.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")

from tests.viz.synthetic import write_trace
from viz.app import Viewer
from viz.replay import open_replay

N_AGENTS = 10_000
FRAME_WALL = 1 / 60


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_trace(
        tmp_path_factory.mktemp("fps"), n_agents=N_AGENTS, n_frames=300, chunk_frames=64
    )


@pytest.mark.parametrize("mode", ["playing", "panning"])
def test_viewer_fps(benchmark, trace: Path, mode: str) -> None:
    with open_replay(trace) as replay:
        viewer = Viewer(replay, (1280, 800))
        viewer.view.speed = 10.0
        viewer.view.playing = True
        viewer.set_time(60.0)
        viewer.draw()
        drawn = len(viewer.state or [])

        def frame() -> None:
            if viewer.view.t >= replay.t_last - 1:
                viewer.set_time(60.0)
                viewer.view.playing = True
            viewer.advance(FRAME_WALL)
            if mode == "panning":
                viewer.view.camera.pan(3, 1)
            viewer.draw()

        benchmark.extra_info["agents"] = drawn
        benchmark.pedantic(frame, rounds=300, warmup_rounds=10, iterations=1)
        fps = 1.0 / benchmark.stats.stats.mean
        benchmark.extra_info["fps"] = round(fps, 1)
        assert drawn >= 0.7 * N_AGENTS
