"""Conflict detection and resolution between UAVs: state-based CPA, grid broadphase, MVP.

Detection is the state-based (closest point of approach) method of BlueSky's
``bluesky/traffic/asas/statebased.py`` (bluesky-simulator 1.1.1; Hoekstra & Ellerbroek 2016,
"BlueSky ATC simulator project", ICRAT), reproduced in the local ENU frame, decision for
decision. For ownship ``i`` and intruder ``j`` (relative position ``d = p_j - p_i`` m,
relative velocity ``w = v_j - v_i`` m/s, horizontal parts ``dx, dy`` and ``du, dv``):

- ``dv2 = du^2 + dv^2`` floored at ``1e-6`` (m/s)^2 (zero relative velocity);
  ``tcpa = -(du dx + dv dy) / dv2`` (s); ``dcpa^2 = |dist^2 - tcpa^2 dv2|`` (m^2);
- horizontal conflict when ``dcpa < rpz``; then ``[tin_h, tout_h] = tcpa -/+
  sqrt(rpz^2 - dcpa^2) / sqrt(dv2)``, else ``[1e8, -1e8]``;
- vertical: ``dvs = vz_j - vz_i``, replaced by ``+1e-6`` m/s when ``|dvs| < 1e-6`` (BlueSky
  does this without keeping the sign); the times of crossing ``dz = +hpz`` and ``dz = -hpz``,
  ``(dz + hpz) / -dvs`` and ``(dz - hpz) / -dvs``, give ``[tin_v, tout_v]``;
- ``tin = max(tin_h, tin_v)``, ``tout = min(tout_h, tout_v)``; a conflict when the horizontal
  test holds and ``tin <= tout`` and ``tout > 0`` and ``tin < dtlookahead``;
- loss of separation (LoS) when ``dist < rpz`` and ``|dz| < hpz`` now.

Like BlueSky, a pair gives one record per aircraft, ``(i, j)`` and ``(j, i)``: they agree
except for the floored vertical speed above, whose sign is not flipped, so for ``|dvs| <
1e-6`` and ``hpz < |dz| < hpz + 1e-6 dtlookahead`` only one side sees a conflict.
Records are written sorted by (ownship, intruder), with ``flags`` = ``CONFLICT | LOS`` bits.
Same-position pairs give ``dist = 0``, ``tcpa = 0``, ``dcpa = 0`` (as BlueSky's ``kwikqdr``
of equal points).

Broadphase: a pair can only be flagged when ``dist < rpz + max(|w_h|, 1e-3) dtlookahead``
(the entry time ``tin_h = (sqrt(dist^2 - dcpa^2) - sqrt(rpz^2 - dcpa^2)) / |w_h|`` is at least
``(dist - rpz) / |w_h|``; a pair already inside has ``dist < rpz``), and ``|w_h| <= 2 max|v_h|``.
Agents are sorted by the cell of a uniform grid of that size (counting ``2 max|v_h|``), and
each visits the half stencil (its own cell after itself, the cell above, the three cells of the
next column), so each pair within reach is tested once; the cost is ``O(n log n)`` for the
sort plus ``O(n * agents per 4.5 cells)``. The narrow phase is the exact pairwise test, so
the result equals the all-pairs answer (:func:`detect_all_pairs`).

Resolution: Modified Voltage Potential (Hoekstra, van Gent & Ruigrok 2002, "Designing for
safety: the free flight air traffic management concept", Reliab. Eng. Syst. Saf. 75), as
BlueSky's ``bluesky/traffic/asas/mvp.py`` with its defaults (no priority rules, horizontal
speed-and-heading resolution, ``resofach = resofacv = 1.01``): see :func:`mvp`. Resolution
``"none"`` means the engine does not call :func:`mvp` and keeps the commanded velocities.

Buffers: :func:`detect` writes up to ``len(own)`` records and returns the number needed; when
that is larger than the buffers their contents are unspecified: grow them (e.g. with
:func:`conflict_buffers`) to at least the returned count and call again.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

CONFLICT = 1
"""Flag bit: the pair is in conflict within the look-ahead time."""
LOS = 2
"""Flag bit: the pair has lost separation now (inside both ``rpz`` and ``hpz``)."""
DV2_MIN = 1.0e-6
"""Floor of the squared horizontal relative speed (m/s)^2, as BlueSky."""
DVS_MIN = 1.0e-6
"""Relative vertical speeds below this (m/s) are replaced by ``+DVS_MIN``, as BlueSky."""
T_NONE = 1.0e8
"""Horizontal entry time (s) written when there is no horizontal conflict (``-T_NONE`` exit)."""
HEADON_DCPA = 10.0
"""MVP: a miss distance (m) at or below this is treated as head-on (BlueSky's constant)."""
T_MIN = 1.0e-6
"""MVP: floor (s) of ``|tcpa|`` and of the vertical solve time, where BlueSky divides by 0."""


def conflict_buffers(capacity: int):
    """Output buffers for :func:`detect` with room for ``capacity`` records.

    Returns ``(own, intruder, tcpa, dcpa, tin, tout, flags)``: int64, int64, four float64
    (s, m, s, s) and uint8.
    """
    cap = max(1, int(capacity))
    return (
        np.empty(cap, dtype=np.int64),
        np.empty(cap, dtype=np.int64),
        np.empty(cap, dtype=np.float64),
        np.empty(cap, dtype=np.float64),
        np.empty(cap, dtype=np.float64),
        np.empty(cap, dtype=np.float64),
        np.empty(cap, dtype=np.uint8),
    )


@njit(cache=True, inline="always")
def vertical_window(dz, dw, hpz):
    """Times (s) of entering and leaving the vertical band ``|dz + dw t| < hpz``.

    ``dz`` (m) and ``dw`` (m/s) are the intruder's altitude and vertical speed relative to the
    ownship. ``|dw| < 1e-6`` is replaced by ``+1e-6`` (BlueSky's guard, sign not kept).
    """
    dvs = dw
    if abs(dvs) < DVS_MIN:
        dvs = DVS_MIN
    tcrosshi = (dz + hpz) / -dvs
    tcrosslo = (dz - hpz) / -dvs
    return min(tcrosshi, tcrosslo), max(tcrosshi, tcrosslo)


@njit(cache=True, inline="always")
def _horizontal(dx, dy, du, dv, rpz) -> tuple:
    """Horizontal part of a record: ``(hor, los_h, tcpa, dcpa^2, tin_h, tout_h)``.

    ``hor``: the CPA is inside ``rpz``; ``los_h``: the pair is inside ``rpz`` now. The same
    for both records of a pair (negating every input gives the same bits).
    """
    dist = math.sqrt(dx * dx + dy * dy)
    dv2 = du * du + dv * dv
    if abs(dv2) < DV2_MIN:
        dv2 = DV2_MIN
    tcpa = -(du * dx + dv * dy) / dv2
    dcpa2 = abs(dist * dist - tcpa * tcpa * dv2)
    r2 = rpz * rpz
    hor = dcpa2 < r2
    tinhor = T_NONE
    touthor = -T_NONE
    if hor:
        dtinhor = math.sqrt(max(0.0, r2 - dcpa2)) / math.sqrt(dv2)
        tinhor = tcpa - dtinhor
        touthor = tcpa + dtinhor
    return hor, dist < rpz, tcpa, dcpa2, tinhor, touthor


@njit(cache=True, inline="always")
def _combine(hor, los_h, tinhor, touthor, dz, dw, hpz, dtlookahead) -> tuple:
    """Flags and combined interval ``(flags, tin, tout)`` of one record."""
    tinver, toutver = vertical_window(dz, dw, hpz)
    tin = max(tinver, tinhor)
    tout = min(toutver, touthor)
    flags = 0
    if hor and tin <= tout and tout > 0.0 and tin < dtlookahead:
        flags |= CONFLICT
    if los_h and abs(dz) < hpz:
        flags |= LOS
    return flags, tin, tout


@njit(cache=True)
def pair_record(dx, dy, dz, du, dv, dw, rpz, hpz, dtlookahead):
    """State-based test of one ownship-intruder record (BlueSky ``StateBased.detect``).

    Args: the intruder's position (m) and velocity (m/s) relative to the ownship in the local
    ENU frame, the protected zone radius ``rpz`` (m) and half-height ``hpz`` (m) and the
    look-ahead time ``dtlookahead`` (s).

    Returns ``(flags, tcpa, dcpa, tin, tout)``: ``CONFLICT | LOS`` bits (0: nothing to
    report), time to CPA (s), horizontal miss distance (m) and the combined intrusion interval
    (s), all evaluated as BlueSky does.
    """
    hor, los_h, tcpa, dcpa2, tinhor, touthor = _horizontal(dx, dy, du, dv, rpz)
    flags, tin, tout = _combine(hor, los_h, tinhor, touthor, dz, dw, hpz, dtlookahead)
    return flags, tcpa, math.sqrt(dcpa2), tin, tout


@njit(cache=True, inline="always")
def pair_records(dx, dy, dz, du, dv, dw, rpz, hpz, dtlookahead):
    """Both records of a pair, ``(a, b)`` as in :func:`pair_record` and ``(b, a)``.

    Arguments as for :func:`pair_record` (``b`` relative to ``a``). Returns
    ``(flags_ab, flags_ba, tcpa, dcpa, tin_ab, tout_ab, tin_ba, tout_ba)``; ``tcpa`` and
    ``dcpa`` are the same for both sides; the rest is only meaningful where a flag is set.
    A pair out of reach is rejected first by two necessary conditions (with slack against
    rounding), proved in the module docstring: ``|dz| < hpz + max(|dw|, DVS_MIN)
    dtlookahead`` and ``dist < rpz + max(|w_h|, 1e-3) dtlookahead``; then by the horizontal
    test (neither a CPA inside ``rpz`` nor a horizontal LoS), before the vertical divisions.
    """
    vreach = hpz + max(abs(dw), DVS_MIN) * dtlookahead
    if abs(dz) > vreach * (1.0 + 1e-9) + 1e-9:
        return 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    hreach = rpz + math.sqrt(max(du * du + dv * dv, DV2_MIN)) * dtlookahead
    if dx * dx + dy * dy > hreach * hreach * (1.0 + 1e-9) + 1e-9:
        return 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    hor, los_h, tcpa, dcpa2, tinhor, touthor = _horizontal(dx, dy, du, dv, rpz)
    if not hor and not los_h:
        return 0, 0, 0.0, 0.0, 0.0, 0.0, 0.0, 0.0
    fab, tin_ab, tout_ab = _combine(hor, los_h, tinhor, touthor, dz, dw, hpz, dtlookahead)
    if abs(dw) >= DVS_MIN:
        # the other side is bit-identical (negations are exact in IEEE arithmetic)
        fba, tin_ba, tout_ba = fab, tin_ab, tout_ab
    else:
        fba, tin_ba, tout_ba = _combine(hor, los_h, tinhor, touthor, -dz, -dw, hpz, dtlookahead)
    return fab, fba, tcpa, math.sqrt(dcpa2), tin_ab, tout_ab, tin_ba, tout_ba


@njit(cache=True)
def _emit(n, a, b, r, own, intruder, tcpa, dcpa, tin, tout, flags) -> int:
    """Write the records ``r`` (:func:`pair_records`) of ``(a, b)`` at ``n``; the new count.

    Records past the end of the buffers are counted, not written.
    """
    cap = len(own)
    if r[0] != 0:
        if n < cap:
            own[n] = a
            intruder[n] = b
            flags[n] = r[0]
            tcpa[n] = r[2]
            dcpa[n] = r[3]
            tin[n] = r[4]
            tout[n] = r[5]
        n += 1
    if r[1] != 0:
        if n < cap:
            own[n] = b
            intruder[n] = a
            flags[n] = r[1]
            tcpa[n] = r[2]
            dcpa[n] = r[3]
            tin[n] = r[6]
            tout[n] = r[7]
        n += 1
    return n


@njit(cache=True)
def _sort_records(n, n_agents, own, intruder, tcpa, dcpa, tin, tout, flags) -> None:
    """Sort the first ``n`` records by (ownship, intruder) in place."""
    if n < 2:
        return
    keys = own[:n] * n_agents + intruder[:n]
    order = np.argsort(keys)
    own[:n] = own[:n][order]
    intruder[:n] = intruder[:n][order]
    tcpa[:n] = tcpa[:n][order]
    dcpa[:n] = dcpa[:n][order]
    tin[:n] = tin[:n][order]
    tout[:n] = tout[:n][order]
    flags[:n] = flags[:n][order]


@njit(cache=True)
def detect(
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
):
    """Conflicts and losses of separation among the agents ``idx`` (grid broadphase).

    Inputs: ``idx`` the agent indices taking part (e.g. the flying UAVs); ``x, y, z``
    positions (m, local ENU, ``z`` up) and ``vx, vy, vz`` velocities (m/s) of all agents;
    ``rpz`` the protected zone radius (m), ``hpz`` its half-height (m), ``dtlookahead`` the
    look-ahead time (s, >= 0).

    Outputs, one record per ownship and intruder (both orders of a pair, as BlueSky):
    ``own``, ``intruder`` agent indices (int64); ``tcpa`` time to the closest point of approach
    (s); ``dcpa`` horizontal distance at that point (m); ``tin``, ``tout`` start and end of the
    predicted intrusion (s; ``tin < 0`` once it has begun); ``flags`` (uint8) the
    ``CONFLICT`` and ``LOS`` bits.

    Returns the number of records, sorted by (own, intruder). If it exceeds ``len(own)`` the
    buffers were too small and hold no valid result: grow them and call again.
    """
    m = len(idx)
    if m < 2:
        return 0
    xmin = x[idx[0]]
    xmax = xmin
    ymin = y[idx[0]]
    ymax = ymin
    vmax2 = 0.0
    for k in range(m):
        i = idx[k]
        xmin = min(xmin, x[i])
        xmax = max(xmax, x[i])
        ymin = min(ymin, y[i])
        ymax = max(ymax, y[i])
        vmax2 = max(vmax2, vx[i] * vx[i] + vy[i] * vy[i])
    reach = rpz + max(2.0 * math.sqrt(vmax2), math.sqrt(DV2_MIN)) * dtlookahead
    # a slightly larger cell keeps the bound safe against rounding; a cell of at least
    # 1e-6 of the extent keeps the cell numbers (and their products) far inside int64.
    cell = max(reach * (1.0 + 1e-9) + 1e-9, max(xmax - xmin, ymax - ymin) * 1e-6)
    ncy = int((ymax - ymin) / cell) + 1
    cx = np.empty(m, dtype=np.int64)
    cy = np.empty(m, dtype=np.int64)
    keys = np.empty(m, dtype=np.int64)
    for k in range(m):
        i = idx[k]
        cx[k] = int((x[i] - xmin) / cell)
        cy[k] = int((y[i] - ymin) / cell)
        keys[k] = cx[k] * ncy + cy[k]
    order = np.argsort(keys)
    # gather in cell order so that the pair loop reads memory nearly sequentially
    sk = np.empty(m, dtype=np.int64)
    sid = np.empty(m, dtype=np.int64)
    sx = np.empty(m)
    sy = np.empty(m)
    sz = np.empty(m)
    su = np.empty(m)
    sv = np.empty(m)
    sw = np.empty(m)
    for p in range(m):
        k = order[p]
        i = idx[k]
        sk[p] = keys[k]
        sid[p] = i
        sx[p] = x[i]
        sy[p] = y[i]
        sz[p] = z[i]
        su[p] = vx[i]
        sv[p] = vy[i]
        sw[p] = vz[i]
    n = 0
    for p in range(m):
        k = order[p]
        ccx = cx[k]
        ccy = cy[k]
        ylo = max(ccy - 1, 0)
        yhi = min(ccy + 1, ncy - 1)
        # own column: the rest of this cell and the cell above
        hi1 = np.searchsorted(sk, ccx * ncy + yhi, side="right")
        # next column: the three neighbouring cells
        lo2 = np.searchsorted(sk, (ccx + 1) * ncy + ylo, side="left")
        hi2 = np.searchsorted(sk, (ccx + 1) * ncy + yhi, side="right")
        for q in range(p + 1, hi1):
            r = pair_records(
                sx[q] - sx[p], sy[q] - sy[p], sz[q] - sz[p],
                su[q] - su[p], sv[q] - sv[p], sw[q] - sw[p], rpz, hpz, dtlookahead,
            )  # fmt: skip
            if r[0] != 0 or r[1] != 0:
                n = _emit(n, sid[p], sid[q], r, own, intruder, tcpa, dcpa, tin, tout, flags)
        for q in range(lo2, hi2):
            r = pair_records(
                sx[q] - sx[p], sy[q] - sy[p], sz[q] - sz[p],
                su[q] - su[p], sv[q] - sv[p], sw[q] - sw[p], rpz, hpz, dtlookahead,
            )  # fmt: skip
            if r[0] != 0 or r[1] != 0:
                n = _emit(n, sid[p], sid[q], r, own, intruder, tcpa, dcpa, tin, tout, flags)
    if n <= len(own):
        _sort_records(n, len(x), own, intruder, tcpa, dcpa, tin, tout, flags)
    return n


@njit(cache=True)
def detect_all_pairs(
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
):
    """:func:`detect` without the broadphase: every pair of ``idx`` is tested (O(n^2)).

    Same arguments, outputs and return value; kept as the check of the grid and for tiny
    fleets.
    """
    m = len(idx)
    n = 0
    for p in range(m):
        a = idx[p]
        for q in range(p + 1, m):
            b = idx[q]
            r = pair_records(
                x[b] - x[a], y[b] - y[a], z[b] - z[a],
                vx[b] - vx[a], vy[b] - vy[a], vz[b] - vz[a], rpz, hpz, dtlookahead,
            )  # fmt: skip
            if r[0] != 0 or r[1] != 0:
                n = _emit(n, a, b, r, own, intruder, tcpa, dcpa, tin, tout, flags)
    if n <= len(own):
        _sort_records(n, len(x), own, intruder, tcpa, dcpa, tin, tout, flags)
    return n


@njit(cache=True)
def mvp_pair(dx, dy, dz, du, dv, dw, tcpa, tlos, rpz_m, hpz_m, dtlook, side, level):
    """MVP avoidance vector (m/s) of one conflict record (BlueSky ``MVP.MVP``).

    Args: the intruder's position (m) and velocity (m/s) relative to the ownship, the
    record's ``tcpa`` and ``tlos`` (= ``tin``) (s), the resolution zone ``rpz_m``, ``hpz_m``
    (m, already multiplied by the resolution factors) and the look-ahead ``dtlook`` (s).
    ``side`` (+1 or -1, opposite for the two records of a pair) picks the direction where
    BlueSky divides by a zero distance (same position; BlueSky returns NaN there).

    Returns ``(dv1, dv2, dv3)``, which the ownship *subtracts* from its velocity (the vertical
    part is halved by the caller, as BlueSky does for cooperative resolution):

    - horizontal: ``dcpa`` = relative position at CPA, ``iH = rpz_m - |dcpa|``; for a
      head-on case (``|dcpa| <= 10 m``) ``dcpa`` is set to 10 m perpendicular to the line
      of sight; ``dv_h = iH dcpa / (|tcpa| |dcpa|)``, with the intrusion replaced by
      ``rpz_m / cos(asin(rpz_m/dist) - asin(|dcpa|/dist)) - |dcpa|`` when the intruder is
      outside the zone (so the new path does not graze it);
    - vertical: ``iV = hpz_m`` (or ``hpz_m - |dz|`` with no relative vertical speed) solved in
      ``|dz / dw|`` (or ``tlos``; ``tlos`` and ``iV = hpz_m`` when that exceeds ``dtlook``),
      pointing against the relative vertical speed. With no relative vertical speed BlueSky
      gives both agents of a pair the same command; with ``level`` True it points away from
      the intruder instead (by ``side`` at equal altitudes), so a level pair splits.
    """
    dist = math.sqrt(dx * dx + dy * dy)
    dcx = dx + du * tcpa
    dcy = dy + dv * tcpa
    dabsh = math.sqrt(dcx * dcx + dcy * dcy)
    ih = rpz_m - dabsh
    if dabsh <= HEADON_DCPA:
        dabsh = HEADON_DCPA
        if dist > 0.0:
            dcx = dy / dist * dabsh
            dcy = -dx / dist * dabsh
        else:
            dcx = side * dabsh
            dcy = 0.0
    at = max(abs(tcpa), T_MIN)
    if rpz_m < dist and dabsh < dist:
        erratum = math.cos(math.asin(rpz_m / dist) - math.asin(dabsh / dist))
        dv1 = ((rpz_m / erratum - dabsh) * dcx) / (at * dabsh)
        dv2 = ((rpz_m / erratum - dabsh) * dcy) / (at * dabsh)
    else:
        dv1 = (ih * dcx) / (at * dabsh)
        dv2 = (ih * dcy) / (at * dabsh)
    if abs(dw) > 0.0:
        iv = hpz_m
        tsolv = abs(dz / dw)
    else:
        iv = hpz_m - abs(dz)
        tsolv = tlos
    if tsolv > dtlook:
        tsolv = tlos
        iv = hpz_m
    if abs(tsolv) < T_MIN:
        tsolv = T_MIN if tsolv >= 0.0 else -T_MIN
    if abs(dw) > 0.0:
        dv3 = (iv / tsolv) * (-dw / abs(dw))
    elif level:
        dv3 = (iv / tsolv) * (1.0 if dz > 0.0 else (-1.0 if dz < 0.0 else side))
    else:
        dv3 = iv / tsolv
    return dv1, dv2, dv3


@njit(cache=True)
def mvp(
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
):
    """Modified Voltage Potential resolution of the records from :func:`detect`.

    Every ``CONFLICT`` record ``(i, j)`` among the first ``n`` subtracts
    :func:`mvp_pair` (vertical part halved) from agent ``i``'s velocity; the sums give new
    velocity commands for every agent of ``idx`` (BlueSky ``MVP.resolve``, no priority rules):

    - ``vertical`` False (BlueSky's default ``RMETHH BOTH``): new ground track and speed from
      the horizontal sum, vertical speed unchanged;
    - ``vertical`` 1 (True; ``RMETHH OFF``): the vertical part is applied too;
    - ``vertical`` 2: as 1, but level pairs split up and down (see :func:`mvp_pair`): the
      mode for corridor-bound UAVs, which can only change speed along track and climb.

    Ground speed is clipped to ``[vmin, vmax]`` and vertical speed to ``[vsmin, vsmax]``
    (per-agent arrays, m/s); a zero horizontal command points north, as BlueSky's
    ``arctan2(0, 0)``. ``rpz``, ``hpz`` (m) and ``dtlookahead`` (s) are the detection's;
    ``resofach``/``resofacv`` (BlueSky: 1.01) enlarge the zone for resolution. BlueSky's
    autopilot altitude target and its per-aircraft resolution switches are left out.

    Writes ``new_vx, new_vy, new_vz`` (m/s) for the agents of ``idx`` and the sorted indices
    of the agents with at least one conflict to ``resolved`` (room for ``len(idx)``);
    returns their number.
    """
    na = len(x)
    dvx = np.zeros(na)
    dvy = np.zeros(na)
    dvz = np.zeros(na)
    hit = np.zeros(na, dtype=np.bool_)
    rpz_m = rpz * resofach
    hpz_m = hpz * resofacv
    for r in range(n):
        if (flags[r] & CONFLICT) == 0:
            continue
        i = own[r]
        j = intruder[r]
        side = 1.0 if i < j else -1.0
        d1, d2, d3 = mvp_pair(
            x[j] - x[i], y[j] - y[i], z[j] - z[i], vx[j] - vx[i], vy[j] - vy[i], vz[j] - vz[i],
            tcpa[r], tin[r], rpz_m, hpz_m, dtlookahead, side, vertical == 2,
        )  # fmt: skip
        dvx[i] -= d1
        dvy[i] -= d2
        dvz[i] -= 0.5 * d3
        hit[i] = True
    count = 0
    for k in range(len(idx)):
        i = idx[k]
        ex = vx[i] + dvx[i]
        ey = vy[i] + dvy[i]
        gs = math.sqrt(ex * ex + ey * ey)
        gs_c = max(vmin[i], min(vmax[i], gs))
        if gs > 0.0:
            new_vx[i] = gs_c * ex / gs
            new_vy[i] = gs_c * ey / gs
        else:
            new_vx[i] = 0.0
            new_vy[i] = gs_c
        w = vz[i] + dvz[i] if vertical >= 1 else vz[i]
        new_vz[i] = max(vsmin[i], min(vsmax[i], w))
    for i in range(na):
        if hit[i]:
            resolved[count] = i
            count += 1
    return count
