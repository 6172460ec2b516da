"""``testzone import qgc`` and ``testzone import f3548``: UAV plans as a checkable scenario.

``testzone import qgc FILE.plan -o DIR``: a QGroundControl mission with its geofence;
``testzone import f3548 FILE.json -o DIR``: ASTM F3548 operational intents (InterUSS
flight-intent collections). Each writes ``map.geojson``, ``zones.geojson``, ``permits.toml``
and ``scenario.toml`` into ``DIR`` (see :mod:`sim.importers.uav_bundle`), which
``testzone validate``, ``check``, ``run`` and ``replay`` take as they are.

Nothing is written unless the whole set loads: the files are first written to a staging
folder inside ``DIR`` and loaded with :func:`sim.model.bundle.load_scenario`; then each is
moved into place atomically (:func:`sim.commands.import_cmd.write_text_atomic`). Exit codes:
0 written, 2 a malformed or unsupported file (or bad options), each problem printed as
``file: element: message``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import shutil
import tempfile
from pathlib import Path

from rich.console import Console

from sim.commands.import_cmd import write_text_atomic
from sim.importers.f3548 import DECONFLICTED, F3548Options, Intent, import_f3548
from sim.importers.qgc_plan import QgcOptions, import_qgc_plan
from sim.importers.uav_bundle import FILES, SCENARIO_FILE, UavImport, documents, identifier
from sim.model.bundle import load_scenario
from sim.model.errors import Issue, ModelError, did_you_mean
from sim.model.files import display_name
from sim.model.vehicle import UavType, builtin_vehicle_types

DEFAULT_START = dt.datetime(2026, 1, 5, 10, 0, tzinfo=dt.UTC)
"""Start of an imported QGC flight when ``--start`` is not given (plans carry no date)."""
DEFAULT_TYPE = "uav-light-quad"
"""The vehicle type flown when ``--type`` is not given."""


def uav_type(name: str) -> UavType:
    """A built-in UAV type by id.

    Raises:
        ModelError: no built-in UAV type has that id.
    """
    types = {k: v for k, v in builtin_vehicle_types().items() if isinstance(v, UavType)}
    if name not in types:
        raise ModelError.single(
            "--type",
            "",
            f"unknown UAV type {name!r}{did_you_mean(name, types)} "
            f"(built-in UAV types: {', '.join(sorted(types))})",
        )
    return types[name]


def parse_start(text: str | None) -> dt.datetime:
    """``--start``: an ISO 8601 date-time with an offset (default :data:`DEFAULT_START`).

    Raises:
        ModelError: not such a date-time.
    """
    if text is None:
        return DEFAULT_START
    try:
        when = dt.datetime.fromisoformat(text)
    except ValueError:
        when = None
    if when is None or when.tzinfo is None:
        raise ModelError.single(
            "--start",
            "",
            f"expected an ISO date-time with offset, e.g. 2026-12-07T09:00:00+08:00, got {text!r}",
        )
    return when


def write_folder(texts: dict[str, str], out_dir: Path, scenario_file: str) -> None:
    """Write the files ``texts`` (name -> text) into ``out_dir`` once they load as a scenario.

    ``out_dir`` is created if missing (its parent must exist). Files are staged in a hidden
    folder inside it, loaded with :func:`~sim.model.bundle.load_scenario`, then moved into
    place one by one atomically; the staging folder is removed in every case.

    Raises:
        ModelError: the folder cannot be made or written, or the set does not load (a bug
            of the importer: the problems are reported, nothing is written).
    """
    name = display_name(out_dir)
    if out_dir.exists() and not out_dir.is_dir():
        raise ModelError.single(name, "", "exists and is not a folder")
    try:
        out_dir.mkdir(exist_ok=True)
    except OSError as exc:
        raise ModelError.single(
            name, "", f"cannot make the folder: {exc.strerror or exc}"
        ) from None
    try:
        stage = Path(tempfile.mkdtemp(prefix=".import-", dir=out_dir))
    except OSError as exc:
        raise ModelError.single(
            name, "", f"cannot write into the folder: {exc.strerror or exc}"
        ) from None
    try:
        for f, text in texts.items():
            (stage / f).write_text(text, encoding="utf-8")
        try:
            load_scenario(stage / scenario_file)
        except ModelError as exc:
            raise ModelError(
                [
                    Issue(
                        i.file.replace(display_name(stage), display_name(out_dir)),
                        i.path,
                        f"{i.message} (in the imported set: nothing was written)",
                    )
                    for i in exc.issues
                ]
            ) from None
        for f, text in texts.items():
            write_text_atomic(text, out_dir / f)
    finally:
        with contextlib.suppress(OSError):
            shutil.rmtree(stage)


def write_import(imp: UavImport, out_dir: Path) -> None:
    """Write the four files of ``imp`` into ``out_dir`` (see :func:`write_folder`)."""
    write_folder(documents(imp), out_dir, SCENARIO_FILE)


def _print_common(out: Console, imp: UavImport, out_dir: Path) -> None:
    legs = len(imp.legs)
    fences = ", ".join(
        f"{sum(1 for f in imp.fences if f.kind == k)} {k}"
        for k in ("test_area", "no_fly")
        if any(f.kind == k for f in imp.fences)
    )
    out.print(
        f"wrote {display_name(out_dir)}/{{{', '.join(FILES)}}}: {len(imp.flights)} UAV "
        f"agent(s), {sum(1 for n in imp.nodes if n.kind == 'vertiport')} vertiports, "
        f"{sum(1 for n in imp.nodes if n.kind == 'waypoint')} waypoints, {legs} corridors, "
        f"{len(imp.fences)} zones{f' ({fences})' if fences else ''}",
        markup=False,
    )
    out.print(
        f"scenario starts {imp.start.isoformat()}, lasts {imp.duration:g} s; permits are "
        "generated (fill in their evidence before relying on `testzone check`)",
        markup=False,
    )
    for note in imp.notes:
        out.print(f"note: {note}", markup=False)


def run_import_qgc(
    source: Path,
    out_dir: Path,
    start: str | None = None,
    vtype: str = DEFAULT_TYPE,
    skip_unsupported: bool = False,
) -> int:
    """The ``import qgc`` command; returns 0, or 2 on a malformed or unsupported plan."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        opts = QgcOptions(
            start=parse_start(start), vtype=uav_type(vtype), skip_unsupported=skip_unsupported
        )
        imp = import_qgc_plan(source, opts)
        write_import(imp, out_dir)
    except ModelError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        return 2
    out.print(f"read {display_name(source)}: {imp.description}", markup=False)
    for f in imp.flights:
        out.print(f"  agent {f.id}: route {' -> '.join(f.route)} ({f.comment})", markup=False)
    _print_common(out, imp, out_dir)
    return 0


def run_import_f3548(
    source: Path,
    out_dir: Path,
    intents: list[str] | None = None,
    vtype: str = DEFAULT_TYPE,
    ground: float | None = None,
) -> int:
    """The ``import f3548`` command; returns 0, or 2 on a malformed or unsupported file."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        opts = F3548Options(
            vtype=uav_type(vtype),
            intents=tuple(intents) if intents else None,
            ground_elevation=ground,
        )
        imp, found = import_f3548(source, opts)
        write_import(imp, out_dir)
    except ModelError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        return 2
    agents = {f.id for f in imp.flights}
    names = {i.name for i in found if identifier(i.name, "flight") in agents}
    out.print(f"read {display_name(source)}: {len(found)} intents", markup=False)
    for i in found:
        out.print(_intent_line(i, i.name in names), markup=False)
    _print_common(out, imp, out_dir)
    return 0


def _intent_line(i: Intent, agent: bool) -> str:
    how = "full" if i.source is None else f"delta of {i.source}"
    off = f" + {len(i.off_nominal)} off-nominal" if i.off_nominal else ""
    flag = "agent" if agent else "     "
    skip = "" if i.state in DECONFLICTED else " (not deconflicted)"
    return (
        f"  {flag} {i.name}: {how}; {i.state}{skip}, priority {i.priority}, "
        f"{len(i.volumes)} volume(s){off}"
    )
