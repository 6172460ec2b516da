"""``testzone check SCENARIO [--format text|json] [-o FILE]``: the static permit check.

Exit codes (DESIGN.md): 0 permitted, 1 refused (some violation is an error), 2 invalid input or
usage. The JSON form is the DESIGN.md contract; the text form gives each violation on a header
line, its message with the article, and one line saying what to change.
"""

from __future__ import annotations

import json
from pathlib import Path

from rich.console import Console

from sim.commands.import_cmd import write_text_atomic
from sim.model.bundle import load_scenario
from sim.model.errors import ModelError
from sim.model.files import display_name
from sim.rules.check import CheckReport, check_bundle
from sim.rules.violation import Violation

FORMATS = ("text", "json")


def _clock(t: float) -> str:
    """Seconds after the start as ``m:ss`` or ``h:mm:ss`` (to the second)."""
    sign = "-" if t < 0 else ""
    s = abs(round(t))
    h, rem = divmod(s, 3600)
    m, sec = divmod(rem, 60)
    return sign + (f"{h}:{m:02d}:{sec:02d}" if h else f"{m}:{sec:02d}")


def _count(n: int, word: str) -> str:
    return f"{n} {word}" + ("" if n == 1 else "s")


def format_violation(v: Violation) -> list[str]:
    """The text lines of one violation: header, message with its article, what to change."""
    head = [v.severity.upper().ljust(7), v.rule]
    if v.agent:
        head.append(v.agent)
    if v.zone:
        head.append(f"zone {v.zone}")
    if v.time is not None:
        a, b = v.time
        head.append(f"t={_clock(a)}" if abs(b - a) < 0.5 else f"t={_clock(a)}-{_clock(b)}")
    if v.where is not None:
        head.append("at ({:.0f}, {:.0f}, {:.0f}) m".format(*v.where))
    lines = ["  ".join(head), f"        {v.message} [{v.article}]"]
    if v.hint:
        lines.append(f"        -> {v.hint}")
    return lines


def format_text(report: CheckReport, source: str) -> str:
    """The whole text report."""
    verdict = report.verdict.upper()
    lines = [
        f"{source}: {report.scenario!r}: {verdict} ({_count(report.errors, 'error')}, "
        f"{_count(report.warnings, 'warning')}; {len(report.rules_checked)} rules checked)"
    ]
    for v in report.violations:
        lines += format_violation(v)
    for rule, why in report.skipped.items():
        lines.append(f"not checked: {rule} ({why})")
    return "\n".join(lines) + "\n"


def format_json(report: CheckReport) -> str:
    """The DESIGN.md JSON object, indented, with a final newline."""
    return json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n"


def run_check(scenario: Path, fmt: str = "text", output: Path | None = None) -> int:
    """Check a scenario and print (or write) the report; return 0, 1 or 2."""
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    if fmt not in FORMATS:
        err.print(f"--format: expected one of {', '.join(FORMATS)}, got {fmt!r}", markup=False)
        return 2
    try:
        bundle = load_scenario(scenario)
    except ModelError as exc:
        for issue in exc.issues:
            err.print(str(issue), markup=False)
        return 2
    report = check_bundle(bundle)
    text = format_json(report) if fmt == "json" else format_text(report, display_name(scenario))
    if output is None:
        out.print(text.rstrip("\n"), markup=False)
    else:
        try:
            write_text_atomic(text, output)
        except ModelError as exc:
            for issue in exc.issues:
                err.print(str(issue), markup=False)
            return 2
        out.print(
            f"wrote {display_name(output)}: {report.verdict} "
            f"({_count(report.errors, 'error')}, {_count(report.warnings, 'warning')})",
            markup=False,
        )
    return 1 if report.verdict == "refused" else 0
