"""The sweep file (``sweep.toml``) and the plan of runs it expands to.

A sweep names a base scenario, the parameters to vary (each a field path into the scenario,
:mod:`sim.batch.paths`), how to combine them (a grid over listed values, or seeded random
samples of ranges), the seeds of the replications, the metrics to collect and whether to keep
each run's trace. :func:`load_plan` validates the sweep *and every scenario it produces* before
anything runs, so a bad value is reported (exit 2) with the model's own message::

    sweeps/s.toml: parameter[0].values[2]: flow["bg-grid"].rate = "-5 /h": Input should be
    greater than 0 (got -0.001388...)

Determinism: grid points are the Cartesian product of the parameters' values in the order
written (the last parameter varies fastest). Random sample ``k`` draws parameter ``P`` from its
own stream ``SeedSequence(sampling_seed, spawn_key=(k, crc32(P)))``, so adding samples or
parameters leaves the values drawn before unchanged. Replication ``r`` of every point runs with
seed ``seed + r`` (``seed`` defaults to the scenario's), or ``seeds[r]`` when listed: every
point sees the same seeds (common random numbers). A run's id is a hash of what determines its
result — the inputs' digest with the overrides, the seed, ``until`` (and the sample number in
random mode) — so ``--resume`` recognises finished runs even if the sweep file was reordered.
"""

from __future__ import annotations

import copy
import hashlib
import itertools
import json
import math
import re
import zlib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import Field, StrictBool, StrictInt, ValidationError, field_validator, model_validator

from sim.batch.metrics import METRICS, ColumnKind
from sim.batch.paths import FieldPath, PathError
from sim.model.base import StrictModel
from sim.model.bundle import ScenarioBundle, parse_scenario
from sim.model.errors import (
    Issue,
    ModelError,
    did_you_mean,
    field_error,
    format_path,
    issues_from_pydantic,
)
from sim.model.files import display_name, read_toml
from sim.model.units import Seconds

MAX_RUNS = 10_000_000
"""Most runs one sweep may expand to."""
MAX_ISSUES = 50
"""Most distinct problems reported for one sweep."""
FIXED_COLUMNS = (
    "run",
    "run_id",
    "point",
    "replication",
    "seed",
    "params",
    "verdict",
    "error",
    "sim_time",
    "wall_time",
    "trace",
)
"""Result columns every sweep has (see :mod:`sim.batch.results`); parameters may not use them."""

_QUANTITY = re.compile(r"^\s*([-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?)\s*(\S.*?)?\s*$")


class Parameter(StrictModel):
    """One scenario field to vary."""

    path: str = Field(min_length=1, max_length=300)
    """Field path into the scenario, e.g. ``flow[bg-grid].rate`` (see :mod:`sim.batch.paths`)."""
    name: str | None = Field(default=None, min_length=1, max_length=100)
    """Column name in the results (default: the path as written)."""
    values: tuple[Any, ...] | None = Field(default=None, min_length=1, max_length=100_000)
    """Values to use (grid), or to draw from with equal chance (random); any TOML value, with
    units as in scenarios (``"900 /h"``)."""
    range: tuple[Any, Any] | None = None
    """Random mode: draw uniformly between two bounds, numbers or strings with the same unit
    (``["600 /h", "1200 /h"]``); the value is written back in that unit."""
    log: StrictBool = False
    """Random mode: draw ``range`` log-uniformly (bounds > 0)."""
    integer: StrictBool = False
    """Random mode: draw whole numbers from ``range`` (both bounds included)."""

    @field_validator("path")
    @classmethod
    def _parse_path(cls, value: str) -> str:
        try:
            FieldPath.parse(value)
        except PathError as exc:
            raise ValueError(str(exc)) from None
        return value

    @property
    def field_path(self) -> FieldPath:
        """The parsed path."""
        return FieldPath.parse(self.path)

    @property
    def column(self) -> str:
        """The result column of this parameter."""
        return self.name or self.path


Seed = Annotated[StrictInt, Field(ge=0, lt=2**63)]


class Sweep(StrictModel):
    """A sweep file as written."""

    name: str = Field(default="", max_length=200)
    description: str = ""
    scenario: str = Field(min_length=1)
    """The base scenario file, relative to the sweep file."""
    mode: Literal["grid", "random"] = "grid"
    """``grid``: every combination of the parameters' ``values``; ``random``: ``samples``
    points, each parameter drawn from its ``values`` or ``range``."""
    samples: Annotated[StrictInt, Field(ge=1, le=MAX_RUNS)] | None = None
    """Random mode: the number of points drawn."""
    sampling_seed: Seed = 0
    """Random mode: the root of the sampling streams."""
    replications: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    """Runs of each point, with seeds ``seed``, ``seed + 1``, ... (default 1)."""
    seed: Seed | None = None
    """Seed of the first replication (default: the scenario's ``seed``)."""
    seeds: tuple[Seed, ...] | None = Field(default=None, min_length=1, max_length=100_000)
    """Explicit seeds, one replication each (instead of ``replications`` and ``seed``)."""
    until: Annotated[Seconds, Field(gt=0.0)] | None = None
    """Stop each run after this much simulated time (s; like ``testzone run --until``)."""
    record_every: Annotated[StrictInt, Field(ge=1, le=100_000)] | None = None
    """Trace frame interval in ticks (with ``keep_traces``; default: the scenario's)."""
    keep_traces: StrictBool = False
    """Write each run's trace file next to the results (``RESULTS.traces/RUN_ID.tztrace``)."""
    metrics: tuple[str, ...] | None = Field(default=None, min_length=1)
    """Metrics to collect (default: all; see ``docs/batch.md``)."""
    parameter: tuple[Parameter, ...] = ()
    """The parameters (``[[parameter]]`` tables)."""

    @field_validator("metrics")
    @classmethod
    def _known_metrics(cls, value: tuple[str, ...] | None) -> tuple[str, ...] | None:
        if value is None:
            return value
        for m in value:
            if m not in METRICS:
                hint = did_you_mean(m, METRICS) or f" (expected one of: {', '.join(METRICS)})"
                raise ValueError(f"unknown metric {m!r}{hint}")
        if len(set(value)) != len(value):
            raise ValueError("a metric is listed twice")
        return value

    @model_validator(mode="after")
    def _check(self) -> Sweep:
        if self.mode == "random" and self.samples is None:
            raise field_error("samples", "mode = 'random' needs the number of samples")
        if self.mode == "grid" and self.samples is not None:
            raise field_error("samples", "samples apply to mode = 'random' only")
        if self.seeds is not None:
            if self.replications is not None or self.seed is not None:
                raise field_error("seeds", "give either 'seeds' or 'replications'/'seed'")
            if len(set(self.seeds)) != len(self.seeds):
                raise field_error("seeds", "a seed is listed twice")
        return self


@dataclass(frozen=True)
class Point:
    """One combination of parameter values.

    Attributes:
        index: its number in the sweep (0-based).
        sample: its random sample number (random mode), else None.
        overrides: (canonical path, value as written) per parameter.
        columns: result column -> value: the validated value in SI units where the field is a
            number, boolean or string, else the value as written (JSON text).
        digest: SHA-256 of the inputs' digest and the overrides.
        doc: the scenario document with the overrides applied.
    """

    index: int
    sample: int | None
    overrides: tuple[tuple[str, Any], ...]
    columns: dict[str, Any]
    digest: str
    doc: dict[str, Any] = field(repr=False)


@dataclass(frozen=True)
class RunSpec:
    """One run of the sweep: a point and a seed."""

    run: int
    run_id: str
    point: int
    replication: int
    seed: int


@dataclass
class Plan:
    """A validated sweep expanded into points and runs.

    Attributes:
        sweep: the sweep as written.
        path: the sweep file.
        scenario_path: the base scenario file.
        points: every parameter combination.
        runs: every run, point-major then replication.
        param_columns: (column, kind) of each parameter.
        metrics: the metrics collected.
    """

    sweep: Sweep
    path: Path
    scenario_path: Path
    points: list[Point]
    runs: list[RunSpec]
    param_columns: list[tuple[str, ColumnKind]]
    metrics: tuple[str, ...]
    _cache: dict[int, ScenarioBundle] = field(default_factory=dict, repr=False)

    @property
    def name(self) -> str:
        """The sweep's name (default: the file's stem)."""
        return self.sweep.name or self.path.stem

    def bundle(self, point: int) -> ScenarioBundle:
        """The validated scenario of a point (the last few are cached)."""
        hit = self._cache.get(point)
        if hit is not None:
            return hit
        p = self.points[point]
        bundle = parse_scenario(copy.deepcopy(p.doc), self.scenario_path)
        # the inputs' digest covers the files; the overrides make it this point's own
        bundle = replace(bundle, digest=p.digest)
        if len(self._cache) >= 4:
            self._cache.pop(next(iter(self._cache)))
        self._cache[point] = bundle
        return bundle


def canonical_json(value: Any) -> str:
    """Compact, key-sorted JSON (date-times as ISO text) used for hashing and the params column."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=_json_default)


def _json_default(value: Any) -> Any:
    iso = getattr(value, "isoformat", None)
    if iso is not None:
        return iso()
    return str(value)


def load_sweep(path: Path) -> tuple[Sweep, dict[str, Any]]:
    """Read and validate a sweep file (not yet the scenarios it produces)."""
    doc = read_toml(path)
    try:
        return Sweep.model_validate(doc), doc
    except ValidationError as exc:
        raise ModelError(issues_from_pydantic(exc, display_name(path), (), doc)) from None


def load_plan(path: Path) -> Plan:
    """Read a sweep, expand it into runs and validate every scenario it produces.

    Raises:
        ModelError: every problem found, each naming the sweep file (or the base scenario) and
            the field.
    """
    sweep, doc = load_sweep(path)
    name = display_name(path)
    issues: list[Issue] = []

    def at(where: tuple[str | int, ...], message: str) -> None:
        issues.append(Issue(name, format_path(where, doc), message))

    scen_path = path.parent / sweep.scenario
    if not scen_path.is_file():
        at(
            ("scenario",),
            f"file not found: {sweep.scenario!r} (looked for {display_name(scen_path)})",
        )
        raise ModelError(issues)
    base_doc = read_toml(scen_path)
    base = parse_scenario(copy.deepcopy(base_doc), scen_path)  # the base itself must be valid

    columns: dict[str, int] = {}
    paths: list[FieldPath] = []
    for k, p in enumerate(sweep.parameter):
        fp = p.field_path
        paths.append(fp)
        if fp.root == "seed":
            at(("parameter", k, "path"), "vary seeds with 'replications' or 'seeds', not a path")
        if p.column in FIXED_COLUMNS or p.column in METRICS or p.column.startswith("violations."):
            at(("parameter", k, "name" if p.name else "path"), f"{p.column!r} is a result column")
        if p.column in columns:
            at(
                ("parameter", k, "name" if p.name else "path"),
                f"column {p.column!r} is also parameter[{columns[p.column]}]",
            )
        columns.setdefault(p.column, k)
        try:
            fp.apply(copy.deepcopy(base_doc), None)
        except PathError as exc:
            at(("parameter", k, "path"), f"{exc} in {display_name(scen_path)}")
        if sweep.mode == "grid":
            if p.values is None:
                at(("parameter", k, "values"), "mode = 'grid' needs a list of values")
            if p.range is not None:
                at(("parameter", k, "range"), "range applies to mode = 'random'; list values")
            if p.log or p.integer:
                at(("parameter", k, "log" if p.log else "integer"), "applies to a random range")
            if p.values is not None:
                seen: dict[str, int] = {}
                for j, v in enumerate(p.values):
                    key = canonical_json(v)
                    if key in seen:
                        at(("parameter", k, "values", j), f"same value as values[{seen[key]}]")
                    seen.setdefault(key, j)
        else:
            if (p.values is None) == (p.range is None):
                at(("parameter", k, "values"), "give either 'values' or a 'range'")
            elif p.range is not None:
                try:
                    _range_bounds(p)
                except ValueError as exc:
                    at(("parameter", k, "range"), str(exc))
    paths_text = [str(fp) for fp in paths]
    for k, text in enumerate(paths_text):
        if text in paths_text[:k]:
            at(("parameter", k, "path"), f"same field as parameter[{paths_text.index(text)}]")
    if issues:
        raise ModelError(issues)

    seeds = (
        list(sweep.seeds)
        if sweep.seeds is not None
        else [
            (base.scenario.seed if sweep.seed is None else sweep.seed) + r
            for r in range(sweep.replications or 1)
        ]
    )
    if any(s >= 2**63 for s in seeds):
        at(("seed",), "seeds must stay below 2**63")
    combos = _combinations(sweep)
    n_runs = len(combos) * len(seeds)
    if n_runs > MAX_RUNS:
        at(("parameter",), f"the sweep expands to {n_runs:,} runs, more than {MAX_RUNS:,}")
    if issues:
        raise ModelError(issues)

    points: list[Point] = []
    bad: dict[str, Issue] = {}
    repeats: dict[str, int] = {}
    kinds: list[set[str]] = [set() for _ in sweep.parameter]
    scen_name = display_name(scen_path)
    for index, (sample, values, where) in enumerate(combos):
        pdoc = copy.deepcopy(base_doc)
        for fp, v in zip(paths, values, strict=True):
            fp.apply(pdoc, v)
        try:
            bundle = parse_scenario(copy.deepcopy(pdoc), scen_path)
        except ModelError as exc:
            for issue in exc.issues:
                mine = _blame(issue, scen_name, paths, pdoc, values, where, sample, name, doc)
                # a problem no single value explains is reported once, at its first point
                key = str(mine) if mine.path != "parameter" else str(issue)
                if key in bad:
                    repeats[key] = repeats.get(key, 0) + 1
                bad.setdefault(key, mine)
            if len(bad) >= MAX_ISSUES:
                break
            continue
        overrides = tuple((str(fp), v) for fp, v in zip(paths, values, strict=True))
        digest = hashlib.sha256(f"{bundle.digest}:{canonical_json(overrides)}".encode()).hexdigest()
        cols: dict[str, Any] = {}
        for k, (p, fp, v) in enumerate(zip(sweep.parameter, paths, values, strict=True)):
            value = _column_value(fp.model_value(bundle.scenario), v)
            kinds[k].add(type(value).__name__)
            cols[p.column] = value
        points.append(Point(index, sample, overrides, cols, digest, pdoc))
    if bad:
        out = []
        for key, issue in bad.items():
            n = repeats.get(key, 0)
            if n and issue.path == "parameter":
                more = f"(and {n} more point{'s' if n > 1 else ''})"
                issue = Issue(issue.file, issue.path, f"{issue.message} {more}")
            out.append(issue)
        raise ModelError(out)

    param_columns: list[tuple[str, ColumnKind]] = []
    for k, p in enumerate(sweep.parameter):
        if kinds[k] <= {"float"}:
            param_columns.append((p.column, "float"))
        elif kinds[k] == {"bool"}:
            param_columns.append((p.column, "bool"))
        else:
            param_columns.append((p.column, "str"))
            for pt in points:
                v = pt.columns[p.column]
                if not isinstance(v, str):
                    pt.columns[p.column] = canonical_json(v)

    until = sweep.until
    runs: list[RunSpec] = []
    for pt in points:
        for r, seed in enumerate(seeds):
            ident = canonical_json(
                {"scenario": pt.digest, "seed": seed, "until": until, "sample": pt.sample}
            )
            run_id = hashlib.sha256(ident.encode()).hexdigest()[:16]
            runs.append(RunSpec(len(runs), run_id, pt.index, r, seed))
    metrics = sweep.metrics if sweep.metrics is not None else tuple(METRICS)
    return Plan(sweep, path, scen_path, points, runs, param_columns, metrics)


def _column_value(validated: Any, written: Any) -> Any:
    """The parameter's result value: the model's SI number / bool / string, else as written."""
    if isinstance(validated, bool):
        return validated
    if isinstance(validated, (int, float)):
        return float(validated)
    if isinstance(validated, str):
        return validated
    if isinstance(written, bool):
        return written
    if isinstance(written, (int, float)):
        return float(written)
    return written if isinstance(written, str) else canonical_json(written)


Combo = tuple[int | None, tuple[Any, ...], tuple[tuple[str | int, ...], ...]]
"""(sample, values, where in the sweep file each value came from)."""


def _combinations(sweep: Sweep) -> list[Combo]:
    params = sweep.parameter
    if sweep.mode == "grid":
        lists = [
            [(v, ("parameter", k, "values", j)) for j, v in enumerate(p.values or ())]
            for k, p in enumerate(params)
        ]
        out: list[Combo] = []
        for combo in itertools.product(*lists):
            out.append((None, tuple(v for v, _ in combo), tuple(w for _, w in combo)))
        return out
    assert sweep.samples is not None
    out = []
    for k in range(sweep.samples):
        values: list[Any] = []
        where: list[tuple[str | int, ...]] = []
        for j, p in enumerate(params):
            key = zlib.crc32(str(p.field_path).encode())
            rng = np.random.default_rng(
                np.random.SeedSequence(sweep.sampling_seed, spawn_key=(k, key))
            )
            if p.values is not None:
                i = int(rng.integers(len(p.values)))
                values.append(p.values[i])
                where.append(("parameter", j, "values", i))
            else:
                values.append(_draw(p, rng))
                where.append(("parameter", j, "range"))
        out.append((k, tuple(values), tuple(where)))
    return out


def _range_bounds(p: Parameter) -> tuple[float, float, str]:
    """The numeric bounds of a range and their common unit ('' for plain numbers)."""
    assert p.range is not None
    nums: list[float] = []
    units: list[str] = []
    for b in p.range:
        if isinstance(b, bool):
            raise ValueError(f"expected a number or a number with a unit, got {b!r}")
        if isinstance(b, (int, float)):
            nums.append(float(b))
            units.append("")
            continue
        m = _QUANTITY.match(b) if isinstance(b, str) else None
        if m is None:
            raise ValueError(f"expected a number or a number with a unit, got {b!r}")
        nums.append(float(m.group(1)))
        units.append((m.group(2) or "").strip())
    lo, hi = nums
    if units[0] != units[1]:
        raise ValueError(f"the bounds have different units ({units[0]!r}, {units[1]!r})")
    if not (math.isfinite(lo) and math.isfinite(hi)) or not lo < hi:
        raise ValueError(f"expected [low, high] with low < high, got {list(p.range)!r}")
    if p.log and lo <= 0:
        raise ValueError("a log range needs bounds above 0")
    if p.integer and (lo != int(lo) or hi != int(hi)):
        raise ValueError("an integer range needs whole-number bounds")
    return lo, hi, units[0]


def _draw(p: Parameter, rng: np.random.Generator) -> Any:
    lo, hi, unit = _range_bounds(p)
    x: float | int
    if p.integer:
        if p.log:
            x = round(math.exp(rng.uniform(math.log(lo), math.log(hi))))
        else:
            x = int(rng.integers(int(lo), int(hi) + 1))
    elif p.log:
        x = math.exp(rng.uniform(math.log(lo), math.log(hi)))
    else:
        x = float(rng.uniform(lo, hi))
    return f"{x!r} {unit}" if unit else x


def _blame(
    issue: Issue,
    scen_name: str,
    paths: Sequence[FieldPath],
    pdoc: Any,
    values: tuple[Any, ...],
    where: tuple[tuple[str | int, ...], ...],
    sample: int | None,
    sweep_name: str,
    sweep_doc: Any,
) -> Issue:
    """Turn an issue of an overridden scenario into one naming the sweep's parameter value."""
    if issue.file == scen_name:
        for fp, v, w in zip(paths, values, where, strict=True):
            try:
                text = format_path(fp.locate(pdoc), pdoc)
            except PathError:
                continue
            if issue.path == text or issue.path.startswith((text + ".", text + "[")):
                what = f"sample {sample}: " if sample is not None else ""
                return Issue(
                    sweep_name,
                    format_path(w, sweep_doc),
                    f"{what}{issue.path} = {canonical_json(v)}: {issue.message}",
                )
    settings = ", ".join(f"{fp} = {canonical_json(v)}" for fp, v in zip(paths, values, strict=True))
    return Issue(
        sweep_name,
        "parameter" if paths else "scenario",
        f"with {settings or 'no overrides'} the scenario is invalid: {issue}",
    )
