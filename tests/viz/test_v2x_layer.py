"""The V2X layer: links coloured by the follower's mode, platoon outlines, panel and events.

A small synthetic trace of connected vehicles (no engine): on y = 0 a platoon of three
(``lead`` cruising at its head, ``mid`` and ``tail`` in CACC) with ``acc`` behind it in ACC
fallback and in no platoon; on y = 30 m ``mrc`` in a minimal-risk manoeuvre behind ``front2``;
on y = -20 m a background ``car`` that is not connected (its link names an agent that is not
moving yet, its platoon is NaN). Everything drives east at 10 m/s; the 10 m trucks leave 10 m
gaps, where the links run.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pygame
import pytest

from sim.trace import TraceWriter
from viz import colours, overlay
from viz.agents import AgentState
from viz.app import Viewer
from viz.events import EventIndex, category, describe
from viz.links import MODE_ACC, MODE_CACC, MODE_CRUISE, MODE_MRC, MODE_NONE, resolve
from viz.panel import agent_lines
from viz.render import RenderOptions, frame_rgb, picture_at, viewer_for
from viz.replay import Replay, open_replay

LENGTH = 10.0
WIDTH = 2.5
SPEED = 10.0
T = 1.0
"""The time rendered (s): a recorded frame, every body 10 m east of its start."""
NAN = float("nan")
# id, x (front bumper, m), y (m), mode, link, platoon, permit
AGENTS: tuple[tuple[str, float, float, int, float, float, str | None], ...] = (
    ("lead", 100.0, 0.0, MODE_CRUISE, -1, 0, "P-1"),
    ("mid", 80.0, 0.0, MODE_CACC, 0, 0, "P-1"),
    ("tail", 60.0, 0.0, MODE_CACC, 1, 0, "P-1"),
    ("acc", 40.0, 0.0, MODE_ACC, 2, -1, "P-1"),
    ("front2", 60.0, 30.0, MODE_CRUISE, -1, -1, "P-1"),
    ("mrc", 40.0, 30.0, MODE_MRC, 4, -1, "P-1"),
    ("car", 110.0, -20.0, MODE_NONE, 7, NAN, None),
    ("late", 0.0, -20.0, MODE_CRUISE, -1, -1, None),  # departs after the last frame
)
FRAMES = 4
VIEW = RenderOptions(centre=(80.0, 15.0), width_m=160.0, chrome=False)
"""1280 px across 160 m: 8 px per m, y = 0 at screen row 480, y = 30 m at row 240."""


def write_v2x_trace(folder: Path, v2x: bool = True) -> Path:
    """The trace described above; without ``v2x`` the same run without the three columns."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / ("v2x.tztrace" if v2x else "plain.tztrace")
    header = {
        "scenario_hash": "v2x-synthetic",
        "seed": 1,
        "dt": 1.0,
        "record_every": 1,
        "start": "2026-12-07T09:00:00+08:00",
        "duration": float(FRAMES),
        "scenario_name": "Synthetic platoon",
    }
    fields = ["x", "y", "z", "heading", "speed", "ttc"]
    if v2x:
        fields += ["mode", "link", "platoon"]
    moving = [k for k, a in enumerate(AGENTS) if a[0] != "late"]
    with TraceWriter(path, header, fields=fields) as w:
        for k, (name, *_, permit) in enumerate(AGENTS):
            w.add_agent(k, name, "icv", "truck", permit, LENGTH, WIDTH)
            w.add_event(0.0 if name != "late" else 10.0, "depart", name)
        w.add_event(0.5, "v2x_blackout", None, zone="underpass")
        w.add_event(0.5, "cacc_fallback", "acc", where=[30.0, 0.0])
        w.add_event(0.6, "minimal_risk", "mrc", where=[35.0, 30.0])
        w.add_event(2.5, "v2x_blackout_end", None, zone="underpass")
        for f in range(FRAMES):
            rows = []
            for k in moving:
                _, x, y, mode, link, platoon, _ = AGENTS[k]
                row = [x + SPEED * f, y, 4.0, 0.0, SPEED, np.inf]
                if v2x:
                    row += [mode, link, platoon]
                rows.append(row)
            ids = np.array(moving, dtype=np.int32)
            values = np.array(rows, dtype=np.float32)
            w.add_frame(float(f), ids, values, np.ones(len(ids), dtype=np.int8))
        w.close({"verdict": "pass", "spawned": len(AGENTS), "arrived": 0})
    return path


@pytest.fixture(scope="module")
def traces(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("v2x")
    return write_v2x_trace(folder), write_v2x_trace(folder, v2x=False)


@pytest.fixture
def v2x(traces: tuple[Path, Path]) -> Iterator[Replay]:
    with open_replay(traces[0]) as replay:
        yield replay


@pytest.fixture
def plain(traces: tuple[Path, Path]) -> Iterator[Replay]:
    with open_replay(traces[1]) as replay:
        yield replay


def _px(viewer: Viewer, x: float, y: float) -> tuple[int, int]:
    sx, sy = viewer.view.camera.to_screen(x, y)
    return int(np.floor(sx)), int(np.floor(sy))


def _near(rgb: np.ndarray, px: tuple[int, int], colour: colours.RGB, r: int = 2) -> bool:
    """Whether ``colour`` is among the pixels within ``r`` px of ``px``."""
    x, y = px
    patch = rgb[y - r : y + r + 1, x - r : x + r + 1]
    return bool(np.all(patch == np.array(colour, dtype=np.uint8), axis=-1).any())


def _count(rgb: np.ndarray, colour: colours.RGB) -> int:
    return int(np.all(rgb == np.array(colour, dtype=np.uint8), axis=-1).sum())


def _gap_midpoint(follower: str, y: float) -> tuple[float, float]:
    """Halfway between ``follower``'s front and the rear of the truck 20 m ahead (m)."""
    x = next(a[1] for a in AGENTS if a[0] == follower) + SPEED * T
    return x + 0.5 * (20.0 - LENGTH), y


def _body_window(rgb: np.ndarray, viewer: Viewer, name: str, margin: int = 6) -> np.ndarray:
    """The pixels of ``name``'s body and a few px around it."""
    _, x, y, *_ = next(a for a in AGENTS if a[0] == name)
    cx, cy = _px(viewer, x + SPEED * T - LENGTH / 2, y)
    scale = viewer.view.camera.scale
    hl, hw = round(LENGTH / 2 * scale) + margin, round(WIDTH / 2 * scale) + margin
    return rgb[cy - hw : cy + hw + 1, cx - hl : cx + hl + 1]


def _render(replay: Replay, options: RenderOptions = VIEW) -> tuple[Viewer, np.ndarray]:
    viewer = viewer_for(replay, options)
    viewer.set_time(T)
    return viewer, frame_rgb(viewer)


def test_the_trace_has_the_columns(v2x: Replay, plain: Replay) -> None:
    assert v2x.frames.has_v2x and not plain.frames.has_v2x
    state = v2x.state_at(T + 0.5)  # between frames: the frame's modes, not interpolated
    assert state.mode is not None and state.link is not None and state.platoon is not None
    assert state.mode.tolist() == [a[3] for a in AGENTS if a[0] != "late"]
    assert int(state.platoon[state.row_of(6)]) == -1  # NaN reads as none
    empty = plain.state_at(T)
    assert empty.mode is None and empty.link is None and empty.platoon is None


def test_links_are_drawn_in_the_followers_mode_colour(v2x: Replay) -> None:
    viewer, rgb = _render(v2x)
    expected = {
        "mid": colours.V2X_CACC,
        "tail": colours.V2X_CACC,
        "acc": colours.V2X_ACC,
    }
    for follower, colour in expected.items():
        mid = _px(viewer, *_gap_midpoint(follower, 0.0))
        assert _near(rgb, mid, colour), follower
        others = {colours.V2X_CACC, colours.V2X_ACC, colours.V2X_MRC} - {colour}
        assert not any(_near(rgb, mid, c) for c in others), follower
    mrc = _px(viewer, *_gap_midpoint("mrc", 30.0))
    assert _near(rgb, mrc, colours.V2X_MRC)
    # the head follows nobody and the unconnected car's leader is not moving: no line ahead
    for x, y in ((125.0, 0.0), (75.0, 30.0), (125.0, -20.0), (95.0, -20.0)):
        for c in (colours.V2X_CACC, colours.V2X_ACC, colours.V2X_MRC, colours.V2X_CRUISE):
            assert not _near(rgb, _px(viewer, x, y), c), (x, y)
    # the line runs along the gap, not only at its middle
    x0, _ = _gap_midpoint("mid", 0.0)
    for x in (x0 - 4.0, x0 + 4.0):
        assert _near(rgb, _px(viewer, x, 0.0), colours.V2X_CACC)


def test_platoon_members_are_outlined_in_their_platoons_colour(v2x: Replay) -> None:
    viewer, rgb = _render(v2x)
    colour = colours.platoon_colour(0)  # the head is agent index 0
    counts = {
        name: _count(_body_window(rgb, viewer, name), colour)
        for name in ("lead", "mid", "tail", "acc", "front2", "mrc", "car")
    }
    assert counts["lead"] > counts["mid"] > 100  # the head's outline is thicker
    assert counts["tail"] > 100
    assert counts["acc"] == counts["front2"] == counts["mrc"] == counts["car"] == 0
    state = viewer.state
    assert state is not None
    found = resolve(state)
    assert found is not None
    assert found.platoon_of(state.row_of(1) or 0) == (0, 3)
    assert found.platoon_of(state.row_of(3) or 0) is None


def test_toggling_the_layer_off_removes_links_and_outlines(v2x: Replay) -> None:
    viewer, before = _render(v2x)
    link = _px(viewer, *_gap_midpoint("mid", 0.0))
    assert _near(before, link, colours.V2X_CACC)
    assert _count(before, colours.platoon_colour(0)) > 300
    viewer.handle(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_v, unicode="v", mod=0))
    assert viewer.view.layers["v2x"] is False
    after = frame_rgb(viewer)
    for c in (colours.V2X_CACC, colours.V2X_ACC, colours.V2X_MRC, colours.platoon_colour(0)):
        assert _count(after, c) == 0, c  # the legend's V2X rows go with the layer
    # the number key 8 brings it back
    viewer.handle(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_8, unicode="8", mod=0))
    assert viewer.view.layers["v2x"] is True
    assert np.array_equal(frame_rgb(viewer), before)


def test_a_trace_without_the_columns_renders_as_before(v2x: Replay, plain: Replay) -> None:
    full = RenderOptions(size=(1280, 720))
    plain_rgb = picture_at(plain, T, full)
    # nothing of the layer, on or off, and the same picture as the V2X run with the layer off
    assert np.array_equal(plain_rgb, picture_at(plain, T, RenderOptions(hidden_layers=("v2x",))))
    assert np.array_equal(plain_rgb, picture_at(v2x, T, RenderOptions(hidden_layers=("v2x",))))
    assert not np.array_equal(plain_rgb, picture_at(v2x, T, full))
    for c in (colours.V2X_CACC, colours.V2X_ACC, colours.V2X_MRC, colours.platoon_colour(0)):
        assert _count(plain_rgb, c) == 0, c
    viewer = viewer_for(plain, VIEW)
    viewer.set_time(T)
    viewer.draw()
    assert viewer.v2x.last is None


def test_the_panel_names_mode_leader_and_platoon(v2x: Replay, plain: Replay) -> None:
    state = v2x.state_at(T)
    mid = dict(agent_lines(v2x, state, "mid"))
    assert mid["V2X"] == "CACC (following with V2X)"
    assert mid["follows"] == "lead"
    assert mid["platoon"] == "head lead, 3 vehicles"
    lead = dict(agent_lines(v2x, state, "lead"))
    assert lead["V2X"] == "cruise (no leader)"
    assert lead["follows"] == "nobody" and lead["platoon"] == "head, 3 vehicles"
    acc = dict(agent_lines(v2x, state, "acc"))
    assert acc["V2X"].startswith("ACC fallback") and acc["follows"] == "tail"
    assert acc["platoon"] == "none"
    assert dict(agent_lines(v2x, state, "mrc"))["V2X"] == "minimal-risk manoeuvre"
    car = dict(agent_lines(v2x, state, "car"))
    assert car["V2X"] == "not connected" and "follows" not in car
    assert "V2X" not in dict(agent_lines(plain, plain.state_at(T), "mid"))
    # and the sidebar draws it
    viewer = Viewer(v2x, (1280, 800))
    viewer.view.selected = "mid"
    viewer.set_time(T)
    viewer.draw()


def test_fault_and_fallback_events_have_their_own_category(v2x: Replay) -> None:
    for kind in (
        "v2x_blackout",
        "v2x_blackout_end",
        "v2x_degrade",
        "v2x_degrade_end",
        "gnss_degrade",
        "gnss_degrade_end",
        "sensor_dropout",
        "sensor_dropout_end",
        "cacc_fallback",
        "minimal_risk",
    ):
        assert category({"kind": kind, "t": 0.0}) == "fault", kind
    assert category({"kind": "conflict"}) == "safety"
    assert "fault" in colours.EVENT_CATEGORIES
    text = describe({"kind": "cacc_fallback", "agent": "acc", "where": [30.4, -1.6]})
    assert text == "cacc_fallback  acc  at 30, -2 m"
    text = describe({"kind": "v2x_degrade", "agent": None, "zone": "u", "factor": 0.25})
    assert text == "v2x_degrade  zone u  delivery x0.25"
    assert "everywhere" in describe({"kind": "sensor_dropout", "agent": None})
    events = EventIndex(v2x.reader.events)
    kinds = [r.raw["kind"] for r in events.notable if r.category == "fault"]
    assert kinds == ["v2x_blackout", "cacc_fallback", "minimal_risk", "v2x_blackout_end"]
    assert events.next_time(0.0) == pytest.approx(0.5)  # n jumps to them


def test_help_and_legend_say_whether_the_trace_has_the_layer(v2x: Replay, plain: Replay) -> None:
    keys = dict(overlay.help_lines(True))
    assert "V2X" in keys["8 / v"] and "obstacles" in keys["1 .. 7"]
    assert overlay.help_lines(False)[-1] == overlay.HELP_LINES[-1]
    assert dict(overlay.help_lines(False))["8 / v"] == overlay.V2X_MISSING
    for replay in (v2x, plain):
        viewer = Viewer(replay, (1280, 800))
        viewer.view.show_help = True
        viewer.draw()
    fonts = viewer.fonts
    with_layer = overlay._legend_surface(fonts, v2x, True, True)
    without = overlay._legend_surface(fonts, v2x, True, False)
    assert with_layer is not None and without is not None
    assert with_layer.get_height() > without.get_height()


def test_resolve_ignores_links_to_absent_or_invalid_agents() -> None:
    ids = np.array([0, 2, 5], dtype=np.int32)
    f = np.zeros(3, dtype=np.float32)
    state = AgentState(
        0.0,
        0,
        ids,
        f,
        f,
        f,
        f,
        f,
        f,
        np.ones(3, dtype=np.int8),
        mode=np.array([2, 2, 1], dtype=np.int32),
        link=np.array([0, 3, 2**30], dtype=np.int32),  # itself, absent, out of range
        platoon=np.array([5, 5, 5], dtype=np.int32),
    )
    found = resolve(state)
    assert found is not None
    assert len(found.follower) == 0
    assert found.size.tolist() == [3, 3, 3] and found.head_row.tolist() == [2, 2, 2]
    state = AgentState(0.0, 0, ids, f, f, f, f, f, f, np.ones(3, dtype=np.int8))
    assert resolve(state) is None
