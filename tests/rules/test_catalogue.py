"""The rule catalogue: stable ids, sources with confidence, templates, and the run-time ids."""

from __future__ import annotations

import re
import string

from sim.rules import airspace, evidence, icv, permits, ship, speeds, strategic, uav, zones
from sim.rules.catalogue import catalogue, make, static_rules

RUNTIME = {
    "fence.prohibited",
    "fence.authorisation",
    "fence.left_test_area",
    "fence.speeding",
    "collision.icv",
    "collision.uav",
    "collision.ship",
    "collision.obstacle",
    "separation.loss",
    "permit.speed_exceeded",
    "permit.altitude_exceeded",
}


def test_ids_are_stable_dotted_names() -> None:
    for rid, rule in catalogue().items():
        assert rid == rule.id
        assert re.fullmatch(r"[a-z]+\.[a-z_]+", rid), rid
        assert rule.severity in ("error", "warning")
        assert rule.confidence in ("V", "S", "U", "S/U")
        assert rule.title and rule.article and rule.message


def test_runtime_rules_of_the_engine_are_in_the_catalogue_with_these_exact_ids() -> None:
    runtime = {r.id for r in catalogue().values() if r.stage == "runtime"}
    assert runtime == RUNTIME


def test_every_rule_the_engine_reports_is_a_runtime_rule_of_the_catalogue() -> None:
    import re

    from tests.conftest import ROOT

    emitted: set[str] = set()
    for path in (ROOT / "sim" / "engine").glob("*.py"):
        text = path.read_text(encoding="utf-8")
        emitted |= set(re.findall(r'"((?:fence|collision|separation|permit)\.[a-z_]+)"', text))
    assert emitted == RUNTIME


def test_every_static_rule_is_evaluated_by_one_group() -> None:
    groups = [airspace, evidence, icv, permits, ship, speeds, strategic, uav, zones]
    evaluated = [r for g in groups for r in g.RULES]
    assert len(evaluated) == len(set(evaluated))
    assert sorted(evaluated) == list(static_rules())


def test_secondary_and_unverified_sources_say_so() -> None:
    for rule in catalogue().values():
        cite = rule.cite()
        if rule.confidence == "V":
            assert cite == rule.article
        else:
            assert f": {rule.confidence})" in cite, cite


def test_templates_name_only_fields_and_render() -> None:
    fmt = string.Formatter()
    for rule in catalogue().values():
        for template in (rule.message, rule.hint):
            names = {f for _, f, _, _ in fmt.parse(template) if f}
            values = {n.split(":")[0]: 1.0 for n in names}
            template.format(**values)  # every placeholder is a plain name


def test_make_fills_article_message_and_hint() -> None:
    v = make(
        "zone.authorisation",
        agent="uav-7",
        zone="hospital-3",
        time=(1, 2),
        where=(1, 2, 3),
        permit="P-7",
    )
    assert v.rule == "zone.authorisation" and v.severity == "error"
    assert v.hint == "add zone hospital-3 to permit P-7, or route uav-7 around it"
    assert "Decree 761 Art. 19" in v.article
    assert v.time == (1.0, 2.0) and v.where == (1.0, 2.0, 3.0)


def test_docs_rules_md_holds_the_catalogue_table() -> None:
    from sim.rules.docs import catalogue_markdown
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert catalogue_markdown() in text, (
        "docs/rules.md is out of date: paste the output of "
        "python -c 'from sim.rules.docs import catalogue_markdown; print(catalogue_markdown())'"
    )
