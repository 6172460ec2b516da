"""Renders of the bundled mixed scenario and a synthetic run, checked pixel by pixel."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from sim.geo.projection import LocalProjection
from sim.model.map import Berth
from sim.model.map_file import load_map
from tests.conftest import ROOT
from viz import colours
from viz.agentdraw import MIN_HALF_LENGTH
from viz.app import Viewer
from viz.render import RenderOptions, frame_rgb, picture_at, render_video, viewer_for, write_png
from viz.replay import Replay

T = 120.0  # uav-01 airborne, usv-01 on the river, icv-01 stopped by the platform


def _count(rgb: np.ndarray, colour: tuple[int, int, int]) -> int:
    return int(np.all(rgb == np.array(colour, dtype=np.uint8), axis=-1).sum())


def _expected_pixel(viewer: Viewer, x: float, y: float) -> tuple[int, int]:
    """Where a local point (m) must land: viewport centre + offset x scale (north up)."""
    cam = viewer.view.camera
    sx = cam.left + cam.width / 2 + (x - cam.cx) * cam.scale
    sy = cam.top + cam.height / 2 - (y - cam.cy) * cam.scale
    return int(np.floor(sx)), int(np.floor(sy))


def _agent(replay: Replay, agent_id: str, t: float) -> tuple[float, float, float, float]:
    state = replay.state_at(t)
    index = replay.agents.index_of(agent_id)
    assert index is not None
    row = state.row_of(index)
    assert row is not None, f"{agent_id} is not moving at t={t}"
    return float(state.x[row]), float(state.y[row]), float(state.z[row]), float(state.heading[row])


def test_the_mixed_scenario_renders_with_fences_and_agents(mixed: Replay) -> None:
    rgb = picture_at(mixed, T)
    assert rgb.shape == (720, 1280, 3)
    distinct = np.unique(rgb.reshape(-1, 3), axis=0)
    assert len(distinct) > 100  # not blank
    assert _count(rgb, colours.BACKGROUND) < 0.5 * rgb.shape[0] * rgb.shape[1]
    # fence outlines: test areas, the airport no-fly zone, the hospital's authorisation zone
    for kind in ("test_area", "test_waters", "no_fly", "authorisation_required"):
        assert _count(rgb, colours.zone_colour(kind)) > 100, kind
    # the legend and the agent colours
    assert _count(rgb, colours.ICV_BACKGROUND) > 0
    assert _count(rgb, colours.SHIP) > 0


@pytest.mark.parametrize(
    ("agent", "what"), [("usv-01", "ship"), ("icv-01", "icv"), ("uav-01", "uav")]
)
def test_an_agent_is_drawn_where_its_position_says(mixed: Replay, agent: str, what: str) -> None:
    x, y, _, heading = _agent(mixed, agent, T)
    # centre the view 40 m away from the agent, 150 m across: the agent is off-centre
    viewer = viewer_for(
        mixed, RenderOptions(centre=(x + 40.0, y - 25.0), width_m=150.0, hidden_layers=("labels",))
    )
    viewer.set_time(T)
    rgb = frame_rgb(viewer)
    if what == "icv":  # the trace has the front bumper; the body's centre is half a length back
        length = float(mixed.agents.length[mixed.agents.index_of(agent)])
        x -= 0.5 * length * np.cos(heading)
        y -= 0.5 * length * np.sin(heading)
    px, py = _expected_pixel(viewer, x, y)
    got = tuple(int(v) for v in rgb[py, px])
    if what == "uav":
        ramp = {tuple(int(v) for v in c) for c in colours.altitude_ramp()}
        ramp |= {colours.lighten(c, colours.NOSE_LIGHTEN) for c in ramp}
        assert got in ramp, got
    else:
        body = colours.SHIP if what == "ship" else colours.ICV_TESTED
        assert got in (body, colours.lighten(body, colours.NOSE_LIGHTEN)), got
    # and nothing of that colour where the agent is not: the opposite side of the view
    far = rgb[py, max(px - 200, 0)]
    assert tuple(int(v) for v in far) != got


def test_the_map_is_projected_where_sim_geo_puts_it(mixed: Replay) -> None:
    """A berth's lon/lat, projected by sim.geo, is where the viewer drew it."""
    the_map = load_map(ROOT / "maps" / "lingang-demo.geojson")
    origin = the_map.header.origin
    assert origin is not None
    berth = the_map.of_type(Berth)[0]
    lon, lat = berth.position[:2]
    x, y = LocalProjection(origin.lon, origin.lat).to_local(lon, lat)
    viewer = viewer_for(
        mixed,
        RenderOptions(
            centre=(float(x) + 20, float(y) + 10),
            width_m=400.0,
            chrome=False,
            hidden_layers=("zones",),
        ),
    )
    viewer.set_time(T)
    rgb = frame_rgb(viewer)
    px, py = _expected_pixel(viewer, float(x), float(y))
    assert tuple(int(v) for v in rgb[py, px]) == colours.BERTH


def test_renders_are_deterministic(mixed: Replay, tmp_path: Path) -> None:
    a, b = tmp_path / "a.png", tmp_path / "b.png"
    write_png(picture_at(mixed, 90.5), a)
    write_png(picture_at(mixed, 90.5), b)
    assert a.read_bytes() == b.read_bytes()
    assert a.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert not list(tmp_path.glob(".*part*"))


def test_fences_follow_their_schedule_and_platform_orders(synthetic: Replay) -> None:
    ids = [z.id for z in synthetic.zones]
    school, park = ids.index("school"), ids.index("park")
    # school: Mondays 09:01-10:00; the run starts Monday 09:00
    assert not synthetic.zone_state(30.0).active[school]
    assert synthetic.zone_state(90.0).active[school]
    # park: Saturdays only, but the platform closes it at 40 s
    assert not synthetic.zone_state(39.0).active[park]
    assert synthetic.zone_state(41.0).active[park]
    yellow = colours.zone_colour("conditional")
    before = picture_at(synthetic, 30.0, RenderOptions(hidden_layers=("trails",)))
    after = picture_at(synthetic, 90.0, RenderOptions(hidden_layers=("trails",)))
    assert _count(after, yellow) > _count(before, yellow) + 300


def test_a_breached_zone_flashes(synthetic: Replay) -> None:
    # the no-fly zone is breached at 30 s
    assert not any(synthetic.zone_state(29.0).flashing)
    assert synthetic.zone_state(30.5).flashing[[z.id for z in synthetic.zones].index("no-fly")]
    before = picture_at(synthetic, 29.0)
    during = picture_at(synthetic, 30.5)
    assert _count(before, colours.BREACH_FLASH) == 0
    assert _count(during, colours.BREACH_FLASH) > 500


def test_small_agents_keep_a_visible_size(synthetic: Replay) -> None:
    """Zoomed far out a 4.8 m car is below a pixel; it is still drawn with its minimum size."""
    viewer = viewer_for(synthetic, RenderOptions(width_m=20_000.0, chrome=False))
    viewer.set_time(60.0)
    viewer.draw()
    placed = viewer.painter.last
    assert placed is not None and len(placed.rows) > 200
    assert float(placed.radius.min()) >= MIN_HALF_LENGTH


def test_gif_and_mp4_are_written_headless(synthetic: Replay, tmp_path: Path) -> None:
    import imageio.v3 as iio

    gif = tmp_path / "clip.gif"
    n = render_video(
        synthetic, gif, 10.0, 20.0, fps=5, speed=5.0, options=RenderOptions(size=(480, 270))
    )
    assert n == 11
    frames = iio.imread(gif, index=None)
    assert frames.shape[0] == 11 and frames.shape[1:3] == (270, 480)
    # frames after the first store only what changed: decoded, they are the pictures
    expected = picture_at(synthetic, 20.0, RenderOptions(size=(480, 270), speed=5.0))
    playing = frames[-1][..., :3].astype(int)
    assert np.abs(playing - expected.astype(int)).mean() < 4.0
    again = tmp_path / "again.gif"
    render_video(
        synthetic, again, 10.0, 20.0, fps=5, speed=5.0, options=RenderOptions(size=(480, 270))
    )
    assert again.read_bytes() == gif.read_bytes()
    mp4 = tmp_path / "clip.mp4"
    pytest.importorskip("imageio_ffmpeg")
    n = render_video(
        synthetic, mp4, 10.0, 20.0, fps=10, speed=10.0, options=RenderOptions(size=(481, 271))
    )
    assert n == 11
    assert mp4.stat().st_size > 1000
    assert mp4.read_bytes()[4:8] == b"ftyp"
    assert not list(tmp_path.glob(".*part*"))


def test_close_up_bodies_are_exact_polygons(mixed: Replay) -> None:
    """Zoomed in beyond the stamp sizes, a car is drawn as its true 4.8 m x 1.9 m box."""
    x, y, _, heading = _agent(mixed, "icv-01", T)
    length = float(mixed.agents.length[mixed.agents.index_of("icv-01")])
    cx, cy = x - 0.5 * length * np.cos(heading), y - 0.5 * length * np.sin(heading)
    viewer = viewer_for(
        mixed,
        RenderOptions(
            centre=(cx, cy), width_m=20.0, chrome=False, hidden_layers=("labels", "trails")
        ),
    )
    viewer.set_time(T)
    rgb = frame_rgb(viewer)
    scale = viewer.view.camera.scale
    px, py = _expected_pixel(viewer, cx, cy)
    assert tuple(int(v) for v in rgb[py, px]) == colours.ICV_TESTED
    body = np.all(rgb == np.array(colours.ICV_TESTED, dtype=np.uint8), axis=-1).sum()
    nose = np.all(
        rgb == np.array(colours.lighten(colours.ICV_TESTED, colours.NOSE_LIGHTEN), dtype=np.uint8),
        axis=-1,
    ).sum()
    area = length * float(mixed.agents.width[mixed.agents.index_of("icv-01")]) * scale**2
    assert 0.9 * area < body + nose < 1.1 * area
