"""``testzone batch``: run a sweep of seeded runs into a Parquet file, and summarise one.

Exit codes of ``testzone batch SWEEP``: 0 every run finished (whatever its verdict: violations
are data here), 1 some run raised (its row says why), 2 invalid sweep, scenario or usage,
130 interrupted (what finished is written; continue with ``--resume``).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from sim.batch.driver import BatchOptions, BatchReport, run_batch
from sim.batch.executors import (
    DaskExecutor,
    Executor,
    ExecutorError,
    PoolExecutor,
    SerialExecutor,
)
from sim.batch.results import ResultStore
from sim.batch.summarize import ResultsError, fmt, load_results, plot, summarize
from sim.batch.sweep import load_plan
from sim.commands.run import simulate
from sim.model.errors import ModelError

EXIT_INTERRUPTED = 130


def default_workers() -> int:
    """The CPU cores this process may use."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def make_executor(
    workers: int,
    scheduler: str | None,
    start_method: str | None,
    connect_timeout: float = 30.0,
) -> Executor:
    """The executor for the command's options."""
    if scheduler:
        return DaskExecutor(simulate, scheduler, workers, connect_timeout)
    if workers <= 1:
        return SerialExecutor(simulate)
    return PoolExecutor(simulate, workers, start_method)


def run_batch_command(
    sweep: Path,
    output: Path | None,
    workers: int | None,
    scheduler: str | None,
    resume: bool,
    overwrite: bool = False,
    retry_errors: bool = False,
    quiet: bool = False,
    start_method: str | None = None,
    connect_timeout: float = 30.0,
) -> int:
    """The ``batch`` command; returns the exit code (see the module docstring).

    ``connect_timeout`` (s) bounds the wait for a Dask scheduler.
    """
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False, soft_wrap=True)

    def bad(message: str) -> int:
        err.print(message, markup=False)
        return 2

    if workers is not None and workers < 1:
        return bad(f"--workers: expected a whole number >= 1, got {workers}")
    if retry_errors and not resume:
        return bad("--retry-errors: only with --resume")
    if resume and overwrite:
        return bad("--resume and --overwrite exclude each other")
    if start_method is not None and start_method not in ("forkserver", "spawn", "fork"):
        return bad(f"--start-method: expected forkserver, spawn or fork, got {start_method!r}")
    try:
        plan = load_plan(sweep)
    except ModelError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        return 2
    out = output if output is not None else Path(sweep.stem + ".parquet")
    if not out.parent.is_dir():
        return bad(f"{out}: the folder {out.parent} does not exist")
    store = ResultStore(out)
    if store.exists() and not resume:
        if not overwrite:
            return bad(
                f"{out}: results exist already (or parts of a batch in {store.parts_dir.name}/): "
                "pass --resume to continue them, or --overwrite to start again"
            )
        store.clear()
    n_workers = workers if workers is not None else default_workers()
    executor = make_executor(n_workers, scheduler, start_method, connect_timeout)
    opts = BatchOptions(output=out, resume=resume, retry_errors=retry_errors)

    if not quiet:
        console.print(
            f"[bold]{plan.name}[/bold]: {len(plan.points)} points x "
            f"{len(plan.runs) // max(1, len(plan.points))} seeds = {len(plan.runs)} runs "
            f"({executor.name}{'' if scheduler else f', {n_workers} workers'})",
            markup=True,
        )
    with Progress(
        TextColumn("[bold]runs"),
        BarColumn(bar_width=24),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        TextColumn("{task.fields[status]}"),
        console=console,
        disable=quiet,
        refresh_per_second=4,
    ) as bar:
        task = bar.add_task("runs", total=None, status="")
        counts = {"fail": 0, "error": 0}

        def on_start(todo: int, skipped: int) -> None:
            before = f"{skipped} recorded before; " if skipped else ""
            bar.update(task, total=todo, status=f"{before}starting the workers")

        def on_row(row: dict[str, Any]) -> None:
            v = row.get("verdict")
            if v in counts:
                counts[v] += 1
            bar.update(
                task,
                advance=1,
                status=f"{counts['fail']} failed, {counts['error']} errors",
            )

        try:
            report = run_batch(plan, executor, simulate, opts, on_start, on_row)
        except KeyboardInterrupt:
            bar.stop()
            written = len(store.finished()) if store.exists() else 0
            err.print(
                f"interrupted: {written} runs are recorded in {store.parts_dir}; "
                "continue with --resume",
                markup=False,
            )
            return EXIT_INTERRUPTED
        except ExecutorError as exc:
            bar.stop()
            return bad(str(exc))
    if not quiet:
        _print_report(console, plan.name, out, report, executor)
    if report.dropped:
        err.print(
            f"note: {report.dropped} recorded runs are no longer in the sweep and were left out "
            f"of {out}",
            markup=False,
        )
    if report.results_errors:
        errors = []
        if report.table is not None:
            t = report.table
            for rid, verdict, msg in zip(
                t.column("run_id").to_pylist(),
                t.column("verdict").to_pylist(),
                t.column("error").to_pylist(),
                strict=True,
            ):
                if verdict == "error":
                    errors.append(f"run {rid}: {msg}")
        for line in errors[:10]:
            err.print(f"{out}: {line}", markup=False)
        if len(errors) > 10:
            err.print(f"... and {len(errors) - 10} more (see the error column)", markup=False)
        return 1
    return 0


def _print_report(
    console: Console, name: str, out: Path, report: BatchReport, executor: Executor
) -> None:
    table = Table(show_header=False, title=f"batch {name}", title_justify="left")
    table.add_column(style="bold cyan")
    table.add_column()
    rows = len(report.table) if report.table is not None else 0
    table.add_row("results", f"{out} ({rows} runs)")
    table.add_row(
        "runs",
        f"{report.ran} run now, {report.skipped} recorded before, of {report.total}; "
        f"{report.failed} with violations, {report.errors} errors",
    )
    table.add_row("executor", f"{executor.name}, {executor.workers} worker(s)")
    busy = report.run_wall
    eff = busy / (executor.workers * report.wall_time) if report.wall_time > 0 else 0.0
    table.add_row(
        "wall time",
        f"{report.wall_time:.1f} s (runs took {busy:.1f} s of worker time; "
        f"parallel efficiency {100 * min(eff, 1.0):.0f} %)",
    )
    console.print(table)


def run_summarize_command(
    results: Path,
    metrics: list[str] | None,
    x: str | None,
    plot_path: Path | None,
    no_plot: bool = False,
) -> int:
    """The ``batch summarize`` command: a table per parameter point and a plot; exit 0 or 2."""
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        df = load_results(results)
        summary = summarize(df, metrics or None)
    except ResultsError as exc:
        err.print(str(exc), markup=False)
        return 2
    meta = df.attrs.get("testzone", {})
    if x is not None and x not in summary.params:
        err.print(
            f"--x {x!r} is not a parameter (parameters: {', '.join(summary.params) or 'none'})",
            markup=False,
        )
        return 2
    title = f"{meta.get('sweep') or results.stem}: {len(df)} runs"
    table = Table(title=title, title_justify="left")
    for p in summary.params or ["point"]:
        table.add_column(p, style="cyan")
    table.add_column("runs", justify="right")
    table.add_column("errors", justify="right")
    table.add_column("fail %", justify="right")
    for m in summary.metrics:
        table.add_column(m, justify="right")
    widths = [len(str(c.header)) for c in table.columns]
    for _, r in summary.points.iterrows():
        cells = [fmt(r[p]) for p in summary.params or ["point"]]
        cells += [str(int(r["runs"])), str(int(r["errors"])), f"{100 * r['fail_share']:.0f}"]
        for m in summary.metrics:
            mean, std = r.get(f"{m}_mean"), r.get(f"{m}_std")
            cells.append(f"{fmt(mean)} ± {fmt(std)}" if fmt(std) != "-" else fmt(mean))
        table.add_row(*cells)
        widths = [max(w, len(c)) for w, c in zip(widths, cells, strict=True)]
    # wide tables are not squeezed into a narrow (or piped, 80-column) console
    need = sum(w + 3 for w in widths) + 1
    if need > console.width:
        console = Console(highlight=False, width=need)
    console.print(table)
    if no_plot:
        return 0
    target = plot_path if plot_path is not None else results.with_suffix(".png")
    try:
        written = plot(summary, target, x)
    except ResultsError as exc:
        err.print(str(exc), markup=False)
        return 2
    except ImportError:
        err.print("no plot: matplotlib is not installed", markup=False)
        return 0
    console.print(
        f"mean ± std over the seeds of each point (runs that raised left out); plot: {written}"
    )
    return 0
