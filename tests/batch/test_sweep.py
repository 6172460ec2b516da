"""The sweep file: expansion into runs, determinism of ids and samples, and bad input."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from sim.batch.sweep import load_plan
from sim.cli import app
from sim.model.errors import ModelError
from tests.batch.helpers import SMALL, UAV, write_sweep

runner = CliRunner()

RANDOM = """
name = "random"
scenario = "{scenario}"
mode = "random"
samples = {samples}
sampling_seed = 11
seeds = [3, 5]

[[parameter]]
path = "wind.speed"
range = ["0 m/s", "12 m/s"]
{extra}
[[parameter]]
path = "separation.rpz"
values = [30, 50, "0.1 km"]
"""


def test_grid_expands_point_major_with_si_columns(tmp_path: Path) -> None:
    plan = load_plan(write_sweep(tmp_path, SMALL))
    assert [(r.point, r.replication, r.seed) for r in plan.runs] == [
        (0, 0, 7),
        (0, 1, 8),
        (1, 0, 7),
        (1, 1, 8),
    ]
    assert [r.run for r in plan.runs] == [0, 1, 2, 3]
    assert len({r.run_id for r in plan.runs}) == 4
    assert [p.columns["grid_rate"] for p in plan.points] == pytest.approx([300 / 3600, 1 / 3])
    assert plan.param_columns == [("grid_rate", "float")]
    assert plan.points[1].overrides == (('flow["bg-grid"].rate', "1200 /h"),)


def test_run_ids_depend_on_what_determines_the_result(tmp_path: Path) -> None:
    ids = [r.run_id for r in load_plan(write_sweep(tmp_path, SMALL)).runs]
    # reordering the values keeps each run's id; another `until` changes them all
    swapped = SMALL.replace('["300 /h", "1200 /h"]', '["1200 /h", "300 /h"]')
    assert {r.run_id for r in load_plan(write_sweep(tmp_path, swapped)).runs} == set(ids)
    longer = load_plan(write_sweep(tmp_path, SMALL, until="90 s"))
    assert not {r.run_id for r in longer.runs} & set(ids)
    # the same value written another way is another override (ids hash what is written)
    assert load_plan(write_sweep(tmp_path, SMALL)).runs[0].run_id == ids[0]


def test_random_samples_are_seeded_and_stable(tmp_path: Path) -> None:
    def values(samples: int, extra: str = "") -> list[tuple[float, float]]:
        path = write_sweep(tmp_path, RANDOM, scenario=UAV.as_posix(), samples=samples, extra=extra)
        plan = load_plan(path)
        return [(p.columns["wind.speed"], p.columns["separation.rpz"]) for p in plan.points]

    five = values(5)
    assert values(5) == five
    assert values(8)[:5] == five  # more samples keep the earlier ones
    assert all(0 <= w <= 12 for w, _ in five)
    assert {r for _, r in values(8)} <= {30.0, 50.0, 100.0}
    gusts = "[[parameter]]\npath = 'wind.gust_std'\nrange = [0.0, 2.0]\n"
    assert values(5, gusts) == five  # another parameter does not change these draws
    plan = load_plan(write_sweep(tmp_path, RANDOM, scenario=UAV.as_posix(), samples=3, extra=""))
    assert [r.seed for r in plan.runs] == [3, 5, 3, 5, 3, 5]


BAD = [
    ("parameters = []\n", "sweep.toml: parameters: unknown field 'parameters' (did you mean"),
    ('metrics = ["min_tcc"]\n', "sweep.toml: metrics: unknown metric 'min_tcc' (did you mean"),
    ('mode = "random"\n', "sweep.toml: samples: mode = 'random' needs the number of samples"),
    ("replications = 0\n", "sweep.toml: replications: Input should be greater than or equal"),
    ("seeds = [1, 1]\n", "sweep.toml: seeds: a seed is listed twice"),
    ('until = "soon"\n', "sweep.toml: until: expected a duration like '15 min'"),
    (
        '[[parameter]]\npath = "flow[bg-grd].rate"\nvalues = [1]\n',
        "sweep.toml: parameter[1].path: 'flow' has no item with id 'bg-grd' "
        "(did you mean 'bg-grid'?)",
    ),
    (
        '[[parameter]]\npath = "flow[bg-grid.rate"\nvalues = [1]\n',
        "sweep.toml: parameter[1].path: malformed path",
    ),
    (
        '[[parameter]]\npath = "separation.rpz"\nvalues = [50, "-5 m"]\n',
        'sweep.toml: parameter[1].values[1]: separation.rpz = "-5 m": Input should be greater '
        "than 0",
    ),
    (
        '[[parameter]]\npath = "separation.rpz"\nvalues = ["50 parsecs"]\n',
        'sweep.toml: parameter[1].values[0]: separation.rpz = "50 parsecs": unknown length '
        "unit 'parsecs'",
    ),
    (
        '[[parameter]]\npath = "separation.rzp"\nvalues = [50]\n',
        "sweep.toml: parameter[1].values[0]: separation.rzp = 50: unknown field 'rzp' "
        "(did you mean 'rpz'?)",
    ),
    (
        '[[parameter]]\npath = "separation.rpz"\nrange = [1, 2]\n',
        "sweep.toml: parameter[1].values: mode = 'grid' needs a list of values",
    ),
    (
        '[[parameter]]\npath = "seed"\nvalues = [1, 2]\n',
        "sweep.toml: parameter[1].path: vary seeds with 'replications' or 'seeds'",
    ),
    (
        '[[parameter]]\npath = "separation.rpz"\nvalues = [50, 50]\n',
        "sweep.toml: parameter[1].values[1]: same value as values[0]",
    ),
    (
        '[[parameter]]\npath = "flow[bg-grid].rate"\nvalues = [1]\n',
        "sweep.toml: parameter[1].path: same field as parameter[0]",
    ),
]


HEAD = """
name = "small"
scenario = "{scenario}"
until = "60 s"
"""
PARAM = """
[[parameter]]
path = "flow[bg-grid].rate"
values = ["300 /h", "1200 /h"]
"""


@pytest.mark.parametrize(("extra", "message"), BAD)
def test_bad_sweeps_exit_2_naming_the_field(
    extra: str, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    if "[[" in extra:
        body = HEAD + PARAM + extra
    else:
        body = HEAD.replace('until = "60 s"\n', "") + extra + PARAM
    write_sweep(tmp_path, body)
    result = runner.invoke(app, ["batch", "sweep.toml"])
    assert result.exit_code == 2, result.output
    assert message in result.output, result.output
    assert "Traceback" not in result.output
    assert not list(tmp_path.glob("*.parquet*"))


def test_missing_scenario_and_sweep_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_sweep(tmp_path, 'scenario = "nope.toml"\n')
    result = runner.invoke(app, ["batch", "sweep.toml"])
    assert result.exit_code == 2
    assert "sweep.toml: scenario: file not found: 'nope.toml'" in result.output
    result = runner.invoke(app, ["batch", "missing.toml"])
    assert result.exit_code == 2
    assert "missing.toml: file not found" in result.output
    (tmp_path / "broken.toml").write_text("scenario = [\n", encoding="utf-8")
    result = runner.invoke(app, ["batch", "broken.toml"])
    assert result.exit_code == 2
    assert "broken.toml: TOML syntax error" in result.output


def test_cross_file_problem_of_a_point_names_the_point(tmp_path: Path) -> None:
    body = SMALL + '\n[[parameter]]\npath = "duration"\nvalues = ["30 min", "20 s"]\n'
    with pytest.raises(ModelError) as info:
        load_plan(write_sweep(tmp_path, body))
    text = str(info.value)
    # a 20 s scenario cannot have a departure at 30 s: reported against the value
    assert "parameter[1].values[1]" in text or "the scenario is invalid" in text


def test_usage_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write_sweep(tmp_path, SMALL)
    for args, message in (
        (["batch", "sweep.toml", "--workers", "0"], "--workers"),
        (["batch", "sweep.toml", "--retry-errors"], "--retry-errors: only with --resume"),
        (["batch", "sweep.toml", "-o", "no/dir/r.parquet"], "does not exist"),
    ):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, result.output
        assert message in result.output
