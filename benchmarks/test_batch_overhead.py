"""Per-task overhead of ``testzone batch``: what a run costs beyond the simulation itself.

Run: ``pytest benchmarks/test_batch_overhead.py --benchmark-columns=mean,stddev,rounds``.

The tasks carry the real (mixed) scenario, so pickling it to the worker is measured, but the
runner does no simulation: each round trip is pure overhead (submit, pickle, worker, row
back). Goal: < 50 ms per task. Writing a part (one small Parquet file, flushed to disk and
renamed) is measured on its own; the driver writes one at most every second.
``benchmarks/batch_efficiency.py`` measures the same through the whole driver, and the parallel
efficiency of real runs.
"""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from sim.batch.driver import make_tasks
from sim.batch.executors import PoolExecutor
from sim.batch.results import ResultStore, results_schema
from sim.batch.sweep import load_plan
from sim.batch.tasks import Task, execute

N_TASKS = 20
SWEEP = """
name = "overhead"
scenario = "{scenario}"
seeds = [{seeds}]
metrics = ["arrived"]
"""


def noop_runner(bundle: Any, out: Any, **kw: Any) -> tuple[Any, Any]:
    """A runner that does not simulate (importable, so it travels to workers by reference)."""
    result = SimpleNamespace(summary={"verdict": "pass", "arrived": 0}, sim_time=0.0, active=0)
    return SimpleNamespace(), result


@pytest.fixture(scope="module")
def tasks(tmp_path_factory: pytest.TempPathFactory) -> list[Task]:
    root = Path(__file__).resolve().parent.parent
    folder = tmp_path_factory.mktemp("overhead")
    sweep = folder / "s.toml"
    sweep.write_text(
        SWEEP.format(
            scenario=(root / "scenarios/mixed-zone-day.toml").as_posix(),
            seeds=", ".join(str(s) for s in range(N_TASKS)),
        )
    )
    plan = load_plan(sweep)
    return list(make_tasks(plan, plan.runs, ResultStore(folder / "r.parquet")))


def test_in_process_execute(benchmark: Any, tasks: list[Task]) -> None:
    """The row-building around a run, without any process boundary."""
    benchmark(execute, tasks[0], noop_runner)


def test_pool_round_trip_per_task(benchmark: Any, tasks: list[Task]) -> None:
    pool = PoolExecutor(noop_runner, 1)
    pool.start()
    try:
        list(pool.run(iter(tasks[:2])))  # the worker is up and has imported everything

        def batch() -> None:
            rows = [r for r in pool.run(iter(tasks)) if r is not None]
            assert len(rows) == N_TASKS

        benchmark.pedantic(batch, rounds=5, iterations=1)
    finally:
        pool.close()
    per_task = benchmark.stats.stats.mean / N_TASKS
    benchmark.extra_info["per_task_ms"] = round(1000 * per_task, 3)
    assert per_task < 0.050


def test_dask_round_trip_per_task(benchmark: Any, tasks: list[Task]) -> None:
    distributed = pytest.importorskip("distributed")
    from sim.batch.executors import DaskExecutor

    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        ex = DaskExecutor(noop_runner, cluster.scheduler_address)
        ex.start()
        try:
            list(ex.run(iter(tasks[:2])))

            def batch() -> None:
                rows = [r for r in ex.run(iter(tasks)) if r is not None]
                assert len(rows) == N_TASKS

            benchmark.pedantic(batch, rounds=5, iterations=1)
        finally:
            ex.close()
    per_task = benchmark.stats.stats.mean / N_TASKS
    benchmark.extra_info["per_task_ms"] = round(1000 * per_task, 3)
    assert per_task < 0.050


def test_write_part(benchmark: Any, tasks: list[Task], tmp_path: Path) -> None:
    """One durable part of a few rows: write, fsync, rename."""
    plan_metrics = tasks[0].metrics
    schema = results_schema("overhead", [], plan_metrics)
    rows = [execute(t, noop_runner) for t in tasks[:4]]
    store = ResultStore(tmp_path / "r.parquet")
    benchmark(store.write_part, rows, schema)
