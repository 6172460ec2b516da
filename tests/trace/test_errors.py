"""Bad files: every problem is a TraceError naming the file, never another exception."""

from __future__ import annotations

import pickle
import struct
from pathlib import Path

import pytest

from sim.trace import TraceError, TraceReader
from sim.trace.format import FOOTER, PREAMBLE, RECORD, encode_record
from tests.trace.util import write_small


@pytest.fixture
def trace(tmp_path: Path) -> Path:
    path = tmp_path / "run.tztrace"
    write_small(path, n_frames=20, chunk_frames=8)  # chunks: frames 0-7, 8-15, 16-19
    return path


def _open_and_read_all(path: Path) -> None:
    with TraceReader(path) as r:
        r.verify()
        for frame in r.frames():
            frame.field("x")


def _record_offsets(path: Path) -> dict[str, int]:
    """Offsets of the sections of a good trace, from the reader's index."""
    with TraceReader(path) as r:
        index = r._index
        chunks = [int(o) for o in index.chunks["offset"]]
    data = path.read_bytes()
    index_offset = struct.unpack_from("<Q", data, len(data) - FOOTER.size)[0]
    return {
        "header": PREAMBLE.size,
        **{f"chunk{k}": o for k, o in enumerate(chunks)},
        "events": index.events_offset,
        "agents": index.agents_offset,
        "summary": index.summary_offset,
        "index": index_offset,
    }


def _replace_payload(path: Path, offset: int, tag: bytes, payload: bytes) -> None:
    """Replace a record's payload by one of the same length, with a valid CRC."""
    data = bytearray(path.read_bytes())
    _, length, _ = RECORD.unpack_from(data, offset)
    payload = payload.ljust(length, b" ")
    assert len(payload) == length
    data[offset : offset + RECORD.size + length] = encode_record(tag, payload)
    path.write_bytes(bytes(data))


def test_message_and_path(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just some text, not a trace\n" * 10)
    with pytest.raises(TraceError) as info:
        TraceReader(path)
    assert info.value.path == path
    assert "not a testzone trace file" in info.value.message
    assert str(info.value) == f"{path}: {info.value.message}"
    again = pickle.loads(pickle.dumps(info.value))  # survives a process pool
    assert str(again) == str(info.value)


def test_missing_and_empty_files(tmp_path: Path) -> None:
    with pytest.raises(TraceError, match="cannot open the file"):
        TraceReader(tmp_path / "nope.tztrace")
    with pytest.raises(TraceError, match="cannot open the file"):
        TraceReader(tmp_path)
    (tmp_path / "empty.tztrace").write_bytes(b"")
    with pytest.raises(TraceError, match="empty"):
        TraceReader(tmp_path / "empty.tztrace")


def test_unsupported_version(trace: Path) -> None:
    data = bytearray(trace.read_bytes())
    struct.pack_into("<I", data, 12, 2)
    trace.write_bytes(bytes(data))
    with pytest.raises(TraceError, match=r"unsupported trace format version 2 .*newer"):
        TraceReader(trace)


def test_truncation_at_every_cut_point_is_a_trace_error(trace: Path, tmp_path: Path) -> None:
    data = trace.read_bytes()
    size = len(data)
    cuts = {*range(0, size, 37), size - 1, size - 8, size - FOOTER.size, size - FOOTER.size - 1}
    cut_path = tmp_path / "cut.tztrace"
    for cut in sorted(cuts):
        cut_path.write_bytes(data[:cut])
        with pytest.raises(TraceError) as info:
            _open_and_read_all(cut_path)
        if cut > PREAMBLE.size:
            assert "truncated" in info.value.message and "interrupted" in info.value.message


def test_appended_bytes_are_detected(trace: Path) -> None:
    data = trace.read_bytes()
    trace.write_bytes(data + data[-FOOTER.size :])  # ends with a valid-looking footer
    with pytest.raises(TraceError, match="truncated or extended"):
        TraceReader(trace)


def test_flipped_byte_in_a_chunk_names_the_chunk(trace: Path) -> None:
    offsets = _record_offsets(trace)
    data = bytearray(trace.read_bytes())
    middle = (offsets["chunk1"] + offsets["chunk2"]) // 2
    data[middle] ^= 0x40
    trace.write_bytes(bytes(data))
    with TraceReader(trace) as r:  # chunks are checked when read
        r.frame(7)
        r.frame(16)
        with pytest.raises(TraceError) as info:
            r.frame_at(9.0)
        message = info.value.message
        assert "chunk 1 (frames 8..15, t = 8 s .. 15 s) is corrupt (CRC mismatch)" in message
        with pytest.raises(TraceError, match="chunk 1"):
            r.verify()


def test_every_single_byte_flip_is_detected(trace: Path, tmp_path: Path) -> None:
    data = trace.read_bytes()
    bad = tmp_path / "bad.tztrace"
    for i in range(len(data)):
        flipped = bytearray(data)
        flipped[i] ^= 0x01
        bad.write_bytes(bytes(flipped))
        with pytest.raises(TraceError):
            _open_and_read_all(bad)


@pytest.mark.parametrize(
    ("section", "tag", "payload", "message"),
    [
        ("header", b"HEAD", b'{"fields": [', "the header is corrupt: invalid JSON"),
        ("header", b"HEAD", b"[1]", "the header is corrupt: not a JSON object"),
        ("header", b"HEAD", b'{"fields": []}', "'fields' is not a list of names"),
        ("events", b"EVTS", b"[{]", "the events section is corrupt: invalid JSON"),
        ("events", b"EVTS", b'[{"kind": "x"}]', "the events section is corrupt"),
        ("agents", b"AGNT", b"\xff\xfe", "the agent table is corrupt: invalid JSON"),
        ("agents", b"AGNT", b'[{"index": 0}]', "the agent table is corrupt"),
        ("summary", b"SUMM", b"[]", "the summary is corrupt: not a JSON object or null"),
        ("index", b"INDX", b"\x00" * 8, "the index is corrupt"),
    ],
)
def test_corrupt_sections_with_valid_crc(
    trace: Path, section: str, tag: bytes, payload: bytes, message: str
) -> None:
    _replace_payload(trace, _record_offsets(trace)[section], tag, payload)
    with pytest.raises(TraceError, match=message):
        TraceReader(trace)


def test_chunk_that_does_not_decompress(trace: Path) -> None:
    offsets = _record_offsets(trace)
    _replace_payload(trace, offsets["chunk0"], b"CHNK", b"not zlib data")
    with TraceReader(trace) as r, pytest.raises(TraceError, match=r"chunk 0 .* is corrupt"):
        r.frame(0)


def test_crc_mismatch_in_a_section(trace: Path) -> None:
    offsets = _record_offsets(trace)
    data = bytearray(trace.read_bytes())
    data[offsets["events"] + RECORD.size + 2] ^= 0x20
    trace.write_bytes(bytes(data))
    with pytest.raises(TraceError, match="the events section is corrupt \\(CRC mismatch\\)"):
        TraceReader(trace)
