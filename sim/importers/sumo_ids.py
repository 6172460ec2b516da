"""SUMO ids -> testzone identifiers, by an injective rule.

SUMO ids may hold almost any character and be of any length, and SUMO keeps junction and
edge ids in separate name spaces (a junction and an edge may both be called ``"A0"``).
A testzone identifier matches ``^[A-Za-z0-9_][A-Za-z0-9_.:#~/@+-]*$``, has at most 128
characters and is unique across the whole map. :func:`sumo_id_to_testzone` maps one onto the
other:

1. **Escape.** Every character other than ``A-Z a-z 0-9 _ . : # / @ + -`` (so including
   ``~`` itself, spaces, brackets, non-ASCII letters ...) becomes ``~`` followed by the two
   lower-case hex digits of each of its UTF-8 bytes: ``"a b"`` -> ``"a~20b"``,
   ``"x~1"`` -> ``"x~7e1"``, ``"ä"`` -> ``"~c3~a4"``. In the result, a ``~`` is therefore
   always followed by two hex digits.
2. **First character.** If the id does not start with a letter or a digit (SUMO's
   ``"-164051413"`` for the opposite direction of an OSM way, ``"_x"``, or an escaped
   character), ``_`` is put in front: ``"-164051413"`` -> ``"_-164051413"``,
   ``"_x"`` -> ``"__x"``. A result starts with ``_`` exactly when this step applied.
3. **Length.** If the result is longer than 128 characters, it is cut to its first 116
   characters followed by ``~~`` and the first 10 hex digits of the SHA-256 of the SUMO id
   (UTF-8). ``~~`` never arises from steps 1-2, so a shortened id never equals an unshortened
   one.

Ids that are already valid testzone identifiers and start with a letter or digit (such as
netgenerate's ``"A0"``, ``"A0B0"``, OSM's ``"104010354"`` or ``"653473569#5"``) are kept as
they are. Steps 1-2 can be undone, so distinct ids give distinct results; only two SUMO ids
longer than 128 characters whose first 116 characters agree after escaping could share a
result, and then only on a 40-bit hash collision. Because junctions and edges share one
name space in testzone, the importer still checks the mapped ids of all junctions and edges
and refuses a network in which two of them coincide (see :func:`check_unique`).
"""

from __future__ import annotations

import hashlib
import string
from collections.abc import Iterable

from sim.model.errors import Issue, ModelError

MAX_ID_LENGTH = 128
"""Longest testzone identifier (characters)."""
_KEEP = frozenset(string.ascii_letters + string.digits + "_.:#/@+-")
_FIRST = frozenset(string.ascii_letters + string.digits)
_HASH_DIGITS = 10
_CUT = MAX_ID_LENGTH - 2 - _HASH_DIGITS


def sumo_id_to_testzone(sumo_id: str) -> str:
    """The testzone identifier of a SUMO junction or edge id (rule in the module docstring).

    Raises:
        ValueError: for an empty id (SUMO does not allow one either).
    """
    if not sumo_id:
        raise ValueError("an empty SUMO id has no testzone identifier")
    out = "".join(
        ch if ch in _KEEP else "".join(f"~{b:02x}" for b in ch.encode("utf-8")) for ch in sumo_id
    )
    if out[0] not in _FIRST:
        out = "_" + out
    if len(out) > MAX_ID_LENGTH:
        digest = hashlib.sha256(sumo_id.encode("utf-8")).hexdigest()[:_HASH_DIGITS]
        out = out[:_CUT] + "~~" + digest
    return out


def check_unique(file: str, mapped: Iterable[tuple[str, str]]) -> None:
    """Refuse two SUMO elements that map to the same testzone identifier.

    Args:
        file: the network file (for messages).
        mapped: ``(element path, testzone id)`` pairs, e.g. ``("junction[id=A0]", "A0")``.

    Raises:
        ModelError: one issue per clash, naming both elements.
    """
    seen: dict[str, str] = {}
    issues: list[Issue] = []
    for where, ident in mapped:
        other = seen.setdefault(ident, where)
        if other != where:
            issues.append(
                Issue(
                    file,
                    where,
                    f"maps to testzone id {ident!r}, as {other} does; testzone ids must be "
                    "unique across junctions and edges (rename one of them in SUMO)",
                )
            )
    if issues:
        raise ModelError(issues)
