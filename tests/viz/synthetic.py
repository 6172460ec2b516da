"""A synthetic run for viewer tests and the fps benchmark: a local-frame map, zones and a
trace of many agents moving in straight lines (no engine involved)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from sim.trace import TraceWriter

SIDE_X = 4000.0
SIDE_Y = 3000.0
STEP = 250.0
START = "2026-12-07T09:00:00+08:00"  # a Monday


def _feature(geometry: dict, **props: object) -> dict:
    return {"type": "Feature", "geometry": geometry, "properties": props}


def write_map(path: Path) -> None:
    """A grid of roads, a corridor network and a river, in local metres."""
    feats = []
    nx, ny = int(SIDE_X // STEP) + 1, int(SIDE_Y // STEP) + 1
    for i in range(nx):
        for j in range(ny):
            feats.append(
                _feature(
                    {"type": "Point", "coordinates": [i * STEP, j * STEP]},
                    layer="road",
                    kind="junction",
                    id=f"J{i}-{j}",
                )
            )
    for i in range(nx):
        for j in range(ny):
            for di, dj in ((1, 0), (0, 1)):
                a, b = i + di, j + dj
                if a < nx and b < ny:
                    feats.append(
                        _feature(
                            {
                                "type": "LineString",
                                "coordinates": [[i * STEP, j * STEP], [a * STEP, b * STEP]],
                            },
                            layer="road",
                            kind="road",
                            id=f"R{i}-{j}-{a}-{b}",
                            **{"from": f"J{i}-{j}", "to": f"J{a}-{b}"},
                            road_class="urban",
                            speed_limit="50 km/h",
                            lanes=2,
                            direction="both",
                        )
                    )
    air = {"VA": (200.0, 200.0), "W1": (2000.0, 1500.0), "VB": (3800.0, 2800.0)}
    for nid, (x, y) in air.items():
        kind = "vertiport" if nid.startswith("V") else "waypoint"
        feats.append(
            _feature({"type": "Point", "coordinates": [x, y]}, layer="air", kind=kind, id=nid)
        )
    for a, b in (("VA", "W1"), ("W1", "VB")):
        feats.append(
            _feature(
                {"type": "LineString", "coordinates": [list(air[a]), list(air[b])]},
                layer="air",
                kind="corridor",
                id=f"C-{a}-{b}",
                **{"from": a, "to": b},
                floor="60 m AGL",
                ceiling="120 m AGL",
                width=60,
                direction="both",
            )
        )
    water = {"BW": (0.0, -300.0), "BE": (4000.0, -300.0)}
    for nid, (x, y) in water.items():
        feats.append(
            _feature({"type": "Point", "coordinates": [x, y]}, layer="water", kind="berth", id=nid)
        )
    feats.append(
        _feature(
            {"type": "LineString", "coordinates": [[0.0, -300.0], [4000.0, -300.0]]},
            layer="water",
            kind="waterway",
            id="WW",
            **{"from": "BW", "to": "BE"},
            width=120,
            depth=6,
            speed_limit="10 kn",
        )
    )
    doc = {
        "type": "FeatureCollection",
        "testzone": {
            "format": "testzone-map",
            "version": 1,
            "name": "synthetic grid",
            "crs": "local",
            "ground_elevation": 4.0,
        },
        "features": feats,
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def write_zones(path: Path) -> None:
    """A no-fly circle, a test area, a weekday-morning conditional zone and a closed-later one."""

    def box(x0: float, y0: float, x1: float, y1: float) -> dict:
        ring = [[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]
        return {"type": "Polygon", "coordinates": [ring]}

    feats = [
        _feature(
            {"type": "Point", "coordinates": [3000.0, 2200.0]},
            id="no-fly",
            kind="no_fly",
            radius=400,
            rules={"breach_action": "return"},
        ),
        _feature(box(-100, -100, 4100, 3100), id="test-area", kind="test_area", ceiling="20 m AGL"),
        _feature(
            box(500, 500, 1500, 1200),
            id="school",
            kind="conditional",
            ceiling="120 m AGL",
            schedule={"weekly": [{"days": ["MON"], "start": "09:01", "end": "10:00"}]},
        ),
        _feature(
            box(2500, 200, 3500, 900),
            id="park",
            kind="conditional",
            ceiling="120 m AGL",
            schedule={"weekly": [{"days": ["SAT"], "start": "09:00", "end": "18:00"}]},
        ),
    ]
    doc = {
        "type": "FeatureCollection",
        "testzone": {
            "format": "testzone-zones",
            "version": 1,
            "crs": "local",
            "time_zone": "Asia/Shanghai",
        },
        "features": feats,
    }
    path.write_text(json.dumps(doc), encoding="utf-8")


def write_trace(
    folder: Path,
    n_agents: int = 300,
    n_frames: int = 120,
    interval: float = 1.0,
    chunk_frames: int = 32,
    name: str = "synthetic.tztrace",
    seed: int = 7,
) -> Path:
    """Write map, zones and a trace of ``n_agents`` moving agents into ``folder``.

    Agent 0 is a UAV that flies into the no-fly zone (a breach at 30 s), agent 1 a tested ICV
    driving east along y = 500 m at 10 m/s, agent 2 a ship on the river; the rest are random.
    """
    folder.mkdir(parents=True, exist_ok=True)
    write_map(folder / "grid.geojson")
    write_zones(folder / "grid.zones.geojson")
    rng = np.random.default_rng(seed)
    kinds = rng.choice(np.array(["icv", "uav", "ship"]), size=n_agents, p=[0.7, 0.2, 0.1])
    kinds[:3] = ["uav", "icv", "ship"]
    x0 = rng.uniform(0, SIDE_X, n_agents)
    y0 = rng.uniform(0, SIDE_Y, n_agents)
    heading = rng.uniform(-np.pi, np.pi, n_agents)
    speed = rng.uniform(5, 20, n_agents)
    z = np.full(n_agents, 4.0)
    icv = kinds == "icv"
    # ICVs drive along grid lines
    snap_x = rng.random(n_agents) < 0.5
    heading[icv & snap_x] = rng.choice([0.0, np.pi], size=int((icv & snap_x).sum()))
    heading[icv & ~snap_x] = rng.choice([np.pi / 2, -np.pi / 2], size=int((icv & ~snap_x).sum()))
    y0[icv & snap_x] = np.round(y0[icv & snap_x] / STEP) * STEP
    x0[icv & ~snap_x] = np.round(x0[icv & ~snap_x] / STEP) * STEP
    ship = kinds == "ship"
    y0[ship] = -300.0 + rng.uniform(-40, 40, int(ship.sum()))
    heading[ship] = rng.choice([0.0, np.pi], size=int(ship.sum()))
    uav = kinds == "uav"
    z[uav] = 4.0 + rng.uniform(60, 120, int(uav.sum()))
    # the three agents the tests look at
    x0[0], y0[0], heading[0], speed[0], z[0] = 2400.0, 2200.0, 0.0, 10.0, 94.0
    x0[1], y0[1], heading[1], speed[1] = 100.0, 500.0, 0.0, 10.0
    x0[2], y0[2], heading[2], speed[2] = 500.0, -300.0, 0.0, 4.0
    depart = np.zeros(n_agents)
    depart[3:] = rng.uniform(0, n_frames * interval * 0.3, n_agents - 3) * (
        rng.random(n_agents - 3) < 0.3
    )
    length = np.where(icv, 4.8, np.where(ship, 12.0, 1.2))
    width = np.where(icv, 1.9, np.where(ship, 4.0, 1.2))
    header = {
        "scenario_hash": "synthetic",
        "seed": seed,
        "dt": interval,
        "record_every": 1,
        "start": START,
        "duration": n_frames * interval,
        "scenario_name": "Synthetic grid",
        "map_file": "grid.geojson",
        "zone_files": ["grid.zones.geojson"],
    }
    path = folder / name
    fields = ("x", "y", "z", "heading", "speed", "ttc")
    with TraceWriter(path, header, fields=fields, chunk_frames=chunk_frames) as w:
        for i in range(n_agents):
            w.add_agent(
                i,
                f"{kinds[i]}-{i}",
                str(kinds[i]),
                "car" if kinds[i] == "icv" else str(kinds[i]),
                "P-1" if i < 3 or i % 10 == 0 else None,
                float(length[i]),
                float(width[i]),
            )
            w.add_event(float(depart[i]), "depart", f"{kinds[i]}-{i}")
        w.add_event(
            30.0,
            "breach",
            "uav-0",
            rule="fence.no_fly",
            zone="no-fly",
            action="return",
            where=[2700.0, 2200.0, 94.0],
        )
        w.add_event(40.0, "close_zone", None, zone="park")
        w.add_event(50.0, "conflict", "uav-0", other=f"{kinds[3]}-3", tcpa=12.0, dcpa=20.0)
        for k in range(n_frames):
            t = k * interval
            present = np.nonzero(depart <= t)[0].astype(np.int32)
            dt_ = t - depart[present]
            xs = x0[present] + np.cos(heading[present]) * speed[present] * dt_
            ys = y0[present] + np.sin(heading[present]) * speed[present] * dt_
            values = np.column_stack(
                [
                    xs,
                    ys,
                    z[present],
                    heading[present],
                    speed[present],
                    np.full(len(present), np.inf),
                ]
            ).astype(np.float32)
            w.add_frame(t, present, values, np.ones(len(present), dtype=np.int8))
        w.close(
            {
                "verdict": "fail",
                "violations": {"fence.no_fly": 1},
                "violation_records": [
                    {
                        "rule": "fence.no_fly",
                        "severity": "error",
                        "agent": "uav-0",
                        "zone": "no-fly",
                        "time": [30.0, 30.0],
                        "where": [2700.0, 2200.0, 94.0],
                        "article": "ED-269 PROHIBITED",
                        "message": "uav-0 entered no-fly zone no-fly",
                    }
                ],
                "spawned": n_agents,
                "arrived": 0,
            }
        )
    return path
