"""Reading user files as data (TOML, JSON): syntax errors become :class:`ModelError`.

User files are never executed, imported, unpickled or ``eval``-ed: TOML goes through
:mod:`tomllib` and JSON through :mod:`json`, with duplicate keys and ``NaN`` rejected.
"""

from __future__ import annotations

import json
import tomllib
from pathlib import Path
from typing import Any

from sim.model.errors import ModelError

MAX_FILE_BYTES = 512 * 1024 * 1024
"""Largest user file read (bytes); bigger ones are refused with a clear message."""


def display_name(path: Path) -> str:
    """How a file is named in messages: relative to the working directory when possible."""
    try:
        return str(path.resolve().relative_to(Path.cwd().resolve()))
    except ValueError:
        return str(path)


def read_text(path: Path) -> str:
    """Read a UTF-8 text file, turning I/O and decoding problems into ``ModelError``."""
    name = display_name(path)
    try:
        if path.is_dir():
            raise ModelError.single(name, "", "is a directory, expected a file")
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise ModelError.single(
                name, "", f"file is {size} bytes, more than the {MAX_FILE_BYTES} read"
            )
        data = path.read_bytes()
    except FileNotFoundError:
        raise ModelError.single(name, "", "file not found") from None
    except PermissionError:
        raise ModelError.single(name, "", "permission denied") from None
    except OSError as exc:
        raise ModelError.single(name, "", f"cannot read file: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ModelError.single(
            name, "", f"not UTF-8 text (byte {exc.start}: {data[exc.start : exc.start + 1]!r})"
        ) from None
    if "\x00" in text:
        raise ModelError.single(name, "", "binary data (NUL byte), expected a text file")
    return text


def read_toml(path: Path) -> dict[str, Any]:
    """Parse a TOML file; a syntax error names the line and column."""
    text = read_text(path)
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ModelError.single(display_name(path), "", f"TOML syntax error: {exc}") from None


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise ValueError(f"duplicate key {key!r}")
        out[key] = value
    return out


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not valid JSON")


def read_json(path: Path) -> Any:
    """Parse a JSON file; a syntax error names the line and column."""
    text = read_text(path)
    try:
        return json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_no_constant)
    except json.JSONDecodeError as exc:
        raise ModelError.single(
            display_name(path),
            "",
            f"JSON syntax error at line {exc.lineno} column {exc.colno}: {exc.msg}",
        ) from None
    except (ValueError, RecursionError) as exc:
        raise ModelError.single(display_name(path), "", f"JSON error: {exc}") from None
