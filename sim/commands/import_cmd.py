"""``testzone import sumo NET.net.xml -o map.geojson``: a SUMO network as a testzone map."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any

from rich.console import Console

from sim.importers.sumo_net import import_sumo_net
from sim.model.errors import ModelError
from sim.model.files import display_name
from sim.model.map import Junction, Road
from sim.model.map_file import parse_map


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def write_atomic(doc: Any, out: Path) -> None:
    """Write a JSON document via a temporary file in the same folder and ``os.replace``.

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
            json.dump(doc, fh, ensure_ascii=False, indent=1)
            fh.write("\n")
        os.replace(tmp, out)
    except OSError as exc:
        if tmp:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
        raise ModelError.single(name, "", f"cannot write file: {exc.strerror or exc}") from None


def run_import_sumo(net: Path, out: Path) -> int:
    """Import a SUMO network, validate it as a map and write it; return 0, or 2 on bad input.

    The map is validated with :func:`sim.model.map_file.parse_map` before anything is
    written, so an importer bug can never leave an invalid map file behind.
    """
    stdout = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        doc = import_sumo_net(net)
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
        f"from {display_name(net)}",
        markup=False,
    )
    return 0
