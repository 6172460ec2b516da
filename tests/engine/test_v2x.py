"""Connected driving in whole runs: platoons form, faults act where and when scripted, runs repeat.

Scenarios are written to a temporary folder next to copies of nothing: they point at the
bundled map and zones by absolute path.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from sim.commands.run import simulate
from sim.engine.recorder import NullRecorder
from sim.engine.simulation import Simulation
from sim.engine.v2x import is_connected_draw
from sim.kernels.cacc import MODE_ACC, MODE_CACC, MODE_MRC
from sim.model.bundle import load_scenario
from tests.conftest import ROOT

MAP = (ROOT / "maps" / "lingang-demo.geojson").as_posix()
ZONES = [
    (ROOT / "maps" / n).as_posix()
    for n in ("lingang-demo.zones.geojson", "lingang-v2x.zones.geojson")
]
ROUTE = '["XW", "XA", "XB", "XE", "H1", "H2"]'


def _platoon(
    tmp_path: Path,
    n: int = 5,
    duration: float = 120.0,
    extra: str = "",
    v2x: str = "",
    connected: bool = True,
    name: str = "platoon.toml",
) -> Path:
    """A platoon of ``n`` trucks in the right lane of the expressway; returns the file."""
    agents = []
    for k in range(n):
        speed = "70 km/h" if k == 0 else "80 km/h"
        agents.append(
            f'[[agent]]\nid = "t{k}"\ntype = "truck"\ndepart = {1.5 * k}\nroute = {ROUTE}\n'
            f'speed = "{speed}"\nconnected = {str(connected).lower()}\n'
            f'start = {{ s = 5, lane = 0, speed = "70 km/h" }}\n'
        )
    text = (
        f'name = "platoon"\nstart = 2026-12-08T10:00:00+08:00\nduration = {duration}\n'
        f'seed = 3\nmap = "{MAP}"\nzones = {ZONES!r}\n'.replace("'", '"')
        + (f"[v2x]\n{v2x}\n" if v2x else "")
        + "\n".join(agents)
        + "\n"
        + extra
    )
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


class Probe(NullRecorder):
    """Calls ``check(sim, t)`` at every recorded frame."""

    def __init__(self, check: Any) -> None:
        super().__init__()
        self.check = check
        self.sim: Simulation | None = None

    def add_frame(self, t, ids, values, status) -> None:
        super().add_frame(t, ids, values, status)
        assert self.sim is not None
        self.check(self.sim, t)


def _run(path: Path, check: Any = None, record_every: int = 1) -> Simulation:
    rec = Probe(check or (lambda sim, t: None))
    sim = Simulation(load_scenario(path), recorder=rec, record_every=record_every)
    rec.sim = sim
    sim.run()
    return sim


def _events(sim: Simulation, kind: str) -> list[dict[str, Any]]:
    assert isinstance(sim.recorder, NullRecorder)
    return [e for e in sim.recorder.events if e["kind"] == kind]


def test_a_platoon_forms_at_the_cacc_time_gap(tmp_path: Path) -> None:
    seen: dict[str, Any] = {"modes": [], "gaps": []}

    def check(sim: Simulation, t: float) -> None:
        f = sim.fleet
        if t >= 60.0:
            ids = [f.index[f"t{k}"] for k in range(1, 5)]
            seen["modes"].append(f.cacc_mode[ids].tolist())
            seen["gaps"].append((sim.gap[ids] / np.maximum(f.speed[ids], 0.1)).tolist())
            seen["pos"] = f.plat_pos[ids].tolist()

    sim = _run(_platoon(tmp_path, duration=90.0), check)
    assert np.all(np.array(seen["modes"]) == MODE_CACC)
    # spacing policy r + h v: gap / v = 0.7 s + 2 m / v
    tg = np.array(seen["gaps"])
    v = sim.fleet.speed[[sim.fleet.index[f"t{k}"] for k in range(1, 5)]]
    np.testing.assert_allclose(tg[-1], 0.7 + 2.0 / v, atol=0.02)
    assert seen["pos"] == [1, 2, 3, 4]


def test_summary_and_trace_carry_the_v2x_metrics(tmp_path: Path) -> None:
    path = _platoon(tmp_path, duration=90.0)
    out = tmp_path / "p.tztrace"
    _, result = simulate(load_scenario(path), out)
    v = result.summary["v2x"]
    assert v["connected_vehicles"] == 5
    assert v["max_platoon_size"] == 5
    assert v["cam_sent"] > 5 * 80 * 10 * 0.95  # 10 Hz for ~88 s each
    # followers 16 m apart hear nearly everything (P(16 m) > 0.99 at r = 300 m)
    assert v["cam_delivery_ratio"] > 0.99
    assert v["cam_received"] + v["cam_lost"] > 4 * 80 * 10 * 0.9
    # gap / v = h + r / v = 0.7 + 2 / 19.4 s at 70 km/h, a little more while closing up
    assert 0.78 < v["platoon_time_gap_mean"] < 0.95
    assert v["fallbacks"] == 0
    from sim.trace import TraceReader

    r = TraceReader(out)
    assert r.fields[-3:] == ("mode", "link", "platoon")
    frame = r.frame(len(r.times) - 1)
    mode = frame.values[:, r.fields.index("mode")]
    link = frame.values[:, r.fields.index("link")]
    plat = frame.values[:, r.fields.index("platoon")]
    ids = frame.ids.tolist()
    head = ids[int(np.argmin(mode))]  # the head cruises (mode 0)
    assert sorted(mode.tolist()) == [0, 2, 2, 2, 2]
    assert set(plat.tolist()) == {head}
    # each follower follows the truck that departed just before it
    for row, i in enumerate(ids):
        if i != head:
            assert int(link[row]) == i - 1


def test_a_blackout_makes_followers_fall_back_to_acc_within_the_timeout(tmp_path: Path) -> None:
    """Everywhere at 60 s: every follower is in ACC by 60 + timeout + latency + 2 ticks, and a
    hard slowdown during the blackout ends without a collision."""
    extra = (
        '[[event]]\nat = 60\nuntil = 100\naction = "v2x_blackout"\n'
        '[[event]]\nat = 62\naction = "set_speed_limit"\nedge = "R-XB-XE"\nspeed = "30 km/h"\n'
        '[[event]]\nat = 62\naction = "set_speed_limit"\nedge = "R-XA-XB"\nspeed = "30 km/h"\n'
    )
    modes: dict[float, list[int]] = {}

    def check(sim: Simulation, t: float) -> None:
        f = sim.fleet
        if t > 10.0:
            modes[round(t, 1)] = [int(f.cacc_mode[f.index[f"t{k}"]]) for k in range(1, 5)]

    sim = _run(_platoon(tmp_path, duration=120.0, extra=extra), check)
    assert modes[59.9] == [MODE_CACC] * 4
    deadline = 60.0 + 0.5 + 0.1 + 0.2
    assert all(m == MODE_ACC for m in modes[round(deadline, 1)])
    falls = _events(sim, "cacc_fallback")
    assert sorted(e["agent"] for e in falls if e["t"] < 61.0) == ["t1", "t2", "t3", "t4"]
    assert not sim.violations  # fallbacks are events, not violations
    assert sim.collisions.n_collisions == 0
    s = sim.v2x.summary()
    assert s["fallbacks"] >= 4
    # messages arrive again: nobody is left in ACC (t1 may lead now, its head having moved over)
    assert MODE_ACC not in modes[115.0] and modes[115.0][1:] == [MODE_CACC] * 3


def test_fault_events_name_their_window_in_the_trace(tmp_path: Path) -> None:
    extra = '[[event]]\nat = 30\nuntil = 50\naction = "v2x_blackout"\nzone = "v2x-underpass"\n'
    out = tmp_path / "f.tztrace"
    simulate(load_scenario(_platoon(tmp_path, duration=60.0, extra=extra)), out)
    from sim.trace import TraceReader

    kinds = [(e["t"], e["kind"], e.get("zone")) for e in TraceReader(out).events]
    assert (30.0, "v2x_blackout", "v2x-underpass") in kinds
    assert (50.0, "v2x_blackout_end", "v2x-underpass") in kinds


def test_a_zone_blackout_only_acts_inside_the_zone(tmp_path: Path) -> None:
    """The underpass is 1.3-1.7 km from XW: trucks lose messages there and only there."""
    extra = '[[event]]\nat = 0\naction = "v2x_blackout"\nzone = "v2x-underpass"\n'
    inside: list[tuple[float, float, float]] = []

    def check(sim: Simulation, t: float) -> None:
        f = sim.fleet
        for k in range(5):
            i = f.index.get(f"t{k}")
            if i is not None and f.status[i] == 1:
                inside.append((float(f.x[i]), float(f.degrade[i]), t))

    _run(_platoon(tmp_path, duration=110.0, extra=extra), check)
    arr = np.array(inside)
    x0 = arr[arr[:, 1] == 0.0, 0]
    x1 = arr[arr[:, 1] == 1.0, 0]
    assert len(x0) > 100 and len(x1) > 100
    # the zone's outline (121.9104..121.9146 E) in local metres: a window along x
    assert x0.max() - x0.min() < 420.0
    assert not np.any((x1 > x0.min() + 1.0) & (x1 < x0.max() - 1.0))


def test_sensor_dropout_connected_keeps_following_over_v2x_others_stop(tmp_path: Path) -> None:
    extra = '[[event]]\nat = 60\nuntil = 80\naction = "sensor_dropout"\nagent = "t2"\n'
    modes: list[int] = []

    def check(sim: Simulation, t: float) -> None:
        if 61.0 <= t < 80.0:
            modes.append(int(sim.fleet.cacc_mode[sim.fleet.index["t2"]]))

    sim = _run(_platoon(tmp_path, duration=100.0, extra=extra), check)
    assert set(modes) == {MODE_CACC}  # gap from its leader's CAMs and its own GNSS fix
    assert sim.collisions.n_collisions == 0

    # without V2X the same dropout leaves no way to see ahead: a minimal risk manoeuvre
    path = _platoon(tmp_path, duration=100.0, extra=extra, connected=False, name="idm.toml")
    stopped: list[float] = []

    def check2(sim: Simulation, t: float) -> None:
        if 61.0 <= t < 80.0:
            i = sim.fleet.index["t2"]
            stopped.append(float(sim.fleet.speed[i]))
            assert sim.fleet.cacc_mode[i] == MODE_MRC

    sim = _run(path, check2)
    assert min(stopped) == 0.0  # braked to a stop at its comfortable deceleration
    assert [e["agent"] for e in _events(sim, "minimal_risk")] == ["t2"]


def test_gnss_bias_reaches_the_controller_not_the_physics(tmp_path: Path) -> None:
    """With its radar out, t2 spaces itself by V2X positions: a fix biased 6 m forward makes
    it believe its gap is 6 m shorter, so it drops back about 6 m; without the dropout the
    radar gap rules and the bias changes nothing."""
    gaps = {}
    for label, extra in (
        ("radar", '[[event]]\nat = 60\naction = "gnss_degrade"\nagent = "t2"\nbias = [6.0, 0.0]\n'),
        ("v2x", '[[event]]\nat = 60\naction = "sensor_dropout"\nagent = "t2"\n'),
        (
            "v2x+bias",
            '[[event]]\nat = 60\naction = "sensor_dropout"\nagent = "t2"\n'
            '[[event]]\nat = 60\naction = "gnss_degrade"\nagent = "t2"\nbias = [6.0, 0.0]\n',
        ),
    ):
        got: list[float] = []

        def check(sim: Simulation, t: float, got: list[float] = got) -> None:
            if t >= 95.0:
                got.append(float(sim.gap[sim.fleet.index["t2"]]))

        _run(_platoon(tmp_path, duration=100.0, extra=extra, name=f"{label}.toml"), check)
        gaps[label] = float(np.mean(got))
    assert gaps["radar"] == pytest.approx(2.0 + 0.7 * 19.44, abs=0.3)
    assert gaps["v2x"] == pytest.approx(gaps["radar"], abs=0.6)
    assert gaps["v2x+bias"] - gaps["v2x"] == pytest.approx(6.0, abs=0.6)


def test_a_seeded_run_with_v2x_and_faults_is_byte_identical(tmp_path: Path) -> None:
    scen = ROOT / "scenarios" / "expressway-platoon-blackout.toml"
    digests = []
    for k in range(2):
        out = tmp_path / f"run{k}.tztrace"
        simulate(load_scenario(scen), out, until=150.0)
        digests.append(hashlib.sha256(out.read_bytes()).hexdigest())
    assert digests[0] == digests[1]


def test_penetration_draws_are_nested_and_leave_other_draws_alone(tmp_path: Path) -> None:
    keys = np.random.default_rng(5).integers(0, 2**63, 4000)
    at30 = np.array([is_connected_draw(int(k), 0.3) for k in keys])
    at60 = np.array([is_connected_draw(int(k), 0.6) for k in keys])
    assert np.all(at60[at30])  # connected at 30 % stays connected at 60 %
    for share, got in ((0.3, at30), (0.6, at60)):
        sd = np.sqrt(share * (1 - share) / len(keys))
        assert abs(got.mean() - share) < 4 * sd
    assert not any(is_connected_draw(int(k), 0.0) for k in keys[:100])

    def scenario(share: float) -> Path:
        text = (
            f'name = "flow"\nstart = 2026-12-08T10:00:00+08:00\nduration = 300\nseed = 9\n'
            f'map = "{MAP}"\n[[flow]]\nid = "bg"\nmix = {{ car = 0.8, truck = 0.2 }}\n'
            f'origin = "XW"\ndestination = "H2"\nrate = "1200 /h"\nconnected = {share}\n'
        )
        p = tmp_path / f"flow{share}.toml"
        p.write_text(text, encoding="utf-8")
        return p

    runs = {}
    for share in (0.0, 0.3):
        sim = Simulation(load_scenario(scenario(share)), until=300.0)
        sim.run()
        f = sim.fleet
        runs[share] = (f.ids[:], f.length[: f.n].copy(), f.ctrl[: f.n])
    ids0, len0, ctrl0 = runs[0.0]
    ids3, len3, ctrl3 = runs[0.3]
    assert ids0 == ids3 and np.array_equal(len0, len3)  # same vehicles, same types
    assert ctrl0.sum() == 0 and 0.15 < ctrl3.mean() < 0.45
    assert "v2x" not in Simulation(load_scenario(scenario(0.0))).run().summary


def _glosa_run(tmp_path: Path, depart: float, glosa: bool) -> tuple[float, dict[str, Any]]:
    """One connected car over the signalised junction G11 (green for it 0-27 s of each 60 s);
    returns its lowest speed on the approach and the run's v2x summary."""
    text = (
        f'name = "glosa"\nstart = 2026-12-08T10:00:00+08:00\nduration = 120\nseed = 1\n'
        f'map = "{MAP}"\n[v2x]\nglosa = {str(glosa).lower()}\n'
        f'[[agent]]\nid = "c"\ntype = "car"\ndepart = {depart}\nroute = ["G01", "G11", "G21"]\n'
        f'speed = "50 km/h"\nconnected = true\n'
    )
    path = tmp_path / f"glosa-{depart}-{glosa}.toml"
    path.write_text(text, encoding="utf-8")
    low = {"v": np.inf}

    def check(sim: Simulation, t: float) -> None:
        f = sim.fleet
        i = f.index.get("c")
        if (
            i is not None
            and f.status[i] == 1
            and sim.layers["road"].edge_ids[f.edge[i]] == "R-G01-G11"
        ):
            low["v"] = min(low["v"], float(f.speed[i]))

    sim = _run(path, check)
    return low["v"], sim.v2x.summary()


def test_glosa_avoids_a_stop_at_red_that_it_can_avoid(tmp_path: Path) -> None:
    stops_without = stops_with = 0
    for depart in (12.0, 16.0, 20.0, 24.0):
        v_off, _ = _glosa_run(tmp_path, depart, False)
        v_on, summary = _glosa_run(tmp_path, depart, True)
        stops_without += v_off < 0.5
        stops_with += v_on < 0.5
        assert v_on >= v_off - 1e-9  # never worse
        assert summary["spat_received"] > 0
    assert stops_without >= 2 and stops_with == 0
