"""Where a run's frames and events go: a trace file, or nowhere (benchmarks)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt


class Recorder(Protocol):
    """The calls the engine makes on its output (the trace writer's API)."""

    def add_agent(
        self,
        index: int,
        agent_id: str,
        kind: str,
        vehicle_type: str,
        permit: str | None,
        length: float,
        width: float,
        **extra: Any,
    ) -> None:
        """Describe an agent when it enters the run."""

    def add_frame(
        self,
        t: float,
        ids: npt.NDArray[np.int32],
        values: npt.NDArray[np.float32],
        status: npt.NDArray[np.int8],
    ) -> None:
        """Record the state of the agents ``ids`` at time ``t`` (s)."""

    def add_event(self, t: float, kind: str, agent: str | None = None, **data: Any) -> None:
        """Record an event at time ``t`` (s)."""

    def close(self, summary: Mapping[str, Any] | None = None) -> None:
        """Finish the output."""


class NullRecorder:
    """Keeps only the events (for summaries and tests); drops frames."""

    def __init__(self) -> None:
        """Create an empty recorder."""
        self.events: list[dict[str, Any]] = []
        self.frames = 0
        self.summary: Mapping[str, Any] | None = None

    def add_agent(
        self,
        index: int,
        agent_id: str,
        kind: str,
        vehicle_type: str,
        permit: str | None,
        length: float,
        width: float,
        **extra: Any,
    ) -> None:
        """Ignore the agent table."""

    def add_frame(
        self,
        t: float,
        ids: npt.NDArray[np.int32],
        values: npt.NDArray[np.float32],
        status: npt.NDArray[np.int8],
    ) -> None:
        """Count the frame."""
        self.frames += 1

    def add_event(self, t: float, kind: str, agent: str | None = None, **data: Any) -> None:
        """Keep the event."""
        self.events.append({"t": t, "kind": kind, "agent": agent, **data})

    def close(self, summary: Mapping[str, Any] | None = None) -> None:
        """Keep the summary."""
        self.summary = summary
