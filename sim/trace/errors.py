"""The one exception the trace reader raises for a bad file."""

from __future__ import annotations

from pathlib import Path


class TraceError(Exception):
    """A file is not a readable trace: wrong type, unsupported version, truncated or corrupt.

    The reader never lets a raw ``struct``, ``zlib``, ``json`` or ``IndexError`` escape for a
    problem in the file; it raises this instead, so the CLI can print one line and exit 2.

    Attributes:
        path: the file the problem is in.
        message: what is wrong, without the file name.
    """

    def __init__(self, path: Path | str, message: str) -> None:
        self.path = Path(path)
        self.message = message
        super().__init__(path, message)

    def __str__(self) -> str:
        """Format as ``file: message`` (the CLI's output line)."""
        return f"{self.path}: {self.message}"
