"""Writing then reading a trace gives back exactly what was written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest

from sim import __version__
from sim.trace import DEFAULT_FIELDS, FORMAT_VERSION, TraceReader, TraceWriter
from tests.trace.util import HEADER, make_frames, write_small


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_round_trip_of_header_frames_events_agents_summary(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    frames = write_small(path)
    with TraceReader(path) as r:
        assert r.header == {
            **HEADER,
            "format_version": FORMAT_VERSION,
            "software_version": __version__,
            "fields": list(DEFAULT_FIELDS),
        }
        assert r.fields == DEFAULT_FIELDS
        assert r.n_frames == len(frames)
        assert r.n_chunks == 3
        assert r.times.dtype == np.float64
        assert r.times.tolist() == [f.t for f in frames]
        for i, raw in enumerate(frames):
            got = r.frame(i)
            assert got.index == i and got.t == raw.t and len(got) == len(raw.ids)
            assert got.ids.dtype == np.int32 and np.array_equal(got.ids, raw.ids)
            assert got.values.dtype == np.float32 and got.values.shape == raw.values.shape
            assert got.values.tobytes() == raw.values.tobytes()
            assert got.status.dtype == np.int8 and np.array_equal(got.status, raw.status)
        assert [a["id"] for a in r.agents] == ["icv-01", "uav-01", "bg-expressway-0"]
        assert r.agents[0] == {
            "index": 0,
            "id": "icv-01",
            "kind": "car",
            "vehicle_type": "car",
            "permit": "P-ICV-001",
            "length": 4.8,
            "width": 1.9,
            "safety_driver": True,
        }
        assert r.agents[2]["permit"] is None and r.agents[2]["spawned_at"] == 2.0
        assert r.events == [
            {
                "t": 3.0,
                "kind": "scripted",
                "agent": None,
                "action": "close_zone",
                "zone": "cond-park",
            },
            {
                "t": 9.5,
                "kind": "breach",
                "agent": "uav-01",
                "zone": "no-fly-airport",
                "where": [1.0, 2.0, 90.0],
            },
        ]
        assert r.summary == {"verdict": "failed", "breaches": 1, "min_separation_m": 12.5}


def test_frame_fields_and_read_only_arrays(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    frames = write_small(path)
    with TraceReader(path) as r:
        frame = r.frame(5)
        assert np.array_equal(frame.field("x"), frames[5].values[:, 0])
        assert np.array_equal(frame.field("speed"), frames[5].values[:, 4])
        with pytest.raises(KeyError, match="'altitude' is not in this trace"):
            frame.field("altitude")
        with pytest.raises(ValueError, match="read-only"):
            frame.values[0, 0] = 1.0
        assert r.frame(-1).index == len(frames) - 1
        with pytest.raises(IndexError, match="frame 20 is out of range"):
            r.frame(20)
        with pytest.raises(IndexError):
            r.frame(-21)


def test_custom_fields_and_empty_frames(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    fields = ("x", "y", "battery")
    with TraceWriter(path, HEADER, fields=fields, chunk_frames=2) as w:
        w.add_frame(0.0, np.zeros(0, np.int32), np.zeros((0, 3), np.float32), np.zeros(0, np.int8))
        w.add_frame(
            0.5,
            np.array([7], np.int32),
            np.array([[1.0, np.nan, np.inf]], np.float32),
            np.array([1], np.int8),
        )
        w.add_frame(1.0, np.zeros(0, np.int32), np.zeros((0, 3), np.float32), np.zeros(0, np.int8))
    with TraceReader(path) as r:
        assert r.fields == fields and r.header["fields"] == list(fields)
        assert [len(f) for f in r.frames()] == [0, 1, 0]
        assert r.frame(0).values.shape == (0, 3)
        battery = r.frame(1).field("battery")
        assert battery.tolist() == [np.inf]
        assert np.isnan(r.frame(1).field("y")[0])
        assert r.summary is None and r.events == [] and r.agents == []


def test_trace_without_frames(tmp_path: Path) -> None:
    path = tmp_path / "empty.tztrace"
    with TraceWriter(path, HEADER) as w:
        w.add_event(1.0, "note")
    with TraceReader(path) as r:
        assert r.n_frames == 0 and r.n_chunks == 0 and r.times.shape == (0,)
        assert list(r.frames()) == []
        assert [e["kind"] for e in r.events] == ["note"]
        with pytest.raises(IndexError, match="no frames"):
            r.frame_at(0.0)


def test_frame_at_semantics_and_boundaries(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    times = [2.0, 3.0, 3.0, 4.0, 10.0, 10.0, 10.0, 11.5]
    with TraceWriter(path, HEADER, chunk_frames=3) as w:
        for i, t in enumerate(times):
            w.add_frame(
                t,
                np.array([i], np.int32),
                np.full((1, 5), i, np.float32),
                np.zeros(1, np.int8),
            )
    with TraceReader(path) as r:
        cases = {
            -1e9: 0,  # before the first frame: the first frame
            0.0: 0,
            1.999: 0,
            2.0: 0,
            2.5: 0,
            np.nextafter(3.0, 0.0): 0,
            3.0: 2,  # equal times: the last of them
            3.5: 2,
            4.0: 3,  # chunk boundary between frames 2 and 3
            9.99: 3,
            10.0: 6,  # duplicate times straddling the chunk boundary 5 | 6
            11.0: 6,
            11.5: 7,
            1e9: 7,  # after the last frame: the last frame
        }
        for t, expected in cases.items():
            frame = r.frame_at(t)
            assert frame.index == expected, t
            assert frame.ids.tolist() == [expected]
            assert frame.t == times[expected]
        with pytest.raises(ValueError, match="NaN"):
            r.frame_at(float("nan"))


def test_frames_window_and_events_between(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    write_small(path, n_frames=20, chunk_frames=4)
    with TraceReader(path) as r:
        assert [f.t for f in r.frames(3.0, 6.0)] == [3.0, 4.0, 5.0, 6.0]  # inclusive
        assert [f.t for f in r.frames(2.5, 3.5)] == [3.0]
        assert [f.t for f in r.frames(t1=1.0)] == [0.0, 1.0]
        assert [f.t for f in r.frames(18.0)] == [18.0, 19.0]
        assert list(r.frames(7.0, 6.0)) == []
        assert len(list(r.frames())) == 20
        assert r.events_between(0.0, 3.0) == []  # half-open: [t0, t1)
        assert [e["kind"] for e in r.events_between(3.0, 9.5)] == ["scripted"]
        assert [e["kind"] for e in r.events_between(3.0, 9.6)] == ["scripted", "breach"]
        assert r.events_between(9.6, 100.0) == []


def test_events_are_sorted_by_time_ties_in_insertion_order(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    with TraceWriter(path, HEADER) as w:
        w.add_event(5.0, "b", n=np.int64(1))
        w.add_event(1.0, "a", speed=np.float32(2.5))
        w.add_event(5.0, "c", arr=np.arange(3))
        w.add_event(5.0, "d", pair=(1, 2))
    with TraceReader(path) as r:
        assert [e["kind"] for e in r.events] == ["a", "b", "c", "d"]
        assert r.events[0]["speed"] == 2.5 and r.events[1]["n"] == 1
        assert r.events[2]["arr"] == [0, 1, 2] and r.events[3]["pair"] == [1, 2]


def test_identical_calls_give_byte_identical_files(tmp_path: Path) -> None:
    a = tmp_path / "a" / "run.tztrace"
    b = tmp_path / "b" / "other-name.tztrace"
    a.parent.mkdir()
    b.parent.mkdir()
    write_small(a)
    write_small(b)
    assert _sha256(a) == _sha256(b)
    header_order = dict(reversed(list(HEADER.items())))  # key order does not matter either
    c, d = tmp_path / "c.tztrace", tmp_path / "d.tztrace"
    frames = make_frames(5)
    for path, header in ((c, HEADER), (d, header_order)):
        with TraceWriter(path, header) as w:
            for f in frames:
                w.add_frame(f.t, f.ids, f.values, f.status)
    assert _sha256(c) == _sha256(d)
    assert _sha256(c) != _sha256(a)


def test_reading_chunk_k_decodes_only_chunk_k(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    write_small(path, n_frames=40, chunk_frames=4)  # 10 chunks
    with TraceReader(path, cache_chunks=2) as r:
        assert r.n_chunks == 10 and r.chunks_decoded == 0  # opening decodes no chunk
        r.frame(13)  # chunk 3
        assert r.chunks_decoded == 1
        r.frame(12)
        r.frame(15)
        r.frame_at(14.2)
        assert r.chunks_decoded == 1  # same chunk: cached
        r.frame(37)  # chunk 9
        assert r.chunks_decoded == 2
        r.frame(13)
        assert r.chunks_decoded == 2  # both still cached
        r.frame(0)  # chunk 0 evicts the least recently used (chunk 9)
        r.frame(12)
        assert r.chunks_decoded == 3
        r.frame(36)
        assert r.chunks_decoded == 4
        n = r.chunks_decoded
        assert len(list(r.frames(20.0, 23.0))) == 4  # one chunk for a window inside it
        assert r.chunks_decoded == n + 1


def test_verify_decodes_every_chunk(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    write_small(path, n_frames=20, chunk_frames=8)
    with TraceReader(path) as r:
        r.verify()
        assert r.chunks_decoded == 3


def test_reader_accepts_str_path_and_close_is_idempotent(tmp_path: Path) -> None:
    path = tmp_path / "run.tztrace"
    write_small(path)
    r = TraceReader(str(path))
    assert r.path == path
    r.close()
    r.close()
    with pytest.raises(ValueError, match="closed"):
        r.frame(0)
