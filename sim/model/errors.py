"""Validation errors that name the file, the field path and what was expected.

Every loader in :mod:`sim.model` raises :class:`ModelError` (never a bare pydantic,
``tomllib`` or ``json`` exception), so callers can print one line per problem and
exit with status 2.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from pydantic_core import PydanticCustomError

PathPart = str | int


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in one file.

    Attributes:
        file: the file the problem is in (as the user named it), or ``"<input>"``.
        path: the field path inside the file, e.g. ``agent["icv-01"].route[2]``;
            empty when the problem concerns the whole file.
        message: what is wrong and what was expected.
    """

    file: str
    path: str
    message: str

    def __str__(self) -> str:
        """Format as ``file: path: message`` (the CLI's output line)."""
        if self.path:
            return f"{self.file}: {self.path}: {self.message}"
        return f"{self.file}: {self.message}"


class ModelError(Exception):
    """Raised when input files do not describe a valid model; carries every issue found."""

    def __init__(self, issues: Sequence[Issue]) -> None:
        self.issues: tuple[Issue, ...] = tuple(issues)
        super().__init__("\n".join(str(i) for i in self.issues))

    @classmethod
    def single(cls, file: str, path: str, message: str) -> ModelError:
        """Build an error with a single issue."""
        return cls([Issue(file, path, message)])


def format_path(parts: Iterable[PathPart], data: Any = None) -> str:
    """Render a location tuple as a readable field path.

    List items that carry a string ``id`` (or ``properties.id`` for GeoJSON features)
    are named by it, e.g. ``agent["icv-01"].speed``; others by their 0-based index.

    Args:
        parts: location parts, strings for keys and ints for list indices.
        data: the raw document the location points into, used to look up item ids.
    """
    out = ""
    node = data
    for part in parts:
        label: str
        if isinstance(part, int):
            label = f"[{part}]"
            item = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
            ident = _item_id(item)
            if ident is not None and sum(1 for x in node if _item_id(x) == ident) == 1:
                label = f'["{ident}"]'
            node = item
        else:
            label = f".{part}" if out else str(part)
            node = node.get(part) if isinstance(node, Mapping) else None
        out += label
    return out


def _item_id(item: Any) -> str | None:
    if not isinstance(item, Mapping):
        return None
    ident = item.get("id")
    if ident is None and isinstance(item.get("properties"), Mapping):
        ident = item["properties"].get("id")
    if isinstance(ident, str) and ident and len(ident) <= 64 and '"' not in ident:
        return ident
    return None


def _clean_loc(loc: tuple[PathPart, ...]) -> tuple[PathPart, ...]:
    """Drop pydantic's internal location parts (union tags, function validators)."""
    out: list[PathPart] = []
    for part in loc:
        if isinstance(part, str) and (
            part.startswith("function-") or part.startswith("tagged-union[") or part in {"[key]"}
        ):
            continue
        out.append(part)
    return tuple(out)


def _describe(err: Mapping[str, Any]) -> str:
    kind = err.get("type", "")
    msg = str(err.get("msg", "invalid value"))
    if kind == "missing":
        return "required field is missing"
    if kind == "extra_forbidden":
        return "unknown field"
    for prefix in ("Value error, ", "Assertion failed, "):
        if msg.startswith(prefix):
            msg = msg[len(prefix) :]
    inp = err.get("input")
    if kind not in {"value_error", "assertion_error", "unknown_field", "field_error"} and _short(
        inp
    ):
        msg += f" (got {inp!r})"
    return msg


def field_error(field: str, message: str) -> PydanticCustomError:
    """An error raised by a model-level check that concerns one field.

    The converter appends ``field`` (dotted for nested fields, e.g. ``rules.max_speed``) to the
    location, so the reported path names the field rather than the enclosing object.
    """
    return PydanticCustomError(
        "field_error", message.replace("{field}", "(field)"), {"field": field}
    )


def closest(name: str, names: Iterable[str]) -> str | None:
    """The known name closest to a misspelt one, or None (names are compared in sorted order)."""
    hint = difflib.get_close_matches(name, sorted(names), n=1)
    return hint[0] if hint else None


def did_you_mean(name: str, names: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest known name, or an empty string."""
    hint = closest(name, names)
    return f" (did you mean {hint!r}?)" if hint else ""


def unknown_field_message(name: str, known: Iterable[str]) -> str:
    """Message for an unknown field, with the closest known name as a hint."""
    hint = did_you_mean(name, known)
    if hint:
        return f"unknown field {name!r}{hint}"
    return f"unknown field {name!r} (expected one of: {', '.join(sorted(known))})"


def _short(value: Any) -> bool:
    return isinstance(value, (int, float, str, bool)) and len(repr(value)) <= 40


def issues_from_pydantic(
    exc: ValidationError,
    file: str,
    prefix: Sequence[PathPart] = (),
    data: Any = None,
) -> list[Issue]:
    """Convert a pydantic ``ValidationError`` into :class:`Issue` objects.

    Args:
        exc: the pydantic error.
        file: file name to report.
        prefix: location of the validated object inside the document.
        data: the raw document (for naming list items by id).
    """
    issues = []
    for err in exc.errors(include_url=False):
        loc = _drop_union_tags(tuple(prefix) + _clean_loc(tuple(err.get("loc", ()))), data)
        if err.get("type") in ("union_tag_invalid", "union_tag_not_found"):
            ctx = err.get("ctx", {})
            tag = str(ctx.get("discriminator", "")).strip("'\"")
            loc = (*loc, tag)
            expected = str(ctx.get("expected_tags", ""))
            got = ctx.get("tag")
            what = (
                f"unknown {tag} {got!r}"
                if got is not None
                else f"required field {tag!r} is missing"
            )
            issues.append(
                Issue(file, format_path(loc, data), f"{what} (expected one of: {expected})")
            )
            continue
        if err.get("type") in ("unknown_field", "field_error"):
            field = str(err.get("ctx", {}).get("field", ""))
            loc = tuple(prefix) + _clean_loc(tuple(err.get("loc", ())))
            loc = _drop_union_tags((*loc, *[p for p in field.split(".") if p]), data)
        issues.append(Issue(file, format_path(loc, data), _describe(err)))
    return issues


def _drop_union_tags(loc: tuple[PathPart, ...], data: Any) -> tuple[PathPart, ...]:
    """Remove the tag pydantic inserts for a discriminated union (e.g. ``event[0].close_zone``).

    A string part is a tag when the document has no such key at that point but the object
    there holds that string as a value (its discriminator, ``action`` or ``kind``).
    """
    if data is None:
        return loc
    out: list[PathPart] = []
    node = data
    for k, part in enumerate(loc):
        if (
            isinstance(part, str)
            and k < len(loc) - 1
            and isinstance(node, Mapping)
            and part not in node
            and part in [v for v in node.values() if isinstance(v, str)]
        ):
            continue
        out.append(part)
        if isinstance(part, int):
            node = node[part] if isinstance(node, list) and 0 <= part < len(node) else None
        else:
            node = node.get(part) if isinstance(node, Mapping) else None
    return tuple(out)
