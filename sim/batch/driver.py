"""A batch from plan to results: skip what is done, run the rest, write parts, combine.

A finished row is written at once when the last part is older than
:attr:`BatchOptions.flush_seconds`; otherwise it waits, at most that long (the executors yield a
heartbeat when nothing finishes) or until :attr:`BatchOptions.flush_rows` rows are waiting, and
goes out with them as one Parquet part. A killed batch loses at most that much work;
``--resume`` runs it again. The parent never runs simulations
itself (except with one worker, in process): it hands out tasks, writes parts and draws the
progress bar.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from sim.batch.executors import Executor, SerialExecutor
from sim.batch.results import ResultStore, results_schema
from sim.batch.sweep import Plan, RunSpec, canonical_json
from sim.batch.tasks import Runner, Task, warm


@dataclass(frozen=True)
class BatchOptions:
    """How a batch runs (besides where: the executor)."""

    output: Path
    """The results file (``.parquet``)."""
    resume: bool = False
    """Continue: skip the runs already recorded next to ``output``."""
    retry_errors: bool = False
    """With ``resume``: run again the runs recorded with an error."""
    flush_seconds: float = 1.0
    """Longest time (s) a finished row waits in memory before it is written as a part."""
    flush_rows: int = 64
    """Most rows buffered before a part is written."""
    warm: bool = True
    """Fill numba's compile cache in the parent before workers start."""


@dataclass
class BatchReport:
    """What a batch did."""

    total: int
    """Runs in the sweep."""
    skipped: int
    """Runs already recorded (``--resume``)."""
    ran: int = 0
    """Runs executed now."""
    errors: int = 0
    """Runs executed now that raised."""
    failed: int = 0
    """Runs executed now with violations (verdict ``fail``)."""
    wall_time: float = 0.0
    """Wall-clock time of the batch (s), warm-up included."""
    warm_time: float = 0.0
    """Wall-clock time (s) of the parent's warm-up run."""
    run_wall: float = 0.0
    """Sum of the executed runs' wall times in their workers (s)."""
    run_cpu: float = 0.0
    """Sum of the executed runs' CPU times in their workers (s); below ``run_wall`` when the
    workers had to wait for a core (other processes on the machine)."""
    first_row_at: float | None = None
    """Wall-clock time (s) from the start of the batch to the first finished run."""
    first_in_worker: list[float] = field(default_factory=list)
    """Wall time (s) of each worker process's first run (no recompiling: close to the rest)."""
    later_in_worker: list[float] = field(default_factory=list)
    """Wall time (s) of the other runs."""
    table: pa.Table | None = None
    """The combined results (None when interrupted)."""
    dropped: int = 0
    """Rows of runs no longer in the sweep, left out of the combined file."""
    results_errors: int = 0
    """Rows with verdict ``error`` in the combined results."""
    interrupted: bool = False


def prepare(plan: Plan, store: ResultStore, opts: BatchOptions) -> tuple[list[RunSpec], int]:
    """The runs still to do and the number skipped as already recorded."""
    if not opts.resume:
        return list(plan.runs), 0
    done = store.finished()
    skip = {rid for rid, err in done.items() if err is None or not opts.retry_errors}
    todo = [r for r in plan.runs if r.run_id not in skip]
    return todo, len(plan.runs) - len(todo)


def make_tasks(plan: Plan, todo: list[RunSpec], store: ResultStore) -> Iterator[Task]:
    """The tasks of ``todo``, built one at a time (scenarios are cached per point)."""
    sw = plan.sweep
    base = store.path.resolve().parent
    for spec in todo:
        pt = plan.points[spec.point]
        trace = trace_rel = None
        if sw.keep_traces:
            tp = (store.traces_dir / f"{spec.run_id}.tztrace").resolve()
            trace, trace_rel = str(tp), os.path.relpath(tp, base)
        yield Task(
            spec=spec,
            bundle=plan.bundle(spec.point),
            columns=dict(pt.columns),
            params=canonical_json([list(o) for o in pt.overrides]),
            until=sw.until,
            record_every=sw.record_every,
            metrics=plan.metrics,
            trace=trace,
            trace_rel=trace_rel,
        )


def run_batch(
    plan: Plan,
    executor: Executor,
    runner: Runner,
    opts: BatchOptions,
    on_start: Callable[[int, int], None] | None = None,
    on_row: Callable[[dict[str, Any]], None] | None = None,
) -> BatchReport:
    """Run a sweep's outstanding runs on ``executor``; write parts; combine the results.

    Args:
        plan: the validated sweep.
        executor: where the runs execute (not yet started).
        runner: the simulation function (:data:`sim.batch.tasks.Runner`).
        opts: output file, resume, flushing.
        on_start: called with (runs to do, runs skipped) once the work is known.
        on_row: called with each finished run's row.

    Raises:
        KeyboardInterrupt: after writing the rows that had finished.
    """
    t0 = time.perf_counter()
    store = ResultStore(opts.output)
    schema = results_schema(plan.name, plan.param_columns, plan.metrics)
    todo, skipped = prepare(plan, store, opts)
    report = BatchReport(total=len(plan.runs), skipped=skipped)
    if on_start is not None:
        on_start(len(todo), skipped)
    if plan.sweep.keep_traces:
        store.traces_dir.mkdir(parents=True, exist_ok=True)
    buffer: list[dict[str, Any]] = []
    last_flush = oldest = time.monotonic()
    seen_pids: set[int] = set()
    try:
        if todo:
            warm_task = next(make_tasks(plan, todo[:1], store))
            executor.prestart()
            if opts.warm and not isinstance(executor, SerialExecutor):
                w0 = time.perf_counter()
                warm(warm_task.bundle, runner, warm_task.until)
                report.warm_time = time.perf_counter() - w0
            executor.start(warm_task)
            for row in executor.run(make_tasks(plan, todo, store)):
                now = time.monotonic()
                if row is None:  # a heartbeat: write rows that have waited long enough
                    if buffer and now - oldest >= opts.flush_seconds:
                        store.write_part(buffer, schema)
                        buffer.clear()
                        last_flush = now
                    continue
                if report.first_row_at is None:
                    report.first_row_at = time.perf_counter() - t0
                report.ran += 1
                report.errors += row.get("verdict") == "error"
                report.failed += row.get("verdict") == "fail"
                wall = row.get("wall_time")
                if wall is not None:
                    report.run_wall += wall
                    report.run_cpu += row.get("_cpu") or 0.0
                    pid = row.get("_pid")
                    if pid is not None and pid not in seen_pids:
                        seen_pids.add(pid)
                        report.first_in_worker.append(wall)
                    else:
                        report.later_in_worker.append(wall)
                if not buffer:
                    oldest = now
                buffer.append(row)
                if on_row is not None:
                    on_row(row)
                if len(buffer) >= opts.flush_rows or now - last_flush >= opts.flush_seconds:
                    store.write_part(buffer, schema)
                    buffer.clear()
                    last_flush = now
    except KeyboardInterrupt:
        report.interrupted = True
        raise
    finally:
        if buffer:
            store.write_part(buffer, schema)
            buffer.clear()
        executor.close(abort=report.interrupted)
        report.wall_time = time.perf_counter() - t0
    order = {r.run_id: (r.run, r.point, r.replication) for r in plan.runs}
    table, dropped = store.combine(schema, order)
    report.table = table
    report.dropped = dropped
    if table is not None:
        report.results_errors = sum(v == "error" for v in table.column("verdict").to_pylist())
    report.wall_time = time.perf_counter() - t0
    return report
