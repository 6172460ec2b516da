"""Text for the viewer: pygame's bundled default font, with rendered strings cached."""

from __future__ import annotations

from collections import OrderedDict

import pygame

from viz.colours import RGB

TEXT_CACHE = 2048
"""Rendered strings kept (labels repeat from frame to frame)."""


class Fonts:
    """Renders and caches text in a few sizes (px) of pygame's default font."""

    def __init__(self) -> None:
        """Initialise pygame's font module (safe to call more than once)."""
        if not pygame.font.get_init():
            pygame.font.init()
        self._fonts: dict[int, pygame.font.Font] = {}
        self._cache: OrderedDict[tuple[str, int, RGB, bool], pygame.Surface] = OrderedDict()
        self._fits: dict[tuple[str, int, int], str] = {}

    def font(self, size: int) -> pygame.font.Font:
        """The default font at ``size`` px."""
        f = self._fonts.get(size)
        if f is None:
            f = pygame.font.Font(None, size)
            self._fonts[size] = f
        return f

    def render(self, text: str, size: int, colour: RGB, bold: bool = False) -> pygame.Surface:
        """A surface with ``text`` (anti-aliased, transparent background), cached."""
        key = (text, size, colour, bold)
        hit = self._cache.get(key)
        if hit is not None:
            self._cache.move_to_end(key)
            return hit
        f = self.font(size)
        f.set_bold(bold)
        surf = f.render(text, True, colour)
        f.set_bold(False)
        self._cache[key] = surf
        if len(self._cache) > TEXT_CACHE:
            self._cache.popitem(last=False)
        return surf

    def width(self, text: str, size: int) -> int:
        """Width (px) of ``text`` at ``size``."""
        return self.font(size).size(text)[0]

    def blit(
        self,
        target: pygame.Surface,
        text: str,
        pos: tuple[int, int],
        size: int = 16,
        colour: RGB = (0, 0, 0),
        bold: bool = False,
        anchor: str = "topleft",
    ) -> pygame.Rect:
        """Draw ``text`` on ``target`` with its ``anchor`` (a ``Rect`` attribute) at ``pos``."""
        surf = self.render(text, size, colour, bold)
        rect = surf.get_rect(**{anchor: pos})
        target.blit(surf, rect)
        return rect

    def fit(self, text: str, size: int, max_width: int) -> str:
        """``text`` shortened with an ellipsis to fit ``max_width`` px (cached)."""
        key = (text, size, max_width)
        hit = self._fits.get(key)
        if hit is not None:
            return hit
        out = text
        if self.width(text, size) > max_width:
            while out and self.width(out + "...", size) > max_width:
                out = out[:-1]
            out += "..."
        if len(self._fits) > TEXT_CACHE:
            self._fits.clear()
        self._fits[key] = out
        return out
