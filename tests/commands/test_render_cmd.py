"""``testzone render``, ``report``, ``replay`` and ``demo`` from the command line."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.cli import app
from sim.trace import TraceReader
from tests.viz.synthetic import write_trace

os.environ.setdefault("SDL_VIDEODRIVER", "dummy")
runner = CliRunner()


@pytest.fixture(scope="module")
def trace(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_trace(tmp_path_factory.mktemp("render-cmd"), n_agents=200, n_frames=90)


def _no_traceback(output: str) -> None:
    assert "Traceback" not in output
    assert "internal error" not in output


def test_render_png_at_a_time(trace: Path, tmp_path: Path) -> None:
    out = tmp_path / "frame.png"
    result = runner.invoke(
        app, ["render", str(trace), "-o", str(out), "--at", "0:45", "--size", "640x400"]
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert "t = 45 s" in result.output


def test_render_gif_between_two_times(trace: Path, tmp_path: Path) -> None:
    import imageio.v3 as iio

    out = tmp_path / "clip.gif"
    args = ["render", str(trace), "-o", str(out), "--from", "10", "--to", "30 s", "--fps", "4"]
    result = runner.invoke(app, [*args, "--speed", "5", "--size", "320x200", "-q"])
    assert result.exit_code == 0, result.output
    assert iio.imread(out, index=None).shape[:3] == (17, 200, 320)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-o", "{tmp}/x.bmp"], r"x\.bmp: unknown output type '\.bmp'"),
        (["-o", "{tmp}/missing/x.png"], r"x\.png: the folder .* does not exist"),
        (["-o", "{tmp}/x.png", "--at", "500"], r"--at: 500 s is outside the trace"),
        (["-o", "{tmp}/x.png", "--at", "soon"], r"--at: .*'soon'"),
        (["-o", "{tmp}/x.png", "--from", "3"], r"--from, --to and --fps are for \.gif"),
        (
            ["-o", "{tmp}/x.gif", "--from", "50", "--to", "20"],
            r"--to \(20 s\) must be after --from",
        ),
        (["-o", "{tmp}/x.png", "--size", "big"], r"--size: expected WIDTHxHEIGHT"),
        (["-o", "{tmp}/x.png", "--follow", "nobody"], r"--follow: no agent 'nobody'"),
    ],
)
def test_render_refuses_bad_options(
    trace: Path, tmp_path: Path, args: list[str], message: str
) -> None:
    result = runner.invoke(app, ["render", str(trace), *[a.format(tmp=tmp_path) for a in args]])
    assert result.exit_code == 2, result.output
    assert re.search(message, result.output), result.output
    _no_traceback(result.output)
    assert not list(tmp_path.iterdir())


def test_truncated_and_corrupt_traces_exit_2(trace: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.tztrace"
    cut.write_bytes(trace.read_bytes()[: len(trace.read_bytes()) // 2])
    for command in (
        ["render", str(cut), "-o", str(tmp_path / "a.png")],
        ["report", str(cut), "-o", str(tmp_path / "a.html")],
        ["replay", str(cut)],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert "cut.tztrace: the file is truncated" in result.output
        _no_traceback(result.output)
    # a flipped byte inside the last chunk: found when that chunk is drawn or read
    bad = tmp_path / "synthetic.tztrace"
    for name in ("grid.geojson", "grid.zones.geojson"):
        shutil.copy(trace.parent / name, tmp_path / name)
    with TraceReader(trace) as r:
        offset = int(r._index.chunks[-1]["offset"]) + 30
    data = bytearray(trace.read_bytes())
    data[offset] ^= 0x55
    bad.write_bytes(bytes(data))
    ok = runner.invoke(app, ["render", str(bad), "-o", str(tmp_path / "early.png"), "--at", "5"])
    assert ok.exit_code == 0, ok.output
    for command in (
        ["render", str(bad), "-o", str(tmp_path / "b.png")],
        ["report", str(bad), "-o", str(tmp_path / "b.html"), "-q"],
    ):
        result = runner.invoke(app, command)
        assert result.exit_code == 2, result.output
        assert re.search(r"synthetic\.tztrace: chunk \d+ .* is corrupt", result.output), (
            result.output
        )
        _no_traceback(result.output)
    assert not (tmp_path / "b.png").exists() and not (tmp_path / "b.html").exists()


def test_report_is_one_self_contained_html_file(trace: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    result = runner.invoke(app, ["report", str(trace), "-o", str(out), "-q"])
    assert result.exit_code == 0, result.output
    text = out.read_text(encoding="utf-8")
    assert "verdict: fail" in text
    assert "<code>fence.no_fly</code>" in text and "uav-0 entered no-fly zone no-fly" in text
    assert (
        text.count("data:image/png;base64,") >= 5
    )  # TTC, speed, altitude, agents, snapshot, overview
    assert 'id="snap-1"' in text
    assert not re.search(r'src="(?!data:)', text)  # nothing fetched from elsewhere
    again = tmp_path / "again.html"
    runner.invoke(app, ["report", str(trace), "-o", str(again), "-q"])
    assert again.read_bytes() == out.read_bytes()


def test_replay_without_a_display_says_so(trace: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import pygame

    def no_window(*_args: object, **_kwargs: object) -> None:
        raise pygame.error("No available video device")

    monkeypatch.setattr(pygame.display, "set_mode", no_window)
    result = runner.invoke(app, ["replay", str(trace)])
    assert result.exit_code == 2, result.output
    assert "cannot open a window" in result.output
    _no_traceback(result.output)


def test_replay_runs_until_closed(trace: Path) -> None:
    import pygame

    pygame.display.init()
    pygame.event.clear()
    pygame.event.post(pygame.event.Event(pygame.KEYDOWN, key=pygame.K_SPACE, unicode=" ", mod=0))
    pygame.event.post(pygame.event.Event(pygame.QUIT))
    result = runner.invoke(app, ["replay", str(trace), "--at", "20", "--size", "800x600"])
    assert result.exit_code == 0, result.output


def test_demo_checks_runs_and_renders(tmp_path: Path) -> None:
    out = tmp_path / "demo-output"
    result = runner.invoke(app, ["demo", "-o", str(out), "--until", "60", "-q"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert names == [
        "check.json",
        "check.txt",
        "mixed-zone-day.tztrace",
        "replay.gif",
        "replay.png",
        "report.html",
    ]
    assert "PERMITTED" in (out / "check.txt").read_text(encoding="utf-8")
    assert "verdict: pass" in (out / "report.html").read_text(encoding="utf-8")
