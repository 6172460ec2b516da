"""The ``testzone`` command line: validate input files, summarise scenarios.

Exit codes (DESIGN.md): 0 ok, 1 ran but rules were violated, 2 invalid input or usage.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

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


@import_app.command("ed269")
def import_ed269(
    source: Annotated[Path, typer.Argument(help="ED-269 zone file (.json), or any zone file.")],
    output: Annotated[Path, typer.Option("--output", "-o", help="Zone file to write (.geojson).")],
) -> None:
    """Convert EUROCAE ED-269 geozones (or any zone file) into a testzone zone GeoJSON."""
    from sim.commands.import_cmd import run_import_ed269

    raise typer.Exit(run_import_ed269(source, output))


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
