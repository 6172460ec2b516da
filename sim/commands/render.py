"""``testzone render TRACE -o OUT``: a PNG of one instant, or a GIF or MP4 of an interval.

Headless (``SDL_VIDEODRIVER=dummy`` is set when no driver is chosen), drawn by the replay
viewer's own code (:mod:`viz`). Also holds what the ``replay``, ``report`` and ``demo`` commands
share: opening a trace for drawing, and parsing times, sizes and points.

Exit codes: 0 written, 2 invalid input (missing, truncated or corrupt trace, missing map,
bad time or option, unknown output type) with one ``file: message`` line per problem.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Sequence
from pathlib import Path

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

from sim.geo.localmap import LocalFrame
from sim.model.errors import ModelError
from sim.model.files import display_name
from sim.model.map import Map
from sim.model.units import parse_duration
from sim.trace import TraceError
from viz.replay import Replay, open_replay
from viz.scene import Projector, SceneError

OUTPUTS = (".png", ".gif", ".mp4")
DEFAULT_FPS = {".gif": 10.0, ".mp4": 30.0}
_CLOCK = re.compile(r"^\s*(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d*)?)\s*$")


class UsageError(ValueError):
    """A command-line value that cannot be used; the message names the option."""


def headless() -> None:
    """Let pygame draw without a display unless a video driver was chosen."""
    os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
    os.environ.setdefault("PYGAME_HIDE_SUPPORT_PROMPT", "1")


def projector(the_map: Map) -> Projector:
    """The map's lon/lat -> local metres projection (``sim.geo``), handed to ``viz``."""
    return LocalFrame.of_map(the_map).xy


def parse_time(text: str | None, option: str) -> float | None:
    """A time after the start: seconds (``90``), with a unit (``"5 min"``) or ``m:ss``/``h:mm:ss``.

    Raises:
        UsageError: naming ``option``.
    """
    if text is None:
        return None
    match = _CLOCK.match(text)
    if match:
        h, m, s = match.groups()
        value = int(h or 0) * 3600 + int(m) * 60 + float(s)
    else:
        try:
            value = float(parse_duration(text))
        except ValueError as exc:
            raise UsageError(f"{option}: {exc} (or m:ss)") from None
    if not math.isfinite(value):
        raise UsageError(f"{option}: expected a finite time, got {text!r}")
    return value


def parse_size(text: str, option: str = "--size") -> tuple[int, int]:
    """``WIDTHxHEIGHT`` in pixels, e.g. ``1280x720``.

    Raises:
        UsageError: naming ``option``.
    """
    match = re.fullmatch(r"\s*(\d+)\s*[xX]\s*(\d+)\s*", text)
    if not match:
        raise UsageError(f"{option}: expected WIDTHxHEIGHT in pixels like 1280x720, got {text!r}")
    w, h = int(match.group(1)), int(match.group(2))
    if not (160 <= w <= 7680 and 120 <= h <= 4320):
        raise UsageError(f"{option}: {w}x{h} is out of range (160x120 to 7680x4320)")
    return w, h


def parse_point(text: str | None, option: str = "--center") -> tuple[float, float] | None:
    """``X,Y`` in metres of the local frame.

    Raises:
        UsageError: naming ``option``.
    """
    if text is None:
        return None
    parts = text.split(",")
    try:
        if len(parts) != 2:
            raise ValueError
        x, y = float(parts[0]), float(parts[1])
    except ValueError:
        raise UsageError(f"{option}: expected X,Y in metres like 250,-400, got {text!r}") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise UsageError(f"{option}: expected finite coordinates, got {text!r}")
    return x, y


def print_problem(err: Console, exc: BaseException) -> None:
    """Print a trace, model, scene or usage problem as ``file: message`` lines."""
    if isinstance(exc, ModelError):
        for issue in exc.issues:
            err.print(str(issue), markup=False, highlight=False, soft_wrap=True)
    else:
        err.print(str(exc), markup=False, highlight=False, soft_wrap=True)


def check_output(out: Path, allowed: Sequence[str]) -> None:
    """Refuse an unknown suffix or a missing folder.

    Raises:
        UsageError: naming the file.
    """
    suffix = out.suffix.lower()
    if suffix not in allowed:
        raise UsageError(
            f"{display_name(out)}: unknown output type {out.suffix or '(none)'!r} "
            f"(expected {', '.join(allowed)})"
        )
    folder = out.parent if str(out.parent) else Path(".")
    if not folder.is_dir():
        raise UsageError(f"{display_name(out)}: the folder {str(folder)!r} does not exist")


def open_for_drawing(
    trace: Path, map_path: Path | None, zone_paths: Sequence[Path] | None
) -> Replay:
    """Open a trace with its map and zones for :mod:`viz` (see :func:`viz.replay.open_replay`).

    Raises:
        TraceError, ModelError, SceneError: the trace, map or zones cannot be used.
    """
    return open_replay(trace, projector, map_path, list(zone_paths) if zone_paths else None)


PROBLEMS = (TraceError, ModelError, SceneError, UsageError)
"""What a drawing command reports as invalid input (exit 2)."""


def progress_bar(console: Console, quiet: bool) -> Progress:
    """A rich progress bar like ``testzone run``'s."""
    return Progress(
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=False,
        disable=quiet,
    )


def run_render(
    trace: Path,
    output: Path,
    at: str | None = None,
    t_from: str | None = None,
    t_to: str | None = None,
    fps: float | None = None,
    speed: float | None = None,
    size: str = "1280x720",
    center: str | None = None,
    width: float | None = None,
    follow: str | None = None,
    select: str | None = None,
    no_chrome: bool = False,
    map_path: Path | None = None,
    zone_paths: Sequence[Path] | None = None,
    quiet: bool = False,
) -> int:
    """The ``render`` command; returns the exit code (0 written, 2 invalid input)."""
    headless()
    console = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    from viz.render import RenderError, RenderOptions, picture_at, render_video, write_png

    try:
        check_output(output, OUTPUTS)
        suffix = output.suffix.lower()
        t_at = parse_time(at, "--at")
        t0 = parse_time(t_from, "--from")
        t1 = parse_time(t_to, "--to")
        if suffix == ".png" and (t0 is not None or t1 is not None or fps is not None):
            raise UsageError(
                "--from, --to and --fps are for .gif and .mp4 outputs; a .png takes --at"
            )
        if suffix != ".png" and t_at is not None:
            raise UsageError("--at is for .png outputs; a video takes --from and --to")
        if width is not None and not (width > 0 and math.isfinite(width)):
            raise UsageError(f"--width: expected a positive number of metres, got {width:g}")
        options = RenderOptions(
            size=parse_size(size),
            chrome=not no_chrome,
            centre=parse_point(center),
            width_m=width,
            follow=follow,
            select=select,
            speed=speed if speed is not None else 10.0,
        )
        with open_for_drawing(trace, map_path, zone_paths) as replay:
            if suffix == ".png":
                t = replay.t_last if t_at is None else t_at
                write_png(picture_at(replay, t, options), output)
                console.print(f"wrote {display_name(output)} (t = {t:g} s)", markup=False)
                return 0
            start = replay.t_first if t0 is None else t0
            end = replay.t_last if t1 is None else t1
            rate = fps if fps is not None else DEFAULT_FPS[suffix]
            with progress_bar(console, quiet) as bar:
                task = bar.add_task(f"rendering {display_name(output)}", total=None)

                def step(done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                n = render_video(replay, output, start, end, rate, speed, options, step)
            console.print(
                f"wrote {display_name(output)}: {n} frames at {rate:g} fps, "
                f"t = {start:g} s to {end:g} s",
                markup=False,
            )
            return 0
    except RenderError as exc:
        err.print(f"{display_name(trace)}: {exc}", markup=False)
        return 2
    except PROBLEMS as exc:
        print_problem(err, exc)
        return 2
    except OSError as exc:
        err.print(
            f"{display_name(output)}: cannot write the file: {exc.strerror or exc}", markup=False
        )
        return 2
