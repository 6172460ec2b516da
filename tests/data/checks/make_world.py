"""Writes the check-table world: map.geojson and zones.geojson (local metres, origin in Lingang).

Run from the repository root: ``python tests/data/checks/make_world.py``. The layout is drawn
so that boundary cases have exact numbers (see tests/rules/cases.toml).
"""

from __future__ import annotations

import json
from pathlib import Path

HERE = Path(__file__).parent


def feat(geom: dict, **props: object) -> dict:
    return {"type": "Feature", "geometry": geom, "properties": props}


def pt(x: float, y: float) -> dict:
    return {"type": "Point", "coordinates": [x, y]}


def line(*xy: tuple[float, float]) -> dict:
    return {"type": "LineString", "coordinates": [list(p) for p in xy]}


def rect(x0: float, y0: float, x1: float, y1: float) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]],
    }


def build_map() -> dict:
    fs = []
    junctions = {
        "A": (0, 0), "B": (1000, 0), "C": (2000, 0), "D": (4000, 0),
        "T1": (0, -1000), "T2": (1000, -1000), "X1": (0, 6000), "X2": (4000, 6000),
    }  # fmt: skip
    for j, p in junctions.items():
        fs.append(feat(pt(*p), layer="road", kind="junction", id=j))
    roads = [
        ("R-A-B", "A", "B", "urban", "50 km/h"),
        ("R-B-C", "B", "C", "urban_expressway", "80 km/h"),
        ("R-C-D", "C", "D", "highway", "120 km/h"),
        ("R-A-T1", "A", "T1", "urban", "40 km/h"),
        ("R-T1-T2", "T1", "T2", "test_area", "60 km/h"),
        ("R-X1-X2", "X1", "X2", "expressway", "120 km/h"),
    ]
    for rid, a, b, cls, lim in roads:
        fs.append(
            feat(
                line(junctions[a], junctions[b]), layer="road", kind="road", id=rid,
                **{"from": a, "to": b}, road_class=cls, speed_limit=lim, lanes=2,
                direction="both",
            )
        )  # fmt: skip
    vertiports = {
        "VP-BASE": (0, 3000), "VP-PAD": (0, 2500), "VP-HUB": (3000, 3000),
        "VP-HIGH": (3000, 4000), "VP-HOSP": (1000, 4500), "VP-SOUTH": (1000, 2000),
        "VP-N6": (2000, 5800), "VP-NORTH": (2000, 5950), "VP-EAST": (6000, 3000),
        "VP-WEST": (-1900, 3000),
    }  # fmt: skip
    waypoints = {"W1": (1000, 3000), "W2": (2000, 3000), "W3": (1000, 4000), "W4": (2000, 4000)}
    for v, p in vertiports.items():
        extra = {"elevation": 24.0} if v == "VP-HUB" else {}
        fs.append(feat(pt(*p), layer="air", kind="vertiport", id=v, **extra))
    for w, p in waypoints.items():
        fs.append(feat(pt(*p), layer="air", kind="waypoint", id=w))
    nodes = {**vertiports, **waypoints}
    corridors = [
        ("C-BASE-W1", "VP-BASE", "W1", "60 m AGL", "120 m AGL", 1),
        ("C-W1-W2", "W1", "W2", "60 m AGL", "120 m AGL", 2),
        ("C-W2-HUB", "W2", "VP-HUB", "60 m AGL", "120 m AGL", 2),
        ("C-BASE-PAD", "VP-BASE", "VP-PAD", "20 m AGL", "120 m AGL", 2),
        ("C-W1-W3", "W1", "W3", "60 m AGL", "120 m AGL", 2),
        ("C-W3-HOSP", "W3", "VP-HOSP", "60 m AGL", "120 m AGL", 2),
        ("C-W1-SOUTH", "W1", "VP-SOUTH", "60 m AGL", "120 m AGL", 2),
        ("C-W2-W4", "W2", "W4", "60 m AGL", "120 m AGL", 2),
        ("C-W4-N6", "W4", "VP-N6", "60 m AGL", "120 m AGL", 2),
        ("C-W4-NORTH", "W4", "VP-NORTH", "60 m AGL", "120 m AGL", 2),
        ("C-HUB-HIGH", "VP-HUB", "VP-HIGH", "60 m AGL", "200 m AGL", 2),
        ("C-HUB-EAST", "VP-HUB", "VP-EAST", "60 m AGL", "120 m AGL", 2),
        ("C-BASE-WEST", "VP-BASE", "VP-WEST", "60 m AGL", "120 m AGL", 2),
    ]
    for cid, a, b, fl, ce, cap in corridors:
        fs.append(
            feat(
                line(nodes[a], nodes[b]), layer="air", kind="corridor", id=cid,
                **{"from": a, "to": b}, floor=fl, ceiling=ce, width=60, capacity=cap,
                direction="both", speed_limit="20 m/s",
            )
        )  # fmt: skip
    water = {"BW": (0, -3000), "R1": (1500, -3000), "BE": (3000, -3000), "BS": (1500, -3500),
             "BX": (3000, -4000)}  # fmt: skip
    for n, p in water.items():
        fs.append(feat(pt(*p), layer="water", kind="waypoint" if n == "R1" else "berth", id=n))
    ways = [
        ("WW-BW-R1", "BW", "R1", 5.0), ("WW-R1-BE", "R1", "BE", 3.0),
        ("WW-R1-BS", "R1", "BS", 1.0), ("WW-BE-BX", "BE", "BX", 4.0),
    ]  # fmt: skip
    for wid, a, b, depth in ways:
        fs.append(
            feat(
                line(water[a], water[b]), layer="water", kind="waterway", id=wid,
                **{"from": a, "to": b}, width=100, depth=depth, speed_limit="15 kn",
            )
        )  # fmt: skip
    fs.append(feat(line((-2000, 0), (-2000, 8000)), layer="rail", kind="railway", id="RAIL-W",
                   name="Lingang line"))  # fmt: skip
    fs.append(feat(pt(11000, 3000), layer="air", kind="airport", id="AP-E", name="East field",
                   radius=500))  # fmt: skip
    return {
        "type": "FeatureCollection",
        "testzone": {
            "format": "testzone-map", "version": 1, "name": "check-table world", "crs": "local",
            "origin": {"lon": 121.9, "lat": 30.9, "alt": 4.0}, "ground_elevation": 4.0,
        },
        "features": fs,
    }  # fmt: skip


def build_zones() -> dict:
    fs = [
        feat(rect(-100, -100, 4100, 100), id="test-roads", kind="test_area",
             floor="0 m AGL", ceiling="20 m AGL", rules={"vehicle_kinds": ["icv"]}),
        feat(rect(-100, -1100, 1100, -900), id="test-field", kind="test_area",
             floor="0 m AGL", ceiling="20 m AGL", rules={"vehicle_kinds": ["icv"]}),
        feat(rect(-100, 0, 4100, 100), id="test-edge", kind="test_area",
             floor="0 m AGL", ceiling="20 m AGL", rules={"vehicle_kinds": ["icv"]}),
        feat(rect(-100, 0.01, 4100, 100), id="test-edge-off", kind="test_area",
             floor="0 m AGL", ceiling="20 m AGL", rules={"vehicle_kinds": ["icv"]}),
        feat(rect(400, -50, 600, 50), id="speed-school", kind="speed_limit",
             floor="0 m AGL", ceiling="10 m AGL",
             rules={"max_speed": "30 km/h", "vehicle_kinds": ["icv"]},
             schedule={"weekly": [{"days": ["MON", "TUE", "WED", "THU", "FRI"],
                                   "start": "07:00", "end": "09:00"}]}),
        feat(rect(-300, 2300, 300, 3300), id="uav-base", kind="test_area",
             floor="0 m AGL", ceiling="120 m AGL", rules={"vehicle_kinds": ["uav"]}),
        feat(rect(900, 4400, 1100, 4600), id="auth-hospital", kind="authorisation_required",
             floor="0 m AGL", ceiling="150 m AGL"),
        feat(rect(950, 3400, 1050, 3600), id="cap-river", kind="advisory",
             floor="0 m AGL", rules={"vehicle_kinds": ["uav"], "max_altitude": "80 m AGL"}),
        feat(rect(1300, 2950, 1700, 3050), id="cond-park", kind="conditional",
             floor="0 m AGL", ceiling="120 m AGL",
             schedule={"weekly": [{"days": ["SAT", "SUN"], "start": "09:00", "end": "18:00"}]},
             conditions="Weekend crowds: no hovering, keep 30 m from people."),
        {"type": "Feature", "geometry": pt(1110.5, 2500),
         "properties": {"id": "nofly-south", "kind": "no_fly", "radius": 100,
                        "floor": "0 m AGL", "message": "Substation"}},
        feat(rect(1950, 3400, 2050, 3600), id="temp-show", kind="conditional",
             floor="0 m AGL", ceiling="300 m AGL",
             schedule={"start": "2026-12-09T10:00:00+08:00", "end": "2026-12-09T12:00:00+08:00"},
             published="2026-12-08T10:00:00+08:00", conditions="Air show: keep 50 m clear."),
        feat(rect(1950, 3400, 2050, 3600), id="temp-late", kind="conditional",
             floor="0 m AGL", ceiling="300 m AGL",
             schedule={"start": "2026-12-09T12:00:00+08:00", "end": "2026-12-09T13:00:00+08:00"},
             published="2026-12-09T06:00:00+08:00", conditions="Rescue drill: keep 50 m clear."),
        feat(rect(-100, -3600, 3100, -2900), id="test-waters", kind="test_waters",
             floor="-20 m AMSL", ceiling="30 m AMSL",
             rules={"vehicle_kinds": ["ship"], "max_speed": "10 kn"}),
    ]  # fmt: skip
    return {
        "type": "FeatureCollection",
        "testzone": {"format": "testzone-zones", "version": 1, "name": "check-table zones",
                     "crs": "local", "time_zone": "Asia/Shanghai"},
        "features": fs,
    }  # fmt: skip


def write(path: Path, doc: dict) -> None:
    path.write_text(json.dumps(doc, indent=1) + "\n", encoding="utf-8")


if __name__ == "__main__":
    write(HERE / "map.geojson", build_map())
    write(HERE / "zones.geojson", build_zones())
