"""The rule catalogue as a Markdown table (the table of docs/rules.md is its output)."""

from __future__ import annotations

from sim.rules.catalogue import catalogue


def catalogue_markdown() -> str:
    """Markdown tables of the static and the run-time rules, sorted by id."""
    out = []
    for stage, title in (("static", "Static rules (`testzone check`)"),
                         ("runtime", "Run-time rules (`testzone run`)")):  # fmt: skip
        out.append(f"### {title}\n")
        out.append("| id | severity | conf. | domains | title | rests on |")
        out.append("|---|---|---|---|---|---|")
        for r in sorted(catalogue().values(), key=lambda r: r.id):
            if r.stage != stage:
                continue
            note = f" *{r.note}*" if r.note else ""
            out.append(
                f"| `{r.id}` | {r.severity} | {r.confidence} | {', '.join(r.domains)} | "
                f"{r.title} | {r.article}.{note} |"
            )
        out.append("")
    return "\n".join(out)
