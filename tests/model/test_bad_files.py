"""Every file of the bad corpus exits 2, names the field path and prints no traceback."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib

import pytest
from typer.testing import CliRunner

from sim.cli import app
from tests.conftest import ROOT, TEST_DATA

BAD = TEST_DATA / "bad"
CASES = tomllib.loads((BAD / "expected.toml").read_text(encoding="utf-8"))["case"]


def test_corpus_is_large_and_fully_described() -> None:
    files = {p.name for p in BAD.iterdir() if p.name != "expected.toml"}
    described = {c["file"] for c in CASES}
    assert len(CASES) >= 30
    assert files == described, "every bad file needs an entry in expected.toml (and vice versa)"


@pytest.mark.parametrize("case", CASES, ids=[c["file"] for c in CASES])
def test_bad_file_is_reported(case: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    rel = f"tests/data/bad/{case['file']}"
    result = CliRunner().invoke(app, ["validate", rel])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    assert result.exit_code == 2
    text = result.output
    assert "Traceback" not in text
    prefix = f"{rel}: {case['path']}: " if case["path"] else f"{rel}: "
    lines = [ln for ln in text.splitlines() if ln.startswith(prefix)]
    assert lines, f"no line starts with {prefix!r}:\n{text}"
    assert any(case["message"] in ln for ln in lines), f"{case['message']!r} not in:\n{text}"


@pytest.mark.parametrize(
    "name",
    [
        "toml-syntax.toml",
        "disconnected-route.toml",
        "map-self-intersecting.geojson",
        "not-utf8.toml",
        "zones-bad-window.geojson",
    ],
)
def test_real_command_exits_2_without_traceback(name: str) -> None:
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    proc = subprocess.run(
        [sys.executable, "-m", "sim.cli", "validate", f"tests/data/bad/{name}"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.startswith(f"tests/data/bad/{name}: ")


def test_all_problems_in_one_file_are_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(app, ["validate", "tests/data/bad/empty.toml"])
    for field in ("name", "start", "duration", "map"):
        assert f"tests/data/bad/empty.toml: {field}: required field is missing" in result.output
