"""Trace files: the versioned, chunked record of one simulation run.

:class:`TraceWriter` streams a run to disk (atomically, deterministically, in bounded memory);
:class:`TraceReader` gives random access by frame number or time. The byte layout is documented
in :mod:`sim.trace.format`.
"""

from __future__ import annotations

from sim.trace.errors import TraceError
from sim.trace.format import FORMAT_VERSION, SUFFIX
from sim.trace.frame import DEFAULT_FIELDS, Frame
from sim.trace.reader import TraceReader
from sim.trace.writer import REQUIRED_HEADER_KEYS, TraceWriter

__all__ = [
    "DEFAULT_FIELDS",
    "FORMAT_VERSION",
    "REQUIRED_HEADER_KEYS",
    "SUFFIX",
    "Frame",
    "TraceError",
    "TraceReader",
    "TraceWriter",
]
