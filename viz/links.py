"""The V2X layer: which vehicle follows whose V2X messages, and who drives in which platoon.

Traces of connected vehicles record three more value columns per agent (see
:data:`viz.agents.V2X_FIELDS`): the controller ``mode``, the agent index the vehicle follows
(``link``) and the agent index of its platoon's head (``platoon``), -1 for none. This layer draws

- a line from each follower's front to the rear of the vehicle it follows (both in the frame),
  coloured by the follower's mode: CACC green, ACC fallback amber, minimal risk red;
- an outline around each platoon member in its platoon's colour (one per head index; the
  head's outline is thicker), and a label ``<head id> platoon of <n>`` over the head.

Everything is resolved with numpy over the state's rows; only the few hundred lines, outlines
and labels are drawn one by one. Traces without the columns draw nothing here.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pygame

from viz import colours
from viz.agentdraw import AgentPainter
from viz.agents import AgentState, AgentTable
from viz.camera import Camera
from viz.fonts import Fonts
from viz.raster import SHAPE_DISC

F64 = npt.NDArray[np.float64]
I32 = npt.NDArray[np.int32]
I64 = npt.NDArray[np.int64]

# Controller modes as the engine records them: the MODE_* constants of sim/kernels/cacc.py
# (viz does not import sim.kernels; keep these in step with it).
MODE_NONE = -1
"""Not a connected vehicle."""
MODE_CRUISE = 0
"""No leader: speed control."""
MODE_ACC = 1
"""Following on its own sensors: no fresh V2X message from the leader."""
MODE_CACC = 2
"""Following with V2X (cooperative adaptive cruise control)."""
MODE_MRC = 3
"""Minimal-risk manoeuvre: sensors out, braking to a stop."""

MODE_NAMES: dict[int, str] = {
    MODE_NONE: "not connected",
    MODE_CRUISE: "cruise (no leader)",
    MODE_ACC: "ACC fallback (no fresh V2X)",
    MODE_CACC: "CACC (following with V2X)",
    MODE_MRC: "minimal-risk manoeuvre",
}
"""How the panel names each mode."""

LINK_WIDTH = 2
"""Width of a link line (px)."""
OUTLINE_GAP = 2.0
"""Space between a body and its platoon outline (px)."""
OUTLINE_WIDTH = 2
"""Width of a platoon member's outline (px); the head's is one more."""
LABEL_SIZE = 14
"""Font size of the platoon labels (px)."""


def mode_name(mode: int) -> str:
    """What the panel calls a controller mode."""
    return MODE_NAMES.get(mode, f"mode {mode}")


def link_colour(mode: int) -> colours.RGB:
    """The colour of a link whose follower is in ``mode``."""
    if mode == MODE_CACC:
        return colours.V2X_CACC
    if mode == MODE_ACC:
        return colours.V2X_ACC
    if mode == MODE_MRC:
        return colours.V2X_MRC
    return colours.V2X_CRUISE


@dataclass(frozen=True, slots=True)
class V2XState:
    """The links and platoons of one :class:`AgentState`, resolved to its rows.

    Attributes:
        follower: rows of the vehicles following another vehicle of the state.
        leader: the row each of them follows.
        mode: the follower's mode (``MODE_*``).
        member: rows of the vehicles in a platoon.
        head: the agent index of each member's platoon head.
        size: the number of rows of the state in each member's platoon.
        head_row: the row of each member's head, -1 when the head is not in the state.
    """

    follower: I64
    leader: I64
    mode: I32
    member: I64
    head: I32
    size: I64
    head_row: I64

    def platoon_of(self, row: int) -> tuple[int, int] | None:
        """The head's agent index and the size of the platoon of ``row``, if it is in one."""
        hit = np.nonzero(self.member == row)[0]
        if not len(hit):
            return None
        k = int(hit[0])
        return int(self.head[k]), int(self.size[k])


def _rows_of(state: AgentState, index: I32) -> I64:
    """The row of agent ``index`` in ``state`` for each entry (-1 where absent or invalid)."""
    n = int(state.ids.max()) + 1 if len(state) else 0
    lookup = np.full(n + 1, -1, dtype=np.int64)  # the extra slot answers out-of-range indices
    lookup[state.ids] = np.arange(len(state), dtype=np.int64)
    return lookup[np.where((index >= 0) & (index < n), index, n)]


def resolve(state: AgentState) -> V2XState | None:
    """The links and platoons of ``state``; None when the trace records none."""
    if state.mode is None or state.link is None or state.platoon is None:
        return None
    lead = _rows_of(state, state.link)
    rows = np.arange(len(state), dtype=np.int64)
    linked = (lead >= 0) & (lead != rows)
    follower = rows[linked]
    member = rows[state.platoon >= 0]
    head = state.platoon[member]
    _, inverse, counts = np.unique(head, return_inverse=True, return_counts=True)
    return V2XState(
        follower=follower,
        leader=lead[linked],
        mode=state.mode[linked],
        member=member,
        head=head,
        size=counts[inverse].astype(np.int64),
        head_row=_rows_of(state, head),
    )


def link_ends(
    sx: F64, sy: F64, hl: F64, heading: F64, follower: I64, leader: I64
) -> tuple[F64, F64, F64, F64]:
    """Screen ends (px) of links: the follower's front to the leader's rear.

    Where the bodies as drawn overlap (a far zoom, where bodies keep a minimum size), the line
    runs from centre to centre instead.
    """
    c, s = np.cos(heading), -np.sin(heading)  # forward on screen
    fx = sx[follower] + hl[follower] * c[follower]
    fy = sy[follower] + hl[follower] * s[follower]
    rx = sx[leader] - hl[leader] * c[leader]
    ry = sy[leader] - hl[leader] * s[leader]
    ahead = (rx - fx) * c[follower] + (ry - fy) * s[follower]
    gap = ahead > 2.0 * LINK_WIDTH
    x0 = np.where(gap, fx, sx[follower])
    y0 = np.where(gap, fy, sy[follower])
    x1 = np.where(gap, rx, sx[leader])
    y1 = np.where(gap, ry, sy[leader])
    return x0, y0, x1, y1


class V2XPainter:
    """Draws the V2X layer of one replay over the agents that :class:`AgentPainter` drew."""

    def __init__(self, painter: AgentPainter, fonts: Fonts) -> None:
        """Share the agent painter's footprints (sizes on screen at the camera's zoom)."""
        self.painter = painter
        self.fonts = fonts
        self.last: V2XState | None = None
        """What was resolved for the last drawn state (None: the trace has no V2X columns)."""

    @property
    def table(self) -> AgentTable:
        """The replay's agent table."""
        return self.painter.replay.agents

    def draw(
        self, surface: pygame.Surface, camera: Camera, state: AgentState, labels: bool = True
    ) -> V2XState | None:
        """Draw platoon outlines, links and (with ``labels``) the platoon labels."""
        v2x = resolve(state)
        self.last = v2x
        if v2x is None or (len(v2x.follower) == 0 and len(v2x.member) == 0):
            return v2x
        sx, sy, hl, hw, shape = self.painter.footprints(state, camera)
        heading = state.heading.astype(np.float64)
        view = (camera.left, camera.top, camera.left + camera.width, camera.top + camera.height)
        surface.set_clip(pygame.Rect(camera.left, camera.top, camera.width, camera.height))
        try:
            self._outlines(surface, view, v2x, sx, sy, hl, hw, shape, heading)
            self._links(surface, view, v2x, sx, sy, hl, heading)
            if labels:
                self._labels(surface, view, v2x, sx, sy, hl, hw)
        finally:
            surface.set_clip(None)
        return v2x

    def _outlines(
        self,
        surface: pygame.Surface,
        view: tuple[int, int, int, int],
        v2x: V2XState,
        sx: F64,
        sy: F64,
        hl: F64,
        hw: F64,
        shape: I64,
        heading: F64,
    ) -> None:
        rows = v2x.member
        a = hl[rows] + OUTLINE_GAP
        b = hw[rows] + OUTLINE_GAP
        reach = np.hypot(a, b) + OUTLINE_WIDTH + 1
        x, y = sx[rows], sy[rows]
        on = (x + reach >= view[0]) & (x - reach < view[2]) & (y + reach >= view[1])
        on &= y - reach < view[3]
        c, s = np.cos(heading[rows]), -np.sin(heading[rows])  # forward on screen
        lx, ly = -s, c  # to the right on screen
        # corners: front-right, front-left, rear-left, rear-right
        cx = np.stack(
            [x + c * a + lx * b, x + c * a - lx * b, x - c * a - lx * b, x - c * a + lx * b]
        )
        cy = np.stack(
            [y + s * a + ly * b, y + s * a - ly * b, y - s * a - ly * b, y - s * a + ly * b]
        )
        head = rows == v2x.head_row
        for k in np.nonzero(on)[0].tolist():
            colour = colours.platoon_colour(int(v2x.head[k]))
            width = OUTLINE_WIDTH + (1 if head[k] else 0)
            if shape[rows[k]] == SHAPE_DISC:
                pygame.draw.circle(surface, colour, (x[k], y[k]), a[k], width)
            else:
                points = list(zip(cx[:, k].tolist(), cy[:, k].tolist(), strict=True))
                pygame.draw.lines(surface, colour, True, points, width)

    def _links(
        self,
        surface: pygame.Surface,
        view: tuple[int, int, int, int],
        v2x: V2XState,
        sx: F64,
        sy: F64,
        hl: F64,
        heading: F64,
    ) -> None:
        if len(v2x.follower) == 0:
            return
        x0, y0, x1, y1 = link_ends(sx, sy, hl, heading, v2x.follower, v2x.leader)
        on = ~(
            ((x0 < view[0]) & (x1 < view[0]))
            | ((x0 >= view[2]) & (x1 >= view[2]))
            | ((y0 < view[1]) & (y1 < view[1]))
            | ((y0 >= view[3]) & (y1 >= view[3]))
        )
        for k in np.nonzero(on)[0].tolist():
            pygame.draw.line(
                surface,
                link_colour(int(v2x.mode[k])),
                (float(x0[k]), float(y0[k])),
                (float(x1[k]), float(y1[k])),
                LINK_WIDTH,
            )

    def _labels(
        self,
        surface: pygame.Surface,
        view: tuple[int, int, int, int],
        v2x: V2XState,
        sx: F64,
        sy: F64,
        hl: F64,
        hw: F64,
    ) -> None:
        heads = np.nonzero(v2x.member == v2x.head_row)[0]
        for k in heads.tolist():
            row = int(v2x.member[k])
            x, y = float(sx[row]), float(sy[row])
            top = y - float(np.hypot(hl[row], hw[row])) - OUTLINE_GAP - 3
            if not (view[0] <= x < view[2] and view[1] <= top < view[3] + 20):
                continue
            name = self.table.ids[int(v2x.head[k])] if v2x.head[k] < len(self.table) else "?"
            text = f"{name} platoon of {int(v2x.size[k])}"
            colour = colours.platoon_colour(int(v2x.head[k]))
            pos = (round(x), round(top))
            shadow = self.fonts.render(text, LABEL_SIZE, colours.BACKGROUND, True)
            surface.blit(shadow, shadow.get_rect(midbottom=(pos[0] + 1, pos[1] + 1)))
            self.fonts.blit(
                surface,
                text,
                pos,
                LABEL_SIZE,
                colours.fade(colour, 0.35, (0, 0, 0)),
                True,
                "midbottom",
            )
