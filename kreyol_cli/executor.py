"""One interface over serial, joblib and dask execution of chunk tasks.

``Executor.map(func, tasks)`` yields results lazily and in task order while
later tasks are still being read from the (possibly lazy) ``tasks``
iterable, so stages stream. Tasks are module-level functions with picklable
arguments (model specs, never loaded models); each worker process loads
its model once and keeps it between tasks.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from kreyol_cli.errors import UsageError

BACKENDS = ("auto", "serial", "processes", "dask")


@dataclass(frozen=True)
class Plan:
    """How to spend the cores: ``workers`` processes × ``threads`` each.

    One process with several ONNX threads starts fastest (every extra
    process pays a voice load, about 1.7 s) and keeps time to first audio
    lowest, so processes are only added above 4 cores. On 2 cores the
    benchmarks (docs/BENCHMARKS.md) found two 1-thread processes faster in
    steady state on a loaded machine; that is an open question to
    re-measure, not yet a reason to change this plan.
    """

    workers: int
    threads: int


def plan_for(jobs: int, *, threads_per_worker: int = 4) -> Plan:
    """Split ``jobs`` cores into workers × threads (their product ≤ jobs)."""
    jobs = max(1, jobs)
    if jobs <= threads_per_worker:
        return Plan(1, jobs)
    workers = jobs // threads_per_worker
    return Plan(workers, jobs // workers)


class Executor:
    """Runs ``func(task)`` for each task; results in order."""

    name = "base"

    def map(self, func: Callable[[Any], Any], tasks: Iterable[Any]) -> Iterator[Any]:
        raise NotImplementedError

    def close(self) -> None:
        """Release workers."""


class SerialExecutor(Executor):
    """In-process, one task at a time (tests, debugging, one worker)."""

    name = "serial"

    def map(self, func, tasks):
        for task in tasks:
            yield func(task)


class JoblibExecutor(Executor):
    """A joblib (loky) process pool; workers are reused across calls."""

    name = "processes"

    def __init__(self, workers: int) -> None:
        self.workers = workers

    def map(self, func, tasks):
        from joblib import Parallel, delayed

        parallel = Parallel(n_jobs=self.workers, return_as="generator",
                            pre_dispatch="2*n_jobs", batch_size=1)
        yield from parallel(delayed(func)(task) for task in tasks)


class DaskExecutor(Executor):
    """The same tasks on a dask.distributed cluster via joblib's dask backend.

    Args:
        address: Scheduler address (``tcp://host:8786``), or ``None`` to start a
            local cluster (useful to try the backend on one machine).
        workers: Tasks in flight.
    """

    name = "dask"

    def __init__(self, address: str | None, workers: int, threads: int = 1) -> None:
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise UsageError("the dask backend needs `pip install 'kreyol[dask]'`") from None
        if address:
            try:
                self.client = Client(address, timeout="10s")
            except OSError as exc:
                from kreyol_cli.errors import NetworkError

                raise NetworkError(f"cannot reach the dask scheduler at {address} ({exc})") from None
            self.cluster = None
        else:
            self.cluster = LocalCluster(n_workers=workers, threads_per_worker=1,
                                        processes=True, dashboard_address=None)
            self.client = Client(self.cluster)
        self.workers = workers

    def map(self, func, tasks):
        from joblib import Parallel, delayed, parallel_config

        with parallel_config(backend="dask", wait_for_workers_timeout=60):
            parallel = Parallel(n_jobs=self.workers, return_as="generator",
                                pre_dispatch="2*n_jobs", batch_size=1)
            yield from parallel(delayed(func)(task) for task in tasks)

    def close(self) -> None:
        self.client.close()
        if self.cluster is not None:
            self.cluster.close()


def make_executor(backend: str, workers: int, *, scheduler: str | None = None) -> Executor:
    """Build the executor for ``--backend``.

    ``auto`` is serial for one worker (no process start, no second model load)
    and a joblib pool otherwise. ``dask`` uses ``--scheduler`` or
    ``KREYOL_DASK_SCHEDULER``, else a local cluster.
    """
    if backend not in BACKENDS:
        raise UsageError(f"--backend {backend!r}: use one of {', '.join(BACKENDS)}")
    if backend == "dask":
        return DaskExecutor(scheduler or os.environ.get("KREYOL_DASK_SCHEDULER"), workers)
    if backend == "serial" or (backend == "auto" and workers <= 1):
        return SerialExecutor()
    return JoblibExecutor(workers)
