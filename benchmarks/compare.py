"""Side-by-side benchmarks of testzone against peer simulators.

    python benchmarks/compare.py ground-vs-sumo [--quick] [--connected SHARE] [--peer-only]
                                                [--workdir DIR]

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
import math
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
    peer: float | None
    testzone: float | None = None
    rows: dict[str, dict[str, Any]] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    """More keys for the JSON line (e.g. a scaling series); they follow the standard ones."""


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
    p.add_argument(
        "--connected",
        type=float,
        default=0.0,
        help="share of testzone's vehicles that are connected (V2X channel and CACC on; SUMO "
        "runs its plain model)",
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
            ours = testzone_side.run_ground(net, trips, args.dt, steps, args.connected)
            out.testzone = float(ours["updates_per_s"])
            out.rows["testzone"] = ours
    return out


# --- air-cd-vs-bluesky ------------------------------------------------------------------

AIR_UAVS = {"full": 5000, "quick": 500}  # UAVs at 1 per 0.05 km^2 (250 / 25 km^2)


def _air_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help="500 UAVs instead of 5,000")
    p.add_argument("--seed", type=int, default=1, help="seed of the traffic")
    p.add_argument("--uavs", type=int, help="override the number of UAVs")
    p.add_argument("--repeat", type=int, help="BlueSky steps to time (default 3; 10 quick)")


@bench(
    "air-cd-vs-bluesky",
    "UAV conflict detection (state-based CPA) vs BlueSky's StateBased.detect",
    _air_options,
)
def air_cd_vs_bluesky(args: argparse.Namespace) -> Outcome:
    """The same UAVs through BlueSky's detection step and testzone's; detection steps per second.

    Both sides must find the same conflict and LoS pairs: any difference is printed to stderr;
    one not explained by BlueSky's flat-earth geometry (``benchmarks/air_side.py``) sets the
    testzone rate (and so the ratio) to null.
    """
    air = load_side("air_side", "the air side")
    try:
        bs = air.load_bluesky()
    except ImportError as exc:
        raise SideUnavailableError(
            f"cannot import BlueSky (pip install -e '.[bench]' for bluesky-simulator): {exc}"
        ) from exc
    n = args.uavs or AIR_UAVS["quick" if args.quick else "full"]
    repeat = args.repeat or (10 if args.quick else 3)
    rpz, hpz, look = air.RPZ, air.HPZ, air.DTLOOKAHEAD
    traffic = air.make_traffic(n, args.seed)
    own = air.to_bluesky(traffic, air.LINGANG)
    peer_s, result = air.time_bluesky(bs, own, rpz, hpz, look, repeat)
    out = Outcome("air-cd-vs-bluesky", "detections/s", "bluesky", 1.0 / peer_s)
    out.rows["bluesky"] = {"seconds": peer_s, "steps": repeat}
    lines = [
        f"{n:,} UAVs on {n / air.DENSITY:,.0f} km^2 at {air.LINGANG[0]:.2f}N "
        f"{air.LINGANG[1]:.2f}E, 30-120 m; rpz {rpz:g} m, hpz {hpz:g} m, lookahead {look:g} s; "
        f"BlueSky {bs.version} StateBased.detect",
        f"{'side':<10}{'s/step':>12}{'steps/s':>12}{'conflicts':>11}{'LoS':>7}{'timed':>7}",
        f"{'bluesky':<10}{peer_s:>12.4f}{1 / peer_s:>12.2f}"
        f"{len(result[0]):>11}{len(result[1]):>7}{repeat:>7}",
    ]
    if not args.peer_only:
        ours = air.testzone_detect(traffic, rpz, hpz, look)
        tz_s, calls = air.time_testzone(traffic, rpz, hpz, look)
        cmp = air.compare(bs, traffic, own, result, ours, rpz, hpz, look)
        out.rows["testzone"] = {"seconds": tz_s, "steps": calls}
        lines.append(
            f"{'testzone':<10}{tz_s:>12.6f}{1 / tz_s:>12.2f}"
            f"{cmp.conflicts_testzone:>11}{cmp.los_testzone:>7}{calls:>7}"
        )
        lines.append(
            f"pairs: {cmp.mismatches} mismatched records ({len(cmp.unexplained)} unexplained); "
            f"tcpa/dcpa within {max(cmp.worst_tcpa, cmp.worst_dcpa):.3f} of their bounds"
        )
        if cmp.mismatches:
            print(
                f"!!! air-cd-vs-bluesky: {cmp.mismatches} records differ from BlueSky "
                f"(only BlueSky {cmp.only_bluesky[:20]}, only testzone {cmp.only_testzone[:20]}); "
                f"unexplained by its flat-earth geometry: {cmp.unexplained[:20]}",
                file=sys.stderr,
            )
        if cmp.ok:
            out.testzone = 1.0 / tz_s
        else:
            print(
                "!!! air-cd-vs-bluesky: testzone does NOT reproduce BlueSky's pairs/values; "
                "no rate reported",
                file=sys.stderr,
            )
    print("\n".join(lines))
    return out


# --- collision-vs-commonroad -----------------------------------------------------------


def _collision_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help="2,000 boxes instead of 10,000")
    p.add_argument("--boxes", type=int, help="override the number of boxes")
    p.add_argument("--seed", type=int, default=1, help="seed of the scene")


@bench(
    "collision-vs-commonroad",
    "all-against-all OBB collision query vs CommonRoad's drivability checker",
    _collision_options,
)
def collision_vs_commonroad(args: argparse.Namespace) -> Outcome:
    """Same boxes queried all-against-all by both; all-against-all queries per second."""
    side = load_side("collision_side", "the collision sides")
    n = args.boxes or (2_000 if args.quick else 10_000)
    try:
        rows = side.compare(n, args.seed, peer_only=args.peer_only)
    except ImportError as exc:
        raise SideUnavailableError(
            f"CommonRoad is missing ({exc}): pip install -e '.[bench]'"
        ) from exc
    except side.MismatchError as exc:
        print(f"compare.py collision-vs-commonroad: {exc}", file=sys.stderr)
        raise SystemExit(1) from exc
    print(side.table(rows))
    out = Outcome("collision-vs-commonroad", "queries/s", "commonroad", 0.0)
    out.peer = rows["commonroad"]["queries_per_s"]
    if "testzone" in rows:
        out.testzone = rows["testzone"]["queries_per_s"]
    return out


# --- deconflict-10k --------------------------------------------------------------------

DECONFLICT = {
    # plans of the headline run, zones, the plan counts of the scaling series, repeats
    "full": {"plans": 10_000, "zones": 1_000, "sizes": (1_000, 10_000, 100_000), "repeat": 3},
    "quick": {"plans": 10_000, "zones": 1_000, "sizes": (1_000, 10_000), "repeat": 2},
}


def _deconflict_options(p: argparse.ArgumentParser) -> None:
    p.add_argument("--quick", action="store_true", help="scaling at 1k and 10k plans only")
    p.add_argument("--seed", type=int, default=1, help="seed of the plans (zones: seed + 1)")
    p.add_argument("--zones", type=int, help="override the number of zones (default 1,000)")
    p.add_argument("--repeat", type=int, help="timed repeats, best kept (default 3; 2 quick)")


@bench(
    "deconflict-10k",
    "strategic 4-D deconfliction of a day of UAV plans against each other and the zones",
    _deconflict_options,
)
def deconflict_10k(args: argparse.Namespace) -> Outcome:
    """Every plan against every other plan and against every zone; seconds for the full job.

    No peer: ``peer`` and ``ratio`` are null. The JSON line adds ``scaling`` (plans ->
    seconds on the same 40 x 40 km and 1,000 zones, so the traffic density grows with the
    plans), ``us_per_plan``, ``scaling_same_density`` (not with ``--quick``: area and zones
    grow with the plans) and the counts of the headline run.
    """
    if args.peer_only:
        raise SideUnavailableError("deconflict-10k has no peer to run (--peer-only)")
    side = load_side("deconflict_side", "the deconfliction side")
    setting = DECONFLICT["quick" if args.quick else "full"]
    zones = args.zones or setting["zones"]
    repeat = args.repeat or setting["repeat"]
    sizes = sorted(set(setting["sizes"]) | {setting["plans"]})
    rows = []
    for n in sizes:
        # one timed run at 100k plans is enough (about a second each, seconds to generate)
        rows.append(side.run(n, zones, args.seed, repeat if n <= 10_000 else 1))
    # the same traffic and zone density on an area that grows with the plans: the cost of
    # the algorithm itself, without the quadratic growth of real conflicts at a fixed area
    head = next(r for r in rows if r["plans"] == setting["plans"])
    same_density = []
    if not args.quick:
        for n in sizes:
            if n == setting["plans"]:
                same_density.append(head)
                continue
            ratio = n / setting["plans"]
            same_density.append(
                side.run(
                    n, max(1, round(zones * ratio)), args.seed, repeat if n <= 10_000 else 1,
                    side=side.SIDE * math.sqrt(ratio),
                )
            )  # fmt: skip
    print(
        f"{head['plans']:,} plans ({head['volumes']:,} volumes) over 40 x 40 km and one day, "
        f"{zones:,} zones ({head['zone_volumes']:,} volumes); plan grid {head['cell']:.0f} m x "
        f"{head['tcell']:.0f} s, zone grid {head['zone_cell']:.0f} m; best of {repeat}, "
        "after warm-up, one thread"
    )
    print(side.table(rows))
    if same_density:
        print("the same, at the density of the 10k run (area and zones grow with the plans):")
        print(side.table(same_density))
    out = Outcome("deconflict-10k", "s", "none", None, testzone=head["seconds"])
    out.rows["testzone"] = {"seconds": head["seconds"]}
    out.extra = {
        "scaling": {str(r["plans"]): r["seconds"] for r in rows},
        "us_per_plan": {str(r["plans"]): r["us_per_plan"] for r in rows},
        **(
            {"scaling_same_density": {str(r["plans"]): r["seconds"] for r in same_density}}
            if same_density
            else {}
        ),
        "plans": head["plans"],
        "zones": zones,
        "volumes": head["volumes"],
        "pairs": head["pairs"],
        "zone_hits": head["zone_hits"],
    }
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
    ratio = (
        out.testzone / out.peer
        if out.testzone is not None and out.peer is not None and out.peer > 0
        else None
    )
    result = {
        "bench": out.bench,
        "unit": out.unit,
        "testzone": out.testzone,
        "peer": out.peer,
        "ratio": ratio,
        **out.extra,
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
