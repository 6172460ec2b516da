"""Counter-based random numbers: each agent's noise is a pure function of (key, tick).

Drawing per agent from a generator object would mean a Python call per agent per tick; a
counter-based generator gives the same independence inside a kernel. Each agent's ``key``
(uint64) comes from its own ``numpy.random.SeedSequence`` child, so adding an agent never
changes another agent's noise. The mixer is SplitMix64 (Steele, Lea & Flood 2014).
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

_GOLDEN = np.uint64(0x9E3779B97F4A7C15)
_M1 = np.uint64(0xBF58476D1CE4E5B9)
_M2 = np.uint64(0x94D049BB133111EB)


@njit(cache=True)
def splitmix64(x):
    """SplitMix64 finaliser of ``x + golden`` (uint64 in, uint64 out)."""
    z = x + _GOLDEN
    z = (z ^ (z >> np.uint64(30))) * _M1
    z = (z ^ (z >> np.uint64(27))) * _M2
    return z ^ (z >> np.uint64(31))


@njit(cache=True)
def uniform(key, counter):
    """A uniform number in (0, 1) for ``(key, counter)``."""
    z = splitmix64(key ^ splitmix64(np.uint64(counter)))
    return ((z >> np.uint64(11)) + np.uint64(1)) * (1.0 / 9007199254740993.0)


@njit(cache=True)
def normal_pair(key, counter):
    """Two independent standard normals for ``(key, counter)`` (Box-Muller)."""
    u1 = uniform(key, 2 * counter)
    u2 = uniform(key, 2 * counter + 1)
    r = math.sqrt(-2.0 * math.log(u1))
    return r * math.cos(2.0 * math.pi * u2), r * math.sin(2.0 * math.pi * u2)
