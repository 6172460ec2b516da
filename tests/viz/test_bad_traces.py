"""Truncated and corrupt traces, and missing maps: clear errors, never a traceback."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from sim.trace import TraceError, TraceReader
from viz.app import Viewer
from viz.replay import open_replay
from viz.scene import SceneError


def _corrupt_chunk(src: Path, dst: Path, chunk: int) -> float:
    """Copy ``src`` with one byte flipped inside a chunk; return a time in that chunk (s)."""
    with TraceReader(src) as r:
        entry = r._index.chunks[chunk]
        offset, t = int(entry["offset"]) + 40, float(entry["t_first"])
    data = bytearray(src.read_bytes())
    data[offset] ^= 0xFF
    dst.write_bytes(bytes(data))
    return t


def test_a_truncated_trace_is_refused_on_opening(synthetic_trace: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.tztrace"
    cut.write_bytes(synthetic_trace.read_bytes()[:5000])
    with pytest.raises(TraceError, match="truncated"):
        open_replay(cut)


def test_a_corrupt_chunk_stops_playback_with_a_message(
    synthetic_trace: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "synthetic.tztrace"
    for name in ("grid.geojson", "grid.zones.geojson"):
        shutil.copy(synthetic_trace.parent / name, tmp_path / name)
    t = _corrupt_chunk(synthetic_trace, bad, 2)
    with open_replay(bad) as replay:
        viewer = Viewer(replay, (900, 600))
        viewer.set_time(1.0)
        viewer.draw()
        viewer.view.playing = True
        viewer.set_time(t + 0.5)
        viewer.draw()  # does not raise
        assert viewer.view.error is not None and "corrupt" in viewer.view.error
        assert not viewer.view.playing
        with pytest.raises(TraceError, match="chunk 2"):
            replay.state_at(t + 0.5)


def test_a_moved_trace_says_where_its_map_should_be(synthetic_trace: Path, tmp_path: Path) -> None:
    moved = tmp_path / "moved.tztrace"
    shutil.copy(synthetic_trace, moved)
    with pytest.raises(SceneError, match="--map"):
        open_replay(moved)
    folder = synthetic_trace.parent
    with open_replay(moved, None, folder / "grid.geojson", [folder / "grid.zones.geojson"]) as r:
        assert len(r.zones) == 4
