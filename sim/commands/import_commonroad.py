"""``testzone import commonroad FILE.xml -o DIR``: recorded traffic as a runnable scenario.

Writes ``map.geojson`` (the lanelet network as roads) and ``scenario.toml`` (one agent per
recorded vehicle, with its trajectory, and one per planning problem) into ``DIR``, only once
they load together (:func:`sim.commands.import_uav.write_folder`). ``--simulate`` writes
``trajectories = "simulate"``: the recorded vehicles then drive themselves from their first
state. Exit codes: 0 written, 2 a malformed or unsupported file (or bad options).
"""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from sim.commands.import_uav import parse_start, write_folder
from sim.importers.commonroad import SCENARIO_FILE, documents, import_commonroad
from sim.model.errors import ModelError
from sim.model.files import display_name


def run_import_commonroad(
    source: Path, out_dir: Path, start: str | None = None, simulate: bool = False
) -> int:
    """The ``import commonroad`` command; returns 0, or 2 on a malformed or unsupported file."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        imp = import_commonroad(source, start=parse_start(start), simulate=simulate)
        texts = documents(imp)
        write_folder(texts, out_dir, SCENARIO_FILE)
    except ModelError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        return 2
    c = imp.counts
    out.print(
        f"read {display_name(source)}: {c['lanelets']} lanelets, {c['obstacles']} dynamic "
        f"obstacles, {c['problems']} planning problem(s)",
        markup=False,
    )
    out.print(
        f"wrote {display_name(out_dir)}/{{{', '.join(texts)}}}: {c['roads']} roads, "
        f"{c['junctions']} junctions, {c['static']} static obstacles; {c['agents']} recorded "
        f"vehicles ({imp.trajectories}), {len(imp.egos)} ego vehicle(s); "
        f"{imp.duration:g} s from {imp.start.isoformat()}",
        markup=False,
    )
    for note in imp.notes:
        out.print(f"note: {note}", markup=False)
    for ego in imp.egos:
        out.print(
            f"note: {ego[0]} is the vehicle under test: name its permit (agent.permit) before "
            "`testzone check` can pass; the recorded vehicles are background traffic",
            markup=False,
        )
    return 0
