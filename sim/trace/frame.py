"""One recorded frame: the states of the agents present at one instant."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

DEFAULT_FIELDS: tuple[str, ...] = ("x", "y", "z", "heading", "speed")
"""Value columns recorded unless the engine asks for others: x, y, z (m, local ENU),
heading (rad), speed (m/s)."""


@dataclass(frozen=True, slots=True, eq=False)
class Frame:
    """Agent states at time ``t``; row ``k`` describes agent ``ids[k]``.

    The arrays are read-only views shared with the reader's cache; copy before modifying.

    Attributes:
        index: frame number in the trace (0-based).
        t: time (s) after the scenario's start.
        ids: agent indices (int32, shape (n,)), keys of the trace's agent table.
        values: field values (float32, shape (n, len(fields))), units as for the field.
        status: status code per agent (int8, shape (n,)), as defined by the engine.
        fields: names of the value columns.
    """

    index: int
    t: float
    ids: npt.NDArray[np.int32]
    values: npt.NDArray[np.float32]
    status: npt.NDArray[np.int8]
    fields: tuple[str, ...] = DEFAULT_FIELDS

    def __len__(self) -> int:
        """Number of agents in the frame."""
        return int(self.ids.shape[0])

    def field(self, name: str) -> npt.NDArray[np.float32]:
        """The column of field ``name`` (float32, shape (n,)), e.g. ``frame.field("x")`` in m.

        Raises:
            KeyError: when the trace did not record that field.
        """
        try:
            column = self.fields.index(name)
        except ValueError:
            raise KeyError(
                f"field {name!r} is not in this trace (fields: {', '.join(self.fields)})"
            ) from None
        return self.values[:, column]
