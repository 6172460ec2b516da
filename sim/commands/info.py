"""``testzone info``: a rich summary of a scenario and everything it refers to."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import networkx as nx
from rich.console import Console
from rich.table import Table

from sim.model.bundle import ScenarioBundle, load_scenario
from sim.model.errors import ModelError
from sim.model.map import Corridor, Junction, Road, Waterway
from sim.model.scenario import AgentEvent, SpeedLimitEvent, ZoneEvent
from sim.model.timeutil import Schedule
from sim.model.vehicle import LAYER_OF_DOMAIN, Domain
from sim.model.zone import Zone
from sim.network.graphs import layer_graph, route_length, shortest_route


def _fmt_t(t: float) -> str:
    m, s = divmod(round(t), 60)
    h, m = divmod(m, 60)
    return f"{h:d}:{m:02d}:{s:02d}" if h else f"{m:d}:{s:02d}"


def _band(z: Zone) -> str:
    parts = []
    for v in z.volumes:
        top = str(v.ceiling) if v.ceiling is not None else "unlimited"
        parts.append(f"{v.floor} – {top}")
    return "; ".join(dict.fromkeys(parts))


def _when_active(z: Zone, b: ScenarioBundle) -> str:
    s = b.scenario
    t0, t1 = s.start, s.end
    spans: list[tuple[dt.datetime, dt.datetime]] = []
    for sched in z.schedule:
        spans.extend(sched.active_intervals(t0, t1))
    if not spans:
        return "inactive"
    spans.sort()
    if len(spans) == 1 and spans[0] == (t0, t1):
        return "whole run"
    return ", ".join(
        f"{_fmt_t((a - t0).total_seconds())}–{_fmt_t((c - t0).total_seconds())}" for a, c in spans
    )


def _schedule(scheds: tuple[Schedule, ...]) -> str:
    out = []
    for s in scheds:
        if s.permanent:
            out.append("permanent")
            continue
        bits = []
        if s.start or s.end:
            bits.append(
                f"{s.start.isoformat() if s.start else '…'} → {s.end.isoformat() if s.end else '…'}"
            )
        for w in s.weekly:
            days = ",".join(d.value for d in w.days)
            bits.append(
                f"{days} {w.start // 3600:02d}:{w.start % 3600 // 60:02d}–"
                f"{w.end // 3600:02d}:{w.end % 3600 // 60:02d}"
            )
        out.append(" ".join(bits))
    return "; ".join(out)


def run_info(path: Path) -> int:
    """Print the summary; return 0, or 2 if the scenario is invalid."""
    out = Console(highlight=False)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    try:
        b = load_scenario(path)
    except ModelError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        return 2
    s = b.scenario
    head = Table(title=f"[bold]{s.name}[/bold]", show_header=False, title_justify="left")
    head.add_column(style="bold cyan")
    head.add_column()
    head.add_row("file", str(path))
    if s.description:
        head.add_row("description", s.description)
    head.add_row(
        "start",
        f"{s.start.isoformat()} ({s.start.strftime('%A')})"
        + (f", {s.time_zone}" if s.time_zone else ""),
    )
    head.add_row(
        "duration",
        f"{_fmt_t(s.duration)} ({s.duration:g} s), dt {s.dt:g} s, "
        f"{round(s.duration / s.dt)} ticks, a frame every {s.record_every} ticks",
    )
    head.add_row("seed", str(s.seed))
    head.add_row("map", f"{b.map.header.name} ({b.map.source})")
    head.add_row("inputs sha256", b.digest)
    out.print(head)

    graphs = {layer: layer_graph(b.map, layer) for layer in ("road", "air", "water")}
    net = Table(title="Map layers", title_justify="left")
    for col in ("layer", "nodes", "edges (directed)", "length"):
        net.add_column(col)
    for layer, g in graphs.items():
        length = sum(d["length"] for _, _, d in g.edges(data=True) if not d["reverse"])
        net.add_row(
            layer, str(g.number_of_nodes()), str(g.number_of_edges()), f"{length / 1000:.2f} km"
        )
    roads = b.map.of_type(Road)
    signalised = [j for j in b.map.of_type(Junction) if j.signal is not None]
    by_class: dict[str, int] = {}
    for r in roads:
        by_class[r.road_class.value] = by_class.get(r.road_class.value, 0) + 1
    out.print(net)
    out.print(
        "road classes: "
        + ", ".join(f"{k} ×{n}" for k, n in sorted(by_class.items()))
        + f"; signalised junctions: {len(signalised)}"
        + f"; corridors: {len(b.map.of_type(Corridor))}; waterways: {len(b.map.of_type(Waterway))}"
    )

    zt = Table(title="Zones (electronic fences)", title_justify="left")
    for col in ("id", "kind", "ED-269", "band", "schedule", "active in run", "action"):
        zt.add_column(col)
    for z in b.zones.values():
        zt.add_row(
            z.id,
            z.kind.value,
            z.restriction.value,
            _band(z),
            _schedule(z.schedule),
            _when_active(z, b),
            z.rules.breach_action.value,
        )
    out.print(zt)

    used = {a.permit for a in s.agent if a.permit}
    pt = Table(title="Permits", title_justify="left")
    for col in ("id", "operator", "phase", "vehicles", "valid", "where", "used"):
        pt.add_column(col)
    for p in b.permits.values():
        where = (
            [c.value for c in p.road_classes]
            + list(p.zones)
            + [f"{len(p.corridors)} corridors"] * bool(p.corridors)
            + [f"{len(p.waters)} waterways"] * bool(p.waters)
        )
        pt.add_row(
            p.id,
            p.operator,
            p.phase.value,
            ", ".join(p.vehicles),
            f"{p.valid_from.date()} → {p.valid_until.date()}",
            ", ".join(where),
            "yes" if p.id in used else "",
        )
    out.print(pt)

    at = Table(title="Agents", title_justify="left")
    for col in ("id", "type", "kind", "permit", "depart", "route", "length", "speed", "altitude"):
        at.add_column(col)
    for a in s.agent:
        vt = b.vehicle_types[a.type]
        g = graphs[LAYER_OF_DOMAIN[vt.domain]]
        if a.route is not None:
            route, length = list(a.route), route_length(g, a.route)
        else:
            try:
                route, length = shortest_route(g, *a.endpoints)
            except nx.NetworkXNoPath:
                route, length = list(a.endpoints), float("nan")
        route_txt = (
            " → ".join(route)
            if len(route) <= 6
            else f"{route[0]} → … ({len(route) - 2} via) → {route[-1]}"
        )
        alt = (
            str(a.altitude)
            if a.altitude
            else ("" if vt.domain is not Domain.UAV else "corridor mid-band")
        )
        at.add_row(
            a.id,
            a.type,
            vt.domain.value,
            a.permit or "[red]none[/red]",
            _fmt_t(float(a.depart)),
            route_txt,
            f"{length / 1000:.2f} km",
            f"{a.speed * 3.6:.0f} km/h" if a.speed else "limit",
            alt,
        )
    out.print(at)

    if s.flow:
        ft = Table(title="Background flows", title_justify="left")
        for col in ("id", "vehicles", "from → to", "rate", "window"):
            ft.add_column(col)
        for f in s.flow:
            veh = f.type or ", ".join(f"{k} {v:.0%}" for k, v in (f.mix or {}).items())
            o, d = f.endpoints
            end = float(f.end) if f.end is not None else s.duration
            ft.add_row(
                f.id,
                veh,
                f"{o} → {d}",
                f"{f.rate * 3600:.0f} /h",
                f"{_fmt_t(float(f.begin))}–{_fmt_t(end)}",
            )
        out.print(ft)
    if s.event:
        et = Table(title="Scripted events", title_justify="left")
        for col in ("at", "action", "target"):
            et.add_column(col)
        for e in s.event:
            target = (
                e.zone
                if isinstance(e, ZoneEvent)
                else e.agent
                if isinstance(e, AgentEvent)
                else f"{e.edge} → {e.speed * 3.6:.0f} km/h"
                if isinstance(e, SpeedLimitEvent)
                else ""
            )
            et.add_row(_fmt_t(float(e.at)), e.action, target)
        out.print(et)
    return 0
