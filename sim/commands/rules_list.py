"""``testzone rules [--format text|json]``: the rule catalogue."""

from __future__ import annotations

import json

from rich.console import Console

from sim.rules.catalogue import Rule, catalogue


def rule_json(rule: Rule) -> dict[str, object]:
    """A catalogue entry as JSON."""
    return {
        "id": rule.id,
        "title": rule.title,
        "article": rule.article,
        "confidence": rule.confidence,
        "severity": rule.severity,
        "domains": list(rule.domains),
        "stage": rule.stage,
        "note": rule.note,
    }


def run_rules(fmt: str = "text") -> int:
    """Print the catalogue (static rules first, then run-time rules); return 0, or 2 on usage."""
    out = Console(highlight=False, soft_wrap=True)
    rules = sorted(catalogue().values(), key=lambda r: (r.stage != "static", r.id))
    if fmt == "json":
        out.print(
            json.dumps([rule_json(r) for r in rules], ensure_ascii=False, indent=2),
            markup=False,
        )
        return 0
    if fmt != "text":
        Console(stderr=True).print(f"--format: expected text or json, got {fmt!r}", markup=False)
        return 2
    n_static = sum(1 for r in rules if r.stage == "static")
    out.print(
        f"{n_static} static rules (testzone check), {len(rules) - n_static} run-time rules "
        "(testzone run)",
        markup=False,
    )
    out.print(
        f"{'id':<28} {'stage':<8} {'severity':<8} {'conf':<4} {'domains':<13} title", markup=False
    )
    for r in rules:
        out.print(
            f"{r.id:<28} {r.stage:<8} {r.severity:<8} {r.confidence:<4} "
            f"{','.join(r.domains):<13} {r.title}",
            markup=False,
        )
        out.print(f"{'':<28} rests on: {r.article}", markup=False)
        if r.note:
            out.print(f"{'':<28} note: {r.note}", markup=False)
    out.print(
        "Confidence of the source: V read in the legal text or standard, S secondary source, "
        "U not verified. Errors refuse a plan (exit 1); warnings inform.",
        markup=False,
    )
    return 0
