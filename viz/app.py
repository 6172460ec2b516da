"""The viewer: input handling, playback and drawing of one replay, in a window or off screen.

:class:`Viewer` draws into its own 32-bit canvas, so the window (:meth:`Viewer.run`) and the
headless renders (:mod:`viz.render`) share every line of drawing code. Input is handled one
``pygame`` event at a time (:meth:`Viewer.handle`), which is also how the tests drive it.
"""

from __future__ import annotations

import bisect

import numpy as np
import pygame

from sim.trace import TraceError
from viz import colours, overlay
from viz.agentdraw import AgentPainter, Placed
from viz.agents import AgentState
from viz.fonts import Fonts
from viz.links import V2XPainter
from viz.mapdraw import MapPainter
from viz.panel import EventList, draw_panel
from viz.replay import FLASH_WINDOW, Replay
from viz.timeline import Timeline
from viz.view import LAYERS, Layout, ViewState

ZOOM_STEP = 1.25
"""Zoom factor of one wheel notch."""
CLICK_SLOP = 4
"""A press and release closer than this (px) is a click, not a drag."""
_LAYER_KEYS = {getattr(pygame, f"K_{k + 1}"): name for k, name in enumerate(LAYERS)} | {
    getattr(pygame, f"K_KP{k + 1}"): name for k, name in enumerate(LAYERS)
}


class Viewer:
    """A replay on screen: view state, layout, painters and the canvas they draw on."""

    def __init__(
        self,
        replay: Replay,
        size: tuple[int, int] = (1280, 800),
        chrome: bool = True,
        view: ViewState | None = None,
    ) -> None:
        """Set up the viewer; the camera starts fitted to the map at the first frame.

        Args:
            replay: what to show.
            size: the canvas (window) size (px).
            chrome: draw the timeline, agent panel and event list around the map.
            view: a prepared view state (its camera is fitted unless ``view`` is given).
        """
        self.replay = replay
        self.fonts = Fonts()
        self.maps = MapPainter(replay, self.fonts)
        self.painter = AgentPainter(replay, self.fonts)
        self.v2x = V2XPainter(self.painter, self.fonts)
        self.timeline = Timeline(replay, self.fonts)
        self.event_list = EventList(replay, self.fonts)
        self.legend = overlay.Legend(self.fonts, replay)
        self.chrome = chrome
        self.layout = Layout.of(size[0], size[1], chrome)
        self.canvas = pygame.Surface(size, 0, 32)
        fresh = view is None
        self.view = view if view is not None else ViewState(t=replay.t_first)
        self.layout.apply(self.view.camera)
        if fresh:
            self.view.camera.fit(replay.bounds())
        self.running = True
        self.frames_drawn = 0
        self.state: AgentState | None = None
        self.failure: TraceError | None = None
        """The last problem met reading the trace (a corrupt chunk), if any."""
        self._drag: str | None = None
        self._press: tuple[int, int] = (0, 0)
        self._last: tuple[int, int] = (0, 0)
        self._moved = False
        self._mouse: tuple[int, int] = (self.layout.map.centerx, self.layout.map.centery)
        self._violations = [r for r in replay.events.violations()]
        self._violation_t = [r.t for r in self._violations]

    # --- time ------------------------------------------------------------------------------

    def set_time(self, t: float) -> None:
        """Show time ``t`` (s), clamped to the recorded frames."""
        self.view.t = min(max(float(t), self.replay.t_first), self.replay.t_last)

    def advance(self, wall_seconds: float) -> None:
        """Move time on by ``wall_seconds`` x the speed while playing; stop at the end."""
        v = self.view
        if not v.playing:
            return
        self.set_time(v.t + wall_seconds * v.speed)
        if v.t >= self.replay.t_last:
            v.playing = False

    def step_frame(self, direction: int) -> None:
        """Go to the next (``+1``) or previous (``-1``) recorded frame and pause."""
        self.view.playing = False
        times = self.replay.frames.times
        k = self.replay.frames.index_at(self.view.t)
        if direction < 0 and self.view.t > float(times[k]) + 1e-9:
            target = k
        else:
            target = min(max(k + direction, 0), len(times) - 1)
        self.set_time(float(times[target]))

    def jump_event(self, direction: int) -> None:
        """Go to the next or previous notable event (and select its agent)."""
        ev = self.replay.events
        t = ev.next_time(self.view.t) if direction > 0 else ev.previous_time(self.view.t)
        if t is None:
            return
        self.view.playing = False
        self.set_time(t)
        self.view.event_scroll = None
        row = ev.notable_at(t)
        if row is not None and row.agent:
            self.view.selected = row.agent

    # --- input -----------------------------------------------------------------------------

    def pump(self) -> None:
        """Handle every pending pygame event."""
        for event in pygame.event.get():
            self.handle(event)

    def handle(self, event: pygame.event.Event) -> None:
        """React to one pygame event (keys, mouse, window)."""
        kind = event.type
        if kind == pygame.QUIT:
            self.running = False
        elif kind == pygame.KEYDOWN:
            self._key(event)
        elif kind == pygame.MOUSEBUTTONDOWN:
            self._mouse = event.pos
            if event.button == 1:
                self._button_down(event.pos)
            elif event.button in (4, 5):  # wheel on old SDL versions
                self._wheel(1 if event.button == 4 else -1, event.pos)
        elif kind == pygame.MOUSEBUTTONUP and event.button == 1:
            self._button_up(event.pos)
        elif kind == pygame.MOUSEMOTION:
            self._motion(event.pos)
        elif kind == pygame.MOUSEWHEEL:
            pos = getattr(event, "pos", None) or self._mouse
            self._wheel(int(event.y), pos)
        elif kind == pygame.VIDEORESIZE:
            self.resize(event.w, event.h)

    def _key(self, event: pygame.event.Event) -> None:
        v = self.view
        key = event.key
        char = getattr(event, "unicode", "") or ""
        if key == pygame.K_SPACE:
            if not v.playing and v.t >= self.replay.t_last:
                self.set_time(self.replay.t_first)
            v.playing = not v.playing
        elif char == "+" or key in (pygame.K_PLUS, pygame.K_EQUALS, pygame.K_KP_PLUS):
            v.faster()
        elif char == "-" or key in (pygame.K_MINUS, pygame.K_KP_MINUS):
            v.slower()
        elif key == pygame.K_RIGHT:
            self.step_frame(+1)
        elif key == pygame.K_LEFT:
            self.step_frame(-1)
        elif key == pygame.K_n:
            self.jump_event(+1)
        elif key == pygame.K_p:
            self.jump_event(-1)
        elif key in _LAYER_KEYS:
            v.toggle_layer(_LAYER_KEYS[key])
        elif key == pygame.K_v:
            v.toggle_layer("v2x")
        elif key == pygame.K_h:
            v.show_help = not v.show_help
        elif key == pygame.K_ESCAPE:
            if v.show_help:
                v.show_help = False
            else:
                v.selected = None
                v.follow = False
        elif key == pygame.K_f:
            v.follow = v.selected is not None and not v.follow
        elif key == pygame.K_e:
            v.all_events = not v.all_events
            v.event_scroll = None
        elif key == pygame.K_i:
            v.interpolate = not v.interpolate
        elif key == pygame.K_r:
            v.camera.fit(self.replay.bounds())
            v.follow = False
        elif key == pygame.K_HOME:
            v.playing = False
            self.set_time(self.replay.t_first)
        elif key == pygame.K_END:
            v.playing = False
            self.set_time(self.replay.t_last)
        elif key == pygame.K_q:
            self.running = False

    def _button_down(self, pos: tuple[int, int]) -> None:
        v = self.view
        if v.show_help:
            v.show_help = False
            return
        lay = self.layout
        if lay.timeline.collidepoint(pos):
            self._drag = "timeline"
            self.set_time(self.timeline.time_at(lay.timeline, pos[0]))
            v.event_scroll = None
        elif lay.events.collidepoint(pos):
            row = self.event_list.row_at(lay.events, v, pos[1])
            if row is not None:
                v.playing = False
                self.set_time(row.t)
                if row.agent:
                    v.selected = row.agent
        elif lay.map.collidepoint(pos):
            self._drag = "map"
            self._press = self._last = pos
            self._moved = False

    def _motion(self, pos: tuple[int, int]) -> None:
        self._mouse = pos
        if self._drag == "map":
            dx, dy = pos[0] - self._last[0], pos[1] - self._last[1]
            self._last = pos
            if abs(pos[0] - self._press[0]) + abs(pos[1] - self._press[1]) > CLICK_SLOP:
                self._moved = True
            if self._moved:
                self.view.camera.pan(dx, dy)
                self.view.follow = False
        elif self._drag == "timeline":
            self.set_time(self.timeline.time_at(self.layout.timeline, pos[0]))

    def _button_up(self, pos: tuple[int, int]) -> None:
        if self._drag == "map":
            self._motion(pos)
            if not self._moved:
                self.click_map(pos)
        self._drag = None

    def click_map(self, pos: tuple[int, int]) -> None:
        """Select the agent drawn at ``pos`` (px), or clear the selection."""
        row = self.painter.pick(pos[0], pos[1])
        if row is None or self.state is None:
            self.view.selected = None
            self.view.follow = False
            return
        self.view.selected = self.replay.agents.ids[int(self.state.ids[row])]

    def _wheel(self, notches: int, pos: tuple[int, int]) -> None:
        if notches == 0:
            return
        lay = self.layout
        if lay.events.collidepoint(pos):
            first = self.event_list.first_row(lay.events, self.view)
            self.view.event_scroll = max(first - 3 * notches, 0)
            return
        if lay.map.collidepoint(pos):
            self.view.camera.zoom(ZOOM_STEP**notches, pos[0], pos[1])

    def resize(self, width: int, height: int) -> None:
        """Adapt to a new window size (px), keeping the map's centre and zoom."""
        width, height = max(width, 200), max(height, 150)
        self.layout = Layout.of(width, height, self.chrome)
        self.canvas = pygame.Surface((width, height), 0, 32)
        self.layout.apply(self.view.camera)

    # --- drawing ---------------------------------------------------------------------------

    def _state(self) -> AgentState | None:
        v = self.view
        try:
            state = self.replay.state_at(v.t, v.interpolate)
        except TraceError as exc:
            v.error = str(exc)
            v.playing = False
            self.failure = exc
            return self.state
        v.error = None
        return state

    def flash_window(self) -> float:
        """How long (s) breaches are flagged: 10 s, longer at high speed (2 wall seconds)."""
        return max(FLASH_WINDOW, 2.0 * self.view.speed)

    def draw(self) -> pygame.Surface:
        """Draw everything for the current view state on the canvas and return it."""
        v = self.view
        cam = v.camera
        canvas = self.canvas
        state = self._state()
        if state is not None and v.follow and v.selected is not None:
            index = self.replay.agents.index_of(v.selected)
            row = state.row_of(index) if index is not None else None
            if row is not None:
                cam.cx, cam.cy = float(state.x[row]), float(state.y[row])
        window = self.flash_window()
        zones = self.replay.zone_state(v.t, window)
        self.maps.blit(canvas, cam, v.layers, zones)
        if state is not None:
            trail = (
                self.replay.frames.trail(state, v.trail_seconds)
                if v.layers.get("trails", True)
                else None
            )
            placed = self.painter.draw(canvas, cam, state, trail)
            if v.layers.get("v2x", True):
                self.v2x.draw(canvas, cam, state, v.layers.get("labels", True))
            always = self._highlight(canvas, state, placed, window)
            if v.layers.get("labels", True):
                self.painter.labels(canvas, cam, state, placed, always)
            self.state = state
        overlay.hud(canvas, self.fonts, self.replay, v, cam)
        self.legend.draw(canvas, cam, v)
        overlay.scale_bar(canvas, self.fonts, cam)
        if self.chrome:
            lay = self.layout
            self.timeline.draw(canvas, lay.timeline, v.t, v.playing)
            if state is not None:
                draw_panel(canvas, lay.panel, self.fonts, self.replay, v, state)
            self.event_list.draw(canvas, lay.events, v)
        if v.error:
            overlay.error_banner(canvas, self.fonts, cam, v.error)
        if v.show_help:
            overlay.help_screen(canvas, self.fonts, self.replay.frames.has_v2x)
        self.frames_drawn += 1
        return canvas

    def _highlight(
        self, canvas: pygame.Surface, state: AgentState, placed: Placed, window: float
    ) -> set[int]:
        """Red rings on agents with a violation in the last ``window`` s; the selection ring."""
        t = self.view.t
        lo = bisect.bisect_right(self._violation_t, t - window)
        hi = bisect.bisect_right(self._violation_t, t)
        rows: set[int] = set()
        table = self.replay.agents
        for r in self._violations[lo:hi]:
            if r.agent:
                index = table.index_of(r.agent)
                row = state.row_of(index) if index is not None else None
                if row is not None:
                    self.painter.ring(
                        canvas, self.view.camera, placed, row, colours.BREACH_FLASH, 3
                    )
                    rows.add(row)
        if self.view.selected is not None:
            index = table.index_of(self.view.selected)
            row = state.row_of(index) if index is not None else None
            if row is not None:
                self.painter.ring(canvas, self.view.camera, placed, row, colours.SELECTED, 2)
                rows.add(row)
        return rows

    def selected_screen_position(self) -> tuple[float, float] | None:
        """Where the selected agent was last drawn (px), if it was."""
        placed = self.painter.last
        if placed is None or self.state is None or self.view.selected is None:
            return None
        index = self.replay.agents.index_of(self.view.selected)
        row = self.state.row_of(index) if index is not None else None
        hit = np.nonzero(placed.rows == row)[0] if row is not None else []
        if not len(hit):
            return None
        return float(placed.sx[hit[0]]), float(placed.sy[hit[0]])

    # --- window ----------------------------------------------------------------------------

    def run(self, fps: int = 60) -> None:
        """Open a window and run until it is closed (``q``, Esc with nothing selected, close)."""
        pygame.display.init()
        w, h = self.canvas.get_size()
        screen = pygame.display.set_mode((w, h), pygame.RESIZABLE)
        pygame.display.set_caption(f"testzone replay - {self.replay.title}")
        pygame.key.set_repeat(300, 40)  # hold left/right to step through frames
        clock = pygame.time.Clock()
        try:
            while self.running:
                wall = clock.tick(fps) / 1000.0
                self.pump()
                self.advance(wall)
                canvas = self.draw()
                if screen.get_size() != canvas.get_size():
                    screen = pygame.display.set_mode(canvas.get_size(), pygame.RESIZABLE)
                screen.blit(canvas, (0, 0))
                pygame.display.flip()
        finally:
            pygame.display.quit()
