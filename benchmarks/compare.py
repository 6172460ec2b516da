"""Side-by-side benchmarks of testzone against peer simulators.

    python benchmarks/compare.py ground-vs-sumo [--quick] [--peer-only] [--workdir DIR]

Each subcommand prints a small table and, as its last line, one JSON object:
``{"bench": ..., "unit": ..., "testzone": X, "peer": Y, "ratio": X / Y}`` (``testzone`` and
``ratio`` are ``null`` with ``--peer-only``). Exit status: 0 done, 2 a side could not run
(e.g. ``benchmarks/testzone_side.py`` or SUMO missing).

New benches (air-cd-vs-bluesky, collision-vs-commonroad, deconflict-10k) register a function
with :func:`bench`; it receives the parsed arguments and returns an :class:`Outcome`.
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

HERE = Path(__file__).resolve().parent


class SideUnavailableError(RuntimeError):
    """One side of a bench cannot run here (module or program missing)."""


@dataclass
class Outcome:
    """What a bench measured: the rate of each side in ``unit`` and rows for the table."""

    bench: str
    unit: str
    peer_name: str
    peer: float
    testzone: float | None = None
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Bench:
    """A registered bench: its help, extra options and the function that runs it."""

    help: str
    add_options: Callable[[argparse.ArgumentParser], None]
    run: Callable[[argparse.Namespace], Outcome]


BENCHES: dict[str, Bench] = {}


def bench(
    name: str, help: str, add_options: Callable[[argparse.ArgumentParser], None] | None = None
) -> Callable[[Callable[[argparse.Namespace], Outcome]], Callable[[argparse.Namespace], Outcome]]:
    """Register a bench function as subcommand ``name``."""

    def register(
        fn: Callable[[argparse.Namespace], Outcome],
    ) -> Callable[[argparse.Namespace], Outcome]:
        BENCHES[name] = Bench(help, add_options or (lambda p: None), fn)
        return fn

    return register


def load_side(module: str, what: str) -> ModuleType:
    """Import ``benchmarks/<module>.py``; raise :class:`SideUnavailableError` if it fails."""
    if str(HERE) not in sys.path:
        sys.path.insert(0, str(HERE))
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise SideUnavailableError(f"cannot import {what} (benchmarks/{module}.py): {exc}") from exc


# --- ground-vs-sumo ---------------------------------------------------------------------

GROUND = {
    # vehicles, departure window (s), simulated time (s); dt 0.1 s by default. In SUMO the
    # full setting fills the 8x8 grid to ~1,100 vehicles at once after about 4 minutes
    # (mean ~870 over the run); the quick one peaks near 300.
    "full": {"vehicles": 3000, "horizon": 600.0, "duration": 600.0},
    "quick": {"vehicles": 300, "horizon": 120.0, "duration": 120.0},
}


def _ground_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help="fewer vehicles, 2 simulated minutes")
    p.add_argument("--dt", type=float, default=0.1, help="time step (s), both sides")
    p.add_argument("--seed", type=int, default=1, help="seed of the demand")
    p.add_argument("--grid", type=int, default=8, help="junctions per side of the grid")
    p.add_argument("--vehicles", type=int, help="override the number of vehicles")
    p.add_argument(
        "--car-following", default="Krauss", choices=["Krauss", "IDM"], help="SUMO's model"
    )


@bench("ground-vs-sumo", "ICV ground traffic on a signalised grid vs SUMO", _ground_options)
def ground_vs_sumo(args: argparse.Namespace) -> Outcome:
    """Same grid and trips in SUMO (libsumo) and testzone; vehicle updates per second."""
    sumo_side = load_side("sumo_side", "the SUMO side")
    testzone_side = None if args.peer_only else load_side("testzone_side", "the testzone side")
    setting = dict(GROUND["quick" if args.quick else "full"])
    if args.vehicles:
        setting["vehicles"] = args.vehicles
    steps = round(setting["duration"] / args.dt)
    with tempfile.TemporaryDirectory(prefix="tz-bench-") as tmp:
        work = Path(args.workdir) if args.workdir else Path(tmp)
        try:
            net = sumo_side.make_grid(work, n=args.grid, length=200.0, lanes=2)
        except FileNotFoundError as exc:
            raise SideUnavailableError(str(exc)) from exc
        trips = sumo_side.make_demand(net, int(setting["vehicles"]), setting["horizon"], args.seed)
        routes = work / "trips.rou.xml"
        sumo_side.write_routes(trips, routes, args.car_following)
        peer = sumo_side.run_sumo(net, routes, args.dt, steps)
        out = Outcome("ground-vs-sumo", "vehicle-updates/s", "sumo", peer["updates_per_s"])
        out.rows["sumo"] = peer
        if testzone_side is not None:
            ours = testzone_side.run_ground(net, trips, args.dt, steps)
            out.testzone = float(ours["updates_per_s"])
            out.rows["testzone"] = ours
    return out


# --- driver -----------------------------------------------------------------------------


def _table(out: Outcome) -> str:
    cols = ["vehicle_updates", "seconds", "updates_per_s", "steps", "peak_vehicles", "arrived"]
    lines = [f"{out.bench}  ({out.unit})", f"{'side':<10}" + "".join(f"{c:>17}" for c in cols)]
    for side, row in out.rows.items():
        cells = []
        for c in cols:
            v = row.get(c, "")
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            if isinstance(v, float):
                cells.append(f"{v:>17,.2f}" if c == "seconds" else f"{v:>17,.0f}")
            else:
                cells.append(f"{v:>17,}" if isinstance(v, int) else f"{v!s:>17}")
        lines.append(f"{side:<10}" + "".join(cells))
    return "\n".join(lines)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="bench", required=True, metavar="BENCH")
    for name, b in BENCHES.items():
        p = sub.add_parser(name, help=b.help, description=b.help)
        p.add_argument("--peer-only", action="store_true", help="run the peer simulator only")
        p.add_argument("--workdir", help="keep generated inputs in this folder")
        b.add_options(p)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one bench; print its table and the JSON result line. Return the exit status."""
    args = _parser().parse_args(argv)
    try:
        out = BENCHES[args.bench].run(args)
    except SideUnavailableError as exc:
        print(f"compare.py {args.bench}: {exc}", file=sys.stderr)
        return 2
    print(_table(out))
    ratio = out.testzone / out.peer if out.testzone is not None and out.peer > 0 else None
    result = {
        "bench": out.bench,
        "unit": out.unit,
        "testzone": out.testzone,
        "peer": out.peer,
        "ratio": ratio,
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
