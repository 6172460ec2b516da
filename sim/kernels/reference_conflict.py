"""Plain-numpy twins of :mod:`sim.kernels.conflict`, used as test oracles.

Detection is written the way BlueSky's ``bluesky/traffic/asas/statebased.py`` (bluesky-simulator
1.1.1) writes it: ``n x n`` matrices of the intruder ``j`` relative to the ownship ``i``
(``[i, j]``), every pair evaluated, no broadphase and no early exit. The resolution twin loops
over the conflict records with 3-vectors, as BlueSky's ``mvp.py`` does. Memory and time grow
as ``n^2``: never call them in a run.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

F64 = npt.NDArray[np.float64]
CONFLICT = 1
LOS = 2


def statebased_matrices(
    dx: F64,
    dy: F64,
    dz: F64,
    du: F64,
    dv: F64,
    dw: F64,
    rpz: float,
    hpz: float,
    dtlookahead: float,
    dist: F64 | None = None,
) -> dict[str, npt.NDArray]:
    """State-based detection on relative-state matrices (``[i, j]``: ``j`` relative to ``i``).

    Args: relative position (m) and velocity (m/s) matrices in the local ENU frame, the
    protected zone radius and half-height (m) and the look-ahead time (s); ``dist`` (m) the
    horizontal distance if it is known separately (BlueSky's ``kwikdist``), else
    ``hypot(dx, dy)``. The diagonal is never a pair.

    Returns the matrices ``conf``, ``los`` (bool), ``tcpa`` (s), ``dcpa`` (m), ``tin``,
    ``tout`` (s), with BlueSky's formulas and guards (see :mod:`sim.kernels.conflict`).
    """
    n = dx.shape[0]
    off = ~np.eye(n, dtype=bool)
    if dist is None:
        dist = np.sqrt(dx * dx + dy * dy)
    dv2 = du * du + dv * dv
    dv2 = np.where(np.abs(dv2) < 1e-6, 1e-6, dv2)
    vrel = np.sqrt(dv2)
    tcpa = -(du * dx + dv * dy) / dv2
    dcpa2 = np.abs(dist * dist - tcpa * tcpa * dv2)
    r2 = rpz * rpz
    swhorconf = dcpa2 < r2
    dtinhor = np.sqrt(np.maximum(0.0, r2 - dcpa2)) / vrel
    tinhor = np.where(swhorconf, tcpa - dtinhor, 1e8)
    touthor = np.where(swhorconf, tcpa + dtinhor, -1e8)
    dvs = np.where(np.abs(dw) < 1e-6, 1e-6, dw)
    tcrosshi = (dz + hpz) / -dvs
    tcrosslo = (dz - hpz) / -dvs
    tinver = np.minimum(tcrosshi, tcrosslo)
    toutver = np.maximum(tcrosshi, tcrosslo)
    tin = np.maximum(tinver, tinhor)
    tout = np.minimum(toutver, touthor)
    conf = swhorconf & (tin <= tout) & (tout > 0.0) & (tin < dtlookahead) & off
    los = (dist < rpz) & (np.abs(dz) < hpz) & off
    return {
        "conf": conf,
        "los": los,
        "tcpa": tcpa,
        "dcpa": np.sqrt(dcpa2),
        "tin": tin,
        "tout": tout,
    }


def _rel(a: F64) -> F64:
    """``[i, j] = a[j] - a[i]``."""
    return a[None, :] - a[:, None]


def detect_ref(
    idx,
    x,
    y,
    z,
    vx,
    vy,
    vz,
    rpz,
    hpz,
    dtlookahead,
    own,
    intruder,
    tcpa,
    dcpa,
    tin,
    tout,
    flags,
) -> int:
    """Twin of :func:`sim.kernels.conflict.detect` (all pairs, matrices)."""
    idx = np.asarray(idx, dtype=np.int64)
    if len(idx) < 2:
        return 0
    m = statebased_matrices(
        _rel(x[idx]),
        _rel(y[idx]),
        _rel(z[idx]),
        _rel(vx[idx]),
        _rel(vy[idx]),
        _rel(vz[idx]),
        rpz,
        hpz,
        dtlookahead,
    )
    ii, jj = np.nonzero(m["conf"] | m["los"])
    a, b = idx[ii], idx[jj]
    order = np.lexsort((b, a))
    ii, jj, a, b = ii[order], jj[order], a[order], b[order]
    n = len(a)
    if n > len(own):
        return n
    own[:n] = a
    intruder[:n] = b
    tcpa[:n] = m["tcpa"][ii, jj]
    dcpa[:n] = m["dcpa"][ii, jj]
    tin[:n] = m["tin"][ii, jj]
    tout[:n] = m["tout"][ii, jj]
    flags[:n] = m["conf"][ii, jj] * CONFLICT + m["los"][ii, jj] * LOS
    return n


def mvp_ref(
    n,
    own,
    intruder,
    flags,
    tcpa,
    tin,
    idx,
    x,
    y,
    z,
    vx,
    vy,
    vz,
    rpz,
    hpz,
    dtlookahead,
    resofach,
    resofacv,
    vertical,
    vmin,
    vmax,
    vsmin,
    vsmax,
    new_vx,
    new_vy,
    new_vz,
    resolved,
) -> int:
    """Twin of :func:`sim.kernels.conflict.mvp` (BlueSky ``MVP.resolve`` / ``MVP.MVP``)."""
    dv = np.zeros((len(x), 3))
    hit = np.zeros(len(x), dtype=bool)
    rpz_m = rpz * resofach
    hpz_m = hpz * resofacv
    for r in range(n):
        if not flags[r] & CONFLICT:
            continue
        i, j = int(own[r]), int(intruder[r])
        drel = np.array([x[j] - x[i], y[j] - y[i], z[j] - z[i]])
        vrel = np.array([vx[j] - vx[i], vy[j] - vy[i], vz[j] - vz[i]])
        dist = float(np.hypot(drel[0], drel[1]))
        t = float(tcpa[r])
        dcpa = drel + vrel * t
        dabs_h = float(np.sqrt(dcpa[0] * dcpa[0] + dcpa[1] * dcpa[1]))
        i_h = rpz_m - dabs_h
        if dabs_h <= 10.0:
            dabs_h = 10.0
            if dist > 0.0:
                dcpa[0] = drel[1] / dist * dabs_h
                dcpa[1] = -drel[0] / dist * dabs_h
            else:  # same position: BlueSky divides by zero here
                dcpa[0] = (1.0 if i < j else -1.0) * dabs_h
                dcpa[1] = 0.0
        at = max(abs(t), 1e-6)
        if rpz_m < dist and dabs_h < dist:
            erratum = np.cos(np.arcsin(rpz_m / dist) - np.arcsin(dabs_h / dist))
            dv_h = ((rpz_m / erratum - dabs_h) * dcpa[:2]) / (at * dabs_h)
        else:
            dv_h = (i_h * dcpa[:2]) / (at * dabs_h)
        if abs(vrel[2]) > 0.0:
            i_v, t_sol = hpz_m, abs(drel[2] / vrel[2])
        else:
            i_v, t_sol = hpz_m - abs(drel[2]), float(tin[r])
        if t_sol > dtlookahead:
            t_sol, i_v = float(tin[r]), hpz_m
        if abs(t_sol) < 1e-6:
            t_sol = 1e-6 if t_sol >= 0.0 else -1e-6
        if vrel[2] != 0.0:
            sign = -np.sign(vrel[2])
        elif vertical == 2:  # level pair: away from the intruder, split by index at equal z
            sign = np.sign(drel[2]) if drel[2] != 0.0 else (1.0 if i < j else -1.0)
        else:
            sign = 1.0
        dv3 = (i_v / t_sol) * sign
        dv[i] -= np.array([dv_h[0], dv_h[1], 0.5 * dv3])
        hit[i] = True
    idx = np.asarray(idx, dtype=np.int64)
    e = vx[idx] + dv[idx, 0]
    nn = vy[idx] + dv[idx, 1]
    gs = np.hypot(e, nn)
    trk = np.arctan2(e, nn)  # BlueSky's track: from north, clockwise (rad here)
    gs_c = np.clip(gs, vmin[idx], vmax[idx])
    new_vx[idx] = gs_c * np.sin(trk)
    new_vy[idx] = gs_c * np.cos(trk)
    w = vz[idx] + dv[idx, 2] if vertical >= 1 else vz[idx]
    new_vz[idx] = np.clip(w, vsmin[idx], vsmax[idx])
    who = np.nonzero(hit)[0]
    resolved[: len(who)] = who
    return len(who)
