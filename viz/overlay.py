"""What is drawn over the map view: clock and title, legend, scale bar, help screen, errors."""

from __future__ import annotations

import datetime as dt

import pygame

from viz import colours
from viz.camera import Camera, nice_length
from viz.events import clock
from viz.fonts import Fonts
from viz.replay import Replay
from viz.view import LAYER_TITLES, LAYERS, ViewState

_MAP_LAYERS = tuple(name for name in LAYERS if name != "v2x")
_V2X_KEYS = f"{LAYERS.index('v2x') + 1} / v"
HELP_LINES: tuple[tuple[str, str], ...] = (
    ("drag", "pan the map"),
    ("wheel", "zoom at the mouse"),
    ("space", "play / pause"),
    ("+ / -", "faster / slower"),
    ("left / right", "one frame back / on"),
    ("n / p", "next / previous event"),
    ("home / end", "start / end of the run"),
    ("click timeline", "jump to a time (drag to scrub)"),
    ("click agent", "its panel: id, kind, permit, speed, altitude, events"),
    ("click event", "jump to its time"),
    (
        f"1 .. {len(_MAP_LAYERS)}",
        "toggle " + ", ".join(LAYER_TITLES[name] for name in _MAP_LAYERS),
    ),
    (_V2X_KEYS, "toggle V2X links (colour: follower's mode) and platoons"),
    ("f", "follow the selected agent"),
    ("e", "event list: all events / notable only"),
    ("i", "interpolate between frames on / off"),
    ("r", "fit the map to the window"),
    ("esc", "deselect, close help"),
    ("h", "this help"),
    ("q", "quit"),
)
"""The help screen's lines: key and what it does."""
V2X_MISSING = "V2X links and platoons: not recorded in this trace"
"""The V2X line of the help screen for traces without connected vehicles."""


def help_lines(v2x: bool = True) -> tuple[tuple[str, str], ...]:
    """The help screen's lines; without ``v2x`` (no V2X columns) its keys say it is not there."""
    if v2x:
        return HELP_LINES
    return tuple((key, V2X_MISSING if key == _V2X_KEYS else what) for key, what in HELP_LINES)


def wall_clock(replay: Replay, t: float) -> str:
    """The local date-time at ``t`` (s after the start), as the scenario's offset has it."""
    when = replay.start + dt.timedelta(seconds=t)
    return (
        when.strftime("%a %Y-%m-%d %H:%M:%S")
        + when.strftime(" %z")[:-2]
        + ":"
        + when.strftime("%z")[-2:]
    )


def hud(
    surface: pygame.Surface, fonts: Fonts, replay: Replay, view: ViewState, camera: Camera
) -> None:
    """Title, time, playback state and verdict in the map view's top-left corner."""
    x, y = camera.left + 10, camera.top + 8
    _translucent_box(surface, pygame.Rect(x - 4, y - 4, min(camera.width - 20, 470), 52))
    fonts.blit(surface, fonts.fit(replay.title, 20, 460), (x, y), 20, (20, 20, 20), True)
    state = "playing" if view.playing else "paused"
    when = wall_clock(replay, view.t)
    line = f"t = {clock(view.t)} / {clock(replay.t_end)}   {when}   x{view.speed:g} {state}"
    fonts.blit(surface, fonts.fit(line, 16, 460), (x, y + 22), 16, (40, 40, 40))
    summary = replay.summary or {}
    verdict = summary.get("verdict")
    if verdict is not None:
        ok = verdict == "pass"
        text = (
            "verdict: pass"
            if ok
            else "verdict: FAIL "
            + ", ".join(f"{rule} x{n}" for rule, n in replay.violation_counts.items())
        )
        fonts.blit(
            surface,
            fonts.fit(text, 15, 460),
            (x, y + 38),
            15,
            (20, 130, 50) if ok else (200, 30, 30),
            True,
        )


def _translucent_box(surface: pygame.Surface, rect: pygame.Rect) -> None:
    """Lighten ``rect`` of ``surface`` towards white (a panel to write on), in place."""
    area = rect.clip(surface.get_rect())
    if area.width <= 0 or area.height <= 0:
        return
    surface.fill((200, 200, 200), area, special_flags=pygame.BLEND_RGB_ADD)


def scale_bar(surface: pygame.Surface, fonts: Fonts, camera: Camera) -> None:
    """A scale bar in the bottom-right corner of the map view."""
    metres = nice_length(120.0 / camera.scale)
    px = round(metres * camera.scale)
    right = camera.left + camera.width - 14
    bottom = camera.top + camera.height - 14
    pygame.draw.line(surface, (30, 30, 30), (right - px, bottom), (right, bottom), 2)
    for xx in (right - px, right):
        pygame.draw.line(surface, (30, 30, 30), (xx, bottom - 5), (xx, bottom), 2)
    label = f"{metres / 1000:g} km" if metres >= 1000 else f"{metres:g} m"
    fonts.blit(surface, label, (right - px // 2, bottom - 6), 15, (30, 30, 30), False, "midbottom")


class Legend:
    """The legend, drawn once on a translucent surface and reused."""

    def __init__(self, fonts: Fonts, replay: Replay) -> None:
        """Prepare for a replay."""
        self.fonts = fonts
        self.replay = replay
        self._cache: tuple[tuple[bool, bool], pygame.Surface | None] | None = None

    def draw(self, surface: pygame.Surface, camera: Camera, view: ViewState) -> None:
        """Bottom-left of the map view (not in views lower than 260 px)."""
        zones = view.layers.get("zones", True)
        v2x = view.layers.get("v2x", True) and self.replay.frames.has_v2x
        if self._cache is None or self._cache[0] != (zones, v2x):
            self._cache = ((zones, v2x), _legend_surface(self.fonts, self.replay, zones, v2x))
        box = self._cache[1]
        if box is None or camera.height < 260:
            return
        surface.blit(box, (camera.left + 8, camera.top + camera.height - box.get_height() - 8))


def _legend_surface(
    fonts: Fonts, replay: Replay, show_zones: bool, show_v2x: bool = False
) -> pygame.Surface | None:
    """Agent colours, the V2X layer, zone kinds and the UAV height ramp on a translucent box."""
    entries = colours.legend_entries(replay.agents.kinds_present())
    zone_kinds = sorted({z.kind for z in replay.zones}) if show_zones else []
    has_uav = "uav" in replay.agents.kinds_present()
    row = 14
    zone_rows = (len(zone_kinds) + 1) // 2
    rows = (
        (len(entries) + 1) // 2
        + zone_rows
        + (1 if zone_kinds else 0)
        + (V2X_LEGEND_ROWS if show_v2x else 0)
    )
    if rows == 0:
        return None
    w = 300
    h = rows * row + (26 if has_uav else 0) + 10
    x = y = 0
    surface = pygame.Surface((w, h), pygame.SRCALPHA, 32)
    surface.fill((255, 255, 255, 200))
    yy = y + 5
    for k, (label, colour) in enumerate(entries):
        col = x + 6 + (k % 2) * 148
        pygame.draw.rect(surface, colour, pygame.Rect(col, yy + 3, 14, 7))
        fonts.blit(surface, label, (col + 19, yy), 14, (30, 30, 30))
        if k % 2 == 1 or k == len(entries) - 1:
            yy += row
    if has_uav:
        ramp = colours.altitude_ramp()
        for k in range(len(ramp)):
            xx = x + 6 + 2 * k
            pygame.draw.line(
                surface, tuple(int(v) for v in ramp[k]), (xx, yy + 3), (xx, yy + 10), 2
            )
        fonts.blit(
            surface,
            f"UAV height: 0 - {colours.ALTITUDE_MAX_AGL:.0f} m above ground",
            (x + 6, yy + 12),
            13,
            (60, 60, 60),
        )
        yy += 26
    if show_v2x:
        yy = _v2x_legend(surface, fonts, x + 6, yy, row)
    if zone_kinds:
        fonts.blit(
            surface,
            "fences (filled: active, dashed: inactive, red: breached)",
            (x + 6, yy),
            13,
            (60, 60, 60),
        )
        yy += row
        for k, kind in enumerate(zone_kinds):
            col = x + 6 + (k % 2) * 148
            colour = colours.zone_colour(kind)
            pygame.draw.rect(
                surface,
                colours.fade(colour, 0.75, (255, 255, 255)),
                pygame.Rect(col, yy + 2, 14, 9),
            )
            pygame.draw.rect(surface, colour, pygame.Rect(col, yy + 2, 14, 9), 2)
            fonts.blit(surface, kind.replace("_", " "), (col + 19, yy), 14, (30, 30, 30))
            if k % 2 == 1:
                yy += row
    return surface


V2X_LEGEND_ROWS = 2
"""Rows the V2X layer takes in the legend."""


def _v2x_legend(surface: pygame.Surface, fonts: Fonts, x: int, y: int, row: int) -> int:
    """The V2X part of the legend at ``(x, y)``: link colours, platoon outline; the next y."""
    label = fonts.blit(surface, "V2X link to leader:", (x, y), 14, (30, 30, 30))
    col = label.right + 8
    for name, colour in (
        ("CACC", colours.V2X_CACC),
        ("ACC", colours.V2X_ACC),
        ("min. risk", colours.V2X_MRC),
    ):
        pygame.draw.line(surface, colour, (col, y + 6), (col + 14, y + 6), 2)
        col = fonts.blit(surface, name, (col + 18, y), 14, (30, 30, 30)).right + 10
    y += row
    col = x
    for colour in colours.PLATOON_COLOURS[:3]:
        pygame.draw.rect(surface, colour, pygame.Rect(col, y + 2, 14, 9), 2)
        col += 17
    fonts.blit(surface, "platoon (one colour each, head bold)", (col + 2, y), 14, (30, 30, 30))
    return y + row


def help_screen(surface: pygame.Surface, fonts: Fonts, v2x: bool = True) -> None:
    """The controls, centred over the whole window (``v2x``: the trace has V2X columns)."""
    lines = help_lines(v2x)
    w, h = 640, 40 + 22 * len(lines)
    sw, sh = surface.get_size()
    x, y = (sw - w) // 2, max((sh - h) // 2, 0)
    box = pygame.Surface((w, h), pygame.SRCALPHA)
    box.fill((*colours.UI_BACKGROUND, 235))
    surface.blit(box, (x, y))
    fonts.blit(surface, "testzone replay - controls", (x + 16, y + 10), 20, colours.UI_TEXT, True)
    for k, (key, what) in enumerate(lines):
        fonts.blit(surface, key, (x + 16, y + 40 + 22 * k), 17, colours.UI_ACCENT, True)
        colour = colours.UI_DIM if what == V2X_MISSING else colours.UI_TEXT
        fonts.blit(surface, fonts.fit(what, 17, w - 180), (x + 160, y + 40 + 22 * k), 17, colour)


def error_banner(surface: pygame.Surface, fonts: Fonts, camera: Camera, message: str) -> None:
    """A red banner with a problem met while playing."""
    rect = pygame.Rect(camera.left, camera.top + camera.height - 40, camera.width, 40)
    pygame.draw.rect(surface, (180, 20, 20), rect)
    fonts.blit(
        surface,
        fonts.fit(message, 16, camera.width - 20),
        (rect.left + 10, rect.top + 12),
        16,
        (255, 255, 255),
        True,
    )
