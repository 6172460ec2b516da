"""The timeline: the run from start to end with a tick per notable event and the time cursor.

Clicking or dragging in it sets the time. The track with its ticks is drawn once per size and
cached; only the cursor moves.
"""

from __future__ import annotations

import pygame

from viz import colours
from viz.events import clock
from viz.fonts import Fonts
from viz.replay import Replay

MARGIN = 70
"""Space left and right of the track for the start and end times (px)."""


class Timeline:
    """Draws the timeline into a rectangle and maps x (px) to time (s) and back."""

    def __init__(self, replay: Replay, fonts: Fonts) -> None:
        """Prepare for a replay."""
        self.replay = replay
        self.fonts = fonts
        self._cache: tuple[tuple[int, int, int, int], pygame.Surface] | None = None

    def span(self) -> tuple[float, float]:
        """The times (s) at the ends of the track: the run's start (or first frame) and end."""
        t0 = min(0.0, self.replay.t_first)
        t1 = max(self.replay.t_end, self.replay.t_last)
        return t0, t1 if t1 > t0 else t0 + 1.0

    def track(self, rect: pygame.Rect) -> pygame.Rect:
        """The clickable track inside ``rect``."""
        return pygame.Rect(
            rect.left + MARGIN,
            rect.top + 18,
            max(rect.width - 2 * MARGIN, 1),
            max(rect.height - 30, 6),
        )

    def time_at(self, rect: pygame.Rect, x: float) -> float:
        """The time (s) under screen x (px), clamped to the run."""
        tr = self.track(rect)
        t0, t1 = self.span()
        f = min(max((x - tr.left) / tr.width, 0.0), 1.0)
        return t0 + f * (t1 - t0)

    def x_of(self, rect: pygame.Rect, t: float) -> int:
        """Screen x (px) of time ``t`` (s)."""
        tr = self.track(rect)
        t0, t1 = self.span()
        return tr.left + round((t - t0) / (t1 - t0) * tr.width)

    def _static(self, rect: pygame.Rect) -> pygame.Surface:
        key = (rect.left, rect.top, rect.width, rect.height)
        if self._cache is not None and self._cache[0] == key:
            return self._cache[1]
        surf = pygame.Surface(rect.size, 0, 32)
        surf.fill(colours.UI_BACKGROUND)
        local = pygame.Rect(0, 0, rect.width, rect.height)
        tr = self.track(local)
        pygame.draw.rect(surf, colours.UI_PANEL, tr)
        t0, t1 = self.span()
        # frames actually recorded (the trace may start late or end early)
        fa = tr.left + int((self.replay.t_first - t0) / (t1 - t0) * tr.width)
        fb = tr.left + int((self.replay.t_last - t0) / (t1 - t0) * tr.width)
        pygame.draw.rect(surf, (60, 68, 80), pygame.Rect(fa, tr.top, max(fb - fa, 1), tr.height))
        order = ("fence", "platform", "fault", "safety", "violation")
        for cat in order:
            colour = colours.EVENT_CATEGORIES[cat]
            top = tr.top + (0 if cat == "violation" else tr.height // 3)
            xs = {
                tr.left + int((r.t - t0) / (t1 - t0) * tr.width)
                for r in self.replay.events.notable
                if r.category == cat
            }
            for x in sorted(xs):
                pygame.draw.line(
                    surf, colour, (x, top), (x, tr.bottom - 1), 2 if cat == "violation" else 1
                )
        self.fonts.blit(
            surf, clock(t0), (tr.left - 8, tr.centery), 15, colours.UI_DIM, False, "midright"
        )
        self.fonts.blit(
            surf, clock(t1), (tr.right + 8, tr.centery), 15, colours.UI_DIM, False, "midleft"
        )
        legend_x = tr.left
        shown = {r.category for r in self.replay.events.notable}
        cats = ("violation", "safety", "fault", "platform", "fence")
        for cat in (c for c in cats if c != "fault" or c in shown):
            pygame.draw.rect(surf, colours.EVENT_CATEGORIES[cat], pygame.Rect(legend_x, 5, 8, 8))
            r = self.fonts.blit(surf, cat, (legend_x + 12, 2), 14, colours.UI_DIM)
            legend_x = r.right + 14
        self._cache = (key, surf)
        return surf

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, t: float, playing: bool) -> None:
        """The timeline with the cursor at ``t`` (s)."""
        if rect.height <= 0 or rect.width <= 0:
            return
        surface.blit(self._static(rect), rect.topleft)
        tr = self.track(rect)
        x = self.x_of(rect, t)
        pygame.draw.line(surface, colours.UI_CURSOR, (x, tr.top - 4), (x, tr.bottom + 3), 2)
        pygame.draw.polygon(
            surface, colours.UI_CURSOR, [(x - 5, tr.top - 8), (x + 5, tr.top - 8), (x, tr.top - 2)]
        )
        text = ("> " if playing else "|| ") + clock(t)
        self.fonts.blit(
            surface, text, (tr.right, rect.top + 2), 15, colours.UI_TEXT, True, "topright"
        )
