"""SUMO side of the ground benchmark: a signalised grid, seeded demand, a timed libsumo run.

Units: lengths m, times s, speeds m/s. The grid comes from SUMO's ``netgenerate``; routes are
shortest paths (by lane length, m) on the graph of SUMO edges linked by their connections,
between origin and destination edges drawn from a seeded ``numpy.random.Generator``, so both
simulators get exactly the same trips. SUMO's cars are its default passenger car with
``sigma=0`` and ``speedFactor=1``, so its runs are deterministic.
"""

from __future__ import annotations

import itertools
import math
import os
import re
import shutil
import subprocess
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import networkx as nx
import numpy as np

from sim.importers.sumo_xml import read_sumo_net


@dataclass(frozen=True, slots=True)
class Trip:
    """One vehicle: id, departure time (s) and its route as SUMO edge ids (connected)."""

    veh_id: str
    depart: float
    edges: list[str]


def sumo_tool(name: str) -> Path:
    """Path of a SUMO program (``sumo``, ``netgenerate``, ``duarouter`` ...).

    Looks in the ``eclipse-sumo`` wheel (``sumo.SUMO_HOME/bin``), then ``$SUMO_HOME/bin``,
    then ``PATH``.

    Raises:
        FileNotFoundError: SUMO is not installed (``pip install eclipse-sumo``).
    """
    homes = []
    try:
        import sumo  # the eclipse-sumo wheel

        homes.append(Path(sumo.SUMO_HOME))
    except ImportError:
        pass
    if os.environ.get("SUMO_HOME"):
        homes.append(Path(os.environ["SUMO_HOME"]))
    for home in homes:
        candidate = home / "bin" / name
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found:
        return Path(found)
    raise FileNotFoundError(f"SUMO's {name!r} not found; pip install eclipse-sumo (or SUMO_HOME)")


def make_grid(out_dir: Path, n: int = 8, length: float = 200.0, lanes: int = 2) -> Path:
    """Build an ``n`` x ``n`` grid of two-way streets (``length`` m, ``lanes`` per direction).

    Junctions with enough incoming lanes get fixed-time traffic lights (``--tls.guess``):
    every inner and border junction; the four corners, where two streets meet, do not.
    U-turns at junctions are left out. Returns the ``.net.xml`` path.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    net = out_dir / f"grid{n}x{n}.net.xml"
    cmd = [
        str(sumo_tool("netgenerate")),
        "--grid",
        "--grid.number", str(n),
        "--grid.length", f"{length:g}",
        "--default.lanenumber", str(lanes),
        "--tls.guess", "true",
        "--no-turnarounds", "true",
        "--seed", "1",
        "--output-file", str(net),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=300)
    if proc.returncode != 0 or not net.is_file():
        raise RuntimeError(f"netgenerate failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return net


def edge_graph(net: Path) -> nx.DiGraph:
    """Directed graph of a network's car edges: edge ids as nodes, connections as arcs.

    Node attribute ``length`` is the edge's length (m, mean of its car lanes' shapes); an arc
    ``a -> b`` weighs the length of ``a``.
    """
    sumo = read_sumo_net(net)
    g = nx.DiGraph()
    for e in sumo.edges.values():
        lanes = [lane.shape for lane in e.car_lanes if lane.shape]
        if not e.car_lanes or e.from_ == e.to:
            continue
        lengths = [sum(math.dist(p, q) for p, q in itertools.pairwise(s)) for s in lanes]
        g.add_node(e.id, length=sum(lengths) / len(lengths) if lengths else 1.0)
    for c in sumo.connections:
        if c.from_ in g and c.to in g and c.from_ != c.to:
            g.add_edge(c.from_, c.to, weight=g.nodes[c.from_]["length"])
    return g


def make_demand(net: Path, n_vehicles: int, horizon: float, seed: int) -> list[Trip]:
    """``n_vehicles`` trips departing uniformly over ``[0, horizon)`` s, in departure order.

    Origin and destination edges are drawn from ``numpy.random.default_rng(seed)``; the route
    is the shortest path between them (m). Pairs without a path are drawn again.
    """
    g = edge_graph(net)
    nodes = sorted(g.nodes)
    if len(nodes) < 2:
        raise ValueError(f"{net} has fewer than two car edges")
    rng = np.random.default_rng(seed)
    departs = np.sort(rng.uniform(0.0, horizon, n_vehicles))
    paths: dict[str, dict[str, list[str]]] = {}
    trips = []
    for i, depart in enumerate(departs):
        for _ in range(100):
            a, b = (nodes[k] for k in rng.choice(len(nodes), size=2, replace=False))
            if a not in paths:
                paths[a] = nx.single_source_dijkstra_path(g, a, weight="weight")
            route = paths[a].get(b)
            if route:
                break
        else:
            raise ValueError(f"{net}: no routes found between random edges")
        trips.append(Trip(f"veh{i:05d}", round(float(depart), 2), list(route)))
    return trips


PASSENGER = {
    "length": "5",
    "width": "1.8",
    "minGap": "2.5",
    "maxSpeed": "55.55",
    "accel": "2.6",
    "decel": "4.5",
    "emergencyDecel": "9",
    "tau": "1",
}
"""SUMO's default passenger car (m, m/s, m/s2, s), written out so the file says what ran;
``testzone_side.py`` gives testzone's vehicles the same values."""


def write_routes(trips: list[Trip], path: Path, car_following: str = "Krauss") -> None:
    """Write the trips as a SUMO route file (``.rou.xml``).

    One vType ``car``: SUMO's default passenger car (:data:`PASSENGER`) with ``sigma=0``
    (no random dawdling) and ``speedFactor=1`` (every car drives at the limit, no random
    speed factor), so runs are deterministic. ``car_following`` is SUMO's model: ``Krauss``
    (its default) or ``IDM`` (testzone's model; ``delta`` 4). Vehicles depart with
    ``departLane="best"`` and ``departSpeed="max"``, in departure order.
    """
    root = ET.Element("routes")
    vtype = {
        "id": "car",
        "vClass": "passenger",
        **PASSENGER,
        "sigma": "0",
        "speedFactor": "1",
        "speedDev": "0",
        "carFollowModel": car_following,
    }
    if car_following == "IDM":
        vtype["delta"] = "4"
    ET.SubElement(root, "vType", vtype)
    for t in sorted(trips, key=lambda t: t.depart):
        v = ET.SubElement(
            root,
            "vehicle",
            {
                "id": t.veh_id,
                "type": "car",
                "depart": f"{t.depart:.2f}",
                "departLane": "best",
                "departSpeed": "max",
            },
        )
        ET.SubElement(v, "route", {"edges": " ".join(t.edges)})
    ET.indent(root)
    ET.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def _sumo_args(net: Path, routes: Path, dt: float) -> list[str]:
    return [
        "-n", str(net),
        "-r", str(routes),
        "--step-length", f"{dt:g}",
        "--no-step-log", "true",
        "--no-warnings", "true",
        "--seed", "42",
    ]  # fmt: skip


def run_sumo(net: Path, routes: Path, dt: float, steps: int) -> dict[str, Any]:
    """Run SUMO for ``steps`` steps of ``dt`` s and time the stepping loop only.

    Uses libsumo (in-process); without it, the ``sumo`` program with
    ``--duration-log.statistics``. Returns ``vehicle_updates`` (sum over steps of the
    vehicles running after the step), ``seconds`` (wall time of the loop), ``updates_per_s``,
    ``steps``, and ``peak_vehicles`` / ``mean_vehicles`` (most and mean running at once).
    """
    try:
        import libsumo
    except ImportError:
        return _run_sumo_binary(net, routes, dt, steps)
    libsumo.start([str(sumo_tool("sumo")), *_sumo_args(net, routes, dt)])
    try:
        updates = peak = arrived = teleports = 0
        step = libsumo.simulationStep
        count = libsumo.vehicle.getIDCount
        n_arrived = libsumo.simulation.getArrivedNumber
        n_teleports = libsumo.simulation.getStartingTeleportNumber
        t0 = time.perf_counter()
        for _ in range(steps):
            step()
            running = count()
            updates += running
            peak = max(peak, running)
            arrived += n_arrived()
            teleports += n_teleports()
        seconds = time.perf_counter() - t0
    finally:
        libsumo.close()
    result = _result(updates, seconds, steps, peak, "libsumo")
    result["arrived"] = arrived
    result["teleports"] = teleports
    return result


def _result(updates: int, seconds: float, steps: int, peak: int, how: str) -> dict[str, Any]:
    return {
        "vehicle_updates": updates,
        "seconds": seconds,
        "updates_per_s": updates / seconds if seconds > 0 else float("nan"),
        "steps": steps,
        "peak_vehicles": peak,
        "mean_vehicles": updates / steps if steps else 0.0,
        "runner": how,
    }


def _run_sumo_binary(net: Path, routes: Path, dt: float, steps: int) -> dict[str, Any]:
    """Fallback: the ``sumo`` program's own statistics (its duration excludes loading).

    ``vehicle_updates`` is SUMO's UPS (vehicle updates per second) times its duration.
    """
    cmd = [
        str(sumo_tool("sumo")),
        *_sumo_args(net, routes, dt),
        "--end", f"{steps * dt:g}",
        "--duration-log.statistics", "true",
        "--duration-log.disable", "false",
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False, timeout=3600)
    text = proc.stdout + proc.stderr
    ups = re.search(r"UPS:\s*([0-9.eE+-]+)", text)
    duration = re.search(r"Performance:\s*Duration:\s*([0-9:.]+)\s*(ms|s)?", text)
    running = re.search(r"Running:\s*(\d+)", text)
    if proc.returncode != 0 or not ups or not duration:
        raise RuntimeError(f"sumo failed or printed no statistics:\n{text[-2000:]}")
    seconds = _seconds(duration.group(1), duration.group(2) or "s")
    updates = round(float(ups.group(1)) * seconds)
    # The program reports no peak: peak_vehicles is the number running at the end.
    return _result(updates, seconds, steps, int(running.group(1)) if running else 0, "sumo")


def _seconds(value: str, unit: str) -> float:
    """Seconds of SUMO's printed duration: ``0.44s``, ``440ms`` or ``1:02:03.5``."""
    total = 0.0
    for part in value.split(":"):
        total = total * 60.0 + float(part)
    return total / 1000.0 if unit == "ms" else total
