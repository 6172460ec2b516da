"""Regenerate the bundled demo map and zone file (maps/lingang-demo*.geojson).

The layout is drawn in local metres around an origin in Lingang, Shanghai, and written as
WGS84 lon/lat GeoJSON so that any GIS opens it in place. It is fictional: a 4x4 signalised
urban grid, an urban expressway, a highway section, a closed ICV test field, a UAV test base
with vertiports and a corridor network at 60-120 m AGL, and a river with test waters.

Run: ``python tools/make_demo_data.py`` (writes the two files; the output is deterministic).
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

from sim.geo.projection import LocalProjection

ORIGIN = (121.90, 30.92)
ROOT = Path(__file__).resolve().parent.parent
PROJ = LocalProjection(*ORIGIN)
KMH = 1 / 3.6


def ll(x: float, y: float) -> list[float]:
    """Local metres -> [lon, lat] rounded to 1e-7 deg (~1 cm)."""
    lon, lat = PROJ.to_wgs84(x, y)
    return [round(float(lon), 7), round(float(lat), 7)]


def point(props: dict[str, Any], xy: tuple[float, float]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": ll(*xy)},
        "properties": props,
    }


def line(props: dict[str, Any], pts: list[tuple[float, float]]) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [ll(*p) for p in pts]},
        "properties": props,
    }


def poly(props: dict[str, Any], pts: list[tuple[float, float]]) -> dict[str, Any]:
    ring = [ll(*p) for p in pts] + [ll(*pts[0])]
    return {
        "type": "Feature",
        "geometry": {"type": "Polygon", "coordinates": [ring]},
        "properties": props,
    }


def rect(x0: float, y0: float, x1: float, y1: float) -> list[tuple[float, float]]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def build_map() -> dict[str, Any]:
    feats: list[dict[str, Any]] = []
    nodes: dict[str, tuple[float, float]] = {}

    def junction(jid: str, xy: tuple[float, float], signal: dict[str, Any] | None = None) -> None:
        nodes[jid] = xy
        props: dict[str, Any] = {"layer": "road", "kind": "junction", "id": jid}
        if signal:
            props["signal"] = signal
        feats.append(point(props, xy))

    def road(
        a: str,
        b: str,
        cls: str,
        kmh: float,
        lanes: int,
        name: str = "",
        via: list[tuple[float, float]] | None = None,
        both: bool = True,
    ) -> str:
        rid = f"R-{a}-{b}"
        props = {
            "layer": "road",
            "kind": "road",
            "id": rid,
            "from": a,
            "to": b,
            "road_class": cls,
            "speed_limit": f"{kmh:g} km/h",
            "lanes": lanes,
            "direction": "both" if both else "forward",
        }
        if name:
            props["name"] = name
        feats.append(line(props, [nodes[a], *(via or []), nodes[b]]))
        return rid

    # --- urban grid: 4 x 4 junctions, 300 m blocks; interior junctions signalised -------------
    spacing = 300.0
    for i in range(4):
        for j in range(4):
            jid = f"G{i}{j}"
            signal = None
            if 1 <= i <= 2 and 1 <= j <= 2:
                west, east = f"R-G{i - 1}{j}-{jid}", f"R-{jid}-G{i + 1}{j}:rev"
                south, north = f"R-G{i}{j - 1}-{jid}", f"R-{jid}-G{i}{j + 1}:rev"
                signal = {
                    "offset": 0 if (i + j) % 2 == 0 else 15,
                    "phases": [
                        {"duration": 27, "yellow": 3, "green": [west, east]},
                        {"duration": 27, "yellow": 3, "green": [south, north]},
                    ],
                }
            junction(jid, (i * spacing, j * spacing), signal)
    for i in range(4):
        for j in range(4):
            if i < 3:
                road(f"G{i}{j}", f"G{i + 1}{j}", "urban", 50, 2, f"Street {j + 1}")
            if j < 3:
                road(f"G{i}{j}", f"G{i}{j + 1}", "urban", 50, 2, f"Avenue {i + 1}")

    # --- urban expressway and highway along y = -250 -----------------------------------------
    for jid, xy in {
        "XW": (-300.0, -250.0),
        "XA": (0.0, -250.0),
        "XB": (900.0, -250.0),
        "XE": (1500.0, -250.0),
        "H1": (3500.0, -250.0),
        "H2": (6000.0, -250.0),
    }.items():
        junction(jid, xy)
    road("XW", "XA", "urban_expressway", 80, 3, "Lingang Elevated Rd")
    road("XA", "XB", "urban_expressway", 80, 3, "Lingang Elevated Rd")
    road("XB", "XE", "urban_expressway", 80, 3, "Lingang Elevated Rd")
    road("XE", "H1", "highway", 120, 3, "G1503 Ring Expressway")
    road("H1", "H2", "highway", 120, 3, "G1503 Ring Expressway", via=[(4750.0, -300.0)])
    road("G00", "XA", "urban", 40, 1, "On-ramp West")
    road("G30", "XB", "urban", 40, 1, "On-ramp East")

    # --- closed ICV test field (test_area roads) ---------------------------------------------
    for jid, xy in {
        "T1": (1500.0, 500.0),
        "T2": (2500.0, 500.0),
        "T3": (2500.0, 1100.0),
        "T4": (1500.0, 1100.0),
    }.items():
        junction(jid, xy)
    road("G32", "T1", "urban", 50, 2, "Test Field Access", via=[(1200.0, 600.0)])
    road("T1", "T2", "test_area", 60, 2, "Test Field South")
    road("T2", "T3", "test_area", 60, 2, "Test Field East")
    road("T3", "T4", "test_area", 60, 2, "Test Field North")
    road("T4", "T1", "test_area", 60, 2, "Test Field West")

    # --- air layer: vertiports, waypoints, corridors 60-120 m AGL ----------------------------
    air_nodes = {
        "VP-BASE": ("vertiport", (2000.0, -1200.0), "UAV Test Base"),
        "VP-HUB": ("vertiport", (300.0, 1300.0), "North Logistics Hub"),
        "VP-HOSP": ("vertiport", (-600.0, 600.0), "Lingang Hospital Pad"),
        "VP-PORT": ("vertiport", (4000.0, -1500.0), "River Port Pad"),
        "W1": ("waypoint", (2000.0, -700.0), ""),
        "W2": ("waypoint", (1200.0, 200.0), ""),
        "W3": ("waypoint", (400.0, 1000.0), ""),
        "W4": ("waypoint", (-300.0, 800.0), ""),
        "W5": ("waypoint", (3500.0, -900.0), ""),
    }
    for nid, (kind, xy, name) in air_nodes.items():
        nodes[nid] = xy
        props: dict[str, Any] = {"layer": "air", "kind": kind, "id": nid}
        if name:
            props["name"] = name
        if kind == "vertiport":
            props["pads"] = 2
        feats.append(point(props, xy))
    for a, b, cap in [
        ("VP-BASE", "W1", 4),
        ("W1", "W2", 4),
        ("W2", "W3", 4),
        ("W3", "VP-HUB", 4),
        ("W3", "W4", 2),
        ("W4", "VP-HOSP", 2),
        ("W1", "W5", 3),
        ("W5", "VP-PORT", 3),
    ]:
        feats.append(
            line(
                {
                    "layer": "air",
                    "kind": "corridor",
                    "id": f"C-{a}-{b}",
                    "from": a,
                    "to": b,
                    "floor": "60 m AGL",
                    "ceiling": "120 m AGL",
                    "width": 60,
                    "capacity": cap,
                    "direction": "both",
                    "speed_limit": "72 km/h",
                },
                [nodes[a], nodes[b]],
            )
        )

    # --- water layer: river with berths ------------------------------------------------------
    water_nodes = {
        "B-WEST": ("berth", (-1000.0, -1700.0)),
        "R1": ("waypoint", (1000.0, -1800.0)),
        "R2": ("waypoint", (2500.0, -1750.0)),
        "R3": ("waypoint", (4000.0, -1850.0)),
        "B-EAST": ("berth", (6000.0, -1800.0)),
        "B-PORT": ("berth", (4000.0, -1650.0)),
    }
    for nid, (kind, xy) in water_nodes.items():
        nodes[nid] = xy
        feats.append(point({"layer": "water", "kind": kind, "id": nid}, xy))

    def bend(
        a: tuple[float, float], b: tuple[float, float], amp: float
    ) -> list[tuple[float, float]]:
        return [
            (a[0] + (b[0] - a[0]) * t, a[1] + (b[1] - a[1]) * t + amp * math.sin(math.pi * t))
            for t in (0.25, 0.5, 0.75)
        ]

    for a, b, width, depth, amp in [
        ("B-WEST", "R1", 140, 7.0, -60),
        ("R1", "R2", 160, 8.0, 40),
        ("R2", "R3", 160, 8.0, -50),
        ("R3", "B-EAST", 140, 6.5, 30),
        ("R3", "B-PORT", 60, 4.0, 0),
    ]:
        via = bend(nodes[a], nodes[b], amp) if amp else []
        feats.append(
            line(
                {
                    "layer": "water",
                    "kind": "waterway",
                    "id": f"WW-{a}-{b}",
                    "from": a,
                    "to": b,
                    "width": width,
                    "depth": depth,
                    "speed_limit": "10 kn",
                    "name": "Dazhi River",
                },
                [nodes[a], *via, nodes[b]],
            )
        )

    # --- terrain and obstacles ---------------------------------------------------------------
    feats.append(
        poly(
            {
                "layer": "terrain",
                "kind": "elevation_area",
                "id": "platform-base",
                "name": "Test base platform",
                "elevation": 7.5,
            },
            rect(1800, -1400, 2200, -1000),
        )
    )
    feats.append(
        poly(
            {
                "layer": "obstacle",
                "kind": "obstacle",
                "id": "tower-a",
                "name": "Office tower",
                "height": 45,
            },
            rect(100, 100, 200, 200),
        )
    )
    feats.append(
        poly(
            {
                "layer": "obstacle",
                "kind": "obstacle",
                "id": "tower-b",
                "name": "Hotel",
                "height": 80,
            },
            rect(700, 700, 800, 800),
        )
    )
    return {
        "type": "FeatureCollection",
        "testzone": {
            "format": "testzone-map",
            "version": 1,
            "name": "Lingang demo test zone (fictional layout)",
            "description": "Urban grid, urban expressway, highway, closed test field, UAV "
            "corridors at 60-120 m AGL and a river with test waters.",
            "crs": "wgs84",
            "origin": {"lon": ORIGIN[0], "lat": ORIGIN[1], "alt": 4.0},
            "ground_elevation": 4.0,
        },
        "features": feats,
    }


def build_zones() -> dict[str, Any]:
    weekdays = ["MON", "TUE", "WED", "THU", "FRI"]
    circle = lambda props, xy: point(props, xy)  # noqa: E731
    feats = [
        circle(
            {
                "id": "no-fly-airport",
                "name": "Airport obstacle-limitation zone",
                "kind": "no_fly",
                "radius": 2500,
                "floor": "0 m AGL",
                "reason": ["AIR_TRAFFIC"],
                "rules": {"breach_action": "return"},
                "message": "Airport protection zone: no UAV flight (Decree 761 Art. 19).",
            },
            (5500.0, 1500.0),
        ),
        poly(
            {
                "id": "auth-hospital",
                "name": "Lingang Hospital",
                "kind": "authorisation_required",
                "floor": "0 m AGL",
                "ceiling": "150 m AGL",
                "reason": ["EMERGENCY"],
                "rules": {"breach_action": "hold"},
                "message": "Hospital helipad area: UAV entry only with an authorisation naming it.",
                "authority": [
                    {
                        "name": "Lingang Hospital Operations",
                        "purpose": "AUTHORIZATION",
                        "phone": "+86-21-0000-0000",
                    }
                ],
            },
            rect(-800, 400, -400, 800),
        ),
        poly(
            {
                "id": "cond-school",
                "name": "Harbour School",
                "kind": "conditional",
                "floor": "0 m AGL",
                "ceiling": "120 m AGL",
                "reason": ["SENSITIVE"],
                "schedule": {
                    "weekly": [
                        {"days": weekdays, "start": "07:00", "end": "09:00"},
                        {"days": weekdays, "start": "15:30", "end": "17:30"},
                    ]
                },
                "conditions": "During school arrival and dismissal: no overflight below 100 m AGL.",
                "message": "School zone at arrival and dismissal times.",
            },
            rect(300, 300, 600, 600),
        ),
        poly(
            {
                "id": "cond-park",
                "name": "Riverside Park",
                "kind": "conditional",
                "floor": "0 m AGL",
                "ceiling": "120 m AGL",
                "reason": ["PRIVACY"],
                "schedule": {
                    "weekly": [{"days": ["SAT", "SUN"], "start": "09:00", "end": "18:00"}]
                },
                "conditions": "Weekend daytime crowds: no hovering, keep 30 m from people.",
                "message": "Park with crowds on weekends.",
            },
            rect(-300, 900, 0, 1300),
        ),
        poly(
            {
                "id": "speed-school",
                "name": "School speed zone",
                "kind": "speed_limit",
                "floor": "0 m AGL",
                "ceiling": "10 m AGL",
                "rules": {
                    "max_speed": "30 km/h",
                    "vehicle_kinds": ["icv"],
                    "breach_action": "warn",
                },
                "schedule": {
                    "weekly": [
                        {"days": weekdays, "start": "07:00", "end": "09:00"},
                        {"days": weekdays, "start": "15:30", "end": "17:30"},
                    ]
                },
                "message": "30 km/h at school times.",
            },
            rect(250, 250, 650, 650),
        ),
        poly(
            {
                "id": "test-roads-lingang",
                "name": "Lingang designated test roads",
                "kind": "test_area",
                "floor": "0 m AGL",
                "ceiling": "20 m AGL",
                "rules": {"vehicle_kinds": ["icv"], "breach_action": "stop"},
                "message": "ICV tests on public roads only inside the designated area (Art. 43).",
            },
            rect(-400, -400, 6100, 1300),
        ),
        poly(
            {
                "id": "test-area-lingang",
                "name": "Lingang closed test field",
                "kind": "test_area",
                "floor": "0 m AGL",
                "ceiling": "20 m AGL",
                "rules": {
                    "vehicle_kinds": ["icv"],
                    "max_speed": "60 km/h",
                    "breach_action": "stop",
                },
                "message": "Closed test field.",
            },
            rect(1400, 400, 2600, 1200),
        ),
        poly(
            {
                "id": "uav-test-base",
                "name": "Lingang UAV test base",
                "kind": "test_area",
                "floor": "0 m AGL",
                "ceiling": "120 m AGL",
                "rules": {"vehicle_kinds": ["uav"], "breach_action": "hold"},
                "message": "UAV test base (Art. 44).",
            },
            rect(1500, -1500, 2500, -400),
        ),
        poly(
            {
                "id": "test-waters-dazhi",
                "name": "Dazhi River test waters",
                "kind": "test_waters",
                "floor": "-20 m AMSL",
                "ceiling": "30 m AMSL",
                "rules": {"vehicle_kinds": ["ship"], "max_speed": "10 kn", "breach_action": "stop"},
                "message": "Designated waters for unmanned-ship tests (Art. 44).",
            },
            rect(-1100, -2050, 4300, -1500),
        ),
        circle(
            {
                "id": "temp-stadium-event",
                "name": "Stadium event (temporary)",
                "kind": "no_fly",
                "radius": 400,
                "floor": "0 m AGL",
                "ceiling": "300 m AGL",
                "reason": ["PUBLIC_ORDER"],
                "schedule": {
                    "start": "2026-12-07T10:00:00+08:00",
                    "end": "2026-12-07T16:00:00+08:00",
                },
                "rules": {"breach_action": "land"},
                "message": "Temporary flight restriction for a public event.",
            },
            (-500.0, -800.0),
        ),
    ]
    for f in feats:
        f["properties"] = {"id": f["properties"].pop("id"), **f["properties"]}
    return {
        "type": "FeatureCollection",
        "testzone": {
            "format": "testzone-zones",
            "version": 1,
            "name": "Lingang demo electronic fences",
            "crs": "wgs84",
            "time_zone": "Asia/Shanghai",
        },
        "features": feats,
    }


def write(path: Path, doc: dict[str, Any]) -> None:
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(path)


if __name__ == "__main__":
    write(ROOT / "maps" / "lingang-demo.geojson", build_map())
    write(ROOT / "maps" / "lingang-demo.zones.geojson", build_zones())
