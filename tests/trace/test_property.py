"""Property tests: random frame sequences round-trip exactly, and frame_at agrees with a scan."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from sim.trace import TraceReader, TraceWriter
from tests.trace.util import HEADER

FIELD_NAMES = ("x", "y", "z", "heading", "speed")


@st.composite
def frame_sequences(draw: st.DrawFn) -> tuple[tuple[str, ...], int, list]:
    n_fields = draw(st.integers(1, 3))
    fields = FIELD_NAMES[:n_fields]
    chunk_frames = draw(st.integers(1, 5))
    t = draw(st.floats(-1e6, 1e6, allow_nan=False))
    frames = []
    for _ in range(draw(st.integers(0, 12))):
        t += draw(st.sampled_from([0.0, 0.1, 1.0]) | st.floats(0.0, 1e3))
        ids = draw(st.lists(st.integers(0, 2**31 - 1), max_size=5, unique=True))
        n = len(ids)
        values = draw(
            hnp.arrays(np.float32, (n, n_fields), elements=st.floats(width=32, allow_nan=True))
        )
        status = draw(hnp.arrays(np.int8, (n,)))
        frames.append((t, np.array(ids, dtype=np.int32), values, status))
    return fields, chunk_frames, frames


@settings(max_examples=60)
@given(frame_sequences(), st.lists(st.floats(-2e6, 2e6, allow_nan=False), max_size=5))
def test_random_frame_sequences_round_trip_exactly(case: tuple, queries: list[float]) -> None:
    fields, chunk_frames, frames = case
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "run.tztrace"
        with TraceWriter(path, HEADER, fields=fields, chunk_frames=chunk_frames) as w:
            for t, ids, values, status in frames:
                w.add_frame(t, ids, values, status)
                assert w.buffered_frames < chunk_frames
        with TraceReader(path, cache_chunks=1) as r:
            assert r.fields == fields
            assert r.times.tolist() == [f[0] for f in frames]
            for i, (t, ids, values, status) in enumerate(frames):
                got = r.frame(i)
                assert got.t == t
                assert got.ids.tobytes() == ids.tobytes()
                assert got.values.shape == values.shape
                assert got.values.tobytes() == values.tobytes()  # NaN payloads too
                assert got.status.tobytes() == status.tobytes()
            for q in queries:
                if frames:
                    before = [i for i, f in enumerate(frames) if f[0] <= q]
                    assert r.frame_at(q).index == (before[-1] if before else 0)
