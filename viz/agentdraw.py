"""Agents on the map: bodies with their true footprint and heading, trails, labels, highlights.

Footprints: a road vehicle is a ``length`` x ``width`` box behind its recorded position (the
engine records the front bumper), a ship a box centred on it, a UAV a disc of its span. Bodies
never shrink below :data:`MIN_HALF_LENGTH` x :data:`MIN_HALF_WIDTH` px (discs below
:data:`MIN_RADIUS`), so a zoomed-out view still shows every agent and its heading; zoomed in,
the true size takes over. The front of a box (and a line from a disc's centre) is lighter: the
heading. UAVs are coloured by their height above the ground below them.
"""

from __future__ import annotations

import math
from collections import OrderedDict
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pygame

from viz import colours
from viz.agents import (
    KIND_ICV,
    KIND_SHIP,
    KIND_UAV,
    STATUS_FAILED,
    AgentState,
    Trail,
    TrailSegments,
)
from viz.camera import Camera, layer_area, padded, shift
from viz.fonts import Fonts
from viz.raster import (
    MAX_STAMP_RADIUS,
    SHAPE_BOX,
    SHAPE_DISC,
    Pixels,
    StampBook,
    draw_bodies,
    draw_points,
    sample_segments,
)
from viz.replay import Replay

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]
I16 = npt.NDArray[np.int16]

MIN_HALF_LENGTH = 3.0
"""Smallest half-length of a box on screen (px)."""
MIN_HALF_WIDTH = 1.5
"""Smallest half-width of a box on screen (px)."""
MIN_RADIUS = 3.5
"""Smallest radius of a UAV's disc on screen (px)."""
MAX_LABELS = 40
"""UAVs are labelled (id, height) when at most this many are on screen."""
TRAIL_AGES = 3
"""Trails fade in this many steps with age."""
PIECE_CACHE = 48
"""Trail pieces kept as pixels for the current camera."""
_COLOURKEY = (1, 2, 3)

# colour classes: 0 background ICV, 1 tested ICV, 2 ship, 3 other, 4 failed, 8.. UAV heights
_CLASS_UAV = 8


@dataclass(frozen=True, slots=True)
class Placed:
    """The agents of a state where they are drawn (screen px), visible ones only.

    Attributes:
        rows: rows of the :class:`AgentState` drawn, in drawing order.
        sx: body centres, screen x (px).
        sy: body centres, screen y (px).
        radius: half-diagonal of each body on screen (px), for picking and rings.
    """

    rows: I64
    sx: F64
    sy: F64
    radius: F64


class AgentPainter:
    """Draws agents and trails of one replay; owns the stamp book and colour tables."""

    def __init__(self, replay: Replay, fonts: Fonts) -> None:
        """Prepare colour classes for the replay's agents."""
        self.replay = replay
        self.fonts = fonts
        self.book = StampBook()
        self._mapped: (
            tuple[int, npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.uint32]]
            | None
        ) = None
        ramp = colours.altitude_ramp()
        self._rgb: list[colours.RGB] = [
            colours.ICV_BACKGROUND,
            colours.ICV_TESTED,
            colours.SHIP,
            colours.ICV_BACKGROUND,
            colours.FAILED,
            colours.ICV_BACKGROUND,
            colours.ICV_BACKGROUND,
            colours.ICV_BACKGROUND,
        ] + [tuple(int(v) for v in c) for c in ramp]  # type: ignore[misc]
        self.last: Placed | None = None
        """What was drawn last (for picking agents with the mouse)."""
        self._layer: pygame.Surface | None = None
        self._layer_key: tuple[object, ...] | None = None
        self._anchor: Camera | None = None
        self._pieces: OrderedDict[tuple[int, int], tuple[I64, I64, I16]] = OrderedDict()
        self._sizes_scale: float | None = None
        self._shape = np.zeros(0, dtype=np.int64)
        self._class = np.zeros(0, dtype=np.int64)
        self._hl = np.zeros(0)
        self._hw = np.zeros(0)
        self._large_class = np.zeros(0, dtype=np.bool_)

    # --- colours ---------------------------------------------------------------------------

    def _tables(
        self, surface: pygame.Surface
    ) -> tuple[npt.NDArray[np.uint32], npt.NDArray[np.uint32], npt.NDArray[np.uint32]]:
        fmt = (surface.get_bitsize(), *surface.get_masks())
        key = hash(fmt)
        if self._mapped is None or self._mapped[0] != key:
            body = np.array([surface.map_rgb(c) for c in self._rgb], dtype=np.uint32)
            nose = np.array(
                [surface.map_rgb(colours.lighten(c, colours.NOSE_LIGHTEN)) for c in self._rgb],
                dtype=np.uint32,
            )
            trail = np.array(
                [
                    surface.map_rgb(
                        colours.fade(
                            c,
                            colours.TRAIL_ALPHA
                            + (1 - colours.TRAIL_ALPHA) * age / (TRAIL_AGES + 1),
                        )
                    )
                    for age in range(TRAIL_AGES)
                    for c in self._rgb
                ],
                dtype=np.uint32,
            )
            self._mapped = (key, body, nose, trail)
        return self._mapped[1], self._mapped[2], self._mapped[3]

    def classes(self, state: AgentState) -> I64:
        """The colour class of each agent of ``state``."""
        table = self.replay.agents
        kind = table.kind[state.ids]
        cls = np.full(len(state), 3, dtype=np.int64)
        cls[kind == KIND_ICV] = np.where(table.tested[state.ids][kind == KIND_ICV], 1, 0)
        cls[kind == KIND_SHIP] = 2
        uav = kind == KIND_UAV
        if uav.any():
            agl = self.replay.height_agl(state)
            cls[uav] = _CLASS_UAV + colours.altitude_index(agl[uav])
        cls[state.status == STATUS_FAILED] = 4
        return cls

    # --- geometry --------------------------------------------------------------------------

    def _sizes(self, camera: Camera) -> None:
        """Half-extents (px), shape and stamp size class of every agent at the camera's zoom."""
        if self._sizes_scale == camera.scale:
            return
        if self.book.full():
            self.book = StampBook()
        table = self.replay.agents
        uav = table.kind == KIND_UAV
        length = table.length.astype(np.float64)
        width = table.width.astype(np.float64)
        hl = np.maximum(0.5 * length * camera.scale, MIN_HALF_LENGTH)
        hw = np.maximum(0.5 * width * camera.scale, MIN_HALF_WIDTH)
        hl = np.where(uav, np.maximum(0.5 * length * camera.scale, MIN_RADIUS), hl)
        hw = np.where(uav, hl, hw)
        self._shape = np.where(uav, SHAPE_DISC, SHAPE_BOX).astype(np.int64)
        self._class = self.book.classes(self._shape, hl, hw)
        radius = np.array(self.book.radius)
        self._hl, self._hw = hl, hw
        self._large_class = radius > MAX_STAMP_RADIUS
        self._sizes_scale = camera.scale

    def footprints(self, state: AgentState, camera: Camera) -> tuple[F64, F64, F64, F64, I64]:
        """Body centres (screen px), half-length, half-width (px) and shape code per agent."""
        self._sizes(camera)
        table = self.replay.agents
        ids = state.ids
        kind = table.kind[ids]
        x = state.x.astype(np.float64)
        y = state.y.astype(np.float64)
        icv = kind == KIND_ICV
        if icv.any():  # recorded at the front bumper: the body's centre is half a length back
            h = state.heading.astype(np.float64)
            half = 0.5 * table.length[ids].astype(np.float64)
            x = x - np.where(icv, half * np.cos(h), 0.0)
            y = y - np.where(icv, half * np.sin(h), 0.0)
        sx, sy = camera.to_screen(x, y)
        return sx, sy, self._hl[ids], self._hw[ids], self._shape[ids]

    # --- drawing ---------------------------------------------------------------------------

    def draw(
        self,
        surface: pygame.Surface,
        camera: Camera,
        state: AgentState,
        trail: Trail | None,
    ) -> Placed:
        """Draw trails and bodies into the camera's viewport; return what was placed where."""
        body_tab, nose_tab, trail_tab = self._tables(surface)
        clip = (camera.left, camera.top, camera.left + camera.width, camera.top + camera.height)
        cls = self.classes(state)
        sx, sy, hl, hw, shape = self.footprints(state, camera)
        size_class = self._class[state.ids]
        radius = np.hypot(hl, hw)
        visible = (
            (sx + radius >= clip[0])
            & (sx - radius < clip[2])
            & (sy + radius >= clip[1])
            & (sy - radius < clip[3])
        )
        rows = np.nonzero(visible)[0]
        # drawing order: background traffic, ships, tested ICVs, then UAVs from low to high
        # (a 16-bit key: numpy sorts it by radix, in linear time)
        prio = np.select([cls == 0, cls == 2, cls == 1, cls >= _CLASS_UAV], [0, 1, 2, 3], 2)
        z = np.where(cls >= _CLASS_UAV, np.clip(state.z, 0, 4095), 0).astype(np.int16)
        key = (prio.astype(np.int16) << 12) | z
        rows = rows[np.argsort(key[rows], kind="stable")]
        large_rows = self._large_class[size_class[rows]]
        if trail is not None and trail.pieces:
            self._blit_trails(surface, camera, trail, trail_tab)
        array = pygame.surfarray.pixels2d(surface)
        try:
            pixels = Pixels(array)
            if trail is not None:
                self._piece(pixels, clip, camera, trail.live, trail_tab, 0)
            small = rows[~large_rows]
            draw_bodies(
                pixels,
                clip,
                self.book,
                sx[small],
                sy[small],
                size_class[small],
                state.heading[small].astype(np.float64),
                body_tab[cls[small]],
                nose_tab[cls[small]],
            )
        finally:
            del pixels, array
        if large_rows.any():
            surface.set_clip(pygame.Rect(*clip[:2], camera.width, camera.height))
            for r in rows[large_rows].tolist():
                self._exact(
                    surface,
                    sx[r],
                    sy[r],
                    hl[r],
                    hw[r],
                    float(state.heading[r]),
                    int(shape[r]),
                    self._rgb[int(cls[r])],
                )
            surface.set_clip(None)
        placed = Placed(rows, sx[rows], sy[rows], radius[rows])
        self.last = placed
        return placed

    def _trail_classes(self, agent: npt.NDArray[np.int32]) -> I64:
        table = self.replay.agents
        kind = table.kind[agent]
        return np.select(
            [kind == KIND_ICV, kind == KIND_SHIP, kind == KIND_UAV],
            [np.where(table.tested[agent], 1, 0), 2, _CLASS_UAV + 40],
            3,
        ).astype(np.int64)

    def _piece_pixels(self, camera: Camera, seg: TrailSegments) -> tuple[I64, I64, I16]:
        """Pixels and colour classes of one trail piece.

        The pixels are those of ``camera``'s own surface (a padded layer).
        """
        x0, y0 = camera.to_screen(seg.x0, seg.y0)
        x1, y1 = camera.to_screen(seg.x1, seg.y1)
        w, h = camera.width, camera.height
        on = ~(
            ((x0 < 0) & (x1 < 0))
            | ((x0 >= w) & (x1 >= w))
            | ((y0 < 0) & (y1 < 0))
            | ((y0 >= h) & (y1 >= h))
        )
        px, py, which = sample_segments(x0[on], y0[on], x1[on], y1[on])
        ix = np.floor(px).astype(np.int64)
        iy = np.floor(py).astype(np.int64)
        ok = (ix >= 0) & (ix < w) & (iy >= 0) & (iy < h)
        cls = self._trail_classes(seg.agent[on])[which[ok]]
        return ix[ok], iy[ok], cls.astype(np.int16)

    def _blit_trails(
        self,
        surface: pygame.Surface,
        camera: Camera,
        trail: Trail,
        trail_tab: npt.NDArray[np.uint32],
    ) -> None:
        """Put the recorded pieces of the trails on ``surface``.

        They are drawn on a colour-keyed layer with a margin around the view and cached per
        camera anchor and pieces: moving on by a frame computes one new piece, panning within
        the margin only shifts the layer.
        """
        keys = tuple(k for k, _ in trail.pieces)
        offset = shift(self._anchor, camera) if self._anchor is not None else None
        if offset is None:
            self._anchor = padded(camera)
            self._pieces.clear()
            self._layer_key = None
            offset = (0, 0)
        anchor = self._anchor
        assert anchor is not None
        if self._layer is None or self._layer_key != keys:
            size = (anchor.width, anchor.height)
            if self._layer is None or self._layer.get_size() != size:
                self._layer = pygame.Surface(size, 0, surface)
                self._layer.set_colorkey(_COLOURKEY)
            self._layer.fill(_COLOURKEY)
            array = pygame.surfarray.pixels2d(self._layer)
            try:
                pixels = Pixels(array)
                n = len(trail.pieces)
                for number, (key, seg) in enumerate(trail.pieces):
                    hit = self._pieces.get(key)
                    if hit is None:
                        hit = self._piece_pixels(anchor, seg)
                        self._pieces[key] = hit
                        if len(self._pieces) > PIECE_CACHE:
                            self._pieces.popitem(last=False)
                    xs, ys, cls = hit
                    age = min(TRAIL_AGES - 1, (n - 1 - number) * TRAIL_AGES // max(n, 1))
                    pixels.put(xs, ys, trail_tab[age * len(self._rgb) + cls])
            finally:
                del pixels, array
            self._layer_key = keys
        surface.blit(
            self._layer, (camera.left, camera.top), pygame.Rect(*layer_area(camera, offset))
        )

    def _piece(
        self,
        pixels: Pixels,
        clip: tuple[int, int, int, int],
        camera: Camera,
        seg: TrailSegments,
        trail_tab: npt.NDArray[np.uint32],
        age: int,
    ) -> None:
        """Draw one trail piece straight into the canvas (the live piece)."""
        if len(seg) == 0:
            return
        x0, y0 = camera.to_screen(seg.x0, seg.y0)
        x1, y1 = camera.to_screen(seg.x1, seg.y1)
        px, py, which = sample_segments(x0, y0, x1, y1, max_samples=16)
        colour = trail_tab[age * len(self._rgb) + self._trail_classes(seg.agent)[which]]
        draw_points(pixels, clip, px, py, colour)

    @staticmethod
    def _exact(
        surface: pygame.Surface,
        sx: float,
        sy: float,
        hl: float,
        hw: float,
        heading: float,
        shape: int,
        rgb: colours.RGB,
    ) -> None:
        c, s = math.cos(heading), math.sin(heading)
        fx, fy = c, -s  # forward on screen
        lx, ly = s, c  # to the right on screen
        if shape == SHAPE_DISC:
            pygame.draw.circle(surface, rgb, (sx, sy), hl)
            pygame.draw.line(
                surface,
                colours.lighten(rgb, colours.NOSE_LIGHTEN),
                (sx, sy),
                (sx + fx * hl, sy + fy * hl),
                2,
            )
            return

        def box(a: float, b: float) -> list[tuple[float, float]]:
            return [
                (sx + fx * a + lx * hw, sy + fy * a + ly * hw),
                (sx + fx * b + lx * hw, sy + fy * b + ly * hw),
                (sx + fx * b - lx * hw, sy + fy * b - ly * hw),
                (sx + fx * a - lx * hw, sy + fy * a - ly * hw),
            ]

        pygame.draw.polygon(surface, rgb, box(-hl, hl))
        pygame.draw.polygon(
            surface, colours.lighten(rgb, colours.NOSE_LIGHTEN), box(hl - 0.6 * hl, hl)
        )

    # --- rings and labels --------------------------------------------------------------------

    def ring(
        self,
        surface: pygame.Surface,
        camera: Camera,
        placed: Placed,
        row: int,
        colour: colours.RGB,
        width: int = 2,
    ) -> None:
        """A ring around the agent in ``row`` of the state, if it was drawn."""
        hit = np.nonzero(placed.rows == row)[0]
        if not len(hit):
            return
        k = int(hit[0])
        surface.set_clip(pygame.Rect(camera.left, camera.top, camera.width, camera.height))
        pygame.draw.circle(
            surface, colour, (placed.sx[k], placed.sy[k]), placed.radius[k] + 5, width
        )
        surface.set_clip(None)

    def labels(
        self,
        surface: pygame.Surface,
        camera: Camera,
        state: AgentState,
        placed: Placed,
        always: set[int],
    ) -> None:
        """Label UAVs with id and height (when few are on screen) and the agents in ``always``."""
        table = self.replay.agents
        kinds = table.kind[state.ids[placed.rows]]
        uav_k = np.nonzero(kinds == KIND_UAV)[0]
        chosen = set(uav_k.tolist()) if len(uav_k) <= MAX_LABELS else set()
        chosen |= {int(k) for k in np.nonzero(np.isin(placed.rows, list(always)))[0]}
        if not chosen:
            return
        agl = self.replay.height_agl(state)
        surface.set_clip(pygame.Rect(camera.left, camera.top, camera.width, camera.height))
        for k in sorted(chosen):
            r = int(placed.rows[k])
            name = table.ids[int(state.ids[r])]
            text = f"{name}  {agl[r]:.0f} m" if kinds[k] == KIND_UAV else name
            pos = (int(placed.sx[k] + placed.radius[k] + 4), int(placed.sy[k] - 7))
            shadow = self.fonts.render(text, 14, colours.BACKGROUND)
            surface.blit(shadow, (pos[0] + 1, pos[1] + 1))
            self.fonts.blit(surface, text, pos, 14, (20, 20, 20))
        surface.set_clip(None)

    def pick(self, sx: float, sy: float, slack: float = 6.0) -> int | None:
        """The state row of the agent drawn nearest to screen point ``(sx, sy)``, if close."""
        placed = self.last
        if placed is None or len(placed.rows) == 0:
            return None
        d = np.hypot(placed.sx - sx, placed.sy - sy)
        k = int(np.argmin(d))
        if d[k] > placed.radius[k] + slack:
            return None
        return int(placed.rows[k])
