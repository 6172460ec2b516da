"""The ``testzone`` command line: validate input files, summarise scenarios.

Exit codes (DESIGN.md): 0 ok, 1 ran but rules were violated, 2 invalid input or usage.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Annotated

import click
import typer
from rich.console import Console
from typer.core import TyperGroup

from sim import __version__
from sim.model.errors import ModelError

EXIT_OK = 0
EXIT_VIOLATION = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 70

app = typer.Typer(
    name="testzone",
    help="Simulate and check test zones for connected vehicles, drones and unmanned ships.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    rich_markup_mode="rich",
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"testzone {__version__}")
        raise typer.Exit(EXIT_OK)


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Print the version and exit."
        ),
    ] = False,
) -> None:
    """Simulate and check test zones for ICVs, UAVs and unmanned ships."""


def report_errors(exc: ModelError, err: Console) -> None:
    """Print each issue as ``file: field.path: message`` on standard error."""
    for issue in exc.issues:
        err.print(str(issue), markup=False, highlight=False, soft_wrap=True)


@app.command()
def validate(
    files: Annotated[
        list[Path],
        typer.Argument(help="Scenario (.toml), permit (.toml), map or zone (.geojson) files."),
    ],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print problems only.")] = False,
) -> None:
    """Validate input files; exit 0 if all are valid, 2 otherwise (one line per problem)."""
    from sim.commands.validate import run_validate

    raise typer.Exit(run_validate(files, quiet=quiet))


@app.command()
def info(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (.toml).")],
) -> None:
    """Summarise a scenario: map, zones and their schedules, permits, agents, flows, events."""
    from sim.commands.info import run_info

    raise typer.Exit(run_info(scenario))


@app.command()
def run(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (.toml).")],
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Trace file to write (default: SCENARIO-NAME.tztrace)."
        ),
    ] = None,
    seed: Annotated[
        int | None, typer.Option(help="Seed (overrides the scenario's).", min=0)
    ] = None,
    until: Annotated[
        float | None, typer.Option(help="Stop after this many simulated seconds.")
    ] = None,
    record_every: Annotated[
        int | None, typer.Option("--record-every", help="Write a frame every K ticks.")
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
    ] = False,
) -> None:
    """Simulate a scenario and write its trace file.

    Exit 0 when the run passed, 1 when it had violations (breaches; they are listed), 2 on
    invalid input.
    """
    from sim.commands.run import run_run

    raise typer.Exit(run_run(scenario, output, seed, until, record_every, quiet))


@app.command()
def check(
    scenario: Annotated[Path, typer.Argument(help="Scenario file (.toml).")],
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Report format: text or json.")
    ] = "text",
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Write the report to this file (default: stdout)."),
    ] = None,
) -> None:
    """Check a scenario against its permits, zones and the rules before it runs.

    Exit 0 when permitted, 1 when refused (some violation is an error), 2 on invalid input.
    """
    from sim.commands.check import run_check

    raise typer.Exit(run_check(scenario, fmt, output))


@app.command("rules")
def rules(
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="Listing format: text or json.")
    ] = "text",
) -> None:
    """List the rule catalogue: id, severity, source and its confidence."""
    from sim.commands.rules_list import run_rules

    raise typer.Exit(run_rules(fmt))


import_app = typer.Typer(
    help="Convert other tools' files into testzone files.", no_args_is_help=True
)
app.add_typer(import_app, name="import")


@import_app.command("sumo")
def import_sumo(
    net: Annotated[Path, typer.Argument(help="SUMO network (.net.xml).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Map file to write (.geojson).")],
) -> None:
    """Import a SUMO road network (edges, lanes, junctions, signal programs) as a testzone map."""
    from sim.commands.import_cmd import run_import_sumo

    raise typer.Exit(run_import_sumo(net, output))


def _bbox(value: str | None) -> tuple[float, float, float, float] | None:
    if value is None:
        return None
    try:
        parts = tuple(float(v) for v in value.split(","))
    except ValueError:
        parts = ()
    if len(parts) != 4 or not (parts[0] < parts[2] and parts[1] < parts[3]):
        raise typer.BadParameter("expected MIN_LON,MIN_LAT,MAX_LON,MAX_LAT (degrees)")
    return parts  # type: ignore[return-value]


@import_app.command("osm")
def import_osm(
    osm: Annotated[Path, typer.Argument(help="OpenStreetMap XML (.osm).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Map file to write (.geojson).")],
    bbox: Annotated[
        str | None,
        typer.Option(help="Keep only roads inside MIN_LON,MIN_LAT,MAX_LON,MAX_LAT (degrees)."),
    ] = None,
) -> None:
    """Import OpenStreetMap roads (classes, lanes, speed limits, one-ways, signals) as a map."""
    from sim.commands.import_cmd import run_import_osm

    raise typer.Exit(run_import_osm(osm, output, _bbox(bbox)))


@import_app.command("ed269")
def import_ed269(
    source: Annotated[Path, typer.Argument(help="ED-269 zone file (.json), or any zone file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Zone file to write (.geojson).")],
) -> None:
    """Convert EUROCAE ED-269 geozones (or any zone file) into a testzone zone GeoJSON."""
    from sim.commands.import_cmd import run_import_ed269

    raise typer.Exit(run_import_ed269(source, output))


@import_app.command("qgc")
def import_qgc(
    plan: Annotated[Path, typer.Argument(help="QGroundControl plan (.plan).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write map, zones, permits, scenario.")
    ],
    start: Annotated[
        str | None,
        typer.Option(help="Start of the flight, ISO with offset (default 2026-01-05T10:00:00Z)."),
    ] = None,
    vtype: Annotated[str, typer.Option("--type", help="Built-in UAV type flown.")] = (
        "uav-light-quad"
    ),
    skip_unsupported: Annotated[
        bool,
        typer.Option(
            "--skip-unsupported", help="Leave out unsupported items (reported) instead of failing."
        ),
    ] = False,
) -> None:
    """Import a QGroundControl mission and geofence as a UAV scenario (map, zones, permits)."""
    from sim.commands.import_uav import run_import_qgc

    raise typer.Exit(run_import_qgc(plan, output, start, vtype, skip_unsupported))


@import_app.command("f3548")
def import_f3548(
    source: Annotated[
        Path, typer.Argument(help="F3548 intents: InterUSS flight-intent collection (.json).")
    ],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write map, zones, permits, scenario.")
    ],
    intent: Annotated[
        list[str] | None,
        typer.Option(help="Intent to import as an agent (repeat; default: every full intent)."),
    ] = None,
    vtype: Annotated[str, typer.Option("--type", help="Built-in UAV type flown.")] = (
        "uav-light-quad"
    ),
    ground: Annotated[
        float | None,
        typer.Option(help="Ground elevation, m (W84 as AMSL; default: the lowest volume floor)."),
    ] = None,
) -> None:
    """Import ASTM F3548 operational intents as UAV plans that testzone check deconflicts."""
    from sim.commands.import_uav import run_import_f3548

    raise typer.Exit(run_import_f3548(source, output, intent, vtype, ground))


@import_app.command("commonroad")
def import_commonroad(
    source: Annotated[Path, typer.Argument(help="CommonRoad scenario (.xml, 2018b or 2020a).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Folder to write map, scenario.")],
    start: Annotated[
        str | None,
        typer.Option(help="Start of the scenario, ISO with offset (default 2026-01-05T10:00:00Z)."),
    ] = None,
    simulate: Annotated[
        bool,
        typer.Option(
            "--simulate",
            help="Recorded vehicles drive themselves (IDM, MOBIL) from their first state.",
        ),
    ] = False,
) -> None:
    """Import a CommonRoad scenario: lanelets as roads, recorded vehicles replaying their tracks."""
    from sim.commands.import_commonroad import run_import_commonroad

    raise typer.Exit(run_import_commonroad(source, output, start, simulate))


class _BatchGroup(TyperGroup):
    """``testzone batch SWEEP ...`` is short for ``testzone batch run SWEEP ...``."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Insert ``run`` when the first word is not a subcommand (nor a request for help)."""
        if args and args[0] not in self.commands and args[0] not in ("--help", "-h"):
            args = ["run", *args]
        return super().parse_args(ctx, args)


batch_app = typer.Typer(
    cls=_BatchGroup,
    help="Sweeps of seeded runs: [bold]testzone batch SWEEP[/bold] runs one into a Parquet "
    "file (same as [bold]batch run[/bold]); [bold]testzone batch summarize FILE[/bold] "
    "tabulates and plots the results.",
    no_args_is_help=True,
    subcommand_metavar="SWEEP [OPTIONS] | COMMAND [ARGS]...",
)
app.add_typer(batch_app, name="batch")


@batch_app.command("run")
def batch_run(
    sweep: Annotated[Path, typer.Argument(help="Sweep file (.toml).")],
    output: Annotated[
        Path | None,
        typer.Option("--output", "-o", help="Results file (default: SWEEP-NAME.parquet)."),
    ] = None,
    workers: Annotated[
        int | None,
        typer.Option("--workers", "-w", help="Worker processes (default: the CPU cores)."),
    ] = None,
    scheduler: Annotated[
        str | None,
        typer.Option(
            help="Run on a Dask scheduler (tcp://host:8786), or 'local' for a local Dask cluster."
        ),
    ] = None,
    resume: Annotated[
        bool, typer.Option("--resume", help="Continue: skip the runs already recorded.")
    ] = False,
    retry_errors: Annotated[
        bool, typer.Option("--retry-errors", help="With --resume: run again the runs that raised.")
    ] = False,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Discard existing results and start again.")
    ] = False,
    start_method: Annotated[
        str | None,
        typer.Option(
            "--start-method",
            help="Worker start method: forkserver (default) or spawn.",
            hidden=True,
        ),
    ] = None,
    quiet: Annotated[
        bool, typer.Option("--quiet", "-q", help="No progress bar or summary.")
    ] = False,
) -> None:
    """Run a sweep: every parameter point x seed, in parallel, into a Parquet file.

    Exit 0 when every run finished (whatever its verdict), 1 when some run raised (its row has
    the error), 2 on an invalid sweep or scenario, 130 when interrupted (resume with --resume).
    """
    from sim.commands.batch import run_batch_command

    raise typer.Exit(
        run_batch_command(
            sweep,
            output,
            workers,
            scheduler,
            resume,
            overwrite=overwrite,
            retry_errors=retry_errors,
            quiet=quiet,
            start_method=start_method,
        )
    )


@batch_app.command("summarize")
def batch_summarize(
    results: Annotated[Path, typer.Argument(help="Results file (.parquet) of a batch.")],
    metric: Annotated[
        list[str] | None,
        typer.Option(
            "--metric", "-m", help="Metric to summarise (repeat; default: the main ones)."
        ),
    ] = None,
    x: Annotated[str | None, typer.Option("--x", help="Parameter on the plot's x axis.")] = None,
    plot: Annotated[
        Path | None, typer.Option("--plot", help="Plot file to write (default: RESULTS.png).")
    ] = None,
    no_plot: Annotated[bool, typer.Option("--no-plot", help="Print the table only.")] = False,
) -> None:
    """Print one line per parameter point (mean +- std over seeds) and plot metric vs parameter.

    Exit 0, or 2 when the file is missing or not a results file.
    """
    from sim.commands.batch import run_summarize_command

    raise typer.Exit(run_summarize_command(results, metric, x, plot, no_plot))


DEMO_DIR = Path("demo-output")
"""Where ``testzone demo`` writes by default."""


@app.command()
def replay(
    trace: Annotated[Path, typer.Argument(help="Trace file (.tztrace) written by `testzone run`.")],
    at: Annotated[
        str | None, typer.Option(help="Start at this time: seconds, '5 min' or m:ss.")
    ] = None,
    speed: Annotated[
        float | None, typer.Option(help="Playback speed (run seconds per second).")
    ] = None,
    size: Annotated[str, typer.Option(help="Window size WIDTHxHEIGHT (px).")] = "1280x800",
    select: Annotated[str | None, typer.Option(help="Agent to show the panel of.")] = None,
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Map to draw (default: the one the trace names).")
    ] = None,
    zones: Annotated[
        list[Path] | None,
        typer.Option("--zones", help="Zone file to draw (repeatable; default: the trace's)."),
    ] = None,
) -> None:
    """Replay a trace in a window: map, fences, agents, trails, timeline and events (h: help).

    Exit 0 when closed, 2 on invalid input (missing, truncated or corrupt trace; no display).
    """
    from sim.commands.replay import run_replay

    raise typer.Exit(run_replay(trace, at, speed, size, select, map_file, zones))


@app.command()
def render(
    trace: Annotated[Path, typer.Argument(help="Trace file (.tztrace).")],
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Picture or video to write: .png, .gif or .mp4.")
    ],
    at: Annotated[
        str | None, typer.Option(help="PNG: the time shown (seconds, '5 min', m:ss; default: end).")
    ] = None,
    t_from: Annotated[
        str | None, typer.Option("--from", help="Video: first time (default: first frame).")
    ] = None,
    t_to: Annotated[
        str | None, typer.Option("--to", help="Video: last time (default: last frame).")
    ] = None,
    fps: Annotated[
        float | None, typer.Option(help="Video frames per second (GIF 10, MP4 30).")
    ] = None,
    speed: Annotated[
        float | None,
        typer.Option(help="Run seconds per second of video (default: at most 20 s of video)."),
    ] = None,
    size: Annotated[str, typer.Option(help="Picture size WIDTHxHEIGHT (px).")] = "1280x720",
    center: Annotated[
        str | None, typer.Option(help="Centre of the view X,Y (m, local frame).")
    ] = None,
    width: Annotated[float | None, typer.Option(help="Metres across the map view.")] = None,
    follow: Annotated[
        str | None, typer.Option(help="Agent to keep in the centre (and show the panel of).")
    ] = None,
    select: Annotated[str | None, typer.Option(help="Agent to show the panel of.")] = None,
    no_chrome: Annotated[
        bool, typer.Option("--no-chrome", help="The map alone: no timeline, panel or events.")
    ] = False,
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Map to draw (default: the one the trace names).")
    ] = None,
    zones: Annotated[
        list[Path] | None,
        typer.Option("--zones", help="Zone file to draw (repeatable; default: the trace's)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Render a trace headless: a PNG at one time, or a GIF or MP4 of an interval.

    Exit 0 when written, 2 on invalid input (bad trace, time, size or output type).
    """
    from sim.commands.render import run_render

    code = run_render(
        trace,
        output,
        at=at,
        t_from=t_from,
        t_to=t_to,
        fps=fps,
        speed=speed,
        size=size,
        center=center,
        width=width,
        follow=follow,
        select=select,
        no_chrome=no_chrome,
        map_path=map_file,
        zone_paths=zones,
        quiet=quiet,
    )
    raise typer.Exit(code)


@app.command()
def report(
    trace: Annotated[Path, typer.Argument(help="Trace file (.tztrace).")],
    output: Annotated[Path, typer.Option("--output", "-o", help="HTML file to write.")],
    max_snapshots: Annotated[
        int, typer.Option("--max-snapshots", help="Violations pictured (all are listed).")
    ] = 12,
    map_file: Annotated[
        Path | None, typer.Option("--map", help="Map to draw (default: the one the trace names).")
    ] = None,
    zones: Annotated[
        list[Path] | None,
        typer.Option("--zones", help="Zone file to draw (repeatable; default: the trace's)."),
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Write a self-contained HTML run report: verdict, violations, safety metrics, snapshots.

    Exit 0 when written, 2 on invalid input.
    """
    from sim.commands.report import run_report

    raise typer.Exit(run_report(trace, output, map_file, zones, max_snapshots, quiet))


@app.command()
def demo(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="Folder to write into.")
    ] = DEMO_DIR,
    until: Annotated[
        float | None, typer.Option(help="Simulate only this many seconds (default: all 30 min).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bars.")] = False,
) -> None:
    """Check, run and render the bundled mixed scenario into ./demo-output/.

    Writes the check report, the trace, a replay GIF and still, and report.html. Exit 0 when
    the plan is permitted and the run passed, 1 otherwise, 2 on invalid input.
    """
    from sim.commands.demo import run_demo

    raise typer.Exit(run_demo(output, until, quiet))


def main() -> None:
    """Entry point of the ``testzone`` console script."""
    try:
        app()
    except SystemExit:
        raise
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        sys.exit(130)
    except Exception as exc:  # a bug, not bad input: say so without a traceback
        if os.environ.get("TESTZONE_DEBUG"):
            traceback.print_exc()
        sys.stderr.write(
            f"testzone: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug; please report it (set TESTZONE_DEBUG=1 to see the traceback).\n"
        )
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":
    main()
