"""Batch runs: a sweep file -> many (scenario, parameters, seed) runs -> a Parquet table.

- :mod:`sim.batch.paths`: field paths (``flow[bg-grid].rate``) and overrides of a scenario.
- :mod:`sim.batch.sweep`: the sweep file (``sweep.toml``) and the plan of runs it expands to.
- :mod:`sim.batch.metrics`: the metrics a sweep can collect, read from a finished run.
- :mod:`sim.batch.tasks`: one run in a worker: the row of results it gives; the warm-up.
- :mod:`sim.batch.executors`: in-process, local process pool and Dask distributed executors.
- :mod:`sim.batch.results`: durable Parquet parts, resume, combining into one file.
- :mod:`sim.batch.driver`: a batch from plan to results.
- :mod:`sim.batch.summarize`: a table and a plot of a results file.

The format and the guarantees (determinism, durability, exit codes) are in ``docs/batch.md``.
"""
