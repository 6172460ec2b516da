"""Summaries of a results file: one line per parameter point, and a plot of metric vs parameter.

Statistics are over the replications (seeds) of each point and leave out runs that raised
(``verdict = "error"``; their count is a column of its own). The plot has one panel per metric:
the mean over seeds against a numeric parameter (or the points in order when there is none),
with error bars of one standard deviation and the individual runs as dots, one line per
combination of the other parameters.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sim.batch.results import ResultStore, describe

if TYPE_CHECKING:
    import pandas as pd

DEFAULT_METRICS = (
    "violations",
    "collisions",
    "uav_separation_losses",
    "min_ttc",
    "mean_speed",
    "mean_speed_icv",
    "mean_speed_uav",
    "mean_speed_ship",
    "arrived",
)
"""Metrics summarised when none are named (those the file has)."""
MAX_LINES = 8
"""Most lines (combinations of the other parameters) drawn in one panel."""


class ResultsError(ValueError):
    """The results file is missing or is not a testzone results file."""


@dataclass
class Summary:
    """A results file's table grouped by parameter point."""

    frame: pd.DataFrame
    """All rows (one per run)."""
    params: list[str]
    """The parameter columns."""
    metrics: list[str]
    """The metrics summarised."""
    points: pd.DataFrame
    """One row per point: the parameters, ``runs``, ``errors``, ``fail_share`` and for each
    metric ``<metric>_mean``, ``<metric>_std``, ``<metric>_min``, ``<metric>_max``."""


def load_results(path: Path) -> pd.DataFrame:
    """Read a results file, combining any parts a batch left next to it first."""
    import pyarrow as pa

    store = ResultStore(path)
    if not store.exists():
        raise ResultsError(f"{path}: file not found (and no {store.parts_dir.name}/ beside it)")
    try:
        if store.parts():
            table, _ = store.combine()
        else:
            import pyarrow.parquet as pq

            table = pq.read_table(path)
    except (OSError, pa.ArrowException) as exc:
        raise ResultsError(f"{path}: not a readable Parquet file ({exc})") from None
    if table is None or "run_id" not in table.column_names:
        raise ResultsError(f"{path}: not a testzone results file (no run_id column)")
    df = table.to_pandas()
    df.attrs["testzone"] = describe(table.schema)
    return df


def summarize(df: pd.DataFrame, metrics: list[str] | None = None) -> Summary:
    """Group the runs by parameter point; statistics over seeds of each metric."""
    import pandas as pd

    meta = df.attrs.get("testzone", {})
    params = [p for p in meta.get("parameters", []) if p in df.columns]
    known = [m for m in meta.get("metrics", []) if m in df.columns]
    if metrics is None:
        metrics = [m for m in DEFAULT_METRICS if m in known] or known[:6]
    else:
        missing = [m for m in metrics if m not in df.columns]
        if missing:
            raise ResultsError(
                f"no column {missing[0]!r} in the results (metrics: {', '.join(known) or 'none'})"
            )
    keys = params or ["point"]
    ok = df[df["verdict"] != "error"]
    grouped = df.groupby(keys, sort=True, dropna=False)
    points = pd.DataFrame(
        {
            "runs": grouped.size(),
            "errors": grouped["verdict"].apply(lambda v: int((v == "error").sum())),
            "fail_share": grouped["verdict"].apply(
                lambda v: float((v == "fail").sum()) / max(1, int((v != "error").sum()))
            ),
        }
    )
    for m in metrics:
        if m not in ok:
            continue
        col = pd.to_numeric(ok[m], errors="coerce")
        stats = col.groupby([ok[k] for k in keys], sort=True, dropna=False).agg(
            ["mean", "std", "min", "max"]
        )
        for stat in ("mean", "std", "min", "max"):
            points[f"{m}_{stat}"] = stats[stat]
    points = points.reset_index()
    return Summary(df, params, list(metrics), points)


def fmt(value: Any) -> str:
    """A number for the table: 4 significant digits, '-' for none."""
    if value is None:
        return "-"
    if isinstance(value, float):
        if math.isnan(value):
            return "-"
        return f"{value:.4g}"
    return str(value)


def plot(summary: Summary, out: Path, x: str | None = None) -> Path:
    """Draw each metric against a parameter (mean over seeds, +-1 std, runs as dots).

    Args:
        summary: the grouped results.
        out: the image to write (PNG, SVG or PDF by its suffix).
        x: the parameter on the horizontal axis (default: the first numeric one).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    df = summary.frame
    ok = df[df["verdict"] != "error"]
    numeric = [p for p in summary.params if _numeric(df[p])]
    if x is None:
        x = numeric[0] if numeric else None
    elif x not in summary.params:
        raise ResultsError(
            f"--x {x!r} is not a parameter (parameters: {', '.join(summary.params) or 'none'})"
        )
    others = [p for p in summary.params if p != x]
    metrics = summary.metrics or ["sim_time"]
    ncols = min(3, len(metrics))
    nrows = math.ceil(len(metrics) / ncols)
    fig = Figure(figsize=(5.0 * ncols, 3.6 * nrows), layout="constrained")
    FigureCanvasAgg(fig)
    title = df.attrs.get("testzone", {}).get("sweep") or "sweep"
    fig.suptitle(f"{title}: {len(df)} runs", fontsize=11)
    if x is not None and _numeric(df[x]):
        xs_of = ok[x].astype(float)
        xlabel = x
        ticks = None
    else:
        labels = _point_labels(ok, summary.params)
        order = sorted(labels.unique(), key=lambda s: s)
        pos = {lab: i for i, lab in enumerate(order)}
        xs_of = labels.map(pos).astype(float)
        xlabel = x or "point"
        ticks = order
        others = [] if x is None else others
    groups: Any = [((), ok)]
    if others:
        by_other = ok.groupby(others, sort=True, dropna=False)
        # one line per combination of the other parameters, when those are lines (a grid);
        # random samples, where each combination is a point of its own, share one series
        if by_other.ngroups <= MAX_LINES and all(
            xs_of.loc[sub.index].nunique() > 1 for _, sub in by_other
        ):
            groups = by_other
        else:
            others = []
    for k, m in enumerate(metrics):
        ax = fig.add_subplot(nrows, ncols, k + 1)
        for j, (key, sub) in enumerate(groups):
            if j >= MAX_LINES:
                break
            y = sub[m].astype(float) if m in sub else None
            if y is None:
                continue
            xs = xs_of.loc[sub.index]
            stats = y.groupby(xs).agg(["mean", "std"]).sort_index()
            label = _legend(others, key)
            line = ax.errorbar(
                stats.index,
                stats["mean"],
                yerr=stats["std"].fillna(0.0),
                marker="o",
                capsize=3,
                label=label,
            )
            ax.scatter(xs, y, s=8, alpha=0.35, color=line[0].get_color())
        ax.set_title(m, fontsize=10)
        ax.set_xlabel(xlabel)
        if ticks is not None:
            ax.set_xticks(range(len(ticks)))
            ax.set_xticklabels(ticks, rotation=30, ha="right", fontsize=7)
        if others and k == 0:
            ax.legend(fontsize=7)
        ax.grid(True, alpha=0.3)
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)
    return out


def _numeric(col: pd.Series) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(col)) and not pd.api.types.is_bool_dtype(col)


def _point_labels(df: pd.DataFrame, params: list[str]) -> pd.Series:
    if not params:
        return df["point"].astype(str)
    return df[params].astype(str).agg(", ".join, axis=1)


def _legend(names: list[str], key: Any) -> str:
    if not names:
        return ""
    values = key if isinstance(key, tuple) else (key,)
    return ", ".join(f"{n}={fmt(v)}" for n, v in zip(names, values, strict=False))
