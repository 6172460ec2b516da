"""Directed networkx graphs of a map's road, air and water layers, with lengths in metres."""

from __future__ import annotations

import itertools

import networkx as nx

from sim.geo.localmap import LocalFrame, polyline_length
from sim.model.map import GRAPH_LAYERS, Map


def layer_graph(the_map: Map, layer: str, frame: LocalFrame | None = None) -> nx.MultiDiGraph:
    """The directed graph of one layer (``road``, ``air`` or ``water``).

    Nodes are node ids with attribute ``xy`` (local metres). Edges are keyed by directed edge
    id (``ID`` or ``ID:rev``) with attributes ``length`` (m), ``edge`` (the map edge) and
    ``reverse``.
    """
    if layer not in GRAPH_LAYERS:
        raise ValueError(f"unknown layer {layer!r} (expected one of {', '.join(GRAPH_LAYERS)})")
    frame = frame or LocalFrame.of_map(the_map)
    g = nx.MultiDiGraph(layer=layer)
    for nid, node in the_map.nodes(layer).items():
        g.add_node(nid, xy=tuple(frame.xy([node.position])[0]))
    for d in the_map.directed_edges(layer):
        g.add_edge(
            d.src,
            d.dst,
            key=d.id,
            length=polyline_length(frame.xy(d.coordinates)),
            edge=d.edge,
            reverse=d.reverse,
        )
    return g


def shortest_route(g: nx.MultiDiGraph, origin: str, destination: str) -> tuple[list[str], float]:
    """Shortest node route by length (m) and its length; raises ``nx.NetworkXNoPath``."""
    length, path = nx.single_source_dijkstra(
        g, origin, destination, weight=lambda u, v, data: min(d["length"] for d in data.values())
    )
    return list(path), float(length)


def route_length(g: nx.MultiDiGraph, route: list[str] | tuple[str, ...]) -> float:
    """Length (m) of a node route, taking the shortest parallel edge between each pair."""
    return sum(
        min(d["length"] for d in g.get_edge_data(a, b).values())
        for a, b in itertools.pairwise(route)
    )
