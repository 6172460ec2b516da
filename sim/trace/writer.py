"""Streamed, chunked, atomic writing of a trace file (layout in :mod:`sim.trace.format`).

Frames are buffered until ``chunk_frames`` of them are collected, then compressed and written,
so memory stays bounded however long the run. Events and agents are small and are kept until
:meth:`TraceWriter.close`. The file is written as ``<name>.part`` next to the target and renamed
into place only when complete; if the run fails, the partial file is removed.
"""

from __future__ import annotations

import datetime as dt
import os
from array import array
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, BinaryIO, Self

import numpy as np
import numpy.typing as npt

from sim import __version__
from sim.trace.format import (
    CHUNK_ENTRY,
    FOOTER,
    FORMAT_VERSION,
    MAGIC,
    PREAMBLE,
    TAG_AGENTS,
    TAG_CHUNK,
    TAG_EVENTS,
    TAG_HEADER,
    TAG_INDEX,
    TAG_SUMMARY,
    dumps_json,
    encode_chunk,
    encode_footer,
    encode_index,
    encode_record,
    is_finite,
)
from sim.trace.frame import DEFAULT_FIELDS

RESERVED_HEADER_KEYS = ("format_version", "software_version", "fields")
"""Header keys the writer fills in itself."""
REQUIRED_HEADER_KEYS = ("scenario_hash", "seed", "dt", "record_every", "start")
"""Header keys the engine must pass (DESIGN.md: a trace records the scenario hash and seed)."""
PART_SUFFIX = ".part"
"""Suffix of the temporary file written next to the target."""


def part_path(path: Path) -> Path:
    """The temporary file a trace is written to before it is renamed to ``path``."""
    return path.with_name(path.name + PART_SUFFIX)


def _check_header(header: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` unless the engine's header has the required keys and types."""
    if not isinstance(header, Mapping):
        raise ValueError(f"header must be a mapping, got {type(header).__name__}")
    reserved = sorted(k for k in RESERVED_HEADER_KEYS if k in header)
    if reserved:
        raise ValueError(f"header keys {reserved} are filled in by the trace writer; remove them")
    missing = [k for k in REQUIRED_HEADER_KEYS if k not in header]
    if missing:
        raise ValueError(f"header lacks required keys {missing}")
    if not isinstance(header["scenario_hash"], str) or not header["scenario_hash"]:
        raise ValueError("header 'scenario_hash' must be a non-empty string")
    seed = header["seed"]
    if not isinstance(seed, int | np.integer) or isinstance(seed, bool) or seed < 0:
        raise ValueError(f"header 'seed' must be a non-negative integer, got {seed!r}")
    if not is_finite(header["dt"]) or header["dt"] <= 0:
        raise ValueError(f"header 'dt' must be a positive number of seconds, got {header['dt']!r}")
    every = header["record_every"]
    if not isinstance(every, int | np.integer) or isinstance(every, bool) or every < 1:
        raise ValueError(f"header 'record_every' must be a positive integer, got {every!r}")
    start = header["start"]
    try:
        parsed = dt.datetime.fromisoformat(start) if isinstance(start, str) else None
    except ValueError:
        parsed = None
    if parsed is None or parsed.utcoffset() is None:
        raise ValueError(
            f"header 'start' must be an ISO 8601 date-time string with offset, got {start!r}"
        )


def _check_fields(fields: Sequence[str]) -> tuple[str, ...]:
    """Return ``fields`` as a tuple, or raise ``ValueError`` if empty, duplicated or not str."""
    if isinstance(fields, str):
        raise ValueError("fields must be a sequence of names, not a single string")
    names = tuple(fields)
    if not names:
        raise ValueError("fields must name at least one value column")
    for name in names:
        if not isinstance(name, str) or not name:
            raise ValueError(f"field names must be non-empty strings, got {name!r}")
    if len(set(names)) != len(names):
        raise ValueError(f"field names must be unique, got {list(names)}")
    return names


class TraceWriter:
    """Writes one run's trace: header, frames, events, agents and summary.

    Use it as a context manager; leaving the block normally closes the trace (without a summary
    unless :meth:`close` was called with one), leaving it by an exception removes the partial
    file::

        with TraceWriter(path, header) as trace:
            trace.add_agent(0, "icv-01", "car", "car", "P-ICV-001", 4.8, 1.9)
            trace.add_frame(0.0, ids, values, status)
            trace.add_event(12.5, "breach", "icv-01", zone="no-fly-airport")
            trace.close({"verdict": "passed"})

    The same calls in the same order give a byte-identical file.
    """

    def __init__(
        self,
        path: Path,
        header: Mapping[str, Any],
        fields: Sequence[str] = DEFAULT_FIELDS,
        chunk_frames: int = 64,
    ) -> None:
        """Validate the header and start writing ``<path>.part``.

        Args:
            path: the final trace file (conventionally ``*.tztrace``).
            header: run metadata; must contain ``scenario_hash`` (str), ``seed`` (int),
                ``dt`` (s), ``record_every`` (ticks) and ``start`` (ISO 8601 with offset);
                anything else JSON-serialisable is kept as given.
            fields: names of the value columns of every frame (default x, y, z in m,
                heading in rad, speed in m/s).
            chunk_frames: frames per compressed chunk; at most this many are held in memory.

        Raises:
            ValueError: for an invalid header, fields or chunk size.
            OSError: when the temporary file cannot be created.
        """
        self._fields = _check_fields(fields)
        if isinstance(chunk_frames, bool) or not isinstance(chunk_frames, int) or chunk_frames < 1:
            raise ValueError(f"chunk_frames must be a positive integer, got {chunk_frames!r}")
        _check_header(header)
        full_header = {
            **header,
            "format_version": FORMAT_VERSION,
            "software_version": __version__,
            "fields": list(self._fields),
        }
        header_json = dumps_json(full_header, "header")

        self._path = Path(path)
        self._part = part_path(self._path)
        self._chunk_frames = chunk_frames
        self._buffer: list[tuple[float, npt.NDArray[Any], npt.NDArray[Any], npt.NDArray[Any]]] = []
        self._max_buffered = 0
        self._times = array("d")
        self._chunk_table: list[tuple[int, int, int, float, float]] = []
        self._events: list[tuple[float, int, bytes]] = []
        self._agents: dict[int, bytes] = {}
        self._agent_ids: set[str] = set()
        self._closed = False
        self._file: BinaryIO | None = open(self._part, "wb")  # noqa: SIM115 - closed in close()
        try:
            self._write(PREAMBLE.pack(MAGIC, FORMAT_VERSION))
            self._write(encode_record(TAG_HEADER, header_json))
        except BaseException:
            self.abort()
            raise

    # --- context manager ------------------------------------------------------------------

    def __enter__(self) -> Self:
        """Return the writer itself."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Close the trace, or remove the partial file if the block raised."""
        if exc_type is not None:
            self.abort()
        else:
            self.close()

    # --- properties -----------------------------------------------------------------------

    @property
    def path(self) -> Path:
        """The final trace file."""
        return self._path

    @property
    def part_path(self) -> Path:
        """The temporary file being written."""
        return self._part

    @property
    def fields(self) -> tuple[str, ...]:
        """Names of the value columns."""
        return self._fields

    @property
    def chunk_frames(self) -> int:
        """Frames per chunk."""
        return self._chunk_frames

    @property
    def closed(self) -> bool:
        """True once the trace was closed or aborted."""
        return self._closed

    @property
    def n_frames(self) -> int:
        """Frames added so far."""
        return len(self._times)

    @property
    def buffered_frames(self) -> int:
        """Frames held in memory, not yet written as a chunk (always < ``chunk_frames``)."""
        return len(self._buffer)

    @property
    def max_buffered_frames(self) -> int:
        """The most frames ever held in memory at once (never more than ``chunk_frames``)."""
        return self._max_buffered

    @property
    def chunks_written(self) -> int:
        """Chunks written to the file so far."""
        return len(self._chunk_table)

    # --- adding data ----------------------------------------------------------------------

    def add_frame(
        self,
        t: float,
        ids: npt.NDArray[np.int32],
        values: npt.NDArray[np.float32],
        status: npt.NDArray[np.int8],
    ) -> None:
        """Record the states of ``n`` agents at time ``t``; the arrays are copied.

        Args:
            t: time (s) after the scenario's start; not before the previous frame's.
            ids: agent indices, int32, shape (n,), non-negative and unique.
            values: float32, shape (n, len(fields)), in the fields' units.
            status: status codes, int8, shape (n,).

        Raises:
            ValueError: for a time going backwards or arrays of the wrong dtype or shape.
        """
        self._check_open()
        if not is_finite(t):
            raise ValueError(f"frame time must be a finite number of seconds, got {t!r}")
        t = float(t)
        if self._times and t < self._times[-1]:
            raise ValueError(
                f"frame time {t!r} s is before the previous frame's {self._times[-1]!r} s"
            )
        ids, values, status = self._check_frame_arrays(ids, values, status)
        self._buffer.append((t, ids.copy(), values.copy(), status.copy()))
        self._times.append(t)
        self._max_buffered = max(self._max_buffered, len(self._buffer))
        if len(self._buffer) >= self._chunk_frames:
            self._flush_chunk()

    def _check_frame_arrays(
        self, ids: Any, values: Any, status: Any
    ) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.float32], npt.NDArray[np.int8]]:
        """Validate dtypes and shapes of one frame's arrays."""
        for name, given, dtype in (
            ("ids", ids, np.int32),
            ("values", values, np.float32),
            ("status", status, np.int8),
        ):
            if not isinstance(given, np.ndarray):
                raise ValueError(f"{name} must be a numpy array, got {type(given).__name__}")
            if given.dtype != dtype:
                raise ValueError(
                    f"{name} must have dtype {np.dtype(dtype).name}, got {given.dtype.name} "
                    f"(convert with .astype(np.{np.dtype(dtype).name}))"
                )
        if ids.ndim != 1:
            raise ValueError(f"ids must be 1-D, got shape {ids.shape}")
        n = ids.shape[0]
        if values.shape != (n, len(self._fields)):
            raise ValueError(
                f"values must have shape ({n}, {len(self._fields)}) for {n} ids and fields "
                f"{list(self._fields)}, got {values.shape}"
            )
        if status.shape != (n,):
            raise ValueError(f"status must have shape ({n},) for {n} ids, got {status.shape}")
        if n:
            if int(ids.min()) < 0:
                raise ValueError("ids must be non-negative agent indices")
            if not np.all(ids[1:] > ids[:-1]) and len(np.unique(ids)) != n:
                raise ValueError("ids must be unique within a frame")
        return ids, values, status

    def add_agent(
        self,
        index: int,
        agent_id: str,
        kind: str,
        vehicle_type: str,
        permit: str | None,
        length: float,
        width: float,
        **extra: Any,
    ) -> None:
        """Add an agent to the agent table (at the start or when background traffic spawns it).

        Args:
            index: the agent's index in frames' ``ids``; unique, non-negative.
            agent_id: the agent's identifier, e.g. ``"icv-01"``; unique.
            kind: the agent's kind, e.g. ``"car"``, ``"uav"``, ``"ship"``.
            vehicle_type: the vehicle type's id.
            permit: the permit's id, or None (background traffic).
            length: length (m), positive.
            width: width (m), positive (a ship's beam, a UAV's span).
            **extra: further JSON-serialisable attributes (e.g. ``spawned_at`` in s, ``flow``).

        Raises:
            ValueError: for a duplicate index or id, or invalid values.
        """
        self._check_open()
        if isinstance(index, bool) or not isinstance(index, int | np.integer) or index < 0:
            raise ValueError(f"agent index must be a non-negative integer, got {index!r}")
        index = int(index)
        if index in self._agents:
            raise ValueError(f"agent index {index} was already added")
        for name, text in (("agent_id", agent_id), ("kind", kind), ("vehicle_type", vehicle_type)):
            if not isinstance(text, str) or not text:
                raise ValueError(f"agent {name} must be a non-empty string, got {text!r}")
        if agent_id in self._agent_ids:
            raise ValueError(f"agent id {agent_id!r} was already added")
        if permit is not None and not isinstance(permit, str):
            raise ValueError(f"agent permit must be a string or None, got {permit!r}")
        for name, size in (("length", length), ("width", width)):
            if not is_finite(size) or size <= 0:
                raise ValueError(f"agent {name} must be a positive number of metres, got {size!r}")
        clash = sorted({"index", "id"} & extra.keys())
        if clash:
            raise ValueError(f"agent attributes {clash} clash with the table's own columns")
        row = {
            **extra,
            "index": index,
            "id": agent_id,
            "kind": kind,
            "vehicle_type": vehicle_type,
            "permit": permit,
            "length": float(length),
            "width": float(width),
        }
        self._agents[index] = dumps_json(row, f"agent {agent_id!r}")
        self._agent_ids.add(agent_id)

    def add_event(self, t: float, kind: str, agent: str | None = None, **data: Any) -> None:
        """Record an event (breach, arrival, scripted action, collision ...).

        Events may be added in any order; the file lists them sorted by time, ties in the order
        they were added.

        Args:
            t: time (s) after the scenario's start.
            kind: what happened, e.g. ``"breach"``.
            agent: the agent's id, if the event concerns one.
            **data: further JSON-serialisable details (zone id, position in m ...).

        Raises:
            ValueError: for a non-finite time, an empty kind or data that is not JSON.
        """
        self._check_open()
        if not is_finite(t):
            raise ValueError(f"event time must be a finite number of seconds, got {t!r}")
        if not isinstance(kind, str) or not kind:
            raise ValueError(f"event kind must be a non-empty string, got {kind!r}")
        if agent is not None and not isinstance(agent, str):
            raise ValueError(f"event agent must be an agent id string or None, got {agent!r}")
        row = {**data, "t": float(t), "kind": kind, "agent": agent}
        encoded = dumps_json(row, f"event {kind!r} at t={t!r} s")
        self._events.append((float(t), len(self._events), encoded))

    # --- closing --------------------------------------------------------------------------

    def close(self, summary: Mapping[str, Any] | None = None) -> None:
        """Write the remaining frames, events, agents, summary, index and footer; rename.

        Calling it again after the trace is closed does nothing.

        Args:
            summary: the run summary (JSON-serialisable mapping), or None.

        Raises:
            ValueError: when the summary is not a JSON-serialisable mapping; the writer stays
                open, so the caller may close again with a corrected summary (inside a
                ``with`` block the error aborts the trace like any other).
            OSError: when writing fails; the partial file is removed.
        """
        if self._closed:
            return
        if summary is not None and not isinstance(summary, Mapping):
            raise ValueError(f"summary must be a mapping or None, got {type(summary).__name__}")
        summary_json = dumps_json(summary, "summary")
        try:
            if self._buffer:
                self._flush_chunk()
            events = sorted(self._events, key=lambda e: (e[0], e[1]))
            events_offset = self._write(
                encode_record(TAG_EVENTS, b"[" + b",".join(e[2] for e in events) + b"]")
            )
            agents = [self._agents[i] for i in sorted(self._agents)]
            agents_offset = self._write(encode_record(TAG_AGENTS, b"[" + b",".join(agents) + b"]"))
            summary_offset = self._write(encode_record(TAG_SUMMARY, summary_json))
            table = np.array(self._chunk_table, dtype=CHUNK_ENTRY)
            times = np.frombuffer(self._times, dtype=np.float64)
            index = encode_index(events_offset, agents_offset, summary_offset, table, times)
            index_offset = self._write(encode_record(TAG_INDEX, index))
            file = self._require_file()
            size = file.tell() + FOOTER.size
            self._write(encode_footer(index_offset, size))
            file.flush()
            os.fsync(file.fileno())
            file.close()
            self._file = None
            os.replace(self._part, self._path)
            _fsync_directory(self._path.parent)
        except BaseException:
            self.abort()
            raise
        self._closed = True
        self._buffer.clear()
        self._events.clear()
        self._agents.clear()

    def abort(self) -> None:
        """Stop writing and remove the partial file (no effect once the trace is closed).

        A trace that was already at ``path`` before this writer started is left untouched.
        """
        if self._closed:
            return
        self._closed = True
        self._buffer.clear()
        if self._file is not None:
            try:
                self._file.close()
            finally:
                self._file = None
        self._part.unlink(missing_ok=True)

    # --- internals ------------------------------------------------------------------------

    def _check_open(self) -> None:
        if self._closed:
            raise ValueError(f"trace writer for {self._path} is closed")

    def _require_file(self) -> BinaryIO:
        if self._file is None:
            raise ValueError(f"trace writer for {self._path} is closed")
        return self._file

    def _write(self, data: bytes) -> int:
        """Append ``data``; return the file offset it starts at."""
        file = self._require_file()
        offset = file.tell()
        file.write(data)
        return offset

    def _flush_chunk(self) -> None:
        """Compress the buffered frames into one chunk record and write it."""
        frames = self._buffer
        times = [f[0] for f in frames]
        counts = [f[1].shape[0] for f in frames]
        ids = np.concatenate([f[1] for f in frames])
        values = np.concatenate([f[2] for f in frames]).reshape(-1, len(self._fields))
        status = np.concatenate([f[3] for f in frames])
        payload = encode_chunk(times, counts, ids, values, status)
        offset = self._write(encode_record(TAG_CHUNK, payload))
        self._chunk_table.append((offset, len(frames), 0, times[0], times[-1]))
        self._buffer = []


def _fsync_directory(directory: Path) -> None:
    """Make a rename durable on POSIX; a no-op where directories cannot be opened (Windows)."""
    if os.name != "posix":
        return
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return  # the rename has happened; only its durability across a power cut is at stake
    try:
        os.fsync(fd)
    except OSError:
        pass  # some file systems refuse fsync on a directory
    finally:
        os.close(fd)
