"""Durability: ``kill -9`` of a batch mid-run, then ``--resume``, gives every run exactly once."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq
import pytest
from typer.testing import CliRunner

from sim.batch.results import ResultStore
from sim.batch.sweep import load_plan
from sim.cli import app
from tests.batch.helpers import write_sweep
from tests.conftest import ROOT

runner = CliRunner()

LONGER = """
name = "kill me"
scenario = "{scenario}"
replications = 4
until = "{until}"
metrics = ["violations", "arrived", "mean_speed"]

[[parameter]]
path = "flow[bg-grid].rate"
values = ["300 /h", "600 /h", "900 /h"]
"""
"""3 points x 4 seeds = 12 runs of about half a second each."""


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.slow
def test_kill_9_then_resume_gives_every_run_exactly_once(tmp_path: Path) -> None:
    sweep = write_sweep(tmp_path, LONGER, until="4 min")
    out = tmp_path / "r.parquet"
    store = ResultStore(out)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen(
        [sys.executable, "-m", "sim.cli", "batch", str(sweep), "-o", str(out), "-w", "2", "-q"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its workers are in its process group: none is left behind
    )
    try:
        deadline = time.monotonic() + 120
        while not store.parts() and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        assert proc.poll() is None, "the batch finished before it could be killed"
        assert store.parts(), "no part was written in time"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
        assert proc.stderr is not None
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL
    # the orphaned workers notice and exit by themselves (the forkserver follows them)
    deadline = time.monotonic() + 15
    while _group_alive(proc.pid) and time.monotonic() < deadline:
        time.sleep(0.1)
    alive = _group_alive(proc.pid)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)
    assert not alive, "worker processes outlived the killed batch"
    assert not out.exists()
    before = pd.concat([pq.read_table(p).to_pandas() for p in store.parts()])
    plan = load_plan(sweep)
    assert 0 < len(before) < len(plan.runs)

    # summarize reads what the killed batch left (and combines its parts)
    result = runner.invoke(app, ["batch", "summarize", str(out), "--no-plot"])
    assert result.exit_code == 0, result.output
    assert out.exists() and not store.parts()

    result = runner.invoke(
        app, ["batch", str(sweep), "-o", str(out), "-w", "2", "--resume"], env={"COLUMNS": "200"}
    )
    assert result.exit_code == 0, result.output
    n_before = before["run_id"].nunique()
    assert f"{len(plan.runs) - n_before} run now, {n_before} recorded before" in result.output
    df = pd.read_parquet(out)
    assert list(df["run_id"]) == [r.run_id for r in plan.runs]  # each once, in run order
    assert list(df["run"]) == list(range(len(plan.runs)))
    assert (df["verdict"] != "error").all()
    # the runs finished before the kill were not run again
    kept = df.set_index("run_id").loc[before["run_id"], "wall_time"]
    assert list(kept) == list(before["wall_time"])
