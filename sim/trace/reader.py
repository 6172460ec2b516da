"""Random access to a trace file by frame number or time (layout in :mod:`sim.trace.format`).

Opening reads the footer, the index, the header, the events, the agent table and the summary;
frames stay on disk. A frame is read by decoding only the chunk that holds it, and the last few
decoded chunks are cached, so replaying a trace larger than memory, forwards or backwards,
stays smooth. Every problem with the file is reported as :class:`~sim.trace.errors.TraceError`.
"""

from __future__ import annotations

import bisect
import zlib
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

import numpy as np
import numpy.typing as npt

from sim.trace.errors import TraceError
from sim.trace.format import (
    END_MAGIC,
    FOOTER,
    FORMAT_VERSION,
    MAGIC,
    PREAMBLE,
    RECORD,
    TAG_AGENTS,
    TAG_CHUNK,
    TAG_EVENTS,
    TAG_HEADER,
    TAG_INDEX,
    TAG_SUMMARY,
    Chunk,
    Index,
    decode_chunk,
    decode_footer,
    decode_index,
    is_finite,
    loads_json,
    record_crc,
)
from sim.trace.frame import Frame

_INTERRUPTED = "the run that wrote it was probably interrupted"


class TraceReader:
    """Reads a trace written by :class:`~sim.trace.writer.TraceWriter`.

    Use it as a context manager (or call :meth:`close`) to release the open file::

        with TraceReader(path) as trace:
            frame = trace.frame_at(90.0)
            xs = frame.field("x")
    """

    def __init__(self, path: Path | str, cache_chunks: int = 8) -> None:
        """Open ``path`` and read everything but the frames.

        Args:
            path: the trace file.
            cache_chunks: how many decoded chunks to keep in memory (at least 1).

        Raises:
            TraceError: when the file cannot be opened, is not a trace, has an unsupported
                format version, is truncated, or has a corrupt section.
        """
        if cache_chunks < 1:
            raise ValueError(f"cache_chunks must be at least 1, got {cache_chunks!r}")
        self._path = Path(path)
        self._cache_size = cache_chunks
        self._cache: OrderedDict[int, Chunk] = OrderedDict()
        self._decoded = 0
        try:
            self._file: BinaryIO | None = open(self._path, "rb")  # noqa: SIM115 - see close()
        except OSError as exc:
            raise TraceError(self._path, f"cannot open the file: {exc.strerror or exc}") from None
        try:
            self._open()
        except BaseException:
            self.close()
            raise

    # --- opening --------------------------------------------------------------------------

    def _error(self, message: str) -> TraceError:
        return TraceError(self._path, message)

    def _read_at(self, offset: int, size: int) -> bytes:
        """Read exactly ``size`` bytes at ``offset`` or raise TraceError."""
        file = self._require_file()
        try:
            file.seek(offset)
            data = file.read(size)
        except OSError as exc:
            raise self._error(f"cannot read the file: {exc.strerror or exc}") from None
        if len(data) != size:
            raise self._error(f"unexpected end of file at byte {offset + len(data)}")
        return data

    def _open(self) -> None:
        file = self._require_file()
        file.seek(0, 2)
        size = file.tell()
        self._size = size
        if size == 0:
            raise self._error(f"the file is empty: not a trace, or {_INTERRUPTED} at once")
        head = self._read_at(0, min(size, PREAMBLE.size))
        if head[: len(MAGIC)] != MAGIC[: len(head)]:
            raise self._error("not a testzone trace file (it does not start with the magic bytes)")
        if size < PREAMBLE.size:
            raise self._error(f"the file is truncated ({size} bytes); {_INTERRUPTED}")
        _, version = PREAMBLE.unpack(head)
        if version != FORMAT_VERSION:
            newer = " (written by a newer testzone)" if version > FORMAT_VERSION else ""
            raise self._error(
                f"unsupported trace format version {version}{newer}; "
                f"this testzone reads version {FORMAT_VERSION}"
            )
        if size < PREAMBLE.size + FOOTER.size:
            raise self._error(f"the file is truncated ({size} bytes); {_INTERRUPTED}")
        footer = decode_footer(self._read_at(size - FOOTER.size, FOOTER.size))
        if footer.end_magic != END_MAGIC:
            raise self._error(
                f"the file is truncated: it has no end marker ({size} bytes); {_INTERRUPTED}"
            )
        if not footer.crc_ok or footer.version != FORMAT_VERSION:
            raise self._error("the footer is corrupt (CRC mismatch)")
        if footer.file_size != size:
            raise self._error(
                f"the file is {size} bytes but its footer records {footer.file_size}: "
                "it was truncated or extended after writing"
            )
        data_end = size - FOOTER.size
        index_payload = self._read_record(footer.index_offset, TAG_INDEX, "the index", data_end)
        try:
            index = decode_index(index_payload)
        except ValueError as exc:
            raise self._error(f"the index is corrupt: {exc}") from None
        self._index: Index = index
        self._data_end = min(index.events_offset, index.agents_offset, index.summary_offset)

        header = self._read_json(PREAMBLE.size, TAG_HEADER, "the header", data_end)
        if not isinstance(header, dict):
            raise self._error("the header is corrupt: not a JSON object")
        fields = header.get("fields")
        if (
            not isinstance(fields, list)
            or not fields
            or not all(isinstance(f, str) and f for f in fields)
            or len(set(fields)) != len(fields)
        ):
            raise self._error("the header is corrupt: 'fields' is not a list of names")
        self._header: dict[str, Any] = header
        self._fields: tuple[str, ...] = tuple(fields)

        events = self._read_json(index.events_offset, TAG_EVENTS, "the events section", data_end)
        if not isinstance(events, list) or not all(
            isinstance(e, dict) and is_finite(e.get("t")) and isinstance(e.get("kind"), str)
            for e in events
        ):
            raise self._error("the events section is corrupt: not a list of events with t, kind")
        self._events: list[dict[str, Any]] = sorted(events, key=lambda e: float(e["t"]))
        self._event_times = [float(e["t"]) for e in self._events]

        agents = self._read_json(index.agents_offset, TAG_AGENTS, "the agent table", data_end)
        if not isinstance(agents, list) or not all(
            isinstance(a, dict) and isinstance(a.get("index"), int) and isinstance(a.get("id"), str)
            for a in agents
        ):
            raise self._error("the agent table is corrupt: not a list of agents with index, id")
        self._agents: list[dict[str, Any]] = agents

        summary = self._read_json(index.summary_offset, TAG_SUMMARY, "the summary", data_end)
        if summary is not None and not isinstance(summary, dict):
            raise self._error("the summary is corrupt: not a JSON object or null")
        self._summary: dict[str, Any] | None = summary

        self._first_frame = np.zeros(len(index.chunks) + 1, dtype=np.int64)
        np.cumsum(index.chunks["n_frames"], out=self._first_frame[1:])
        offsets = index.chunks["offset"]
        if len(offsets) and (int(offsets[0]) < PREAMBLE.size or int(offsets[-1]) >= self._data_end):
            raise self._error("the index is corrupt: chunk offsets lie outside the frame data")

    def _read_record(self, offset: int, tag: bytes, what: str, limit: int) -> bytes:
        """Read and check the record at ``offset`` ending at or before ``limit``."""
        if offset < PREAMBLE.size or offset + RECORD.size > limit:
            raise self._error(f"{what} is corrupt: its offset {offset} is out of range")
        found, length, crc = RECORD.unpack(self._read_at(offset, RECORD.size))
        if found != tag:
            raise self._error(
                f"{what} is corrupt: expected tag {tag!r} at byte {offset}, found {found!r}"
            )
        if offset + RECORD.size + length > limit:
            raise self._error(f"{what} is corrupt: its length runs past its end")
        payload = self._read_at(offset + RECORD.size, length)
        if record_crc(tag, payload) != crc:
            raise self._error(f"{what} is corrupt (CRC mismatch)")
        return payload

    def _read_json(self, offset: int, tag: bytes, what: str, limit: int) -> Any:
        payload = self._read_record(offset, tag, what, limit)
        try:
            return loads_json(payload)
        except (ValueError, RecursionError) as exc:
            raise self._error(f"{what} is corrupt: invalid JSON ({exc})") from None

    # --- context manager ------------------------------------------------------------------

    def __enter__(self) -> Self:
        """Return the reader itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the file."""
        self.close()

    def close(self) -> None:
        """Close the file and drop cached chunks; calling it again does nothing."""
        if self._file is not None:
            self._file.close()
            self._file = None
        self._cache.clear()

    def _require_file(self) -> BinaryIO:
        if self._file is None:
            raise ValueError(f"trace reader for {self._path} is closed")
        return self._file

    # --- metadata -------------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The trace file."""
        return self._path

    @property
    def header(self) -> dict[str, Any]:
        """The header: format and software version, scenario hash, seed, dt (s) ..."""
        return self._header

    @property
    def fields(self) -> tuple[str, ...]:
        """Names of the value columns of every frame."""
        return self._fields

    @property
    def agents(self) -> list[dict[str, Any]]:
        """The agent table sorted by index.

        Each row has index, id, kind, vehicle_type, permit, length (m), width (m) and any extra
        attributes the engine gave.
        """
        return self._agents

    @property
    def events(self) -> list[dict[str, Any]]:
        """All events sorted by time ``t`` (s); each has ``t``, ``kind``, ``agent`` and data."""
        return self._events

    @property
    def summary(self) -> dict[str, Any] | None:
        """The run summary, or None when the run was closed without one."""
        return self._summary

    @property
    def times(self) -> npt.NDArray[np.float64]:
        """Times (s) of all frames, non-decreasing (read-only)."""
        return self._index.times

    @property
    def n_frames(self) -> int:
        """Number of frames."""
        return len(self._index.times)

    @property
    def n_chunks(self) -> int:
        """Number of chunks the frames are stored in."""
        return len(self._index.chunks)

    @property
    def chunks_decoded(self) -> int:
        """How many times a chunk was decompressed (cache misses) since opening."""
        return self._decoded

    # --- frames ---------------------------------------------------------------------------

    def frame(self, i: int) -> Frame:
        """Frame number ``i`` (negative counts from the end, like a list index).

        Raises:
            IndexError: when ``i`` is out of range (a caller error, not a file problem).
            TraceError: when the chunk holding the frame is corrupt.
        """
        n = self.n_frames
        if isinstance(i, bool) or not isinstance(i, int | np.integer):
            raise TypeError(f"frame number must be an integer, got {type(i).__name__}")
        i = int(i)
        if not -n <= i < n:
            raise IndexError(f"frame {i} is out of range; the trace has {n} frames")
        if i < 0:
            i += n
        k = int(np.searchsorted(self._first_frame, i, side="right")) - 1
        chunk = self._chunk(k)
        j = i - int(self._first_frame[k])
        a, b = int(chunk.starts[j]), int(chunk.starts[j + 1])
        return Frame(
            index=i,
            t=float(chunk.times[j]),
            ids=chunk.ids[a:b],
            values=chunk.values[a:b],
            status=chunk.status[a:b],
            fields=self._fields,
        )

    def index_at(self, t: float) -> int:
        """Number of the last frame with time <= ``t`` (s); 0 if ``t`` is before the first.

        Raises:
            IndexError: when the trace has no frames.
            ValueError: when ``t`` is NaN.
        """
        if self.n_frames == 0:
            raise IndexError("the trace has no frames")
        if t != t:
            raise ValueError("time must not be NaN")
        return max(int(np.searchsorted(self._index.times, t, side="right")) - 1, 0)

    def frame_at(self, t: float) -> Frame:
        """The last frame with time <= ``t`` (s); the first frame if ``t`` is before it.

        Raises:
            IndexError: when the trace has no frames.
            TraceError: when the chunk holding the frame is corrupt.
        """
        return self.frame(self.index_at(t))

    def frames(self, t0: float | None = None, t1: float | None = None) -> Iterator[Frame]:
        """Frames with ``t0 <= t <= t1`` (s) in order; a None bound is open."""
        times = self._index.times
        first = 0 if t0 is None else int(np.searchsorted(times, t0, side="left"))
        stop = len(times) if t1 is None else int(np.searchsorted(times, t1, side="right"))
        for i in range(first, stop):
            yield self.frame(i)

    def events_between(self, t0: float, t1: float) -> list[dict[str, Any]]:
        """Events with ``t0 <= t < t1`` (s), in time order.

        The interval is half-open so that consecutive windows (frame to frame in a replay)
        see every event exactly once.
        """
        first = bisect.bisect_left(self._event_times, t0)
        stop = bisect.bisect_left(self._event_times, t1)
        return self._events[first:stop]

    def verify(self) -> None:
        """Decode every chunk once to check it (cache untouched).

        Raises:
            TraceError: for the first corrupt chunk.
        """
        for k in range(self.n_chunks):
            self._decode(k)

    # --- chunks ---------------------------------------------------------------------------

    def _chunk(self, k: int) -> Chunk:
        """Chunk ``k``, from the cache or decoded (least recently used one evicted)."""
        chunk = self._cache.get(k)
        if chunk is not None:
            self._cache.move_to_end(k)
            return chunk
        chunk = self._decode(k)
        self._cache[k] = chunk
        if len(self._cache) > self._cache_size:
            self._cache.popitem(last=False)
        return chunk

    def _decode(self, k: int) -> Chunk:
        entry = self._index.chunks[k]
        n = int(entry["n_frames"])
        first = int(self._first_frame[k])
        where = (
            f"chunk {k} (frames {first}..{first + n - 1}, "
            f"t = {float(entry['t_first']):g} s .. {float(entry['t_last']):g} s)"
        )
        limit = (
            int(self._index.chunks[k + 1]["offset"]) if k + 1 < self.n_chunks else self._data_end
        )
        self._decoded += 1
        payload = self._read_record(int(entry["offset"]), TAG_CHUNK, where, limit)
        try:
            chunk = decode_chunk(payload, len(self._fields))
        except (zlib.error, ValueError) as exc:
            raise self._error(f"{where} is corrupt: {exc}") from None
        expected = self._index.times[first : first + n]
        if len(chunk.times) != n or not np.array_equal(chunk.times, expected):
            raise self._error(f"{where} is corrupt: its frame times differ from the index")
        return chunk
