"""Where replications run: in this process, in a pool of processes on this machine, or on a Dask cluster.

A :class:`Job` is one replication of one unit: the scenario and the seed. :func:`run_job` is the only work
any executor does, and it only calls :func:`sim.core.model.run_replication`, so a replication's result depends on
its scenario and seed alone, never on where or in which order it ran. Executors hand results back as they
finish; the experiment commits each at once to the results store and sorts before it aggregates.

- :class:`SerialExecutor`: one at a time, in this process (``--workers 1``).
- :class:`PoolExecutor`: a pool of worker processes (default: one per core), forked (on Linux) from this
  process with the model already imported, so starting them is cheap; they ignore Ctrl-C (the main process
  handles it).
- :class:`DaskExecutor`: a Dask distributed cluster (``--scheduler ADDRESS``, optional install
  ``dask[distributed]``). Jobs go in batches of several replications, so that the per-task overhead of the
  scheduler stays small next to the simulation.
"""

from __future__ import annotations

import math
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass
from typing import Any, Protocol

from sim.config import OptionError, Scenario
from sim.core.model import flatten_kpis, run_replication
from sim.experiments.store import ReplicationRecord


@dataclass(frozen=True)
class Job:
    """One replication to run: ``unit`` is the key of the setup, setting or staffing it belongs to."""

    unit: str
    replication: int
    seed: int
    scenario: Scenario


def run_job(job: Job) -> ReplicationRecord:
    """Run one replication and keep what the experiment needs: flattened KPIs, tables, accounting."""
    result = run_replication(job.scenario, job.seed)
    return ReplicationRecord(
        unit=job.unit, replication=job.replication, seed=result.seed, config_hash=result.config_hash,
        kpis=flatten_kpis(result.kpi), accounting=result.accounting, events=result.events,
        wall_seconds=result.wall_seconds, tables=result.tables,
    )


def run_batch(jobs: Sequence[Job]) -> list[ReplicationRecord]:
    """Several replications in one go (one Dask task, or one piece of work of the process pool)."""
    return [run_job(t) for t in jobs]


def batches(jobs: Sequence[Job], size: int) -> list[list[Job]]:
    size = max(1, size)
    return [list(jobs[i:i + size]) for i in range(0, len(jobs), size)]


class Executor(Protocol):
    """Runs jobs and yields their records as they finish (in any order)."""

    #: How many replications run at once (to size rounds of work).
    parallelism: int

    def run(self, jobs: Sequence[Job]) -> Iterator[ReplicationRecord]: ...

    def close(self) -> None: ...


class SerialExecutor:
    """Replications one after another in this process."""

    parallelism = 1

    def run(self, jobs: Sequence[Job]) -> Iterator[ReplicationRecord]:
        for job in jobs:
            yield run_job(job)

    def close(self) -> None:
        pass

    def __enter__(self) -> SerialExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _ignore_sigint() -> None:
    """Initializer of every pool worker: ignore Ctrl-C (the main process handles it), and die with the main
    process, whatever killed it (even ``kill -9``), so that no orphan keeps computing, holding memory and
    holding the terminal's stdout open (a ``| tee`` would never end)."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _die_with_parent()


#: prctl option: send this signal when the parent dies (Linux).
_PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the watchdog below still ends the worker
            pass
    if os.getppid() != parent:  # the parent died before the death signal was armed
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), name="sim-parent-watchdog", daemon=True).start()


def _watch_parent(parent: int, interval: float = 1.0) -> None:
    """Fallback where there is no prctl (and belt and braces where there is): once the parent is gone the
    worker is re-parented, so its parent pid changes; then it ends at once."""
    while True:
        time.sleep(interval)
        if os.getppid() != parent:
            os._exit(1)


def _context() -> Any:
    # fork: workers start at once with the model already imported, and a user's script needs no
    # ``if __name__ == "__main__"`` guard; the pool is started before any progress-bar thread exists
    if sys.platform.startswith("linux"):
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("spawn")


def _ready() -> bool:
    return True


class PoolExecutor:
    """Replications in parallel in ``workers`` processes on this machine, ``batch_size`` per job."""

    def __init__(self, workers: int | None = None, batch_size: int = 1) -> None:
        self.parallelism = workers or default_workers()
        self.batch_size = max(1, batch_size)
        self._pool: ProcessPoolExecutor | None = None
        self._get_pool()

    def _get_pool(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.parallelism, mp_context=_context(),
                                             initializer=_ignore_sigint)
            self._pool.submit(_ready).result()  # starts the workers now
        return self._pool

    def run(self, jobs: Sequence[Job]) -> Iterator[ReplicationRecord]:
        if not jobs:
            return
        pool = self._get_pool()
        pending: set[Future[list[ReplicationRecord]]] = {
            pool.submit(run_batch, batch) for batch in batches(jobs, self.batch_size)
        }
        try:
            while pending:
                finished, pending = wait(pending, return_when=FIRST_COMPLETED)
                for future in finished:
                    yield from future.result()
        finally:
            for future in pending:
                future.cancel()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> PoolExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class DaskExecutor:
    """Replications on a Dask distributed cluster, in batches of ``batch_size`` (default: about four
    batches per worker thread, at most 16 replications each)."""

    def __init__(self, address: Any, batch_size: int | None = None) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise OptionError("scheduler",
                              "Dask is not installed; pip install 'secretariat-sim[dask]'") from None
        self._own_client = not isinstance(address, Client)
        try:
            self.client = Client(address, timeout="20s") if self._own_client else address
        except (OSError, TimeoutError) as err:
            raise OptionError("scheduler", f"cannot reach the Dask scheduler at {address}: {err}") from None
        threads = sum(self.client.nthreads().values()) or 1
        self.parallelism = threads
        self.batch_size = batch_size

    def _batch_size(self, n: int) -> int:
        if self.batch_size:
            return self.batch_size
        return max(1, min(16, math.ceil(n / (4 * self.parallelism))))

    def run(self, jobs: Sequence[Job]) -> Iterator[ReplicationRecord]:
        if not jobs:
            return
        from distributed import as_completed

        futures = [self.client.submit(run_batch, batch, pure=False)
                   for batch in batches(jobs, self._batch_size(len(jobs)))]
        done = as_completed(futures)
        try:
            for future in done:
                yield from future.result()
                future.release()
        finally:
            for future in futures:
                if not future.done():
                    future.cancel()

    def close(self) -> None:
        if self._own_client:
            self.client.close()

    def __enter__(self) -> DaskExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def default_workers() -> int:
    """One worker per core this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def make_executor(workers: int | None = None, scheduler: str | None = None,
                  batch_size: int | None = None) -> SerialExecutor | PoolExecutor | DaskExecutor:
    """The executor the command-line options ask for: Dask if ``scheduler``, serial if ``workers == 1``,
    else a process pool (one worker per core by default)."""
    if scheduler:
        return DaskExecutor(scheduler, batch_size)
    n = workers or default_workers()
    if n <= 1:
        return SerialExecutor()
    return PoolExecutor(n, batch_size or 1)


__all__ = [
    "Job", "run_job", "run_batch", "Executor", "SerialExecutor", "PoolExecutor", "DaskExecutor",
    "make_executor", "default_workers",
]
