"""The permit-check case table: every case gives its verdict and exactly its rule ids."""

from __future__ import annotations

import pytest

from sim.rules.catalogue import catalogue, static_rules
from sim.rules.check import check_bundle
from tests.rules.casetable import Case, build, load_cases

CASES = load_cases()


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_case(case: Case) -> None:
    report = check_bundle(build(case))
    found = sorted({v.rule for v in report.violations})
    detail = "\n".join(f"{v.severity} {v.rule} {v.agent}: {v.message}" for v in report.violations)
    assert found == sorted(case.rules), detail
    assert report.verdict == case.verdict, detail
    if case.agents is not None:
        errors = sorted({v.agent for v in report.violations if v.severity == "error"})
        assert errors == sorted(case.agents), detail
    for v in report.violations:
        assert v.rule in report.rules_checked


def test_table_is_large_enough_and_names_are_unique() -> None:
    assert len(CASES) >= 80
    assert len({c.name for c in CASES}) == len(CASES)


def test_table_rule_ids_exist() -> None:
    known = set(catalogue())
    for c in CASES:
        assert set(c.rules) <= known, c.name
        assert set(c.covers) <= known, c.name


def test_every_static_rule_is_covered_both_ways() -> None:
    fires = {r for c in CASES for r in c.rules}
    holds = {r for c in CASES for r in c.covers if r not in c.rules}
    missing_fire = sorted(set(static_rules()) - fires)
    missing_hold = sorted(set(static_rules()) - holds)
    assert missing_fire == [] and missing_hold == []


def test_every_error_rule_has_a_rejected_case_of_its_own() -> None:
    """Each error rule refuses some case where it is the only rule reported."""
    alone = {c.rules[0] for c in CASES if len(c.rules) == 1 and c.expect == "MustBeRejected"}
    errors = {r for r in static_rules() if catalogue()[r].severity == "error"}
    assert sorted(errors - alone) == []
