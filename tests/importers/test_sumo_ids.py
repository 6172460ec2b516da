"""SUMO id -> testzone identifier: valid, injective, readable where possible."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sim.importers.sumo_ids import MAX_ID_LENGTH, check_unique, sumo_id_to_testzone
from sim.model.errors import ModelError

IDENT = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.:#~/@+-]*$")


@pytest.mark.parametrize(
    ("sumo", "ours"),
    [
        ("A0B0", "A0B0"),
        ("104010354", "104010354"),
        ("653473569#5", "653473569#5"),
        ("-653473569#5", "_-653473569#5"),
        ("_x", "__x"),
        ("x~1", "x~7e1"),
        ("a b", "a~20b"),
        ("ä", "_~c3~a4"),
        ("gneE3[0]", "gneE3~5b0~5d"),
    ],
)
def test_examples(sumo: str, ours: str) -> None:
    assert sumo_id_to_testzone(sumo) == ours


def test_long_ids_are_cut_with_a_hash() -> None:
    long_a = "cluster_" + "_".join(str(1200363791 + i) for i in range(15))
    long_b = long_a[:-1] + "9"
    a, b = sumo_id_to_testzone(long_a), sumo_id_to_testzone(long_b)
    assert len(a) == len(b) == MAX_ID_LENGTH
    assert a != b and "~~" in a and IDENT.match(a)
    assert sumo_id_to_testzone(long_a) == a  # deterministic


@given(st.text(min_size=1, max_size=150))
def test_always_a_valid_identifier(sumo: str) -> None:
    ours = sumo_id_to_testzone(sumo)
    assert IDENT.match(ours) and len(ours) <= MAX_ID_LENGTH


@given(st.text(min_size=1, max_size=40), st.text(min_size=1, max_size=40))
def test_injective(a: str, b: str) -> None:
    if a != b:
        assert sumo_id_to_testzone(a) != sumo_id_to_testzone(b)


def test_empty_id() -> None:
    with pytest.raises(ValueError, match="empty"):
        sumo_id_to_testzone("")


def test_clash_is_refused() -> None:
    with pytest.raises(ModelError) as exc:
        check_unique("n.net.xml", [("junction[id=7]", "7"), ("edge[id=7]", "7")])
    (issue,) = exc.value.issues
    assert issue.path == "edge[id=7]" and "junction[id=7]" in issue.message
