"""``testzone demo``: check, run and render the bundled mixed scenario, with progress bars.

Writes into ``./demo-output/`` (or ``-o DIR``): the permit check report (``check.txt`` and
``check.json``), the trace (``mixed-zone-day.tztrace``), a replay GIF (``replay.gif``), a
still (``replay.png``) and the run report (``report.html``).

Exit codes: 0 all written and the run passed, 1 written but the check refused the plan or the
run's verdict failed, 2 invalid input (the bundled scenario is missing, a bad option).
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console
from rich.table import Table

import sim
from sim.commands.check import format_json, format_text
from sim.commands.import_cmd import write_text_atomic
from sim.commands.render import (
    PROBLEMS,
    headless,
    open_for_drawing,
    print_problem,
    progress_bar,
)
from sim.commands.report import write_report
from sim.commands.run import simulate
from sim.model.bundle import load_scenario
from sim.model.errors import ModelError
from sim.model.files import display_name
from sim.rules.check import check_bundle

SCENARIO = Path("scenarios") / "mixed-zone-day.toml"
"""The bundled scenario the demo runs, relative to the repository."""
GIF_SIZE = (1280, 720)
GIF_FPS = 10.0
GIF_SECONDS = 24.0
"""The replay GIF lasts this long (s of video)."""


def bundled_scenario() -> Path | None:
    """The mixed scenario of this checkout (next to the ``sim`` package), else in the cwd."""
    for root in (Path(sim.__file__).resolve().parent.parent, Path.cwd()):
        candidate = root / SCENARIO
        if candidate.is_file():
            return candidate
    return None


def run_demo(
    output: Path = Path("demo-output"), until: float | None = None, quiet: bool = False
) -> int:
    """The ``demo`` command; returns the exit code."""
    headless()
    console = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    scenario = bundled_scenario()
    if scenario is None:
        err.print(
            f"{SCENARIO}: the bundled scenarios are not here; run the demo from a clone of the "
            "repository (pip install -e .)",
            markup=False,
        )
        return 2
    if until is not None and not until > 0:
        err.print(f"--until: expected a positive number of seconds, got {until:g}", markup=False)
        return 2
    if output.exists() and not output.is_dir():
        err.print(f"{display_name(output)}: exists and is not a folder", markup=False)
        return 2
    try:
        output.mkdir(parents=True, exist_ok=True)
        bundle = load_scenario(scenario)
        name = scenario.stem
        written: list[tuple[str, Path]] = []

        # 1. the permit check
        report = check_bundle(bundle)
        write_text_atomic(format_text(report, display_name(scenario)), output / "check.txt")
        write_text_atomic(format_json(report), output / "check.json")
        written += [
            ("permit check", output / "check.txt"),
            ("permit check (JSON)", output / "check.json"),
        ]
        if not quiet:
            console.print(
                f"check: {report.verdict} ({report.errors} errors, {report.warnings} warnings, "
                f"{len(report.rules_checked)} rules)",
                markup=False,
            )

        # 2. the run
        trace = output / f"{name}.tztrace"
        with progress_bar(console, quiet) as bar:
            task = bar.add_task("simulating", total=None)

            def sim_progress(t: float, total: float, _sim: object) -> None:
                bar.update(task, completed=round(t), total=round(total))

            _, result = simulate(bundle, trace, until=until, progress=sim_progress)
        verdict = str(result.summary.get("verdict", "pass"))
        written.append(("trace", trace))
        if not quiet:
            console.print(
                f"run: {result.spawned} agents spawned, {result.arrived} arrived, "
                f"{result.sim_time:,.0f} s simulated; verdict {verdict}",
                markup=False,
            )

        # 3. the replay GIF and a still
        from viz.render import RenderOptions, picture_at, render_video, write_png

        gif = output / "replay.gif"
        png = output / "replay.png"
        with open_for_drawing(trace, None, None) as replay, progress_bar(console, quiet) as bar:
            task = bar.add_task("rendering replay.gif", total=None)
            speed = max(1.0, (replay.t_last - replay.t_first) / GIF_SECONDS)
            render_video(
                replay,
                gif,
                replay.t_first,
                replay.t_last,
                GIF_FPS,
                speed,
                RenderOptions(size=GIF_SIZE),
                lambda done, total: bar.update(task, completed=done, total=total),
            )
            write_png(
                picture_at(
                    replay, replay.t_first + 0.5 * (replay.t_last - replay.t_first), RenderOptions()
                ),
                png,
            )
        written += [("replay", gif), ("still", png)]

        # 4. the report
        html = output / "report.html"
        write_report(trace, html, quiet=quiet, console=console)
        written.append(("report", html))
    except (*PROBLEMS, ModelError) as exc:
        print_problem(err, exc)
        return 2
    except OSError as exc:
        err.print(f"{display_name(output)}: cannot write: {exc.strerror or exc}", markup=False)
        return 2
    table = Table(show_header=False, title="demo output", title_justify="left")
    table.add_column(style="bold cyan")
    table.add_column()
    for what, path in written:
        table.add_row(what, display_name(path))
    if not quiet:
        console.print(table)
        console.print(
            f"open {display_name(html)} in a browser, or replay with: "
            f"testzone replay {display_name(trace)}",
            markup=False,
        )
    return 0 if report.verdict == "permitted" and verdict == "pass" else 1
