"""Small synthetic networks for kernel tests, built through the real map schema."""

from __future__ import annotations

import math
from typing import Any

from sim.model.map_file import parse_map
from sim.network.arrays import LayerArrays, build_layer


def _doc(features: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "FeatureCollection",
        "testzone": {"format": "testzone-map", "name": "t", "crs": "local", "ground_elevation": 0},
        "features": features,
    }


def _junction(jid: str, x: float, y: float, signal: dict[str, Any] | None = None) -> dict[str, Any]:
    props: dict[str, Any] = {"layer": "road", "kind": "junction", "id": jid}
    if signal:
        props["signal"] = signal
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [x, y]},
        "properties": props,
    }


def _road(
    rid: str, a: str, b: str, pts: list[tuple[float, float]], limit: float, lanes: int = 1
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": {"type": "LineString", "coordinates": [list(p) for p in pts]},
        "properties": {
            "layer": "road",
            "kind": "road",
            "id": rid,
            "from": a,
            "to": b,
            "road_class": "urban",
            "speed_limit": limit,
            "lanes": lanes,
        },
    }


def ring(
    length: float, n_edges: int = 4, limit: float = 40.0, points_per_edge: int = 40
) -> LayerArrays:
    """A one-lane, one-way ring road of the given circumference (m)."""
    r = length / (2 * math.pi)
    feats = []
    for k in range(n_edges):
        a = 2 * math.pi * k / n_edges
        feats.append(_junction(f"J{k}", r * math.cos(a), r * math.sin(a)))
    for k in range(n_edges):
        a0 = 2 * math.pi * k / n_edges
        a1 = 2 * math.pi * (k + 1) / n_edges
        pts = [
            (
                r * math.cos(a0 + (a1 - a0) * u / points_per_edge),
                r * math.sin(a0 + (a1 - a0) * u / points_per_edge),
            )
            for u in range(points_per_edge + 1)
        ]
        feats.append(_road(f"E{k}", f"J{k}", f"J{(k + 1) % n_edges}", pts, limit))
    return build_layer(parse_map(_doc(feats), "ring"), "road")


def straight(
    lengths: list[float], limits: list[float], lanes: int = 1, signal_at_end: bool = False
) -> LayerArrays:
    """A chain of straight one-way edges along the x axis (E0, E1, ...)."""
    feats = []
    xs = [0.0]
    for length in lengths:
        xs.append(xs[-1] + length)
    for k, x in enumerate(xs):
        sig = None
        if signal_at_end and k == 1:
            sig = {"phases": [{"duration": 30, "green": ["E0"]}, {"duration": 30, "green": []}]}
        feats.append(_junction(f"J{k}", x, 0.0, sig))
    for k in range(len(lengths)):
        feats.append(
            _road(f"E{k}", f"J{k}", f"J{k + 1}", [(xs[k], 0.0), (xs[k + 1], 0.0)], limits[k], lanes)
        )
    return build_layer(parse_map(_doc(feats), "straight"), "road")
