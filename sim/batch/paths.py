"""Field paths into a scenario, and overriding the fields they address.

A path names one field of a scenario file the way the model's error messages do
(:func:`sim.model.errors.format_path`)::

    separation.rpz              a key of a table
    wind.speed                  (missing tables on the way are created: ``[wind]``)
    flow[bg-grid].rate          an item of an array of tables, by its ``id``
    flow["bg-grid"].rate        the same, quoted (ids may hold ``. : # ~ / @ + -``)
    agent[0].speed              an item by its 0-based index
    flow[bg-grid].mix.car       keys of inline tables
    zones[0]                    an item of a plain array

Overrides are applied to the parsed TOML document (a dict) before the model validates it, so a
bad value gets the model's own message naming the field.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sim.model.errors import did_you_mean


class PathError(ValueError):
    """A field path that is malformed or addresses nothing in the scenario."""


@dataclass(frozen=True, slots=True)
class ById:
    """Selects the item of an array whose ``id`` is :attr:`id`."""

    id: str

    def __str__(self) -> str:
        """``["id"]``."""
        return f'["{self.id}"]'


@dataclass(frozen=True, slots=True)
class ByIndex:
    """Selects the item of an array at a 0-based index."""

    index: int

    def __str__(self) -> str:
        """``[index]``."""
        return f"[{self.index}]"


Part = str | ById | ByIndex
"""One step of a path: a table key, or an array item by id or index."""

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_SELECTOR = re.compile(r'\[\s*(?:"([^"\]]+)"|(\d+)|([A-Za-z0-9_][A-Za-z0-9_.:#~/@+-]*))\s*\]')
MAX_PATH = 300
"""Longest path accepted (characters)."""


@dataclass(frozen=True, slots=True)
class FieldPath:
    """A parsed field path (see the module docstring for the syntax)."""

    parts: tuple[Part, ...]

    @classmethod
    def parse(cls, text: str) -> FieldPath:
        """Parse ``text``; raise :class:`PathError` saying where it is malformed."""
        if not isinstance(text, str) or not text.strip():
            raise PathError("expected a field path like 'flow[bg-grid].rate'")
        if len(text) > MAX_PATH:
            raise PathError(f"path is {len(text)} characters long, at most {MAX_PATH}")
        parts: list[Part] = []
        pos = 0
        n = len(text)
        while True:
            m = _NAME.match(text, pos)
            if m is None:
                raise PathError(
                    f"malformed path {text!r} at character {pos + 1}: expected a field name "
                    "(letters, digits, '_')"
                )
            parts.append(m.group(0))
            pos = m.end()
            while pos < n and text[pos] == "[":
                s = _SELECTOR.match(text, pos)
                if s is None:
                    raise PathError(
                        f"malformed path {text!r} at character {pos + 1}: expected [id], "
                        '["id"] or [index]'
                    )
                quoted, index, bare = s.groups()
                parts.append(ByIndex(int(index)) if index is not None else ById(quoted or bare))
                pos = s.end()
            if pos == n:
                break
            if text[pos] != ".":
                raise PathError(
                    f"malformed path {text!r} at character {pos + 1}: expected '.', '[' or the end"
                )
            pos += 1
        return cls(tuple(parts))

    def __str__(self) -> str:
        """Canonical text: ids quoted (``flow["bg-grid"].rate``), as in the model's messages."""
        out = ""
        for p in self.parts:
            if isinstance(p, str):
                out += f".{p}" if out else p
            else:
                out += str(p)
        return out

    @property
    def root(self) -> str:
        """The top-level field the path starts with."""
        first = self.parts[0]
        assert isinstance(first, str)
        return first

    def locate(self, doc: Any) -> tuple[str | int, ...]:
        """The location of the field in ``doc`` with ids turned into indices.

        This is what :func:`sim.model.errors.format_path` renders, so issues of the model can be
        matched to the parameter that caused them. Raises :class:`PathError` like
        :meth:`apply`.
        """
        loc: list[str | int] = []
        node = doc
        for k, part in enumerate(self.parts):
            last = k == len(self.parts) - 1
            if isinstance(part, str):
                loc.append(part)
                node = node.get(part) if isinstance(node, Mapping) else None
                if node is None and not last:
                    node = {}
            else:
                i = self._index(node, part, loc)
                loc.append(i)
                node = node[i]
        return tuple(loc)

    def apply(self, doc: dict[str, Any], value: Any) -> None:
        """Set the addressed field of ``doc`` (modified in place) to ``value``.

        Tables missing on the way are created (``wind.speed`` on a scenario without
        ``[wind]``); array items must exist. Raises :class:`PathError` when the path runs into
        a value of the wrong kind or names an item that is not there.
        """
        node: Any = doc
        loc: list[str | int] = []
        for k, part in enumerate(self.parts):
            last = k == len(self.parts) - 1
            if isinstance(part, str):
                if not isinstance(node, dict):
                    raise PathError(
                        f"{_where(loc)} is {_kind(node)}, not a table: it has no field {part!r}"
                    )
                if last:
                    node[part] = value
                    return
                child = node.get(part)
                if child is None:
                    nxt = self.parts[k + 1]
                    if not isinstance(nxt, str):
                        raise PathError(f"the scenario has no {part!r} to select an item from")
                    child = node[part] = {}
                loc.append(part)
                node = child
            else:
                i = self._index(node, part, loc)
                if last:
                    node[i] = value
                    return
                loc.append(i)
                node = node[i]

    @staticmethod
    def _index(node: Any, part: ById | ByIndex, loc: list[str | int]) -> int:
        if not isinstance(node, list):
            raise PathError(f"{_where(loc)} is {_kind(node)}, not an array: cannot select {part}")
        if isinstance(part, ByIndex):
            if part.index >= len(node):
                raise PathError(
                    f"{_where(loc)} has {len(node)} item(s); index {part.index} is out of range"
                )
            return part.index
        ids = [item.get("id") if isinstance(item, Mapping) else None for item in node]
        hits = [i for i, ident in enumerate(ids) if ident == part.id]
        if not hits:
            known = sorted(str(x) for x in ids if isinstance(x, str))
            hint = did_you_mean(part.id, known)
            if not hint:
                hint = f" (ids: {', '.join(known)})" if known else " (its items have no ids)"
            raise PathError(f"{_where(loc)} has no item with id {part.id!r}{hint}")
        if len(hits) > 1:
            raise PathError(f"{_where(loc)} has {len(hits)} items with id {part.id!r}")
        return hits[0]

    def model_value(self, obj: Any) -> Any:
        """The validated value of the field in a model object (SI units), or None.

        Follows the same path through pydantic models (attributes), tuples (by index or by the
        items' ``id`` attribute) and dicts.
        """
        node = obj
        for part in self.parts:
            if isinstance(part, str):
                node = node.get(part) if isinstance(node, Mapping) else getattr(node, part, None)
            elif isinstance(node, (list, tuple)):
                if isinstance(part, ByIndex):
                    node = node[part.index] if part.index < len(node) else None
                else:
                    node = next((x for x in node if getattr(x, "id", None) == part.id), None)
            else:
                return None
            if node is None:
                return None
        return node


def _where(loc: list[str | int]) -> str:
    if not loc:
        return "the scenario"
    out = ""
    for p in loc:
        out += f"[{p}]" if isinstance(p, int) else (f".{p}" if out else p)
    return repr(out)


def _kind(value: Any) -> str:
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    return f"a {type(value).__name__}"
