"""Intent volumes (struct of arrays) and zone schedules as packed windows (zone_windows)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import numpy as np
import pytest

from sim.geo.fences import compile_fences
from sim.geo.intents import IntentVolumes, suggest_cells, zone_windows
from sim.model.bundle import load_scenario
from sim.model.map_file import load_map
from sim.model.zone_file import parse_zones
from tests.conftest import ROOT, TEST_DATA

BERLIN = ZoneInfo("Europe/Berlin")
SQUARE = [[[0, 0], [100, 0], [100, 100], [0, 100], [0, 0]]]


def _fences(schedules: dict[str, object]) -> object:
    """Zones ``id -> schedule`` (one square volume each, local metres) compiled to arrays."""
    doc = {
        "type": "FeatureCollection",
        "testzone": {"format": "testzone-zones", "crs": "local", "time_zone": "Europe/Berlin"},
        "features": [
            {
                "type": "Feature",
                "geometry": {"type": "Polygon", "coordinates": SQUARE},
                "properties": {"id": zid, "kind": "no_fly", **({"schedule": s} if s else {})},
            }
            for zid, s in schedules.items()
        ],
    }
    zones = parse_zones(doc, "zones.geojson")
    return compile_fences(load_map(TEST_DATA / "good" / "small-map.geojson"), [zones])


def _windows(fa: object, start: dt.datetime, horizon: float) -> list[list[tuple[float, float]]]:
    off, w0, w1 = zone_windows(fa, start, horizon)
    assert off.dtype == np.int32 and w0.dtype == w1.dtype == np.float64
    assert len(off) == fa.n_zones + 1 and off[0] == 0 and off[-1] == len(w0) == len(w1)
    return [
        list(zip(w0[off[z] : off[z + 1]].tolist(), w1[off[z] : off[z + 1]].tolist(), strict=True))
        for z in range(fa.n_zones)
    ]


H = 3600.0


def test_weekly_window_across_the_end_of_dst() -> None:
    """Sunday 2026-10-25, Berlin: 03:00 CEST -> 02:00 CET, so 01:00-05:00 lasts 5 hours."""
    fa = _fences(
        {
            "night": {"weekly": [{"days": ["SUN"], "start": "01:00", "end": "05:00"}]},
            "rush": {"weekly": [{"days": ["MON"], "start": "07:00", "end": "09:00"}]},
            "late": {"weekly": [{"days": ["SAT"], "start": "22:00", "end": "04:00"}]},
        }
    )
    start = dt.datetime(2026, 10, 24, 0, 0, tzinfo=BERLIN)  # Saturday, CEST (+02:00)
    night, rush, late = _windows(fa, start, 3 * 86400.0)
    assert night == [(25 * H, 30 * H)]  # 01:00 CEST (23:00Z) to 05:00 CET (04:00Z)
    assert rush == [(56 * H, 58 * H)]  # Monday 07:00 CET = 06:00Z, 2 x 24 h + 1 h + 7 h
    assert late == [(22 * H, 29 * H)]  # Saturday 22:00 CEST to Sunday 04:00 CET: 7 hours
    # every instant agrees with the model's Zone.is_active
    for zn, wins in enumerate((night, rush, late)):
        for t in np.arange(0.0, 3 * 86400.0, 600.0):
            inside = any(a <= t < b for a, b in wins)
            when = start.astimezone(dt.UTC) + dt.timedelta(seconds=float(t))  # not wall time
            assert inside == fa.zones[zn].is_active(when)


def test_weekly_window_across_the_start_of_dst() -> None:
    """Sunday 2026-03-29, Berlin: 02:00 CET -> 03:00 CEST, so 01:00-05:00 lasts 3 hours."""
    fa = _fences({"night": {"weekly": [{"days": ["SUN"], "start": "01:00", "end": "05:00"}]}})
    start = dt.datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
    assert _windows(fa, start, 86400.0) == [[(1 * H, 4 * H)]]


def test_permanent_and_inactive_zones() -> None:
    fa = _fences(
        {
            "always": None,
            "past": {"start": "2020-01-01T00:00:00+00:00", "end": "2020-02-01T00:00:00+00:00"},
            "later": {"start": "2026-10-30T00:00:00+01:00"},
        }
    )
    start = dt.datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN)
    assert _windows(fa, start, 3 * 86400.0) == [[(0.0, 3 * 86400.0)], [], []]
    assert _windows(fa, start, 0.0) == [[], [], []]


def test_windows_are_clipped_to_the_horizon() -> None:
    fa = _fences(
        {
            "day": {"weekly": [{"days": ["ANY"], "start": "08:00", "end": "18:00"}]},
            "span": {"start": "2026-10-24T10:00:00+02:00", "end": "2026-10-24T13:00:00+02:00"},
        }
    )
    start = dt.datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN)  # inside both
    day, span = _windows(fa, start, 30 * H)
    assert day == [(0.0, 6 * H), (21 * H, 30 * H)]  # started before, and cut by the horizon
    assert span == [(0.0, 1 * H)]


def test_schedules_of_one_zone_are_merged() -> None:
    fa = _fences(
        {
            "two": [
                {"weekly": [{"days": ["ANY"], "start": "08:00", "end": "12:00"}]},
                {"weekly": [{"days": ["ANY"], "start": "11:00", "end": "14:00"}]},
                {"weekly": [{"days": ["ANY"], "start": "14:00", "end": "15:00"}]},
            ]
        }
    )
    start = dt.datetime(2026, 7, 1, 0, 0, tzinfo=BERLIN)
    assert _windows(fa, start, 86400.0) == [[(8 * H, 15 * H)]]


def test_zone_windows_of_the_demo_scenario_follow_is_active() -> None:
    bundle = load_scenario(ROOT / "scenarios" / "mixed-zone-day.toml")
    fa = compile_fences(bundle.map, bundle.zone_sets)
    start = bundle.scenario.start
    horizon = 9 * 86400.0
    wins = _windows(fa, start, horizon)
    assert any(len(w) > 0 for w in wins) and any(w != [(0.0, horizon)] for w in wins)
    rng = np.random.default_rng(0)
    for t in rng.uniform(0, horizon, 300):
        when = start.astimezone(dt.UTC) + dt.timedelta(seconds=float(t))
        for zn, w in enumerate(wins):
            assert any(a <= t < b for a, b in w) == fa.zones[zn].is_active(when)


def test_naive_start_is_refused() -> None:
    fa = _fences({"always": None})
    with pytest.raises(ValueError, match="timezone-aware"):
        zone_windows(fa, dt.datetime(2026, 1, 1), 10.0)


# --- IntentVolumes -----------------------------------------------------------------------------
def test_from_path_makes_one_volume_per_leg() -> None:
    iv = IntentVolumes.from_path(
        [0, 100, 100], [0, 0, 50], [10, 20, 30], zlo=30.0, zhi=[50.0, 60.0], r=20, time_buffer=5,
        plan=7,
    )  # fmt: skip
    assert iv.n == 2
    np.testing.assert_array_equal(iv.x0, [0, 100])
    np.testing.assert_array_equal(iv.y1, [0, 50])
    np.testing.assert_array_equal(iv.t0, [5, 15])
    np.testing.assert_array_equal(iv.t1, [25, 35])
    np.testing.assert_array_equal(iv.zhi, [50, 60])
    assert iv.plan.dtype == np.int32 and iv.plan.tolist() == [7, 7]
    assert all(a.dtype == np.float64 for a in iv.kernel_args())
    assert IntentVolumes.from_path([1.0], [2.0], [3.0], 0, 1, 1, 0, 0).n == 0
    with pytest.raises(ValueError, match="decrease"):
        IntentVolumes.from_path([0, 1], [0, 1], [5, 4], 0, 1, 1, 0, 0)
    with pytest.raises(ValueError, match="same number"):
        IntentVolumes.from_path([0, 1], [0], [5, 4], 0, 1, 1, 0, 0)


def test_concat_and_checks() -> None:
    a = IntentVolumes.from_path([0, 1], [0, 1], [0, 1], 0, 1, 1, 0, 0)
    b = IntentVolumes.from_path([5, 6, 7], [0, 1, 2], [0, 1, 2], 0, 1, 1, 0, 1)
    both = IntentVolumes.concat([a, b])
    assert both.n == 3 and both.plan.tolist() == [0, 1, 1]
    assert IntentVolumes.concat([]).n == 0
    with pytest.raises(ValueError, match=r"IntentVolumes\.r"):
        IntentVolumes(
            *(np.zeros(2) for _ in range(4)),
            np.zeros(3),
            *(np.zeros(2) for _ in range(4)),
            np.zeros(2),
        )


def test_suggest_cells() -> None:
    iv = IntentVolumes.from_path([0, 1000, 1000], [0, 0, 500], [0, 100, 160], 0, 1, 50, 10, 0)
    cell, tcell = suggest_cells(iv, factor=1.0)
    assert cell == pytest.approx((1100 + 600) / 2)  # median box widths 1100 and 600 m
    assert tcell == pytest.approx((120 + 80) / 2)
    assert suggest_cells(iv) == pytest.approx((2 * cell, 2 * tcell))
    assert suggest_cells(IntentVolumes.empty()) == (1000.0, 600.0)
    hover = IntentVolumes.from_path([0, 0], [0, 0], [0, 0], 0, 1, 0, 0, 0)
    assert suggest_cells(hover) == (1.0, 1.0)


def test_start_in_a_dst_zone_counts_real_seconds() -> None:
    """A start in Europe/Berlin and the same instant in UTC give the same windows (Python adds
    timedeltas to aware datetimes on the wall clock, which would shift them by the DST jump)."""
    fa = _fences(
        {
            "day": {"weekly": [{"days": ["ANY"], "start": "08:00", "end": "18:00"}]},
            "until": {"end": "2026-10-25T12:00:00+01:00"},
        }
    )
    berlin = dt.datetime(2026, 10, 24, 12, 0, tzinfo=BERLIN)
    utc = berlin.astimezone(dt.UTC)
    got = _windows(fa, berlin, 2 * 86400.0)
    assert got == _windows(fa, utc, 2 * 86400.0)
    assert got[1] == [(0.0, 25 * H)]  # 24 Oct 10:00Z to 25 Oct 11:00Z
