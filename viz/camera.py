"""The camera: which part of the local ENU frame (m) is shown where on the screen (px).

Screen pixels grow to the right and down; the map is drawn north up, so a point's screen ``y``
falls as its ``y`` (north, m) rises. The camera is a plain value object: panning and zooming
return nothing and change the camera in place, and :meth:`Camera.copy` gives an independent one.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]

MIN_SCALE = 1e-4
"""Smallest zoom (px per m): about 10,000 km across a 1,000 px view."""
MAX_SCALE = 200.0
"""Largest zoom (px per m): a car fills the screen."""


@dataclass(slots=True)
class Camera:
    """A north-up view of the local frame.

    Attributes:
        cx: local x (m) shown at the viewport's centre.
        cy: local y (m) shown at the viewport's centre.
        scale: zoom (px per m).
        left: the viewport's left edge on the surface (px).
        top: the viewport's top edge on the surface (px).
        width: the viewport's width (px).
        height: the viewport's height (px).
    """

    cx: float = 0.0
    cy: float = 0.0
    scale: float = 1.0
    left: int = 0
    top: int = 0
    width: int = 800
    height: int = 600

    def copy(self) -> Camera:
        """An independent copy."""
        return replace(self)

    # --- transforms ------------------------------------------------------------------------

    def to_screen(self, x: F64 | float, y: F64 | float) -> tuple[F64, F64]:
        """Local x, y (m) to surface pixel coordinates (px, float; pixel i spans [i, i+1))."""
        sx = (np.asarray(x, dtype=np.float64) - self.cx) * self.scale + (self.left + self.width / 2)
        sy = (self.top + self.height / 2) - (np.asarray(y, dtype=np.float64) - self.cy) * self.scale
        return sx, sy

    def to_world(self, sx: float, sy: float) -> tuple[float, float]:
        """Surface pixel coordinates (px) to local x, y (m)."""
        x = self.cx + (sx - (self.left + self.width / 2)) / self.scale
        y = self.cy - (sy - (self.top + self.height / 2)) / self.scale
        return x, y

    def contains(self, sx: float, sy: float) -> bool:
        """Whether a surface pixel (px) lies in the viewport."""
        return self.left <= sx < self.left + self.width and self.top <= sy < self.top + self.height

    def world_bounds(self) -> tuple[float, float, float, float]:
        """The visible part of the frame as ``(xmin, ymin, xmax, ymax)`` (m)."""
        half_w = self.width / 2 / self.scale
        half_h = self.height / 2 / self.scale
        return self.cx - half_w, self.cy - half_h, self.cx + half_w, self.cy + half_h

    # --- moving ----------------------------------------------------------------------------

    def pan(self, dx_px: float, dy_px: float) -> None:
        """Move the picture by ``(dx_px, dy_px)`` pixels (a drag to the right moves it right)."""
        self.cx -= dx_px / self.scale
        self.cy += dy_px / self.scale

    def zoom(self, factor: float, sx: float | None = None, sy: float | None = None) -> None:
        """Zoom by ``factor`` (> 1 closer) keeping the world point under pixel ``(sx, sy)``.

        Without a pixel the viewport's centre stays put. The scale is clamped to
        [:data:`MIN_SCALE`, :data:`MAX_SCALE`] px per m.
        """
        if sx is None or sy is None:
            sx, sy = self.left + self.width / 2, self.top + self.height / 2
        wx, wy = self.to_world(sx, sy)
        self.scale = min(max(self.scale * factor, MIN_SCALE), MAX_SCALE)
        nx, ny = self.to_world(sx, sy)
        self.cx += wx - nx
        self.cy += wy - ny

    def fit(self, bounds: tuple[float, float, float, float], margin: float = 0.05) -> None:
        """Centre on ``bounds`` ``(xmin, ymin, xmax, ymax)`` (m) and zoom so they fill the view.

        Args:
            bounds: the box to show (m).
            margin: the share of the viewport left free on each side.
        """
        xmin, ymin, xmax, ymax = bounds
        self.cx = (xmin + xmax) / 2
        self.cy = (ymin + ymax) / 2
        span_x = max(xmax - xmin, 1.0)
        span_y = max(ymax - ymin, 1.0)
        usable = 1.0 - 2 * margin
        scale = min(self.width * usable / span_x, self.height * usable / span_y)
        self.scale = min(max(scale, MIN_SCALE), MAX_SCALE)

    def show(self, x: float, y: float, width_m: float) -> None:
        """Centre on ``(x, y)`` (m) and zoom so ``width_m`` metres span the viewport's width."""
        self.cx, self.cy = float(x), float(y)
        self.scale = min(max(self.width / max(width_m, 1e-6), MIN_SCALE), MAX_SCALE)

    def metres_per_pixel(self) -> float:
        """The size of one pixel on the ground (m)."""
        return 1.0 / self.scale


def nice_length(max_m: float) -> float:
    """The largest 1, 2 or 5 x 10^k metres not above ``max_m`` (for a scale bar; m)."""
    if max_m <= 0 or not math.isfinite(max_m):
        return 1.0
    power = 10.0 ** math.floor(math.log10(max_m))
    for step in (5.0, 2.0, 1.0):
        if step * power <= max_m:
            return step * power
    return power


MARGIN_PX = 160
"""Cached layers are drawn this far (px) beyond the viewport, so a pan can reuse them."""


def padded(camera: Camera, margin: int = MARGIN_PX) -> Camera:
    """A camera for an off-screen layer: same centre and zoom, ``margin`` px more each side.

    Its own origin is (0, 0).
    """
    return Camera(
        camera.cx,
        camera.cy,
        camera.scale,
        0,
        0,
        camera.width + 2 * margin,
        camera.height + 2 * margin,
    )


def shift(anchor: Camera, camera: Camera, margin: int = MARGIN_PX) -> tuple[int, int] | None:
    """How far (px) a layer drawn with ``padded(anchor)`` must move to fit ``camera``.

    None when it cannot be reused: another zoom or size, or panned beyond the margin.
    """
    if anchor.scale != camera.scale or anchor.width != camera.width + 2 * margin:
        return None
    if anchor.height != camera.height + 2 * margin:
        return None
    ox = round((anchor.cx - camera.cx) * camera.scale)
    oy = round((camera.cy - anchor.cy) * camera.scale)
    if abs(ox) > margin or abs(oy) > margin:
        return None
    return ox, oy


def layer_area(
    camera: Camera, offset: tuple[int, int], margin: int = MARGIN_PX
) -> tuple[int, int, int, int]:
    """The part ``(x, y, w, h)`` (px) of a padded layer that covers ``camera``'s viewport."""
    return margin - offset[0], margin - offset[1], camera.width, camera.height
