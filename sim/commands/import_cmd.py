"""``testzone import sumo`` and ``testzone import ed269``: other tools' files as testzone files.

``testzone import sumo NET.net.xml -o map.geojson``: a SUMO network as a testzone map;
``testzone import osm FILE.osm -o map.geojson [--bbox ...]``: OpenStreetMap roads as a map;
``testzone import ed269 ZONES.json -o zones.geojson``: ED-269 zones as a testzone zone file.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rich.console import Console

from sim.importers.osm import import_osm
from sim.importers.sumo_net import import_sumo_net
from sim.model.errors import ModelError
from sim.model.files import display_name
from sim.model.map import Junction, Road
from sim.model.map_file import parse_map
from sim.model.zone_file import load_zone_file, parse_zones, zones_to_geojson


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(doc: Any, out: Path) -> None:
    """Write a JSON document atomically (see :func:`write_text_atomic`).

    Raises:
        ModelError: the folder does not exist or cannot be written.
    """
    write_text_atomic(json.dumps(doc, ensure_ascii=False, indent=1) + "\n", out)


def write_text_atomic(text: str, out: Path) -> None:
    """Write text via a temporary file in the same folder and ``os.replace``.

    A reader never sees a half-written file, and an existing file is only replaced once the
    new one is complete.

    Raises:
        ModelError: the folder does not exist or cannot be written.
    """
    folder = out.parent if str(out.parent) else Path(".")
    name = display_name(out)
    if not folder.is_dir():
        raise ModelError.single(name, "", f"folder {str(folder)!r} does not exist")
    tmp = ""
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=folder)
        os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; give the usual file mode
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, out)
    except OSError as exc:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise ModelError.single(name, "", f"cannot write file: {exc.strerror or exc}") from None


def run_import_osm(
    osm: Path, out: Path, bbox: tuple[float, float, float, float] | None = None
) -> int:
    """Import OpenStreetMap roads as a map, validate it and write it; 0, or 2 on bad input."""
    return _import_map(lambda: import_osm(osm, bbox), osm, out)


def run_import_sumo(net: Path, out: Path) -> int:
    """Import a SUMO network, validate it as a map and write it; return 0, or 2 on bad input."""
    return _import_map(lambda: import_sumo_net(net), net, out)


def _import_map(make_doc: Callable[[], Any], source: Path, out: Path) -> int:
    """Build a map document, validate it, write it and summarise it; 0, or 2 on bad input.

    The map is validated with :func:`sim.model.map_file.parse_map` before anything is
    written, so an importer bug can never leave an invalid map file behind.
    """
    stdout = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        doc = make_doc()
        the_map = parse_map(doc, display_name(out))
        write_atomic(doc, out)
    except ModelError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        return 2
    junctions = the_map.of_type(Junction)
    signals = sum(1 for j in junctions if j.signal is not None)
    roads = len(the_map.of_type(Road))
    stdout.print(
        f"wrote {display_name(out)}: map {the_map.header.name!r} ({the_map.header.crs.value}), "
        f"{len(junctions)} junctions ({signals} signalised), {roads} roads "
        f"from {display_name(source)}",
        markup=False,
    )
    return 0


def run_import_ed269(source: Path, out: Path) -> int:
    """Convert a zone file (ED-269 JSON, or a testzone zone file) to a testzone zone GeoJSON.

    The output is validated with :func:`sim.model.zone_file.parse_zones` before it is written
    (atomically), so a converter bug never leaves an invalid file behind. Returns 0, or 2 on
    bad input.
    """
    stdout = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        zones = load_zone_file(source)
        doc = zones_to_geojson(zones)
        parse_zones(doc, display_name(out))
        write_atomic(doc, out)
    except ModelError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        return 2
    kinds: dict[str, int] = {}
    volumes = 0
    for z in zones.zones:
        kinds[z.kind.value] = kinds.get(z.kind.value, 0) + 1
        volumes += len(z.volumes)
    summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items())) or "no zones"
    stdout.print(
        f"wrote {display_name(out)}: {len(zones.zones)} zones ({summary}), {volumes} volumes "
        f"from {display_name(source)}",
        markup=False,
    )
    return 0
