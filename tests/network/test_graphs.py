from __future__ import annotations

import networkx as nx
import pytest

from sim.model.map_file import load_map
from sim.network.graphs import layer_graph, route_length, shortest_route
from tests.conftest import ROOT, TEST_DATA


def test_layer_graph_lengths_and_directions() -> None:
    m = load_map(TEST_DATA / "good" / "small-map.geojson")
    g = layer_graph(m, "road")
    assert g.number_of_nodes() == 4 and g.number_of_edges() == 5
    assert g.edges["J2", "J4", "E3"]["length"] == pytest.approx(500.0)
    assert not g.has_edge("J4", "J2")
    assert route_length(g, ["J1", "J2", "J3"]) == pytest.approx(1000.0)
    with pytest.raises(nx.NetworkXNoPath):
        shortest_route(g, "J4", "J1")
    w = layer_graph(m, "water")
    assert w.edges["S1", "S2", "WW1"]["length"] == pytest.approx(2 * (500**2 + 20**2) ** 0.5)


def test_demo_map_lengths_in_metres_from_lon_lat() -> None:
    m = load_map(ROOT / "maps" / "lingang-demo.geojson")
    g = layer_graph(m, "road")
    # Grid blocks are drawn 300 m apart in the local frame.
    assert g.edges["G00", "G10", "R-G00-G10"]["length"] == pytest.approx(300.0, abs=0.05)
    route, length = shortest_route(g, "G00", "H2")
    assert route == ["G00", "XA", "XB", "XE", "H1", "H2"]
    assert length == pytest.approx(250 + 900 + 600 + 2000 + 2 * (1250**2 + 50**2) ** 0.5, abs=0.5)


def test_unknown_layer() -> None:
    m = load_map(TEST_DATA / "good" / "small-map.geojson")
    with pytest.raises(ValueError, match="unknown layer"):
        layer_graph(m, "rail")
