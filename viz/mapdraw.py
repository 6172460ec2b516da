"""The background: map layers and fences, drawn once per view and reused until it changes.

The picture depends only on the camera, the visible layers and the zones' state (active,
flashing), so it is cached: playing a replay with a still camera redraws it only when a zone
switches or flashes, and panning reuses it shifted until the margin drawn around the view runs
out (:data:`~viz.camera.MARGIN_PX`).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import pygame

from viz import colours
from viz.camera import Camera, layer_area, padded, shift
from viz.fonts import Fonts
from viz.replay import Replay, ZoneState
from viz.scene import Line

F64 = npt.NDArray[np.float64]
LIMIT_PX = 1.0e7
"""Screen coordinates are clamped to +-this (px) before SDL sees them."""
DASH_PX = 8.0
"""Dash length of inactive zones' outlines (px)."""


def screen_points(camera: Camera, xy: F64, dx: float = 0.0, dy: float = 0.0) -> list[list[float]]:
    """Local ``(n, 2)`` metres to screen points, shifted by ``(dx, dy)`` px."""
    sx, sy = camera.to_screen(xy[:, 0], xy[:, 1])
    pts = np.column_stack([sx + dx, sy + dy])
    return np.clip(pts, -LIMIT_PX, LIMIT_PX).tolist()  # type: ignore[no-any-return]


def dashed(
    surface: pygame.Surface, colour: colours.RGB, pts: Sequence[Sequence[float]], width: int = 1
) -> None:
    """A closed dashed outline through ``pts`` (px)."""
    n = len(pts)
    carry = 0.0
    for k in range(n):
        x0, y0 = pts[k]
        x1, y1 = pts[(k + 1) % n]
        seg = float(np.hypot(x1 - x0, y1 - y0))
        if seg > 4 * LIMIT_PX:
            continue
        pos = -carry
        while pos < seg:
            a = max(pos, 0.0)
            b = min(pos + DASH_PX, seg)
            if b > a and seg > 0:
                pygame.draw.line(
                    surface,
                    colour,
                    (x0 + (x1 - x0) * a / seg, y0 + (y1 - y0) * a / seg),
                    (x0 + (x1 - x0) * b / seg, y0 + (y1 - y0) * b / seg),
                    width,
                )
            pos += 2 * DASH_PX
        carry = pos - seg - DASH_PX if pos - seg > DASH_PX else 0.0


class MapPainter:
    """Draws (and caches) the map view's background for one replay."""

    def __init__(self, replay: Replay, fonts: Fonts) -> None:
        """Prepare bounding boxes of the map's lines for culling."""
        self.replay = replay
        self.fonts = fonts
        self._key: tuple[object, ...] | None = None
        self._anchor: Camera | None = None
        self._surface: pygame.Surface | None = None
        m = replay.map
        self._boxes: dict[str, F64] = {}
        if m is not None:
            for name, lines in (
                ("road", m.roads),
                ("air", m.corridors),
                ("water", m.waterways),
                ("rail", m.railways),
            ):
                self._boxes[name] = _line_boxes(lines)
        self.renders = 0
        """How many times the background was drawn (not taken from the cache)."""

    def blit(
        self,
        target: pygame.Surface,
        camera: Camera,
        layers: dict[str, bool],
        zones: ZoneState,
    ) -> None:
        """Put the background of the map view on ``target``.

        It is drawn with :data:`~viz.camera.MARGIN_PX` to spare around the viewport and
        reused, shifted, while the camera only pans within that margin and nothing else changes.
        """
        key = (tuple(sorted(layers.items())), zones)
        offset = (
            shift(self._anchor, camera) if self._anchor is not None and key == self._key else None
        )
        if offset is None:
            self._anchor = padded(camera)
            size = (self._anchor.width, self._anchor.height)
            if self._surface is None or self._surface.get_size() != size:
                self._surface = pygame.Surface(size, 0, 32)
            self._draw(self._surface, self._anchor, layers, zones)
            self._key = key
            self.renders += 1
            offset = (0, 0)
        assert self._surface is not None
        target.blit(
            self._surface, (camera.left, camera.top), pygame.Rect(*layer_area(camera, offset))
        )

    # --- drawing ---------------------------------------------------------------------------

    def _visible(self, name: str, cam: Camera) -> npt.NDArray[np.intp]:
        boxes = self._boxes.get(name)
        if boxes is None or len(boxes) == 0:
            return np.zeros(0, dtype=np.intp)
        xmin, ymin, xmax, ymax = cam.world_bounds()
        ok = (
            (boxes[:, 2] >= xmin)
            & (boxes[:, 0] <= xmax)
            & (boxes[:, 3] >= ymin)
            & (boxes[:, 1] <= ymax)
        )
        return np.nonzero(ok)[0]

    def _bands(
        self,
        target: pygame.Surface,
        cam: Camera,
        lines: list[Line],
        name: str,
        fill: colours.RGB | tuple[int, int, int, int],
        centre: colours.RGB | None,
        min_width: int = 1,
    ) -> None:
        for k in self._visible(name, cam).tolist():
            line = lines[k]
            pts = screen_points(cam, line.xy)
            w = max(round(line.width * cam.scale), min_width)
            pygame.draw.lines(target, fill, False, pts, w)
            if w >= 4:
                r = w // 2
                for p in pts[1:-1]:
                    pygame.draw.circle(target, fill, p, r)
            if centre is not None:
                pygame.draw.lines(target, centre, False, pts, 1)

    def _draw(
        self, surf: pygame.Surface, cam: Camera, layers: dict[str, bool], zs: ZoneState
    ) -> None:
        surf.fill(colours.BACKGROUND)
        m = self.replay.map
        overlay = pygame.Surface(surf.get_size(), pygame.SRCALPHA, 32)
        if m is not None:
            if layers.get("water", True):
                self._bands(surf, cam, m.waterways, "water", colours.WATER, None, 2)
                for p in screen_points(cam, m.berths):
                    pygame.draw.rect(
                        surf, colours.BERTH, pygame.Rect(int(p[0]) - 3, int(p[1]) - 3, 7, 7)
                    )
            if layers.get("road", True):
                self._bands(surf, cam, m.roads, "road", colours.ROAD, None, 1)
                r = max(round(3.5 * cam.scale), 1)
                for p in screen_points(cam, m.junctions):
                    pygame.draw.circle(surf, colours.JUNCTION, p, r)
            if layers.get("obstacles", True):
                for obs in m.obstacles:
                    pygame.draw.polygon(surf, colours.OBSTACLE, screen_points(cam, obs.rings[0]))
                for k in self._visible("rail", cam).tolist():
                    pts = screen_points(cam, m.railways[k].xy)
                    pygame.draw.lines(surf, colours.RAILWAY, False, pts, 2)
                for centre, radius in m.airports:
                    p = screen_points(cam, centre.reshape(1, 2))[0]
                    pygame.draw.circle(surf, colours.AIRPORT, p, max(int(radius * cam.scale), 4), 2)
                    pygame.draw.line(surf, colours.AIRPORT, (p[0] - 6, p[1]), (p[0] + 6, p[1]), 2)
        if layers.get("zones", True):
            self._zones(surf, overlay, cam, zs)
        if m is not None and layers.get("air", True):
            self._bands(overlay, cam, m.corridors, "air", (*colours.CORRIDOR, 90), None, 2)
            surf.blit(overlay, (0, 0))
            overlay.fill((0, 0, 0, 0))
            for k in self._visible("air", cam).tolist():
                pygame.draw.lines(
                    surf, colours.CORRIDOR_LINE, False, screen_points(cam, m.corridors[k].xy), 1
                )
            for p in screen_points(cam, m.vertiports):
                pygame.draw.circle(surf, colours.VERTIPORT, p, 6, 2)
                self.fonts.blit(
                    surf, "H", (int(p[0]), int(p[1]) + 1), 13, colours.VERTIPORT, True, "center"
                )
            for p in screen_points(cam, m.air_waypoints):
                x, y = p
                pygame.draw.polygon(
                    surf, colours.CORRIDOR_LINE, [(x, y - 3), (x + 3, y), (x, y + 3), (x - 3, y)]
                )
        else:
            surf.blit(overlay, (0, 0))
        if layers.get("zones", True) and layers.get("labels", True):
            taken: list[pygame.Rect] = []
            for z, active in zip(self.replay.zones, zs.active, strict=True):
                x, y = z.centroid()
                xmin, _ymin, xmax, _ymax = z.extent()
                if (xmax - xmin) * cam.scale < 40:
                    continue
                p = screen_points(cam, np.array([[x, y]]))[0]
                label = self.fonts.render(
                    z.id, 14, colours.zone_colour(z.kind) if active else colours.ZONE_INACTIVE
                )
                rect = label.get_rect(center=(int(p[0]), int(p[1])))
                if rect.collidelist(taken) >= 0:
                    rect.top = rect.bottom + 2  # one line lower, once
                    if rect.collidelist(taken) >= 0:
                        continue
                taken.append(rect)
                surf.blit(label, rect)

    def _zones(
        self, surf: pygame.Surface, overlay: pygame.Surface, cam: Camera, zs: ZoneState
    ) -> None:
        xmin, ymin, xmax, ymax = cam.world_bounds()
        shown = []
        # large zones first, so smaller ones inside them stay visible (fills overwrite)
        for z, active, flash in sorted(
            zip(self.replay.zones, zs.active, zs.flashing, strict=True),
            key=lambda item: -_area(item[0].extent()),
        ):
            zx0, zy0, zx1, zy1 = z.extent()
            if zx1 < xmin or zx0 > xmax or zy1 < ymin or zy0 > ymax:
                continue
            shown.append((z, active, flash))
            if not active:
                continue
            colour = colours.zone_colour(z.kind)
            for poly in z.polygons:
                pygame.draw.polygon(
                    overlay, (*colour, colours.ZONE_FILL_ALPHA), screen_points(cam, poly[0])
                )
                for hole in poly[1:]:
                    pygame.draw.polygon(overlay, (0, 0, 0, 0), screen_points(cam, hole))
        surf.blit(overlay, (0, 0))
        overlay.fill((0, 0, 0, 0))
        # inactive first, so active outlines win where they overlap
        for z, active, flash in sorted(shown, key=lambda item: (item[1], item[2])):
            for poly in z.polygons:
                for ring in poly:
                    pts = screen_points(cam, ring)
                    if flash:
                        pygame.draw.lines(surf, colours.BREACH_FLASH, True, pts, 5)
                    elif active:
                        pygame.draw.lines(surf, colours.zone_colour(z.kind), True, pts, 2)
                    else:
                        dashed(surf, colours.ZONE_INACTIVE, pts, 1)


def _area(box: tuple[float, float, float, float]) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def _line_boxes(lines: list[Line]) -> F64:
    if not lines:
        return np.zeros((0, 4))
    return np.array(
        [
            (
                ln.xy[:, 0].min() - ln.width,
                ln.xy[:, 1].min() - ln.width,
                ln.xy[:, 0].max() + ln.width,
                ln.xy[:, 1].max() + ln.width,
            )
            for ln in lines
        ]
    )
