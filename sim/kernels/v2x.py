"""V2X broadcast channel: CAMs between connected vehicles and SPaT from traffic lights.

Every kernel works on plain arrays and scalars in SI units (m, s, m/s, m/s^2). Fleet arrays
(``x``, ``key``, ``heard_t`` ...) are indexed by agent index ``i``; ``idx`` lists the agents
handled this tick. History arrays have shape ``(capacity, slots)``, one row per agent.

Channel model
-------------
A packet sent over distance ``d`` (m) is received with probability
:func:`delivery_probability`: Nakagami-m fading with ``m = 3`` and a mean received power that
falls as ``d^-2`` and equals the reception threshold at ``d = r``, which gives the closed form
``P(d) = exp(-3 (d/r)^2) (1 + 3 (d/r)^2 + 4.5 (d/r)^4)`` (Killat & Hartenstein 2009, *An
empirical model for probability of packet reception in vehicular ad hoc networks*, EURASIP J.
Wireless Commun. Netw. 2009, 721301). It is the upper incomplete gamma function
``Q(m, m d^2/r^2)`` of the Nakagami power distribution for ``m = 3``; ``P(r) = 0.42``.
Each end has a ``degrade`` factor in [0, 1] that multiplies the probability (1: nominal, 0:
blackout, e.g. jamming or a failed unit). Packets are independent: whether receiver ``i``
gets sender ``j``'s packet of tick ``k`` is ``uniform(key[i], counter(j, k)) < P``, a pure
function of those three numbers (:mod:`sim.kernels.noise`), so adding an agent or changing
the order of ``idx`` changes no other outcome.

CAMs (:func:`v2x_step`)
-----------------------
Each connected agent broadcasts a cooperative awareness message every ``period_ticks`` ticks,
on the ticks ``k`` with ``(k - phase[i]) % period_ticks == 0`` (a per-agent offset spreads the
load), carrying the send time (s), speed (m/s), acceleration (m/s^2) and commanded
acceleration ``u`` (m/s^2, the CACC feed-forward; an agent without a controller sends its
acceleration) and its position. Each connected receiver listens to one sender ``src[i]`` (its
leader, -1: none). A message is decoded, or lost, at its send tick, with both ends' positions
and degrade factors of that tick, and handed to the receiver ``latency_ticks`` ticks later
(fixed processing and queueing latency). To have the send-tick state of both ends at hand, every
connected agent in ``idx`` writes its state to its history row every tick (slot ``tick %
slots``), whether or not it broadcasts: ``latency_ticks`` must be below ``slots``
(:data:`HIST_SLOTS` = 16 slots hold 1.5 s of latency at 0.1 s ticks). The receiver takes the
message its *current* ``src`` sent ``latency_ticks`` ago (a broadcast reaches everyone in range;
the receiver keeps the one from its leader), provided both ends were connected and in ``idx``
at that tick. ``heard_from`` names the sender of the last message heard, so a controller can
tell whether it came from the current leader.

SPaT (:func:`spat_step`)
------------------------
A traffic light broadcasts its signal phase and timing (state code, time to the next change)
every ``period_ticks`` ticks with its own phase offset; a connected vehicle approaching light
``light[i]`` receives it with the same channel model, without latency: ``spat_t`` is the send
time, so the receiver knows the time to change was ``spat_left`` (and to the next green
``spat_green``) at ``spat_t``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt
from numba import njit

from sim.kernels.noise import uniform

HIST_SLOTS = 16
"""Default slots (ticks) of each agent's history row; latency must stay below it."""
NAKAGAMI_M = 3
"""Nakagami fading figure of :func:`delivery_probability` (Killat & Hartenstein 2009)."""
_CAM_STREAM = np.uint64(0x43 << 56)
_SPAT_STREAM = np.uint64(0x53 << 56)


@njit(cache=True)
def delivery_probability(d, r, degrade=1.0):
    """Probability (0..1) that a packet sent over ``d`` m is received, for range ``r`` (m).

    ``r`` is the distance at which the mean received power equals the reception threshold.
    Nakagami-m fading, ``m = 3``, power falling as ``d^-2``: ``P = exp(-3 q)(1 + 3 q + 4.5
    q^2)``, ``q = (d/r)^2`` (Killat & Hartenstein 2009, EURASIP J. Wireless Commun. Netw.).
    ``degrade`` in [0, 1] multiplies it (values outside are clipped); 0 when ``r <= 0``.
    """
    if r <= 0.0 or degrade <= 0.0:
        return 0.0
    q = (d / r) * (d / r)
    p = math.exp(-3.0 * q) * (1.0 + 3.0 * q + 4.5 * q * q)
    if degrade < 1.0:
        p *= degrade
    return p


@njit(cache=True)
def cam_counter(sender, tick):
    """Noise counter (uint64) of ``sender``'s CAM sent at ``tick`` (< 2^24 ticks, < 2^32 agents)."""
    return _CAM_STREAM ^ (np.uint64(tick) << np.uint64(32)) ^ np.uint64(sender)


@njit(cache=True)
def spat_counter(light, tick):
    """Noise counter (uint64) of ``light``'s SPaT message sent at ``tick``."""
    return _SPAT_STREAM ^ (np.uint64(tick) << np.uint64(32)) ^ np.uint64(light)


@njit(cache=True)
def v2x_step(
    idx,
    tick,
    t,
    connected,
    src,
    x,
    y,
    v,
    a,
    u,
    px,
    py,
    key,
    degrade,
    phase,
    period_ticks,
    latency_ticks,
    r,
    hist_k,
    hist_t,
    hist_x,
    hist_y,
    hist_v,
    hist_a,
    hist_u,
    hist_g,
    hist_px,
    hist_py,
    heard_t,
    heard_v,
    heard_a,
    heard_u,
    heard_x,
    heard_y,
    heard_from,
    n_sent,
    n_recv,
    n_lost,
):
    """One tick of the CAM channel: record this tick's states, deliver what is due.

    Inputs (fleet-indexed unless said otherwise):

    - ``idx`` (int64): the agents handled this tick; ``tick`` (int, >= 0): the tick number;
      ``t`` (s): its time (stored as the send time).
    - ``connected`` (bool): agent has a V2X unit; ``src`` (int64): the sender receiver ``i``
      listens to (its leader), -1 none.
    - ``x``, ``y`` (m), ``v`` (m/s), ``a`` (m/s^2), ``u`` (m/s^2, commanded acceleration):
      the state to broadcast, true position; ``px``, ``py`` (m): the position the agent
      reports (its GNSS fix, which a GNSS fault makes noisy or biased). The channel's
      distance uses the true positions, the message carries the reported one.
    - ``key`` (uint64): per-agent noise key; ``degrade`` (0..1): per-agent channel factor.
    - ``phase`` (int64, ticks): broadcast offset; an agent broadcasts at the ticks with
      ``(tick - phase) % period_ticks == 0``; ``period_ticks`` (>= 1): CAM period;
      ``latency_ticks`` (0 <= latency < slots): delivery delay; ``r`` (m): channel range.

    State (updated in place):

    - History, shape ``(capacity, slots)``, slot ``tick % slots``: ``hist_k`` (int64, the
      tick written, -1 empty), ``hist_t`` (s), ``hist_x``, ``hist_y`` (m), ``hist_v`` (m/s),
      ``hist_a``, ``hist_u`` (m/s^2), ``hist_g`` (degrade factor), ``hist_px``, ``hist_py``
      (m, reported position).
    - Last heard message of each receiver: ``heard_t`` (s, send time; -inf none), ``heard_v``
      (m/s), ``heard_a``, ``heard_u`` (m/s^2), ``heard_x``, ``heard_y`` (m, the sender's
      reported position), ``heard_from`` (int64 sender, -1 none).
    - Counters (int64): ``n_sent[j]`` CAMs broadcast by ``j``; ``n_recv[i]`` and ``n_lost[i]``
      packets from its ``src`` that receiver ``i`` decoded or lost; every attempt is one of
      the two, so run totals are the sums.

    Steps: every connected agent in ``idx`` writes its state, degrade factor and tick to its
    history slot (and counts a send on its broadcast ticks); then every connected receiver in
    ``idx`` with ``src >= 0`` (not itself) looks up the message its ``src`` broadcast at
    ``k = tick - latency_ticks``: if ``k`` was a broadcast tick of ``src`` and both rows hold
    tick ``k``, it draws ``uniform(key[i], cam_counter(src, k))`` against
    ``delivery_probability(distance at k, r, degrade_i(k) * degrade_src(k))`` and, on success,
    overwrites its ``heard_*``. O(len(idx)), no allocation.
    """
    slots = hist_k.shape[1]
    slot = tick % slots
    for n in range(len(idx)):
        i = idx[n]
        if not connected[i]:
            continue
        hist_k[i, slot] = tick
        hist_t[i, slot] = t
        hist_x[i, slot] = x[i]
        hist_y[i, slot] = y[i]
        hist_v[i, slot] = v[i]
        hist_a[i, slot] = a[i]
        hist_u[i, slot] = u[i]
        hist_g[i, slot] = degrade[i]
        hist_px[i, slot] = px[i]
        hist_py[i, slot] = py[i]
        if (tick - phase[i]) % period_ticks == 0:
            n_sent[i] += 1
    k = tick - latency_ticks
    if k < 0:
        return
    ks = k % slots
    for n in range(len(idx)):
        i = idx[n]
        j = src[i]
        if not connected[i] or j < 0 or j == i:
            continue
        if (k - phase[j]) % period_ticks != 0:
            continue  # src did not broadcast at tick k
        if hist_k[j, ks] != k or hist_k[i, ks] != k:
            continue  # one end was not connected (or not simulated) at tick k
        d = math.hypot(hist_x[j, ks] - hist_x[i, ks], hist_y[j, ks] - hist_y[i, ks])
        p = delivery_probability(d, r, hist_g[i, ks] * hist_g[j, ks])
        if uniform(key[i], cam_counter(j, k)) < p:
            heard_t[i] = hist_t[j, ks]
            heard_v[i] = hist_v[j, ks]
            heard_a[i] = hist_a[j, ks]
            heard_u[i] = hist_u[j, ks]
            heard_x[i] = hist_px[j, ks]
            heard_y[i] = hist_py[j, ks]
            heard_from[i] = j
            n_recv[i] += 1
        else:
            n_lost[i] += 1


@njit(cache=True)
def spat_step(
    idx,
    tick,
    t,
    connected,
    light,
    x,
    y,
    key,
    degrade,
    period_ticks,
    r,
    l_x,
    l_y,
    l_state,
    l_left,
    l_green,
    l_phase,
    l_degrade,
    spat_t,
    spat_state,
    spat_left,
    spat_green,
    spat_from,
    n_recv,
    n_lost,
):
    """One tick of SPaT: traffic lights broadcast, connected approaching vehicles receive.

    - ``idx`` (int64): vehicles handled this tick; ``tick`` (int), ``t`` (s): now.
    - Fleet-indexed: ``connected`` (bool); ``light`` (int64): the light vehicle ``i``
      approaches, -1 none (the caller picks it, e.g. the next signal on the route);
      ``x``, ``y`` (m); ``key`` (uint64); ``degrade`` (0..1).
    - ``period_ticks`` (>= 1): SPaT period (SAE J2735 SPaT is usually sent at 10 Hz);
      ``r`` (m): channel range of the roadside units.
    - Light-indexed: ``l_x``, ``l_y`` (m), ``l_state`` (int64 signal state code, passed on as
      is), ``l_left`` (s until the next change), ``l_green`` (s until the next green
      begins; while green, the one after this green), ``l_phase`` (int64 ticks: light ``l``
      broadcasts at the ticks with ``(tick - l_phase[l]) % period_ticks == 0``),
      ``l_degrade`` (0..1, the roadside unit's factor).
    - Out, fleet-indexed: ``spat_t`` (s, send time of the last SPaT heard; -inf none),
      ``spat_state``, ``spat_left``, ``spat_green`` (s, times to the change and to the next
      green as of ``spat_t``), ``spat_from``
      (int64 light, -1 none); counters ``n_recv``, ``n_lost`` (int64) per vehicle.

    Reception: ``uniform(key[i], spat_counter(l, tick)) < delivery_probability(d, r,
    degrade[i] * l_degrade[l])`` with ``d`` the vehicle-light distance now; no latency.
    """
    for n in range(len(idx)):
        i = idx[n]
        lt = light[i]
        if not connected[i] or lt < 0:
            continue
        if (tick - l_phase[lt]) % period_ticks != 0:
            continue
        d = math.hypot(l_x[lt] - x[i], l_y[lt] - y[i])
        p = delivery_probability(d, r, degrade[i] * l_degrade[lt])
        if uniform(key[i], spat_counter(lt, tick)) < p:
            spat_t[i] = t
            spat_state[i] = l_state[lt]
            spat_left[i] = l_left[lt]
            spat_green[i] = l_green[lt]
            spat_from[i] = lt
            n_recv[i] += 1
        else:
            n_lost[i] += 1


def new_history(capacity: int, slots: int = HIST_SLOTS) -> tuple[npt.NDArray[np.generic], ...]:
    """Empty history arrays of :func:`v2x_step`, ``hist_k`` to ``hist_py`` in its order.

    Shape ``(capacity, slots)``; ``hist_k`` is -1 (empty), the rest 0.
    """
    hist_k = np.full((capacity, slots), -1, dtype=np.int64)
    return (hist_k, *(np.zeros((capacity, slots)) for _ in range(9)))


def new_heard(
    capacity: int,
) -> tuple[
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.float64],
    npt.NDArray[np.int64],
]:
    """Empty receiver arrays of :func:`v2x_step`, ``heard_t`` to ``heard_from`` in its order.

    ``heard_t`` is ``-inf`` (never heard) and ``heard_from`` -1; the rest 0.
    """
    return (
        np.full(capacity, -np.inf),
        np.zeros(capacity),
        np.zeros(capacity),
        np.zeros(capacity),
        np.zeros(capacity),
        np.zeros(capacity),
        np.full(capacity, -1, dtype=np.int64),
    )
