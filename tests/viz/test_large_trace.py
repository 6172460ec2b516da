"""A trace is replayed through the reader's random access: memory stays bounded."""

from __future__ import annotations

import tracemalloc
from pathlib import Path

import numpy as np
import pytest

from tests.viz.synthetic import write_trace
from viz.app import Viewer
from viz.replay import open_replay


@pytest.fixture(scope="module")
def long_trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    # 600 agents x 1,600 frames: ~27 MB of frame data once decompressed, in 100 chunks
    return write_trace(
        tmp_path_factory.mktemp("long"), n_agents=600, n_frames=1600, chunk_frames=16
    )


def test_scrubbing_decodes_only_the_chunks_it_shows(long_trace: Path) -> None:
    with open_replay(long_trace, cache_chunks=4) as replay:
        reader = replay.reader
        frame_bytes = len(reader.frame(-1)) * (4 + 4 * len(reader.fields) + 1) * reader.n_frames
        viewer = Viewer(replay, (1000, 700))
        viewer.draw()
        tracemalloc.start()
        try:
            rng = np.random.default_rng(1)
            for t in rng.uniform(replay.t_first, replay.t_last, 25):
                before = reader.chunks_decoded
                viewer.set_time(float(t))
                viewer.draw()
                # the frame's chunk, the next frame's, and those of the 30 s trail behind it
                assert reader.chunks_decoded - before <= 4
                assert len(reader._cache) <= 4
            _, peak = tracemalloc.get_traced_memory()
        finally:
            tracemalloc.stop()
        assert peak < frame_bytes / 4, (peak, frame_bytes)


def test_playing_forward_reuses_decoded_chunks(long_trace: Path) -> None:
    with open_replay(long_trace) as replay:
        viewer = Viewer(replay, (1000, 700))
        viewer.view.playing = True
        viewer.view.speed = 20.0
        viewer.draw()
        start = replay.reader.chunks_decoded
        for _ in range(60):  # 60 drawn frames, 1 s of wall time at 20x: 20 s of the run
            viewer.advance(1 / 60)
            viewer.draw()
        assert replay.reader.chunks_decoded - start <= 3
