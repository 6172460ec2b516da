"""The report's charts (matplotlib, off screen, no pyplot state): PNG bytes.

Figures are made with :class:`matplotlib.figure.Figure` directly, so nothing global is touched,
and saved without a software tag, so the same series give the same bytes.
"""

from __future__ import annotations

import io
import itertools

import numpy as np
import numpy.typing as npt
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from viz import colours
from viz.metrics import RunSeries, Series

F64 = npt.NDArray[np.float64]

MAX_POINTS = 3000
"""Series longer than this are reduced (by their minimum per bin for TTC)."""
TTC_AXIS = 20.0
"""Top of the TTC axis (s); larger values are off the chart."""


def _png(fig: Figure) -> bytes:
    FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=100, metadata={"Software": None})
    return buf.getvalue()


def _figure(title: str, ylabel: str) -> tuple[Figure, object]:
    fig = Figure(figsize=(9.0, 3.0), layout="constrained")
    ax = fig.add_subplot()
    ax.set_title(title, loc="left", fontsize=11)
    ax.set_xlabel("time after start (min)")
    ax.set_ylabel(ylabel)
    ax.grid(True, alpha=0.3)
    return fig, ax


def _binned_min(t: F64, v: F64) -> tuple[F64, F64]:
    if len(t) <= MAX_POINTS:
        return t, v
    edges = np.linspace(0, len(t), MAX_POINTS + 1).astype(int)
    tb = t[edges[:-1]]
    with np.errstate(all="ignore"):
        vb = np.array(
            [
                np.nanmin(v[a:b]) if np.isfinite(v[a:b]).any() else np.nan
                for a, b in itertools.pairwise(edges)
            ]
        )
    return tb, vb


def ttc_chart(series: RunSeries, threshold: float) -> bytes:
    """Smallest car-following time to collision per frame, with the threshold."""
    fig, ax = _figure("Minimum time to collision (car following, all road vehicles)", "TTC (s)")
    t, v = _binned_min(series.t, series.min_ttc)
    ax.plot(t / 60.0, np.minimum(v, TTC_AXIS * 1.5), color=(0.12, 0.3, 0.75), lw=1.0)  # type: ignore[attr-defined]
    ax.axhline(
        threshold, color=(0.85, 0.15, 0.1), lw=1.2, ls="--", label=f"threshold {threshold:g} s"
    )  # type: ignore[attr-defined]
    below = np.where(v < threshold, v, np.nan)
    ax.plot(t / 60.0, below, color=(0.85, 0.15, 0.1), lw=1.6)  # type: ignore[attr-defined]
    ax.set_ylim(0, TTC_AXIS)  # type: ignore[attr-defined]
    ax.legend(loc="upper right", fontsize=9)  # type: ignore[attr-defined]
    if not np.isfinite(v).any():
        ax.text(
            0.5, 0.5, "no car-following situations recorded", transform=ax.transAxes, ha="center"
        )  # type: ignore[attr-defined]
    return _png(fig)


def profile_chart(
    title: str, ylabel: str, profiles: dict[str, Series], scale: float = 1.0
) -> bytes:
    """One line per agent (values times ``scale``)."""
    fig, ax = _figure(title, ylabel)
    for name, s in sorted(profiles.items()):
        t = np.asarray(s.t)
        v = np.asarray(s.v) * scale
        if len(t) > MAX_POINTS:
            k = int(np.ceil(len(t) / MAX_POINTS))
            t, v = t[::k], v[::k]
        ax.plot(t / 60.0, v, lw=1.0, label=name)  # type: ignore[attr-defined]
    ax.set_ylim(bottom=0)  # type: ignore[attr-defined]
    if profiles:
        ax.legend(loc="upper right", fontsize=8, ncols=2)  # type: ignore[attr-defined]
    return _png(fig)


def presence_chart(series: RunSeries) -> bytes:
    """Agents present per frame, by kind."""
    fig, ax = _figure("Agents in the zone", "agents")
    kind_colours = {"icv": colours.ICV_TESTED, "uav": (106, 61, 154), "ship": colours.SHIP}
    for name, counts in sorted(series.counts.items()):
        t, v = series.t, counts
        if len(t) > MAX_POINTS:
            k = int(np.ceil(len(t) / MAX_POINTS))
            t, v = t[::k], v[::k]
        rgb = kind_colours.get(name, (90, 90, 90))
        ax.plot(t / 60.0, v, lw=1.2, label=name, color=tuple(c / 255 for c in rgb))  # type: ignore[attr-defined]
    ax.legend(loc="upper right", fontsize=9)  # type: ignore[attr-defined]
    return _png(fig)
