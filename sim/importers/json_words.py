"""How the JSON importers (QGroundControl ``.plan``, ASTM F3548 intents) name values in messages."""

from __future__ import annotations

from typing import Any


def json_kind(value: Any) -> str:
    """The JSON kind of a parsed value, with its article: ``"an object"``, ``"a list"`` ..."""
    if value is None:
        return "null"
    return {dict: "an object", list: "a list", str: "a string", bool: "a boolean"}.get(
        type(value), "a number"
    )


def short_repr(value: Any) -> str:
    """``repr(value)``, cut to 40 characters for a message."""
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
