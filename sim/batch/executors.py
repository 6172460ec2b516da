"""Where the runs of a batch execute: in process, in a local process pool, or on Dask.

Each executor takes an iterator of :class:`~sim.batch.tasks.Task` and yields one row per task
as the runs finish (in any order). It keeps only a few tasks in flight (twice its worker
count), so a sweep of a million runs never holds a million scenarios in memory. Failures of the
machinery (a worker process that died, a Dask worker lost) become error rows of the tasks that
were in flight, like a run that raised.

- :class:`SerialExecutor`: in this process, one run after another (``--workers 1``).
- :class:`PoolExecutor`: a :class:`concurrent.futures.ProcessPoolExecutor`. Workers are
  started with ``forkserver`` where available (Linux, macOS), else ``spawn``: never plain
  ``fork`` of a parent that has live threads (rich's progress bar) and numba's state. The
  forkserver imports the engine once; each worker forked from it then only loads the compiled
  kernels from numba's on-disk cache, which the parent fills first (:func:`~sim.batch.tasks.warm`).
- :class:`DaskExecutor`: a ``distributed.Client`` on a scheduler address (or a
  ``LocalCluster`` it starts for ``local``); each worker first runs a warm-up task, one worker
  before the others, so a cache on a shared file system is compiled once.
"""

from __future__ import annotations

import contextlib
import multiprocessing as mp
import os
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from types import TracebackType
from typing import Any, Self

from sim.batch.tasks import Runner, Task, describe_error, error_row, execute, warm


class ExecutorError(RuntimeError):
    """The executor cannot start (e.g. the Dask scheduler is unreachable)."""


class Executor:
    """Base: runs tasks and yields their rows as they finish."""

    name = "executor"
    workers = 1

    def __init__(self, runner: Runner) -> None:
        self.runner = runner

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close(abort=exc is not None)

    def prestart(self) -> None:
        """Begin starting up what does not need the compile cache (while the parent warms it)."""

    def start(self, warm_task: Task | None = None) -> None:
        """Start the workers; ``warm_task`` is a task whose scenario warms each worker."""

    def run(self, tasks: Iterator[Task]) -> Iterator[dict[str, Any] | None]:
        """Execute the tasks; yield each one's row as it finishes.

        ``None`` is yielded when nothing finished for :data:`HEARTBEAT` seconds, so the caller
        can write what it holds on time.
        """
        raise NotImplementedError

    def close(self, abort: bool = False) -> None:
        """Stop the workers (``abort``: without waiting for running tasks)."""


class SerialExecutor(Executor):
    """Runs the tasks in this process, one after another."""

    name = "in process"

    def run(self, tasks: Iterator[Task]) -> Iterator[dict[str, Any] | None]:
        """Execute each task here, in order."""
        for task in tasks:
            yield execute(task, self.runner)


HEARTBEAT = 0.5
"""Longest time (s) an executor waits for a finished run before yielding ``None``."""
PARENT_POLL = 0.5
"""Interval (s) at which a worker checks that the batch process is still there."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:  # e.g. no permission to signal it: it exists
        return True
    return True


def _watch_parent(pid: int) -> None:
    while True:
        time.sleep(PARENT_POLL)
        if not _alive(pid):
            os._exit(1)  # nobody will collect this worker's results


def _init_worker(parent: int) -> None:
    """Set a worker up: ignore Ctrl-C and exit when the batch process is gone.

    Ctrl-C reaches the whole process group; the parent stops the workers itself (after writing
    what has finished). A batch killed with ``kill -9`` cannot stop them, and a pool worker
    blocks on its queue for ever, so each worker watches the batch's process id.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def default_start_method() -> str:
    """``forkserver`` where the platform has it, else ``spawn``."""
    return "forkserver" if "forkserver" in mp.get_all_start_methods() else "spawn"


class PoolExecutor(Executor):
    """A local pool of worker processes."""

    name = "process pool"

    def __init__(self, runner: Runner, workers: int, start_method: str | None = None) -> None:
        super().__init__(runner)
        self.workers = max(1, int(workers))
        self.start_method = start_method or default_start_method()
        self.pool: ProcessPoolExecutor | None = None

    def _new_pool(self) -> ProcessPoolExecutor:
        ctx = mp.get_context(self.start_method)
        if self.start_method == "forkserver":
            # imported once in the server; every worker forks with the engine loaded
            ctx.set_forkserver_preload(self._preload())
        return ProcessPoolExecutor(
            max_workers=self.workers,
            mp_context=ctx,
            initializer=_init_worker,
            initargs=(os.getpid(),),
        )

    def prestart(self) -> None:
        """Launch the forkserver now: it imports the engine while the parent warms the cache."""
        if self.start_method == "forkserver":
            from multiprocessing import forkserver

            mp.get_context("forkserver").set_forkserver_preload(self._preload())
            forkserver.ensure_running()

    def _preload(self) -> list[str]:
        return [self.runner.__module__, "sim.batch.tasks"]

    def start(self, warm_task: Task | None = None) -> None:
        """Start the pool (workers are started as the first tasks arrive)."""
        self.pool = self._new_pool()

    def run(self, tasks: Iterator[Task]) -> Iterator[dict[str, Any] | None]:
        """Execute the tasks in the pool, at most two per worker in flight."""
        if self.pool is None:
            self.start()
        limit = 2 * self.workers
        pending: dict[Future[dict[str, Any]], Task] = {}
        source = iter(tasks)
        exhausted = False
        while True:
            while not exhausted and len(pending) < limit:
                task = next(source, None)
                if task is None:
                    exhausted = True
                    break
                assert self.pool is not None
                pending[self.pool.submit(execute, task, self.runner)] = task
            if not pending:
                return
            done, _ = wait(pending, timeout=HEARTBEAT, return_when=FIRST_COMPLETED)
            if not done:
                yield None
                continue
            broken = False
            for fut in done:
                task = pending.pop(fut)
                try:
                    yield fut.result()
                except BrokenProcessPool as exc:
                    broken = True
                    yield error_row(task, f"worker process died: {describe_error(exc)}")
                except Exception as exc:  # e.g. a task that could not be pickled
                    yield error_row(task, describe_error(exc))
            if broken:
                # every task still in flight went down with the pool: record them, start anew
                for fut, task in list(pending.items()):
                    fut.cancel()
                    yield error_row(task, "worker process died while this run was in flight")
                pending.clear()
                self.close(abort=True)
                self.pool = self._new_pool()

    def close(self, abort: bool = False) -> None:
        """Shut the pool down; ``abort`` terminates running workers."""
        pool, self.pool = self.pool, None
        if pool is None:
            return
        if abort:
            procs = list(getattr(pool, "_processes", {}).values())  # no public handle
            pool.shutdown(wait=False, cancel_futures=True)
            for p in procs:
                if p.is_alive():
                    p.terminate()
            for p in procs:
                p.join(timeout=5)
        else:
            pool.shutdown(wait=True)


def _dask_warm(task: Task, runner: Runner) -> int:
    warm(task.bundle, runner, task.until)
    return os.getpid()


class DaskExecutor(Executor):
    """Runs the tasks on a Dask distributed cluster."""

    name = "dask"

    def __init__(
        self,
        runner: Runner,
        address: str,
        workers: int | None = None,
        connect_timeout: float = 30.0,
    ) -> None:
        super().__init__(runner)
        self.address = address
        self.connect_timeout = connect_timeout
        self.local_workers = workers
        self.client: Any = None
        self.cluster: Any = None
        self.token = uuid.uuid4().hex[:8]
        """Distinguishes this batch's task keys from another batch's on a shared scheduler."""

    def start(self, warm_task: Task | None = None) -> None:
        """Connect (or start a ``LocalCluster`` for ``local``) and warm every worker."""
        try:
            from distributed import Client, LocalCluster
        except ImportError:
            raise ExecutorError(
                "--scheduler needs Dask: pip install 'testzone[dask]' (or 'dask[distributed]')"
            ) from None
        try:
            if self.address == "local":
                self.cluster = LocalCluster(
                    n_workers=self.local_workers or os.cpu_count() or 1,
                    threads_per_worker=1,
                    processes=True,
                    dashboard_address=None,
                )
                self.client = Client(self.cluster)
            else:
                self.client = Client(self.address, timeout=self.connect_timeout)
        except (OSError, TimeoutError, ValueError) as exc:
            self.close()
            raise ExecutorError(
                f"cannot reach the Dask scheduler at {self.address}: {describe_error(exc)}"
            ) from None
        info = self.client.scheduler_info()
        addresses = sorted(info.get("workers", {}))
        if not addresses:
            self.client.wait_for_workers(1, timeout=60)
            addresses = sorted(self.client.scheduler_info().get("workers", {}))
        self.workers = max(
            1,
            sum(
                int(w.get("nthreads", 1))
                for w in self.client.scheduler_info().get("workers", {}).values()
            ),
        )
        if warm_task is not None and addresses:
            # one worker first (fills a shared cache), then the others load from it
            first = self.client.submit(
                _dask_warm, warm_task, self.runner, workers=[addresses[0]], pure=False
            )
            first.result()
            rest = [
                self.client.submit(
                    _dask_warm,
                    warm_task,
                    self.runner,
                    workers=[a],
                    pure=False,
                    key=f"testzone-warm-{a}-{self.token}",
                )
                for a in addresses[1:]
            ]
            self.client.gather(rest)

    def run(self, tasks: Iterator[Task]) -> Iterator[dict[str, Any] | None]:
        """Submit the tasks, at most two per worker thread in flight; yield rows as they come."""
        from distributed import wait as dask_wait

        if self.client is None:
            self.start()
        limit = 2 * self.workers
        source = iter(tasks)
        pending: dict[Any, Task] = {}

        def submit_more() -> None:
            while len(pending) < limit:
                task = next(source, None)
                if task is None:
                    return
                fut = self.client.submit(
                    execute,
                    task,
                    self.runner,
                    pure=False,
                    key=f"testzone-run-{task.spec.run_id}-{self.token}",
                )
                pending[fut] = task

        submit_more()
        while pending:
            try:
                done = dask_wait(list(pending), timeout=HEARTBEAT, return_when="FIRST_COMPLETED")
            except TimeoutError:
                yield None
                continue
            for fut in sorted(done.done, key=lambda f: str(f.key)):
                task = pending.pop(fut)
                try:
                    yield fut.result()
                except Exception as exc:  # a lost worker, a cancelled task
                    yield error_row(task, f"Dask: {describe_error(exc)}")
                fut.release()
            submit_more()

    def close(self, abort: bool = False) -> None:
        """Close the client (and the local cluster it started)."""
        client, self.client = self.client, None
        cluster, self.cluster = self.cluster, None
        if client is not None:
            if abort:
                with contextlib.suppress(Exception):  # best effort while shutting down
                    client.cancel(list(client.futures.values()), force=True)
            client.close()
        if cluster is not None:
            cluster.close()
