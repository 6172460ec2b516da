"""One run of a sweep, as executed in a worker: a task in, a row of results out.

A :class:`Task` carries everything a worker needs — the validated scenario of its point, the
seed, the settings and where to write the trace — so workers read no user files. The
simulation itself is done by a *runner* with the signature of
:func:`sim.commands.run.simulate` (``runner(bundle, trace_path, seed=, until=,
record_every=) -> (Simulation, RunResult)``); the command passes that function in, and it
travels to the workers by reference.

A run that raises becomes a row with ``verdict = "error"`` and the exception's type and
message in ``error``; the batch goes on. A run that ends with violations is not an error: its
verdict is ``"fail"``.
"""

from __future__ import annotations

import contextlib
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.batch.metrics import extract

if TYPE_CHECKING:
    from sim.batch.sweep import RunSpec
    from sim.engine.simulation import RunResult, Simulation
    from sim.model.bundle import ScenarioBundle

Runner = Callable[..., "tuple[Simulation, RunResult]"]
"""``runner(bundle, trace_path | None, *, seed, until, record_every[, progress]) -> (sim,
result)``, as :func:`sim.commands.run.simulate`; ``progress(t, total, sim)`` is called every
few ticks, and an exception it raises stops the run."""

WARM_UNTIL = 60.0
"""Simulated time (s) of the warm-up run that fills numba's on-disk compile cache."""
WARM_BUDGET = 300.0
"""Longest wall time (s) a warm-up goes on after it found the cache cold."""

_done_here = 0
"""Tasks this process has executed (to tell a fresh worker's first task)."""


@dataclass(frozen=True)
class Task:
    """One run, ready to execute anywhere.

    Attributes:
        spec: run number, id, point, replication and seed.
        bundle: the validated scenario of the run's point.
        columns: the parameter columns of the point.
        params: the overrides as written (canonical JSON).
        until: stop after this simulated time (s), or None for the whole scenario.
        record_every: trace frame interval (ticks), or None for the scenario's.
        metrics: the metrics to collect.
        trace: where to write the trace file (absolute), or None.
        trace_rel: the trace's path as stored in the results (relative to the results file).
    """

    spec: RunSpec
    bundle: ScenarioBundle
    columns: dict[str, Any]
    params: str
    until: float | None
    record_every: int | None
    metrics: tuple[str, ...]
    trace: str | None = None
    trace_rel: str | None = None


def base_row(task: Task) -> dict[str, Any]:
    """The identifying columns of a task's row (no results yet)."""
    s = task.spec
    return {
        "run": s.run,
        "run_id": s.run_id,
        "point": s.point,
        "replication": s.replication,
        "seed": s.seed,
        **task.columns,
        "params": task.params,
    }


def error_row(task: Task, message: str, wall_time: float | None = None) -> dict[str, Any]:
    """The row of a run that failed with ``message``."""
    return {**base_row(task), "verdict": "error", "error": message, "wall_time": wall_time}


def describe_error(exc: BaseException) -> str:
    """``Type: message`` of an exception, on one line (no traceback)."""
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def execute(task: Task, runner: Runner) -> dict[str, Any]:
    """Run one task and return its row; an exception in the run becomes the row's ``error``.

    ``wall_time`` (s) is measured here, around the whole run (engine set-up, simulation,
    trace). The keys ``_pid``, ``_nth`` (this process and how many tasks it ran before) and
    ``_cpu`` (the run's CPU time, s) are for the driver's statistics and are not stored.
    """
    global _done_here
    t0 = time.perf_counter()
    c0 = time.process_time()
    nth = _done_here
    _done_here += 1
    try:
        sim, result = runner(
            task.bundle,
            Path(task.trace) if task.trace else None,
            seed=task.spec.seed,
            until=task.until,
            record_every=task.record_every,
        )
        row = {
            **base_row(task),
            "verdict": str(result.summary.get("verdict", "pass")),
            "error": None,
            **extract(sim, result, task.metrics),
            "sim_time": float(result.sim_time),
            "trace": task.trace_rel,
        }
    except Exception as exc:  # a failing run is a row, not a crash of the batch
        row = error_row(task, describe_error(exc))
    row["wall_time"] = time.perf_counter() - t0
    row["_pid"] = os.getpid()
    row["_nth"] = nth
    row["_cpu"] = time.process_time() - c0
    return row


class _WarmBudgetSpentError(Exception):
    """Stops a warm-up run once its wall-time budget is spent."""


def compiled_here() -> int:
    """How many kernel signatures this process compiled instead of loading from the cache."""
    from numba.core.registry import CPUDispatcher

    n = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith("sim.kernels") or module is None:
            continue
        for obj in vars(module).values():
            if isinstance(obj, CPUDispatcher):
                n += sum(obj.stats.cache_misses.values())
    return n


def warm(
    bundle: ScenarioBundle,
    runner: Runner,
    until: float | None = None,
    budget: float = WARM_BUDGET,
) -> float:
    """Run a scenario briefly so numba's kernels are compiled into the on-disk cache.

    Workers started afterwards load the cached machine code instead of compiling (about a
    minute for all kernels). The first :data:`WARM_UNTIL` simulated seconds touch most kernels;
    if that compiled anything (the cache was cold), the run goes on to ``until`` (or the
    scenario's end), at most ``budget`` seconds of wall time, so kernels first needed later
    (UAV conflicts, ...) are compiled once here rather than in every worker. Returns the wall
    time taken (s).
    """
    t0 = time.perf_counter()
    end = bundle.scenario.duration if until is None else min(until, bundle.scenario.duration)
    first = min(WARM_UNTIL, end)
    runner(bundle, None, seed=None, until=first, record_every=None)
    if end > first and compiled_here():

        def stop(t: float, total: float, sim: Any) -> None:
            if time.perf_counter() - t0 > budget:
                raise _WarmBudgetSpentError

        with contextlib.suppress(_WarmBudgetSpentError):
            runner(bundle, None, seed=None, until=end, record_every=None, progress=stop)
    return time.perf_counter() - t0
