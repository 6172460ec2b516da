"""The writer: atomic replacement, bounded memory, input validation."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.trace import TraceReader, TraceWriter
from tests.trace.util import HEADER, make_frames, write_small


def _frame(n: int = 2, fields: int = 5) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    return (
        np.arange(n, dtype=np.int32),
        np.zeros((n, fields), np.float32),
        np.zeros(n, np.int8),
    )


def test_exception_inside_with_leaves_no_file(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    with pytest.raises(RuntimeError, match="engine failed"), TraceWriter(path, HEADER) as w:
        for f in make_frames(100):
            w.add_frame(f.t, f.ids, f.values, f.status)
        assert w.part_path.exists() and not path.exists()
        raise RuntimeError("engine failed")
    assert list(tmp_path.iterdir()) == []
    assert w.closed


def test_failed_run_keeps_an_older_trace_at_the_path(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    write_small(path)
    before = path.read_bytes()
    with pytest.raises(KeyboardInterrupt), TraceWriter(path, HEADER) as w:
        w.add_frame(0.0, *_frame())
        raise KeyboardInterrupt
    assert path.read_bytes() == before
    assert list(tmp_path.iterdir()) == [path]


def test_file_appears_only_at_close(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    w = TraceWriter(path, HEADER)
    assert w.part_path == tmp_path / "run.tztrace.part"
    w.add_frame(0.0, *_frame())
    assert not path.exists() and w.part_path.exists()
    w.close({"verdict": "passed"})
    w.close()  # idempotent
    assert path.exists() and not w.part_path.exists()
    with TraceReader(path) as r:
        assert r.summary == {"verdict": "passed"}


def test_leaving_with_normally_closes_without_summary(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    with TraceWriter(path, HEADER) as w:
        w.add_frame(0.0, *_frame())
    with TraceReader(path) as r:
        assert r.n_frames == 1 and r.summary is None


def test_buffer_never_holds_more_than_chunk_frames(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    ids, values, status = _frame(50)
    with TraceWriter(path, HEADER, chunk_frames=16) as w:
        for i in range(2000):
            w.add_frame(i * 0.5, ids, values, status)
            assert w.buffered_frames < 16
        assert w.max_buffered_frames == 16
        assert w.n_frames == 2000 and w.chunks_written == 125 and w.buffered_frames == 0
    with TraceReader(path) as r:
        assert r.n_frames == 2000 and r.n_chunks == 125


def test_frames_are_copied(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    ids, values, status = _frame(3)
    with TraceWriter(path, HEADER) as w:
        w.add_frame(0.0, ids, values, status)
        values[:] = 7.0  # the engine reuses its arrays
        w.add_frame(1.0, ids, values, status)
    with TraceReader(path) as r:
        assert r.frame(0).values.max() == 0.0 and r.frame(1).values.min() == 7.0


@pytest.mark.parametrize(
    ("header", "message"),
    [
        ({k: v for k, v in HEADER.items() if k != "seed"}, "lacks required keys \\['seed'\\]"),
        ({**HEADER, "fields": ["x"]}, "filled in by the trace writer"),
        ({**HEADER, "seed": -1}, "'seed' must be a non-negative integer"),
        ({**HEADER, "dt": 0}, "'dt' must be a positive number"),
        ({**HEADER, "record_every": 1.5}, "'record_every' must be a positive integer"),
        ({**HEADER, "start": "2026-12-01T09:00:00"}, "'start' must be an ISO 8601"),
        ({**HEADER, "scenario_hash": ""}, "'scenario_hash' must be a non-empty string"),
        ({**HEADER, "extra": object()}, "header cannot be written as JSON"),
        ({**HEADER, "extra": float("nan")}, "header cannot be written as JSON"),
    ],
)
def test_bad_header_is_refused_before_any_file_is_made(
    tmp_path: Path, header: dict, message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        TraceWriter(tmp_path / "run.tztrace", header)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"fields": ()}, "at least one"),
        ({"fields": ("x", "x")}, "unique"),
        ({"fields": "xy"}, "not a single string"),
        ({"chunk_frames": 0}, "chunk_frames must be a positive integer"),
    ],
)
def test_bad_fields_or_chunk_size(tmp_path: Path, kwargs: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        TraceWriter(tmp_path / "run.tztrace", HEADER, **kwargs)


def test_add_frame_validation(tmp_path: Path) -> None:
    ids, values, status = _frame(3)
    with TraceWriter(tmp_path / "run.tztrace", HEADER) as w:
        w.add_frame(1.0, ids, values, status)
        w.add_frame(1.0, ids, values, status)  # equal times are allowed
        with pytest.raises(ValueError, match="before the previous frame"):
            w.add_frame(0.5, ids, values, status)
        with pytest.raises(ValueError, match="finite"):
            w.add_frame(float("inf"), ids, values, status)
        with pytest.raises(ValueError, match="ids must have dtype int32, got int64"):
            w.add_frame(2.0, ids.astype(np.int64), values, status)
        with pytest.raises(ValueError, match="values must have dtype float32, got float64"):
            w.add_frame(2.0, ids, values.astype(np.float64), status)
        with pytest.raises(ValueError, match="status must have dtype int8"):
            w.add_frame(2.0, ids, values, status.astype(np.int32))
        with pytest.raises(ValueError, match="must be a numpy array"):
            w.add_frame(2.0, [0, 1, 2], values, status)
        with pytest.raises(ValueError, match=r"values must have shape \(3, 5\)"):
            w.add_frame(2.0, ids, values[:, :4], status)
        with pytest.raises(ValueError, match=r"status must have shape \(3,\)"):
            w.add_frame(2.0, ids, values, status[:2])
        with pytest.raises(ValueError, match="ids must be 1-D"):
            w.add_frame(2.0, ids.reshape(3, 1), values, status)
        with pytest.raises(ValueError, match="unique"):
            w.add_frame(2.0, np.array([2, 0, 2], np.int32), values, status)
        with pytest.raises(ValueError, match="non-negative"):
            w.add_frame(2.0, np.array([-1, 0, 2], np.int32), values, status)
        w.add_frame(np.float32(2.0), np.array([2, 0, 1], np.int32), values, status)
        assert w.n_frames == 3


def test_add_agent_and_event_validation(tmp_path: Path) -> None:
    with TraceWriter(tmp_path / "run.tztrace", HEADER) as w:
        w.add_agent(0, "icv-01", "car", "car", "P1", 4.8, 1.9)
        with pytest.raises(ValueError, match="index 0 was already added"):
            w.add_agent(0, "icv-02", "car", "car", None, 4.8, 1.9)
        with pytest.raises(ValueError, match="'icv-01' was already added"):
            w.add_agent(1, "icv-01", "car", "car", None, 4.8, 1.9)
        with pytest.raises(ValueError, match="length must be a positive number of metres"):
            w.add_agent(1, "icv-02", "car", "car", None, -1.0, 1.9)
        with pytest.raises(ValueError, match="non-negative integer"):
            w.add_agent(-1, "icv-02", "car", "car", None, 4.8, 1.9)
        with pytest.raises(ValueError, match="clash"):
            w.add_agent(1, "icv-02", "car", "car", None, 4.8, 1.9, id="x")
        with pytest.raises(ValueError, match="cannot be written as JSON"):
            w.add_agent(1, "icv-02", "car", "car", None, 4.8, 1.9, owner=object())
        with pytest.raises(ValueError, match="event time must be a finite"):
            w.add_event(float("nan"), "breach")
        with pytest.raises(ValueError, match="event kind"):
            w.add_event(1.0, "")
        with pytest.raises(ValueError, match="cannot be written as JSON"):
            w.add_event(1.0, "breach", "icv-01", where={1, 2})
        w.add_agent(1, "icv-02", "car", "car", None, 4.8, 1.9)
    with TraceReader(tmp_path / "run.tztrace") as r:
        assert [a["id"] for a in r.agents] == ["icv-01", "icv-02"]
        assert r.events == []


def test_bad_summary_leaves_the_writer_open(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    w = TraceWriter(path, HEADER)
    w.add_frame(0.0, *_frame())
    with pytest.raises(ValueError, match="summary cannot be written as JSON"):
        w.close({"ttc": float("inf")})
    with pytest.raises(ValueError, match="summary must be a mapping"):
        w.close(["passed"])  # type: ignore[arg-type]
    assert not w.closed
    w.close({"ttc": None})
    with TraceReader(path) as r:
        assert r.summary == {"ttc": None} and r.n_frames == 1


def test_writer_refuses_use_after_close(tmp_path: Path) -> None:
    w = TraceWriter(tmp_path / "run.tztrace", HEADER)
    w.close()
    with pytest.raises(ValueError, match="closed"):
        w.add_frame(0.0, *_frame())
    with pytest.raises(ValueError, match="closed"):
        w.add_event(0.0, "x")
