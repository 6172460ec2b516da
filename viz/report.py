"""The run report: one self-contained HTML file (images embedded) for a reviewer.

It holds the verdict, the facts of the run, the violations table, the safety metrics with
charts (minimum TTC over time, speed and altitude profiles, agents present), a snapshot of the
map at each violation (drawn by the viewer's own code) and the notable events. Nothing in it
depends on the clock or the machine, so the same trace gives the same file.
"""

from __future__ import annotations

import base64
import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from sim import __version__
from viz import charts
from viz.events import clock
from viz.metrics import RunSeries, gather
from viz.render import RenderOptions, picture_at
from viz.replay import Replay, number

MAX_SNAPSHOTS = 12
"""Violations pictured (the table lists them all)."""
MAX_EVENT_ROWS = 500
"""Notable events listed."""
SNAPSHOT_WIDTH_M = 500.0
"""Metres across a violation snapshot."""
SNAPSHOT_SIZE = (960, 540)

Step = Callable[[str, int, int], None]
"""Progress: (what, done, total)."""

_CSS = """
body{font-family:-apple-system,Segoe UI,Helvetica,Arial,sans-serif;margin:24px auto;
max-width:1000px;
color:#1d2329;line-height:1.4;padding:0 16px}
h1{margin-bottom:0}h2{margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}
.sub{color:#5b6570;margin-top:4px}
.verdict{display:inline-block;padding:4px 14px;border-radius:4px;font-weight:bold;color:#fff}
.pass{background:#22883f}.fail{background:#c62828}.unknown{background:#777}
table{border-collapse:collapse;width:100%;font-size:14px;margin:8px 0}
th,td{border-bottom:1px solid #e3e3e3;padding:4px 8px;text-align:left;vertical-align:top}
th{background:#f4f5f7}td.num{text-align:right;font-variant-numeric:tabular-nums}
img{max-width:100%;border:1px solid #ddd}
figure{margin:16px 0}figcaption{font-size:14px;color:#3a434c}
.error{color:#c62828;font-weight:bold}.warning{color:#b26a00;font-weight:bold}
.cat-violation{color:#c62828}.cat-safety{color:#b26a00}.cat-platform{color:#1f5fb4}.cat-fence{color:#2e7d32}.cat-fault{color:#7b3fb0}
footer{margin-top:40px;color:#8a939c;font-size:12px}
"""


@dataclass(frozen=True, slots=True)
class Violation:
    """One violation as the report shows it."""

    rule: str
    severity: str
    agent: str | None
    zone: str | None
    t0: float
    t1: float
    where: tuple[float, ...] | None
    article: str
    message: str


def violations_of(replay: Replay) -> list[Violation]:
    """The run's violations: the summary's records, else the violation events."""
    summary = replay.summary or {}
    records = summary.get("violation_records")
    out: list[Violation] = []
    if isinstance(records, list) and records:
        for r in records:
            if not isinstance(r, dict):
                continue
            time = r.get("time")
            t0, t1 = (time[0], time[1]) if isinstance(time, list) and len(time) == 2 else (0, 0)
            where = r.get("where")
            out.append(
                Violation(
                    rule=str(r.get("rule", "?")),
                    severity=str(r.get("severity", "error")),
                    agent=r.get("agent"),
                    zone=r.get("zone"),
                    t0=number(t0) or 0.0,
                    t1=number(t1) or 0.0,
                    where=_where(where),
                    article=str(r.get("article", "")),
                    message=str(r.get("message", "")),
                )
            )
        return out
    for row in replay.events.violations():
        e = row.raw
        where = e.get("where")
        out.append(
            Violation(
                rule=str(e.get("rule", e.get("kind"))),
                severity="error",
                agent=row.agent,
                zone=e.get("zone"),
                t0=row.t,
                t1=row.t,
                where=_where(where),
                article="",
                message=str(e.get("detail", row.text)),
            )
        )
    return out


def _where(value: object) -> tuple[float, ...] | None:
    if not isinstance(value, list) or len(value) < 2:
        return None
    coords = [number(v) for v in value]
    return None if any(c is None for c in coords) else tuple(c for c in coords if c is not None)


def _img(png: bytes, alt: str) -> str:
    data = base64.b64encode(png).decode("ascii")
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{data}">'


def _png_of(rgb: Any) -> bytes:
    import io

    import imageio.v3 as iio

    buf = io.BytesIO()
    iio.imwrite(buf, rgb, extension=".png")
    return buf.getvalue()


def _table(head: Sequence[str], rows: Sequence[Sequence[str]], numeric: Sequence[int] = ()) -> str:
    """An HTML table; cells are already escaped HTML."""
    out = ["<table><tr>" + "".join(f"<th>{html.escape(h)}</th>" for h in head) + "</tr>"]
    for row in rows:
        cells = "".join(
            f'<td class="num">{c}</td>' if k in numeric else f"<td>{c}</td>"
            for k, c in enumerate(row)
        )
        out.append(f"<tr>{cells}</tr>")
    out.append("</table>")
    return "\n".join(out)


def _fmt(value: Any, unit: str = "", digits: int = 2) -> str:
    if value is None:
        return "&ndash;"
    if isinstance(value, float):
        if not math.isfinite(value):
            return "&ndash;"
        return html.escape(f"{value:,.{digits}f}{unit}")
    return html.escape(f"{value}{unit}")


def _esc(value: Any) -> str:
    return "&ndash;" if value is None or value == "" else html.escape(str(value))


def build_report(
    replay: Replay, max_snapshots: int = MAX_SNAPSHOTS, step: Step | None = None
) -> str:
    """The report of a replay as one HTML document.

    Raises:
        TraceError: when a chunk of the trace is corrupt.
    """
    summary = replay.summary or {}
    header = replay.header
    verdict = summary.get("verdict")
    css = "pass" if verdict == "pass" else "fail" if verdict == "fail" else "unknown"
    violations = violations_of(replay)
    parts: list[str] = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f"<title>{html.escape(replay.title)} - testzone run report</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{html.escape(replay.title)}</h1>",
        f'<p class="sub">run report of <code>{html.escape(replay.path.name)}</code></p>',
        f'<p><span class="verdict {css}">verdict: {_esc(verdict or "no summary")}</span> ',
    ]
    counts = replay.violation_counts
    if counts:
        parts.append(html.escape(", ".join(f"{rule} x{n}" for rule, n in counts.items())))
    parts.append("</p>")

    # --- facts
    facts = [
        ("scenario", _esc(header.get("scenario_file") or header.get("scenario_name"))),
        ("scenario hash", f"<code>{_esc(header.get('scenario_hash'))}</code>"),
        ("seed", _esc(header.get("seed"))),
        ("software", _esc(header.get("software") or header.get("software_version"))),
        ("start", _esc(header.get("start"))),
        ("simulated", _fmt(number(summary.get("sim_time")) or replay.t_end, " s", 1)),
        (
            "time step",
            f"{_fmt(header.get('dt'), ' s')}, a frame every {_esc(header.get('record_every'))} "
            f"ticks ({replay.reader.n_frames:,} frames)",
        ),
        (
            "agents",
            f"{_esc(summary.get('spawned', len(replay.agents)))} spawned, "
            f"{_esc(summary.get('arrived'))} arrived, {_esc(summary.get('failed'))} failed, "
            f"{_esc(summary.get('active_at_end'))} active at the end",
        ),
    ]
    parts.append("<h2>Run</h2>")
    parts.append(_table(("", ""), [(f"<b>{k}</b>", v) for k, v in facts]))

    # --- violations
    parts.append(f"<h2>Violations ({len(violations)})</h2>")
    if violations:
        rows = []
        for n, v in enumerate(violations, 1):
            when = clock(v.t0) if abs(v.t1 - v.t0) < 0.05 else f"{clock(v.t0)} - {clock(v.t1)}"
            where = "(" + ", ".join(f"{c:.0f}" for c in v.where) + ") m" if v.where else None
            snap = f'<a href="#snap-{n}">{n}</a>' if n <= max_snapshots else str(n)
            rows.append(
                (
                    snap,
                    html.escape(when),
                    f"<code>{html.escape(v.rule)}</code>",
                    f'<span class="{html.escape(v.severity)}">{html.escape(v.severity)}</span>',
                    _esc(v.agent),
                    _esc(v.zone),
                    _esc(where),
                    _esc(v.article),
                    _esc(v.message),
                )
            )
        parts.append(
            _table(
                ("#", "time", "rule", "severity", "agent", "zone", "where", "article", "message"),
                rows,
            )
        )
    else:
        parts.append(
            "<p>None: no fence breach, loss of separation, collision or permit cap was "
            "recorded.</p>"
        )

    # --- metrics
    parts.append("<h2>Safety metrics</h2>")
    ttc_limit = number(summary.get("ttc_threshold")) or 3.0
    pet_limit = number(summary.get("pet_threshold")) or 2.0
    metric_rows = [
        ("collisions", _fmt(summary.get("collisions"))),
        ("UAV conflicts", _fmt(summary.get("uav_conflicts"))),
        ("UAV losses of separation", _fmt(summary.get("uav_separation_losses"))),
        ("minimum TTC", _fmt(summary.get("min_ttc"), " s")),
        (f"TET below {ttc_limit:g} s", _fmt(summary.get("tet"), " s", 1)),
        ("TIT", _fmt(summary.get("tit"), " s2", 1)),
        ("maximum DRAC", _fmt(summary.get("max_drac"), " m/s2")),
        ("minimum PET", _fmt(summary.get("min_pet"), " s", 1)),
        (
            f"PET below {pet_limit:g} s",
            _fmt(summary.get("pet_below_threshold")),
        ),
    ]
    parts.append(_table(("metric", "value"), metric_rows, numeric=(1,)))
    if step:
        step("reading frames", 0, replay.reader.n_frames)
    series: RunSeries = gather(
        replay, (lambda d, n: step("reading frames", d, n)) if step else None
    )
    parts.append(
        "<figure>"
        + _img(charts.ttc_chart(series, ttc_limit), "minimum TTC over time")
        + "</figure>"
    )
    if series.speed:
        parts.append(
            "<figure>"
            + _img(
                charts.profile_chart(
                    "Speed profiles"
                    + (" (agents under a permit)" if any(replay.agents.tested) else ""),
                    "speed (km/h)",
                    series.speed,
                    3.6,
                ),
                "speed profiles",
            )
            + "</figure>"
        )
    if series.altitude:
        parts.append(
            "<figure>"
            + _img(
                charts.profile_chart(
                    "UAV altitude profiles", "height above ground (m)", series.altitude
                ),
                "altitude profiles",
            )
            + "</figure>"
        )
    parts.append("<figure>" + _img(charts.presence_chart(series), "agents present") + "</figure>")
    per_agent = summary.get("agents")
    if isinstance(per_agent, dict) and per_agent:
        rows = []
        for name, m in sorted(per_agent.items()):
            if not isinstance(m, dict):
                continue
            rows.append(
                (
                    html.escape(name),
                    _fmt(m.get("distance"), " m", 0),
                    _fmt(m.get("min_ttc"), " s"),
                    _fmt(m.get("tet"), " s", 1),
                    _fmt(m.get("max_drac"), " m/s2"),
                    _fmt(m.get("min_pet"), " s", 1),
                )
            )
        parts.append("<h3>Agents under a permit</h3>")
        parts.append(
            _table(
                ("agent", "distance", "min TTC", "TET", "max DRAC", "min PET"),
                rows,
                numeric=(1, 2, 3, 4, 5),
            )
        )

    # --- snapshots
    parts.append("<h2>Snapshots</h2>")
    pictured = violations[:max_snapshots]
    total = len(pictured) + 1
    for n, v in enumerate(pictured, 1):
        if step:
            step("drawing snapshots", n - 1, total)
        t = min(max(v.t0, replay.t_first), replay.t_last)
        follow = v.agent if v.agent and replay.agents.index_of(v.agent) is not None else None
        centre = (v.where[0], v.where[1]) if v.where else None
        opts = RenderOptions(
            size=SNAPSHOT_SIZE,
            chrome=False,
            centre=centre,
            width_m=SNAPSHOT_WIDTH_M,
            follow=follow if centre is None else None,
            speed=1.0,
        )
        viewer_pic = picture_at(replay, t, _selected(opts, v.agent, replay))
        caption = (
            f"{n}. t = {clock(v.t0)}: {v.rule}"
            + (f", {v.agent}" if v.agent else "")
            + (f", zone {v.zone}" if v.zone else "")
            + f". {v.message}"
        )
        parts.append(
            f'<figure id="snap-{n}">{_img(_png_of(viewer_pic), caption)}'
            f"<figcaption>{html.escape(caption)}</figcaption></figure>"
        )
    if len(violations) > max_snapshots:
        parts.append(
            f"<p>{len(violations) - max_snapshots} more violations are listed above without a "
            "snapshot.</p>"
        )
    if step:
        step("drawing snapshots", total - 1, total)
    overview = picture_at(replay, replay.t_last, RenderOptions(size=(1280, 720), speed=1.0))
    parts.append(
        f"<figure>{_img(_png_of(overview), 'the whole zone at the end of the run')}"
        "<figcaption>The whole zone at the end of the run "
        f"(t = {html.escape(clock(replay.t_last))}).</figcaption></figure>"
    )
    if step:
        step("drawing snapshots", total, total)

    # --- events
    notable = replay.events.notable
    parts.append(f"<h2>Events ({len(notable)} notable of {len(replay.events.all)})</h2>")
    rows = [
        (
            html.escape(clock(r.t)),
            f'<span class="cat-{r.category}">{html.escape(r.category)}</span>',
            html.escape(r.text),
        )
        for r in notable[:MAX_EVENT_ROWS]
    ]
    parts.append(_table(("time", "category", "event"), rows))
    if len(notable) > MAX_EVENT_ROWS:
        parts.append(f"<p>... and {len(notable) - MAX_EVENT_ROWS} more (see the trace).</p>")
    parts.append(
        f"<footer>testzone {html.escape(__version__)} &middot; trace format "
        f"{_esc(header.get('format_version'))}</footer>"
    )
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"


def _selected(opts: RenderOptions, agent: str | None, replay: Replay) -> RenderOptions:
    """Options that also select ``agent`` (ring and label) when it is in the trace."""
    if agent is None or replay.agents.index_of(agent) is None or opts.follow is not None:
        return opts
    return replace(opts, select=agent)
