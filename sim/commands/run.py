"""``testzone run``: simulate a scenario and write its trace file."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from sim import __version__
from sim.commands.check import format_violation
from sim.engine.simulation import RunResult, Simulation
from sim.model.bundle import ScenarioBundle, load_scenario
from sim.model.errors import ModelError
from sim.trace import TraceWriter


def trace_header(bundle: ScenarioBundle, sim: Simulation, trace_path: Path) -> dict[str, Any]:
    """The trace header of a run: what was run, with which seed and step (no wall clock)."""
    sc = bundle.scenario

    def rel(p: Path) -> str:
        try:
            return os.path.relpath(p.resolve(), trace_path.resolve().parent)
        except ValueError:  # another drive
            return str(p.resolve())

    return {
        "format": "testzone-trace",
        "software": f"testzone {__version__}",
        "scenario_name": sc.name,
        "scenario_file": rel(bundle.path),
        "map_file": rel(bundle.path.parent / sc.map),
        "zone_files": [rel(bundle.path.parent / z) for z in sc.zones],
        "scenario_hash": bundle.digest,
        "seed": sim.seed,
        "dt": sim.dt,
        "record_every": sim.record_every,
        "start": sc.start.isoformat(),
        "duration": sim.duration,
        "layers": {
            name: {"edges": arr.edge_ids, "nodes": arr.node_ids} for name, arr in sim.layers.items()
        },
        "units": {"x": "m", "y": "m", "z": "m AMSL", "heading": "rad", "speed": "m/s", "t": "s"},
    }


def simulate(
    bundle: ScenarioBundle,
    out: Path | None,
    *,
    seed: int | None = None,
    until: float | None = None,
    record_every: int | None = None,
    progress: Any = None,
) -> tuple[Simulation, RunResult]:
    """Run a scenario; write the trace to ``out`` (atomically) when given."""
    sim = Simulation(bundle, seed=seed, until=until, record_every=record_every)
    if out is None:
        return sim, sim.run(progress)
    with TraceWriter(out, trace_header(bundle, sim, out), fields=sim.trace_fields) as writer:
        sim.recorder = writer
        result = sim.run(progress)
    return sim, result


def run_run(
    scenario: Path,
    out: Path | None,
    seed: int | None,
    until: float | None,
    record_every: int | None,
    quiet: bool = False,
) -> int:
    """The ``run`` command; returns the exit code (0 pass, 1 violations, 2 invalid input)."""
    console = Console(highlight=False)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        bundle = load_scenario(scenario)
    except ModelError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        return 2
    if until is not None and until <= 0:
        err.print(f"--until: expected a positive number of seconds, got {until:g}", markup=False)
        return 2
    if record_every is not None and record_every < 1:
        err.print(f"--record-every: expected a whole number >= 1, got {record_every}", markup=False)
        return 2
    out = out if out is not None else Path(scenario.stem + ".tztrace")
    if out.parent and not out.parent.exists():
        err.print(f"{out}: the folder {out.parent} does not exist", markup=False)
        return 2
    wall0 = time.perf_counter()
    with Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        TextColumn("{task.fields[clock]}"),
        TextColumn("{task.fields[agents]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=quiet,
    ) as bar:
        task = bar.add_task(bundle.scenario.name, total=None, clock="", agents="")

        def progress(t: float, total: float, sim: Simulation) -> None:
            bar.update(
                task,
                total=total,
                completed=t,
                clock=f"t={t:,.0f}/{total:,.0f} s",
                agents=f"{sim.spawned} spawned, {sim.arrived} arrived",
            )

        sim, result = simulate(
            bundle, out, seed=seed, until=until, record_every=record_every, progress=progress
        )
    wall = time.perf_counter() - wall0
    table = Table(show_header=False, title="run", title_justify="left")
    table.add_column(style="bold cyan")
    table.add_column()
    table.add_row("trace", str(out))
    table.add_row("seed", str(sim.seed))
    table.add_row(
        "simulated", f"{result.sim_time:,.1f} s in {result.ticks:,} ticks of {sim.dt:g} s"
    )
    table.add_row(
        "agents",
        f"{result.spawned} spawned, {result.arrived} arrived, "
        f"{result.failed} failed, {result.active} still active",
    )
    table.add_row("events", str(result.events))
    table.add_row("wall time", f"{wall:.2f} s (simulation loop {result.wall_time:.2f} s)")
    rtf = result.sim_time / result.wall_time if result.wall_time > 0 else float("inf")
    table.add_row("real-time factor", f"{rtf:,.0f}x")
    ups = result.vehicle_updates / result.wall_time if result.wall_time > 0 else 0.0
    table.add_row("vehicle updates", f"{result.vehicle_updates:,} ({ups:,.0f}/s)")
    summ = result.summary
    min_ttc = summ.get("min_ttc")
    table.add_row(
        "safety",
        f"{summ.get('collisions', 0)} collisions, {summ.get('uav_conflicts', 0)} UAV conflicts "
        f"({summ.get('uav_separation_losses', 0)} losses of separation), min TTC "
        + (f"{min_ttc:.2f} s" if min_ttc is not None else "none")
        + f", TET {summ.get('tet') or 0:.1f} s below {summ.get('ttc_threshold', 3.0):g} s"
        + (f", min PET {summ['min_pet']:.1f} s" if summ.get("min_pet") is not None else ""),
    )
    if "v2x" in summ:
        table.add_row("connected", _v2x_line(summ["v2x"]))
    verdict = result.summary.get("verdict", "pass")
    violations = result.summary.get("violations", {})
    table.add_row(
        "verdict",
        "[green]pass[/green]"
        if verdict == "pass"
        else "[red]fail[/red]: " + ", ".join(f"{rule} x{n}" for rule, n in violations.items()),
    )
    if not quiet:
        console.print(table)
    if verdict != "pass":
        # the Violation records of `testzone check`, with the breach action where one was taken
        for v, ev in zip(sim.violation_list[:20], sim.violation_events, strict=False):
            lines = format_violation(v)
            if ev.get("action"):
                lines[1] += f" (action: {ev['action']})"
            err.print(f"{scenario}: " + "\n".join(lines), markup=False, highlight=False)
        more = len(sim.violation_list) - 20
        if more > 0:
            err.print(f"... and {more} more (see the trace's events)", markup=False)
        return 1
    return 0


def _v2x_line(v: dict[str, Any]) -> str:
    """One line of the run table on connected driving (see ``sim.engine.v2x``)."""

    def pct(x: float | None) -> str:
        return "n/a" if x is None else f"{100 * x:.0f} %"

    gap = v.get("platoon_time_gap_mean")
    ss = (v.get("string_stability") or {}).get("max_ratio")
    return (
        f"{v['connected_vehicles']} vehicles, {pct(v.get('cam_delivery_ratio'))} of CAMs "
        f"delivered, CACC {pct(v.get('cacc_share'))} of following time, "
        f"{v['fallbacks']} fallbacks to ACC, largest platoon {v['max_platoon_size']}"
        + (f", time gap {gap:.2f} s" if gap is not None else "")
        + (f", string stability {ss:.2f}" if ss is not None else "")
    )
