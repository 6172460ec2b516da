"""The viewer driven by injected pygame events: pan, zoom, play, scrub, pick, keys."""

from __future__ import annotations

import pygame
import pytest

from viz.app import ZOOM_STEP, Viewer
from viz.replay import Replay
from viz.view import LAYERS, SPEEDS


def _viewer(replay: Replay) -> Viewer:
    viewer = Viewer(replay, (1280, 800))
    viewer.draw()
    return viewer


def _post(*events: pygame.event.Event) -> None:
    if not pygame.display.get_init():  # a replay window closed by another test quits video
        pygame.display.init()
    for e in events:
        pygame.event.post(e)


def _key(key: int, char: str = "") -> pygame.event.Event:
    return pygame.event.Event(pygame.KEYDOWN, key=key, unicode=char, mod=0)


def _click(pos: tuple[int, int]) -> list[pygame.event.Event]:
    return [
        pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=pos, button=1),
        pygame.event.Event(pygame.MOUSEBUTTONUP, pos=pos, button=1),
    ]


def test_drag_pans_the_map(synthetic: Replay) -> None:
    v = _viewer(synthetic)
    cam = v.view.camera
    cx, cy, scale = cam.cx, cam.cy, cam.scale
    start = v.layout.map.center
    _post()
    pygame.event.clear()
    _post(
        pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=start, button=1),
        pygame.event.Event(
            pygame.MOUSEMOTION, pos=(start[0] + 60, start[1] + 20), rel=(60, 20), buttons=(1, 0, 0)
        ),
        pygame.event.Event(
            pygame.MOUSEMOTION, pos=(start[0] + 100, start[1] + 50), rel=(40, 30), buttons=(1, 0, 0)
        ),
        pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(start[0] + 100, start[1] + 50), button=1),
    )
    v.pump()
    # the picture moved right and down with the mouse: the centre is now 100 px left, 50 px up
    assert cam.cx == pytest.approx(cx - 100 / scale)
    assert cam.cy == pytest.approx(cy + 50 / scale)
    assert cam.scale == scale
    assert v.view.selected is None  # a drag is not a click


def test_wheel_zooms_about_the_mouse(synthetic: Replay) -> None:
    v = _viewer(synthetic)
    cam = v.view.camera
    pos = (300, 200)
    before = cam.to_world(*pos)
    scale = cam.scale
    _post()
    pygame.event.clear()
    _post(pygame.event.Event(pygame.MOUSEMOTION, pos=pos, rel=(0, 0), buttons=(0, 0, 0)))
    _post(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=2, flipped=False))
    v.pump()
    assert cam.scale == pytest.approx(scale * ZOOM_STEP**2)
    after = cam.to_world(*pos)
    assert after == pytest.approx(before)
    v.handle(pygame.event.Event(pygame.MOUSEWHEEL, x=0, y=-2, flipped=False, pos=pos))
    assert cam.scale == pytest.approx(scale)


def test_space_plays_and_plus_minus_change_the_speed(synthetic: Replay) -> None:
    v = _viewer(synthetic)
    assert not v.view.playing and v.view.t == synthetic.t_first
    v.handle(_key(pygame.K_SPACE, " "))
    assert v.view.playing
    speed = v.view.speed
    v.advance(0.5)
    assert v.view.t == pytest.approx(synthetic.t_first + 0.5 * speed)
    v.handle(_key(pygame.K_EQUALS, "+"))
    assert v.view.speed == min(s for s in SPEEDS if s > speed)
    v.handle(_key(pygame.K_MINUS, "-"))
    v.handle(_key(pygame.K_MINUS, "-"))
    assert v.view.speed == max(s for s in SPEEDS if s < speed)
    v.handle(_key(pygame.K_SPACE, " "))
    assert not v.view.playing
    # playing stops at the last frame
    v.view.playing = True
    v.advance(1e6)
    assert v.view.t == synthetic.t_last and not v.view.playing


def test_the_timeline_scrubs(synthetic: Replay) -> None:
    v = _viewer(synthetic)
    tl = v.layout.timeline
    track = v.timeline.track(tl)
    x = track.left + track.width // 4
    _post()
    pygame.event.clear()
    _post(pygame.event.Event(pygame.MOUSEBUTTONDOWN, pos=(x, track.centery), button=1))
    v.pump()
    t0, t1 = v.timeline.span()
    assert v.view.t == pytest.approx(t0 + (t1 - t0) * (x - track.left) / track.width, abs=1e-6)
    _post(
        pygame.event.Event(
            pygame.MOUSEMOTION, pos=(track.right - 1, track.centery), rel=(0, 0), buttons=(1, 0, 0)
        ),
        pygame.event.Event(pygame.MOUSEBUTTONUP, pos=(track.right - 1, track.centery), button=1),
    )
    v.pump()
    assert v.view.t == pytest.approx(min(v.timeline.time_at(tl, track.right - 1), synthetic.t_last))
    assert v.view.t == synthetic.t_last  # clamped to the recorded frames
    v.draw()


def test_clicking_an_agent_opens_its_panel(synthetic: Replay) -> None:
    v = _viewer(synthetic)
    v.set_time(12.0)
    v.view.camera.show(100.0 + 120.0, 500.0, 300.0)  # icv-1 drives east along y = 500 m
    v.draw()
    state = v.state
    assert state is not None
    row = state.row_of(synthetic.agents.index_of("icv-1"))
    placed = v.painter.last
    assert placed is not None and row is not None
    k = list(placed.rows).index(row)
    pos = (int(placed.sx[k]), int(placed.sy[k]))
    _post()
    pygame.event.clear()
    _post(*_click(pos))
    v.pump()
    assert v.view.selected == "icv-1"
    v.draw()  # the panel shows it without errors; follow keeps it centred
    v.handle(_key(pygame.K_f, "f"))
    assert v.view.follow
    v.set_time(20.0)
    v.draw()
    sx, sy = v.selected_screen_position() or (0, 0)
    assert abs(sx - v.layout.map.centerx) < 20 and abs(sy - v.layout.map.centery) < 20
    # clicking empty water clears the selection
    v.handle(_key(pygame.K_f, "f"))
    _post(*_click((v.layout.map.left + 5, v.layout.map.top + 300)))
    v.pump()
    assert v.view.selected is None


def test_keys_step_jump_toggle_and_help(synthetic: Replay) -> None:
    v = _viewer(synthetic)
    times = synthetic.frames.times
    v.handle(_key(pygame.K_RIGHT))
    assert v.view.t == times[1]
    v.handle(_key(pygame.K_RIGHT))
    v.handle(_key(pygame.K_LEFT))
    assert v.view.t == times[1]
    v.handle(_key(pygame.K_n, "n"))
    assert v.view.t == pytest.approx(30.0)  # the breach
    assert v.view.selected == "uav-0"
    v.handle(_key(pygame.K_n, "n"))
    assert v.view.t == pytest.approx(40.0)  # close_zone
    v.handle(_key(pygame.K_p, "p"))
    assert v.view.t == pytest.approx(30.0)
    for k, name in enumerate(LAYERS):
        v.handle(_key(getattr(pygame, f"K_{k + 1}")))
        assert v.view.layers[name] is False
    v.draw()  # everything hidden still draws
    v.handle(_key(pygame.K_h, "h"))
    assert v.view.show_help
    v.draw()
    v.handle(_key(pygame.K_ESCAPE))
    assert not v.view.show_help
    v.handle(_key(pygame.K_END))
    assert v.view.t == synthetic.t_last
    v.handle(_key(pygame.K_HOME))
    assert v.view.t == synthetic.t_first
    v.handle(_key(pygame.K_e, "e"))
    assert v.view.all_events
    v.handle(_key(pygame.K_q, "q"))
    assert not v.running


def test_the_event_list_jumps_to_an_event(synthetic: Replay) -> None:
    v = _viewer(synthetic)
    rect = v.layout.events
    # the first notable event row is the breach at 30 s
    pos = (rect.left + 40, rect.top + 26 + 5)
    row = v.event_list.row_at(rect, v.view, pos[1])
    assert row is not None and row.t == pytest.approx(30.0)
    _post()
    pygame.event.clear()
    _post(*_click(pos))
    v.pump()
    assert v.view.t == pytest.approx(30.0)
    assert v.view.selected == "uav-0"
    # the wheel over the list scrolls it instead of zooming
    scale = v.view.camera.scale
    v.handle(
        pygame.event.Event(
            pygame.MOUSEWHEEL, x=0, y=-1, flipped=False, pos=(rect.left + 40, rect.top + 60)
        )
    )
    assert v.view.camera.scale == scale


def test_resize_and_quit_events(synthetic: Replay) -> None:
    v = _viewer(synthetic)
    v.handle(pygame.event.Event(pygame.VIDEORESIZE, w=700, h=500, size=(700, 500)))
    assert v.canvas.get_size() == (700, 500)
    assert v.layout.events.width == 0  # no sidebar in a narrow window
    v.draw()
    v.handle(pygame.event.Event(pygame.QUIT))
    assert not v.running
