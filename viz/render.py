"""Headless renders of a replay: a PNG of one instant, a GIF or MP4 of an interval.

Every picture is drawn by :class:`viz.app.Viewer` (the window's own code) on an off-screen
canvas; set ``SDL_VIDEODRIVER=dummy`` where there is no display. Files are written to a
temporary name next to the target and renamed into place when complete. The same trace and
options give the same pixels (and, for PNG and GIF, the same bytes).

- PNG: :mod:`imageio` (Pillow).
- GIF: every frame is mapped onto one 255-colour palette taken from frames across the interval,
  so colours do not flicker; each frame stores only what changed, streamed to the file.
- MP4: H.264 through :mod:`imageio`'s ffmpeg plugin (``imageio-ffmpeg``), frames streamed.
"""

from __future__ import annotations

import math
import os
import struct
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pygame

from viz.app import Viewer
from viz.replay import Replay
from viz.view import ViewState

U8 = npt.NDArray[np.uint8]
Progress = Callable[[int, int], None]
"""Called with (frames done, frames in all) while a video is written."""

FORMATS = {".png": "png", ".gif": "gif", ".mp4": "mp4"}
"""Output suffixes and what they make."""
MAX_VIDEO_FRAMES = 20_000
"""More frames than this is refused (a mistyped speed, not a wish)."""
DEFAULT_VIDEO_SECONDS = 20.0
"""Without a speed, a video lasts at most this long (s)."""
_TRANSPARENT = 255
"""GIF palette index of unchanged pixels (the palette has 255 colours)."""


class RenderError(ValueError):
    """Options that cannot be rendered (times outside the trace, too many frames ...)."""


@dataclass(frozen=True, slots=True)
class RenderOptions:
    """What a render shows.

    Attributes:
        size: picture size (px).
        chrome: draw the timeline, agent panel and event list (else the map alone).
        centre: local x, y (m) to centre on; None fits the map.
        width_m: metres across the map view; None fits the map.
        follow: an agent id to select and keep in the centre.
        select: an agent id to select (ring, label and panel) without following it.
        speed: run seconds per second of video (also sets how long breaches flash).
        layers: layers to hide (names of :data:`viz.view.LAYERS`).
    """

    size: tuple[int, int] = (1280, 720)
    chrome: bool = True
    centre: tuple[float, float] | None = None
    width_m: float | None = None
    follow: str | None = None
    select: str | None = None
    speed: float = 10.0
    hidden_layers: tuple[str, ...] = ()


def viewer_for(replay: Replay, options: RenderOptions) -> Viewer:
    """A viewer on an off-screen canvas set up as ``options`` say."""
    viewer = Viewer(replay, options.size, chrome=options.chrome)
    v: ViewState = viewer.view
    v.speed = options.speed
    for name in options.hidden_layers:
        v.layers[name] = False
    cam = v.camera
    if options.centre is not None or options.width_m is not None:
        bx0, by0, bx1, by1 = replay.bounds()
        cx, cy = (
            options.centre if options.centre is not None else ((bx0 + bx1) / 2, (by0 + by1) / 2)
        )
        cam.show(cx, cy, options.width_m if options.width_m is not None else cam.width / cam.scale)
    if options.select is not None:
        if replay.agents.index_of(options.select) is None:
            raise RenderError(f"--select: no agent {options.select!r} in the trace")
        v.selected = options.select
    if options.follow is not None:
        if replay.agents.index_of(options.follow) is None:
            raise RenderError(f"--follow: no agent {options.follow!r} in the trace")
        v.selected = options.follow
        v.follow = True
    return viewer


def frame_rgb(viewer: Viewer) -> U8:
    """Draw the viewer's current view; the picture as an ``(h, w, 3)`` uint8 array.

    Raises:
        TraceError: when the frame could not be read (a render never shows an error banner).
    """
    canvas = viewer.draw()
    if viewer.failure is not None:
        raise viewer.failure
    w, h = canvas.get_size()
    return np.frombuffer(pygame.image.tobytes(canvas, "RGB"), dtype=np.uint8).reshape(h, w, 3)


def picture_at(replay: Replay, t: float, options: RenderOptions = RenderOptions()) -> U8:
    """The picture at ``t`` (s) as an ``(h, w, 3)`` uint8 array."""
    check_time(replay, t, "--at")
    viewer = viewer_for(replay, options)
    viewer.set_time(t)
    return frame_rgb(viewer)


def check_time(replay: Replay, t: float, option: str) -> None:
    """Raise :class:`RenderError` unless ``t`` (s) lies within the recorded frames."""
    if not math.isfinite(t):
        raise RenderError(f"{option}: expected a time in seconds, got {t}")
    lo, hi = replay.t_first, replay.t_last
    if not lo - 1e-9 <= t <= hi + 1e-9:
        raise RenderError(
            f"{option}: {t:g} s is outside the trace, which has frames from {lo:g} s to {hi:g} s"
        )


def video_times(t0: float, t1: float, fps: float, speed: float | None) -> npt.NDArray[np.float64]:
    """The run times (s) of a video's frames from ``t0`` to ``t1``.

    At ``fps`` frames per second and ``speed`` run seconds per video second (default: the video
    lasts up to 20 s).
    """
    if fps <= 0 or not math.isfinite(fps):
        raise RenderError(f"--fps: expected a positive number, got {fps:g}")
    if t1 <= t0:
        raise RenderError(f"--to ({t1:g} s) must be after --from ({t0:g} s)")
    if speed is None:
        speed = max(1.0, (t1 - t0) / DEFAULT_VIDEO_SECONDS)
    if speed <= 0 or not math.isfinite(speed):
        raise RenderError(f"--speed: expected a positive number, got {speed:g}")
    n = math.floor((t1 - t0) / speed * fps + 1e-9) + 1
    if n > MAX_VIDEO_FRAMES:
        raise RenderError(
            f"that is {n:,} frames (more than {MAX_VIDEO_FRAMES:,}): raise --speed or lower --fps"
        )
    return t0 + np.arange(n) * (speed / fps)


def part_path(out: Path) -> Path:
    """The temporary file an output is written to (same folder, same suffix)."""
    return out.with_name(f".{out.stem}.part{out.suffix}")


def _replace(tmp: Path, out: Path) -> None:
    os.replace(tmp, out)


def write_png(rgb: U8, out: Path) -> None:
    """Write a picture as PNG, atomically."""
    import imageio.v3 as iio

    tmp = part_path(out)
    try:
        iio.imwrite(tmp, rgb, extension=".png")
        _replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def _frames(
    viewer: Viewer, times: npt.NDArray[np.float64], progress: Progress | None
) -> Iterator[U8]:
    viewer.view.playing = True
    for k, t in enumerate(times):
        viewer.set_time(float(t))
        yield frame_rgb(viewer)
        if progress is not None:
            progress(k + 1, len(times))


def write_gif(
    viewer: Viewer,
    times: npt.NDArray[np.float64],
    fps: float,
    out: Path,
    progress: Progress | None = None,
) -> None:
    """Write the frames at ``times`` as a looping GIF, atomically, one frame at a time.

    All frames share one 255-colour palette taken from frames across the interval; index 255 is
    transparent, so each frame after the first stores only the box of pixels that changed, with
    the unchanged ones inside it transparent. Memory holds two frames, however long the video.
    """
    from PIL import GifImagePlugin, Image

    samples = []
    for t in np.unique(times[np.linspace(0, len(times) - 1, min(len(times), 5)).astype(int)]):
        viewer.set_time(float(t))
        samples.append(frame_rgb(viewer)[::2, ::2])
    palette = Image.fromarray(np.concatenate(samples, axis=0)).quantize(
        colors=255, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
    )
    table = bytes(palette.getpalette() or [])[: 255 * 3].ljust(256 * 3, b"\0")
    delay = max(round(1000 / fps), 20)  # ms; GIF counts in 1/100 s, browsers clamp below 20 ms
    tmp = part_path(out)
    try:
        with open(tmp, "wb") as fh:
            prev: npt.NDArray[np.uint8] | None = None
            for rgb in _frames(viewer, times, progress):
                index = np.asarray(
                    Image.fromarray(rgb).quantize(palette=palette, dither=Image.Dither.NONE),
                    dtype=np.uint8,
                )
                h, w = index.shape
                if prev is None:
                    fh.write(b"GIF89a" + struct.pack("<HHBBB", w, h, 0xF7, 0, 0) + table)
                    fh.write(b"!\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")  # loop forever
                    box, crop, extra = (0, 0), index, {}
                else:
                    changed = index != prev
                    rows = np.nonzero(changed.any(axis=1))[0]
                    cols = np.nonzero(changed.any(axis=0))[0]
                    if len(rows) == 0:  # nothing moved: one transparent pixel keeps the timing
                        box, crop = (0, 0), np.full((1, 1), _TRANSPARENT, dtype=np.uint8)
                    else:
                        y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
                        crop = index[y0:y1, x0:x1].copy()
                        crop[~changed[y0:y1, x0:x1]] = _TRANSPARENT
                        box = (int(x0), int(y0))
                    extra = {"transparency": _TRANSPARENT}
                image = Image.frombytes("P", (crop.shape[1], crop.shape[0]), crop.tobytes())
                for part in GifImagePlugin.getdata(image, box, duration=delay, disposal=1, **extra):
                    fh.write(part)
                prev = index
            fh.write(b";")
        _replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def write_mp4(
    viewer: Viewer,
    times: npt.NDArray[np.float64],
    fps: float,
    out: Path,
    progress: Progress | None = None,
) -> None:
    """Write the frames at ``times`` as an H.264 MP4 (ffmpeg via imageio-ffmpeg), atomically.

    Raises:
        RenderError: when imageio-ffmpeg is not installed.
    """
    try:
        import imageio.v2 as iio2
        import imageio_ffmpeg  # noqa: F401 - imported to fail early with a clear message
    except ImportError:
        raise RenderError("MP4 output needs imageio-ffmpeg: pip install imageio-ffmpeg") from None
    tmp = part_path(out)
    try:
        writer = iio2.get_writer(
            tmp,
            format="FFMPEG",
            mode="I",
            fps=fps,
            codec="libx264",
            pixelformat="yuv420p",
            macro_block_size=2,
            ffmpeg_log_level="error",
            output_params=["-threads", "1", "-fflags", "+bitexact"],
        )
        try:
            for rgb in _frames(viewer, times, progress):
                writer.append_data(rgb)
        finally:
            writer.close()
        _replace(tmp, out)
    finally:
        tmp.unlink(missing_ok=True)


def render_video(
    replay: Replay,
    out: Path,
    t0: float,
    t1: float,
    fps: float,
    speed: float | None = None,
    options: RenderOptions = RenderOptions(),
    progress: Progress | None = None,
) -> int:
    """Render ``[t0, t1]`` (s) to ``out`` (``.gif`` or ``.mp4``); return the number of frames.

    Raises:
        RenderError: for times outside the trace, a bad fps or speed, an unknown suffix.
    """
    check_time(replay, t0, "--from")
    check_time(replay, t1, "--to")
    times = video_times(t0, t1, fps, speed)
    kind = FORMATS.get(out.suffix.lower())
    size = options.size
    if kind == "mp4":  # yuv420p needs even sizes
        size = (size[0] - size[0] % 2, size[1] - size[1] % 2)
    run_speed = speed if speed is not None else max(1.0, (t1 - t0) / DEFAULT_VIDEO_SECONDS)
    viewer = viewer_for(replay, replace(options, size=size, speed=run_speed))
    if kind == "gif":
        write_gif(viewer, times, fps, out, progress)
    elif kind == "mp4":
        write_mp4(viewer, times, fps, out, progress)
    else:
        raise RenderError(
            f"{out}: unknown output type {out.suffix!r} (expected .png, .gif or .mp4)"
        )
    return len(times)
