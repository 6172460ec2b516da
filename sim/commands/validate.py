"""``testzone validate``: check input files and report every problem."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from sim.model.bundle import ScenarioBundle
from sim.model.detect import LoadedFile, load_file
from sim.model.errors import ModelError
from sim.model.files import display_name
from sim.model.map import Map
from sim.model.permit import PermitFile
from sim.model.zone import ZoneSet


def describe(loaded: LoadedFile) -> str:
    """One-line summary of a valid file."""
    c = loaded.content
    if isinstance(c, ScenarioBundle):
        s = c.scenario
        return (
            f"scenario {s.name!r}: {len(s.agent)} agents, {len(s.flow)} flows, "
            f"{len(s.event)} events, {len(c.zones)} zones, {len(c.permits)} permits"
        )
    if isinstance(c, Map):
        counts: dict[str, int] = {}
        for e in c.elements:
            key = f"{e.kind}s"  # type: ignore[attr-defined]
            counts[key] = counts.get(key, 0) + 1
        parts = ", ".join(f"{n} {k}" for k, n in counts.items())
        return f"map {c.header.name!r}: {parts}"
    if isinstance(c, ZoneSet):
        return f"zones: {len(c.zones)} zones ({', '.join(z.id for z in c.zones)})"
    if isinstance(c, PermitFile):
        return f"permits: {', '.join(p.id for p in c.permit) or 'none'}"
    return loaded.kind


def run_validate(files: list[Path], quiet: bool = False) -> int:
    """Validate each file; return 0 if all are valid, else 2."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    failed = 0
    for path in files:
        try:
            loaded = load_file(path)
        except ModelError as exc:
            failed += 1
            for issue in exc.issues:
                err.print(str(issue), markup=False)
            continue
        if not quiet:
            out.print(f"ok  {display_name(path)}  ({describe(loaded)})", markup=False)
    if failed:
        err.print(f"{failed} of {len(files)} file(s) invalid", markup=False)
        return 2
    return 0
