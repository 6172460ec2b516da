"""``testzone report TRACE -o report.html``: one self-contained HTML file for a reviewer.

The verdict, the violations table, safety metrics with charts (minimum TTC over time, speed and
altitude profiles), a snapshot at each violation and the notable events (:mod:`viz.report`).

Exit codes: 0 written, 2 invalid input (missing, truncated or corrupt trace, missing map, a
folder that does not exist, an output that is not ``.html``).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from sim.commands.import_cmd import write_text_atomic
from sim.commands.render import (
    PROBLEMS,
    UsageError,
    check_output,
    headless,
    open_for_drawing,
    print_problem,
    progress_bar,
)
from sim.model.errors import ModelError
from sim.model.files import display_name


def write_report(
    trace: Path,
    output: Path,
    map_path: Path | None = None,
    zone_paths: Sequence[Path] | None = None,
    max_snapshots: int = 12,
    quiet: bool = False,
    console: Console | None = None,
) -> str | None:
    """Build and write the report; return the run's verdict from the trace.

    Raises:
        TraceError, ModelError, SceneError, UsageError: invalid input.
    """
    headless()
    from viz.report import build_report

    console = console or Console(highlight=False, soft_wrap=True)
    check_output(output, (".html", ".htm"))
    if max_snapshots < 0:
        raise UsageError(f"--max-snapshots: expected 0 or more, got {max_snapshots}")
    with (
        open_for_drawing(trace, map_path, zone_paths) as replay,
        progress_bar(console, quiet) as bar,
    ):
        tasks: dict[str, int] = {}

        def step(what: str, done: int, total: int) -> None:
            if what not in tasks:
                tasks[what] = bar.add_task(what, total=total)
            bar.update(tasks[what], completed=done, total=total)

        text = build_report(replay, max_snapshots, step)
        verdict = (replay.summary or {}).get("verdict")
    write_text_atomic(text, output)
    return None if verdict is None else str(verdict)


def run_report(
    trace: Path,
    output: Path,
    map_path: Path | None = None,
    zone_paths: Sequence[Path] | None = None,
    max_snapshots: int = 12,
    quiet: bool = False,
) -> int:
    """The ``report`` command; returns the exit code (0 written, 2 invalid input)."""
    console = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        verdict = write_report(trace, output, map_path, zone_paths, max_snapshots, quiet, console)
    except (*PROBLEMS, ModelError) as exc:
        print_problem(err, exc)
        return 2
    console.print(
        f"wrote {display_name(output)} (verdict: {verdict or 'none recorded'})", markup=False
    )
    return 0
