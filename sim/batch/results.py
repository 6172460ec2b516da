"""Durable results: Parquet parts written as runs finish, resumed, and combined into one file.

For ``-o results.parquet`` the batch writes finished runs to ``results.parquet.parts/``, each
part as ``part-NNNNN.parquet`` written under a temporary name, flushed to disk and renamed into
place: a part is there whole or not at all, whenever the batch is killed. ``--resume`` reads
the run ids of ``results.parquet`` and every part and skips those runs. At the end (and on
``testzone batch summarize``) the parts are combined — one row per run id, the latest winning —
into ``results.parquet`` (again written aside and renamed) and the parts are removed.

Columns (one row per run), in this order:

====================  ======================================================================
``run``               number of the run in the sweep (points in order, then replications)
``run_id``            16 hex digits: hash of the inputs, overrides, seed and ``until``
``point``             number of the parameter combination
``replication``       number of the replication (0-based)
``seed``              the run's seed
*parameters*          one column per parameter: its value in SI units (float), or as written
``params``            the overrides as written, JSON ``[[path, value], ...]``
``verdict``           ``pass``, ``fail`` (the run had violations) or ``error`` (it raised)
``error``             ``Type: message`` of the exception, else null
*metrics*             the sweep's metrics (``docs/batch.md``); null when the run raised
``sim_time``          simulated time (s)
``wall_time``         wall-clock time of the run in its worker (s); the only non-reproducible
``trace``             the trace file relative to the results file, or null
====================  ======================================================================

The file's schema metadata (key ``testzone``) records the sweep's name, its parameter and
metric columns and the software version, so the file explains itself.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from sim import __version__
from sim.batch.metrics import ColumnKind, metric_columns

RESULTS_FORMAT = 1
"""Version of the results layout (schema metadata ``format``)."""
META_KEY = b"testzone"
"""Schema metadata key of the results' description."""

_TYPES: dict[ColumnKind, pa.DataType] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "str": pa.string(),
    "bool": pa.bool_(),
}
_PART = re.compile(r"^part-(\d{5,})\.parquet$")


def results_schema(
    name: str,
    param_columns: Sequence[tuple[str, ColumnKind]],
    metrics: tuple[str, ...],
) -> pa.Schema:
    """The Parquet schema of a sweep's results (see the module docstring)."""
    fields = [
        pa.field("run", pa.int64()),
        pa.field("run_id", pa.string()),
        pa.field("point", pa.int64()),
        pa.field("replication", pa.int64()),
        pa.field("seed", pa.int64()),
        *(pa.field(c, _TYPES[k]) for c, k in param_columns),
        pa.field("params", pa.string()),
        pa.field("verdict", pa.string()),
        pa.field("error", pa.string()),
        *(pa.field(c, _TYPES[k]) for c, k in metric_columns(metrics)),
        pa.field("sim_time", pa.float64()),
        pa.field("wall_time", pa.float64()),
        pa.field("trace", pa.string()),
    ]
    meta = {
        "format": RESULTS_FORMAT,
        "sweep": name,
        "software": f"testzone {__version__}",
        "parameters": [c for c, _ in param_columns],
        "metrics": [c for c, _ in metric_columns(metrics)],
    }
    return pa.schema(fields, metadata={META_KEY: json.dumps(meta).encode()})


def describe(schema: pa.Schema) -> dict[str, Any]:
    """The ``testzone`` metadata of a results schema ({} for a file written elsewhere)."""
    raw = (schema.metadata or {}).get(META_KEY)
    if not raw:
        return {}
    try:
        meta = json.loads(raw)
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # e.g. Windows: directories cannot be opened
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_atomic(table: pa.Table, path: Path) -> None:
    """Write a Parquet file under a temporary name, flush it to disk and rename it into place."""
    tmp = path.with_name(f".{path.name}.tmp")
    pq.write_table(table, tmp)
    with open(tmp, "rb") as fh:
        os.fsync(fh.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


class ResultStore:
    """The results file of a batch, its parts folder and its traces folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.parts_dir = path.with_name(path.name + ".parts")
        self.traces_dir = path.with_name(path.stem + ".traces")
        self._next: int | None = None

    def parts(self) -> list[Path]:
        """The finished parts, in the order they were written."""
        if not self.parts_dir.is_dir():
            return []
        found = []
        for p in self.parts_dir.iterdir():
            m = _PART.match(p.name)
            if m:
                found.append((int(m.group(1)), p))
        return [p for _, p in sorted(found)]

    def exists(self) -> bool:
        """Whether there are results (a combined file or parts) already."""
        return self.path.exists() or bool(self.parts())

    def _sources(self) -> list[Path]:
        return ([self.path] if self.path.is_file() else []) + self.parts()

    def finished(self) -> dict[str, str | None]:
        """Run id -> error (None for runs that completed) of every run recorded so far."""
        out: dict[str, str | None] = {}
        for src in self._sources():
            t = pq.read_table(src, columns=["run_id", "error"])
            for rid, err in zip(
                t.column("run_id").to_pylist(), t.column("error").to_pylist(), strict=True
            ):
                out[rid] = err
        return out

    def write_part(self, rows: Iterable[Mapping[str, Any]], schema: pa.Schema) -> Path:
        """Write finished runs' rows as the next part (atomically); return its path."""
        self.parts_dir.mkdir(parents=True, exist_ok=True)
        if self._next is None:
            existing = [int(m.group(1)) for p in self.parts() if (m := _PART.match(p.name))]
            self._next = max(existing, default=-1) + 1
        table = pa.Table.from_pylist(
            [{k: v for k, v in r.items() if not k.startswith("_")} for r in rows], schema=schema
        )
        path = self.parts_dir / f"part-{self._next:05d}.parquet"
        self._next += 1
        write_atomic(table, path)
        return path

    def read(self) -> pa.Table | None:
        """Every recorded row, one per run id (the latest written wins), or None if none."""
        tables = [pq.read_table(src) for src in self._sources()]
        if not tables:
            return None
        table = pa.concat_tables(tables, promote_options="permissive")
        ids = table.column("run_id").to_pylist()
        seen: set[str] = set()
        keep: list[int] = []
        for i in range(len(ids) - 1, -1, -1):
            if ids[i] not in seen:
                seen.add(ids[i])
                keep.append(i)
        keep.reverse()
        return table.take(pa.array(keep, type=pa.int64()))

    def combine(
        self,
        schema: pa.Schema | None = None,
        order: Mapping[str, tuple[int, int, int]] | None = None,
    ) -> tuple[pa.Table | None, int]:
        """Combine the results file and the parts into the results file; remove the parts.

        Args:
            schema: the sweep's schema: columns are conformed to it (default: as found).
            order: run id -> (run, point, replication) of the current sweep; rows of other
                run ids are dropped and the numbering is taken from here (default: keep all).

        Returns:
            The combined table (rows sorted by ``run``) and the number of rows dropped.
        """
        table = self.read()
        if table is None:
            return None, 0
        dropped = 0
        if order is not None:
            ids = table.column("run_id").to_pylist()
            keep = [i for i, rid in enumerate(ids) if rid in order]
            dropped = len(ids) - len(keep)
            table = table.take(pa.array(keep, type=pa.int64()))
            ids = table.column("run_id").to_pylist()
            for k, name in enumerate(("run", "point", "replication")):
                col = pa.array([order[rid][k] for rid in ids], type=pa.int64())
                table = table.set_column(table.schema.get_field_index(name), name, col)
        if schema is not None:
            table = _conform(table, schema)
        runs = table.column("run").to_pylist()
        idx = sorted(range(len(runs)), key=lambda i: (runs[i] is None, runs[i]))
        table = table.take(pa.array(idx, type=pa.int64()))
        if schema is None:
            newest = pq.read_schema(self._sources()[-1])
            table = table.replace_schema_metadata(newest.metadata)
        write_atomic(table, self.path)
        for p in self.parts():
            p.unlink()
        with contextlib.suppress(OSError):  # something else lives there: leave it
            self.parts_dir.rmdir()
        return table, dropped

    def clear(self) -> None:
        """Remove the results file, its parts and its traces (before a fresh batch)."""
        self.path.unlink(missing_ok=True)
        for p in self.parts():
            p.unlink()
        if self.parts_dir.is_dir():
            for p in self.parts_dir.glob(".part-*.tmp"):
                p.unlink()
        if self.traces_dir.is_dir():
            for p in self.traces_dir.glob("*.tztrace"):
                p.unlink()


def _conform(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """The table with exactly the schema's columns, in its order and types (missing: null)."""
    cols = []
    for f in schema:
        if f.name in table.column_names:
            col = table.column(f.name)
            try:
                col = col.cast(f.type)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                col = pa.nulls(len(table), f.type)
        else:
            col = pa.nulls(len(table), f.type)
        cols.append(col)
    return pa.Table.from_arrays(cols, schema=schema)
