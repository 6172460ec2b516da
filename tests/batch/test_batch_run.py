"""Running sweeps: the same rows on every executor, failures as rows, resume, traces, summaries."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from sim.batch.sweep import load_plan
from sim.cli import app
from sim.commands import run as run_module
from tests.batch.helpers import SMALL, reproducible, write_sweep

runner = CliRunner()


def batch(*args: str) -> Any:
    return runner.invoke(app, ["batch", *args], env={"COLUMNS": "200"})


@pytest.fixture(scope="module")
def serial(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, pd.DataFrame]:
    """The small sweep run in process (one worker): the reference rows."""
    folder = tmp_path_factory.mktemp("serial")
    sweep = write_sweep(folder, SMALL)
    out = folder / "r.parquet"
    result = batch(str(sweep), "-o", str(out), "--workers", "1")
    assert result.exit_code == 0, result.output
    return sweep, pd.read_parquet(out)


def test_one_row_per_run_with_the_promised_columns(serial: tuple[Path, pd.DataFrame]) -> None:
    sweep, df = serial
    plan = load_plan(sweep)
    assert list(df["run_id"]) == [r.run_id for r in plan.runs]
    assert list(df["run"]) == [0, 1, 2, 3]
    assert list(df["seed"]) == [7, 8, 7, 8]
    assert list(df["grid_rate"]) == pytest.approx([1 / 12, 1 / 12, 1 / 3, 1 / 3])
    for col in (
        "verdict",
        "error",
        "violations",
        "violations.separation.loss",
        "collisions",
        "uav_separation_losses",
        "min_ttc",
        "mean_speed",
        "arrived",
        "sim_time",
        "wall_time",
        "trace",
        "params",
    ):
        assert col in df.columns, col
    assert set(df["verdict"]) <= {"pass", "fail"}
    assert df["error"].isna().all() and df["trace"].isna().all()
    assert (df["sim_time"] == 60.0).all() and (df["wall_time"] > 0).all()
    assert (df["mean_speed"] > 0).all() and (df["arrived"] >= 0).all()
    # more background traffic on the grid spawns more vehicles
    spawned = df.groupby("grid_rate")["spawned"].mean()
    assert spawned.iloc[1] > spawned.iloc[0]


def test_two_workers_give_identical_rows(serial: tuple[Path, pd.DataFrame], tmp_path: Path) -> None:
    sweep, ref = serial
    out = tmp_path / "pool.parquet"
    result = batch(str(sweep), "-o", str(out), "--workers", "2")
    assert result.exit_code == 0, result.output
    assert "process pool, 2 worker(s)" in result.output
    pd.testing.assert_frame_equal(reproducible(pd.read_parquet(out)), reproducible(ref))


@pytest.mark.slow
def test_a_dask_cluster_gives_identical_rows(
    serial: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    distributed = pytest.importorskip("distributed")
    sweep, ref = serial
    out = tmp_path / "dask.parquet"
    with distributed.LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
    ) as cluster:
        result = batch(str(sweep), "-o", str(out), "--scheduler", cluster.scheduler_address)
    assert result.exit_code == 0, result.output
    assert "dask, 2 worker(s)" in result.output
    pd.testing.assert_frame_equal(reproducible(pd.read_parquet(out)), reproducible(ref))


def test_unreachable_scheduler_exits_2(
    serial: tuple[Path, pd.DataFrame], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pytest.importorskip("distributed")
    from sim.commands.batch import run_batch_command

    sweep, _ = serial
    out = tmp_path / "x.parquet"
    code = run_batch_command(
        sweep, out, None, "tcp://127.0.0.1:9", False, quiet=True, connect_timeout=1.0
    )
    assert code == 2
    assert "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in capsys.readouterr().err


def test_a_run_that_raises_is_a_row(
    serial: tuple[Path, pd.DataFrame], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sweep, ref = serial
    real = run_module.simulate

    def flaky(bundle: Any, out: Any, **kw: Any) -> Any:
        if kw["seed"] == 8:
            raise RuntimeError("engine exploded\nat tick 5")
        return real(bundle, out, **kw)

    monkeypatch.setattr("sim.commands.batch.simulate", flaky)
    out = tmp_path / "r.parquet"
    result = batch(str(sweep), "-o", str(out), "--workers", "1")
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    df = pd.read_parquet(out)
    assert len(df) == 4
    bad = df[df["seed"] == 8]
    assert list(bad["verdict"]) == ["error", "error"]
    assert list(bad["error"]) == ["RuntimeError: engine exploded at tick 5"] * 2
    assert bad["arrived"].isna().all() and bad["wall_time"].notna().all()
    assert f"run {bad['run_id'].iloc[0]}: RuntimeError: engine exploded" in result.output
    good = df[df["seed"] == 7].drop(columns="wall_time").reset_index(drop=True)
    pd.testing.assert_frame_equal(
        good,
        ref[ref["seed"] == 7].drop(columns="wall_time").reset_index(drop=True),
        check_dtype=False,
    )

    # --resume skips the errored runs too; --retry-errors runs them again
    monkeypatch.setattr("sim.commands.batch.simulate", real)
    result = batch(str(sweep), "-o", str(out), "--workers", "1", "--resume")
    assert result.exit_code == 1 and "0 run now, 4 recorded before" in result.output
    result = batch(str(sweep), "-o", str(out), "--workers", "1", "--resume", "--retry-errors")
    assert result.exit_code == 0, result.output
    assert "2 run now, 2 recorded before" in result.output
    pd.testing.assert_frame_equal(reproducible(pd.read_parquet(out)), reproducible(ref))


def test_a_failing_run_in_a_worker_process_is_a_row_and_traces_are_kept(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    sweep = write_sweep(tmp_path, SMALL.replace("replications = 2", "keep_traces = true"))
    plan = load_plan(sweep)
    # the trace of the first run cannot be written (a folder is in its place): that run fails
    blocked = tmp_path / "r.traces" / f"{plan.runs[0].run_id}.tztrace"
    blocked.mkdir(parents=True)
    result = batch("sweep.toml", "-o", "r.parquet", "--workers", "2")
    assert result.exit_code == 1, result.output
    df = pd.read_parquet("r.parquet")
    assert list(df["verdict"].eq("error")) == [True, False]
    assert df["error"].iloc[0].startswith(("IsADirectoryError", "OSError", "PermissionError"))
    trace = df["trace"].iloc[1]
    assert trace == f"r.traces/{plan.runs[1].run_id}.tztrace"

    from sim.trace import TraceReader

    with TraceReader(tmp_path / trace) as r:
        assert r.header["seed"] == 7
        assert r.times[-1] == pytest.approx(60.0)


def test_resume_extends_and_overwrite_restarts(tmp_path: Path) -> None:
    sweep = write_sweep(tmp_path, SMALL.replace("replications = 2", "replications = 1"))
    out = tmp_path / "r.parquet"
    assert batch(str(sweep), "-o", str(out), "--workers", "1").exit_code == 0
    first = pd.read_parquet(out)
    result = batch(str(sweep), "-o", str(out), "--workers", "1")
    assert result.exit_code == 2
    assert "pass --resume to continue them, or --overwrite" in result.output
    # two more seeds: only the new runs execute, the recorded rows stay as they were
    write_sweep(tmp_path, SMALL.replace("replications = 2", "replications = 3"))
    result = batch(str(sweep), "-o", str(out), "--workers", "1", "--resume")
    assert result.exit_code == 0, result.output
    assert "4 run now, 2 recorded before, of 6" in result.output
    df = pd.read_parquet(out)
    assert list(df["run"]) == list(range(6)) and df["run_id"].is_unique
    kept = df[df["run_id"].isin(first["run_id"])]
    assert list(kept["wall_time"]) == list(first["wall_time"])
    assert list(kept["run"]) == [0, 3]  # renumbered for the extended sweep
    # one seed again: the rows of runs no longer in the sweep are left out, with a note
    write_sweep(tmp_path, SMALL.replace("replications = 2", "replications = 1"))
    result = batch(str(sweep), "-o", str(out), "--workers", "1", "--resume")
    assert result.exit_code == 0 and "4 recorded runs are no longer in the sweep" in result.output
    assert len(pd.read_parquet(out)) == 2
    result = batch(str(sweep), "-o", str(out), "--workers", "1", "--overwrite")
    assert result.exit_code == 0 and "2 run now, 0 recorded before" in result.output


def test_summarize_prints_a_table_and_writes_a_plot(
    serial: tuple[Path, pd.DataFrame], tmp_path: Path
) -> None:
    sweep, _ = serial
    out = tmp_path / "r.parquet"
    assert batch(str(sweep), "-o", str(out), "--workers", "1", "-q").exit_code == 0
    result = batch("summarize", str(out))
    assert result.exit_code == 0, result.output
    assert "grid_rate" in result.output and "mean_speed" in result.output
    assert "0.08333" in result.output and "0.3333" in result.output
    png = tmp_path / "r.png"
    assert png.is_file() and png.read_bytes()[:4] == b"\x89PNG"
    other = tmp_path / "plot.svg"
    result = batch("summarize", str(out), "-m", "arrived", "-m", "tet", "--plot", str(other))
    assert result.exit_code == 0 and other.is_file()
    assert batch("summarize", str(out), "--x", "nope").exit_code == 2
    assert batch("summarize", str(out), "-m", "nope").exit_code == 2
    missing = batch("summarize", str(tmp_path / "missing.parquet"))
    assert missing.exit_code == 2 and "file not found" in missing.output
    pd.DataFrame({"a": [1]}).to_parquet(tmp_path / "other.parquet")
    result = batch("summarize", str(tmp_path / "other.parquet"))
    assert result.exit_code == 2 and "not a testzone results file" in result.output


def test_the_bundled_sweeps_are_valid() -> None:
    from tests.conftest import ROOT

    sweeps = sorted((ROOT / "scenarios" / "sweeps").glob("*.toml"))
    assert sweeps
    for path in sweeps:
        plan = load_plan(path)
        assert 4 <= len(plan.runs) <= 40, path
        assert plan.sweep.until is not None and plan.sweep.until <= 900
