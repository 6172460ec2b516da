"""``testzone replay TRACE``: the pygame replay viewer (see docs/viewer.md for the controls).

Exit codes: 0 closed normally, 2 invalid input (missing, truncated or corrupt trace, missing
map, bad option, no display to open a window on, a corrupt chunk met while playing).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console

from sim.commands.render import (
    PROBLEMS,
    UsageError,
    open_for_drawing,
    parse_size,
    parse_time,
    print_problem,
)


def run_replay(
    trace: Path,
    at: str | None = None,
    speed: float | None = None,
    size: str = "1280x800",
    select: str | None = None,
    map_path: Path | None = None,
    zone_paths: Sequence[Path] | None = None,
) -> int:
    """Open the viewer on ``trace``; return the exit code."""
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    import pygame

    from viz.app import Viewer

    try:
        window = parse_size(size)
        t = parse_time(at, "--at")
        if speed is not None and not speed > 0:
            raise UsageError(f"--speed: expected a positive number, got {speed:g}")
        with open_for_drawing(trace, map_path, zone_paths) as replay:
            if t is not None and not replay.t_first <= t <= replay.t_last:
                raise UsageError(
                    f"--at: {t:g} s is outside the trace, which has frames from "
                    f"{replay.t_first:g} s to {replay.t_last:g} s"
                )
            if select is not None and replay.agents.index_of(select) is None:
                raise UsageError(f"--select: no agent {select!r} in the trace")
            viewer = Viewer(replay, window)
            if t is not None:
                viewer.set_time(t)
            if speed is not None:
                viewer.view.speed = speed
            viewer.view.selected = select
            try:
                viewer.run()
            except pygame.error as exc:
                err.print(
                    f"cannot open a window: {exc} "
                    "(no display? `testzone render` draws without one)",
                    markup=False,
                )
                return 2
            if viewer.failure is not None:
                err.print(str(viewer.failure), markup=False)
                return 2
            return 0
    except PROBLEMS as exc:
        print_problem(err, exc)
        return 2
