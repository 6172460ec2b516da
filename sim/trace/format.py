"""Byte layout of a ``.tztrace`` file and the pure functions that encode and decode its parts.

A trace is written front to back in one pass (frames are streamed in chunks) and read from the
back: a fixed-size footer points at the index, and the index points at everything else, so a
reader finds any frame without scanning the chunks. All integers and floats are little-endian.

File layout (format version 1)::

    offset 0   preamble   16 bytes   MAGIC (12 bytes) + u32 format version
    16         HEAD       record     header, JSON object
               CHNK       record     chunk 0: frames 0 .. k-1, zlib-compressed
               CHNK       record     chunk 1 ...
               ...
               EVTS       record     events, JSON array of objects sorted by t (stable)
               AGNT       record     agent table, JSON array of objects sorted by index
               SUMM       record     run summary, JSON object or null
               INDX       record     index, binary (below)
    size - 32  footer     32 bytes   u64 index offset, u64 file size, u32 format version,
                                     u32 CRC-32 of the previous 20 bytes, END_MAGIC (8 bytes)

Every *record* is a 16-byte record header followed by its payload::

    4s   tag          b"HEAD", b"CHNK", b"EVTS", b"AGNT", b"SUMM" or b"INDX"
    u64  length       payload length in bytes
    u32  crc          CRC-32 of tag + length + payload (so a flipped length is caught too)

JSON payloads are UTF-8, written with ``sort_keys=True``, separators ``(",", ":")``, no NaN or
infinity, so equal inputs give equal bytes. The header holds ``format_version``,
``software_version`` (``sim.__version__``) and ``fields`` (names of the value columns), added by
the writer, plus what the engine passes: at least ``scenario_hash``, ``seed``, ``dt`` (s),
``record_every`` (ticks) and ``start`` (ISO 8601 with offset; frame times are seconds after it).

INDX payload::

    u64 events offset, u64 agents offset, u64 summary offset   (file offsets of those records)
    u64 chunk count C, u64 frame count N
    C x 32-byte entries: u64 record offset, u32 frame count, u32 reserved (0),
                         f64 time of the first frame (s), f64 time of the last frame (s)
    N x f64 frame times (s), non-decreasing

CHNK payload, zlib-compressed (level 6) from::

    u32 frame count n, u32 field count F, u64 row count R   (R = agent states in the chunk)
    n x f64   frame times (s)
    n x u32   rows per frame
    R x i32   agent indices, byte-shuffled
    F x R f32 values, one field after the other (x of every row, then y ...), byte-shuffled
    R x i8    status codes

*Byte-shuffled* means the k-th byte of every element is stored together (all first bytes, then
all second bytes ...), as HDF5's shuffle filter does; it makes slowly varying numbers compress
much better and costs one transpose.

A complete file ends with END_MAGIC; a file that does not was cut short, most likely because
the run that wrote it was interrupted (the writer only renames a complete file into place).
"""

from __future__ import annotations

import json
import math
import struct
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

MAGIC = b"\x89TZTRACE\r\n\x1a\n"
"""First 12 bytes of every trace (high bit, CR LF, ^Z: detects text-mode mangling, like PNG)."""
END_MAGIC = b"TZTREND\n"
"""Last 8 bytes of a complete trace."""
FORMAT_VERSION = 1
"""Version of the layout above; readers refuse other versions."""
SUFFIX = ".tztrace"
"""Conventional file name suffix."""

PREAMBLE = struct.Struct("<12sI")
RECORD = struct.Struct("<4sQI")
_RECORD_CRC_PREFIX = struct.Struct("<4sQ")
FOOTER = struct.Struct("<QQII8s")
_FOOTER_CRC_PART = struct.Struct("<QQI")
INDEX_HEAD = struct.Struct("<QQQQQ")
CHUNK_HEAD = struct.Struct("<IIQ")

TAG_HEADER = b"HEAD"
TAG_CHUNK = b"CHNK"
TAG_EVENTS = b"EVTS"
TAG_AGENTS = b"AGNT"
TAG_SUMMARY = b"SUMM"
TAG_INDEX = b"INDX"

ZLIB_LEVEL = 6
"""Compression level of chunks; fixed so equal inputs give equal bytes."""

CHUNK_ENTRY = np.dtype(
    [
        ("offset", "<u8"),
        ("n_frames", "<u4"),
        ("reserved", "<u4"),
        ("t_first", "<f8"),
        ("t_last", "<f8"),
    ]
)
"""One row of the index's chunk table (32 bytes)."""

F64 = np.dtype("<f8")
F32 = np.dtype("<f4")
I32 = np.dtype("<i4")
U32 = np.dtype("<u4")
I8 = np.dtype("i1")


# --- JSON -------------------------------------------------------------------------------------


def _json_default(value: Any) -> Any:
    """Convert numpy scalars and arrays to plain Python; refuse anything else."""
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, np.ndarray):
        return value.tolist()
    raise TypeError(f"{type(value).__name__} is not JSON-serialisable")


def dumps_json(value: Any, what: str) -> bytes:
    """Encode ``value`` as deterministic UTF-8 JSON (sorted keys, compact, no NaN).

    Numpy scalars and arrays are converted to numbers and lists; tuples become lists.

    Raises:
        ValueError: naming ``what`` when the value cannot be written as JSON.
    """
    try:
        text = json.dumps(
            value,
            sort_keys=True,
            separators=(",", ":"),
            ensure_ascii=False,
            allow_nan=False,
            default=_json_default,
        )
    except (TypeError, ValueError, RecursionError) as exc:
        raise ValueError(f"{what} cannot be written as JSON: {exc}") from None
    return text.encode("utf-8")


def loads_json(data: bytes) -> Any:
    """Decode UTF-8 JSON; raises ``ValueError`` (incl. ``UnicodeDecodeError``) when invalid."""
    return json.loads(data.decode("utf-8"))


# --- records and footer -----------------------------------------------------------------------


def record_crc(tag: bytes, payload: bytes) -> int:
    """CRC-32 of a record: its tag, its length field and its payload."""
    return zlib.crc32(payload, zlib.crc32(_RECORD_CRC_PREFIX.pack(tag, len(payload))))


def encode_record(tag: bytes, payload: bytes) -> bytes:
    """Frame ``payload`` as a record: tag, length, CRC, payload."""
    return RECORD.pack(tag, len(payload), record_crc(tag, payload)) + payload


def encode_footer(index_offset: int, file_size: int) -> bytes:
    """The 32-byte footer of a file of ``file_size`` bytes (footer included)."""
    head = _FOOTER_CRC_PART.pack(index_offset, file_size, FORMAT_VERSION)
    return FOOTER.pack(index_offset, file_size, FORMAT_VERSION, zlib.crc32(head), END_MAGIC)


@dataclass(frozen=True, slots=True)
class Footer:
    """Decoded footer; ``crc_ok`` is False when its CRC does not match."""

    index_offset: int
    file_size: int
    version: int
    end_magic: bytes
    crc_ok: bool


def decode_footer(data: bytes) -> Footer:
    """Decode the last ``FOOTER.size`` bytes of a file."""
    index_offset, file_size, version, crc, end = FOOTER.unpack(data)
    head = _FOOTER_CRC_PART.pack(index_offset, file_size, version)
    return Footer(index_offset, file_size, version, end, zlib.crc32(head) == crc)


# --- index ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Index:
    """Where everything is: section offsets, the chunk table and every frame time (s)."""

    events_offset: int
    agents_offset: int
    summary_offset: int
    chunks: npt.NDArray[np.void]
    times: npt.NDArray[np.float64]


def encode_index(
    events_offset: int,
    agents_offset: int,
    summary_offset: int,
    chunks: npt.NDArray[np.void],
    times: npt.NDArray[np.float64],
) -> bytes:
    """Encode the INDX payload (``chunks`` has dtype :data:`CHUNK_ENTRY`)."""
    head = INDEX_HEAD.pack(events_offset, agents_offset, summary_offset, len(chunks), len(times))
    table = np.ascontiguousarray(chunks, dtype=CHUNK_ENTRY).tobytes()
    return head + table + np.ascontiguousarray(times, dtype=F64).tobytes()


def decode_index(payload: bytes) -> Index:
    """Decode and sanity-check the INDX payload.

    Raises:
        ValueError: when the payload's sizes or contents are inconsistent.
    """
    if len(payload) < INDEX_HEAD.size:
        raise ValueError(f"index is {len(payload)} bytes, shorter than its own header")
    events_off, agents_off, summary_off, n_chunks, n_frames = INDEX_HEAD.unpack_from(payload)
    expected = INDEX_HEAD.size + n_chunks * CHUNK_ENTRY.itemsize + n_frames * F64.itemsize
    if len(payload) != expected:
        raise ValueError(
            f"index is {len(payload)} bytes but its counts ({n_chunks} chunks, {n_frames} frames) "
            f"need {expected}"
        )
    start = INDEX_HEAD.size
    chunks = np.frombuffer(payload, dtype=CHUNK_ENTRY, count=n_chunks, offset=start)
    times = np.frombuffer(
        payload, dtype=F64, count=n_frames, offset=start + n_chunks * CHUNK_ENTRY.itemsize
    ).astype(np.float64, copy=False)
    if int(chunks["n_frames"].sum(dtype=np.uint64)) != n_frames:
        raise ValueError("index chunk table does not add up to its frame count")
    if n_chunks and np.any(chunks["n_frames"] == 0):
        raise ValueError("index lists an empty chunk")
    if n_frames and (not np.all(np.isfinite(times)) or np.any(np.diff(times) < 0)):
        raise ValueError("index frame times are not finite and non-decreasing")
    if n_chunks > 1 and np.any(np.diff(chunks["offset"].astype(np.int64)) <= 0):
        raise ValueError("index chunk offsets are not increasing")
    return Index(events_off, agents_off, summary_off, chunks.copy(), times)


# --- chunks -----------------------------------------------------------------------------------


def _shuffle(array: npt.NDArray[Any]) -> bytes:
    """Byte-shuffle a little-endian array: all first bytes, then all second bytes ..."""
    width = array.dtype.itemsize
    return np.frombuffer(array.tobytes(), dtype=np.uint8).reshape(-1, width).T.tobytes()


def _unshuffle(data: bytes, dtype: np.dtype[Any], count: int) -> npt.NDArray[Any]:
    """Invert :func:`_shuffle` for ``count`` elements of ``dtype``."""
    width = dtype.itemsize
    raw = np.frombuffer(data, dtype=np.uint8, count=count * width).reshape(width, count)
    return np.ascontiguousarray(raw.T).view(dtype).reshape(count)


def encode_chunk(
    times: Sequence[float],
    counts: Sequence[int],
    ids: npt.NDArray[np.int32],
    values: npt.NDArray[np.float32],
    status: npt.NDArray[np.int8],
) -> bytes:
    """Encode and compress one chunk (the CHNK payload).

    Args:
        times: frame times (s), one per frame.
        counts: rows (agent states) per frame.
        ids: agent indices of all rows, frame after frame, shape (R,).
        values: field values of all rows, shape (R, F).
        status: status codes of all rows, shape (R,).
    """
    n_rows, n_fields = values.shape
    parts = [
        CHUNK_HEAD.pack(len(times), n_fields, n_rows),
        np.asarray(times, dtype=F64).tobytes(),
        np.asarray(counts, dtype=U32).tobytes(),
        _shuffle(np.asarray(ids, dtype=I32)),
        _shuffle(np.ascontiguousarray(np.asarray(values, dtype=F32).T).reshape(-1)),
        np.asarray(status, dtype=I8).tobytes(),
    ]
    return zlib.compress(b"".join(parts), ZLIB_LEVEL)


@dataclass(frozen=True, slots=True)
class Chunk:
    """A decoded chunk; frame ``i`` of it is rows ``starts[i]:starts[i + 1]``.

    All arrays are read-only (they are shared through the reader's cache).
    """

    times: npt.NDArray[np.float64]
    starts: npt.NDArray[np.int64]
    ids: npt.NDArray[np.int32]
    values: npt.NDArray[np.float32]
    status: npt.NDArray[np.int8]


def decode_chunk(compressed: bytes, n_fields: int) -> Chunk:
    """Decompress and decode a CHNK payload.

    Raises:
        zlib.error: when the data does not decompress.
        ValueError: when the decoded sizes are inconsistent.
    """
    data = zlib.decompress(compressed)
    if len(data) < CHUNK_HEAD.size:
        raise ValueError("chunk is shorter than its header")
    n_frames, fields_in_chunk, n_rows = CHUNK_HEAD.unpack_from(data)
    if fields_in_chunk != n_fields:
        raise ValueError(f"chunk has {fields_in_chunk} fields, the header lists {n_fields}")
    expected = CHUNK_HEAD.size + n_frames * (8 + 4) + n_rows * (4 + 4 * n_fields + 1)
    if len(data) != expected:
        raise ValueError(f"chunk decodes to {len(data)} bytes, its counts need {expected}")
    pos = CHUNK_HEAD.size
    times = np.frombuffer(data, dtype=F64, count=n_frames, offset=pos).astype(
        np.float64, copy=False
    )
    pos += 8 * n_frames
    counts = np.frombuffer(data, dtype=U32, count=n_frames, offset=pos)
    pos += 4 * n_frames
    starts = np.zeros(n_frames + 1, dtype=np.int64)
    np.cumsum(counts, out=starts[1:])
    if starts[-1] != n_rows:
        raise ValueError(f"chunk rows per frame add up to {starts[-1]}, not {n_rows}")
    ids = _unshuffle(data[pos : pos + 4 * n_rows], I32, n_rows).astype(np.int32, copy=False)
    pos += 4 * n_rows
    columns = _unshuffle(data[pos : pos + 4 * n_rows * n_fields], F32, n_rows * n_fields)
    values = np.ascontiguousarray(columns.reshape(n_fields, n_rows).T).astype(
        np.float32, copy=False
    )
    pos += 4 * n_rows * n_fields
    status = np.frombuffer(data, dtype=I8, count=n_rows, offset=pos).astype(np.int8, copy=False)
    for array in (times, starts, ids, values, status):
        array.flags.writeable = False
    return Chunk(times, starts, ids, values, status)


def is_finite(value: Any) -> bool:
    """True for a finite real number (bools are not numbers here)."""
    return (
        isinstance(value, int | float | np.integer | np.floating)
        and not isinstance(value, bool)
        and math.isfinite(value)
    )
