"""Air side of the conflict-detection benchmark: the same UAVs detected by BlueSky and testzone.

Units: metres, seconds, m/s; BlueSky's inputs are lat/lon (deg), track (deg from north,
clockwise), ground speed (m/s), altitude (m) and vertical speed (m/s).

Traffic is drawn in testzone's local ENU frame (x east, y north, z up) from a seeded
``numpy.random.Generator`` and converted to lat/lon with the equirectangular projection at the
origin, ``lat = lat0 + y / R``, ``lon = lon0 + x / (R cos lat0)``, ``R = 6,371,000 m`` (the
radius of BlueSky's ``kwikqdrdist``). BlueSky measures each pair on its own flat earth,
``dx = R dlon cos(mean lat of the pair)``, ``dy = R dlat``, so its east offsets differ from
ours by the factor ``cos(mean lat) / cos(lat0)``: at most ``tan(lat0) * (max |y|) / R``
(relative; 7.4e-4 at 30.9 deg N, 8 km from the origin) and about 1e-7 on the equator.
:func:`compare` checks that every pair on which the two disagree is one that this difference
explains (see there); on the equator the pair sets must be identical.

BlueSky's detection is ``bluesky.traffic.asas.statebased.StateBased.detect`` (numpy
matrices), called directly with a plain traffic object; BlueSky itself is not initialised.
"""

from __future__ import annotations

import contextlib
import io
import math
import time
from dataclasses import dataclass, field
from importlib import metadata
from types import SimpleNamespace
from typing import Any

import numpy as np

from sim.kernels.conflict import CONFLICT, LOS, conflict_buffers, detect
from sim.kernels.reference_conflict import statebased_matrices

R_KWIK = 6_371_000.0  # [m] earth radius of BlueSky's kwikqdrdist
LINGANG = (30.90, 121.93)  # [deg] origin of the test zone (Lingang, Shanghai)
DENSITY = 20.0  # [UAV per km^2] 1 UAV per 0.05 km^2
RPZ = 50.0  # [m] protected zone radius
HPZ = 15.0  # [m] protected zone half-height
DTLOOKAHEAD = 30.0  # [s]


def load_bluesky() -> SimpleNamespace:
    """Import BlueSky's state-based detection, MVP and geo helpers (its banner silenced).

    Raises:
        ImportError: ``bluesky-simulator`` (the ``bench`` extra) is not installed.
    """
    with contextlib.redirect_stdout(io.StringIO()):
        from bluesky.tools import geo
        from bluesky.tools.aero import nm
        from bluesky.traffic.asas.mvp import MVP
        from bluesky.traffic.asas.statebased import StateBased
    return SimpleNamespace(
        StateBased=StateBased,
        MVP=MVP,
        geo=geo,
        nm=nm,
        version=metadata.version("bluesky-simulator"),
    )


def make_traffic(
    n: int,
    seed: int,
    density: float = DENSITY,
    alt: tuple[float, float] = (30.0, 120.0),
    speed: tuple[float, float] = (5.0, 20.0),
    climbing: float = 0.3,
    max_vs: float = 3.0,
) -> dict[str, np.ndarray]:
    """``n`` UAVs uniformly on a square of ``n / density`` km^2 centred on the origin.

    Altitudes uniform in ``alt`` (m), ground speeds in ``speed`` (m/s) with uniform
    directions, a fraction ``climbing`` with vertical speed uniform in ``+-max_vs`` (m/s),
    the rest level. Returns ENU arrays ``x, y, z`` (m) and ``vx, vy, vz`` (m/s).
    """
    rng = np.random.default_rng(seed)
    half = 0.5 * math.sqrt(n / density) * 1000.0
    gs = rng.uniform(*speed, n)
    hdg = rng.uniform(-math.pi, math.pi, n)
    vz = np.where(rng.random(n) < climbing, rng.uniform(-max_vs, max_vs, n), 0.0)
    return {
        "x": rng.uniform(-half, half, n),
        "y": rng.uniform(-half, half, n),
        "z": rng.uniform(*alt, n),
        "vx": gs * np.cos(hdg),
        "vy": gs * np.sin(hdg),
        "vz": vz,
    }


def to_bluesky(t: dict[str, np.ndarray], origin: tuple[float, float] = LINGANG) -> Any:
    """BlueSky's view of the traffic: an object with ``lat, lon, trk, gs, alt, vs, id ...``."""
    lat0, lon0 = origin
    n = len(t["x"])
    trk = np.degrees(np.arctan2(t["vx"], t["vy"])) % 360.0
    gs = np.hypot(t["vx"], t["vy"])
    return SimpleNamespace(
        ntraf=n,
        id=[f"UAV{i}" for i in range(n)],
        lat=lat0 + np.degrees(t["y"] / R_KWIK),
        lon=lon0 + np.degrees(t["x"] / (R_KWIK * math.cos(math.radians(lat0)))),
        trk=trk,
        gs=gs,
        gseast=gs * np.sin(np.radians(trk)),  # as bluesky.traffic.Traffic derives them
        gsnorth=gs * np.cos(np.radians(trk)),
        alt=np.asarray(t["z"], dtype=float),
        vs=np.asarray(t["vz"], dtype=float),
    )


def bluesky_detect(bs: SimpleNamespace, own: Any, rpz: float, hpz: float, dt: float) -> tuple:
    """One call of BlueSky's ``StateBased.detect`` (ownship = intruder = all traffic).

    Returns its 9-tuple: confpairs, lospairs, inconf, tcpamax, qdr, dist, dcpa, tcpa, tinconf.
    """
    n = own.ntraf
    args = (own, own, np.full(n, rpz), np.full(n, hpz), np.full(n, dt))
    # ``detect`` does not use ``self``; calling it on the class avoids initialising BlueSky.
    return bs.StateBased.detect(None, *args)


def bluesky_geometry(bs: SimpleNamespace, own: Any) -> dict[str, np.ndarray]:
    """The relative-state matrices exactly as ``StateBased.detect`` builds them (m, m/s)."""
    qdr, dist = bs.geo.kwikqdrdist_matrix(
        np.asmatrix(own.lat), np.asmatrix(own.lon), np.asmatrix(own.lat), np.asmatrix(own.lon)
    )
    qdr = np.asarray(qdr)
    dist = np.asarray(dist) * bs.nm
    qdrrad = np.radians(qdr)
    u = own.gs * np.sin(np.radians(own.trk))
    v = own.gs * np.cos(np.radians(own.trk))
    return {
        "dx": dist * np.sin(qdrrad),
        "dy": dist * np.cos(qdrrad),
        "dist": dist,
        "du": u[None, :] - u[:, None],
        "dv": v[None, :] - v[:, None],
        "dz": own.alt[None, :] - own.alt[:, None],
        "dw": own.vs[None, :] - own.vs[:, None],
    }


def testzone_detect(t: dict[str, np.ndarray], rpz: float, hpz: float, dt: float) -> dict:
    """testzone's :func:`~sim.kernels.conflict.detect` on all UAVs; records as arrays."""
    idx = np.arange(len(t["x"]), dtype=np.int64)
    buf = conflict_buffers(4 * len(idx))
    args = (idx, t["x"], t["y"], t["z"], t["vx"], t["vy"], t["vz"], rpz, hpz, dt)
    n = detect(*args, *buf)
    if n > len(buf[0]):
        buf = conflict_buffers(n)
        n = detect(*args, *buf)
    names = ("own", "intruder", "tcpa", "dcpa", "tin", "tout", "flags")
    return {k: b[:n].copy() for k, b in zip(names, buf, strict=True)}


@dataclass
class Comparison:
    """How testzone's records agree with BlueSky's on one traffic set."""

    conflicts_bluesky: int = 0
    conflicts_testzone: int = 0
    los_bluesky: int = 0
    los_testzone: int = 0
    only_bluesky: list[tuple[int, int]] = field(default_factory=list)
    only_testzone: list[tuple[int, int]] = field(default_factory=list)
    unexplained: list[tuple[int, int]] = field(default_factory=list)
    worst_tcpa: float = 0.0  # [-] largest |dtcpa| / allowed over common records
    worst_dcpa: float = 0.0  # [-] largest |ddcpa| / allowed
    max_offset: float = 0.0  # [-] largest |geometry offset| / dist (BlueSky vs ours)

    @property
    def mismatches(self) -> int:
        """Directed records present on one side only (conflicts and LoS)."""
        return len(self.only_bluesky) + len(self.only_testzone)

    @property
    def ok(self) -> bool:
        """Every mismatch explained and every common value within its bound."""
        bound = 1.0 + 1e-6
        return not self.unexplained and self.worst_tcpa <= bound and self.worst_dcpa <= bound


def compare(
    bs: SimpleNamespace,
    t: dict[str, np.ndarray],
    own: Any,
    result: tuple,
    ours: dict,
    rpz: float,
    hpz: float,
    dt: float,
) -> Comparison:
    """Compare BlueSky's detection ``result`` with testzone's records ``ours``.

    A record on one side only is *explained* when BlueSky's decision is what the state-based
    test gives on BlueSky's own flat-earth offsets of that pair (:func:`bluesky_geometry`,
    through :func:`~sim.kernels.reference_conflict.statebased_matrices`) and testzone's is what
    it gives on the ENU offsets: the pair sits so close to a threshold that the projection
    difference (``max_offset``) flips it. Common conflict records must agree within
    ``|dtcpa| <= |dp| / |w| + 1e-9 (1 + |tcpa|)`` and ``|ddcpa| <= |dp| + 1e-7 dist + 1e-9``,
    ``dp`` the difference of the two relative positions (m), ``w`` the relative velocity (m/s):
    tcpa and dcpa move at most that much when the relative position moves by ``dp``
    (plus BlueSky's cancellation in ``dist^2 - tcpa^2 |w|^2``).
    """
    key = {name: k for k, name in enumerate(own.id)}
    confpairs, lospairs = result[0], result[1]
    bs_conf = [(key[a], key[b]) for a, b in confpairs]
    bs_los = {(key[a], key[b]) for a, b in lospairs}
    flags = ours["flags"].astype(np.int64)
    pairs = list(zip(ours["own"].tolist(), ours["intruder"].tolist(), strict=True))
    tz_conf = [p for p, f in zip(pairs, flags, strict=True) if f & CONFLICT]
    tz_los = {p for p, f in zip(pairs, flags, strict=True) if f & LOS}
    out = Comparison(len(bs_conf), len(tz_conf), len(bs_los), len(tz_los))
    set_bs, set_tz = set(bs_conf), set(tz_conf)
    only_bs = (set_bs - set_tz) | (bs_los - tz_los)
    only_tz = (set_tz - set_bs) | (tz_los - bs_los)
    out.only_bluesky = sorted(only_bs)
    out.only_testzone = sorted(only_tz)
    for i, j in sorted(only_bs | only_tz):
        if not _explained(bs, t, own, i, j, rpz, hpz, dt, (i, j) in set_bs, (i, j) in bs_los):
            out.unexplained.append((i, j))
    # values of the common conflict records
    bs_val = {p: (result[7][k], result[6][k]) for k, p in enumerate(bs_conf)}
    for k, p in enumerate(pairs):
        if not flags[k] & CONFLICT or p not in bs_val:
            continue
        tcpa_bs, dcpa_bs = bs_val[p]
        dp, w, dist = _offset(bs, t, own, *p)
        out.max_offset = max(out.max_offset, dp / max(dist, 1e-9))
        tol_t = dp / max(w, 1e-3) + 1e-9 * (1.0 + abs(tcpa_bs))
        tol_d = dp + 1e-7 * dist + 1e-9
        out.worst_tcpa = max(out.worst_tcpa, abs(ours["tcpa"][k] - tcpa_bs) / tol_t)
        out.worst_dcpa = max(out.worst_dcpa, abs(ours["dcpa"][k] - dcpa_bs) / tol_d)
    return out


def _pair_geometry(bs: SimpleNamespace, own: Any, i: int, j: int) -> dict[str, np.ndarray]:
    """BlueSky's 2 x 2 relative-state matrices of agents ``i`` and ``j``."""
    sub = SimpleNamespace(
        lat=own.lat[[i, j]],
        lon=own.lon[[i, j]],
        trk=own.trk[[i, j]],
        gs=own.gs[[i, j]],
        alt=own.alt[[i, j]],
        vs=own.vs[[i, j]],
    )
    return bluesky_geometry(bs, sub)


def _explained(
    bs: SimpleNamespace,
    t: dict[str, np.ndarray],
    own: Any,
    i: int,
    j: int,
    rpz: float,
    hpz: float,
    dt: float,
    bs_conf: bool,
    bs_los: bool,
) -> bool:
    """True when the two geometries, run through one state-based test, give the two answers."""
    g = _pair_geometry(bs, own, i, j)
    on_bs = statebased_matrices(
        g["dx"], g["dy"], g["dz"], g["du"], g["dv"], g["dw"], rpz, hpz, dt, dist=g["dist"]
    )
    rel = {k: np.array([[0.0, t[k][j] - t[k][i]], [t[k][i] - t[k][j], 0.0]]) for k in t}
    on_tz = statebased_matrices(
        rel["x"], rel["y"], rel["z"], rel["vx"], rel["vy"], rel["vz"], rpz, hpz, dt
    )
    same_as_bs = bool(on_bs["conf"][0, 1]) == bs_conf and bool(on_bs["los"][0, 1]) == bs_los
    differs = (on_bs["conf"][0, 1], on_bs["los"][0, 1]) != (on_tz["conf"][0, 1], on_tz["los"][0, 1])
    return same_as_bs and differs


def _offset(
    bs: SimpleNamespace, t: dict[str, np.ndarray], own: Any, i: int, j: int
) -> tuple[float, float, float]:
    """|BlueSky's relative position - ours| (m), |relative velocity| (m/s) and distance (m)."""
    g = _pair_geometry(bs, own, i, j)
    ex = t["x"][j] - t["x"][i]
    ey = t["y"][j] - t["y"][i]
    dp = math.hypot(g["dx"][0, 1] - ex, g["dy"][0, 1] - ey)
    w = math.hypot(t["vx"][j] - t["vx"][i], t["vy"][j] - t["vy"][i])
    return dp, w, math.hypot(ex, ey)


def time_bluesky(
    bs: SimpleNamespace, own: Any, rpz: float, hpz: float, dt: float, repeat: int
) -> tuple[float, tuple]:
    """Median seconds per BlueSky detection step over ``repeat`` calls, and its last result."""
    times = []
    result: tuple = ()
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = bluesky_detect(bs, own, rpz, hpz, dt)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), result


def time_testzone(
    t: dict[str, np.ndarray], rpz: float, hpz: float, dt: float, min_seconds: float = 2.0
) -> tuple[float, int]:
    """Median seconds per testzone detection over at least ``min_seconds`` (after compiling).

    Returns the time and the number of calls timed.
    """
    idx = np.arange(len(t["x"]), dtype=np.int64)
    buf = conflict_buffers(4 * len(idx))
    args = (idx, t["x"], t["y"], t["z"], t["vx"], t["vy"], t["vz"], rpz, hpz, dt)
    n = detect(*args, *buf)  # compiles (or loads the cache)
    if n > len(buf[0]):
        buf = conflict_buffers(n)
    times = []
    start = time.perf_counter()
    while time.perf_counter() - start < min_seconds or len(times) < 5:
        t0 = time.perf_counter()
        detect(*args, *buf)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), len(times)
