"""What the viewer shows and how the window is divided: view state and layout (px).

:class:`ViewState` is everything a user changes (time, playback, camera, layers, selection), so
a test can drive the viewer with events and then assert on it, and a render can set it directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pygame

from viz.camera import Camera

LAYERS: tuple[str, ...] = (
    "road",
    "air",
    "water",
    "zones",
    "trails",
    "labels",
    "obstacles",
    "v2x",
)
"""Layers the number keys 1..8 toggle, in that order (``v`` also toggles ``v2x``)."""
LAYER_TITLES: dict[str, str] = {
    "road": "roads",
    "air": "air corridors",
    "water": "waterways",
    "zones": "fences",
    "trails": "trails",
    "labels": "labels",
    "obstacles": "obstacles, railways, airports",
    "v2x": "V2X links and platoons",
}
SPEEDS: tuple[float, ...] = (0.25, 0.5, 1, 2, 5, 10, 20, 50, 100, 200, 500)
"""Playback speeds (run seconds per wall second) that ``+`` and ``-`` step through."""
DEFAULT_SPEED = 10.0
TRAIL_SECONDS = 30.0
"""Length of the trails (s of run time)."""

TIMELINE_HEIGHT = 56
SIDEBAR_WIDTH = 330
PANEL_HEIGHT = 270
MIN_SIDEBAR_WINDOW = 800
"""Narrower windows have no sidebar (px)."""


@dataclass(slots=True)
class ViewState:
    """The user's side of the viewer.

    Attributes:
        camera: the map view.
        t: the time shown (s after the scenario's start).
        playing: whether time runs.
        speed: run seconds per wall second.
        layers: which layers are drawn.
        selected: the id of the agent whose panel is shown.
        follow: keep the selected agent in the centre.
        show_help: the help screen is up.
        all_events: the event list includes departures and arrivals.
        event_scroll: first row shown in the event list; None follows the time.
        interpolate: move agents smoothly between frames.
        trail_seconds: trail length (s).
        error: a problem met while playing (a corrupt chunk), shown in the window.
    """

    camera: Camera = field(default_factory=Camera)
    t: float = 0.0
    playing: bool = False
    speed: float = DEFAULT_SPEED
    layers: dict[str, bool] = field(default_factory=lambda: dict.fromkeys(LAYERS, True))
    selected: str | None = None
    follow: bool = False
    show_help: bool = False
    all_events: bool = False
    event_scroll: int | None = None
    interpolate: bool = True
    trail_seconds: float = TRAIL_SECONDS
    error: str | None = None

    def faster(self) -> None:
        """The next playback speed up."""
        self.speed = next((s for s in SPEEDS if s > self.speed + 1e-9), SPEEDS[-1])

    def slower(self) -> None:
        """The next playback speed down."""
        self.speed = next((s for s in reversed(SPEEDS) if s < self.speed - 1e-9), SPEEDS[0])

    def toggle_layer(self, name: str) -> None:
        """Show or hide a layer."""
        self.layers[name] = not self.layers.get(name, True)


@dataclass(frozen=True, slots=True)
class Layout:
    """Where things are in a window of ``width`` x ``height`` px."""

    width: int
    height: int
    map: pygame.Rect
    timeline: pygame.Rect
    panel: pygame.Rect
    events: pygame.Rect

    @classmethod
    def of(cls, width: int, height: int, chrome: bool = True) -> Layout:
        """Divide the window: map view, timeline at the bottom, sidebar (panel, events) right.

        Without ``chrome`` (or in a narrow window) the map fills what the timeline leaves.
        """
        if not chrome:
            full = pygame.Rect(0, 0, width, height)
            return cls(
                width,
                height,
                full,
                pygame.Rect(0, height, width, 0),
                pygame.Rect(width, 0, 0, 0),
                pygame.Rect(width, 0, 0, 0),
            )
        side = SIDEBAR_WIDTH if width >= MIN_SIDEBAR_WINDOW else 0
        tl_h = min(TIMELINE_HEIGHT, height // 4)
        map_rect = pygame.Rect(0, 0, width - side, height - tl_h)
        timeline = pygame.Rect(0, height - tl_h, width, tl_h)
        panel_h = min(PANEL_HEIGHT, (height - tl_h) // 2)
        panel = pygame.Rect(width - side, 0, side, panel_h)
        events = pygame.Rect(width - side, panel_h, side, height - tl_h - panel_h)
        return cls(width, height, map_rect, timeline, panel, events)

    def apply(self, camera: Camera) -> None:
        """Fit the camera's viewport to the map view."""
        camera.left, camera.top = self.map.left, self.map.top
        camera.width, camera.height = max(self.map.width, 1), max(self.map.height, 1)
