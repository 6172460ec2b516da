"""Parallel efficiency and per-task overhead of ``testzone batch``.

    python benchmarks/batch_efficiency.py [--workers 2] [--until "25 min"] [--replications 4]
                                          [--quick] [--cold]

1. Efficiency: the same sweep of runs of >= 2 s each (the mixed scenario, 4 points x 4 seeds)
   in process and on a pool of ``--workers`` processes, through the whole driver (warm-up,
   parts, combining). Efficiency = serial wall time / (workers x pool wall time); goal >= 90 %
   on 2 workers. On a machine shared with other work the runs get less than a core each; the
   share of CPU they got (CPU time / wall time of the runs) is printed for both sides, and
   ``efficiency_adjusted`` divides it out. ``busy_efficiency`` is the share of the workers'
   time spent in runs (what the batch machinery can lose).
2. Overhead per task: 60 near-empty runs (one tick) through a 1-process pool; the batch's wall
   time after the first run came back, less the runs' own time, per run; goal < 50 ms.
3. Numba's cache is shared: each pool worker's first run against the later ones (recompiling
   would add about a minute). ``--cold`` starts from an empty compile cache, so the parent's
   warm-up compiles once and the workers only load.

Prints a table and, as its last line, one JSON object:
``{"bench": "batch-efficiency", "efficiency": ..., "overhead_ms": ..., ...}``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent

SWEEP = """
name = "efficiency"
scenario = "{scenario}"
replications = {reps}
until = "{until}"

[[parameter]]
path = "flow[bg-grid].rate"
values = ["300 /h", "600 /h", "900 /h", "1200 /h"]
"""

TINY = """
name = "overhead"
scenario = "{scenario}"
seeds = [{seeds}]
until = 0.1
"""


def _batch(sweep: Path, out: Path, executor: object, warm: bool = True) -> object:
    from sim.batch.driver import BatchOptions, run_batch
    from sim.batch.sweep import load_plan
    from sim.commands.run import simulate

    plan = load_plan(sweep)
    return run_batch(plan, executor, simulate, BatchOptions(output=out, warm=warm))  # type: ignore[arg-type]


def efficiency(work: Path, workers: int, until: str, reps: int) -> dict[str, float]:
    """Serial vs pool wall time of the same sweep."""
    from sim.batch.executors import PoolExecutor, SerialExecutor
    from sim.commands.run import simulate

    sweep = work / "eff.toml"
    sweep.write_text(
        SWEEP.format(
            scenario=(ROOT / "scenarios/mixed-zone-day.toml").as_posix(), until=until, reps=reps
        )
    )
    serial = _batch(sweep, work / "serial.parquet", SerialExecutor(simulate))
    pool = _batch(sweep, work / "pool.parquet", PoolExecutor(simulate, workers))
    runs = [*serial.first_in_worker, *serial.later_in_worker]  # type: ignore[attr-defined]
    return {
        "runs": len(runs),
        "run_s_min": min(runs),
        "run_s_mean": statistics.fmean(runs),
        "serial_wall_s": serial.wall_time,  # type: ignore[attr-defined]
        "pool_wall_s": pool.wall_time,  # type: ignore[attr-defined]
        "pool_warm_s": pool.warm_time,  # type: ignore[attr-defined]
        "efficiency": serial.wall_time / (workers * pool.wall_time),  # type: ignore[attr-defined]
        "busy_efficiency": pool.run_wall / (workers * pool.wall_time),  # type: ignore[attr-defined]
        # CPU / wall of the runs: 1.0 when each worker had a core to itself
        "serial_cpu_share": serial.run_cpu / serial.run_wall,  # type: ignore[attr-defined]
        "pool_cpu_share": pool.run_cpu / pool.run_wall,  # type: ignore[attr-defined]
        # the efficiency had each process had its core (on a machine shared with others)
        "efficiency_adjusted": (serial.wall_time / (workers * pool.wall_time))  # type: ignore[attr-defined]
        * (serial.run_cpu / serial.run_wall)  # type: ignore[attr-defined]
        / (pool.run_cpu / pool.run_wall),  # type: ignore[attr-defined]
        "first_run_in_worker_s": statistics.fmean(pool.first_in_worker),  # type: ignore[attr-defined]
        "later_runs_in_worker_s": statistics.fmean(pool.later_in_worker),  # type: ignore[attr-defined]
    }


def overhead(work: Path, n: int = 60) -> dict[str, float]:
    """Per-task overhead of the pool and the driver, with one worker process.

    After the first run has come back (pool start-up, the worker's first run), the batch's wall
    time is the later runs' own time plus the overhead of each task: pickling the task and its
    scenario, the round trip, the row, writing parts, the progress callback, and the final
    combining of the parts (counted here too).
    """
    from sim.batch.executors import PoolExecutor
    from sim.commands.run import simulate

    sweep = work / "tiny.toml"
    seeds = ", ".join(str(s) for s in range(n))
    sweep.write_text(
        TINY.format(scenario=(ROOT / "scenarios/mixed-zone-day.toml").as_posix(), seeds=seeds)
    )
    rep = _batch(sweep, work / "tiny.parquet", PoolExecutor(simulate, 1))
    later = rep.later_in_worker  # type: ignore[attr-defined]
    rest = rep.wall_time - rep.first_row_at - sum(later)  # type: ignore[attr-defined]
    return {
        "overhead_ms": 1000.0 * rest / len(later),
        "startup_s": rep.first_row_at - rep.first_in_worker[0],  # type: ignore[attr-defined]
        "tiny_run_ms": 1000.0 * statistics.median(later),
        "tiny_first_run_in_worker_ms": 1000.0 * rep.first_in_worker[0],  # type: ignore[attr-defined]
    }


def main(argv: list[str] | None = None) -> int:
    """Run both measurements; print a table and the JSON line."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--until", default="25 min", help="simulated time of each run")
    ap.add_argument("--replications", type=int, default=4, help="seeds per point (4 points)")
    ap.add_argument("--quick", action="store_true", help="shorter runs (not >= 2 s)")
    ap.add_argument("--cold", action="store_true", help="start from an empty numba cache")
    args = ap.parse_args(argv)
    if args.cold:
        # before numba is imported here, and inherited by the workers
        os.environ["NUMBA_CACHE_DIR"] = tempfile.mkdtemp(prefix="numba-cold-")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="batch-bench-") as tmp:
        work = Path(tmp)
        t0 = time.perf_counter()
        over = overhead(work)
        eff = efficiency(
            work,
            args.workers,
            "3 min" if args.quick else args.until,
            2 if args.quick else args.replications,
        )
        total = time.perf_counter() - t0
    out = {"bench": "batch-efficiency", "workers": args.workers, **eff, **over}
    out["cold_cache"] = bool(args.cold)
    out["bench_wall_s"] = total
    for k, v in out.items():
        print(f"{k:<28}{v:.3f}" if isinstance(v, float) else f"{k:<28}{v}")
    print(json.dumps({k: round(v, 4) if isinstance(v, float) else v for k, v in out.items()}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
