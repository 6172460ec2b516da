"""The sidebar: the selected agent's panel (or the run summary) and the event list."""

from __future__ import annotations

import math

import numpy as np
import pygame

from viz import colours
from viz.agents import STATUS_NAMES, AgentState
from viz.events import EventRow, clock
from viz.fonts import Fonts
from viz.links import MODE_NONE, mode_name, resolve
from viz.replay import Replay, number
from viz.view import ViewState

ROW = 18
"""Height of an event-list row (px)."""
HEADER = 26
"""Height of the event list's title (px)."""


def agent_lines(replay: Replay, state: AgentState, agent_id: str) -> list[tuple[str, str]]:
    """The panel's lines (label, value) for one agent at the state's time.

    Traces of connected vehicles add its V2X mode, whom it follows and its platoon.
    """
    table = replay.agents
    index = table.index_of(agent_id)
    if index is None:
        return [("", "not in the trace")]
    row = table.rows.get(index, {})
    kind = str(row.get("kind", "?"))
    out = [
        ("kind", f"{kind} ({row.get('vehicle_type', '?')})"),
        ("permit", str(row.get("permit")) if row.get("permit") else "none (background traffic)"),
        ("size", f"{float(row.get('length', 0)):.1f} x {float(row.get('width', 0)):.1f} m"),  # type: ignore[arg-type]
    ]
    r = state.row_of(index)
    if r is None:
        out.append(("state", "not moving at this time"))
        return out
    v = float(state.speed[r])
    out.append(("status", STATUS_NAMES.get(int(state.status[r]), str(int(state.status[r])))))
    out.append(("speed", f"{v:.1f} m/s  ({v * 3.6:.0f} km/h)"))
    compass = (90.0 - math.degrees(float(state.heading[r]))) % 360.0
    out.append(("heading", f"{compass:.0f} deg (from north, clockwise)"))
    z = float(state.z[r])
    if kind == "uav":
        agl = float(
            replay.ground_at(
                np.array([state.x[r]], dtype=np.float64), np.array([state.y[r]], dtype=np.float64)
            )[0]
        )
        out.append(("altitude", f"{z - agl:.0f} m above ground ({z:.0f} m AMSL)"))
    else:
        out.append(("altitude", f"{z:.1f} m AMSL"))
    out.append(("position", f"x {float(state.x[r]):.0f} m, y {float(state.y[r]):.0f} m"))
    ttc = float(state.ttc[r])
    if math.isfinite(ttc):
        out.append(("TTC", f"{ttc:.1f} s"))
    return out + _v2x_lines(replay, state, r)


def _v2x_lines(replay: Replay, state: AgentState, r: int) -> list[tuple[str, str]]:
    """Mode, followed vehicle and platoon of row ``r`` (nothing without V2X columns)."""
    v2x = resolve(state)
    if v2x is None or state.mode is None or state.link is None:
        return []
    mode = int(state.mode[r])
    out = [("V2X", mode_name(mode))]
    if mode == MODE_NONE:
        return out
    table = replay.agents
    link = int(state.link[r])
    if link < 0:
        follows = "nobody"
    else:
        name = table.ids[link] if link < len(table) and table.ids[link] else f"agent #{link}"
        follows = name if state.row_of(link) is not None else f"{name} (not moving)"
    out.append(("follows", follows))
    platoon = v2x.platoon_of(r)
    if platoon is None:
        out.append(("platoon", "none"))
    else:
        head, size = platoon
        name = table.ids[head] if head < len(table) and table.ids[head] else f"agent #{head}"
        role = "head" if head == int(state.ids[r]) else f"head {name}"
        out.append(("platoon", f"{role}, {size} vehicles"))
    return out


def draw_panel(
    surface: pygame.Surface,
    rect: pygame.Rect,
    fonts: Fonts,
    replay: Replay,
    view: ViewState,
    state: AgentState,
) -> None:
    """The selected agent's details and events, or the run summary when none is selected."""
    if rect.width <= 0 or rect.height <= 0:
        return
    pygame.draw.rect(surface, colours.UI_PANEL, rect)
    x, y = rect.left + 12, rect.top + 10
    w = rect.width - 24
    if view.selected is None:
        _summary(surface, rect, fonts, replay)
        return
    fonts.blit(surface, fonts.fit(view.selected, 20, w), (x, y), 20, colours.SELECTED, True)
    if view.follow:
        fonts.blit(
            surface, "following", (rect.right - 12, y + 2), 15, colours.UI_ACCENT, False, "topright"
        )
    y += 26
    for label, value in agent_lines(replay, state, view.selected):
        fonts.blit(surface, label, (x, y), 16, colours.UI_DIM)
        fonts.blit(surface, fonts.fit(value, 16, w - 78), (x + 78, y), 16, colours.UI_TEXT)
        y += 18
    rows = replay.events.of_agent(view.selected)
    notable = [r for r in rows if r.category != "traffic"] or rows
    if notable and y + 20 < rect.bottom:
        y += 4
        fonts.blit(surface, f"events ({len(rows)})", (x, y), 16, colours.UI_DIM, True)
        y += 18
        room = max((rect.bottom - y - 4) // 17, 0)
        past = [r for r in notable if r.t <= view.t + 1e-9]
        shown = (past[-room:] if room else []) if len(past) >= room else notable[:room]
        for r in shown:
            colour = (
                colours.EVENT_CATEGORIES[r.category] if r.t <= view.t + 1e-9 else colours.UI_DIM
            )
            fonts.blit(surface, fonts.fit(f"{clock(r.t)}  {r.text}", 15, w), (x, y), 15, colour)
            y += 17


def _summary(surface: pygame.Surface, rect: pygame.Rect, fonts: Fonts, replay: Replay) -> None:
    x, y = rect.left + 12, rect.top + 10
    w = rect.width - 24
    fonts.blit(surface, "run", (x, y), 20, colours.UI_TEXT, True)
    y += 26
    s = replay.summary or {}
    header = replay.header
    lines = [
        ("seed", str(header.get("seed", "?"))),
        (
            "agents",
            f"{s.get('spawned', len(replay.agents))} spawned, {s.get('arrived', '?')} arrived",
        ),
        ("verdict", str(s.get("verdict", "no summary"))),
    ]
    viol = replay.violation_counts
    if viol:
        lines.append(("violations", ", ".join(f"{k} x{n}" for k, n in viol.items())))
    lines.append(("collisions", str(s.get("collisions", 0))))
    lines.append(
        (
            "UAV conflicts",
            f"{s.get('uav_conflicts', 0)} ({s.get('uav_separation_losses', 0)} losses)",
        )
    )
    min_ttc, min_pet = number(s.get("min_ttc")), number(s.get("min_pet"))
    if min_ttc is not None:
        lines.append(("min TTC", f"{min_ttc:.2f} s"))
    if min_pet is not None:
        lines.append(("min PET", f"{min_pet:.1f} s"))
    for label, value in lines:
        fonts.blit(surface, label, (x, y), 16, colours.UI_DIM)
        fonts.blit(surface, fonts.fit(value, 16, w - 110), (x + 110, y), 16, colours.UI_TEXT)
        y += 18
    y += 8
    for hint in ("click an agent for its panel", "h: help"):
        fonts.blit(surface, hint, (x, y), 15, colours.UI_ACCENT)
        y += 17


class EventList:
    """The scrolling list of events; the row of the current time is highlighted."""

    def __init__(self, replay: Replay, fonts: Fonts) -> None:
        """Prepare for a replay."""
        self.replay = replay
        self.fonts = fonts

    def visible_rows(self, rect: pygame.Rect) -> int:
        """How many rows fit."""
        return max((rect.height - HEADER) // ROW, 0)

    def first_row(self, rect: pygame.Rect, view: ViewState) -> int:
        """The first row shown: the user's scroll, or centred on the current time."""
        rows = self.replay.events.rows(view.all_events)
        n = self.visible_rows(rect)
        top = max(len(rows) - n, 0)
        if view.event_scroll is not None:
            return min(max(view.event_scroll, 0), top)
        current = self.replay.events.last_row_at(view.t, view.all_events)
        return min(max(current - n // 2, 0), top)

    def row_at(self, rect: pygame.Rect, view: ViewState, y: int) -> EventRow | None:
        """The event under screen y (px), if any."""
        k = (y - rect.top - HEADER) // ROW
        if k < 0 or k >= self.visible_rows(rect):
            return None
        rows = self.replay.events.rows(view.all_events)
        i = self.first_row(rect, view) + k
        return rows[i] if 0 <= i < len(rows) else None

    def draw(self, surface: pygame.Surface, rect: pygame.Rect, view: ViewState) -> None:
        """The list with the current time's row highlighted."""
        if rect.width <= 0 or rect.height <= 0:
            return
        pygame.draw.rect(surface, colours.UI_BACKGROUND, rect)
        rows = self.replay.events.rows(view.all_events)
        title = f"events ({len(rows)}{'' if view.all_events else ' notable'})"
        self.fonts.blit(surface, title, (rect.left + 12, rect.top + 6), 17, colours.UI_TEXT, True)
        current = self.replay.events.last_row_at(view.t, view.all_events)
        first = self.first_row(rect, view)
        y = rect.top + HEADER
        w = rect.width - 24
        for i in range(first, min(first + self.visible_rows(rect), len(rows))):
            r = rows[i]
            if i == current:
                pygame.draw.rect(
                    surface, colours.UI_PANEL, pygame.Rect(rect.left, y - 1, rect.width, ROW)
                )
            colour = colours.EVENT_CATEGORIES[r.category]
            pygame.draw.circle(surface, colour, (rect.left + 9, y + 7), 3)
            text_colour = colours.UI_TEXT if r.t <= view.t + 1e-9 else colours.UI_DIM
            self.fonts.blit(surface, clock(r.t), (rect.left + 16, y), 15, text_colour)
            self.fonts.blit(
                surface, self.fonts.fit(r.text, 15, w - 56), (rect.left + 72, y), 15, text_colour
            )
            y += ROW
        if not rows:
            self.fonts.blit(surface, "no events", (rect.left + 12, y), 15, colours.UI_DIM)
