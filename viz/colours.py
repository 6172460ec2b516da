"""Colours of the map, fences, agents and events, and the legend that explains them.

One fixed palette (RGB tuples, 0-255) so every render of a trace looks the same. Zone colours
follow the usual reading of airspace maps: red prohibited, orange authorisation, yellow
conditional; inclusion zones (test areas, test waters) are green and teal.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

RGB = tuple[int, int, int]

BACKGROUND: RGB = (244, 241, 234)
GRID: RGB = (230, 226, 216)
ROAD: RGB = (196, 196, 196)
ROAD_EDGE: RGB = (138, 138, 138)
JUNCTION: RGB = (150, 150, 150)
CORRIDOR: RGB = (178, 150, 230)
CORRIDOR_LINE: RGB = (120, 80, 190)
VERTIPORT: RGB = (100, 60, 170)
WATER: RGB = (156, 201, 240)
WATER_LINE: RGB = (70, 130, 200)
BERTH: RGB = (40, 90, 160)
OBSTACLE: RGB = (96, 88, 80)
RAILWAY: RGB = (80, 80, 80)
AIRPORT: RGB = (120, 120, 120)

ZONE_COLOURS: dict[str, RGB] = {
    "no_fly": (214, 48, 39),
    "authorisation_required": (241, 140, 30),
    "conditional": (214, 180, 20),
    "speed_limit": (190, 70, 190),
    "test_area": (46, 150, 80),
    "test_waters": (20, 140, 150),
    "advisory": (120, 120, 120),
}
"""Outline and fill colour of each zone kind."""
ZONE_INACTIVE: RGB = (150, 150, 150)
ZONE_FILL_ALPHA = 46
"""Opacity (0-255) of an active zone's fill."""
BREACH_FLASH: RGB = (255, 0, 0)

ICV_TESTED: RGB = (24, 70, 200)
"""ICVs under a permit (the vehicles being tested)."""
ICV_BACKGROUND: RGB = (62, 66, 76)
"""Background traffic (no permit)."""
SHIP: RGB = (0, 110, 130)
FAILED: RGB = (230, 0, 0)
NOSE_LIGHTEN = 0.55
"""How far a body's front is lightened towards white, to show the heading."""
TRAIL_ALPHA = 0.45
"""How far a trail is faded towards the background."""
SELECTED: RGB = (255, 0, 200)

V2X_CACC: RGB = (0, 170, 95)
"""A V2X link whose follower is in CACC (following its leader with V2X)."""
V2X_ACC: RGB = (235, 165, 0)
"""A link whose follower fell back to ACC (no fresh V2X message from its leader)."""
V2X_MRC: RGB = (220, 20, 60)
"""A link whose follower is in a minimal-risk manoeuvre (braking to a stop)."""
V2X_CRUISE: RGB = (120, 124, 134)
"""A link whose follower is cruising (any other mode)."""
PLATOON_COLOURS: tuple[RGB, ...] = (
    (0, 150, 215),
    (150, 70, 210),
    (225, 85, 160),
    (145, 95, 35),
    (105, 130, 0),
)
"""Outline colours of platoons, chosen by the platoon head's agent index."""

ALTITUDE_MAX_AGL = 150.0
"""Height above ground (m) at the top of the UAV colour ramp."""
_ALTITUDE_ANCHORS: tuple[RGB, ...] = (
    (20, 120, 60),
    (27, 58, 140),
    (106, 61, 154),
    (194, 24, 91),
    (239, 108, 0),
)
ALTITUDE_STEPS = 64
"""Number of colours in the UAV altitude ramp."""

UI_BACKGROUND: RGB = (30, 34, 41)
UI_PANEL: RGB = (40, 45, 54)
UI_TEXT: RGB = (230, 230, 230)
UI_DIM: RGB = (150, 156, 166)
UI_ACCENT: RGB = (90, 170, 255)
UI_CURSOR: RGB = (255, 255, 255)

EVENT_CATEGORIES: dict[str, RGB] = {
    "violation": (235, 60, 50),
    "safety": (250, 150, 40),
    "platform": (90, 170, 255),
    "fence": (110, 200, 120),
    "traffic": (150, 156, 166),
    "fault": (200, 125, 240),
}
"""Colour of each event category (timeline ticks, event list)."""


def lighten(colour: RGB, amount: float) -> RGB:
    """Mix ``colour`` with white; ``amount`` 0 keeps it, 1 gives white."""
    return _mix(colour, (255, 255, 255), amount)


def fade(colour: RGB, amount: float, towards: RGB = BACKGROUND) -> RGB:
    """Mix ``colour`` with ``towards`` (the map background by default)."""
    return _mix(colour, towards, amount)


def _mix(a: RGB, b: RGB, amount: float) -> RGB:
    k = min(max(amount, 0.0), 1.0)
    return (
        round(a[0] + (b[0] - a[0]) * k),
        round(a[1] + (b[1] - a[1]) * k),
        round(a[2] + (b[2] - a[2]) * k),
    )


def altitude_ramp(steps: int = ALTITUDE_STEPS) -> npt.NDArray[np.uint8]:
    """The UAV altitude colours, ``(steps, 3)`` uint8, from ground to :data:`ALTITUDE_MAX_AGL`."""
    anchors = np.array(_ALTITUDE_ANCHORS, dtype=np.float64)
    where = np.linspace(0.0, len(anchors) - 1, steps)
    lo = np.floor(where).astype(int).clip(0, len(anchors) - 2)
    k = (where - lo)[:, None]
    out = anchors[lo] * (1 - k) + anchors[lo + 1] * k
    return np.rint(out).astype(np.uint8)


def altitude_index(
    agl: npt.NDArray[np.floating] | float, steps: int = ALTITUDE_STEPS
) -> npt.NDArray[np.int64]:
    """Ramp index of heights above ground (m), clipped to the ramp."""
    k = np.asarray(agl, dtype=np.float64) / ALTITUDE_MAX_AGL * (steps - 1)
    return np.clip(np.nan_to_num(k, nan=0.0), 0, steps - 1).astype(np.int64)


def zone_colour(kind: str) -> RGB:
    """Colour of a zone kind (grey for an unknown one)."""
    return ZONE_COLOURS.get(kind, ZONE_COLOURS["advisory"])


def legend_entries(kinds_present: Sequence[str]) -> list[tuple[str, RGB]]:
    """The agent part of the legend: label and colour, for the agent kinds in the trace."""
    out: list[tuple[str, RGB]] = []
    if "icv" in kinds_present:
        out += [("ICV under test", ICV_TESTED), ("background traffic", ICV_BACKGROUND)]
    if "ship" in kinds_present:
        out.append(("unmanned ship", SHIP))
    if "uav" in kinds_present:
        ramp = altitude_ramp()
        out.append(("UAV (colour: height)", tuple(int(c) for c in ramp[len(ramp) // 2])))  # type: ignore[arg-type]
    return out


def platoon_colour(head: int) -> RGB:
    """The outline colour of the platoon headed by agent index ``head``."""
    return PLATOON_COLOURS[head % len(PLATOON_COLOURS)]
