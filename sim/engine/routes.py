"""Turning an agent's mission (node route, or origin/destination) into directed edge numbers."""

from __future__ import annotations

import itertools

import networkx as nx
import numpy as np
import numpy.typing as npt

from sim.network.arrays import LayerArrays


class Router:
    """Shortest routes (by length) on one layer, cached by (origin, destination)."""

    def __init__(self, arrays: LayerArrays) -> None:
        """Build the routing graph of a layer."""
        self.arrays = arrays
        g = nx.DiGraph()
        g.add_nodes_from(range(len(arrays.node_ids)))
        for e in range(arrays.n_edges):
            a, b = int(arrays.edge_from[e]), int(arrays.edge_to[e])
            w = float(arrays.edge_length[e])
            if not g.has_edge(a, b) or g.edges[a, b]["length"] > w:
                g.add_edge(a, b, length=w, edge=e)
        self.graph = g
        self._cache: dict[tuple[str, str], npt.NDArray[np.int32]] = {}

    def from_nodes(self, nodes: tuple[str, ...] | list[str]) -> npt.NDArray[np.int32]:
        """Edges joining consecutive nodes (the shortest where several do)."""
        edges = [self.arrays.edge_between(a, b) for a, b in itertools.pairwise(nodes)]
        return np.array(edges, dtype=np.int32)

    def shortest(self, origin: str, destination: str) -> npt.NDArray[np.int32]:
        """Edges of the shortest route; raises ``networkx.NetworkXNoPath``."""
        key = (origin, destination)
        if key not in self._cache:
            a = self.arrays.node_index[origin]
            b = self.arrays.node_index[destination]
            path = nx.shortest_path(self.graph, a, b, weight="length")
            self._cache[key] = np.array(
                [self.graph.edges[u, v]["edge"] for u, v in itertools.pairwise(path)],
                dtype=np.int32,
            )
        return self._cache[key]
